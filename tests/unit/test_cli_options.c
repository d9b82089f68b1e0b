/* Command-line parsing of `larafw` (src/cli/options.c). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

#define ARGV(...) ((char *const[]){"larafw", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"larafw", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, env, err, ...)                                                                    \
    lfw_cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), env, o, err, sizeof err)

static void test_info_defaults(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, NULL, err, "-p", "/dev/ttyUSB0", "info"), 0);
    assert_int_equal(o.cmd, LFW_CMD_INFO);
    assert_string_equal(o.port, "/dev/ttyUSB0");
    assert_int_equal(o.baud, 115200);
    assert_false(o.json);
    assert_int_equal(o.verbosity, 0);
    assert_null(o.at_log);
}

static void test_env_port_and_override(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, "/dev/envport", err, "info"), 0);
    assert_string_equal(o.port, "/dev/envport");
    assert_int_equal(PARSE(&o, "/dev/envport", err, "--port=/dev/x", "info"), 0);
    assert_string_equal(o.port, "/dev/x");
    assert_int_equal(PARSE(&o, "", err, "info"), LFW_EXIT_USAGE);
    assert_non_null(strstr(err, "LARAFW_PORT"));
}

static void test_global_options_anywhere(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, NULL, err, "info", "--json", "-p", "/dev/a", "-b", "921600",
                           "--at-log", "at.log", "-vv"),
                     0);
    assert_true(o.json);
    assert_int_equal(o.baud, 921600);
    assert_string_equal(o.at_log, "at.log");
    assert_int_equal(o.verbosity, 2);
    assert_int_equal(PARSE(&o, NULL, err, "-q", "-p/dev/b", "info"), 0);
    assert_int_equal(o.verbosity, -1);
    assert_string_equal(o.port, "/dev/b");
}

static void test_foat(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "fw.upd", "--rate", "921600", "--usb"), 0);
    assert_int_equal(o.cmd, LFW_CMD_FOAT);
    assert_string_equal(o.pkg, "fw.upd");
    assert_int_equal(o.rate, 921600);
    assert_true(o.usb);
    assert_false(o.xmodem_128);
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "--checksum", "--timeout=90", "a.upd"), 0);
    assert_true(o.checksum);
    assert_true(o.xmodem_128);
    assert_int_equal(o.timeout_s, 90);
    assert_string_equal(o.pkg, "a.upd");
    /* a file called like an option after -- */
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "--", "--weird.upd"), 0);
    assert_string_equal(o.pkg, "--weird.upd");
}

static void test_push_install(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, "/dev/p", err, "push", "d.pkg", "--rate=3000000", "--name", "x"), 0);
    assert_int_equal(o.cmd, LFW_CMD_PUSH);
    assert_int_equal(o.rate, 3000000);
    assert_string_equal(o.name, "x");
    assert_int_equal(PARSE(&o, "/dev/p", err, "install", "--no-wait"), 0);
    assert_int_equal(o.cmd, LFW_CMD_INSTALL);
    assert_true(o.no_wait);
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(PARSE(&o, "/dev/p", err, "frobnicate"), LFW_EXIT_USAGE);
    assert_non_null(strstr(err, "unknown command 'frobnicate'"));
    assert_non_null(strstr(err, "larafw --help"));
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat"), LFW_EXIT_USAGE);
    assert_non_null(strstr(err, "no package"));
    assert_non_null(strstr(err, "larafw foat --help"));
    assert_int_equal(PARSE(&o, "/dev/p", err, "info", "--usb"), LFW_EXIT_USAGE);
    assert_non_null(strstr(err, "does not apply"));
    assert_int_equal(PARSE(&o, "/dev/p", err, "--rate", "9600", "foat", "x"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "x", "--rate"), LFW_EXIT_USAGE);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "x", "--rate", "fast"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "-b", "0", "info"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "-b", "-5", "info"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "-b", "115200x", "info"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "info", "extra"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "foat", "a", "b"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "--json=yes", "info"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "-x", "info"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "install", "--timeout", "0"), LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, "/dev/p", err, "--port="), LFW_EXIT_USAGE);
}

static void test_help_version(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    assert_int_equal(lfw_cli_parse(1, (char *const[]){"larafw", NULL}, NULL, &o, err, sizeof err),
                     LFW_EXIT_USAGE);
    assert_int_equal(PARSE(&o, NULL, err, "--help"), 0);
    assert_true(o.help);
    assert_int_equal(o.cmd, LFW_CMD_NONE);
    assert_int_equal(PARSE(&o, NULL, err, "foat", "--help"), 0);
    assert_true(o.help);
    assert_int_equal(o.cmd, LFW_CMD_FOAT);
    assert_int_equal(PARSE(&o, NULL, err, "--version"), 0);
    assert_true(o.version);
    assert_int_equal(PARSE(&o, NULL, err, "info", "--version"), LFW_EXIT_USAGE);
}

static void test_baud_parse(void **state)
{
    (void)state;
    uint32_t b;
    assert_int_equal(lfw_cli_parse_baud("3000000", &b), 0);
    assert_int_equal(b, 3000000);
    assert_int_equal(lfw_cli_parse_baud("", &b), -1);
    assert_int_equal(lfw_cli_parse_baud("0115200", &b), -1);
    assert_int_equal(lfw_cli_parse_baud("99999999999999999999", &b), -1);
    assert_int_equal(lfw_cli_parse_baud(NULL, &b), -1);
}

static void test_ports(void **state)
{
    (void)state;
    struct lfw_cli_opts o;
    char err[256];
    /* ports needs no port; --probe belongs to it only */
    assert_int_equal(PARSE(&o, NULL, err, "ports"), 0);
    assert_int_equal(o.cmd, LFW_CMD_PORTS);
    assert_false(o.probe);
    assert_null(o.port);
    assert_int_equal(PARSE(&o, NULL, err, "--json", "ports", "--probe", "-b", "921600"), 0);
    assert_true(o.probe);
    assert_true(o.json);
    assert_int_equal(o.baud, 921600);
    assert_int_equal(PARSE(&o, NULL, err, "-p", "auto", "info", "--probe"), 2);
    assert_non_null(strstr(err, "'--probe' does not apply"));
    /* "auto" is a port name for the parser; main resolves it (cmd_ports.c) */
    assert_int_equal(PARSE(&o, "auto", err, "info"), 0);
    assert_string_equal(o.port, "auto");
    assert_int_equal(PARSE(&o, NULL, err, "info"), 2);
    assert_non_null(strstr(err, "-p auto"));
}

static void test_usage_text(void **state)
{
    (void)state;
    const enum lfw_cli_cmd cmds[] = {LFW_CMD_NONE, LFW_CMD_INFO,    LFW_CMD_FOAT,
                                     LFW_CMD_PUSH, LFW_CMD_INSTALL, LFW_CMD_PORTS};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char buf[4096] = {0};
        FILE *f = fmemopen(buf, sizeof buf - 1, "w");
        assert_non_null(f);
        lfw_cli_usage(f, cmds[i]);
        fclose(f);
        assert_non_null(strstr(buf, "usage: larafw"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_defaults),
        cmocka_unit_test(test_env_port_and_override),
        cmocka_unit_test(test_global_options_anywhere),
        cmocka_unit_test(test_foat),
        cmocka_unit_test(test_push_install),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_baud_parse),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_usage_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
