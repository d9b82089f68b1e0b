/* The persisted state of network FOTA downloads (sim_net_store.c, §4.2.1.2): the resume record
 * DIR/netdl (key=value text, written atomically) and the partial package DIR/fota/.net.part
 * (durable up to the record's `stored`), and the MD5 of a stored package. */
#define _GNU_SOURCE
#include "sim_net.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the resume record ---------------------------------------------------------------- */

/* Download kinds as the record names them (an unknown name makes the record unusable). */
static const struct {
    enum sim_download kind;
    const char *key;
} sim_net_kinds[] = {
    {SIM_DL_FTP, "ftp"},
    {SIM_DL_HTTP, "http"},
    {SIM_DL_LWM2M, "lwm2m"},
};

static const char *sim_net_kind_key(enum sim_download k)
{
    for (size_t i = 0; i < sizeof sim_net_kinds / sizeof sim_net_kinds[0]; i++)
        if (sim_net_kinds[i].kind == k)
            return sim_net_kinds[i].key;
    return "?";
}

static bool sim_net_kind_parse(const char *v, enum sim_download *out)
{
    for (size_t i = 0; i < sizeof sim_net_kinds / sizeof sim_net_kinds[0]; i++) {
        if (strcmp(sim_net_kinds[i].key, v) == 0) {
            *out = sim_net_kinds[i].kind;
            return true;
        }
    }
    return false;
}

int sim_net_rec_save(struct sim *s, const struct sim_net_record *r)
{
    char buf[SIM_NET_URL_MAX + SIM_NAME_MAX + SIM_NET_ETAG_MAX + 128];
    int n = snprintf(buf, sizeof buf,
                     "# larafw-sim partial network download (resume record)\n"
                     "kind=%s\nurl=%s\nname=%s\ntotal=%llu\nstored=%llu\netag=%s\n",
                     sim_net_kind_key(r->kind), r->url, r->name, (unsigned long long)r->total,
                     (unsigned long long)r->stored, r->etag);
    if (n < 0 || (size_t)n >= sizeof buf)
        return -1;
    return sim_atomic_write(s, SIM_NET_RECORD_REL, buf, (size_t)n);
}

struct sim_net_rec_reader {
    struct sim_net_record *r;
    bool have_url, have_kind;
};

static int sim_net_rec_line(void *ud, const char *k, const char *v, unsigned lineno)
{
    (void)lineno;
    struct sim_net_rec_reader *rd = ud;
    struct sim_net_record *r = rd->r;
    if (!v)
        return 0;
    if (strcmp(k, "kind") == 0) {
        rd->have_kind = sim_net_kind_parse(v, &r->kind);
    } else if (strcmp(k, "url") == 0) {
        rd->have_url = snprintf(r->url, sizeof r->url, "%s", v) < (int)sizeof r->url;
    } else if (strcmp(k, "name") == 0) {
        snprintf(r->name, sizeof r->name, "%s", v);
    } else if (strcmp(k, "total") == 0) {
        r->total = strtoull(v, NULL, 10);
    } else if (strcmp(k, "stored") == 0) {
        r->stored = strtoull(v, NULL, 10);
    } else if (strcmp(k, "etag") == 0) {
        snprintf(r->etag, sizeof r->etag, "%s", v);
    }
    return 0;
}

void sim_net_rec_load(struct sim *s, struct sim_net_record *r)
{
    memset(r, 0, sizeof *r);
    struct sim_net_rec_reader rd = {r, false, false};
    if (sim_record_read(s, SIM_NET_RECORD_REL, sim_net_rec_line, &rd) != 0)
        return;
    r->valid = rd.have_url && rd.have_kind && sim_file_name_ok(r->name);
}

void sim_net_unlink(struct sim *s, const char *rel)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    (void)unlink(path);
}

/* Forgets a partial download (cancel, completion, a new session). */
void sim_net_rec_drop(struct sim *s)
{
    sim_net_unlink(s, SIM_NET_RECORD_REL);
    sim_net_unlink(s, SIM_NET_PART_REL);
}

bool sim_net_partial(struct sim *s, const char *url)
{
    struct sim_net_record r;
    sim_net_rec_load(s, &r);
    return r.valid && strcmp(r.url, url) == 0;
}

/* ---- MD5 over the stored package -------------------------------------------------------- */

int sim_net_md5_file(int fd, char hex[33])
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return -1;
    int rc = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 ? 0 : -1;
    unsigned char buf[65536];
    while (rc == 0) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -1 : rc;
            break;
        }
        if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
            rc = -1;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (rc == 0 && (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 16))
        rc = -1;
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; rc == 0 && i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return rc;
}
