/* The power switch of a simulator process (larafw-sim, larafw-fleet). Needs POSIX signals:
 * include it from a file that defines _GNU_SOURCE (or _POSIX_C_SOURCE) first. */
#ifndef LARAFW_SIM_SIGNALS_H
#define LARAFW_SIM_SIGNALS_H

#include <signal.h>

/* SIGTERM, SIGINT and SIGHUP call `handler` (which only records the signal); they are blocked
 * except inside the main loop's ppoll(loop_mask), so none falls between the loop's check and
 * its wait. SIGPIPE is ignored. *loop_mask gets the mask for ppoll. Returns 0 or -1 (errno). */
int sim_stop_signals_setup(void (*handler)(int), sigset_t *loop_mask);

#endif
