/* libFuzzer target for larafw-server's parsers of untrusted bytes: OMA TLV (nested; the codec
 * shared with the simulator, src/lwm2m/lwm2m_tlv.h), CoRE link format, registration query,
 * HTTP Range, the JSON body of an update request (jansson through srv_api_admit; the whole
 * REST request path is tests/fuzz/server_api.c). The first byte picks the parser; the rest is its
 * input. Also checks that TLV encode → decode round-trips. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m_tlv.h"
#include "srv_api_req.h"
#include "srv_link.h"
#include "srv_range.h"
#include "srv_regq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results go here so that the calls are not optimised away (and are not "ignored"). */
static volatile int sink;

static void walk_tlv(const uint8_t *buf, size_t len, int depth)
{
    size_t off = 0;
    struct lwm2m_tlv t;
    while (lwm2m_tlv_next(buf, len, &off, &t) == 1) {
        int64_t v;
        char s[64];
        sink += lwm2m_tlv_int(&t, &v);
        sink += lwm2m_tlv_str(&t, s, sizeof s);
        if (depth < 3 && t.type != LWM2M_TLV_RESOURCE)
            walk_tlv(t.value, t.len, depth + 1);
    }
    for (uint16_t id = 0; id < 4; id++) {
        if (lwm2m_tlv_find(buf, len, id, &t) == 0) {
            /* what was decoded encodes back to the same value */
            uint8_t *enc = malloc(t.len + 8);
            if (!enc)
                return;
            long n = lwm2m_tlv_put(enc, t.len + 8, t.type, t.id, t.value, t.len);
            if (n > 0) {
                size_t o = 0;
                struct lwm2m_tlv back;
                if (lwm2m_tlv_next(enc, (size_t)n, &o, &back) != 1 || back.len != t.len ||
                    back.id != t.id || (t.len && memcmp(back.value, t.value, t.len) != 0))
                    abort();
            }
            free(enc);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    switch (data[0] % 5) {
    case 0:
        walk_tlv(in, len, 0);
        break;
    case 1: {
        struct srv_link links[8];
        size_t count;
        sink += srv_link_parse((const char *)in, len, links, 8, &count);
        break;
    }
    case 2: {
        struct srv_reg_query q;
        sink += srv_regq_parse((const char *)in, len, true, &q);
        sink += srv_regq_parse((const char *)in, len, false, &q);
        break;
    }
    case 3: {
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, in, len);
        s[len] = '\0';
        uint64_t a, b;
        if (srv_range_parse(s, 1000, &a, &b) == SRV_RANGE_OK && (a > b || b >= 1000))
            abort();
        free(s);
        break;
    }
    case 4: {
        /* a token table of one operator, "t" (hash of the text "t") */
        static struct srv_token_entry op = {.name = "op", .role = SRV_ROLE_OPERATOR};
        static struct srv_tokens tokens = {&op, 1, {0}};
        static int ready;
        if (!ready) {
            crypto_generichash(op.hash, sizeof op.hash, (const unsigned char *)"t", 1, NULL, 0);
            ready = 1;
        }
        struct srv_api_policy policy = {&tokens, NULL, 0};
        struct srv_api_request r = {
            "POST",     "/api/devices/1/update", NULL, NULL, "application/json",
            "Bearer t", (const char *)in,        len};
        struct srv_api_call call;
        const char *why;
        unsigned status = srv_api_admit(&policy, &r, &call, &why);
        if (status == 0 && (call.package[0] == '\0' || call.role != SRV_ROLE_OPERATOR))
            abort();
        sink += (int)status;
        break;
    }
    }
    return 0;
}
