/* larafw-sim platform internals: what sim_main.c's loop needs from the clock, the interfaces,
 * the dispatcher, the state directory and the report. Private to the platform files of sim/;
 * the shared interfaces are in sim.h. */
#ifndef LARAFW_SIM_PLATFORM_H
#define LARAFW_SIM_PLATFORM_H

#include "sim.h"

#include <poll.h>

/* +CMEE after every power-up. Assumption (docs/simulator.md): 2, so that errors read as the
 * note prints them ("+CME ERROR: operation not allowed", §4.3); hosts must not rely on it. */
#define SIM_FACTORY_CMEE 2

/* Factory-programmed +IPR (§3.1). */
#define SIM_FACTORY_IPR 115200u

/* ---- clock (sim_clock.c) ---- */
/* Starts the virtual clock: module time continues from s->clock_offset_ms. */
void sim_clock_start(struct sim *s);
/* Freeze module time while the simulator works, thaw it when it waits again: the
 * simulator's own processing is instantaneous on the module clock. */
void sim_clock_freeze(struct sim *s);
void sim_clock_thaw(struct sim *s);
/* Module milliseconds until the next timer is due (0 if one is due), or UINT64_MAX. */
uint64_t sim_timer_next_ms(const struct sim *s);
/* Runs every timer whose time has come, earliest first (bounded per call). */
void sim_timers_run(struct sim *s);
/* Drops every pending timer (reboot). */
void sim_timers_clear(struct sim *s);
/* Converts a module-time delay to host milliseconds for poll(), rounded up, capped. */
int sim_clock_host_ms(const struct sim *s, uint64_t module_ms);
/* The same in host nanoseconds for ppoll() (-1 = no timeout), capped at 60 s: with a small
 * --time-scale a millisecond of host time is many module milliseconds, so the main loop must
 * not round its timeouts to host milliseconds (timers would fire late and lateness add up). */
int64_t sim_clock_host_ns(const struct sim *s, uint64_t module_ms);

/* ---- interfaces (sim_uart.c) ---- */
/* Opens a pty for `iface` and points the symlink `link` at its slave. 0 or -1 (stderr). */
int sim_uart_open(struct sim *s, enum sim_if iface, const char *link);
/* Closes the pty and removes the symlink. */
void sim_uart_close(struct sim *s, enum sim_if iface);
/* Fills pollfd entries for the open interfaces; returns the number filled. `ifaces[i]` gets
 * the interface of fds[i]. *timeout_module_ms is lowered to the next pacing deadline. */
int sim_uart_poll_setup(struct sim *s, struct pollfd *fds, enum sim_if *ifaces,
                        uint64_t *timeout_module_ms);
/* Handles the poll() result of one interface: reads input, drains output. */
void sim_uart_service(struct sim *s, enum sim_if iface, short revents);
/* Feeds bytes to the AT line assembler of `iface` (what a raw handler did not consume). */
void sim_uart_feed_at(struct sim *s, enum sim_if iface, const uint8_t *buf, size_t len);
/* "uart" or "usb". */
const char *sim_if_name(enum sim_if iface);
/* Drains queued output of every interface without blocking (called after timers). */
void sim_uart_flush_all(struct sim *s);
/* Forgets a half-typed command line and leaves raw mode (reboot). */
void sim_uart_reset(struct sim *s, enum sim_if iface);
/* Blocks (host time, bounded) until queued output has gone to the pty: clean power-off. */
void sim_uart_drain(struct sim *s, int max_host_ms);

/* ---- dispatch (sim_dispatch.c) ---- */
/* One complete command line (without CR) received in AT mode on `iface`. */
void sim_dispatch_line(struct sim *s, enum sim_if iface, const char *line, size_t len);

/* ---- parts of the platform layer ---- */
extern const struct sim_part sim_part_basic; /* sim_cmd_basic.c: V.250, identification, NVM */
extern const struct sim_part sim_part_files; /* sim_files.c: +UDWNFILE, +ULSTFILE … */

/* ---- state (sim_state.c) ---- */
/* Volatile and NVM factory defaults of the product. */
void sim_state_defaults(struct sim *s);
/* True when DIR already holds a module (DIR/state or DIR/image.bin). */
bool sim_state_exists(const struct sim *s);
/* Creates DIR's layout and programs the module at the factory: `image`/`key` may be NULL
 * (a synthesised default image; no FOTA key). 0 or -1 (stderr). */
int sim_state_factory(struct sim *s, const char *image, const char *key);
/* Creates DIR/files and DIR/fota if missing. 0 or -1. */
int sim_state_dirs(struct sim *s);
/* Deletes temporary files of atomic writes that a power cut interrupted (".<name>.tmp" in
 * DIR, DIR/files, DIR/fota, DIR/mno). Called at process start. */
void sim_state_clean_tmp(const struct sim *s);
/* Reads DIR/fota.pub into s->fota_pub / s->fota_pub_ok. */
void sim_state_load_key(struct sim *s);
/* Default firmware version this simulator synthesises for a product ("LARA-R6.01.00"). */
const char *sim_default_version(const struct sim_product *p);

/* ---- the parts table (sim_part.c) ---- */
/* Most parts in a table, and most sockets all parts watch at once. */
#define SIM_PARTS_MAX     16
#define SIM_PARTS_FDS_MAX 16
/* Every part's reset / power_up / power_down hook, in table order. */
void sim_parts_reset(struct sim *s);
void sim_parts_power_up(struct sim *s);
void sim_parts_power_down(struct sim *s);
/* The parts' poll_setup hooks into fds[0..max); counts[i] gets part i's entries. Returns the
 * number filled. sim_parts_service hands each part its entries back after ppoll(). */
int sim_parts_poll_setup(struct sim *s, struct pollfd *fds, int max, uint64_t *timeout_module_ms,
                         int counts[SIM_PARTS_MAX]);
void sim_parts_service(struct sim *s, const struct pollfd *fds, const int counts[SIM_PARTS_MAX]);
/* The handler of an AT command name ("+UFWUPD"), or NULL. */
const struct sim_cmd *sim_parts_cmd_find(const struct sim *s, const char *name);
/* Every part's redact hook on a printable command line (no secret in the report). */
void sim_parts_redact(const struct sim *s, char *line);

/* ---- power (sim_power.c) ---- */
/* Power-up sequence: boot count, volatile defaults, rates, firmware record, then every part's
 * power_up hook (the install part resumes an interrupted install, §3.1.2, §4.3.1.3). */
void sim_power_up(struct sim *s);
/* Prints "ready" or "bricked" on stdout (flushed); a bricked module is muted for good. */
void sim_announce(struct sim *s);
/* Clean power-off (SIGTERM): the parts' power_down hooks (a +UDWNFILE is abandoned), drain
 * output, save, close. */
void sim_power_off(struct sim *s, int sig);

/* ---- report (sim_report.c) ---- */
/* Opens --report FILE (continuing a valid timeline left by an earlier power cycle). */
int sim_report_open(struct sim *s, const char *path);
void sim_report_close(struct sim *s);
/* In place: the user information of every URL of `text` ("user:pw" before "@") becomes
 * three stars. */
void sim_redact_url_userinfo(char *text);

/* ---- faults (sim_fault.c) ---- */
void sim_faults_init(struct sim_faults *f);

#endif
