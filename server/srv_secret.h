/* Files that hold secrets or credentials (token hashes, PSKs, client tokens): read whole,
 * refused when group or others may read or write them. */
#ifndef LARAFW_SRV_SECRET_H
#define LARAFW_SRV_SECRET_H

#include <stddef.h>

#include "srv_err.h"

/* Reads all of `path` (any size) into a new NUL-terminated buffer (*text, free() it) of *len
 * bytes. Returns 0, SRV_E_IO (errno kept: missing, unreadable, not a regular file: EINVAL),
 * SRV_E_PERM (mode has group/other bits: the caller says `chmod 600 FILE`) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_secret_read(const char *path, char **text, size_t *len);

/* Writes `len` bytes to `path` atomically (a 0600 temporary file beside it, then rename, or
 * link when `exclusive`: then an existing file is kept and SRV_E_STATE returned). Returns 0,
 * SRV_E_IO or SRV_E_STATE. */
SRV_WARN_UNUSED int srv_secret_write(const char *path, const char *data, size_t len, int exclusive);

#endif
