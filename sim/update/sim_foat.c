/* FOAT: AT+UFWUPD=3 and the XMODEM / XMODEM-1K download of a full package (§3, §3.1).
 *
 *   AT+UFWUPD=3 → raw mode at once (no AT command accepted, §3.1) → ~5 s preparation →
 *   "+UFWUPD: ONGOING" → C ×3 (3 s apart) → NAK ×10 (10 s apart): 109 s (sim_xmodem.c)
 *   → blocks stored in DIR/foat.part → EOT: fsync, rename to DIR/foat.upd → "OK" → reset →
 *   validation + install (sim_install.c), URCs on the primary UART only.
 *   No block within 109 s → "Timeout", "ERROR1" on the starting interface (§3.1.2).
 *   A cancelled or failed transfer → "ERROR1" too (the note only shows the timeout; assumed).
 * It is a §6 download: s->download = SIM_DL_FOAT from the command to the end of the transfer.
 */
#define _GNU_SOURCE
#include "sim_update.h"
#include "sim_xmodem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_FOAT_PREPARE_MS 5000u                        /* §3.1: ~5 s */
#define SIM_FOAT_MAX_BYTES  ((uint64_t)64 * 1024 * 1024) /* flash set aside for the .upd */

enum sim_foat_state {
    SIM_FOAT_IDLE = 0,
    SIM_FOAT_PREPARE, /* command accepted, raw mode, XMODEM not started */
    SIM_FOAT_XMODEM,  /* soliciting or receiving */
};

struct sim_foat {
    enum sim_foat_state state;
    enum sim_if iface;
    unsigned timer;
    uint64_t due_ms; /* virtual time the armed timer is due */
    int fd;          /* DIR/foat.part */
    struct sim_xmodem xm;
    uint8_t head[2048]; /* first bytes: the package header gives the total for progress */
    size_t head_len;
    uint64_t total; /* declared package length, 0 while unknown */
    uint32_t blocks_1k, blocks_128;
    struct sim *s;
};

static const char sim_foat_part_rel[] = "foat.part";
static const char sim_foat_upd_rel[] = "foat.upd";

static struct sim_foat *sim_foat_get(struct sim *s)
{
    if (!s->foat) {
        s->foat = calloc(1, sizeof *s->foat);
        if (!s->foat) {
            fprintf(stderr, "larafw-sim: out of memory\n");
            abort();
        }
        s->foat->fd = -1;
    }
    s->foat->s = s;
    return s->foat;
}

static void sim_foat_unlink(struct sim *s, const char *rel)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        fprintf(stderr, "larafw-sim: cannot remove %s: %s\n", path, strerror(errno));
}

/* Back to AT mode, nothing kept. */
static void sim_foat_end(struct sim *s)
{
    struct sim_foat *f = s->foat;
    sim_timer_cancel(s, f->timer);
    f->timer = 0;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    sim_foat_unlink(s, sim_foat_part_rel);
    sim_raw_set(s, f->iface, NULL);
    if (s->download == SIM_DL_FOAT)
        s->download = SIM_DL_NONE;
    f->state = SIM_FOAT_IDLE;
}

static void sim_foat_send(void *user, const uint8_t *buf, size_t len)
{
    struct sim_foat *f = user;
    sim_write(f->s, f->iface, buf, len);
}

static int sim_foat_block(void *user, uint32_t index, const uint8_t *data, size_t len)
{
    struct sim_foat *f = user;
    struct sim *s = f->s;
    (void)index;
    if (f->xm.bytes + len > SIM_FOAT_MAX_BYTES)
        return -1;
    if (len == 1024)
        f->blocks_1k++;
    else
        f->blocks_128++;
    if (pkg_write_all(f->fd, data, len) != 0)
        return -1;
    size_t hdr = pkg_header_encoded_size();
    if (f->total == 0 && f->head_len < hdr && hdr <= sizeof f->head) {
        size_t take = hdr - f->head_len;
        if (take > len)
            take = len;
        memcpy(f->head + f->head_len, data, take);
        f->head_len += take;
        struct pkg_header h;
        if (f->head_len == hdr && pkg_header_parse(f->head, f->head_len, &h) == 0)
            f->total = hdr + h.payload_size + PKG_SIG_LEN;
    }
    if (f->total > 0) {
        uint64_t got = f->xm.bytes + len;
        double pct = got >= f->total ? 100.0 : (double)got * 100.0 / (double)f->total;
        sim_fault_progress(s, SIM_PH_DOWNLOAD, pct); /* power-cut=download:N dies here */
    }
    return 0;
}

/* The transfer is complete: store the package atomically, OK, reset into update mode. */
static void sim_foat_store(struct sim *s)
{
    struct sim_foat *f = s->foat;
    char from[PATH_MAX], to[PATH_MAX];
    sim_path(s, sim_foat_part_rel, from, sizeof from);
    sim_path(s, sim_foat_upd_rel, to, sizeof to);
    bool ok = fsync(f->fd) == 0;
    ok = close(f->fd) == 0 && ok;
    f->fd = -1;
    ok = ok && rename(from, to) == 0;
    if (ok) {
        int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    enum sim_if iface = f->iface;
    uint64_t bytes = f->xm.bytes;
    unsigned b1k = f->blocks_1k, b128 = f->blocks_128, dups = f->xm.duplicates;
    unsigned naks = f->xm.naks;
    sim_foat_end(s);
    if (!ok) {
        sim_report(s, "update", "foat: storing the package failed: %s", strerror(errno));
        sim_line(s, iface, "ERROR1");
        return;
    }
    sim_report(s, "phase",
               "download done foat %llu bytes: %u blocks of 1024, %u of 128, %u repeats, "
               "%u retransmissions",
               (unsigned long long)bytes, b1k, b128, dups, naks);
    sim_ok(s, iface);
    sim_install_start(s, SIM_INSTALL_FOAT, sim_foat_upd_rel);
}

static void sim_foat_timer(struct sim *s, void *arg);

/* After every XMODEM event: finish, or re-arm the receiver's timer. After a timer event the
 * next wait counts from when that timer was due, so that late timers do not stretch the
 * 109 s window; after input it counts from now. */
static void sim_foat_after(struct sim *s, bool from_timer)
{
    struct sim_foat *f = s->foat;
    enum sim_if iface = f->iface;
    switch (f->xm.state) {
    case SIM_XM_DONE:
        sim_foat_store(s);
        return;
    case SIM_XM_TIMEOUT:
        sim_foat_end(s);
        sim_report(s, "update", "foat: no data within 109 s");
        sim_line(s, iface, "Timeout"); /* §3.1.2 */
        sim_line(s, iface, "ERROR1");
        return;
    case SIM_XM_CANCELLED:
    case SIM_XM_FAILED:
        sim_report(s, "update", "foat: transfer %s after %u blocks",
                   f->xm.state == SIM_XM_CANCELLED ? "cancelled by the host" : "aborted",
                   (unsigned)f->xm.blocks);
        sim_foat_end(s);
        sim_line(s, iface, "ERROR1");
        return;
    case SIM_XM_IDLE:
    case SIM_XM_SOLICIT:
    case SIM_XM_HEADER:
    case SIM_XM_BLOCK_NUM:
    case SIM_XM_BLOCK_INV:
    case SIM_XM_DATA:
    case SIM_XM_CHECK:
    case SIM_XM_CAN_SEEN:
    case SIM_XM_EOT_SEEN:
        break;
    }
    uint64_t now = sim_now_ms(s);
    uint64_t base = from_timer && f->due_ms <= now ? f->due_ms : now;
    f->due_ms = base + sim_xmodem_timeout_ms(&f->xm);
    sim_timer_cancel(s, f->timer);
    f->timer = sim_timer_add(s, f->due_ms > now ? f->due_ms - now : 0, sim_foat_timer, NULL);
}

static void sim_foat_raw(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len)
{
    struct sim_foat *f = s->foat;
    if (!f || f->state != SIM_FOAT_XMODEM || iface != f->iface)
        return; /* preparing: the module reads nothing yet */
    bool was_started = sim_xmodem_started(&f->xm);
    sim_xmodem_feed(&f->xm, buf, len);
    if (!was_started && sim_xmodem_started(&f->xm))
        sim_report(s, "update", "foat: transfer started (%s mode)",
                   f->xm.mode == SIM_XM_MODE_CRC ? "CRC-16" : "checksum");
    sim_foat_after(s, false);
}

/* The preparation (~5 s, §3.1) is over: open the store, solicit. */
static void sim_foat_ready(struct sim *s)
{
    struct sim_foat *f = s->foat;
    char path[PATH_MAX];
    sim_path(s, sim_foat_part_rel, path, sizeof path);
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (f->fd < 0) {
        enum sim_if iface = f->iface;
        sim_foat_end(s);
        sim_line(s, iface, "ERROR1");
        return;
    }
    struct sim_xmodem_config cfg = sim_xmodem_module_defaults;
    cfg.send = sim_foat_send;
    cfg.block = sim_foat_block;
    cfg.user = f;
    sim_xmodem_init(&f->xm, &cfg);
    f->head_len = 0;
    f->total = 0;
    f->blocks_1k = f->blocks_128 = 0;
    f->state = SIM_FOAT_XMODEM;
    sim_urc(s, f->iface, "+UFWUPD: ONGOING");
    sim_xmodem_start(&f->xm);
    sim_foat_after(s, false);
}

/* The state machine's timer: end of the preparation, or an XMODEM wait expired. */
static void sim_foat_timer(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_foat *f = s->foat;
    f->timer = 0;
    switch (f->state) {
    case SIM_FOAT_PREPARE:
        sim_foat_ready(s);
        break;
    case SIM_FOAT_XMODEM:
        sim_xmodem_timeout(&f->xm);
        sim_foat_after(s, true);
        break;
    case SIM_FOAT_IDLE:
        break;
    }
}

static int sim_cmd_ufwupd(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd)
{
    if (cmd->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UFWUPD: (3)");
        return SIM_RES_OK;
    }
    if (cmd->type != SIM_AT_SET || cmd->nparams != 1 || !cmd->p[0].is_num)
        return SIM_RES_ERROR;
    if (cmd->p[0].num != 3) /* <filetype> 3: the firmware package (.upd) */
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (s->download != SIM_DL_NONE || sim_install_busy(s))
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §6 Table 5 */
    if (s->port[iface].baud == 3000000 && !s->product->rate_3m)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED); /* §3.1: not at 3 Mbit/s on this product */
    struct sim_foat *f = sim_foat_get(s);
    f->iface = iface;
    f->state = SIM_FOAT_PREPARE;
    s->download = SIM_DL_FOAT;
    sim_raw_set(s, iface, sim_foat_raw);
    sim_report(s, "phase", "download start foat on %s", iface == SIM_IF_UART ? "uart" : "usb");
    sim_timer_cancel(s, f->timer);
    f->timer = sim_timer_add(s, SIM_FOAT_PREPARE_MS, sim_foat_timer, NULL);
    return SIM_RES_PENDING;
}

/* Power-up of the FOAT part: drops a half-received XMODEM package (§3.1.2). */
static void sim_foat_power_up(struct sim *s)
{
    if (s->st.fw_phase == SIM_FW_BRICKED || sim_install_own_reset(s))
        return;
    /* §3.1.2: a power loss during the download leaves the module in normal mode; there is no
     * resume, so what was received is dropped. sim_reboot() already cleared raw mode and
     * timers. */
    if (s->foat) {
        if (s->foat->fd >= 0)
            close(s->foat->fd);
        s->foat->fd = -1;
        s->foat->timer = 0;
        s->foat->state = SIM_FOAT_IDLE;
    }
    if (s->download == SIM_DL_FOAT)
        s->download = SIM_DL_NONE;
    sim_foat_unlink(s, sim_foat_part_rel);
    if (s->st.fw_phase != SIM_FW_INSTALL)
        sim_foat_unlink(s, sim_foat_upd_rel); /* not being installed: FOAT has no resume */
}

static void sim_foat_fini(struct sim *s)
{
    if (!s->foat)
        return;
    if (s->foat->fd >= 0)
        close(s->foat->fd);
    free(s->foat);
    s->foat = NULL;
}

static const struct sim_cmd sim_foat_cmds[] = {
    {"+UFWUPD", sim_cmd_ufwupd},
    {NULL, NULL},
};

/* FOAT (§3): AT+UFWUPD=3 and the XMODEM download into DIR/foat.upd; installs with method FOAT. */
const struct sim_part sim_part_foat = {
    .name = "foat",
    .cmds = sim_foat_cmds,
    .fini = sim_foat_fini,
    .power_up = sim_foat_power_up,
    .download = SIM_DL_FOAT,
    .installs = 1u << SIM_INSTALL_FOAT,
};
