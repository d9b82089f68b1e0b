/* A data source: the bytes to send (firmware image, delta package), pulled by offset so that
 * the image never has to sit in RAM. */
#ifndef LARAFW_SOURCE_H
#define LARAFW_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct lfw_source {
    /* Copies up to `len` bytes starting at `offset` into `buf`. Returns the count (exactly
     * `len` unless the end of the data is reached) or negative on failure. */
    int (*read)(void *user, uint32_t offset, uint8_t *buf, size_t len);
    void *user;
    uint32_t size; /* total size in bytes */
};

#endif /* LARAFW_SOURCE_H */
