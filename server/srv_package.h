/* Package files of the download directory (--packages DIR): safe names and headers. */
#ifndef LARAFW_SRV_PACKAGE_H
#define LARAFW_SRV_PACKAGE_H

#include <stdbool.h>

#include "pkg.h"
#include "srv_err.h"

/* True for a plain file name: 1..63 bytes of [A-Za-z0-9._-], not starting with '.'. No
 * slash, no "..": the download server never leaves its directory. */
bool srv_package_name_ok(const char *name);

/* Opens `name` inside `dir` read-only (no symlink followed for the name itself; a regular
 * file only, checked before and after a non-blocking open: a FIFO never blocks). Returns the
 * descriptor, or SRV_E_NOTFOUND / SRV_E_ARG (bad name) / SRV_E_IO. */
SRV_WARN_UNUSED int srv_package_open(const char *dir, const char *name);

/* Reads and parses the package header of `name` in `dir`. Returns 0, SRV_E_ARG (bad name),
 * SRV_E_NOTFOUND or SRV_E_PACKAGE (not a larafw package). */
SRV_WARN_UNUSED int srv_package_header(const char *dir, const char *name, struct pkg_header *h);

#endif
