/* See sim_fixture.h. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_fixture.h"

struct sim sim;
static char out[65536];
static size_t out_len;

static void capture(struct sim *s, enum sim_if iface, const void *buf, size_t len)
{
    (void)s;
    (void)iface;
    if (len > sizeof out - 1 - out_len)
        len = sizeof out - 1 - out_len;
    memcpy(out + out_len, buf, len);
    out_len += len;
    out[out_len] = '\0';
}

int sim_fixture_setup(const char *product, const char *tag)
{
    memset(&sim, 0, sizeof sim);
    snprintf(sim.dir, sizeof sim.dir, "/tmp/larafw-%s-unit-XXXXXX", tag);
    if (!mkdtemp(sim.dir))
        return -1;
    sim.product = product ? sim_product_find(product) : sim_product_default();
    if (!sim.product)
        return -1;
    sim.time_scale = 1.0;
    sim.report_fd = -1;
    sim.no_fsync = true;
    sim.out_hook = capture;
    sim_faults_init(&sim.faults);
    sim_clock_start(&sim);
    if (sim_state_factory(&sim, NULL, NULL) != 0)
        return -1;
    sim_power_up(&sim);
    sim.port[SIM_IF_UART].echo = false;
    out_len = 0;
    out[0] = '\0';
    return 0;
}

int sim_fixture_teardown(void)
{
    sim_files_abort(&sim);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sim.dir);
    return system(cmd) == 0 ? 0 : -1;
}

void sim_fixture_feed(const char *text)
{
    out_len = 0;
    out[0] = '\0';
    sim_uart_feed_at(&sim, SIM_IF_UART, (const uint8_t *)text, strlen(text));
}

const char *sim_fixture_output(void)
{
    return out;
}

void sim_fixture_expect(const char *line, const char *response)
{
    sim_fixture_feed(line);
    if (strcmp(out, response) != 0)
        fail_msg("%s -> '%s', expected '%s'", line, out, response);
}
