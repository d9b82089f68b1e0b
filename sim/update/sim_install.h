/* Private to sim_install.c and sim_install_validate.c: the validation/install state
 * machine of the simulated module (see sim_install.c for the whole story). */
#ifndef LARAFW_SIM_INSTALL_H
#define LARAFW_SIM_INSTALL_H

#include "sim_update.h"

#include <limits.h>

enum sim_inst_state {
    SIM_INST_IDLE = 0,
    SIM_INST_RESET,
    SIM_INST_VALIDATE,
    SIM_INST_INSTALL,
    SIM_INST_FINAL,
};

/* Per method: URC names, the package kind it takes, whether an EFS backup follows. */
struct sim_method_desc {
    const char *name;
    const char *preval_urc;
    const char *install_urc;
    uint8_t kind;
    bool efs_backup;      /* §4.3.1.5: after FOTA / uFOTA */
    bool keep_on_failure; /* the pending package stays for another +UFWINSTALL */
};

extern const struct sim_method_desc sim_inst_methods[];

/* Appendix A codes the simulator produces. */
#define SIM_CODE_SUCCESS      128
#define SIM_CODE_GENERIC      129
#define SIM_CODE_FLASH_ACCESS 130
#define SIM_CODE_RAM_ALLOC    131
#define SIM_CODE_FILE_MISSING 144
#define SIM_CODE_CORRUPT      148
#define SIM_CODE_NOT_DELTA    158
#define SIM_CODE_FLASH_WRITE  160
#define SIM_CODE_SOURCE       168
#define SIM_CODE_SIGNATURE    173
#define SIM_CODE_VERSION      174
#define SIM_CODE_SIZE         180
#define SIM_CODE_DATA_CORRUPT 195
#define SIM_CODE_KEY          227
#define SIM_CODE_FILE_OP      230
#define SIM_CODE_PREVAL       247

/* ---- timing ---------------------------------------------------------------------------
 * Update time (validation + install) = install_max_s × clamp(payload_size /
 * SIM_INSTALL_REF_PAYLOAD, SIM_UPDATE_MIN_FRACTION, SIM_UPDATE_MAX_FRACTION): a payload of
 * the reference size or more takes 90 % of the product's bound (65 min on R6 "00B", 3 min
 * otherwise, MODULE.md §1), smaller ones proportionally less; the 10 % margin absorbs the
 * host time the real work takes (hashing, patching, fsync), which the virtual clock also
 * counts, so that the bound is never exceeded. Validation takes SIM_VALIDATION_FRACTION of
 * it, the install the rest. Every step is due at an absolute time from the start of the
 * update (validation step k at start + validate_ms·k/20, install step k at start +
 * validate_ms + install_ms·k/40), so slow steps and late timers do not accumulate. */
#define SIM_INSTALL_REF_PAYLOAD (2u * 1024u * 1024u)
#define SIM_UPDATE_MIN_FRACTION 0.02
#define SIM_UPDATE_MAX_FRACTION 0.9
#define SIM_VALIDATION_FRACTION 0.1
#define SIM_INSTALL_STEPS       40 /* URC steps of 2–3 % (§3.1.1: increments may exceed 1) */
#define SIM_VALIDATION_STEPS    20
#define SIM_PROGRESS_SAVE_STEPS 4    /* DIR/install.progress every 10 % (an fsync each) */
#define SIM_RESET_MS            500  /* OK → reset → update mode */
#define SIM_FINAL_RESET_MS      1000 /* final code → reset into the firmware */
#define SIM_BOOT_WINDOW_START   40   /* % of the install that rewrites the boot section */
#define SIM_BOOT_WINDOW_END     60

struct sim_install {
    enum sim_inst_state state;
    enum sim_install_method method;
    char rel[PATH_MAX];
    enum sim_if urc_if;
    uint32_t urc_baud;
    bool urcs;
    unsigned timer;
    bool resumed;
    bool own_reset; /* inside the reset between "OK" and validation */

    struct pkg_header h;
    uint64_t pkg_len;  /* declared length: header + payload + signature */
    uint64_t file_len; /* bytes in the file (FOAT: with XMODEM padding) */
    uint64_t validate_ms, install_ms;
    uint64_t update_start_ms; /* virtual time validation began */
    uint64_t phase_start_ms;  /* virtual time the current phase's schedule starts */
    unsigned step;

    int fd; /* package, while validating */
    struct pkg_verify v;
    uint64_t hashed;

    struct pkg_apply a;
    bool apply_open;
    int out_fd; /* DIR/image.new */
    uint8_t chunk[64 * 1024];
};

/* Appendix A code of a package library error (sim_inst_codes[]). */
int sim_inst_code(int pkg_err);
/* A progress or final URC of the running update, where the method sends them. */
void sim_inst_urc(struct sim *s, const char *name, int value);
/* Validation and install durations from the payload size and the product's bound. */
void sim_inst_durations(struct sim *s, struct sim_install *in);
/* Arms step `next` of `steps` of a phase lasting `phase_ms` from in->phase_start_ms. */
void sim_inst_arm_step(struct sim *s, uint64_t phase_ms, unsigned next, unsigned steps);
/* Ends the update mode with a final code (> 100); the module resets shortly after. */
void sim_inst_finish(struct sim *s, int code);
/* Saves fw_phase = install before anything is written (§3.1.2, §4.3.1.3). */
void sim_inst_persist_install(struct sim *s);
/* Opens the payload and DIR/image.new and schedules the install steps. */
void sim_inst_install_begin(struct sim *s);
/* The install part's hooks (sim_install_cmd.c lists them). */
void sim_install_power_up(struct sim *s);
void sim_install_fini(struct sim *s);
/* Validation (sim_install_validate.c): the first step, and each timer step after it. */
void sim_inst_validate_begin(struct sim *s);
void sim_inst_validate_step(struct sim *s);

#endif
