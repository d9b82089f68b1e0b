/* larafw-pkg: shared declarations of the subcommands (one file each) and their helpers. */
#ifndef LARAFW_PKG_TOOL_H
#define LARAFW_PKG_TOOL_H

#include "pkg.h"

#include <stdbool.h>
#include <stdint.h>

enum { PKG_TOOL_OK = 0, PKG_TOOL_FAIL = 1, PKG_TOOL_USAGE = 2 };

/* Each subcommand gets argv[0] = its own name; returns an exit status above. */
int pkg_cmd_keygen(int argc, char **argv);
int pkg_cmd_image(int argc, char **argv);
int pkg_cmd_full(int argc, char **argv);
int pkg_cmd_delta(int argc, char **argv);
int pkg_cmd_resign(int argc, char **argv);
int pkg_cmd_inspect(int argc, char **argv);
int pkg_cmd_verify(int argc, char **argv);
int pkg_cmd_apply(int argc, char **argv);

/* Prints "larafw-pkg CMD: message" and a hint to run --help; returns PKG_TOOL_USAGE. */
int pkg_tool_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "larafw-pkg CMD: message: <error text>" and what to do next; returns PKG_TOOL_FAIL.
 * `rc` is a PKG_E… code (errno is read for PKG_E_IO). */
int pkg_tool_fail(const char *cmd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses a decimal count, optionally with a K/M/G (binary) suffix when `suffix`.
 * Returns true on success. */
bool pkg_tool_parse_u64(const char *s, bool suffix, uint64_t *out);

/* Handles the options that full and delta share (--boot-code, --nvm, --mno, --level).
 * `opt` is the getopt_long value. Returns 0, or PKG_TOOL_USAGE after printing why. */
enum { PKG_OPT_BOOT = 1000, PKG_OPT_NVM, PKG_OPT_MNO, PKG_OPT_LEVEL };
int pkg_tool_build_opt(const char *cmd, int opt, const char *arg, struct pkg_build_opts *o);

/* Resets getopt for a new subcommand (option strings start with ':'). */
void pkg_tool_getopt_reset(void);

/* Reports getopt's '?' (unknown option) or ':' (missing value); returns PKG_TOOL_USAGE. */
int pkg_tool_bad_option(const char *cmd, int c, char **argv);

#endif
