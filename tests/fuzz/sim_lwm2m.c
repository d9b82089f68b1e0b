/* libFuzzer target: the LwM2M payload parsers of the simulator's client (sim/sim_lwm2m_data.c):
 * OMA-TLV (nested instances, multiple resources, every value type), LwM2M JSON, plain text and
 * object paths. The first byte picks the parser; what parses is encoded again and must parse
 * back to the same values. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim_lwm2m_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sim_lwm2m_value fz_v, fz_w;

static void fz_tlv(const uint8_t *buf, size_t len, int depth)
{
    size_t off = 0;
    struct sim_tlv t;
    int rc;
    while ((rc = sim_tlv_next(buf, len, &off, &t)) == 1) {
        if (t.val < buf || t.val + t.len > buf + len || off > len)
            __builtin_trap(); /* a TLV never points outside its buffer */
        if ((t.kind == SIM_TLV_INSTANCE || t.kind == SIM_TLV_MULTI) && depth < 3) {
            fz_tlv(t.val, t.len, depth + 1);
            continue;
        }
        static const enum sim_lwm2m_type types[] = {SIM_LV_INT, SIM_LV_STR, SIM_LV_BOOL};
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
            memset(&fz_v, 0, sizeof fz_v);
            if (sim_tlv_value(&t, types[k], &fz_v) != 0)
                continue;
            /* round trip: encode, parse, compare */
            uint8_t out[SIM_LWM2M_STR_MAX + 16];
            size_t used = 0;
            if (sim_tlv_put(out, sizeof out, &used, &fz_v) != 0)
                __builtin_trap();
            size_t o2 = 0;
            struct sim_tlv t2;
            if (sim_tlv_next(out, used, &o2, &t2) != 1 || o2 != used)
                __builtin_trap();
            memset(&fz_w, 0, sizeof fz_w);
            if (sim_tlv_value(&t2, types[k], &fz_w) != 0 || fz_w.i != fz_v.i ||
                fz_w.slen != fz_v.slen || memcmp(fz_w.s, fz_v.s, fz_v.slen) != 0)
                __builtin_trap();
            char text[SIM_LWM2M_STR_MAX + 32];
            (void)sim_text_put(text, sizeof text, &fz_v);
        }
    }
    (void)rc;
}

static int fz_json_entry(void *user, const struct sim_json_entry *e)
{
    (void)user;
    if (strlen(e->path) >= sizeof e->path || strlen(e->str) >= sizeof e->str)
        __builtin_trap();
    uint16_t ids[3];
    (void)sim_lwm2m_path(e->path, strlen(e->path), ids);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    switch (sel % 4) {
    case 0:
        fz_tlv(data, size, 0);
        break;
    case 1: {
        (void)sim_json_parse((const char *)data, size, fz_json_entry, NULL);
        /* what the client writes must read back */
        static struct sim_lwm2m_value vals[2];
        memset(vals, 0, sizeof vals);
        vals[0].type = SIM_LV_STR;
        size_t n = size < sizeof vals[0].s - 1 ? size : sizeof vals[0].s - 1;
        for (size_t i = 0; i < n; i++)
            vals[0].s[i] = data[i] ? (char)data[i] : ' ';
        vals[0].slen = n;
        vals[1].type = SIM_LV_INT;
        vals[1].id = 1;
        vals[1].i = (int64_t)size * -7;
        char out[4 * SIM_LWM2M_STR_MAX];
        int len = sim_json_put(out, sizeof out, "/5/0/", vals, 2);
        if (len < 0 || sim_json_parse(out, (size_t)len, fz_json_entry, NULL) != 0)
            __builtin_trap();
        break;
    }
    case 2: {
        static const enum sim_lwm2m_type types[] = {SIM_LV_INT, SIM_LV_STR, SIM_LV_BOOL};
        memset(&fz_v, 0, sizeof fz_v);
        (void)sim_text_value(data, size, types[(sel >> 2) % 3], &fz_v);
        break;
    }
    default: {
        uint16_t ids[3];
        int n = sim_lwm2m_path((const char *)data, size, ids);
        if (n > 3)
            __builtin_trap();
        break;
    }
    }
    return 0;
}
