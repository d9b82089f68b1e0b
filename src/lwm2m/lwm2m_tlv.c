/* OMA LwM2M TLV codec (lwm2m_tlv.h). Type byte: bits 7-6 identifier type, bit 5 identifier
 * length (8/16 bit), bits 4-3 length type (length in bits 2-0, or an 8, 16 or 24-bit field),
 * bits 2-0 length. */
#include "lwm2m_tlv.h"

#include <string.h>

int lwm2m_tlv_next(const uint8_t *buf, size_t len, size_t *off, struct lwm2m_tlv *out)
{
    if (!off || !out || (!buf && len))
        return LWM2M_TLV_E_ARG;
    size_t p = *off;
    if (p >= len)
        return 0;
    uint8_t t = buf[p++];
    size_t idlen = (t & 0x20) ? 2 : 1;
    size_t lentype = (t >> 3) & 0x3;
    if (len - p < idlen + lentype)
        return LWM2M_TLV_E_PARSE;
    uint16_t id = buf[p];
    if (idlen == 2)
        id = (uint16_t)((id << 8) | buf[p + 1]);
    p += idlen;
    size_t vlen = t & 0x7;
    if (lentype > 0) {
        vlen = 0;
        for (size_t i = 0; i < lentype; i++)
            vlen = (vlen << 8) | buf[p + i];
        p += lentype;
    }
    if (len - p < vlen)
        return LWM2M_TLV_E_PARSE;
    out->type = (enum lwm2m_tlv_type)(t >> 6);
    out->id = id;
    out->value = buf + p;
    out->len = vlen;
    *off = p + vlen;
    return 1;
}

int lwm2m_tlv_find(const uint8_t *buf, size_t len, uint16_t res_id, struct lwm2m_tlv *out)
{
    if (!out || (!buf && len))
        return LWM2M_TLV_E_ARG;
    size_t off = 0;
    struct lwm2m_tlv t;
    int rc;
    while ((rc = lwm2m_tlv_next(buf, len, &off, &t)) == 1) {
        if (t.type == LWM2M_TLV_RESOURCE && t.id == res_id) {
            *out = t;
            return 0;
        }
        if (t.type == LWM2M_TLV_OBJECT_INSTANCE) {
            size_t inner = 0;
            struct lwm2m_tlv r;
            int rc2;
            while ((rc2 = lwm2m_tlv_next(t.value, t.len, &inner, &r)) == 1) {
                if (r.type == LWM2M_TLV_RESOURCE && r.id == res_id) {
                    *out = r;
                    return 0;
                }
            }
            if (rc2 < 0)
                return rc2;
        }
    }
    return rc < 0 ? rc : LWM2M_TLV_E_NOTFOUND;
}

int lwm2m_tlv_int(const struct lwm2m_tlv *t, int64_t *out)
{
    if (!t || !out || (!t->value && t->len))
        return LWM2M_TLV_E_ARG;
    if (t->len != 1 && t->len != 2 && t->len != 4 && t->len != 8)
        return LWM2M_TLV_E_PARSE;
    uint64_t u = (t->value[0] & 0x80) ? UINT64_MAX : 0; /* sign extension */
    for (size_t i = 0; i < t->len; i++)
        u = (u << 8) | t->value[i];
    memcpy(out, &u, sizeof *out); /* two's complement without an out-of-range conversion */
    return 0;
}

int lwm2m_tlv_str(const struct lwm2m_tlv *t, char *out, size_t cap)
{
    if (!t || !out || (!t->value && t->len))
        return LWM2M_TLV_E_ARG;
    if (t->len >= cap)
        return LWM2M_TLV_E_NOSPACE;
    if (t->len && memchr(t->value, '\0', t->len))
        return LWM2M_TLV_E_PARSE;
    if (t->len)
        memcpy(out, t->value, t->len);
    out[t->len] = '\0';
    return 0;
}

long lwm2m_tlv_put(uint8_t *out, size_t cap, enum lwm2m_tlv_type type, uint16_t id,
                   const void *value, size_t vlen)
{
    if (vlen > 0xffffff || ((unsigned)type & ~3u) != 0 || !out || (!value && vlen))
        return LWM2M_TLV_E_ARG;
    size_t idlen = id > 0xff ? 2 : 1;
    size_t lentype = vlen <= 7 ? 0 : vlen <= 0xff ? 1 : vlen <= 0xffff ? 2 : 3;
    size_t total = 1 + idlen + lentype + vlen;
    if (total > cap)
        return LWM2M_TLV_E_NOSPACE;
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

long lwm2m_tlv_put_int(uint8_t *out, size_t cap, enum lwm2m_tlv_type type, uint16_t id,
                       int64_t value)
{
    uint8_t be[8];
    size_t n = value >= INT8_MIN && value <= INT8_MAX     ? 1
               : value >= INT16_MIN && value <= INT16_MAX ? 2
               : value >= INT32_MIN && value <= INT32_MAX ? 4
                                                          : 8;
    uint64_t u;
    memcpy(&u, &value, sizeof u);
    for (size_t i = 0; i < n; i++)
        be[i] = (uint8_t)(u >> (8 * (n - 1 - i)));
    return lwm2m_tlv_put(out, cap, type, id, be, n);
}
