/* The module's file system as the AT interface sees it: +ULSTFILE, +UDELFILE, +URDFILE and
 * +UDWNFILE. User files live in DIR/files/, a pushed FOTA package ("FOAT" tag, §4.2.3) in
 * DIR/fota/, MNO profile files ("PROFILE" tag) in DIR/mno/. A name from the AT interface is
 * checked by sim_file_name_ok() before it touches a path. */
#define _DEFAULT_SOURCE
#include "sim_platform.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* User file system and FOTA area sizes (docs/simulator.md). */
#define SIM_FS_CAPACITY   (8u * 1024u * 1024u)
#define SIM_FOTA_CAPACITY (32u * 1024u * 1024u)
/* +UDWNFILE gives up when no byte arrives for this long (module time). */
#define SIM_DWN_IDLE_MS 20000u

enum sim_dwn_tag { SIM_TAG_USER, SIM_TAG_FOAT, SIM_TAG_PROFILE };

struct sim_dwn {
    enum sim_if iface;
    enum sim_dwn_tag tag;
    char name[SIM_NAME_MAX];
    uint8_t *buf;
    size_t size, got;
    unsigned timer;
    bool flash_failed; /* --fault flash-write=download:… fired during the transfer */
};

static const char *sim_tag_dir(enum sim_dwn_tag t)
{
    switch (t) {
    case SIM_TAG_FOAT:
        return "fota";
    case SIM_TAG_PROFILE:
        return "mno";
    default:
        return "files";
    }
}

static int sim_tag_parse(const struct sim_at_cmd *c, int i, enum sim_dwn_tag *out)
{
    if (i >= c->nparams || !c->p[i].present || strcmp(c->p[i].str, "USER") == 0) {
        *out = SIM_TAG_USER;
        return 0;
    }
    if (strcmp(c->p[i].str, "FOAT") == 0) {
        *out = SIM_TAG_FOAT;
        return 0;
    }
    if (strcmp(c->p[i].str, "PROFILE") == 0) {
        *out = SIM_TAG_PROFILE;
        return 0;
    }
    return -1;
}

/* Bytes used by regular files in DIR/<sub>. */
static uint64_t sim_dir_usage(const struct sim *s, const char *sub)
{
    char path[PATH_MAX];
    sim_path(s, sub, path, sizeof path);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    uint64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!sim_file_name_ok(e->d_name))
            continue;
        char f[PATH_MAX + 300];
        int fl = snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (fl < 0 || (size_t)fl >= sizeof f)
            continue;
        struct stat st;
        if (stat(f, &st) == 0 && S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
    }
    closedir(d);
    return total;
}

static int sim_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- +ULSTFILE ---- */

static int sim_lst_names(struct sim *s, enum sim_if iface, enum sim_dwn_tag tag)
{
    if (tag == SIM_TAG_FOAT) {
        if (s->st.fota_pkg_present)
            sim_line(s, iface, "+ULSTFILE: \"%s\"", s->st.fota_pkg_name);
        else
            sim_line(s, iface, "+ULSTFILE:");
        return SIM_RES_OK;
    }
    char path[PATH_MAX];
    sim_path(s, sim_tag_dir(tag), path, sizeof path);
    DIR *d = opendir(path);
    char *names[256];
    size_t n = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && n < sizeof names / sizeof names[0]) {
            if (!sim_file_name_ok(e->d_name))
                continue;
            names[n] = strdup(e->d_name);
            if (names[n])
                n++;
        }
        closedir(d);
    }
    qsort(names, n, sizeof names[0], sim_name_cmp);
    size_t cap = 16 + n * (SIM_NAME_MAX + 3);
    char *out = malloc(cap);
    if (!out) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    size_t used = (size_t)snprintf(out, cap, "+ULSTFILE:");
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + used, cap - used, "%s\"%s\"", i ? "," : " ", names[i]);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
        free(names[i]);
    }
    sim_line(s, iface, "%s", out);
    free(out);
    return SIM_RES_OK;
}

static int sim_cmd_ulstfile(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_ACTION)
        return sim_lst_names(s, iface, SIM_TAG_USER);
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+ULSTFILE: (0-2)");
        return SIM_RES_OK;
    }
    if (c->type != SIM_AT_SET || c->nparams < 1 || !c->p[0].is_num)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    enum sim_dwn_tag tag;
    switch (c->p[0].num) {
    case 0: /* list: AT+ULSTFILE=0[,<tag>] */
        if (c->nparams > 2 || sim_tag_parse(c, 1, &tag) != 0)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        return sim_lst_names(s, iface, tag);
    case 1: /* free space: AT+ULSTFILE=1[,<tag>] */
        if (c->nparams > 2 || sim_tag_parse(c, 1, &tag) != 0)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (tag == SIM_TAG_FOAT) {
            uint64_t used = sim_dir_usage(s, "fota");
            sim_line(s, iface, "+ULSTFILE: %llu",
                     (unsigned long long)(used < SIM_FOTA_CAPACITY ? SIM_FOTA_CAPACITY - used : 0));
        } else {
            uint64_t used = sim_dir_usage(s, "files");
            sim_line(s, iface, "+ULSTFILE: %llu",
                     (unsigned long long)(used < SIM_FS_CAPACITY ? SIM_FS_CAPACITY - used : 0));
        }
        return SIM_RES_OK;
    case 2: { /* size of one file: AT+ULSTFILE=2,<name>[,<tag>] */
        if (c->nparams < 2 || c->nparams > 3 || sim_tag_parse(c, 2, &tag) != 0)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (!sim_file_name_ok(c->p[1].str))
            return SIM_RES_CME(SIM_CME_NOT_FOUND);
        if (tag == SIM_TAG_FOAT &&
            (!s->st.fota_pkg_present || strcmp(s->st.fota_pkg_name, c->p[1].str) != 0))
            return SIM_RES_CME(SIM_CME_NOT_FOUND);
        char rel[PATH_MAX], path[PATH_MAX];
        snprintf(rel, sizeof rel, "%s/%s", sim_tag_dir(tag), c->p[1].str);
        sim_path(s, rel, path, sizeof path);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            return SIM_RES_CME(SIM_CME_NOT_FOUND);
        sim_line(s, iface, "+ULSTFILE: %lld", (long long)st.st_size);
        return SIM_RES_OK;
    }
    default:
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    }
}

/* ---- +UDELFILE ---- */

static int sim_unlink_rel(struct sim *s, const char *rel)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    return unlink(path);
}

static int sim_cmd_udelfile(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)iface;
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    enum sim_dwn_tag tag;
    if (c->type != SIM_AT_SET || c->nparams < 1 || c->nparams > 2 || !c->p[0].present ||
        sim_tag_parse(c, 1, &tag) != 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    const char *name = c->p[0].str;
    if (!sim_file_name_ok(name))
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    if (tag == SIM_TAG_FOAT) {
        if (!s->st.fota_pkg_present || strcmp(s->st.fota_pkg_name, name) != 0)
            return SIM_RES_CME(SIM_CME_NOT_FOUND);
        if (s->download != SIM_DL_NONE)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        s->st.fota_pkg_present = false;
        s->st.fota_pkg_name[0] = '\0';
        if (sim_state_save(s) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/%s", sim_tag_dir(tag), name);
    if (sim_unlink_rel(s, rel) != 0)
        return errno == ENOENT ? SIM_RES_CME(SIM_CME_NOT_FOUND) : SIM_RES_CME(SIM_CME_UNKNOWN);
    return SIM_RES_OK;
}

/* ---- +URDFILE: '+URDFILE: "<name>",<size>,"<bytes>"' ---- */

static int sim_cmd_urdfile(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    if (c->type != SIM_AT_SET || c->nparams != 1 || !c->p[0].present)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    const char *name = c->p[0].str;
    if (!sim_file_name_ok(name))
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    char rel[PATH_MAX], path[PATH_MAX];
    snprintf(rel, sizeof rel, "files/%s", name);
    sim_path(s, rel, path, sizeof path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SIM_FS_CAPACITY) {
        fclose(fp);
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    if (!data) {
        fclose(fp);
        return SIM_RES_CME(SIM_CME_MEMORY_FULL);
    }
    size_t n = fread(data, 1, size, fp);
    fclose(fp);
    if (n != size) {
        free(data);
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    char head[SIM_NAME_MAX + 48];
    int h = snprintf(head, sizeof head, "\r\n+URDFILE: \"%s\",%zu,\"", name, size);
    if (h > 0)
        sim_write(s, iface, head, (size_t)h);
    sim_write(s, iface, data, size);
    sim_write(s, iface, "\"\r\n", 3);
    free(data);
    return SIM_RES_OK;
}

/* ---- +UDWNFILE ---- */

static void sim_dwn_free(struct sim *s)
{
    struct sim_dwn *d = s->dwn;
    if (!d)
        return;
    if (d->timer)
        sim_timer_cancel(s, d->timer);
    if (d->tag == SIM_TAG_FOAT && s->download == SIM_DL_PUSH)
        s->download = SIM_DL_NONE;
    free(d->buf);
    free(d);
    s->dwn = NULL;
}

/* Abandons a +UDWNFILE in progress (reset, power-off): nothing is stored. */
static void sim_files_abort(struct sim *s)
{
    if (!s->dwn)
        return;
    sim_report(s, "note", "+UDWNFILE \"%s\" abandoned after %zu of %zu bytes", s->dwn->name,
               s->dwn->got, s->dwn->size);
    sim_raw_set(s, s->dwn->iface, NULL);
    sim_dwn_free(s);
}

static void sim_dwn_idle(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_dwn *d = s->dwn;
    if (!d)
        return;
    d->timer = 0;
    enum sim_if iface = d->iface;
    sim_report(s, "note", "+UDWNFILE \"%s\": no data for %u ms, %zu of %zu bytes, nothing stored",
               d->name, SIM_DWN_IDLE_MS, d->got, d->size);
    sim_raw_set(s, iface, NULL);
    sim_dwn_free(s);
    sim_cme_error(s, iface, SIM_CME_UNKNOWN);
}

/* Stores the completed download; returns the final result (SIM_RES_…). */
static int sim_dwn_store(struct sim *s, struct sim_dwn *d)
{
    if (d->flash_failed)
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/%s", sim_tag_dir(d->tag), d->name);
    if (sim_atomic_write(s, rel, d->buf, d->size) != 0) {
        fprintf(stderr, "larafw-sim: storing %s: %s\n", rel, strerror(errno));
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    if (d->tag == SIM_TAG_FOAT) {
        /* the new package replaces a pending one (one FOTA package at a time) */
        char old[SIM_NAME_MAX] = "";
        if (s->st.fota_pkg_present && strcmp(s->st.fota_pkg_name, d->name) != 0)
            snprintf(old, sizeof old, "%s", s->st.fota_pkg_name);
        s->st.fota_pkg_present = true;
        s->st.fota_pkg_source = SIM_DL_PUSH;
        snprintf(s->st.fota_pkg_name, sizeof s->st.fota_pkg_name, "%s", d->name);
        if (sim_state_save(s) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
        if (old[0]) {
            snprintf(rel, sizeof rel, "fota/%s", old);
            (void)sim_unlink_rel(s, rel);
        }
        sim_report(s, "phase", "download done: FOTA package \"%s\", %zu bytes", d->name, d->size);
    } else if (d->tag == SIM_TAG_PROFILE) {
        sim_report(s, "note", "MNO profile file \"%s\" (%zu bytes) installed", d->name, d->size);
    }
    return SIM_RES_OK;
}

static void sim_dwn_raw(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len)
{
    struct sim_dwn *d = s->dwn;
    if (!d || d->iface != iface) {
        sim_raw_set(s, iface, NULL);
        sim_uart_feed_at(s, iface, buf, len);
        return;
    }
    size_t take = len < d->size - d->got ? len : d->size - d->got;
    memcpy(d->buf + d->got, buf, take);
    d->got += take;
    if (d->tag == SIM_TAG_FOAT) {
        double pct = (double)d->got * 100.0 / (double)d->size;
        if (!d->flash_failed && sim_fault_flash_write(s, SIM_PH_DOWNLOAD, pct))
            d->flash_failed = true;
        sim_fault_progress(s, SIM_PH_DOWNLOAD, pct); /* may not return: power cut */
    }
    if (d->got < d->size) {
        sim_timer_cancel(s, d->timer);
        d->timer = sim_timer_add(s, SIM_DWN_IDLE_MS, sim_dwn_idle, NULL);
        return;
    }
    sim_raw_set(s, iface, NULL);
    int res = sim_dwn_store(s, d);
    sim_dwn_free(s);
    if (res == SIM_RES_OK)
        sim_ok(s, iface);
    else
        sim_cme_error(s, iface, -res - 1000);
    if (take < len)
        sim_uart_feed_at(s, iface, buf + take, len - take);
}

static int sim_cmd_udwnfile(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    enum sim_dwn_tag tag;
    if (c->type != SIM_AT_SET || c->nparams < 2 || c->nparams > 3 || !c->p[0].present ||
        !c->p[1].is_num || sim_tag_parse(c, 2, &tag) != 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    const char *name = c->p[0].str;
    if (!sim_file_name_ok(name))
        return SIM_RES_CME(SIM_CME_INVALID_CHARS);
    long long size = c->p[1].num;
    uint64_t cap = tag == SIM_TAG_FOAT ? SIM_FOTA_CAPACITY : SIM_FS_CAPACITY;
    if (size <= 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (s->dwn)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* one +UDWNFILE at a time */
    if (tag == SIM_TAG_FOAT && s->download != SIM_DL_NONE) {
        sim_report(s, "compliance",
                   "AT+UDWNFILE \"FOAT\" while another firmware download runs (§6)");
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §6 Table 5 */
    }
    uint64_t used = tag == SIM_TAG_USER ? sim_dir_usage(s, "files") : 0;
    if ((uint64_t)size > cap || used + (uint64_t)size > cap)
        return SIM_RES_CME(SIM_CME_MEMORY_FULL);
    if (tag == SIM_TAG_PROFILE) {
        char path[PATH_MAX];
        sim_path(s, "mno", path, sizeof path);
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
    }
    struct sim_dwn *d = calloc(1, sizeof *d);
    if (!d)
        return SIM_RES_CME(SIM_CME_MEMORY_FULL);
    d->buf = malloc((size_t)size);
    if (!d->buf) {
        free(d);
        return SIM_RES_CME(SIM_CME_MEMORY_FULL);
    }
    d->iface = iface;
    d->tag = tag;
    d->size = (size_t)size;
    snprintf(d->name, sizeof d->name, "%s", name);
    s->dwn = d;
    if (tag == SIM_TAG_FOAT) {
        s->download = SIM_DL_PUSH;
        sim_report(s, "phase", "download start: +UDWNFILE \"%s\", %lld bytes", name, size);
        if (s->st.edrx_mode != 0)
            sim_report(s, "compliance", "eDRX enabled during a firmware download (§5.7)");
    }
    d->timer = sim_timer_add(s, SIM_DWN_IDLE_MS, sim_dwn_idle, NULL);
    sim_raw_set(s, iface, sim_dwn_raw);
    sim_write(s, iface, ">", 1);
    return SIM_RES_PENDING;
}

static const struct sim_cmd sim_files_cmds[] = {
    {"+ULSTFILE", sim_cmd_ulstfile},
    {"+UDELFILE", sim_cmd_udelfile},
    {"+URDFILE", sim_cmd_urdfile},
    {"+UDWNFILE", sim_cmd_udwnfile},
    {NULL, NULL},
};

/* The file system as the AT interface sees it; a +UDWNFILE never survives a reset. */
const struct sim_part sim_part_files = {
    .name = "files",
    .cmds = sim_files_cmds,
    .fini = sim_files_abort,
    .reset = sim_files_abort,
    .power_down = sim_files_abort,
    .download = SIM_DL_PUSH,
};
