/* Power: the power-up sequence, resets (sim_reboot) and the clean power-off. A process start
 * is a power-up; SIGKILL is a power cut, so nothing here may be needed for consistency on
 * disk — every change was already written atomically when it happened. */
#define _GNU_SOURCE
#include "sim_platform.h"
#include "sim_signals.h"

#include <stdio.h>
#include <string.h>

/* Power-up: what a module does from reset to accepting AT commands. */
void sim_power_up(struct sim *s)
{
    s->st.boot_count++;
    if (sim_state_save(s) != 0)
        fprintf(stderr, "larafw-sim: boot count not saved\n");
    s->cmee = SIM_FACTORY_CMEE;
    s->cfun = 1;
    s->download = SIM_DL_NONE;
    for (int i = 0; i < SIM_IF_COUNT; i++) {
        sim_uart_reset(s, (enum sim_if)i);
        s->port[i].echo = true; /* factory ATE1 */
        s->port[i].muted = false;
    }
    sim_set_rate(s, SIM_IF_UART, s->st.ipr ? s->st.ipr : SIM_FACTORY_IPR);
    sim_set_rate(s, SIM_IF_USB, 12000000u); /* USB full speed: the host's +IPR does not apply */
    if (s->st.fw_phase != SIM_FW_BRICKED && sim_firmware_refresh(s) != 0)
        fprintf(stderr, "larafw-sim: installed image unreadable\n");
    sim_state_load_key(s);
    sim_report(s, "power-up", "boot %u: %s, firmware %s%s", (unsigned)s->st.boot_count,
               s->product->name, s->fw.version,
               s->st.fw_phase == SIM_FW_INSTALL   ? ", install pending"
               : s->st.fw_phase == SIM_FW_BRICKED ? ", bricked"
                                                  : "");
    sim_parts_power_up(s); /* a bricked module's update parts stay down */
}

void sim_announce(struct sim *s)
{
    if (s->st.fw_phase == SIM_FW_BRICKED) {
        if (s->bricked_announced)
            return;
        s->bricked_announced = true;
        for (int i = 0; i < SIM_IF_COUNT; i++)
            sim_mute(s, (enum sim_if)i, true);
        printf("bricked\n");
    } else {
        printf("ready\n");
    }
    fflush(stdout);
}

void sim_reboot(struct sim *s)
{
    sim_report(s, "reboot", "module reset");
    sim_parts_reset(s);
    sim_timers_clear(s);
    sim_power_up(s);
    if (s->st.fw_phase == SIM_FW_BRICKED)
        sim_announce(s);
}

void sim_power_off(struct sim *s, int sig)
{
    sim_report(s, "power-off", "signal %d: clean power-off", sig);
    sim_parts_power_down(s);
    sim_uart_drain(s, 2000);
    if (sim_state_save(s) != 0)
        fprintf(stderr, "larafw-sim: state not saved at power-off\n");
    for (int i = 0; i < SIM_IF_COUNT; i++)
        sim_uart_close(s, (enum sim_if)i);
    sim_report_close(s);
}

int sim_stop_signals_setup(void (*handler)(int), sigset_t *loop_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigset_t block;
    sigemptyset(&block);
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0)
            return -1;
        sigaddset(&block, sigs[i]);
    }
    signal(SIGPIPE, SIG_IGN); /* stdout may be a pipe nobody reads any more */
    /* the signals are delivered only inside ppoll(): no race between check and wait */
    if (sigprocmask(SIG_BLOCK, &block, loop_mask) != 0)
        return -1;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigdelset(loop_mask, sigs[i]);
    return 0;
}
