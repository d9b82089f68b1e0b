/* Scratch fixtures for the lfwpkg unit tests. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "pkg_test_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pkg_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

int pkg_t_read(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return -1;
    }
    long n = ftell(f);
    rewind(f);
    *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = n > 0 ? (size_t)n : 0;
    int rc = *buf && fread(*buf, 1, *len, f) == *len ? 0 : -1;
    fclose(f);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

int pkg_t_write(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int pkg_t_mutate(const char *in, const char *out,
                 void (*mutate)(uint8_t **buf, size_t *len, void *arg), void *arg)
{
    uint8_t *buf;
    size_t len;
    if (pkg_t_read(in, &buf, &len) != 0)
        return -1;
    mutate(&buf, &len, arg);
    int rc = pkg_t_write(out, buf, len);
    free(buf);
    return rc;
}

int pkg_t_apply(const char *pkg, const char *src, const char *out)
{
    struct pkg_apply a;
    int rc = pkg_apply_open(&a, pkg, src);
    if (rc)
        return rc;
    FILE *f = out ? fopen(out, "wb") : NULL;
    uint8_t buf[8192];
    long n;
    while ((n = pkg_apply_step(&a, buf, sizeof buf)) > 0)
        if (f && fwrite(buf, 1, (size_t)n, f) != (size_t)n) {
            n = PKG_E_IO;
            break;
        }
    if (f)
        fclose(f);
    if (n < 0) {
        pkg_apply_abort(&a);
        return (int)n;
    }
    return pkg_apply_close(&a);
}

int pkg_fixture_make(struct pkg_fixture *fx, uint64_t size, double change)
{
    memset(fx, 0, sizeof *fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/lfwpkg-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir))
        return -1;
    pkg_path(fx->sec_path, sizeof fx->sec_path, fx->dir, "fota.sec");
    pkg_path(fx->pub_path, sizeof fx->pub_path, fx->dir, "fota.pub");
    pkg_path(fx->img_a, sizeof fx->img_a, fx->dir, "a.img");
    pkg_path(fx->img_b, sizeof fx->img_b, fx->dir, "b.img");
    pkg_path(fx->full, sizeof fx->full, fx->dir, "b.upd");
    pkg_path(fx->delta, sizeof fx->delta, fx->dir, "a-b.dof");
    struct pkg_image_params p = {"LARA-R6001D-00B", "03.15", size, 42};
    struct pkg_build_opts o;
    memset(&o, 0, sizeof o);
    if (pkg_keygen(fx->dir) || pkg_key_load_secret(fx->sec_path, fx->sec) ||
        pkg_key_load_public(fx->pub_path, fx->pub) || pkg_image_synth(&p, fx->img_a) ||
        pkg_image_successor(fx->img_a, "03.16", change, 43, fx->img_b) ||
        pkg_build_full(fx->sec, fx->img_b, &o, fx->full) ||
        pkg_build_delta(fx->sec, fx->img_a, fx->img_b, &o, fx->delta))
        return -1;
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void pkg_fixture_free(struct pkg_fixture *fx)
{
    if (fx->dir[0])
        nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    fx->dir[0] = '\0';
}
