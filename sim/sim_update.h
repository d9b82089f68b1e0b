/* Private to the simulator's firmware-update files (sim_foat.c, sim_install.c,
 * sim_install_validate.c, sim_install_cmd.c). The platform sees only what sim.h declares. */
#ifndef LARAFW_SIM_UPDATE_H
#define LARAFW_SIM_UPDATE_H

#include "sim.h"

/* AT+UFWINSTALL (sim_install_cmd.c, §4.3). */
int sim_cmd_ufwinstall(struct sim *s, enum sim_if iface, const struct sim_at_cmd *cmd);
/* Power-up of the FOAT part: drops a half-received XMODEM package (§3.1.2). */
void sim_foat_power_up(struct sim *s);
/* True while validation or installation owns the module (between OK and the final reboot). */
bool sim_install_busy(const struct sim *s);
/* Applies the NVM items and MNO profiles a package lists (Table 6, §7). */
void sim_install_apply_items(struct sim *s, const struct pkg_header *h);
/* Reads the header of the package DIR/rel. 0 or a PKG_E_… code. */
int sim_install_read_header(const struct sim *s, const char *rel, struct pkg_header *h);

/* uFOTA (sim_ufota.c): AT+UFWINSTALL may install an LwM2M package in "download only" mode
 * (§5.4.1); the final code of an install becomes object 5's Update Result (§5.5, §5.7.6). */
bool sim_ufota_host_install_ok(const struct sim *s);
void sim_ufota_install_result(struct sim *s, enum sim_install_method m, int code);

#endif
