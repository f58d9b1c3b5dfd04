#ifndef INCIDENT_REPL_CZLIB_SHIM_H
#define INCIDENT_REPL_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a macro, which Swift cannot call: this opens a stream that reads gzip (and
   zlib) headers, 15 bits of window plus 32 for automatic header detection. */
static inline int czlib_inflate_init_gzip(z_stream *_Nonnull stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
