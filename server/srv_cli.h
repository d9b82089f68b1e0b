/* Client subcommands of larafw-server, talking to a running server's REST API. */
#ifndef LARAFW_SRV_CLI_H
#define LARAFW_SRV_CLI_H

/* `update --imei IMEI --package FILE [--server URL] [--timeout S] [--token-file F]
 * [--ca-file F]`: starts an update job (operator token) and follows it. Exit: 0 the device
 * re-registered on the target version; 1 the update failed (Update Result and its meaning printed)
 * or was refused; 2 usage; 3 server unreachable or timeout. argv[0] is "update". */
int srv_cli_update(int argc, char **argv);

/* `devices [--server URL] [--json] [--token-file F] [--ca-file F]`: the device table.
 * Exit 0, 1 token refused, 2 usage, 3 unreachable. The token: --token-file, else
 * $LARAFW_SERVER_TOKEN, else $XDG_STATE_HOME/larafw-server/admin-token. */
int srv_cli_devices(int argc, char **argv);

#endif
