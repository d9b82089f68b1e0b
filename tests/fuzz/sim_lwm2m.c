/* libFuzzer target: the LwM2M payload parsers of the simulator's client: OMA-TLV through the
 * codec shared with the server (src/lwm2m/lwm2m_tlv.c: nested instances, multiple resources,
 * integer and string values), and sim/sim_lwm2m_data.c's LwM2M JSON, plain text and object
 * paths. The first byte picks the parser; what parses is encoded again and must parse
 * back to the same values. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lwm2m_tlv.h"
#include "sim_lwm2m_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sim_lwm2m_value fz_v;

/* Decodes every TLV (nested ones too) with the shared codec the client uses; what decodes as
 * an integer or a string encodes again and must decode back to the same value. */
static void fz_tlv(const uint8_t *buf, size_t len, int depth)
{
    size_t off = 0;
    struct lwm2m_tlv t;
    int rc;
    while ((rc = lwm2m_tlv_next(buf, len, &off, &t)) == 1) {
        if (t.value < buf || t.value + t.len > buf + len || off > len)
            __builtin_trap(); /* a TLV never points outside its buffer */
        if ((t.type == LWM2M_TLV_OBJECT_INSTANCE || t.type == LWM2M_TLV_MULTIPLE_RESOURCE) &&
            depth < 3) {
            fz_tlv(t.value, t.len, depth + 1);
            continue;
        }
        uint8_t out[SIM_LWM2M_STR_MAX + 16];
        size_t o2 = 0;
        struct lwm2m_tlv t2;
        int64_t i, j;
        if (lwm2m_tlv_int(&t, &i) == 0) {
            long n = lwm2m_tlv_put_int(out, sizeof out, t.type, t.id, i);
            if (n <= 0 || (size_t)n > t.len + 4 || lwm2m_tlv_next(out, (size_t)n, &o2, &t2) != 1 ||
                o2 != (size_t)n || t2.type != t.type || t2.id != t.id ||
                lwm2m_tlv_int(&t2, &j) != 0 || j != i)
                __builtin_trap();
            memset(&fz_v, 0, sizeof fz_v);
            fz_v.type = SIM_LV_INT;
            fz_v.i = i;
            char text[32];
            (void)sim_text_put(text, sizeof text, &fz_v);
        }
        memset(&fz_v, 0, sizeof fz_v);
        if (lwm2m_tlv_str(&t, fz_v.s, sizeof fz_v.s) == 0) {
            if (strlen(fz_v.s) != t.len)
                __builtin_trap();
            long n = lwm2m_tlv_put(out, sizeof out, t.type, t.id, fz_v.s, t.len);
            o2 = 0;
            if (n <= 0 || lwm2m_tlv_next(out, (size_t)n, &o2, &t2) != 1 || o2 != (size_t)n ||
                t2.len != t.len || t2.id != t.id || memcmp(t2.value, t.value, t.len) != 0)
                __builtin_trap();
            fz_v.type = SIM_LV_STR;
            fz_v.slen = t.len;
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
