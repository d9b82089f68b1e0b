/* Secret files (PSK credentials, API tokens): read whole, and only when neither the group
 * nor others may read or write them. */
#ifndef LARAFW_SRV_SECFILE_H
#define LARAFW_SRV_SECFILE_H

#include <stddef.h>

#include "srv_err.h"

#define SRV_SECFILE_MAX (16u * 1024u * 1024u) /* larger is surely not a credentials file */

/* Reads the whole of `path` into a new NUL-terminated buffer (*out, free() it; *len bytes
 * without the NUL). Refuses a file that the group or others may read or write (mode & 077),
 * a file that is not regular, and a file over SRV_SECFILE_MAX. On failure `why` (cap bytes)
 * says what is wrong and what to do ("… run chmod 600 FILE"). Never prints the content.
 * Returns 0, SRV_E_IO (cannot open or read: errno kept), SRV_E_ARG (permissions, not a
 * regular file, too large) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_secfile_read(const char *path, char **out, size_t *len, char *why,
                                     size_t cap);

#endif
