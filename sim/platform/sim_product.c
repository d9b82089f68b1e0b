/* Product versions and what each one can do (MODULE.md §1; note §3.1, §4.2.1, §4.2.2, §5.3,
 * §5.4). The table decides; no code elsewhere compares product names. */
#include "sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MIN_S(m) ((uint32_t)(m)*60u)

static const struct sim_product sim_products[] = {
    /* name               model          l6     b01    preval rate3m ftp    ufctl  ufcfg  install */
    {"LARA-R6001D-00B", "LARA-R6001D", false, false, false, true, true, false, false, MIN_S(65)},
    {"LARA-R6004D-00B", "LARA-R6004D", false, false, true, false, true, false, false, MIN_S(65)},
    {"LARA-R6001D-01B", "LARA-R6001D", false, true, true, true, true, true, true, MIN_S(3)},
    {"LARA-L6004-00B", "LARA-L6004", true, false, true, false, false, false, false, MIN_S(3)},
    {"LARA-L6004D-01B", "LARA-L6004D", true, false, true, true, false, false, false, MIN_S(3)},
};

#define SIM_PRODUCT_COUNT (sizeof sim_products / sizeof sim_products[0])

const struct sim_product *sim_product_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < SIM_PRODUCT_COUNT; i++) {
        if (strcmp(sim_products[i].name, name) == 0)
            return &sim_products[i];
    }
    return NULL;
}

const struct sim_product *sim_product_default(void)
{
    return sim_product_find("LARA-R6001D-01B");
}

void sim_product_list(char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < SIM_PRODUCT_COUNT; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", sim_products[i].name);
        if (n < 0 || (size_t)n >= len - used)
            return; /* truncated, still NUL-terminated */
        used += (size_t)n;
    }
}

/* The rates of +IPR and +UFWINSTALL (§3.1; 3 Mbit/s per product, MODULE.md §1). */
static const uint32_t sim_uart_rates[] = {9600,   19200,  38400,  57600,  115200,
                                          230400, 460800, 921600, 3000000};

bool sim_uart_rate_known(long long baud)
{
    for (size_t i = 0; i < sizeof sim_uart_rates / sizeof sim_uart_rates[0]; i++)
        if ((long long)sim_uart_rates[i] == baud)
            return true;
    return false;
}

void sim_uart_rate_list(const struct sim_product *p, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof sim_uart_rates / sizeof sim_uart_rates[0]; i++) {
        if (sim_uart_rates[i] == 3000000 && !p->rate_3m)
            continue;
        int n = snprintf(buf + used, len - used, "%s%" PRIu32, used ? "," : "", sim_uart_rates[i]);
        if (n < 0 || (size_t)n >= len - used)
            return;
        used += (size_t)n;
    }
}
