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
static struct sim_module sim_default;

/* The modules that capture output now: the out_hook finds its module by its struct sim. */
#define SIM_FIXTURE_MODULES 8
static struct sim_module *sim_live[SIM_FIXTURE_MODULES];

static void capture(struct sim *s, enum sim_if iface, const void *buf, size_t len)
{
    (void)iface;
    for (int i = 0; i < SIM_FIXTURE_MODULES; i++) {
        struct sim_module *m = sim_live[i];
        if (!m || m->s != s)
            continue;
        if (len > sizeof m->out - 1 - m->out_len)
            len = sizeof m->out - 1 - m->out_len;
        memcpy(m->out + m->out_len, buf, len);
        m->out_len += len;
        m->out[m->out_len] = '\0';
        return;
    }
}

int sim_module_setup(struct sim_module *m, struct sim *s, const char *product, const char *tag)
{
    memset(m, 0, sizeof *m);
    m->s = s;
    if (sim_init(s) != 0)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/larafw-%s-unit-XXXXXX", tag);
    if (!mkdtemp(s->dir))
        return -1;
    s->product = product ? sim_product_find(product) : sim_product_default();
    if (!s->product)
        return -1;
    s->no_fsync = true;
    s->out_hook = capture;
    int slot = 0;
    while (slot < SIM_FIXTURE_MODULES && sim_live[slot])
        slot++;
    if (slot == SIM_FIXTURE_MODULES)
        return -1;
    sim_live[slot] = m;
    sim_clock_start(s);
    if (sim_state_factory(s, NULL, NULL) != 0)
        return -1;
    sim_power_up(s);
    s->port[SIM_IF_UART].echo = false;
    m->out_len = 0;
    m->out[0] = '\0';
    return 0;
}

int sim_module_teardown(struct sim_module *m)
{
    for (int i = 0; i < SIM_FIXTURE_MODULES; i++) {
        if (sim_live[i] == m)
            sim_live[i] = NULL;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", m->s->dir);
    sim_fini(m->s);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

void sim_module_feed(struct sim_module *m, const char *text)
{
    m->out_len = 0;
    m->out[0] = '\0';
    sim_uart_feed_at(m->s, SIM_IF_UART, (const uint8_t *)text, strlen(text));
}

void sim_module_expect(struct sim_module *m, const char *line, const char *response)
{
    sim_module_feed(m, line);
    if (strcmp(m->out, response) != 0)
        fail_msg("%s: %s -> '%s', expected '%s'", m->s->dir, line, m->out, response);
}

int sim_fixture_setup(const char *product, const char *tag)
{
    return sim_module_setup(&sim_default, &sim, product, tag);
}

int sim_fixture_teardown(void)
{
    return sim_module_teardown(&sim_default);
}

void sim_fixture_feed(const char *text)
{
    sim_module_feed(&sim_default, text);
}

const char *sim_fixture_output(void)
{
    return sim_default.out;
}

void sim_fixture_expect(const char *line, const char *response)
{
    sim_module_expect(&sim_default, line, response);
}
