/* Validation and installation of a firmware package: the module's update mode (§1.2, §3.1,
 * §4.3, Appendix A).
 *
 * One state machine per module (struct sim_install, enum sim_inst_state), driven by virtual
 * clock timers:
 *   RESET      "OK" was sent; the module resets shortly (§3.1.1 Table 2, §4.3)
 *   VALIDATE   the package streams through the signature check, +UFWPREVAL: 0…100
 *   INSTALL    the payload streams through pkg_apply_* into DIR/image.new, +UFWUPD / +UFWINSTALL
 *   FINAL      the final code (>100) is out; the module resets into the firmware it now has
 * The final code always comes from a real condition of the package, the state directory or an
 * injected fault, through the table sim_inst_codes[]. Durations: see sim_inst_durations().
 *
 * Persistence: st.fw_phase = SIM_FW_INSTALL is saved before the first byte of DIR/image.new
 * is written; DIR/image.new replaces DIR/image.bin by rename only when its hash is the
 * declared target. A power cut during validation leaves the old firmware in normal mode; during
 * install the next power-up restarts the install (§3.1.2, §4.3.1.3); inside the boot-code
 * window of a PKG_FLAG_BOOT_CODE package it bricks the module (§4.3, §5.7.4).
 */
#define _GNU_SOURCE
#include "sim_install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- data that decides -------------------------------------------------------------- */

const struct sim_method_desc sim_inst_methods[] = {
    [SIM_INSTALL_FOAT] = {"foat", "+UFWPREVAL", "+UFWUPD", PKG_KIND_FULL, false, false},
    [SIM_INSTALL_FOTA] = {"fota", "+UFWPREVAL", "+UFWINSTALL", PKG_KIND_DELTA, true, true},
    [SIM_INSTALL_UFOTA] = {"ufota", "+UUFWPREVAL", "+UUFWINSTALL", PKG_KIND_DELTA, true, true},
};

/* Package library error → Appendix A code (the condition the module checked). */
static const struct {
    int pkg_err;
    int code;
} sim_inst_codes[] = {
    {PKG_E_MAGIC, SIM_CODE_NOT_DELTA},     /* not a package at all */
    {PKG_E_HEADER, SIM_CODE_NOT_DELTA},    /* header not recognised */
    {PKG_E_FORMAT, SIM_CODE_VERSION},      /* format version unsupported */
    {PKG_E_SIZE, SIM_CODE_SIZE},           /* declared sizes ≠ file */
    {PKG_E_KEY, SIM_CODE_KEY},             /* DIR/fota.pub missing or invalid */
    {PKG_E_SIGNATURE, SIM_CODE_SIGNATURE}, /* Ed25519 over header + payload */
    {PKG_E_PRODUCT, SIM_CODE_PREVAL},      /* package for another product */
    {PKG_E_SOURCE, SIM_CODE_SOURCE},       /* running image ≠ the delta's source */
    {PKG_E_PAYLOAD, SIM_CODE_CORRUPT},     /* payload does not decompress / patch */
    {PKG_E_TARGET, SIM_CODE_DATA_CORRUPT}, /* result ≠ declared target hash */
    {PKG_E_NOMEM, SIM_CODE_RAM_ALLOC},
    {PKG_E_IO, SIM_CODE_FILE_OP},
    {PKG_E_IMAGE, SIM_CODE_FILE_MISSING},
};

int sim_inst_code(int pkg_err)
{
    for (size_t i = 0; i < sizeof sim_inst_codes / sizeof sim_inst_codes[0]; i++)
        if (sim_inst_codes[i].pkg_err == pkg_err)
            return sim_inst_codes[i].code;
    return SIM_CODE_GENERIC;
}

/* Appendix A: these codes go to the primary UART at 115200 whatever +UFWINSTALL chose. */
static bool sim_code_forced_to_primary(int code)
{
    return code == 130 || code == 131 || code == 132;
}

static const char sim_image_rel[] = "image.bin";
static const char sim_image_new_rel[] = "image.new";
static const char sim_progress_rel[] = "install.progress";
static const char sim_result_rel[] = "install.result";

/* ---- helpers ------------------------------------------------------------------------- */

void sim_inst_urc(struct sim *s, const char *name, int value)
{
    struct sim_install *in = s->install;
    if (!in->urcs)
        return;
    sim_urc(s, in->urc_if, "%s: %d", name, value);
}

void sim_inst_durations(struct sim *s, struct sim_install *in)
{
    double frac = (double)in->h.payload_size / (double)SIM_INSTALL_REF_PAYLOAD;
    if (frac < SIM_UPDATE_MIN_FRACTION)
        frac = SIM_UPDATE_MIN_FRACTION;
    if (frac > SIM_UPDATE_MAX_FRACTION)
        frac = SIM_UPDATE_MAX_FRACTION;
    uint64_t total = (uint64_t)((double)s->product->install_max_s * 1000.0 * frac);
    in->validate_ms = (uint64_t)((double)total * SIM_VALIDATION_FRACTION);
    in->install_ms = total - in->validate_ms;
}

static void sim_inst_timer(struct sim *s, void *arg);

/* The one timer of the state machine: sim_inst_timer() acts by state when it fires. */
static void sim_inst_arm(struct sim *s, uint64_t ms)
{
    struct sim_install *in = s->install;
    sim_timer_cancel(s, in->timer);
    in->timer = sim_timer_add(s, ms, sim_inst_timer, NULL);
}

/* Arms step `next` of a phase of `phase_ms` split in `steps`, at its absolute time. */
void sim_inst_arm_step(struct sim *s, uint64_t phase_ms, unsigned next, unsigned steps)
{
    struct sim_install *in = s->install;
    uint64_t due = in->phase_start_ms + phase_ms * next / steps;
    uint64_t now = sim_now_ms(s);
    sim_inst_arm(s, due > now ? due - now : 0);
}

static void sim_inst_swallow(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len)
{
    (void)s;
    (void)iface;
    (void)buf;
    (void)len; /* §3.1, §4.3: in update mode the module answers nothing */
}

/* Update mode: the URC interface keeps its output but ignores input; the others vanish. */
static void sim_inst_enter_update_mode(struct sim *s)
{
    struct sim_install *in = s->install;
    for (int i = 0; i < SIM_IF_COUNT; i++) {
        if (i == (int)in->urc_if) {
            sim_mute(s, (enum sim_if)i, false);
            sim_raw_set(s, (enum sim_if)i, sim_inst_swallow);
        } else {
            sim_mute(s, (enum sim_if)i, true);
        }
    }
    sim_set_rate(s, in->urc_if, in->urc_baud);
}

static void sim_inst_leave_update_mode(struct sim *s)
{
    for (int i = 0; i < SIM_IF_COUNT; i++) {
        sim_mute(s, (enum sim_if)i, false);
        sim_raw_set(s, (enum sim_if)i, NULL);
    }
}

static void sim_inst_close_files(struct sim_install *in)
{
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    if (in->apply_open)
        pkg_apply_abort(&in->a);
    in->apply_open = false;
    if (in->out_fd >= 0)
        close(in->out_fd);
    in->out_fd = -1;
}

static void sim_inst_unlink(const struct sim *s, const char *rel)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        fprintf(stderr, "larafw-sim: cannot remove %s: %s\n", path, strerror(errno));
}

static void sim_inst_final_reset(struct sim *s)
{
    struct sim_install *in = s->install;
    in->state = SIM_INST_IDLE;
    sim_inst_leave_update_mode(s);
    sim_report(s, "update", "reset into firmware %s", s->fw.version);
    sim_reboot(s);
}

/* The end of the update mode, success or not (Appendix A). */
void sim_inst_finish(struct sim *s, int code)
{
    struct sim_install *in = s->install;
    const struct sim_method_desc *md = &sim_inst_methods[in->method];
    sim_inst_close_files(in);
    sim_inst_unlink(s, sim_image_new_rel);
    sim_inst_unlink(s, sim_progress_rel);

    bool drop_pkg = code == SIM_CODE_SUCCESS || !md->keep_on_failure;
    if (drop_pkg) {
        sim_inst_unlink(s, in->rel);
        char pending[PATH_MAX];
        snprintf(pending, sizeof pending, "fota/%s", s->st.fota_pkg_name);
        if (s->st.fota_pkg_present && strcmp(pending, in->rel) == 0) {
            s->st.fota_pkg_present = false;
            s->st.fota_pkg_name[0] = '\0';
        }
    }
    char result[64];
    int rlen = snprintf(result, sizeof result, "method=%d\ncode=%d\n", (int)in->method, code);
    if (sim_atomic_write(s, sim_result_rel, result, (size_t)rlen) != 0)
        fprintf(stderr, "larafw-sim: %s not written\n", sim_result_rel);
    sim_parts_install_result(s, in->method, code); /* e.g. uFOTA's object 5, §5.7.6 */
    s->st.fw_phase = SIM_FW_NORMAL;
    s->st.boot_writing = false;
    s->st.install_pkg[0] = '\0';
    if (sim_state_save(s) != 0)
        fprintf(stderr, "larafw-sim: state not saved after install\n");

    sim_report(s, "update", "final %s code %d firmware %s", md->name, code, s->fw.version);
    if (sim_code_forced_to_primary(code)) {
        sim_set_rate(s, SIM_IF_UART, 115200);
        sim_mute(s, SIM_IF_UART, false);
        sim_urc(s, SIM_IF_UART, "%s: %d", md->install_urc, code);
    } else {
        sim_inst_urc(s, md->install_urc, code);
    }
    in->state = SIM_INST_FINAL;
    sim_inst_arm(s, SIM_FINAL_RESET_MS);
}

int sim_install_read_header(const struct sim *s, const char *rel, struct pkg_header *h)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    int rc = pkg_header_read_file(path, h, NULL);
    return rc == PKG_E_SIZE ? PKG_E_MAGIC : rc; /* shorter than a header: not a package */
}

/* ---- install ------------------------------------------------------------------------- */

/* Writes `len` bytes to DIR/image.new; false on a flash write failure (real or injected). */
static bool sim_inst_flash_write(struct sim *s, const uint8_t *buf, size_t len, double pct)
{
    struct sim_install *in = s->install;
    if (sim_fault_flash_write(s, SIM_PH_INSTALL, pct))
        return false;
    return pkg_write_all(in->out_fd, buf, len) == 0;
}

static void sim_inst_boot_window(struct sim *s, bool writing)
{
    if (s->st.boot_writing == writing)
        return;
    s->st.boot_writing = writing;
    if (sim_state_save(s) != 0)
        fprintf(stderr, "larafw-sim: state not saved (boot window)\n");
    sim_report(s, "update", "boot section write %s", writing ? "begins" : "ends");
}

/* The image hashed to the target: it becomes the firmware (rename), then Table 6. */
static void sim_inst_commit(struct sim *s)
{
    struct sim_install *in = s->install;
    if (fsync(in->out_fd) != 0 || close(in->out_fd) != 0) {
        in->out_fd = -1;
        sim_inst_finish(s, SIM_CODE_FLASH_WRITE);
        return;
    }
    in->out_fd = -1;
    char from[PATH_MAX], to[PATH_MAX];
    sim_path(s, sim_image_new_rel, from, sizeof from);
    sim_path(s, sim_image_rel, to, sizeof to);
    if (rename(from, to) != 0) {
        sim_inst_finish(s, SIM_CODE_FLASH_WRITE);
        return;
    }
    int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    if (sim_firmware_refresh(s) != 0) {
        sim_inst_finish(s, SIM_CODE_DATA_CORRUPT);
        return;
    }
    sim_install_apply_items(s, &in->h);
    if (sim_inst_methods[in->method].efs_backup)
        s->st.backup_done = true; /* §4.3.1.5 */
    sim_inst_urc(s, sim_inst_methods[in->method].install_urc, 100);
    sim_inst_finish(s, SIM_CODE_SUCCESS);
}

void sim_inst_install_begin(struct sim *s)
{
    struct sim_install *in = s->install;
    char pkg[PATH_MAX], img[PATH_MAX], out[PATH_MAX];
    sim_path(s, in->rel, pkg, sizeof pkg);
    sim_path(s, sim_image_rel, img, sizeof img);
    sim_path(s, sim_image_new_rel, out, sizeof out);

    in->state = SIM_INST_INSTALL;
    in->step = 0;
    int rc = pkg_apply_open(&in->a, pkg, img);
    if (rc != 0) {
        sim_report(s, "update", "apply open: %s", pkg_strerror(rc));
        sim_inst_finish(s, sim_inst_code(rc));
        return;
    }
    in->apply_open = true;
    in->out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in->out_fd < 0) {
        sim_inst_finish(s, SIM_CODE_FLASH_ACCESS);
        return;
    }
    sim_report(s, "phase", "install %s %s -> %s (%.1f s)", sim_inst_methods[in->method].name,
               s->fw.version, in->h.dst_version, (double)in->install_ms / 1000.0);
    /* on the update's schedule; a resumed install starts its own (no validation) */
    in->phase_start_ms = in->resumed ? sim_now_ms(s) : in->update_start_ms + in->validate_ms;
    sim_inst_arm_step(s, in->install_ms, 1, SIM_INSTALL_STEPS);
}

static void sim_inst_install_step(struct sim *s)
{
    struct sim_install *in = s->install;
    in->step++;
    int pct = (int)(in->step * 100u / SIM_INSTALL_STEPS);
    /* Steps whose progress lies in [START, END] write the boot section: boot_writing is
     * saved before the first of them and cleared before the first step after them. */
    bool boot = (in->h.flags & PKG_FLAG_BOOT_CODE) != 0;
    sim_inst_boot_window(s, boot && pct >= SIM_BOOT_WINDOW_START && pct <= SIM_BOOT_WINDOW_END);

    uint64_t target = in->h.payload_size * in->step / SIM_INSTALL_STEPS;
    bool last = in->step >= SIM_INSTALL_STEPS;
    for (;;) {
        if (!last && in->a.in_done >= target)
            break;
        long n = pkg_apply_step(&in->a, in->chunk, sizeof in->chunk);
        if (n < 0) {
            sim_report(s, "update", "apply: %s", pkg_strerror((int)n));
            sim_inst_finish(s, sim_inst_code((int)n));
            return;
        }
        if (n == 0)
            break;
        if (!sim_inst_flash_write(s, in->chunk, (size_t)n, pct)) {
            sim_inst_finish(s, SIM_CODE_FLASH_WRITE);
            return;
        }
    }
    if (in->step % SIM_PROGRESS_SAVE_STEPS == 0) {
        char progress[48];
        int len = snprintf(progress, sizeof progress, "percent=%d\n", pct);
        (void)sim_atomic_write(s, sim_progress_rel, progress, (size_t)len);
    }
    sim_fault_progress(s, SIM_PH_INSTALL, pct); /* a due power cut ends the process here */

    if (!last) {
        sim_inst_urc(s, sim_inst_methods[in->method].install_urc, pct);
        sim_inst_arm_step(s, in->install_ms, in->step + 1, SIM_INSTALL_STEPS);
        return;
    }
    in->apply_open = false;
    int rc = pkg_apply_close(&in->a);
    if (rc != 0) {
        sim_report(s, "update", "apply close: %s", pkg_strerror(rc));
        sim_inst_finish(s, sim_inst_code(rc));
        return;
    }
    sim_inst_commit(s);
}

/* Persists the install before anything is written (§3.1.2, §4.3.1.3). */
void sim_inst_persist_install(struct sim *s)
{
    struct sim_install *in = s->install;
    s->st.fw_phase = SIM_FW_INSTALL;
    s->st.install_method = in->method;
    snprintf(s->st.install_pkg, sizeof s->st.install_pkg, "%s", in->rel);
    s->st.install_attempts++;
    if (sim_state_save(s) != 0)
        fprintf(stderr, "larafw-sim: state not saved before install\n");
}

/* ---- entry points -------------------------------------------------------------------- */

static struct sim_install *sim_inst_get(struct sim *s)
{
    if (!s->install) {
        s->install = calloc(1, sizeof *s->install);
        if (!s->install) {
            fprintf(stderr, "larafw-sim: out of memory\n");
            abort();
        }
        s->install->fd = -1;
        s->install->out_fd = -1;
    }
    return s->install;
}

/* Where the method's URCs go (§3.1: FOAT primary UART at 115200; §4.3.1: +UFWINSTALL's
 * port and rate; §5.2: uFOTA only when enabled). */
static void sim_inst_route(struct sim *s, struct sim_install *in)
{
    switch (in->method) {
    case SIM_INSTALL_FOAT:
        in->urc_if = SIM_IF_UART;
        in->urc_baud = 115200;
        in->urcs = true;
        break;
    case SIM_INSTALL_FOTA:
    case SIM_INSTALL_UFOTA:
        in->urc_if = s->st.install_urc_if == SIM_IF_USB && s->port[SIM_IF_USB].present
                         ? SIM_IF_USB
                         : SIM_IF_UART;
        in->urc_baud = s->st.install_urc_baud ? s->st.install_urc_baud : 115200;
        in->urcs = in->method == SIM_INSTALL_FOTA || s->st.install_urc_enable;
        break;
    }
}

static void sim_inst_after_reset(struct sim *s)
{
    struct sim_install *in = s->install;
    sim_report(s, "update", "reset into update mode");
    in->own_reset = true; /* the update parts' power-up leaves the request alone */
    sim_reboot(s);
    in->own_reset = false;
    sim_inst_enter_update_mode(s);
    sim_inst_validate_begin(s);
}

/* The state machine's one event: its timer. */
static void sim_inst_timer(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_install *in = s->install;
    in->timer = 0;
    switch (in->state) {
    case SIM_INST_RESET:
        sim_inst_after_reset(s);
        break;
    case SIM_INST_VALIDATE:
        sim_inst_validate_step(s);
        break;
    case SIM_INST_INSTALL:
        sim_inst_install_step(s);
        break;
    case SIM_INST_FINAL:
        sim_inst_final_reset(s);
        break;
    case SIM_INST_IDLE:
        break;
    }
}

void sim_install_start(struct sim *s, enum sim_install_method m, const char *rel)
{
    struct sim_install *in = sim_inst_get(s);
    sim_inst_close_files(in);
    in->state = SIM_INST_RESET;
    in->method = m;
    in->resumed = false;
    snprintf(in->rel, sizeof in->rel, "%s", rel);
    sim_inst_route(s, in);
    sim_report(s, "update", "%s install of %s requested", sim_inst_methods[m].name, rel);
    sim_inst_enter_update_mode(s); /* after "OK" the module takes no more commands (§4.3) */
    sim_inst_arm(s, SIM_RESET_MS);
}

int sim_install_last_result(const struct sim *s, enum sim_install_method *method)
{
    char path[PATH_MAX];
    sim_path(s, sim_result_rel, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int m = -1, code = 0;
    if (fscanf(f, "method=%d\ncode=%d", &m, &code) != 2 || m < (int)SIM_INSTALL_FOAT ||
        m > (int)SIM_INSTALL_UFOTA)
        code = 0;
    fclose(f);
    if (code > 0 && method)
        *method = (enum sim_install_method)m;
    return code;
}

bool sim_install_busy(const struct sim *s)
{
    return s->install && s->install->state != SIM_INST_IDLE;
}

/* Power-up with st.fw_phase == SIM_FW_INSTALL: the install restarts and runs to its end. */
static void sim_inst_resume(struct sim *s)
{
    struct sim_install *in = sim_inst_get(s);
    sim_inst_close_files(in);
    in->method = s->st.install_method;
    if ((unsigned)in->method > SIM_INSTALL_UFOTA)
        in->method = SIM_INSTALL_FOTA;
    snprintf(in->rel, sizeof in->rel, "%s", s->st.install_pkg);
    in->resumed = true;
    sim_inst_route(s, in);
    sim_inst_enter_update_mode(s);
    s->st.install_attempts++;
    (void)sim_state_save(s);
    sim_report(s, "update", "power-up in install mode: restarting install of %s (attempt %u)",
               in->rel, (unsigned)s->st.install_attempts);
    int rc = sim_install_read_header(s, in->rel, &in->h);
    if (rc != 0) {
        sim_inst_finish(s, rc == PKG_E_IO ? SIM_CODE_FILE_MISSING : sim_inst_code(rc));
        return;
    }
    sim_inst_durations(s, in);
    if (memcmp(in->h.dst_sha256, s->fw.sha256, PKG_SHA256_LEN) == 0) {
        /* The new image was already in place when power went: finish what is left. */
        sim_install_apply_items(s, &in->h);
        if (sim_inst_methods[in->method].efs_backup)
            s->st.backup_done = true;
        sim_inst_urc(s, sim_inst_methods[in->method].install_urc, 100);
        sim_inst_finish(s, SIM_CODE_SUCCESS);
        return;
    }
    sim_inst_install_begin(s);
}

bool sim_install_own_reset(const struct sim *s)
{
    return s->install && s->install->own_reset;
}

void sim_install_fini(struct sim *s)
{
    if (!s->install)
        return;
    sim_inst_close_files(s->install);
    free(s->install);
    s->install = NULL;
}

/* Power-up of the install part: resumes an install a power cut interrupted (§3.1.2,
 * §4.3.1.3), or finds the boot section half written. */
void sim_install_power_up(struct sim *s)
{
    if (s->st.fw_phase == SIM_FW_BRICKED)
        return;
    if (sim_install_own_reset(s))
        return; /* our own reset into update mode: sim_inst_after_reset continues */
    if (s->install) {
        sim_inst_close_files(s->install);
        s->install->state = SIM_INST_IDLE;
        s->install->timer = 0;
    }
    switch (s->st.fw_phase) {
    case SIM_FW_NORMAL:
        /* A power cut during validation wrote nothing: old firmware, normal mode (§3.1.2). */
        sim_inst_unlink(s, sim_image_new_rel);
        sim_inst_unlink(s, sim_progress_rel);
        break;
    case SIM_FW_INSTALL:
        if (s->st.boot_writing) {
            /* The boot section was half written (§4.3, §5.7.4). */
            s->st.fw_phase = SIM_FW_BRICKED;
            (void)sim_state_save(s);
            sim_report(s, "update", "power lost while writing the boot section: bricked");
            break;
        }
        sim_inst_resume(s);
        break;
    case SIM_FW_BRICKED:
        break;
    }
}
