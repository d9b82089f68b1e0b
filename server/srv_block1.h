/* Block-wise request bodies (RFC 7959 Block1) reassembled by the server itself, with a cap:
 * libcoap's own reassembly trusts the Size1 option and keeps a body per Request-Tag, so one
 * client could make the server allocate without bound (docs/server.md "Security model").
 *
 * A body is identified by an opaque key (the caller uses the remote address, the resource
 * and the Request-Tag). Blocks must come in order, all of one size (SZX 0..6; BERT is
 * refused); block 0 (re)starts a body. At most `max_entries` bodies are assembled at once
 * (the least recently used one is dropped to make room) and each is at most `max_body`
 * bytes, so the memory held is at most max_entries × max_body, whatever the peers send. */
#ifndef LARAFW_SRV_BLOCK1_H
#define LARAFW_SRV_BLOCK1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SRV_BLOCK1_KEY_MAX 192

struct srv_block1_config {
    size_t max_body;    /* bytes; a body past it is refused (4.13) */
    size_t max_entries; /* bodies assembled at once */
    long timeout_s;     /* a body with no new block for this long is dropped */
};

/* One received block: the Block1 option (num, more, szx) and the payload. size1 is the
 * Size1 option (the client's total size estimate), 0 when absent. */
struct srv_block1_in {
    uint32_t num;
    bool more;
    unsigned szx;
    const uint8_t *data;
    size_t len;
    uint64_t size1;
};

enum srv_block1_status {
    SRV_BLOCK1_DONE = 0,        /* body complete: *body, *body_len (free() it) */
    SRV_BLOCK1_CONTINUE = 1,    /* more blocks expected: answer 2.31 Continue */
    SRV_BLOCK1_TOO_LARGE = -1,  /* past max_body: answer 4.13 (Size1 = max_body); state freed */
    SRV_BLOCK1_INCOMPLETE = -2, /* block out of order or of another size: answer 4.08; freed */
    SRV_BLOCK1_BAD = -3,        /* SZX 7 (BERT) or a non-final block of the wrong length: 4.00 */
    SRV_BLOCK1_NOMEM = -4,      /* allocation failed: 5.00 */
};

struct srv_block1;

/* NULL when out of memory or when the config is unusable (zero max_body or max_entries). */
struct srv_block1 *srv_block1_new(const struct srv_block1_config *cfg);
void srv_block1_free(struct srv_block1 *b);
/* Feeds one block of the body `key` (key_len ≤ SRV_BLOCK1_KEY_MAX bytes) at time `now`.
 * Returns an enum srv_block1_status; on SRV_BLOCK1_DONE *body (malloc'ed, NUL-terminated
 * for convenience, free() it) and *body_len hold the whole body. */
int srv_block1_feed(struct srv_block1 *b, const void *key, size_t key_len,
                    const struct srv_block1_in *in, time_t now, uint8_t **body, size_t *body_len);
/* Drops the bodies idle for longer than the timeout. */
void srv_block1_expire(struct srv_block1 *b, time_t now);
/* Bodies being assembled, and the bytes they hold (for tests and logs). */
size_t srv_block1_count(const struct srv_block1 *b, size_t *bytes);

#endif
