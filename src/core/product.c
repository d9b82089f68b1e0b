/* Product versions and their features (MODULE.md §1). */
#include <stddef.h>
#include <string.h>

#include "larafw/product.h"

/* Order matters for lfw_product_match: specific type numbers first, then the series. */
static const struct lfw_product products[] = {
    {LFW_PRODUCT_UNKNOWN, "unknown product", "", NULL, LFW_INSTALL_MAX_00B_MS, LFW_FEAT_PREVAL},
    /* §3.1.1 note: R6001D-00B has no pre-validation step. */
    {LFW_PRODUCT_R6001D_00B, "LARA-R6001D-00B", "LARA-R6001D", "00B", LFW_INSTALL_MAX_00B_MS,
     LFW_FEAT_BAUD_3M | LFW_FEAT_FTP_HTTP_FOTA},
    /* §3.1: no FOAT at 3000000 bit/s. */
    {LFW_PRODUCT_R6004D_00B, "LARA-R6004D-00B", "LARA-R6004D", "00B", LFW_INSTALL_MAX_00B_MS,
     LFW_FEAT_PREVAL | LFW_FEAT_FTP_HTTP_FOTA},
    {LFW_PRODUCT_R6_00B, "LARA-R6 00B", "LARA-R6", "00B", LFW_INSTALL_MAX_00B_MS,
     LFW_FEAT_PREVAL | LFW_FEAT_BAUD_3M | LFW_FEAT_FTP_HTTP_FOTA},
    {LFW_PRODUCT_R6_01B, "LARA-R6 01B", "LARA-R6", "01B", LFW_INSTALL_MAX_MS,
     LFW_FEAT_PREVAL | LFW_FEAT_BAUD_3M | LFW_FEAT_FTP_HTTP_FOTA | LFW_FEAT_UFOTA_CONTROL |
         LFW_FEAT_UFOTACONFIG},
    /* §3.1: no 3000000 bit/s; §4.2.1/§4.2.2: no FTP/HTTP FOTA on LARA-L6. */
    {LFW_PRODUCT_L6004_00B, "LARA-L6004-00B", "LARA-L6004", "00B", LFW_INSTALL_MAX_MS,
     LFW_FEAT_PREVAL},
    {LFW_PRODUCT_L6, "LARA-L6", "LARA-L6", NULL, LFW_INSTALL_MAX_MS,
     LFW_FEAT_PREVAL | LFW_FEAT_BAUD_3M},
};

const struct lfw_product *lfw_product_get(enum lfw_product_id id)
{
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++) {
        if (products[i].id == id) {
            return &products[i];
        }
    }
    return &products[0];
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Finds the product version ("00B", "01B", …) in the type number after `model`:
 * "LARA-R6001D-01B-00" → "01B". Returns true and copies 3 chars into v[4]. */
static bool find_variant(const char *after, char v[4])
{
    while (is_alnum(*after)) {
        after++; /* rest of the type number: "LARA-R6" + "001D" */
    }
    if (after[0] != '-') {
        return false;
    }
    after++;
    if (after[0] >= '0' && after[0] <= '9' && after[1] >= '0' && after[1] <= '9' &&
        after[2] >= 'A' && after[2] <= 'Z' && !is_alnum(after[3])) {
        memcpy(v, after, 3);
        v[3] = '\0';
        return true;
    }
    return false;
}

/* True when `p` starts a type number: "LARA-R6" / "LARA-L6" followed by a digit
 * ("LARA-R6001D"), not a firmware version such as "LARA-R6.01.00". */
static bool is_type_number(const char *p)
{
    return (strncmp(p, "LARA-R6", 7) == 0 || strncmp(p, "LARA-L6", 7) == 0) && p[7] >= '0' &&
           p[7] <= '9';
}

const struct lfw_product *lfw_product_match(const char *ident)
{
    if (ident == NULL) {
        return &products[0];
    }
    /* The first type number with a product version wins, else the first type number. */
    const char *series = NULL;
    char variant[4] = "";
    bool has_variant = false;
    for (const char *p = ident; *p != '\0' && !has_variant; p++) {
        if (!is_type_number(p)) {
            continue;
        }
        if (series == NULL || find_variant(p + 7, variant)) {
            series = p;
            has_variant = find_variant(p + 7, variant);
        }
    }
    if (series == NULL) {
        return &products[0];
    }
    for (size_t i = 1; i < sizeof products / sizeof products[0]; i++) {
        const struct lfw_product *p = &products[i];
        if (strncmp(series, p->model, strlen(p->model)) != 0) {
            continue;
        }
        if (p->variant == NULL) {
            return p;
        }
        /* Without a product version a LARA-R6 gets the "00B" limits: the longest install
         * time and the fewest features. */
        if (!has_variant ? strcmp(p->variant, "00B") == 0 : strcmp(p->variant, variant) == 0) {
            return p;
        }
    }
    /* An R6 with another version ("02B"?): treat like the newest known one. */
    if (series[5] == 'R') {
        return lfw_product_get(LFW_PRODUCT_R6_01B);
    }
    return &products[0];
}

bool lfw_product_has(const struct lfw_product *p, uint32_t features)
{
    return p != NULL && (p->features & features) == features;
}

int lfw_product_check_baud(const struct lfw_product *p, uint32_t baud)
{
    if (baud >= 3000000u && !lfw_product_has(p, LFW_FEAT_BAUD_3M)) {
        return LFW_ENOTSUP;
    }
    return 0;
}
