/* Unit tests of the simulated module's XMODEM receiver (sim/sim_xmodem.c) with scripted
 * senders: CRC and checksum modes, mixed 128/1K blocks, bad CRC, duplicates, wrong block
 * numbers, cancel, start timeout, retry limit, fragmented input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_xmodem.h"

struct rx {
    uint8_t sent[256];
    size_t sent_len;
    uint8_t data[16384];
    size_t data_len;
    uint32_t next_index;
    int refuse_at; /* block index the consumer refuses, -1 none */
};

static void rx_send(void *user, const uint8_t *buf, size_t len)
{
    struct rx *r = user;
    assert_true(r->sent_len + len <= sizeof r->sent);
    memcpy(r->sent + r->sent_len, buf, len);
    r->sent_len += len;
}

static int rx_block(void *user, uint32_t index, const uint8_t *data, size_t len)
{
    struct rx *r = user;
    assert_int_equal(index, r->next_index);
    if (r->refuse_at >= 0 && (uint32_t)r->refuse_at == index)
        return -1;
    r->next_index++;
    assert_true(r->data_len + len <= sizeof r->data);
    memcpy(r->data + r->data_len, data, len);
    r->data_len += len;
    return 0;
}

/* Takes what the receiver sent since the last call; returns its length. */
static size_t take(struct rx *r, uint8_t *out)
{
    size_t n = r->sent_len;
    memcpy(out, r->sent, n);
    r->sent_len = 0;
    return n;
}

static void expect_sent(struct rx *r, const uint8_t *want, size_t len)
{
    uint8_t got[256];
    size_t n = take(r, got);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
}

static void expect_byte(struct rx *r, uint8_t b)
{
    expect_sent(r, &b, 1);
}

/* Builds a frame: SOH/STX, num, ~num, data (len 128 or 1024), CRC or checksum. */
static size_t frame(uint8_t *out, uint8_t num, const uint8_t *data, size_t len, bool crc)
{
    size_t n = 0;
    out[n++] = len == 1024 ? SIM_XM_STX : SIM_XM_SOH;
    out[n++] = num;
    out[n++] = (uint8_t)~num;
    memcpy(out + n, data, len);
    n += len;
    if (crc) {
        uint16_t c = sim_xmodem_crc16(data, len);
        out[n++] = (uint8_t)(c >> 8);
        out[n++] = (uint8_t)c;
    } else {
        out[n++] = sim_xmodem_checksum(data, len);
    }
    return n;
}

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((i * 31u + seed * 7u) ^ (i >> 3));
}

static void setup_rx(struct sim_xmodem *x, struct rx *r)
{
    memset(r, 0, sizeof *r);
    r->refuse_at = -1;
    struct sim_xmodem_config cfg = sim_xmodem_module_defaults;
    cfg.send = rx_send;
    cfg.block = rx_block;
    cfg.user = r;
    sim_xmodem_init(x, &cfg);
    sim_xmodem_start(x);
}

static void test_crc16_known_value(void **state)
{
    (void)state;
    /* CRC-16/XMODEM check value of "123456789". */
    assert_int_equal(sim_xmodem_crc16((const uint8_t *)"123456789", 9), 0x31C3);
    assert_int_equal(sim_xmodem_checksum((const uint8_t *)"\x01\x02\xFF", 3), 0x02);
}

static void test_crc_mode_mixed_blocks(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    expect_byte(&r, SIM_XM_C);
    uint8_t d1[1024], d2[128], d3[1024], f[1100];
    fill(d1, sizeof d1, 1);
    fill(d2, sizeof d2, 2);
    fill(d3, sizeof d3, 3);
    sim_xmodem_feed(&x, f, frame(f, 1, d1, 1024, true));
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(x.mode, SIM_XM_MODE_CRC);
    assert_true(sim_xmodem_started(&x));
    sim_xmodem_feed(&x, f, frame(f, 2, d2, 128, true));
    expect_byte(&r, SIM_XM_ACK);
    sim_xmodem_feed(&x, f, frame(f, 3, d3, 1024, true));
    expect_byte(&r, SIM_XM_ACK);
    uint8_t eot = SIM_XM_EOT;
    assert_int_equal(sim_xmodem_feed(&x, &eot, 1), SIM_XM_EOT_SEEN);
    expect_byte(&r, SIM_XM_NAK); /* the first EOT is confirmed by asking again */
    assert_int_equal(sim_xmodem_feed(&x, &eot, 1), SIM_XM_DONE);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 1024 + 128 + 1024);
    assert_memory_equal(r.data, d1, 1024);
    assert_memory_equal(r.data + 1024, d2, 128);
    assert_memory_equal(r.data + 1152, d3, 1024);
    assert_int_equal(sim_xmodem_timeout_ms(&x), 0);
}

static void test_checksum_mode_after_naks(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    expect_byte(&r, SIM_XM_C);
    assert_int_equal(sim_xmodem_timeout_ms(&x), 3000);
    sim_xmodem_timeout(&x);
    expect_byte(&r, SIM_XM_C);
    sim_xmodem_timeout(&x);
    expect_byte(&r, SIM_XM_C);
    assert_int_equal(sim_xmodem_timeout_ms(&x), 3000);
    sim_xmodem_timeout(&x);
    expect_byte(&r, SIM_XM_NAK);
    assert_int_equal(sim_xmodem_timeout_ms(&x), 10000);
    uint8_t d[128], f[200];
    fill(d, sizeof d, 9);
    sim_xmodem_feed(&x, f, frame(f, 1, d, 128, false));
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(x.mode, SIM_XM_MODE_CHECKSUM);
    /* A 1K block in checksum mode (as sx -k does after a NAK). */
    uint8_t d2[1024], f2[1100];
    fill(d2, sizeof d2, 10);
    sim_xmodem_feed(&x, f2, frame(f2, 2, d2, 1024, false));
    expect_byte(&r, SIM_XM_ACK);
    uint8_t eot = SIM_XM_EOT;
    sim_xmodem_feed(&x, &eot, 1);
    expect_byte(&r, SIM_XM_NAK);
    sim_xmodem_feed(&x, &eot, 1);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(x.state, SIM_XM_DONE);
    assert_int_equal(r.data_len, 128 + 1024);
}

static void test_start_timeout_is_109_s(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    uint32_t total = 0;
    unsigned cs = 0, naks = 0;
    for (int guard = 0; guard < 100 && x.state == SIM_XM_SOLICIT; guard++) {
        uint8_t out[16];
        size_t n = take(&r, out);
        for (size_t i = 0; i < n; i++) {
            if (out[i] == SIM_XM_C)
                cs++;
            else if (out[i] == SIM_XM_NAK)
                naks++;
            else
                fail_msg("unexpected byte 0x%02x", out[i]);
        }
        total += sim_xmodem_timeout_ms(&x);
        sim_xmodem_timeout(&x);
    }
    assert_int_equal(x.state, SIM_XM_TIMEOUT);
    assert_int_equal(cs, 3);
    assert_int_equal(naks, 10);
    assert_int_equal(total, 109000);
    assert_true(sim_xmodem_finished(&x));
    assert_false(sim_xmodem_started(&x));
}

static void test_bad_crc_gets_nak_then_retransmission(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 4);
    size_t n = frame(f, 1, d, 128, true);
    f[n - 1] ^= 0x55;
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_NAK);
    assert_int_equal(r.data_len, 0);
    n = frame(f, 1, d, 128, true);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 128);
    /* A corrupted data byte, then a bad complement: both NAK. */
    n = frame(f, 2, d, 128, true);
    f[40] ^= 1;
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_NAK);
    n = frame(f, 2, d, 128, true);
    f[2] ^= 0x10;
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_NAK);
    n = frame(f, 2, d, 128, true);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 256);
    assert_int_equal(x.errors, 0);
    assert_int_equal(x.naks, 3);
}

static void test_duplicate_block_acked_not_stored(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 5);
    size_t n = frame(f, 1, d, 128, true);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 128);
    assert_int_equal(x.duplicates, 1);
    assert_int_equal(x.blocks, 1);
}

static void test_wrong_block_number_cancels(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 6);
    sim_xmodem_feed(&x, f, frame(f, 1, d, 128, true));
    expect_byte(&r, SIM_XM_ACK);
    sim_xmodem_feed(&x, f, frame(f, 3, d, 128, true));
    static const uint8_t cans[3] = {SIM_XM_CAN, SIM_XM_CAN, SIM_XM_CAN};
    expect_sent(&r, cans, 3);
    assert_int_equal(x.state, SIM_XM_FAILED);
    assert_int_equal(x.fail, SIM_XM_FAIL_SEQUENCE);
    assert_int_equal(r.data_len, 128);
}

static void test_first_block_zero_is_out_of_sequence(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 6);
    sim_xmodem_feed(&x, f, frame(f, 0, d, 128, true));
    assert_int_equal(x.state, SIM_XM_FAILED);
    assert_int_equal(x.fail, SIM_XM_FAIL_SEQUENCE);
}

static void test_sender_can_can_cancels(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 7);
    sim_xmodem_feed(&x, f, frame(f, 1, d, 128, true));
    expect_byte(&r, SIM_XM_ACK);
    static const uint8_t cc[2] = {SIM_XM_CAN, SIM_XM_CAN};
    assert_int_equal(sim_xmodem_feed(&x, cc, 2), SIM_XM_CANCELLED);
    assert_int_equal(r.sent_len, 0);
    assert_true(sim_xmodem_finished(&x));
}

static void test_lone_can_is_noise(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[201];
    fill(d, sizeof d, 8);
    f[0] = SIM_XM_CAN;
    size_t n = 1 + frame(f + 1, 1, d, 128, true);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 128);
}

static void test_noise_before_block_is_skipped(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[210];
    fill(d, sizeof d, 11);
    memcpy(f, "\r\nxyz", 5);
    size_t n = 5 + frame(f + 5, 1, d, 128, true);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 128);
}

static void test_fragmented_input_one_byte_at_a_time(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[1024], f[1100];
    fill(d, sizeof d, 12);
    size_t n = frame(f, 1, d, 1024, true);
    for (size_t i = 0; i < n; i++) {
        sim_xmodem_feed(&x, f + i, 1);
        if (i + 1 < n)
            assert_int_equal(r.sent_len, 0);
    }
    expect_byte(&r, SIM_XM_ACK);
    assert_memory_equal(r.data, d, 1024);
}

static void test_block_timeout_drops_partial_and_naks(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 13);
    size_t n = frame(f, 1, d, 128, true);
    sim_xmodem_feed(&x, f, 60); /* half a block, then silence */
    assert_int_equal(sim_xmodem_timeout_ms(&x), 10000);
    sim_xmodem_timeout(&x);
    expect_byte(&r, SIM_XM_NAK);
    sim_xmodem_feed(&x, f, n);
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 128);
    assert_memory_equal(r.data, d, 128);
}

static void test_retry_limit_gives_up(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 14);
    size_t n = frame(f, 1, d, 128, true);
    f[n - 2] ^= 0xFF;
    for (unsigned i = 0; i + 1 < sim_xmodem_module_defaults.max_retries; i++) {
        sim_xmodem_feed(&x, f, n);
        expect_byte(&r, SIM_XM_NAK);
    }
    sim_xmodem_feed(&x, f, n);
    static const uint8_t cans[3] = {SIM_XM_CAN, SIM_XM_CAN, SIM_XM_CAN};
    expect_sent(&r, cans, 3);
    assert_int_equal(x.state, SIM_XM_FAILED);
    assert_int_equal(x.fail, SIM_XM_FAIL_RETRIES);
}

static void test_consumer_refusal_cancels(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    r.refuse_at = 1;
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 15);
    sim_xmodem_feed(&x, f, frame(f, 1, d, 128, true));
    expect_byte(&r, SIM_XM_ACK);
    sim_xmodem_feed(&x, f, frame(f, 2, d, 128, true));
    static const uint8_t cans[3] = {SIM_XM_CAN, SIM_XM_CAN, SIM_XM_CAN};
    expect_sent(&r, cans, 3);
    assert_int_equal(x.fail, SIM_XM_FAIL_CONSUMER);
}

static void test_block_numbers_wrap_at_256(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 16);
    r.data_len = 0;
    for (unsigned i = 1; i <= 300; i++) {
        sim_xmodem_feed(&x, f, frame(f, (uint8_t)i, d, 128, true));
        expect_byte(&r, SIM_XM_ACK);
        r.data_len = 0; /* keep the buffer small: content checked elsewhere */
    }
    assert_int_equal(x.blocks, 300);
    assert_int_equal(x.bytes, 300u * 128u);
}

static void test_stray_eot_does_not_end_transfer(void **state)
{
    (void)state;
    struct sim_xmodem x;
    struct rx r;
    setup_rx(&x, &r);
    take(&r, (uint8_t[16]){0});
    uint8_t d[128], f[200];
    fill(d, sizeof d, 17);
    sim_xmodem_feed(&x, f, frame(f, 1, d, 128, true));
    expect_byte(&r, SIM_XM_ACK);
    uint8_t eot = SIM_XM_EOT; /* noise that looks like an EOT */
    sim_xmodem_feed(&x, &eot, 1);
    expect_byte(&r, SIM_XM_NAK);
    sim_xmodem_feed(&x, f, frame(f, 2, d, 128, true)); /* the transfer goes on */
    expect_byte(&r, SIM_XM_ACK);
    assert_int_equal(r.data_len, 256);
    /* silence after a lone EOT: asked again like any other silence */
    sim_xmodem_feed(&x, &eot, 1);
    expect_byte(&r, SIM_XM_NAK);
    sim_xmodem_timeout(&x);
    expect_byte(&r, SIM_XM_NAK);
    assert_int_equal(x.state, SIM_XM_HEADER);
}

static void test_bytes_before_start_are_ignored(void **state)
{
    (void)state;
    struct rx r;
    memset(&r, 0, sizeof r);
    r.refuse_at = -1;
    struct sim_xmodem_config cfg = sim_xmodem_module_defaults;
    cfg.send = rx_send;
    cfg.block = rx_block;
    cfg.user = &r;
    struct sim_xmodem x;
    sim_xmodem_init(&x, &cfg);
    uint8_t junk[4] = {SIM_XM_SOH, 1, 0xFE, 0};
    assert_int_equal(sim_xmodem_feed(&x, junk, sizeof junk), SIM_XM_IDLE);
    assert_int_equal(sim_xmodem_timeout_ms(&x), 0);
    assert_int_equal(r.sent_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc16_known_value),
        cmocka_unit_test(test_crc_mode_mixed_blocks),
        cmocka_unit_test(test_checksum_mode_after_naks),
        cmocka_unit_test(test_start_timeout_is_109_s),
        cmocka_unit_test(test_bad_crc_gets_nak_then_retransmission),
        cmocka_unit_test(test_duplicate_block_acked_not_stored),
        cmocka_unit_test(test_wrong_block_number_cancels),
        cmocka_unit_test(test_first_block_zero_is_out_of_sequence),
        cmocka_unit_test(test_sender_can_can_cancels),
        cmocka_unit_test(test_lone_can_is_noise),
        cmocka_unit_test(test_noise_before_block_is_skipped),
        cmocka_unit_test(test_fragmented_input_one_byte_at_a_time),
        cmocka_unit_test(test_block_timeout_drops_partial_and_naks),
        cmocka_unit_test(test_retry_limit_gives_up),
        cmocka_unit_test(test_consumer_refusal_cancels),
        cmocka_unit_test(test_block_numbers_wrap_at_256),
        cmocka_unit_test(test_stray_eot_does_not_end_transfer),
        cmocka_unit_test(test_bytes_before_start_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
