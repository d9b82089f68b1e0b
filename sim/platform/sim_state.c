/* The module's persistent state in --state DIR. Every change is written atomically (temp
 * file, fsync, rename, fsync of the directory) so that a SIGKILL — the simulator's power
 * cut — leaves either the old or the new state, never a mix (DESIGN.md, MODULE.md §3, §4). */
#define _DEFAULT_SOURCE
#include "sim_platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_STATE_FILE "state"
#define SIM_IMAGE_FILE "image.bin"
#define SIM_KEY_FILE   "fota.pub"
/* Size of the default image synthesised for an empty DIR without --firmware. */
#define SIM_DEFAULT_IMAGE_SIZE (256u * 1024u)

void sim_path(const struct sim *s, const char *rel, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", s->dir, rel);
    if (n < 0 && len > 0)
        buf[0] = '\0';
}

bool sim_file_name_ok(const char *name)
{
    if (!name)
        return false;
    size_t n = strlen(name);
    if (n == 0 || n >= SIM_NAME_MAX)
        return false;
    if (name[0] == '.') /* ".", "..", and our own temp files ".name.tmp" */
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
    }
    return strstr(name, "..") == NULL;
}

/* ---- atomic files ---- */

static int sim_fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The temporary twin of `path`: "<dir>/.<name>.tmp". The leading dot keeps it apart from
 * every name the AT interface can create (sim_file_name_ok) and marks it as stale garbage
 * for sim_state_clean_tmp() after a power cut. 0, or -1 with errno. */
static int sim_tmp_name(const char *path, char *tmp, size_t len)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    int n = snprintf(tmp, len, "%.*s.%s.tmp", dirlen, path, base);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Writes `path` atomically from a buffer. */
static int sim_atomic_write_path(const char *path, const void *buf, size_t len, bool sync)
{
    char tmp[PATH_MAX];
    if (sim_tmp_name(path, tmp, sizeof tmp) != 0)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (pkg_write_all(fd, buf, len) != 0 || (sync && fsync(fd) != 0)) {
        int e = errno;
        close(fd);
        (void)unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        (void)unlink(tmp);
        errno = e;
        return -1;
    }
    return sync ? sim_fsync_dir_of(path) : 0;
}

int sim_atomic_write(struct sim *s, const char *rel, const void *buf, size_t len)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", s->dir, rel);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return sim_atomic_write_path(path, buf, len, !s->no_fsync);
}

/* Copies a host file into DIR/rel atomically, streaming. */
static int sim_copy_in(struct sim *s, const char *src, const char *rel)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    if (sim_tmp_name(path, tmp, sizeof tmp) != 0)
        return -1;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    uint8_t buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (r > 0 && pkg_write_all(out, buf, (size_t)r) != 0)) {
            rc = -1;
            break;
        }
        if (r == 0)
            break;
    }
    int e = errno;
    close(in);
    if (rc == 0 && fsync(out) != 0)
        rc = -1;
    if (close(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        (void)unlink(tmp);
        errno = e;
        return -1;
    }
    return sim_fsync_dir_of(path);
}

/* ---- the state file: key=value, one per line, through a table ---- */

enum sim_field_type { SF_INT, SF_U32, SF_U64, SF_BOOL, SF_STR };

struct sim_field {
    const char *key;
    enum sim_field_type type;
    size_t off;
    size_t size; /* SF_STR: buffer size */
};

#define SIM_F(k, t, m)                                                                             \
    {                                                                                              \
        k, t, offsetof(struct sim_state, m), sizeof(((struct sim_state *)0)->m)                    \
    }

static const struct sim_field sim_fields[] = {
    SIM_F("fw_phase", SF_INT, fw_phase),
    SIM_F("install_method", SF_INT, install_method),
    SIM_F("install_pkg", SF_STR, install_pkg),
    SIM_F("install_urc_if", SF_INT, install_urc_if),
    SIM_F("install_urc_baud", SF_U32, install_urc_baud),
    SIM_F("install_urc_enable", SF_BOOL, install_urc_enable),
    SIM_F("install_attempts", SF_U32, install_attempts),
    SIM_F("boot_writing", SF_BOOL, boot_writing),
    SIM_F("fota_pkg_present", SF_BOOL, fota_pkg_present),
    SIM_F("fota_pkg_source", SF_INT, fota_pkg_source),
    SIM_F("fota_pkg_name", SF_STR, fota_pkg_name),
    SIM_F("ipr", SF_U32, ipr),
    SIM_F("mno_profile", SF_INT, mno_profile),
    SIM_F("bandmask0", SF_U64, bandmask[0]),
    SIM_F("bandmask1", SF_U64, bandmask[1]),
    SIM_F("edrx_mode", SF_INT, edrx_mode),
    SIM_F("apn1", SF_STR, apn[0]),
    SIM_F("apn2", SF_STR, apn[1]),
    SIM_F("apn3", SF_STR, apn[2]),
    SIM_F("apn4", SF_STR, apn[3]),
    SIM_F("apn5", SF_STR, apn[4]),
    SIM_F("apn6", SF_STR, apn[5]),
    SIM_F("apn7", SF_STR, apn[6]),
    SIM_F("apn8", SF_STR, apn[7]),
    SIM_F("backup_done", SF_BOOL, backup_done),
    SIM_F("boot_count", SF_U32, boot_count),
    SIM_F("imei", SF_STR, imei),
    SIM_F("cpms1", SF_STR, cpms[0]),
    SIM_F("cpms2", SF_STR, cpms[1]),
    SIM_F("cpms3", SF_STR, cpms[2]),
    SIM_F("edrx_value", SF_STR, edrx_value),
};

#define SIM_FIELD_COUNT (sizeof sim_fields / sizeof sim_fields[0])

/* Enum-typed fields are stored through int; make sure that is what they are. */
_Static_assert(sizeof(enum sim_fw_phase) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sim_download) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sim_install_method) == sizeof(int), "enum size");

int sim_state_save(struct sim *s)
{
    char buf[8192];
    size_t used = 0;
    int n = snprintf(buf, sizeof buf, "# larafw-sim module state\nproduct=%s\n", s->product->name);
    if (n < 0)
        return -1;
    used = (size_t)n;
    for (size_t i = 0; i < SIM_FIELD_COUNT; i++) {
        const struct sim_field *f = &sim_fields[i];
        const char *base = (const char *)&s->st + f->off;
        size_t room = sizeof buf - used;
        switch (f->type) {
        case SF_INT: {
            int v;
            memcpy(&v, base, sizeof v);
            n = snprintf(buf + used, room, "%s=%d\n", f->key, v);
            break;
        }
        case SF_U32: {
            uint32_t v;
            memcpy(&v, base, sizeof v);
            n = snprintf(buf + used, room, "%s=%" PRIu32 "\n", f->key, v);
            break;
        }
        case SF_U64: {
            uint64_t v;
            memcpy(&v, base, sizeof v);
            n = snprintf(buf + used, room, "%s=%" PRIu64 "\n", f->key, v);
            break;
        }
        case SF_BOOL: {
            bool v;
            memcpy(&v, base, sizeof v);
            n = snprintf(buf + used, room, "%s=%d\n", f->key, v ? 1 : 0);
            break;
        }
        case SF_STR: {
            /* strings never hold a newline: names and APNs are checked when set */
            n = snprintf(buf + used, room, "%s=%.*s\n", f->key, (int)strnlen(base, f->size), base);
            break;
        }
        }
        if (n < 0 || (size_t)n >= room) {
            fprintf(stderr, "larafw-sim: state too large to save\n");
            return -1;
        }
        used += (size_t)n;
    }
    if (sim_atomic_write(s, SIM_STATE_FILE, buf, used) != 0) {
        fprintf(stderr, "larafw-sim: saving %s/%s: %s\n", s->dir, SIM_STATE_FILE, strerror(errno));
        return -1;
    }
    return 0;
}

static int sim_field_set(struct sim *s, const struct sim_field *f, const char *val)
{
    char *base = (char *)&s->st + f->off;
    char *end = NULL;
    errno = 0;
    switch (f->type) {
    case SF_INT: {
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < INT_MIN || v > INT_MAX)
            return -1;
        int iv = (int)v;
        memcpy(base, &iv, sizeof iv);
        return 0;
    }
    case SF_U32: {
        unsigned long long v = strtoull(val, &end, 10);
        if (errno || end == val || *end || v > UINT32_MAX || val[0] == '-')
            return -1;
        uint32_t uv = (uint32_t)v;
        memcpy(base, &uv, sizeof uv);
        return 0;
    }
    case SF_U64: {
        unsigned long long v = strtoull(val, &end, 10);
        if (errno || end == val || *end || val[0] == '-')
            return -1;
        uint64_t uv = (uint64_t)v;
        memcpy(base, &uv, sizeof uv);
        return 0;
    }
    case SF_BOOL: {
        if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
            return -1;
        bool b = val[0] == '1';
        memcpy(base, &b, sizeof b);
        return 0;
    }
    case SF_STR:
        if (strlen(val) >= f->size)
            return -1;
        memcpy(base, val, strlen(val) + 1);
        return 0;
    }
    return -1;
}

struct sim_state_reader {
    struct sim *s;
    const char *path;
};

/* One line of DIR/state: "product=" or a field of the table; -1 stops the load. */
static int sim_state_line(void *ud, const char *key, const char *val, unsigned lineno)
{
    struct sim_state_reader *r = ud;
    if (!val) {
        fprintf(stderr, "larafw-sim: %s:%u: no '='\n", r->path, lineno);
        return 1;
    }
    if (strcmp(key, "product") == 0) {
        const struct sim_product *p = sim_product_find(val);
        if (!p) {
            fprintf(stderr, "larafw-sim: %s: unknown product %s\n", r->path, val);
            return 1;
        }
        r->s->product = p;
        return 0;
    }
    const struct sim_field *f = NULL;
    for (size_t i = 0; i < SIM_FIELD_COUNT; i++) {
        if (strcmp(sim_fields[i].key, key) == 0)
            f = &sim_fields[i];
    }
    if (!f)
        return 0; /* a later version's field: ignored */
    if (sim_field_set(r->s, f, val) != 0) {
        fprintf(stderr, "larafw-sim: %s:%u: bad value for %s\n", r->path, lineno, key);
        return 1;
    }
    return 0;
}

int sim_state_load(struct sim *s)
{
    char path[PATH_MAX];
    sim_path(s, SIM_STATE_FILE, path, sizeof path);
    sim_state_defaults(s);
    struct sim_state_reader r = {s, path};
    int rc = sim_record_read(s, SIM_STATE_FILE, sim_state_line, &r);
    if (rc < 0) {
        if (errno == ENOENT)
            return 0; /* an image without a state file: factory NVM */
        fprintf(stderr, "larafw-sim: reading %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (rc > 0)
        return -1; /* sim_state_line said why */
    if ((s->st.fw_phase < SIM_FW_NORMAL || s->st.fw_phase > SIM_FW_BRICKED)) {
        fprintf(stderr, "larafw-sim: %s: bad fw_phase\n", path);
        rc = -1;
    }
    return rc;
}

/* A module is programmed once DIR/state exists: sim_state_factory() writes it last, so a
 * factory programming cut short is simply done again. */
bool sim_state_exists(const struct sim *s)
{
    char path[PATH_MAX];
    struct stat st;
    sim_path(s, SIM_STATE_FILE, path, sizeof path);
    return stat(path, &st) == 0;
}

/* ---- factory defaults ---- */

/* LTE bands of the factory +UBANDMASK (docs/simulator.md): 2, 4, 5, 12, 13, 14, 66, 71 for
 * the North-American LARA-R6001D; 1, 3, 7, 8, 20, 28 elsewhere. */
static uint64_t sim_band_bit(unsigned band)
{
    return (uint64_t)1 << ((band - 1) % 64);
}

void sim_state_defaults(struct sim *s)
{
    memset(&s->st, 0, sizeof s->st);
    s->st.fw_phase = SIM_FW_NORMAL;
    s->st.install_urc_if = SIM_IF_UART;
    s->st.install_urc_baud = SIM_FACTORY_IPR;
    s->st.ipr = SIM_FACTORY_IPR;
    s->st.mno_profile = 90; /* global */
    s->st.edrx_mode = 0;
    if (strncmp(s->product->model, "LARA-R6001", 10) == 0) {
        const unsigned lo[] = {2, 4, 5, 12, 13, 14};
        for (size_t i = 0; i < sizeof lo / sizeof lo[0]; i++)
            s->st.bandmask[0] |= sim_band_bit(lo[i]);
        s->st.bandmask[1] = sim_band_bit(66) | sim_band_bit(71);
    } else {
        const unsigned lo[] = {1, 3, 7, 8, 20, 28};
        for (size_t i = 0; i < sizeof lo / sizeof lo[0]; i++)
            s->st.bandmask[0] |= sim_band_bit(lo[i]);
    }
    snprintf(s->st.edrx_value, sizeof s->st.edrx_value, "0010");
}

void sim_imei_compose(const char tac[8], uint32_t serial, char out[16])
{
    char d[15];
    memcpy(d, tac, 8);
    for (int i = 13; i >= 8; i--) {
        d[i] = (char)('0' + serial % 10);
        serial /= 10;
    }
    unsigned sum = 0;
    for (int i = 0; i < 14; i++) {
        unsigned v = (unsigned)(d[i] - '0');
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    d[14] = (char)('0' + (10 - sum % 10) % 10);
    memcpy(out, d, 15);
    out[15] = '\0';
}

/* A 15-digit IMEI: u-blox-like TAC, a random serial, the Luhn check digit. */
static void sim_imei_make(char out[16])
{
    uint64_t r = sim_host_ns() ^ ((uint64_t)getpid() << 32);
    r ^= r >> 33;
    r *= 0xff51afd7ed558ccdull;
    r ^= r >> 33;
    sim_imei_compose("35452109", (uint32_t)(r % 1000000u), out);
}

const char *sim_default_version(const struct sim_product *p)
{
    return p->l6 ? "LARA-L6.01.00" : "LARA-R6.01.00";
}

static int sim_mkdir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "larafw-sim: mkdir %s: %s\n", path, strerror(errno));
    return -1;
}

int sim_state_dirs(struct sim *s)
{
    char path[PATH_MAX];
    if (sim_mkdir(s->dir) != 0)
        return -1;
    sim_path(s, "files", path, sizeof path);
    if (sim_mkdir(path) != 0)
        return -1;
    sim_path(s, "fota", path, sizeof path);
    return sim_mkdir(path);
}

/* Removes the ".<name>.tmp" files a power cut left in DIR/<sub>: half-written, never renamed,
 * so never part of the module's state. */
static void sim_state_clean_dir(const struct sim *s, const char *sub)
{
    char dirpath[PATH_MAX];
    sim_path(s, sub, dirpath, sizeof dirpath);
    DIR *d = opendir(dirpath);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || e->d_name[0] != '.' || strcmp(e->d_name + n - 4, ".tmp") != 0)
            continue;
        char f[PATH_MAX + 300];
        int fl = snprintf(f, sizeof f, "%s/%s", dirpath, e->d_name);
        if (fl > 0 && (size_t)fl < sizeof f)
            (void)unlink(f);
    }
    closedir(d);
}

void sim_state_clean_tmp(const struct sim *s)
{
    static const char *const subs[] = {".", "files", "fota", "mno"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        sim_state_clean_dir(s, subs[i]);
}

int sim_state_factory(struct sim *s, const char *image, const char *key)
{
    if (sim_state_dirs(s) != 0)
        return -1;
    char path[PATH_MAX];
    sim_path(s, SIM_IMAGE_FILE, path, sizeof path);
    if (image) {
        struct pkg_image_info info;
        int rc = pkg_image_info_file(image, &info);
        if (rc != 0) {
            fprintf(stderr, "larafw-sim: --firmware %s: %s\n", image, pkg_strerror(rc));
            return -1;
        }
        if (strcmp(info.product, s->product->name) != 0) {
            fprintf(stderr, "larafw-sim: --firmware %s is for %s, not %s\n", image, info.product,
                    s->product->name);
            return -1;
        }
        if (sim_copy_in(s, image, SIM_IMAGE_FILE) != 0) {
            fprintf(stderr, "larafw-sim: copying %s: %s\n", image, strerror(errno));
            return -1;
        }
    } else {
        struct pkg_image_params prm = {
            .product = s->product->name,
            .version = sim_default_version(s->product),
            .size = SIM_DEFAULT_IMAGE_SIZE,
            .seed = 1,
        };
        int rc = pkg_image_synth(&prm, path);
        if (rc != 0) {
            fprintf(stderr, "larafw-sim: synthesising the default image: %s\n", pkg_strerror(rc));
            return -1;
        }
        /* like every file of DIR: the owner's only (the library creates it 0644) */
        if (chmod(path, 0600) != 0) {
            fprintf(stderr, "larafw-sim: chmod 600 %s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    if (key) {
        uint8_t pub[PKG_PUBKEY_LEN];
        int rc = pkg_key_load_public(key, pub);
        if (rc != 0) {
            fprintf(stderr, "larafw-sim: --fota-key %s: %s\n", key, pkg_strerror(rc));
            return -1;
        }
        if (sim_atomic_write(s, SIM_KEY_FILE, pub, sizeof pub) != 0) {
            fprintf(stderr, "larafw-sim: writing %s: %s\n", SIM_KEY_FILE, strerror(errno));
            return -1;
        }
    }
    sim_state_defaults(s);
    sim_imei_make(s->st.imei);
    return sim_state_save(s); /* last: a DIR with a state file is a programmed module */
}

void sim_state_load_key(struct sim *s)
{
    char path[PATH_MAX];
    sim_path(s, SIM_KEY_FILE, path, sizeof path);
    s->fota_pub_ok = pkg_key_load_public(path, s->fota_pub) == 0;
    if (!s->fota_pub_ok)
        memset(s->fota_pub, 0, sizeof s->fota_pub);
}

int sim_firmware_refresh(struct sim *s)
{
    char path[PATH_MAX];
    sim_path(s, SIM_IMAGE_FILE, path, sizeof path);
    struct pkg_image_info info;
    int rc = pkg_image_info_file(path, &info);
    if (rc != 0) {
        fprintf(stderr, "larafw-sim: %s: %s\n", path, pkg_strerror(rc));
        return -1;
    }
    memset(&s->fw, 0, sizeof s->fw);
    snprintf(s->fw.product, sizeof s->fw.product, "%s", info.product);
    snprintf(s->fw.version, sizeof s->fw.version, "%s", info.version);
    memcpy(s->fw.sha256, info.sha256, sizeof s->fw.sha256);
    s->fw.size = info.size;
    return 0;
}
