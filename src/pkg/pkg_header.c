/* Package header: error texts, encoding, parsing of untrusted bytes, size check. */
#define _POSIX_C_SOURCE 200809L
#include "pkg_internal.h"

#include <string.h>

const char *pkg_strerror(int err)
{
    switch (err) {
    case PKG_OK:
        return "success";
    case PKG_E_IO:
        return "file input/output failed";
    case PKG_E_NOMEM:
        return "out of memory";
    case PKG_E_MAGIC:
        return "not a larafw package (bad magic)";
    case PKG_E_FORMAT:
        return "package format version not supported";
    case PKG_E_HEADER:
        return "package header malformed";
    case PKG_E_SIZE:
        return "package size does not match its header";
    case PKG_E_KEY:
        return "key missing or invalid";
    case PKG_E_SIGNATURE:
        return "package signature does not verify";
    case PKG_E_PRODUCT:
        return "package is for another product";
    case PKG_E_SOURCE:
        return "source image differs from the package's source";
    case PKG_E_PAYLOAD:
        return "package payload is corrupt";
    case PKG_E_TARGET:
        return "result does not match the declared target image";
    case PKG_E_IMAGE:
        return "not a larafw firmware image (no version record)";
    case PKG_E_ARG:
        return "invalid argument";
    default:
        return "unknown error";
    }
}

const char *pkg_flag_name(uint32_t flag)
{
    switch (flag) {
    case PKG_FLAG_BOOT_CODE:
        return "boot_code";
    default:
        return NULL;
    }
}

size_t pkg_header_encoded_size(void)
{
    return PKG_HEADER_SIZE;
}

/* A name or item: NUL inside `cap`, printable ASCII only; `allow_empty` for src_version. */
bool pkg_text_valid(const char *s, size_t cap, bool allow_empty)
{
    const char *nul = memchr(s, '\0', cap);
    if (!nul)
        return false;
    if (nul == s)
        return allow_empty;
    for (const char *p = s; p < nul; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return false;
    return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Shape checks shared by encode and parse (the struct is already decoded). */
static int fields_ok(const struct pkg_header *h)
{
    if (h->kind != PKG_KIND_FULL && h->kind != PKG_KIND_DELTA)
        return PKG_E_HEADER;
    if (h->flags & ~PKG_KNOWN_FLAGS)
        return PKG_E_HEADER;
    if (!pkg_text_valid(h->product, PKG_NAME_MAX, false) ||
        !pkg_text_valid(h->dst_version, PKG_NAME_MAX, false))
        return PKG_E_HEADER;
    if (!pkg_text_valid(h->src_version, PKG_NAME_MAX, true))
        return PKG_E_HEADER;
    if (h->kind == PKG_KIND_FULL) {
        if (h->src_version[0] || h->src_size || !all_zero(h->src_sha256, PKG_SHA256_LEN))
            return PKG_E_HEADER;
    } else if (!h->src_version[0] || h->src_size == 0) {
        return PKG_E_HEADER;
    }
    if (h->src_size > PKG_SIZE_CAP || h->dst_size == 0 || h->dst_size > PKG_SIZE_CAP)
        return PKG_E_HEADER;
    if (h->payload_size == 0 || h->payload_size > PKG_SIZE_CAP)
        return PKG_E_HEADER;
    if (h->nvm_count > PKG_NVM_MAX || h->mno_count > PKG_MNO_MAX)
        return PKG_E_HEADER;
    for (unsigned i = 0; i < h->nvm_count; i++) {
        const char *item = h->nvm[i];
        if (!pkg_text_valid(item, PKG_ITEM_MAX, false))
            return PKG_E_HEADER;
        const char *eq = strchr(item, '=');
        if (!eq || eq == item)
            return PKG_E_HEADER;
    }
    return PKG_OK;
}

static void put_text(uint8_t *dst, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap - 1);
    memset(dst, 0, cap);
    memcpy(dst, s, n);
}

int pkg_header_encode(const struct pkg_header *h, uint8_t *out, size_t cap)
{
    if (!h || !out || cap < PKG_HEADER_SIZE)
        return PKG_E_ARG;
    if (h->format_version != PKG_FORMAT_VERSION)
        return PKG_E_HEADER;
    int rc = fields_ok(h);
    if (rc)
        return rc;
    memset(out, 0, PKG_HEADER_SIZE);
    memcpy(out + PKG_OFF_MAGIC, PKG_MAGIC, PKG_MAGIC_LEN);
    pkg_put_u16(out + PKG_OFF_FORMAT, h->format_version);
    out[PKG_OFF_KIND] = h->kind;
    pkg_put_u32(out + PKG_OFF_FLAGS, h->flags);
    pkg_put_u32(out + PKG_OFF_HDR_SIZE, PKG_HEADER_SIZE);
    put_text(out + PKG_OFF_PRODUCT, h->product, PKG_NAME_MAX);
    put_text(out + PKG_OFF_SRC_VERSION, h->src_version, PKG_NAME_MAX);
    memcpy(out + PKG_OFF_SRC_SHA256, h->src_sha256, PKG_SHA256_LEN);
    pkg_put_u64(out + PKG_OFF_SRC_SIZE, h->src_size);
    put_text(out + PKG_OFF_DST_VERSION, h->dst_version, PKG_NAME_MAX);
    memcpy(out + PKG_OFF_DST_SHA256, h->dst_sha256, PKG_SHA256_LEN);
    pkg_put_u64(out + PKG_OFF_DST_SIZE, h->dst_size);
    pkg_put_u64(out + PKG_OFF_PAYLOAD_SZ, h->payload_size);
    out[PKG_OFF_NVM_COUNT] = h->nvm_count;
    out[PKG_OFF_MNO_COUNT] = h->mno_count;
    for (size_t i = 0; i < h->nvm_count; i++)
        put_text(out + PKG_OFF_NVM + i * PKG_ITEM_MAX, h->nvm[i], PKG_ITEM_MAX);
    for (size_t i = 0; i < h->mno_count; i++)
        pkg_put_u16(out + PKG_OFF_MNO + 2 * i, h->mno[i]);
    return PKG_OK;
}

/* Copies a text field; rejects a missing NUL or non-zero bytes after it (canonical form). */
static bool get_text(char *dst, const uint8_t *src, size_t cap)
{
    const uint8_t *nul = memchr(src, 0, cap);
    if (!nul || !all_zero(nul, cap - (size_t)(nul - src)))
        return false;
    memcpy(dst, src, cap);
    return true;
}

int pkg_header_parse(const uint8_t *buf, size_t len, struct pkg_header *out)
{
    if (!buf || !out)
        return PKG_E_ARG;
    memset(out, 0, sizeof *out);
    size_t m = len < PKG_MAGIC_LEN ? len : PKG_MAGIC_LEN;
    if (memcmp(buf, PKG_MAGIC, m) != 0)
        return PKG_E_MAGIC;
    if (len < PKG_OFF_FORMAT + 2)
        return PKG_E_SIZE;
    uint16_t format = pkg_get_u16(buf + PKG_OFF_FORMAT);
    if (format != PKG_FORMAT_VERSION)
        return PKG_E_FORMAT;
    if (len < PKG_HEADER_SIZE)
        return PKG_E_SIZE;
    if (pkg_get_u32(buf + PKG_OFF_HDR_SIZE) != PKG_HEADER_SIZE || buf[PKG_OFF_RESERVED0] ||
        pkg_get_u32(buf + PKG_OFF_RESERVED1) || !all_zero(buf + PKG_OFF_RESERVED2, 6) ||
        !all_zero(buf + PKG_OFF_RESERVED3, PKG_HEADER_SIZE - PKG_OFF_RESERVED3))
        return PKG_E_HEADER;

    struct pkg_header h;
    memset(&h, 0, sizeof h);
    h.format_version = format;
    h.kind = buf[PKG_OFF_KIND];
    h.flags = pkg_get_u32(buf + PKG_OFF_FLAGS);
    if (!get_text(h.product, buf + PKG_OFF_PRODUCT, PKG_NAME_MAX) ||
        !get_text(h.src_version, buf + PKG_OFF_SRC_VERSION, PKG_NAME_MAX) ||
        !get_text(h.dst_version, buf + PKG_OFF_DST_VERSION, PKG_NAME_MAX))
        return PKG_E_HEADER;
    memcpy(h.src_sha256, buf + PKG_OFF_SRC_SHA256, PKG_SHA256_LEN);
    h.src_size = pkg_get_u64(buf + PKG_OFF_SRC_SIZE);
    memcpy(h.dst_sha256, buf + PKG_OFF_DST_SHA256, PKG_SHA256_LEN);
    h.dst_size = pkg_get_u64(buf + PKG_OFF_DST_SIZE);
    h.payload_size = pkg_get_u64(buf + PKG_OFF_PAYLOAD_SZ);
    h.nvm_count = buf[PKG_OFF_NVM_COUNT];
    h.mno_count = buf[PKG_OFF_MNO_COUNT];
    if (h.nvm_count > PKG_NVM_MAX || h.mno_count > PKG_MNO_MAX)
        return PKG_E_HEADER;
    for (size_t i = 0; i < PKG_NVM_MAX; i++) {
        const uint8_t *item = buf + PKG_OFF_NVM + i * PKG_ITEM_MAX;
        if (i >= h.nvm_count) {
            if (!all_zero(item, PKG_ITEM_MAX))
                return PKG_E_HEADER;
        } else if (!get_text(h.nvm[i], item, PKG_ITEM_MAX)) {
            return PKG_E_HEADER;
        }
    }
    for (size_t i = 0; i < PKG_MNO_MAX; i++) {
        uint16_t v = pkg_get_u16(buf + PKG_OFF_MNO + 2 * i);
        if (i >= h.mno_count) {
            if (v)
                return PKG_E_HEADER;
        } else {
            h.mno[i] = v;
        }
    }
    int rc = fields_ok(&h);
    if (rc)
        return rc;
    *out = h;
    return PKG_OK;
}

int pkg_check_size(const struct pkg_header *h, uint64_t total_len)
{
    if (!h)
        return PKG_E_ARG;
    /* Each term is capped by the parser, so the sum cannot wrap. */
    if (h->payload_size > PKG_SIZE_CAP)
        return PKG_E_SIZE;
    uint64_t want = (uint64_t)PKG_HEADER_SIZE + h->payload_size + PKG_SIG_LEN;
    return want == total_len ? PKG_OK : PKG_E_SIZE;
}
