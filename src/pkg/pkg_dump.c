/* Human- and machine-readable dumps of a parsed header (larafw-pkg inspect, the server). */
#include "pkg_internal.h"

#include <inttypes.h>

/* Strings come from a parsed header: printable ASCII already, but escape defensively. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

static const char *kind_name(uint8_t kind)
{
    return kind == PKG_KIND_FULL ? "full" : kind == PKG_KIND_DELTA ? "delta" : "unknown";
}

int pkg_header_write_json(FILE *f, const struct pkg_header *h, uint64_t total_len,
                          const char *sig_state)
{
    if (!f || !h)
        return PKG_E_ARG;
    fprintf(f, "{\"format_version\":%u,\"kind\":\"%s\",\"product\":", h->format_version,
            kind_name(h->kind));
    json_str(f, h->product);
    fputs(",\"src_version\":", f);
    json_str(f, h->src_version);
    fputs(",\"src_sha256\":\"", f);
    hex(f, h->src_sha256, PKG_SHA256_LEN);
    fprintf(f, "\",\"src_size\":%" PRIu64 ",\"dst_version\":", h->src_size);
    json_str(f, h->dst_version);
    fputs(",\"dst_sha256\":\"", f);
    hex(f, h->dst_sha256, PKG_SHA256_LEN);
    fprintf(f, "\",\"dst_size\":%" PRIu64 ",\"payload_size\":%" PRIu64 ",\"header_size\":%u",
            h->dst_size, h->payload_size, (unsigned)PKG_HEADER_SIZE);
    if (total_len)
        fprintf(f, ",\"total_size\":%" PRIu64 ",\"size_ok\":%s", total_len,
                pkg_check_size(h, total_len) == PKG_OK ? "true" : "false");
    fprintf(f, ",\"flags_raw\":%" PRIu32 ",\"flags\":[", h->flags);
    int first = 1;
    for (unsigned bit = 0; bit < 32; bit++) {
        const char *name = pkg_flag_name(1u << bit);
        if (!(h->flags & (1u << bit)) || !name)
            continue;
        fprintf(f, "%s\"%s\"", first ? "" : ",", name);
        first = 0;
    }
    fputs("],\"nvm\":[", f);
    for (unsigned i = 0; i < h->nvm_count && i < PKG_NVM_MAX; i++) {
        if (i)
            fputc(',', f);
        json_str(f, h->nvm[i]);
    }
    fputs("],\"mno\":[", f);
    for (unsigned i = 0; i < h->mno_count && i < PKG_MNO_MAX; i++)
        fprintf(f, "%s%u", i ? "," : "", h->mno[i]);
    fputc(']', f);
    if (sig_state) {
        fputs(",\"signature\":", f);
        json_str(f, sig_state);
    }
    fputc('}', f);
    return ferror(f) ? PKG_E_IO : PKG_OK;
}

int pkg_header_write_text(FILE *f, const struct pkg_header *h, uint64_t total_len,
                          const char *sig_state)
{
    if (!f || !h)
        return PKG_E_ARG;
    fprintf(f, "format version: %u\nkind:           %s\nproduct:        %s\n", h->format_version,
            kind_name(h->kind), h->product);
    if (h->kind == PKG_KIND_DELTA) {
        fprintf(f, "source:         %s, %" PRIu64 " bytes, sha256 ", h->src_version, h->src_size);
        hex(f, h->src_sha256, PKG_SHA256_LEN);
        fputc('\n', f);
    }
    fprintf(f, "target:         %s, %" PRIu64 " bytes, sha256 ", h->dst_version, h->dst_size);
    hex(f, h->dst_sha256, PKG_SHA256_LEN);
    fprintf(f, "\npayload:        %" PRIu64 " bytes\n", h->payload_size);
    if (total_len)
        fprintf(f, "file size:      %" PRIu64 " bytes (%s)\n", total_len,
                pkg_check_size(h, total_len) == PKG_OK ? "consistent" : "INCONSISTENT");
    fprintf(f, "flags:          0x%08" PRIx32, h->flags);
    for (unsigned bit = 0; bit < 32; bit++) {
        const char *name = pkg_flag_name(1u << bit);
        if ((h->flags & (1u << bit)) && name)
            fprintf(f, " %s", name);
    }
    fputc('\n', f);
    for (unsigned i = 0; i < h->nvm_count && i < PKG_NVM_MAX; i++)
        fprintf(f, "nvm:            %s\n", h->nvm[i]);
    for (unsigned i = 0; i < h->mno_count && i < PKG_MNO_MAX; i++)
        fprintf(f, "mno profile:    %u\n", h->mno[i]);
    if (sig_state)
        fprintf(f, "signature:      %s\n", sig_state);
    return ferror(f) ? PKG_E_IO : PKG_OK;
}
