/* A simulated module in the test process, for cmocka tests of the AT interpreter: no pty,
 * output captured, state in a temporary directory. Shared by the simulator's unit tests. */
#ifndef LARAFW_TEST_SIM_FIXTURE_H
#define LARAFW_TEST_SIM_FIXTURE_H

#include "sim_platform.h"

/* The module under test (one per test process). */
extern struct sim sim;

/* Factory-programs a module of `product` (NULL: the default) in a new temporary directory
 * named after `tag`, powers it up with echo off and an empty output. 0 or -1. */
int sim_fixture_setup(const char *product, const char *tag);
/* Drops a half-received +UDWNFILE and removes the state directory. 0 or -1. */
int sim_fixture_teardown(void);
/* Feeds `text` to the UART's AT input after clearing the captured output. */
void sim_fixture_feed(const char *text);
/* What the module wrote since the last feed. */
const char *sim_fixture_output(void);
/* Feeds `line` and fails the test unless the module answered exactly `response`. */
void sim_fixture_expect(const char *line, const char *response);

#endif
