/* Where tokens live by default, the first-start admin token, and `larafw-server token`. */
#ifndef LARAFW_SRV_TOKEN_CMD_H
#define LARAFW_SRV_TOKEN_CMD_H

#include <stddef.h>

#include "srv_err.h"

/* $XDG_STATE_HOME/larafw-server (default ~/.local/state/larafw-server) into out. Returns 0 or
 * SRV_E_NOSPACE / SRV_E_ARG (neither XDG_STATE_HOME nor HOME set). */
SRV_WARN_UNUSED int srv_state_dir(char *out, size_t cap);

/* The files beside a store: for `db` ":memory:" (or NULL) <state dir>/tokens and
 * <state dir>/admin-token, else <db>.tokens and <db>.admin-token. Returns 0 or as above. */
SRV_WARN_UNUSED int srv_token_paths(const char *db, char *tokens, char *admin, size_t cap);

/* Without --tokens: makes sure the tokens file beside the store exists; at the first start it
 * creates an admin token, writes it to the admin-token file (0600) and its hash to the tokens
 * file. Prints where the admin token is on stderr. `tokens` gets the tokens file path.
 * Returns 0, or SRV_E_IO / SRV_E_ARG with a message printed. */
SRV_WARN_UNUSED int srv_tokens_first_start(const char *db, char *tokens, size_t cap);

/* `larafw-server token add NAME ROLE | remove NAME | list [--tokens FILE]`. argv[0] is "token".
 * Exit 0, 1 refused (name exists, no such name, file problem), 2 usage. */
int srv_cli_token(int argc, char **argv);

#endif
