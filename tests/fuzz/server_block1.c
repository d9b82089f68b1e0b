/* libFuzzer target for larafw-server's Block1 reassembly (server/srv_block1.h): any sequence of
 * blocks, for a few bodies at once, with time passing. The input is a list of records
 *
 *   key(1) num(2, big endian) flags(1: bit 3 = more, bits 0-2 = SZX) time(1) len(1) payload
 *
 * Checked: a finished body equals what a straightforward model of the same rules assembled
 * (pass 1: as many slots as keys, so nothing is evicted), and whatever the blocks, no body is
 * longer than the cap and the memory held stays within slots × cap (pass 2: fewer slots than
 * keys, so bodies are evicted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srv_block1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BODY 1024
#define KEYS     4

struct model {
    bool open;
    uint8_t buf[MAX_BODY];
    size_t len;
    uint32_t next;
    unsigned szx;
    time_t last;
};

static void run(const uint8_t *data, size_t size, size_t slots, unsigned keys, bool check)
{
    struct srv_block1_config cfg = {MAX_BODY, slots, 5};
    struct srv_block1 *b = srv_block1_new(&cfg);
    if (!b)
        return;
    static struct model m[KEYS];
    memset(m, 0, sizeof m);
    time_t now = 1000;
    size_t i = 0;
    while (i + 6 <= size) {
        unsigned key = data[i] % keys;
        struct srv_block1_in in = {
            .num = (uint32_t)(data[i + 1] << 8 | data[i + 2]),
            .more = (data[i + 3] >> 3) & 1,
            .szx = data[i + 3] & 7,
            .size1 = (data[i + 3] & 0x80) ? (uint64_t)data[i + 4] << 4 : 0,
        };
        now += data[i + 4] & 7;
        size_t len = data[i + 5];
        i += 6;
        if (len > size - i)
            len = size - i;
        in.data = data + i;
        in.len = len;
        i += len;
        srv_block1_expire(b, now);
        struct model *mk = check ? &m[key] : NULL;
        if (mk && mk->open && now - mk->last > cfg.timeout_s)
            mk->open = false;
        uint8_t *body = NULL;
        size_t body_len = 0;
        int rc = srv_block1_feed(b, &key, sizeof key, &in, now, &body, &body_len);
        if (rc == SRV_BLOCK1_DONE && (!body || body_len > MAX_BODY || body[body_len] != '\0'))
            abort();
        size_t bytes = 0;
        if (srv_block1_count(b, &bytes) > slots || bytes > slots * MAX_BODY)
            abort();
        if (mk) {
            size_t block = in.szx <= 6 ? (size_t)1 << (in.szx + 4) : 0;
            uint64_t off = (uint64_t)in.num * block;
            if (rc == SRV_BLOCK1_CONTINUE || rc == SRV_BLOCK1_DONE) {
                if (in.num == 0) {
                    mk->open = true;
                    mk->szx = in.szx;
                    mk->len = 0;
                } else if (!mk->open || in.szx != mk->szx ||
                           (in.num != mk->next && in.num + 1 != mk->next)) {
                    abort(); /* accepted a block the model would not */
                }
                memcpy(mk->buf + off, in.data, in.len);
                mk->len = (size_t)off + in.len;
                mk->next = in.num + 1;
                mk->last = now;
                if (rc == SRV_BLOCK1_DONE) {
                    if (body_len != mk->len || (body_len && memcmp(body, mk->buf, body_len)))
                        abort();
                    mk->open = false;
                }
            } else if (rc != SRV_BLOCK1_BAD) {
                mk->open = false; /* refused: the body is dropped */
            }
        }
        free(body);
    }
    srv_block1_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, KEYS, KEYS, true);
    run(data, size, 2, 8, false);
    return 0;
}
