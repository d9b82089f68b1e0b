/* The parts of the simulated module, in the order the platform calls their hooks (power-up:
 * the update parts before the LwM2M client, so that uFOTA sees an install that resumed), and
 * the module object's set-up. sim/README.md: how to add a command or a part. */
#include "sim_platform.h"
#include "sim_lwm2m.h"
#include "sim_net.h"
#include "sim_ufota.h"
#include "sim_update.h"

#include <stdio.h>
#include <string.h>

static const struct sim_part *const sim_parts[] = {
    &sim_part_basic,   /* platform: V.250, identification, NVM settings */
    &sim_part_files,   /* platform: the file system, +UDWNFILE */
    &sim_part_foat,    /* update: AT+UFWUPD, XMODEM */
    &sim_part_install, /* update: validation, install, AT+UFWINSTALL */
    &sim_part_net,     /* net: the download engine */
    &sim_part_ftp,     /* net: FOTA over FTP */
    &sim_part_http,    /* net: FOTA over HTTP(S) */
    &sim_part_lwm2m,   /* lwm2m: the LwM2M client */
    &sim_part_ufota,   /* ufota: uFOTA and its AT commands */
    NULL,
};

_Static_assert(sizeof sim_parts / sizeof sim_parts[0] - 1 <= SIM_PARTS_MAX, "SIM_PARTS_MAX");

int sim_init(struct sim *s)
{
    memset(s, 0, sizeof *s);
    s->report_fd = -1;
    for (int i = 0; i < SIM_IF_COUNT; i++)
        s->port[i].master_fd = s->port[i].slave_fd = -1;
    sim_faults_init(&s->faults);
    s->time_scale = 1.0;
    s->product = sim_product_default();
    s->parts = sim_parts;
    for (size_t i = 0; sim_parts[i]; i++) {
        if (sim_parts[i]->init && sim_parts[i]->init(s) != 0) {
            fprintf(stderr, "larafw-sim: %s: out of memory\n", sim_parts[i]->name);
            sim_fini(s);
            return -1;
        }
    }
    return 0;
}

void sim_fini(struct sim *s)
{
    if (!s->parts)
        return;
    size_t n = 0;
    while (s->parts[n])
        n++;
    while (n-- > 0) {
        if (s->parts[n]->fini)
            s->parts[n]->fini(s);
    }
    s->parts = NULL;
}
