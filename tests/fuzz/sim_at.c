/* Fuzz target of the simulator's AT interpreter: every input is (1) parsed as one command line
 * by sim_at_parse() and (2) typed into a module in process — line assembly, dispatch, every
 * command handler, +UDWNFILE raw mode — whose output is discarded and whose state lives in a
 * temporary directory. The module is reset after an input that leaves it busy, so inputs stay
 * independent. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sim fuzz_sim;
static bool fuzz_ready;

static void fuzz_discard(struct sim *s, enum sim_if iface, const void *buf, size_t len)
{
    (void)s;
    (void)iface;
    (void)buf;
    (void)len;
}

static void fuzz_cleanup(void)
{
    char cmd[PATH_MAX + 16];
    if (fuzz_sim.dir[0] && snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_sim.dir) > 0)
        (void)!system(cmd);
}

static bool fuzz_setup(void)
{
    struct sim *s = &fuzz_sim;
    if (sim_init(s) != 0)
        return false;
    snprintf(s->dir, sizeof s->dir, "/tmp/larafw-sim-fuzz-XXXXXX");
    if (!mkdtemp(s->dir))
        return false;
    atexit(fuzz_cleanup);
    s->no_fsync = true;
    s->out_hook = fuzz_discard;
    sim_clock_start(s);
    if (sim_state_factory(s, NULL, NULL) != 0)
        return false;
    sim_power_up(s);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sim_at_cmd cmd;
    (void)sim_at_parse((const char *)data, size, &cmd);

    if (!fuzz_ready) {
        if (!fuzz_setup())
            abort();
        fuzz_ready = true;
    }
    struct sim *s = &fuzz_sim;
    /* the first byte picks the interface and the echo setting, the rest is typed */
    if (size == 0)
        return 0;
    enum sim_if iface = (data[0] & 1) ? SIM_IF_USB : SIM_IF_UART;
    s->port[iface].echo = (data[0] & 2) != 0;
    sim_uart_feed_at(s, iface, data + 1, size - 1);
    static const uint8_t cr = '\r';
    sim_uart_feed_at(s, iface, &cr, 1);
    sim_timers_run(s);
    /* a power cycle when the input left the module busy (raw mode, a download, muted), so
     * that inputs stay independent; otherwise the cheap per-interface reset is enough */
    bool busy = s->dwn != NULL || s->download != SIM_DL_NONE || s->st.fw_phase != SIM_FW_NORMAL;
    for (int i = 0; i < SIM_IF_COUNT; i++)
        busy = busy || s->port[i].raw != NULL || s->port[i].muted;
    if (busy) {
        s->st.fw_phase = SIM_FW_NORMAL;
        sim_reboot(s);
    } else {
        sim_uart_reset(s, iface);
    }
    return 0;
}
