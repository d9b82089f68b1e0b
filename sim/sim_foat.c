/* FOAT: AT+UFWUPD=3 + XMODEM download (§3). Work in progress: the command table and entry
 * points exist so that the platform links; the behaviour lands in the next commits. */
#define _GNU_SOURCE
#include "sim.h"

static int sim_cmd_ufwupd(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd)
{
    (void)s;
    (void)iface;
    (void)cmd;
    return SIM_RES_ERROR;
}

int sim_cmd_ufwinstall(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd);

const struct sim_cmd sim_cmds_update[] = {
    {"+UFWUPD", sim_cmd_ufwupd},
    {"+UFWINSTALL", sim_cmd_ufwinstall},
    {NULL, NULL},
};
