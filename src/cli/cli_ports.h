/* `larafw ports` and `-p auto` (cmd_ports.c, docs/cli.md "Finding the port"). */
#ifndef LARAFW_CLI_PORTS_H
#define LARAFW_CLI_PORTS_H

#include <stddef.h>

#include "cli_util.h"

/* Longest wait for a port's answer to AT when probing (--probe, -p auto). */
#define LFW_CLI_PROBE_MS 1000

/* larafw ports [--probe]: lists the u-blox modules' serial ports. Returns the exit status:
 * 0 listed, 3 none found (message on stderr). */
int lfw_cmd_ports(const struct lfw_cli_opts *o);

/* -p auto: when exactly one u-blox module is attached, the first of its AT ports (by the
 * product's interface layout, else every non-diagnostic port) that answers AT, copied into
 * `out`. Returns 0, or LFW_EXIT_IO with a message in `err` that lists the candidates and
 * says what to do (no module, several modules, no port answered). */
int lfw_cli_port_auto(const struct lfw_cli_opts *o, char *out, size_t cap, char *err,
                      size_t errlen);

#endif
