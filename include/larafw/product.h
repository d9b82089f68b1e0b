/* Product versions and what they can do (MODULE.md §1; §3.1, §4.2.1, §4.2.2, §5.3, §5.4).
 * One const table inside the library; lookups return pointers into it. */
#ifndef LARAFW_PRODUCT_H
#define LARAFW_PRODUCT_H

#include <stdbool.h>
#include <stdint.h>

#include "larafw/error.h"

enum lfw_product_id {
    LFW_PRODUCT_UNKNOWN = 0, /* conservative: 65 min install, no 3000000 bit/s */
    LFW_PRODUCT_R6001D_00B,  /* LARA-R6001D-00B: no +UFWPREVAL step */
    LFW_PRODUCT_R6004D_00B,  /* LARA-R6004D-00B: no FOAT at 3000000 bit/s */
    LFW_PRODUCT_R6_00B,      /* other LARA-R6 "00B" */
    LFW_PRODUCT_R6_01B,      /* LARA-R6 "01B" */
    LFW_PRODUCT_L6004_00B,   /* LARA-L6004-00B: no 3000000 bit/s */
    LFW_PRODUCT_L6,          /* other LARA-L6 */
    LFW_PRODUCT_COUNT
};

/* Feature bits. */
#define LFW_FEAT_PREVAL        (1u << 0) /* validation step with +UFWPREVAL URCs */
#define LFW_FEAT_BAUD_3M       (1u << 1) /* FOAT / +UDWNFILE at 3000000 bit/s (§3.1) */
#define LFW_FEAT_FTP_HTTP_FOTA (1u << 2) /* FOTA download by FTP/HTTP (§4.2.1, §4.2.2) */
#define LFW_FEAT_UFOTA_CONTROL (1u << 3) /* +UFOTA pause/resume/read (§5.3) */
#define LFW_FEAT_UFOTACONFIG   (1u << 4) /* +UFOTACONFIG (§5.4) */

#define LFW_INSTALL_MAX_00B_MS  (65u * 60u * 1000u) /* §3.1: LARA-R6 "00B" */
#define LFW_INSTALL_MAX_MS      (3u * 60u * 1000u)  /* §3.1: R6 "01B" and LARA-L6 */
#define LFW_FOTA_INSTALL_MAX_MS (20u * 60u * 1000u) /* §5.5 Table 4: 2-9 MB delta */

struct lfw_product {
    enum lfw_product_id id;
    const char *name;        /* "LARA-R6 01B", for messages */
    const char *model;       /* model prefix matched: "LARA-R6001D", "LARA-R6", … */
    const char *variant;     /* "00B", "01B" or NULL (any) */
    uint32_t install_max_ms; /* FOAT install upper bound (§3.1) */
    uint32_t features;       /* LFW_FEAT_… */
};

/* Entry for `id`; unknown ids give the LFW_PRODUCT_UNKNOWN entry. Never NULL. */
const struct lfw_product *lfw_product_get(enum lfw_product_id id);

/* Finds the product in an identification text such as the answer of ATI or AT+CGMM, e.g.
 * "LARA-R6001D-01B-00" or "Model: LARA-L6004-00B". The type number ("LARA-R6401D") and the
 * product version ("00B"/"01B") are looked for; a text without a version gives the
 * conservative entry of its series (R6 → "00B" limits). Never NULL (UNKNOWN entry). */
const struct lfw_product *lfw_product_match(const char *ident);

/* True when the product has every bit of `features`. */
bool lfw_product_has(const struct lfw_product *p, uint32_t features);

/* Whether the module can run at `baud` for a transfer: 3000000 only with LFW_FEAT_BAUD_3M.
 * Returns 0 or LFW_ENOTSUP (from error.h). */
int lfw_product_check_baud(const struct lfw_product *p, uint32_t baud) LFW_WARN_UNUSED;

#endif /* LARAFW_PRODUCT_H */
