/* OMA LwM2M 1.0 TLV (content format 11542, OMA-TS-LightweightM2M-V1_0 §6.4.3): encoder and
 * decoder. The decoder takes untrusted bytes: any input gives an error, never a crash
 * (tests/fuzz/server_lwm2m.c). */
#ifndef LARAFW_SRV_TLV_H
#define LARAFW_SRV_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "srv_err.h"

#define SRV_CF_TEXT   0     /* text/plain */
#define SRV_CF_OPAQUE 42    /* application/octet-stream */
#define SRV_CF_LINK   40    /* application/link-format */
#define SRV_CF_TLV    11542 /* application/vnd.oma.lwm2m+tlv */
#define SRV_CF_JSON   11543 /* application/vnd.oma.lwm2m+json */

enum srv_tlv_type { /* bits 7-6 of the type byte */
                    SRV_TLV_OBJECT_INSTANCE = 0,
                    SRV_TLV_RESOURCE_INSTANCE = 1,
                    SRV_TLV_MULTIPLE_RESOURCE = 2,
                    SRV_TLV_RESOURCE = 3,
};

/* One decoded TLV: `value` points into the input (for instances and multiple resources it
 * holds the nested TLVs). */
struct srv_tlv {
    enum srv_tlv_type type;
    uint16_t id;
    const uint8_t *value;
    size_t len;
};

/* Decodes the TLV at buf[*off]; advances *off past it. Returns 1 (one TLV decoded), 0 (end
 * of input) or SRV_E_PARSE (truncated header or value). */
SRV_WARN_UNUSED int srv_tlv_next(const uint8_t *buf, size_t len, size_t *off, struct srv_tlv *out);

/* Finds resource `res_id` (type SRV_TLV_RESOURCE) at the top level of `buf` or inside one
 * object instance level. Returns 0, SRV_E_NOTFOUND or SRV_E_PARSE. */
SRV_WARN_UNUSED int srv_tlv_find(const uint8_t *buf, size_t len, uint16_t res_id,
                                 struct srv_tlv *out);

/* Value as a signed integer (1, 2, 4 or 8 bytes, big-endian). Returns 0 or SRV_E_PARSE. */
SRV_WARN_UNUSED int srv_tlv_int(const struct srv_tlv *t, int64_t *out);
/* Value copied as a NUL-terminated string. Returns 0, SRV_E_NOSPACE or SRV_E_PARSE (an
 * embedded NUL). */
SRV_WARN_UNUSED int srv_tlv_str(const struct srv_tlv *t, char *out, size_t cap);

/* Encodes one TLV with `vlen` value bytes into out[0..cap). Returns the encoded length, or
 * SRV_E_NOSPACE / SRV_E_ARG (vlen above 2^24-1). */
SRV_WARN_UNUSED long srv_tlv_put(uint8_t *out, size_t cap, enum srv_tlv_type type, uint16_t id,
                                 const void *value, size_t vlen);
/* Encodes an integer resource in the fewest of 1, 2, 4, 8 bytes. Same returns. */
SRV_WARN_UNUSED long srv_tlv_put_int(uint8_t *out, size_t cap, enum srv_tlv_type type, uint16_t id,
                                     int64_t value);

#endif
