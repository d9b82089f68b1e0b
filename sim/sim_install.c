/* Validation and installation of a firmware package (§1.2, §3.1, §4.3). Work in progress:
 * entry points exist so that the platform links. */
#define _GNU_SOURCE
#include "sim.h"

int sim_cmd_ufwinstall(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd);

int sim_cmd_ufwinstall(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd)
{
    (void)iface;
    (void)cmd;
    if (!s->st.fota_pkg_present)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
    return SIM_RES_ERROR;
}

void sim_update_power_up(struct sim *s)
{
    (void)s;
}

void sim_install_start(struct sim *s, enum sim_install_method m, const char *rel)
{
    (void)s;
    (void)m;
    (void)rel;
}
