/* Small JSON support for the REST API: a writer on a growable buffer, and a reader for flat
 * objects (string / number / bool / null values; nested values are skipped) and arrays of
 * them. Enough for {"package":"…"} and the server's own answers; not a general library. */
#ifndef LARAFW_SRV_JSON_H
#define LARAFW_SRV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv_err.h"

/* Growable NUL-terminated text. A failed allocation sets `failed` and later appends do
 * nothing, so callers check once at the end. */
struct srv_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

void srv_buf_free(struct srv_buf *b);
void srv_buf_append(struct srv_buf *b, const char *s, size_t n);
void srv_buf_printf(struct srv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends `s` as a quoted JSON string (escapes quotes, backslashes and control bytes). */
void srv_json_str(struct srv_buf *b, const char *s);
/* Appends `"key":` followed by the value. */
void srv_json_kv_str(struct srv_buf *b, const char *key, const char *value);
void srv_json_kv_int(struct srv_buf *b, const char *key, long long value);
void srv_json_kv_bool(struct srv_buf *b, const char *key, bool value);

/* Reader. A span of text holding one JSON value. */
struct srv_json_span {
    const char *p;
    size_t len;
};

/* Finds member `key` of the object in `obj`. Returns 0 and the raw value span, SRV_E_NOTFOUND
 * or SRV_E_PARSE (not an object / malformed). */
SRV_WARN_UNUSED int srv_json_member(struct srv_json_span obj, const char *key,
                                    struct srv_json_span *value);
/* Member as a string (escapes \" \\ \/ \n \t \r \b \f and \u00XX decoded). Returns 0,
 * SRV_E_NOTFOUND, SRV_E_PARSE (not a string) or SRV_E_NOSPACE. */
SRV_WARN_UNUSED int srv_json_get_str(struct srv_json_span obj, const char *key, char *out,
                                     size_t cap);
/* Member as an integer. Returns 0, SRV_E_NOTFOUND or SRV_E_PARSE. */
SRV_WARN_UNUSED int srv_json_get_int(struct srv_json_span obj, const char *key, long long *out);
/* Element `index` of the array in `arr`. Returns 0, SRV_E_NOTFOUND (past the end) or
 * SRV_E_PARSE. */
SRV_WARN_UNUSED int srv_json_element(struct srv_json_span arr, size_t index,
                                     struct srv_json_span *value);

#endif
