/* Growable NUL-terminated text (HTTP bodies, files read whole). JSON itself goes through
 * jansson (srv_api.c, srv_cli.c). */
#ifndef LARAFW_SRV_BUF_H
#define LARAFW_SRV_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A failed allocation sets `failed` and later appends do nothing, so callers check once at
 * the end. */
struct srv_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

void srv_buf_free(struct srv_buf *b);
void srv_buf_append(struct srv_buf *b, const char *s, size_t n);
void srv_buf_printf(struct srv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
