/* The AT log (src/cli/atlog.c): escapes, timestamps, XMODEM summaries, redaction. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

static char buf[16384];
/* 2026-11-25 12:00:01.234 UTC */
#define T0 1795608001234ull

static FILE *open_log(struct lfw_atlog *l)
{
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    lfw_atlog_attach(l, f);
    return f;
}

static void tx(struct lfw_atlog *l, const char *s, uint64_t t)
{
    lfw_atlog_tx(l, (const uint8_t *)s, strlen(s), t);
}

static void rx(struct lfw_atlog *l, const char *s, uint64_t t)
{
    lfw_atlog_rx(l, (const uint8_t *)s, strlen(s), t);
}

static void test_escape(void **state)
{
    (void)state;
    char out[64];
    const uint8_t in[] = {'A', '\r', '\n', '\\', 0x06, 0x15, 0x00, 0xff, '\t'};
    lfw_escape_bytes(in, sizeof in, out, sizeof out);
    assert_string_equal(out, "A\\r\\n\\\\<ACK><NAK>\\x00\\xff\\t");
    /* never splits an escape */
    char small[6];
    lfw_escape_bytes(in, sizeof in, small, sizeof small);
    assert_string_equal(small, "A\\r\\n");
}

static void test_lines_and_stamps(void **state)
{
    (void)state;
    struct lfw_atlog l;
    FILE *f = open_log(&l);
    tx(&l, "AT+CGMR", T0);
    tx(&l, "\r", T0 + 1);
    rx(&l, "\r\nLARA-R6001D", T0 + 5);
    rx(&l, "-01B\r\n\r\nOK\r\n", T0 + 7);
    lfw_atlog_note(&l, T0 + 9, "baud %u", 921600u);
    lfw_atlog_close(&l);
    (void)f;
    const char *want = "2026-11-25 12:00:01.234 >> AT+CGMR\\r\n"
                       "2026-11-25 12:00:01.239 << \\r\\n\n"
                       "2026-11-25 12:00:01.239 << LARA-R6001D-01B\\r\\n\n"
                       "2026-11-25 12:00:01.241 << \\r\\n\n"
                       "2026-11-25 12:00:01.241 << OK\\r\\n\n"
                       "2026-11-25 12:00:01.243 -- baud 921600\n";
    assert_string_equal(buf, want);
}

static void test_redacts_both_ways(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    tx(&l, "AT+UFTP=3,\"hunter2\"\r", T0);
    rx(&l, "\r\n+UFTP: 3,\"hunter2\"\r\n", T0);
    tx(&l, "AT+UHTTP=0,3,\"hunter2\"\r", T0);
    tx(&l, "AT+UHTTPC=0,100,\"http://u:hunter2@h/p\"\r", T0);
    lfw_atlog_close(&l);
    assert_null(strstr(buf, "hunter2"));
    assert_non_null(strstr(buf, ">> AT+UFTP=3,\"***\"\\r\n"));
    assert_non_null(strstr(buf, "<< +UFTP: 3,\"***\"\\r\\n\n"));
    assert_non_null(strstr(buf, "http://***@h/p"));
}

static void send_block(struct lfw_atlog *l, uint8_t hdr, uint8_t no, size_t data, size_t tail,
                       size_t chunk)
{
    uint8_t b[1029];
    size_t n = 3 + data + tail;
    memset(b, 0x5a, sizeof b);
    b[0] = hdr;
    b[1] = no;
    b[2] = (uint8_t)(255 - no);
    b[3] = hdr; /* data that looks like a header must not confuse the summary */
    for (size_t off = 0; off < n; off += chunk)
        lfw_atlog_tx(l, b + off, off + chunk > n ? n - off : chunk, T0);
}

static void test_xmodem_summary_crc(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    tx(&l, "AT+UFWUPD=3\r", T0);
    rx(&l, "\r\n+UFWUPD: ONGOING\r\n", T0);
    rx(&l, "C", T0);
    send_block(&l, 0x02, 1, 1024, 2, 1029);
    rx(&l, "\x06", T0);
    send_block(&l, 0x02, 2, 1024, 2, 100); /* written in pieces */
    rx(&l, "\x15", T0);
    send_block(&l, 0x01, 3, 128, 2, 1);
    rx(&l, "\x06", T0);
    uint8_t eot = 0x04;
    lfw_atlog_tx(&l, &eot, 1, T0);
    rx(&l, "\x06\r\nOK\r\n", T0);
    lfw_atlog_close(&l);
    assert_non_null(strstr(buf, "<< C\n"));
    assert_non_null(strstr(buf, ">> [1029 bytes XMODEM block 1]\n"));
    assert_non_null(strstr(buf, ">> [1029 bytes XMODEM block 2]\n"));
    assert_non_null(strstr(buf, ">> [133 bytes XMODEM block 3]\n"));
    assert_non_null(strstr(buf, "<< <NAK>\n"));
    assert_non_null(strstr(buf, ">> <EOT>\n"));
    assert_non_null(strstr(buf, "<< OK\\r\\n\n"));
    assert_null(strstr(buf, "ZZZZ")); /* no data dumped */
}

static void test_xmodem_summary_checksum(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    rx(&l, "\x15", T0);
    send_block(&l, 0x01, 1, 128, 1, 7);
    rx(&l, "\x06", T0);
    tx(&l, "AT\r", T0);
    lfw_atlog_close(&l);
    assert_non_null(strstr(buf, ">> [132 bytes XMODEM block 1]\n"));
    assert_non_null(strstr(buf, ">> AT\\r\n"));
}

static void test_udwnfile_summary(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    tx(&l, "AT+UDWNFILE=\"a,b\",5000,\"FOAT\"\r", T0);
    rx(&l, ">", T0);
    uint8_t data[4096];
    memset(data, 'Z', sizeof data);
    lfw_atlog_tx(&l, data, 4096, T0);
    lfw_atlog_tx(&l, data, 904, T0);
    rx(&l, "\r\nOK\r\n", T0);
    lfw_atlog_close(&l);
    assert_non_null(strstr(buf, "<< >\n"));
    assert_non_null(strstr(buf, ">> [4096 bytes +UDWNFILE data, 904 to go]\n"));
    assert_non_null(strstr(buf, ">> [904 bytes +UDWNFILE data, 0 to go]\n"));
    assert_null(strstr(buf, "ZZZZ"));
}

static void test_prompt_after_echo_and_unknown_binary(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    tx(&l, "AT+UDWNFILE=\"f\",20,\"FOAT\"\r", T0);
    rx(&l, "AT+UDWNFILE=\"f\",20,\"FOAT\"\r>", T0); /* echo, CR, prompt */
    uint8_t data[20];
    memset(data, 0, sizeof data);
    lfw_atlog_tx(&l, data, sizeof data, T0);
    /* binary nobody announced */
    uint8_t junk[40];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(0x80 + i);
    lfw_atlog_tx(&l, junk, sizeof junk, T0);
    lfw_atlog_close(&l);
    assert_non_null(strstr(buf, "<< >\n"));
    assert_non_null(strstr(buf, ">> [20 bytes +UDWNFILE data, 0 to go]\n"));
    assert_non_null(strstr(buf, ">> [40 bytes data]\n"));
    assert_null(strstr(buf, "\\x80"));
}

static void test_c_inside_text(void **state)
{
    (void)state;
    struct lfw_atlog l;
    open_log(&l);
    rx(&l, "\r\nCONNECT\r\n", T0);
    lfw_atlog_close(&l);
    assert_non_null(strstr(buf, "<< CONNECT\\r\\n\n"));
}

static void test_closed_log_is_noop(void **state)
{
    (void)state;
    struct lfw_atlog l;
    memset(&l, 0, sizeof l);
    tx(&l, "AT\r", T0);
    rx(&l, "OK\r\n", T0);
    lfw_atlog_note(&l, T0, "x");
    lfw_atlog_close(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_lines_and_stamps),
        cmocka_unit_test(test_redacts_both_ways),
        cmocka_unit_test(test_xmodem_summary_crc),
        cmocka_unit_test(test_xmodem_summary_checksum),
        cmocka_unit_test(test_udwnfile_summary),
        cmocka_unit_test(test_prompt_after_echo_and_unknown_binary),
        cmocka_unit_test(test_c_inside_text),
        cmocka_unit_test(test_closed_log_is_noop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
