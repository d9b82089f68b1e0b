/* Private helpers of the core: wrap-safe time, bounded strings, small number formatting.
 * No libc beyond <string.h> so that the core stays small on a Cortex-M. */
#ifndef LARAFW_CORE_UTIL_H
#define LARAFW_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "larafw/port.h"

/* A deadline on the port clock. Wrap-safe: only differences of uint32_t are compared. */
struct lfw_deadline {
    uint32_t start;
    uint32_t span;
};

void lfw_deadline_start(struct lfw_deadline *d, const struct lfw_port *port, uint32_t span_ms);
/* Milliseconds left (0 when expired). */
uint32_t lfw_deadline_left(const struct lfw_deadline *d, const struct lfw_port *port);
bool lfw_deadline_expired(const struct lfw_deadline *d, const struct lfw_port *port);

/* True when `s` starts with `prefix`. */
bool lfw_str_prefix(const char *s, const char *prefix);
/* Copies `src` into dst[size] (always terminated when size > 0). Returns false if cut. */
bool lfw_str_copy(char *dst, size_t size, const char *src);
/* Appends `src` at *pos inside dst[size]. Returns false (and leaves dst terminated) if cut. */
bool lfw_str_append(char *dst, size_t size, size_t *pos, const char *src);
/* Appends the decimal form of `v`. */
bool lfw_str_append_u32(char *dst, size_t size, size_t *pos, uint32_t v);
/* Parses a decimal number at *s (leading blanks skipped), advancing *s. Returns false if there
 * is no digit or it overflows 32 bits. */
bool lfw_str_parse_u32(const char **s, uint32_t *out);

/* Writes all of data[len] through the port. Returns 0, LFW_ECANCELED (the port's write
 * returned it) or LFW_EIO. */
int lfw_port_write_all(const struct lfw_port *port, const uint8_t *data, size_t len);

#endif /* LARAFW_CORE_UTIL_H */
