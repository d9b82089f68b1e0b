/* The persisted state of network FOTA downloads (sim_net_store.c, §4.2.1.2): the resume record
 * DIR/netdl (key=value text, written atomically) and the partial package DIR/fota/.net.part
 * (durable up to the record's `stored`), and the MD5 of a stored package. */
#define _GNU_SOURCE
#include "sim_md5.h"
#include "sim_net.h"

#include <errno.h>
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

void sim_net_rec_load(struct sim *s, struct sim_net_record *r)
{
    memset(r, 0, sizeof *r);
    char path[PATH_MAX];
    sim_path(s, SIM_NET_RECORD_REL, path, sizeof path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[SIM_NET_URL_MAX + 64];
    bool have_url = false, have_kind = false;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (line[0] == '#' || !eq)
            continue;
        *eq = '\0';
        const char *k = line, *v = eq + 1;
        if (strcmp(k, "kind") == 0) {
            have_kind = sim_net_kind_parse(v, &r->kind);
        } else if (strcmp(k, "url") == 0) {
            have_url = snprintf(r->url, sizeof r->url, "%s", v) < (int)sizeof r->url;
        } else if (strcmp(k, "name") == 0) {
            snprintf(r->name, sizeof r->name, "%s", v);
        } else if (strcmp(k, "total") == 0) {
            r->total = strtoull(v, NULL, 10);
        } else if (strcmp(k, "stored") == 0) {
            r->stored = strtoull(v, NULL, 10);
        } else if (strcmp(k, "etag") == 0) {
            snprintf(r->etag, sizeof r->etag, "%s", v);
        }
    }
    fclose(fp);
    r->valid = have_url && have_kind && sim_file_name_ok(r->name);
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
    struct sim_md5 m;
    sim_md5_init(&m);
    unsigned char buf[65536];
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        sim_md5_update(&m, buf, (size_t)r);
    }
    uint8_t md[SIM_MD5_LEN];
    sim_md5_final(&m, md);
    for (unsigned i = 0; i < SIM_MD5_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}
