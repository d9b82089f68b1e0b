/* Simulated modules in the test process, for cmocka tests of the AT interpreter: no pty,
 * output captured, state in a temporary directory. Shared by the simulator's unit tests.
 * Any number of modules can live side by side (struct sim_module); the sim_fixture_* calls
 * work on one default module, `sim`. */
#ifndef LARAFW_TEST_SIM_FIXTURE_H
#define LARAFW_TEST_SIM_FIXTURE_H

#include "sim_platform.h"

/* One module and what it wrote since the last feed. */
struct sim_module {
    struct sim *s;
    char out[65536];
    size_t out_len;
};

/* Sets up *s (sim_init), factory-programs a module of `product` (NULL: the default) in a new
 * temporary directory named after `tag`, powers it up with echo off and an empty output.
 * 0 or -1. */
int sim_module_setup(struct sim_module *m, struct sim *s, const char *product, const char *tag);
/* Frees the module (sim_fini) and removes its state directory. 0 or -1. */
int sim_module_teardown(struct sim_module *m);
/* Feeds `text` to the module's UART AT input after clearing its captured output. */
void sim_module_feed(struct sim_module *m, const char *text);
/* Feeds `line` and fails the test unless the module answered exactly `response`. */
void sim_module_expect(struct sim_module *m, const char *line, const char *response);

/* The default module under test. */
extern struct sim sim;

int sim_fixture_setup(const char *product, const char *tag);
int sim_fixture_teardown(void);
void sim_fixture_feed(const char *text);
/* What the default module wrote since the last feed. */
const char *sim_fixture_output(void);
void sim_fixture_expect(const char *line, const char *response);

#endif
