/* Unit tests of the simulator's AT command line parser (sim/sim_at.c): command forms, basic
 * commands, parameters (quoted, empty, numeric, blanks) and every rejection path. Inputs are
 * copied into exact-size heap buffers without a terminator so that ASan catches over-reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

static struct sim_at_cmd cmd;

static int parse(const char *text)
{
    size_t len = strlen(text);
    char *exact = malloc(len ? len : 1);
    assert_non_null(exact);
    memcpy(exact, text, len);
    int rc = sim_at_parse(exact, len, &cmd);
    free(exact);
    return rc;
}

static void test_plain_at(void **state)
{
    (void)state;
    assert_int_equal(parse("AT"), 0);
    assert_string_equal(cmd.name, "");
    assert_int_equal(cmd.type, SIM_AT_ACTION);
    assert_int_equal(parse("at"), 0);
    assert_int_equal(parse("AT  "), 0); /* trailing blanks */
}

static void test_basic_commands(void **state)
{
    (void)state;
    assert_int_equal(parse("ATE0"), 0);
    assert_string_equal(cmd.name, "E");
    assert_int_equal(cmd.basic_value, 0);
    assert_int_equal(parse("ate1"), 0);
    assert_int_equal(cmd.basic_value, 1);
    assert_int_equal(parse("ATI9"), 0);
    assert_string_equal(cmd.name, "I");
    assert_int_equal(cmd.basic_value, 9);
    assert_int_equal(parse("ATI"), 0);
    assert_int_equal(cmd.basic_value, -1);
    assert_int_equal(parse("AT&F"), 0);
    assert_string_equal(cmd.name, "&F");
    assert_int_equal(parse("AT&W0"), 0);
    assert_string_equal(cmd.name, "&W");
    assert_int_equal(cmd.basic_value, 0);
}

static void test_extended_forms(void **state)
{
    (void)state;
    assert_int_equal(parse("AT+CGMR"), 0);
    assert_string_equal(cmd.name, "+CGMR");
    assert_int_equal(cmd.type, SIM_AT_ACTION);
    assert_int_equal(parse("at+cmee?"), 0);
    assert_string_equal(cmd.name, "+CMEE");
    assert_int_equal(cmd.type, SIM_AT_READ);
    assert_int_equal(parse("AT+IPR=?"), 0);
    assert_int_equal(cmd.type, SIM_AT_TEST);
    assert_int_equal(parse("AT+IPR=115200"), 0);
    assert_int_equal(cmd.type, SIM_AT_SET);
    assert_int_equal(cmd.nparams, 1);
    assert_true(cmd.p[0].present);
    assert_true(cmd.p[0].is_num);
    assert_int_equal(cmd.p[0].num, 115200);
    assert_int_equal(parse("AT+X="), 0);
    assert_int_equal(cmd.type, SIM_AT_SET);
    assert_int_equal(cmd.nparams, 0);
}

static void test_parameters(void **state)
{
    (void)state;
    assert_int_equal(parse("AT+UDWNFILE=\"a,b\",12,\"FOAT\""), 0);
    assert_int_equal(cmd.nparams, 3);
    assert_true(cmd.p[0].quoted);
    assert_string_equal(cmd.p[0].str, "a,b");
    assert_false(cmd.p[0].is_num);
    assert_int_equal(cmd.p[1].num, 12);
    assert_string_equal(cmd.p[2].str, "FOAT");

    assert_int_equal(parse("AT+X=1,,3"), 0);
    assert_int_equal(cmd.nparams, 3);
    assert_false(cmd.p[1].present);
    assert_string_equal(cmd.p[1].str, "");
    assert_int_equal(cmd.p[2].num, 3);

    assert_int_equal(parse("AT+X=1,"), 0);
    assert_int_equal(cmd.nparams, 2);
    assert_false(cmd.p[1].present);

    assert_int_equal(parse("AT+X= 7 , \"s p\" ,abc "), 0);
    assert_int_equal(cmd.nparams, 3);
    assert_int_equal(cmd.p[0].num, 7);
    assert_string_equal(cmd.p[1].str, "s p");
    assert_string_equal(cmd.p[2].str, "abc");
    assert_false(cmd.p[2].is_num);

    assert_int_equal(parse("AT+X=\"\""), 0);
    assert_true(cmd.p[0].present);
    assert_true(cmd.p[0].quoted);
    assert_string_equal(cmd.p[0].str, "");
}

static void test_numbers(void **state)
{
    (void)state;
    assert_int_equal(parse("AT+X=-5,+6,12a,\"12\",9223372036854775807,-9223372036854775808"), 0);
    assert_true(cmd.p[0].is_num);
    assert_int_equal(cmd.p[0].num, -5);
    assert_true(cmd.p[1].is_num);
    assert_int_equal(cmd.p[1].num, 6);
    assert_false(cmd.p[2].is_num);
    assert_false(cmd.p[3].is_num); /* quoted */
    assert_true(cmd.p[4].is_num);
    assert_true(cmd.p[4].num == 9223372036854775807LL);
    assert_true(cmd.p[5].is_num);
    assert_true(cmd.p[5].num == (-9223372036854775807LL - 1));
    assert_int_equal(parse("AT+X=9223372036854775808,18446744073709551615,-"), 0);
    assert_false(cmd.p[0].is_num);
    assert_false(cmd.p[1].is_num);
    assert_false(cmd.p[2].is_num);
}

static void test_rejections(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "A",
        "XT",
        "AT+",
        "AT+X=\"open",
        "AT+X=\"a\"b",
        "ATE0V1",
        "AT+X?1",
        "AT+X=?1",
        "AT+CGMR;+CGMI",
        "AT=1",
        "AT&",
        "AT+X=a\"b\"",
        "ATE999999",
        "AT+X\x01",
        "AT\x7f",
        "AT+X=1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i]) != -1)
            fail_msg("accepted: %s", bad[i]);
    }
    /* too many parameters */
    assert_int_equal(parse("AT+X=1,2,3,4,5,6,7,8,9,10,11,12"), 0);
    assert_int_equal(cmd.nparams, 12);
    assert_int_equal(parse("AT+X=1,2,3,4,5,6,7,8,9,10,11,12,13"), -1);
    assert_int_equal(parse("AT+X=1,2,3,4,5,6,7,8,9,10,11,12,"), -1);
    /* a name longer than the buffer */
    char name[64] = "AT+";
    memset(name + 3, 'N', 40);
    name[43] = '\0';
    assert_int_equal(parse(name), -1);
    /* a line as long as the buffer */
    char *line = malloc(SIM_AT_LINE_MAX + 1);
    assert_non_null(line);
    memcpy(line, "AT+X=", 5);
    memset(line + 5, '1', SIM_AT_LINE_MAX - 5);
    line[SIM_AT_LINE_MAX] = '\0';
    assert_int_equal(parse(line), -1);
    line[SIM_AT_LINE_MAX - 1] = '\0'; /* one shorter fits */
    assert_int_equal(parse(line), 0);
    free(line);
    /* NULL arguments */
    assert_int_equal(sim_at_parse(NULL, 0, &cmd), -1);
    assert_int_equal(sim_at_parse("AT", 2, NULL), -1);
    /* an embedded NUL is a control character */
    assert_int_equal(sim_at_parse("AT\0E", 4, &cmd), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_at),       cmocka_unit_test(test_basic_commands),
        cmocka_unit_test(test_extended_forms), cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_numbers),        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
