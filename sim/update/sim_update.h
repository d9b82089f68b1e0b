/* The update layer of the simulator (FOAT, XMODEM, validation, install): what the parts table
 * and the layers above it (uFOTA) use. The install engine's own details are in sim_install.h. */
#ifndef LARAFW_SIM_UPDATE_H
#define LARAFW_SIM_UPDATE_H

#include "sim.h"

/* The parts (sim_foat.c: AT+UFWUPD; sim_install_cmd.c: AT+UFWINSTALL and the install engine). */
extern const struct sim_part sim_part_foat;
extern const struct sim_part sim_part_install;

/* Starts validation + install of a package at DIR/rel. Output goes to the interfaces the
 * method prescribes (FOAT: primary UART at 115200; FOTA: +UFWINSTALL's port). The final code
 * goes to sim_parts_install_result(). */
void sim_install_start(struct sim *s, enum sim_install_method m, const char *rel);
/* True while validation or installation owns the module (between OK and the final reboot). */
bool sim_install_busy(const struct sim *s);
/* Reads the header of the package DIR/rel. 0 or a PKG_E_… code (PKG_E_MAGIC: not a package). */
int sim_install_read_header(const struct sim *s, const char *rel, struct pkg_header *h);
/* Final code (> 100, Appendix A) of the last validation/install, kept across power cycles in
 * DIR/install.result; 0 if none. *method (may be NULL) gets the method that produced it. */
int sim_install_last_result(const struct sim *s, enum sim_install_method *method);

/* ---- between the update files ---- */
/* True inside the install's own reset between "OK" and validation: power-up hooks of the
 * update parts leave the request alone. */
bool sim_install_own_reset(const struct sim *s);
/* Applies the NVM items and MNO profiles a package lists (Table 6, §7). */
void sim_install_apply_items(struct sim *s, const struct pkg_header *h);

#endif
