/* LD_PRELOAD shim for measurement 4: counts connect(2) calls to 127.0.0.1:BENCH_CONNECT_PORT and
 * appends the count to BENCH_CONNECT_LOG at exit. No ptrace, so the process runs at full speed and
 * timing races (a connection returned to the pool late) show up as they would without a tracer. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static atomic_int count;

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    const char *port = getenv("BENCH_CONNECT_PORT");
    if (port && address && address->sa_family == AF_INET &&
        ntohs(((const struct sockaddr_in *)address)->sin_port) == atoi(port))
        atomic_fetch_add(&count, 1);
    return real(fd, address, length);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("BENCH_CONNECT_LOG");
    if (!path) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%d\n", atomic_load(&count));
    fclose(f);
}
