#ifndef INCIDENT_REPL_CCURL_SHIM_H
#define INCIDENT_REPL_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>

/* libcurl is not linked: LLMClients loads it with dlopen on the first transfer, so that start-up
   (and `--version`) does not pay for loading libcurl and the ~30 libraries it pulls in (TLS,
   Kerberos, LDAP, SSH, IDN…). This header supplies the types and constants; Swift looks the
   functions up with dlsym.

   curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are C-variadic and cannot be called
   from Swift, not even through a function pointer. One non-variadic forwarder per argument type
   takes the looked-up address and calls it with the C calling convention for variadic functions.
   Every definition is `static inline` because a system-library target compiles no .c files. */

typedef CURLcode (*ccurl_setopt_function)(CURL *, CURLoption, ...);
typedef CURLcode (*ccurl_getinfo_function)(CURL *, CURLINFO, ...);

typedef size_t (*ccurl_data_callback)(char *_Nonnull data, size_t size, size_t count, void *_Nullable context);

static inline CURLcode ccurl_setopt_long(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option, long value) {
    return ((ccurl_setopt_function)setopt)(handle, option, value);
}

static inline CURLcode ccurl_setopt_string(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option,
                                           const char *_Nullable value) {
    return ((ccurl_setopt_function)setopt)(handle, option, value);
}

static inline CURLcode ccurl_setopt_pointer(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option,
                                            void *_Nullable value) {
    return ((ccurl_setopt_function)setopt)(handle, option, value);
}

static inline CURLcode ccurl_setopt_off_t(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option,
                                          curl_off_t value) {
    return ((ccurl_setopt_function)setopt)(handle, option, value);
}

static inline CURLcode ccurl_setopt_slist(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option,
                                          struct curl_slist *_Nullable value) {
    return ((ccurl_setopt_function)setopt)(handle, option, value);
}

static inline CURLcode ccurl_setopt_data_callback(void *_Nonnull setopt, CURL *_Nonnull handle, CURLoption option,
                                                  ccurl_data_callback _Nullable callback) {
    return ((ccurl_setopt_function)setopt)(handle, option, callback);
}

static inline CURLcode ccurl_getinfo_long(void *_Nonnull getinfo, CURL *_Nonnull handle, CURLINFO info,
                                          long *_Nonnull value) {
    return ((ccurl_getinfo_function)getinfo)(handle, info, value);
}

#endif
