/* larafw-fleet: many simulated LARA modules in one process (issue 11, docs/fleet.md).
 *
 * Every fleet module is a whole `struct sim` from sim/ (linked, not copied): the same LwM2M
 * client, object 5 state machine, HTTP(S) download and install as larafw-sim. What the fleet
 * leaves out is the AT side: no pty, no host; the network is attached at power-up.
 *
 * fleet_main.c    options, the module set-up (state directories, IMEIs), main()
 * fleet_loop.c    the open-loop start schedule, the one ppoll() loop over every module, the
 *                 live progress line
 * fleet_report.c  the IMEI plan (Luhn), per-module outcome, the JSON report, the exit status
 */
#ifndef LARAFW_FLEET_H
#define LARAFW_FLEET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"

#define FLEET_MAX_DEVICES 1000000u /* six serial digits of the IMEI */

struct fleet_opts {
    const char *server;   /* --server coap[s]://H:P */
    unsigned devices;     /* --devices N */
    double rate;          /* --rate R: module starts per second (open loop) */
    const char *firmware; /* --firmware IMG */
    const char *fota_key; /* --fota-key PUB */
    const char *product;  /* --product P */
    const char *state;    /* --state DIR (NULL: a temporary directory, removed at exit) */
    double time_scale;    /* --time-scale F */
    const char *report;   /* --report FILE */
    double duration;      /* --duration S (0: until SIGTERM/SIGINT) */
    bool quiet;           /* --quiet: no progress line */
};

/* One module of the fleet and what the fleet observed of it (host time). */
struct fleet_mod {
    struct sim *s;
    bool started;
    uint64_t start_ns;    /* host time of its power-up */
    bool registered_once; /* a Register was accepted at least once */
    uint64_t register_ns; /* host time of the first accepted Register, from start_ns */
    unsigned registrations;
    bool was_registered; /* SIM_REG_DONE at the last look (counts registrations) */
    bool campaign;       /* object 5 left Idle at least once */
    char fw_start[64];   /* firmware version at the start */
    /* the loop's bookkeeping: its sockets and deadline, valid until it runs code again */
    bool dirty;      /* ran since its sockets and deadline were asked for (on the dirty list) */
    bool queued;     /* on this turn's list of modules to service */
    int fd_n;        /* its sockets: the first fd_n of its slots in the pollfd array */
    int counts[16];  /* SIM_PARTS_MAX */
    uint64_t due_ns; /* host time the module needs servicing by (UINT64_MAX: none) */
    unsigned heap_pos;
};

#define FLEET_NO_POS 0xffffffffu

/* fleet_heap.c: the modules' deadlines (fleet_mod.due_ns), earliest on top. */
struct fleet_heap {
    unsigned *idx; /* module indices */
    unsigned n;
};
int fleet_heap_init(struct fleet_heap *h, unsigned cap); /* 0, or -1 out of memory */
void fleet_heap_free(struct fleet_heap *h);
/* Sets module i's deadline (UINT64_MAX: takes it out of the heap). */
void fleet_heap_set(struct fleet_heap *h, struct fleet_mod *mods, unsigned i, uint64_t due_ns);
void fleet_heap_remove(struct fleet_heap *h, struct fleet_mod *mods, unsigned i);
/* The module with the earliest deadline; false when the heap is empty. */
bool fleet_heap_top(const struct fleet_heap *h, const struct fleet_mod *mods, unsigned *i,
                    uint64_t *due_ns);

enum fleet_result {
    FLEET_NOT_REGISTERED = 0,
    FLEET_REGISTERED, /* registered, no update seen */
    FLEET_UPDATING,   /* an update had not ended when the fleet stopped */
    FLEET_UPDATED,    /* runs a firmware other than the one it started with */
    FLEET_FAILED,     /* an update ended with an Update Result other than 1 */
};

struct fleet {
    struct fleet_opts o;
    char state_dir[4096];
    bool state_temp; /* remove state_dir at exit */
    char factory_image[4200];
    struct fleet_mod *mods;
    unsigned n;
    uint64_t t0_ns; /* host time the schedule started */
    /* main's signal flag (SIGTERM, SIGINT, SIGHUP) and the mask ppoll() waits with */
    volatile sig_atomic_t *stop;
    sigset_t loop_mask;
    struct fleet_progress {
        uint64_t last_ns;                 /* the live line's last print */
        unsigned registered;              /* modules that registered at least once */
        bool all_started, all_registered; /* the stdout events were printed */
    } progress;
};

/* ---- fleet_report.c ---- */
/* IMEI of module `index` (0-based): TAC 35452199, six serial digits, the Luhn check digit. */
void fleet_imei(unsigned index, char out[16]);
enum fleet_result fleet_mod_result(const struct fleet_mod *m);
const char *fleet_result_name(enum fleet_result r);
/* Object 5 Update Result (/5/0/5) of a module, 0 when it never had a campaign. */
int fleet_mod_update_result(const struct fleet_mod *m);
/* Writes the JSON report to `path` (atomically). 0, or -1 with a message on stderr. */
int fleet_report_write(const struct fleet *f, const char *path);
/* The exit status: 0 when every module registered and none failed or was mid-update. */
int fleet_exit_status(const struct fleet *f);

/* ---- fleet_loop.c ---- */
/* Runs the fleet until --duration has passed or a signal came. 0, or -1 (stderr). */
int fleet_run(struct fleet *f);

#endif
