/*
 * etwhf/xpress.h — MS-XCA plain LZ77 ("XPRESS", COMPRESSION_FORMAT_XPRESS = 3)
 * decompression, as the decoder uses it for compressed buffers
 * (docs/spec/format.md). Pure function: thread-safe, no allocation.
 */
#ifndef ETWHF_XPRESS_H
#define ETWHF_XPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/format.h"

#ifdef __cplusplus
extern "C" {
#endif

enum etwhf_xpress_result {
    ETWHF_XPRESS_OK = 0,
    ETWHF_XPRESS_TRUNCATED,  /* the stream ended before the output was complete */
    ETWHF_XPRESS_BAD_OFFSET, /* a back-reference before the start of the output */
    ETWHF_XPRESS_OVERRUN,    /* a match runs past the expected output length */
    ETWHF_XPRESS_BAD_LENGTH  /* an extended match length is inconsistent */
};

/* Expands `in` into exactly `out_len` bytes of `out` (the two must not
 * overlap). Input left over after the output is complete is ignored
 * (docs/spec/walk.md, C4). Never reads or writes outside the two ranges; always
 * terminates (each step consumes input and writes output). On an error the
 * bytes of `out` are unspecified. Returns enum etwhf_xpress_result. */
ETWHF_API int etwhf_xpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len);
ETWHF_API const char *etwhf_xpress_result_name(int result);

#ifdef __cplusplus
}
#endif
#endif
