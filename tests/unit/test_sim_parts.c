/* The platform's walks over a parts table (sim/platform/sim_part.c) with fake parts: hooks in
 * table order, commands found in any part, sockets handed back to the part that asked for
 * them, an install's final code to the part that started it and to the part whose download
 * brought the package, AT+UFWINSTALL asking the package's part. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <poll.h>

#include "sim_platform.h"

static char calls[256];

static void note(const char *what)
{
    strncat(calls, what, sizeof calls - strlen(calls) - 1);
}

static void a_up(struct sim *s)
{
    (void)s;
    note("a-up ");
}
static void b_up(struct sim *s)
{
    (void)s;
    note("b-up ");
}
static void b_reset(struct sim *s)
{
    (void)s;
    note("b-reset ");
}
static int a_cmd(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)s, (void)iface, (void)c;
    return SIM_RES_OK;
}
static int b_poll(struct sim *s, struct pollfd *fds, int max, uint64_t *timeout)
{
    (void)s;
    assert_int_equal(max, 2);
    fds[0].fd = 7;
    fds[1].fd = 8;
    *timeout = 5;
    return 2;
}
static void b_service(struct sim *s, const struct pollfd *fds, int n)
{
    (void)s;
    assert_int_equal(n, 2);
    assert_int_equal(fds[0].fd, 7);
    assert_int_equal(fds[1].fd, 8);
    note("b-service ");
}
static void a_result(struct sim *s, enum sim_install_method m, int code)
{
    (void)s;
    assert_int_equal(code, 128);
    note(m == SIM_INSTALL_FOTA ? "a-fota " : "a-other ");
}
static void b_result(struct sim *s, enum sim_install_method m, int code)
{
    (void)s;
    assert_int_equal(code, 128);
    note(m == SIM_INSTALL_UFOTA ? "b-ufota " : m == SIM_INSTALL_FOTA ? "b-fota " : "b-other ");
}
static bool b_may(const struct sim *s)
{
    (void)s;
    return false;
}

static const struct sim_cmd a_cmds[] = {{"+AAA", a_cmd}, {NULL, NULL}};
static const struct sim_part part_a = {
    .name = "a",
    .cmds = a_cmds,
    .power_up = a_up,
    .download = SIM_DL_FTP,
    .installs = 1u << SIM_INSTALL_FOTA,
    .install_result = a_result,
};
static const struct sim_part part_b = {
    .name = "b",
    .power_up = b_up,
    .reset = b_reset,
    .fds_max = 2,
    .poll_setup = b_poll,
    .service = b_service,
    .download = SIM_DL_LWM2M,
    .installs = 1u << SIM_INSTALL_UFOTA,
    .host_may_install = b_may,
    .install_result = b_result,
};
static const struct sim_part *const table[] = {&part_a, &part_b, NULL};

static void test_walks(void **state)
{
    (void)state;
    static struct sim s;
    memset(&s, 0, sizeof s);
    s.parts = table;
    calls[0] = '\0';
    sim_parts_reset(&s);
    sim_parts_power_up(&s);
    assert_string_equal(calls, "b-reset a-up b-up ");
    assert_non_null(sim_parts_cmd_find(&s, "+AAA"));
    assert_null(sim_parts_cmd_find(&s, "+BBB"));

    struct pollfd fds[4];
    int counts[SIM_PARTS_MAX];
    uint64_t timeout = 100;
    assert_int_equal(sim_parts_poll_setup(&s, fds, 4, &timeout, counts), 2);
    assert_int_equal(counts[0], 0);
    assert_int_equal(counts[1], 2);
    assert_int_equal(timeout, 5);
    calls[0] = '\0';
    sim_parts_service(&s, fds, counts);
    assert_string_equal(calls, "b-service ");

    /* the starter gets its result; a FOTA install of B's package reaches B as well */
    calls[0] = '\0';
    s.st.fota_pkg_source = SIM_DL_FTP;
    sim_parts_install_result(&s, SIM_INSTALL_FOTA, 128);
    assert_string_equal(calls, "a-fota ");
    calls[0] = '\0';
    s.st.fota_pkg_source = SIM_DL_LWM2M;
    sim_parts_install_result(&s, SIM_INSTALL_FOTA, 128);
    assert_string_equal(calls, "a-fota b-fota ");
    calls[0] = '\0';
    sim_parts_install_result(&s, SIM_INSTALL_UFOTA, 128);
    assert_string_equal(calls, "b-ufota ");
    calls[0] = '\0';
    sim_parts_install_result(&s, SIM_INSTALL_FOAT, 128);
    assert_string_equal(calls, "");

    /* AT+UFWINSTALL asks the part whose download brought the pending package */
    assert_false(sim_parts_host_may_install(&s)); /* B's (LwM2M) */
    s.st.fota_pkg_source = SIM_DL_FTP;
    assert_true(sim_parts_host_may_install(&s)); /* A has no objection */
    s.st.fota_pkg_source = SIM_DL_PUSH;
    assert_true(sim_parts_host_may_install(&s)); /* nobody's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
