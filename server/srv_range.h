/* HTTP Range header (RFC 9110 §14.2) for the package download server: one byte range. */
#ifndef LARAFW_SRV_RANGE_H
#define LARAFW_SRV_RANGE_H

#include <stdint.h>

enum srv_range_result {
    SRV_RANGE_OK = 0,     /* serve [first, last] with 206 */
    SRV_RANGE_IGNORE = 1, /* no usable Range (absent, malformed, several ranges): serve 200 */
    SRV_RANGE_UNSAT = 2,  /* 416 with Content-Range: bytes * / size */
};

/* Interprets `header` (may be NULL) against a file of `size` bytes: "bytes=a-b", "bytes=a-",
 * "bytes=-n". On SRV_RANGE_OK, *first and *last are inclusive offsets inside the file. */
enum srv_range_result srv_range_parse(const char *header, uint64_t size, uint64_t *first,
                                      uint64_t *last);

#endif
