/* OMA LwM2M 1.0 TLV (content format 11542, OMA-TS-LightweightM2M-V1_0 §6.4.3): the one
 * encoder and decoder that larafw-server and the simulated module's LwM2M client share.
 * Pure functions on caller buffers, no allocation. The decoder takes untrusted bytes: any
 * input gives an error, never a read outside the buffer (tests/fuzz/server_lwm2m.c,
 * tests/fuzz/sim_lwm2m.c). */
#ifndef LARAFW_LWM2M_TLV_H
#define LARAFW_LWM2M_TLV_H

#include <stddef.h>
#include <stdint.h>

#define LWM2M_WARN_UNUSED __attribute__((warn_unused_result))

#define LWM2M_CF_TLV 11542 /* application/vnd.oma.lwm2m+tlv */

/* Error codes: 0 or a negative LWM2M_TLV_E… value. */
enum lwm2m_tlv_error {
    LWM2M_TLV_OK = 0,
    LWM2M_TLV_E_PARSE = -1,    /* malformed or truncated TLV, or a value of the wrong form */
    LWM2M_TLV_E_NOSPACE = -2,  /* output buffer too small */
    LWM2M_TLV_E_NOTFOUND = -3, /* no such resource */
    LWM2M_TLV_E_ARG = -4,      /* invalid argument (NULL pointer, type, length above 2^24-1) */
};

enum lwm2m_tlv_type {                                /* bits 7-6 of the type byte */
                      LWM2M_TLV_OBJECT_INSTANCE = 0, /* value: nested resource TLVs */
                      LWM2M_TLV_RESOURCE_INSTANCE = 1,
                      LWM2M_TLV_MULTIPLE_RESOURCE = 2, /* value: resource instance TLVs */
                      LWM2M_TLV_RESOURCE = 3,
};

/* One decoded TLV: `value` points into the input (for object instances and multiple
 * resources it holds the nested TLVs). */
struct lwm2m_tlv {
    enum lwm2m_tlv_type type;
    uint16_t id;
    const uint8_t *value;
    size_t len;
};

/* Decodes the TLV at buf[*off] and advances *off past it.
 * Returns 1 (one TLV decoded into *out), 0 (end of input: *off >= len), LWM2M_TLV_E_PARSE
 * (truncated header or value; *off unchanged) or LWM2M_TLV_E_ARG (NULL off/out, or NULL buf
 * with a non-zero len). */
LWM2M_WARN_UNUSED int lwm2m_tlv_next(const uint8_t *buf, size_t len, size_t *off,
                                     struct lwm2m_tlv *out);

/* Finds resource `res_id` (type LWM2M_TLV_RESOURCE) at the top level of buf[0..len) or
 * inside one object instance level, first match in order.
 * Returns 0 (*out filled), LWM2M_TLV_E_NOTFOUND, LWM2M_TLV_E_PARSE or LWM2M_TLV_E_ARG. */
LWM2M_WARN_UNUSED int lwm2m_tlv_find(const uint8_t *buf, size_t len, uint16_t res_id,
                                     struct lwm2m_tlv *out);

/* Value of `t` as a signed integer (1, 2, 4 or 8 bytes, big-endian two's complement).
 * Returns 0, LWM2M_TLV_E_PARSE (another length) or LWM2M_TLV_E_ARG. */
LWM2M_WARN_UNUSED int lwm2m_tlv_int(const struct lwm2m_tlv *t, int64_t *out);

/* Value of `t` copied into out[0..cap) as a NUL-terminated string.
 * Returns 0, LWM2M_TLV_E_NOSPACE (len + 1 > cap), LWM2M_TLV_E_PARSE (an embedded NUL) or
 * LWM2M_TLV_E_ARG. */
LWM2M_WARN_UNUSED int lwm2m_tlv_str(const struct lwm2m_tlv *t, char *out, size_t cap);

/* Encodes one TLV of `type` and `id` with the `vlen` bytes at `value` into out[0..cap),
 * with the shortest identifier and length fields.
 * Returns the encoded length, LWM2M_TLV_E_NOSPACE or LWM2M_TLV_E_ARG (vlen above 2^24-1,
 * a type outside 0..3, NULL out, or NULL value with a non-zero vlen). */
LWM2M_WARN_UNUSED long lwm2m_tlv_put(uint8_t *out, size_t cap, enum lwm2m_tlv_type type,
                                     uint16_t id, const void *value, size_t vlen);

/* Encodes an integer in the fewest of 1, 2, 4 or 8 bytes. Same returns as lwm2m_tlv_put. */
LWM2M_WARN_UNUSED long lwm2m_tlv_put_int(uint8_t *out, size_t cap, enum lwm2m_tlv_type type,
                                         uint16_t id, int64_t value);

#endif
