/* Validation of a firmware package before its install (§1.2, §3.1, §4.3, Appendix A):
 * header, kind, sizes, key, then the Ed25519ph signature streamed in steps (progress =
 * bytes hashed, +UFWPREVAL), then product, already-current and delta source checks. */
#define _GNU_SOURCE
#include "sim_install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Header, kind, sizes (FOAT: XMODEM SUB padding after the declared end is ignored), key. */
static int sim_inst_validate_open(struct sim *s)
{
    struct sim_install *in = s->install;
    char path[PATH_MAX];
    sim_path(s, in->rel, path, sizeof path);
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        return errno == ENOENT ? SIM_CODE_FILE_MISSING : SIM_CODE_FILE_OP;
    struct stat st;
    if (fstat(in->fd, &st) != 0)
        return SIM_CODE_FILE_OP;
    in->file_len = (uint64_t)st.st_size;
    int rc = sim_install_read_header(s, in->rel, &in->h);
    if (rc != 0)
        return sim_inst_code(rc);
    if (in->h.kind != sim_inst_methods[in->method].kind)
        return SIM_CODE_NOT_DELTA; /* full to +UFWINSTALL, delta to +UFWUPD */
    in->pkg_len = pkg_header_encoded_size() + in->h.payload_size + PKG_SIG_LEN;
    uint64_t len = in->file_len;
    if (in->method == SIM_INSTALL_FOAT && len > in->pkg_len && len - in->pkg_len < 1024) {
        /* XMODEM pads the last block with SUB: ignore exactly that after the declared end. */
        uint8_t tail[1024];
        size_t extra = (size_t)(len - in->pkg_len);
        if (pread(in->fd, tail, extra, (off_t)in->pkg_len) == (ssize_t)extra) {
            size_t i = 0;
            while (i < extra && tail[i] == 0x1A)
                i++;
            if (i == extra)
                len = in->pkg_len;
        }
    }
    rc = pkg_check_size(&in->h, len);
    if (rc != 0)
        return sim_inst_code(rc);
    if (!s->fota_pub_ok)
        return SIM_CODE_KEY;
    rc = pkg_verify_init(&in->v, in->pkg_len);
    if (rc != 0)
        return sim_inst_code(rc);
    in->hashed = 0;
    sim_inst_durations(s, in);
    return 0;
}

/* After the signature: product, source image, already-current. 0 = go on installing. */
static int sim_inst_validate_final(struct sim *s)
{
    struct sim_install *in = s->install;
    int rc = pkg_verify_final(&in->v, s->fota_pub);
    if (rc != 0)
        return sim_inst_code(rc);
    if (strcmp(in->h.product, s->fw.product) != 0)
        return SIM_CODE_PREVAL;
    if (strcmp(in->h.dst_version, s->fw.version) == 0 &&
        memcmp(in->h.dst_sha256, s->fw.sha256, PKG_SHA256_LEN) == 0)
        return SIM_CODE_SUCCESS; /* §4.3.1.4: already there, nothing to do */
    if (in->h.kind == PKG_KIND_DELTA &&
        (memcmp(in->h.src_sha256, s->fw.sha256, PKG_SHA256_LEN) != 0 ||
         in->h.src_size != s->fw.size))
        return SIM_CODE_SOURCE;
    return 0;
}

void sim_inst_validate_begin(struct sim *s)
{
    struct sim_install *in = s->install;
    in->state = SIM_INST_VALIDATE;
    in->step = 0;
    in->phase_start_ms = sim_now_ms(s);
    sim_report(s, "phase", "validation %s %s", sim_inst_methods[in->method].name, in->rel);
    if (s->product->prevalidation)
        sim_inst_urc(s, sim_inst_methods[in->method].preval_urc, 0);
    int code = sim_inst_validate_open(s);
    if (code != 0) {
        sim_inst_finish(s, code);
        return;
    }
    in->update_start_ms = in->phase_start_ms;
    sim_inst_arm_step(s, in->validate_ms, 1, SIM_VALIDATION_STEPS);
}

void sim_inst_validate_step(struct sim *s)
{
    struct sim_install *in = s->install;
    in->step++;
    int pct = (int)(in->step * 100u / SIM_VALIDATION_STEPS);
    uint64_t target = in->pkg_len * in->step / SIM_VALIDATION_STEPS;
    while (in->hashed < target) {
        size_t want = sizeof in->chunk;
        if (want > target - in->hashed)
            want = (size_t)(target - in->hashed);
        if (sim_fault_flash_write(s, SIM_PH_VALIDATION, pct)) {
            sim_inst_finish(s, SIM_CODE_FILE_OP); /* injected flash file operation failure */
            return;
        }
        ssize_t n = pread(in->fd, in->chunk, want, (off_t)in->hashed);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sim_inst_finish(s, SIM_CODE_FILE_OP);
            return;
        }
        pkg_verify_update(&in->v, in->chunk, (size_t)n);
        in->hashed += (uint64_t)n;
    }
    sim_fault_progress(s, SIM_PH_VALIDATION, pct);
    if (s->product->prevalidation)
        sim_inst_urc(s, sim_inst_methods[in->method].preval_urc, pct);
    if (in->step < SIM_VALIDATION_STEPS) {
        sim_inst_arm_step(s, in->validate_ms, in->step + 1, SIM_VALIDATION_STEPS);
        return;
    }
    close(in->fd);
    in->fd = -1;
    int code = sim_inst_validate_final(s);
    if (code != 0) {
        sim_inst_finish(s, code);
        return;
    }
    if (in->method == SIM_INSTALL_FOAT && in->file_len > in->pkg_len) {
        /* Drop the XMODEM padding so that the stored package is exactly the package. */
        char path[PATH_MAX];
        sim_path(s, in->rel, path, sizeof path);
        if (truncate(path, (off_t)in->pkg_len) != 0) {
            sim_inst_finish(s, SIM_CODE_FILE_OP);
            return;
        }
        in->file_len = in->pkg_len;
    }
    sim_inst_persist_install(s);
    sim_inst_install_begin(s);
}
