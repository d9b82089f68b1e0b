/* OMA LwM2M TLV codec (srv_tlv.h). Type byte: bits 7-6 identifier type, bit 5 identifier
 * length (8/16 bit), bits 4-3 length type (in bits 2-0, 8, 16 or 24 bit), bits 2-0 length. */
#include "srv_tlv.h"

#include <string.h>

int srv_tlv_next(const uint8_t *buf, size_t len, size_t *off, struct srv_tlv *out)
{
    size_t p = *off;
    if (p >= len)
        return 0;
    uint8_t t = buf[p++];
    size_t idlen = (t & 0x20) ? 2 : 1;
    size_t lentype = (t >> 3) & 0x3;
    if (len - p < idlen + lentype)
        return SRV_E_PARSE;
    uint16_t id = buf[p];
    if (idlen == 2)
        id = (uint16_t)((id << 8) | buf[p + 1]);
    p += idlen;
    size_t vlen = 0;
    if (lentype == 0) {
        vlen = t & 0x7;
    } else {
        for (size_t i = 0; i < lentype; i++)
            vlen = (vlen << 8) | buf[p + i];
        p += lentype;
    }
    if (len - p < vlen)
        return SRV_E_PARSE;
    out->type = (enum srv_tlv_type)(t >> 6);
    out->id = id;
    out->value = buf + p;
    out->len = vlen;
    *off = p + vlen;
    return 1;
}

int srv_tlv_find(const uint8_t *buf, size_t len, uint16_t res_id, struct srv_tlv *out)
{
    size_t off = 0;
    struct srv_tlv t;
    int rc;
    while ((rc = srv_tlv_next(buf, len, &off, &t)) == 1) {
        if (t.type == SRV_TLV_RESOURCE && t.id == res_id) {
            *out = t;
            return 0;
        }
        if (t.type == SRV_TLV_OBJECT_INSTANCE) {
            size_t inner = 0;
            struct srv_tlv r;
            int rc2;
            while ((rc2 = srv_tlv_next(t.value, t.len, &inner, &r)) == 1) {
                if (r.type == SRV_TLV_RESOURCE && r.id == res_id) {
                    *out = r;
                    return 0;
                }
            }
            if (rc2 < 0)
                return rc2;
        }
    }
    return rc < 0 ? rc : SRV_E_NOTFOUND;
}

int srv_tlv_int(const struct srv_tlv *t, int64_t *out)
{
    if (t->len != 1 && t->len != 2 && t->len != 4 && t->len != 8)
        return SRV_E_PARSE;
    /* sign-extend from the first byte, then shift the rest in */
    int64_t v = (int8_t)t->value[0];
    for (size_t i = 1; i < t->len; i++)
        v = (int64_t)((uint64_t)v << 8) | t->value[i];
    *out = v;
    return 0;
}

int srv_tlv_str(const struct srv_tlv *t, char *out, size_t cap)
{
    if (t->len + 1 > cap)
        return SRV_E_NOSPACE;
    if (t->len && memchr(t->value, '\0', t->len))
        return SRV_E_PARSE;
    if (t->len)
        memcpy(out, t->value, t->len);
    out[t->len] = '\0';
    return 0;
}

long srv_tlv_put(uint8_t *out, size_t cap, enum srv_tlv_type type, uint16_t id, const void *value,
                 size_t vlen)
{
    if (vlen > 0xffffff || (type & ~3u) != 0)
        return SRV_E_ARG;
    size_t idlen = id > 0xff ? 2 : 1;
    size_t lentype = vlen <= 7 ? 0 : vlen <= 0xff ? 1 : vlen <= 0xffff ? 2 : 3;
    size_t total = 1 + idlen + lentype + vlen;
    if (total > cap)
        return SRV_E_NOSPACE;
    size_t p = 0;
    uint8_t t = (uint8_t)((unsigned)type << 6);
    if (idlen == 2)
        t |= 0x20;
    t |= (uint8_t)(lentype << 3);
    if (lentype == 0)
        t |= (uint8_t)vlen;
    out[p++] = t;
    if (idlen == 2)
        out[p++] = (uint8_t)(id >> 8);
    out[p++] = (uint8_t)id;
    for (size_t i = lentype; i > 0; i--)
        out[p++] = (uint8_t)(vlen >> (8 * (i - 1)));
    if (vlen)
        memcpy(out + p, value, vlen);
    return (long)total;
}

long srv_tlv_put_int(uint8_t *out, size_t cap, enum srv_tlv_type type, uint16_t id, int64_t value)
{
    uint8_t be[8];
    size_t n = value >= INT8_MIN && value <= INT8_MAX     ? 1
               : value >= INT16_MIN && value <= INT16_MAX ? 2
               : value >= INT32_MIN && value <= INT32_MAX ? 4
                                                          : 8;
    for (size_t i = 0; i < n; i++)
        be[i] = (uint8_t)((uint64_t)value >> (8 * (n - 1 - i)));
    return srv_tlv_put(out, cap, type, id, be, n);
}
