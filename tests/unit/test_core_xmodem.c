/* Unit tests of the XMODEM sender (src/core/xmodem.c) against a scripted receiver that lives
 * behind the fake port: it checks every block and answers ACK/NAK/CAN as told. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"
#include "larafw/xmodem.h"

struct rx {
    struct fake_port *fp;
    bool crc;
    uint8_t got[16384];
    size_t got_len;
    uint8_t pkt[1100];
    size_t pkt_len;
    uint8_t expect_seq;
    /* behaviour */
    int nak_block;       /* NAK this block (1-based count of blocks seen) once */
    int drop_ack_block;  /* say nothing to this block once (lost ACK) */
    int cancel_at_block; /* answer this block with CAN CAN */
    int nak_always;
    int nak_eot; /* NAK this many EOTs first */
    /* what happened */
    int blocks_seen, dups, eots, cans, bad_blocks;
    size_t block_sizes[2]; /* [0] 128-byte, [1] 1K */
    char *events;          /* 'B' per block received (the fixture's event log) */
};

/* Appends one event letter to a log of at most 255. */
static void event(char *log, char c)
{
    size_t n = strlen(log);
    if (n < 255) {
        log[n] = c;
        log[n + 1] = '\0';
    }
}

static void answer(struct rx *r, uint8_t c)
{
    fake_port_push(r->fp, &c, 1);
}

static void on_block(struct rx *r)
{
    size_t size = r->pkt[0] == LFW_XMODEM_STX ? 1024 : 128;
    const uint8_t *data = r->pkt + 3;
    r->blocks_seen++;
    event(r->events, 'B');
    bool ok = (uint8_t)(r->pkt[1] + r->pkt[2]) == 0xff;
    if (r->crc) {
        uint16_t crc = lfw_xmodem_crc16(0, data, size);
        ok = ok && r->pkt[3 + size] == (crc >> 8) && r->pkt[4 + size] == (crc & 0xff);
    } else {
        uint8_t sum = 0;
        for (size_t i = 0; i < size; i++) {
            sum = (uint8_t)(sum + data[i]);
        }
        ok = ok && r->pkt[3 + size] == sum;
    }
    if (!ok) {
        r->bad_blocks++;
        answer(r, LFW_XMODEM_NAK);
        return;
    }
    if (r->blocks_seen == r->cancel_at_block) {
        answer(r, LFW_XMODEM_CAN);
        answer(r, LFW_XMODEM_CAN);
        return;
    }
    if (r->nak_always || r->blocks_seen == r->nak_block) {
        answer(r, LFW_XMODEM_NAK);
        return;
    }
    if (r->pkt[1] == r->expect_seq) {
        memcpy(r->got + r->got_len, data, size);
        r->got_len += size;
        r->expect_seq++;
        r->block_sizes[size == 1024]++;
    } else if (r->pkt[1] == (uint8_t)(r->expect_seq - 1)) {
        r->dups++; /* the sender missed our ACK: ACK again, keep nothing */
    } else {
        r->bad_blocks++;
    }
    if (r->blocks_seen == r->drop_ack_block) {
        return; /* the ACK is lost */
    }
    answer(r, LFW_XMODEM_ACK);
}

static void peer(struct fake_port *fp, const uint8_t *data, size_t len, void *ctx)
{
    struct rx *r = ctx;
    (void)fp;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (r->pkt_len == 0) {
            if (c == LFW_XMODEM_EOT) {
                r->eots++;
                answer(r, r->nak_eot-- > 0 ? LFW_XMODEM_NAK : LFW_XMODEM_ACK);
                continue;
            }
            if (c == LFW_XMODEM_CAN) {
                r->cans++;
                continue;
            }
            if (c != LFW_XMODEM_SOH && c != LFW_XMODEM_STX) {
                continue;
            }
        }
        r->pkt[r->pkt_len++] = c;
        size_t size = r->pkt[0] == LFW_XMODEM_STX ? 1024 : 128;
        if (r->pkt_len == 3 + size + (r->crc ? 2 : 1)) {
            on_block(r);
            r->pkt_len = 0;
        }
    }
}

struct src_data {
    uint8_t bytes[8192];
    int fail_at;  /* offset where read fails, -1 none */
    char *events; /* 'R' per read */
};

static int src_read(void *user, uint32_t offset, uint8_t *buf, size_t len)
{
    struct src_data *s = user;
    event(s->events, 'R');
    if (s->fail_at >= 0 && offset >= (uint32_t)s->fail_at) {
        return -1;
    }
    memcpy(buf, s->bytes + offset, len);
    return (int)len;
}

struct fixture {
    struct fake_port *fp;
    struct rx rx;
    struct src_data data;
    struct lfw_source src;
    uint8_t block[LFW_XMODEM_BUF_1K];
    uint8_t block2[LFW_XMODEM_BUF_1K_2];
    struct lfw_xmodem x;
    struct lfw_xmodem_config cfg;
    /* what the sender did, in order: R source read, B block received, A ACK read */
    char events[256];
    struct lfw_port logged; /* the fake port, with 'A' logged on reading an ACK */
};

static int logged_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct fixture *f = user;
    const struct lfw_port *p = fake_port_port(f->fp);
    int n = p->read(p->user, buf, cap, timeout_ms);
    for (int i = 0; i < n; i++) {
        if (buf[i] == LFW_XMODEM_ACK) {
            event(f->events, 'A');
        }
    }
    return n;
}

static int logged_write(void *user, const uint8_t *data, size_t len)
{
    struct fixture *f = user;
    const struct lfw_port *p = fake_port_port(f->fp);
    return p->write(p->user, data, len);
}

static uint32_t logged_now(void *user)
{
    struct fixture *f = user;
    const struct lfw_port *p = fake_port_port(f->fp);
    return p->now_ms(p->user);
}

/* Gives the sender a two-block buffer (the next block is prepared ahead) and the logged
 * port. */
static void use_two_blocks(struct fixture *f)
{
    f->logged.read = logged_read;
    f->logged.write = logged_write;
    f->logged.now_ms = logged_now;
    f->logged.user = f;
    f->cfg.port = &f->logged;
    f->cfg.block_buf = f->block2;
    f->cfg.block_buf_size = sizeof f->block2;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.fp = fake_port_new();
    fake_port_set_now(f.fp, 0xfffff000u);
    f.rx.fp = f.fp;
    f.rx.expect_seq = 1;
    fake_port_set_peer(f.fp, peer, &f.rx);
    for (size_t i = 0; i < sizeof f.data.bytes; i++) {
        f.data.bytes[i] = (uint8_t)(i * 7u + (i >> 8));
    }
    f.data.fail_at = -1;
    f.data.events = f.events;
    f.rx.events = f.events;
    f.src.read = src_read;
    f.src.user = &f.data;
    f.cfg.port = fake_port_port(f.fp);
    f.cfg.block_buf = f.block;
    f.cfg.block_buf_size = sizeof f.block;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fake_port_free(f->fp);
    return 0;
}

/* Starts the receiver in CRC ('C') or checksum (NAK) mode and runs the sender. */
static int run(struct fixture *f, bool crc, uint16_t block, uint32_t size)
{
    f->rx.crc = crc;
    uint8_t start = crc ? 'C' : LFW_XMODEM_NAK;
    fake_port_push(f->fp, &start, 1);
    f->cfg.block_size = block;
    f->src.size = size;
    assert_int_equal(lfw_xmodem_init(&f->x, &f->cfg), 0);
    return lfw_xmodem_send(&f->x, &f->src);
}

static void check_received(const struct fixture *f, uint32_t size, uint16_t block)
{
    size_t padded = (size + block - 1) / block * block;
    assert_int_equal(f->rx.got_len, padded);
    assert_memory_equal(f->rx.got, f->data.bytes, size);
    for (size_t i = size; i < padded; i++) {
        assert_int_equal(f->rx.got[i], LFW_XMODEM_PAD);
    }
    assert_int_equal(f->rx.bad_blocks, 0);
}

static void test_crc16_vector(void **state)
{
    (void)state;
    assert_int_equal(lfw_xmodem_crc16(0, (const uint8_t *)"123456789", 9), 0x31c3);
}

/* The nibble-table CRC equals the bit-by-bit definition (poly 0x1021, MSB first), for every
 * length and when continued across calls. */
static uint16_t crc16_bitwise(uint16_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

static void test_crc16_table_matches_bitwise(void **state)
{
    (void)state;
    static uint8_t data[1100];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (uint8_t)(seed >> 16);
    }
    for (size_t len = 0; len <= 300; len++) {
        assert_int_equal(lfw_xmodem_crc16(0, data, len), crc16_bitwise(0, data, len));
    }
    for (unsigned b = 0; b < 256; b++) {
        uint8_t one = (uint8_t)b;
        assert_int_equal(lfw_xmodem_crc16(0x1d0f, &one, 1), crc16_bitwise(0x1d0f, &one, 1));
    }
    uint16_t part = lfw_xmodem_crc16(0, data, 517);
    assert_int_equal(lfw_xmodem_crc16(part, data + 517, 1024 - 517), crc16_bitwise(0, data, 1024));
}

static void test_crc_1k(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, true, 1024, 3000), 0);
    check_received(f, 3000, 1024);
    assert_true(f->x.crc);
    assert_int_equal(f->x.blocks, 3);
    assert_int_equal(f->rx.block_sizes[1], 3);
    assert_int_equal(f->rx.eots, 1);
    assert_int_equal(f->x.retransmissions, 0);
}

static void test_checksum_128(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, false, 128, 300), 0);
    check_received(f, 300, 128);
    assert_false(f->x.crc);
    assert_int_equal(f->rx.block_sizes[0], 3);
}

static void test_crc_128_exact_multiple(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, true, 128, 256), 0);
    check_received(f, 256, 128);
    assert_int_equal(f->x.blocks, 2);
}

static void test_checksum_1k(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, false, 0, 2049), 0); /* 0 = 1K default */
    check_received(f, 2049, 1024);
}

static void test_nak_resend(void **state)
{
    struct fixture *f = *state;
    f->rx.nak_block = 2;
    assert_int_equal(run(f, true, 1024, 4096), 0);
    check_received(f, 4096, 1024);
    assert_int_equal(f->x.retransmissions, 1);
}

static void test_lost_ack(void **state)
{
    struct fixture *f = *state;
    f->rx.drop_ack_block = 1;
    f->cfg.ack_timeout_ms = 3000;
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(run(f, true, 128, 500), 0);
    check_received(f, 500, 128);
    assert_int_equal(f->x.retransmissions, 1);
    assert_int_equal(f->rx.dups, 1);
    assert_int_equal((uint32_t)(fake_port_now(f->fp) - before), 3000);
}

static void test_receiver_cancels(void **state)
{
    struct fixture *f = *state;
    f->rx.cancel_at_block = 2;
    assert_int_equal(run(f, true, 1024, 4096), LFW_ECANCELED);
    assert_int_equal(f->x.blocks, 1);
}

static void test_no_start(void **state)
{
    struct fixture *f = *state;
    f->cfg.block_size = 1024;
    f->src.size = 10;
    assert_int_equal(lfw_xmodem_init(&f->x, &f->cfg), 0);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_xmodem_send(&f->x, &f->src), LFW_ETIMEDOUT);
    assert_int_equal((uint32_t)(fake_port_now(f->fp) - before), LFW_XMODEM_START_TIMEOUT_MS);
    assert_true(f->rx.cans >= 2); /* we told the receiver to stop */
}

/* A line that never stops sending noise (a wrong port, a stuck receiver): the start wait and
 * the ACK wait end at their deadlines all the same, however many bytes keep arriving. */
static void test_noise_flood_start(void **state)
{
    struct fixture *f = *state;
    f->cfg.block_size = 1024;
    f->src.size = 10;
    fake_port_flood(f->fp, "x", 1, 50);
    assert_int_equal(lfw_xmodem_init(&f->x, &f->cfg), 0);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_xmodem_send(&f->x, &f->src), LFW_ETIMEDOUT);
    uint32_t took = fake_port_now(f->fp) - before;
    assert_true(took >= LFW_XMODEM_START_TIMEOUT_MS);
    assert_true(took <= LFW_XMODEM_START_TIMEOUT_MS + 50u);
}

static void test_noise_flood_ack(void **state)
{
    struct fixture *f = *state;
    f->rx.drop_ack_block = 1; /* the first block's ACK never comes, noise does */
    f->cfg.ack_timeout_ms = 1000;
    f->cfg.max_retries = 2;
    fake_port_flood(f->fp, "x", 1, 50);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(run(f, true, 128, 500), 0);
    check_received(f, 500, 128);
    assert_int_equal(f->x.retransmissions, 1);
    uint32_t took = fake_port_now(f->fp) - before;
    /* one ACK wait cut at its deadline, plus the short drains of the start, all in noise */
    assert_true(took >= 1000u && took < 2000u);
}

static void test_start_after_noise(void **state)
{
    struct fixture *f = *state;
    fake_port_push(f->fp, "\n\xff+", 3);
    assert_int_equal(run(f, true, 128, 100), 0); /* then 'C' */
    check_received(f, 100, 128);
    /* extra 'C's queued before the first ACK are not taken as NAK */
}

static void test_extra_c_before_ack(void **state)
{
    struct fixture *f = *state;
    fake_port_push(f->fp, "C", 1);
    assert_int_equal(run(f, true, 128, 200), 0); /* "CC": the second one is stale */
    check_received(f, 200, 128);
    assert_int_equal(f->x.retransmissions, 0);
}

static void test_stale_nak_before_first_block(void **state)
{
    struct fixture *f = *state;
    fake_port_push(f->fp, "\x15\x15", 2); /* checksum receiver repeated its NAK */
    assert_int_equal(run(f, false, 128, 300), 0);
    check_received(f, 300, 128);
    assert_int_equal(f->x.retransmissions, 0);
    assert_int_equal(f->rx.dups, 0);
}

static void test_retries_exhausted(void **state)
{
    struct fixture *f = *state;
    f->rx.nak_always = 1;
    f->cfg.max_retries = 3;
    assert_int_equal(run(f, true, 128, 200), LFW_ERETRIES);
    assert_int_equal(f->rx.blocks_seen, 4);
    assert_true(f->rx.cans >= 2);
}

static void test_eot_nak(void **state)
{
    struct fixture *f = *state;
    f->rx.nak_eot = 1;
    assert_int_equal(run(f, true, 128, 128), 0);
    assert_int_equal(f->rx.eots, 2);
    check_received(f, 128, 128);
}

static int cancel_progress(void *user, uint32_t bytes, uint32_t total)
{
    (void)total;
    uint32_t *limit = user;
    return bytes >= *limit;
}

static void test_caller_cancels(void **state)
{
    struct fixture *f = *state;
    uint32_t limit = 2048;
    f->cfg.progress = cancel_progress;
    f->cfg.progress_user = &limit;
    assert_int_equal(run(f, true, 1024, 8000), LFW_ECANCELED);
    assert_int_equal(f->x.blocks, 2);
    assert_true(f->rx.cans >= 2);
}

static void test_source_fails(void **state)
{
    struct fixture *f = *state;
    f->data.fail_at = 1024;
    assert_int_equal(run(f, true, 1024, 3000), LFW_ESOURCE);
    assert_true(f->rx.cans >= 2);
}

static void test_empty(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, true, 1024, 0), 0);
    assert_int_equal(f->rx.eots, 1);
    assert_int_equal(f->rx.got_len, 0);
}

static void test_init_checks(void **state)
{
    struct fixture *f = *state;
    struct lfw_xmodem x;
    f->cfg.block_size = 512;
    assert_int_equal(lfw_xmodem_init(&x, &f->cfg), LFW_EINVAL);
    f->cfg.block_size = 1024;
    f->cfg.block_buf_size = LFW_XMODEM_BUF_128;
    assert_int_equal(lfw_xmodem_init(&x, &f->cfg), LFW_EINVAL);
    f->cfg.block_size = 128;
    assert_int_equal(lfw_xmodem_init(&x, &f->cfg), 0);
}

/* One buffer: each block is read and checksummed after the ACK of the one before. */
static void test_one_buffer_builds_after_ack(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    f->cfg.block_buf = f->block;
    f->cfg.block_buf_size = sizeof f->block;
    assert_int_equal(run(f, true, 1024, 3000), 0);
    check_received(f, 3000, 1024);
    assert_string_equal(f->events, "RBARBARBAA");
}

/* Two buffers: block k+1 is read while block k is on the line, so the ACK of block k is
 * followed by block k+1 with nothing in between (the per-block turnaround). The last A is
 * the ACK of EOT. */
static void test_two_buffers_build_ahead(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    assert_int_equal(run(f, true, 1024, 3000), 0);
    check_received(f, 3000, 1024);
    assert_string_equal(f->events, "RBRABRABAA");
    assert_int_equal(f->x.blocks, 3);
    assert_int_equal(f->x.retransmissions, 0);
}

static void test_two_buffers_checksum_128(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    f->cfg.block_buf_size = LFW_XMODEM_BUF_128_2; /* exactly two 128-byte blocks */
    assert_int_equal(run(f, false, 128, 300), 0);
    check_received(f, 300, 128);
    assert_string_equal(f->events, "RBRABRABAA");
}

/* A NAK or a lost ACK resends the current block, not the one prepared ahead. */
static void test_two_buffers_nak_and_lost_ack(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    f->rx.nak_block = 2;
    f->rx.drop_ack_block = 4;
    f->cfg.ack_timeout_ms = 3000;
    assert_int_equal(run(f, true, 1024, 5000), 0);
    check_received(f, 5000, 1024);
    assert_int_equal(f->x.retransmissions, 2);
    assert_int_equal(f->rx.dups, 1);
    assert_int_equal(f->x.blocks, 5);
}

/* The source fails for block 2, read ahead: block 1 still ends with its ACK, then CAN. */
static void test_two_buffers_source_fails(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    f->data.fail_at = 1024;
    assert_int_equal(run(f, true, 1024, 3000), LFW_ESOURCE);
    assert_int_equal(f->x.blocks, 1);
    assert_int_equal(f->rx.blocks_seen, 1);
    assert_true(f->rx.cans >= 2);
}

static void test_two_buffers_caller_cancels(void **state)
{
    struct fixture *f = *state;
    use_two_blocks(f);
    uint32_t limit = 2048;
    f->cfg.progress = cancel_progress;
    f->cfg.progress_user = &limit;
    assert_int_equal(run(f, true, 1024, 8000), LFW_ECANCELED);
    assert_int_equal(f->x.blocks, 2);
    assert_int_equal(f->rx.blocks_seen, 2);
    assert_true(f->rx.cans >= 2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc16_vector),
        cmocka_unit_test(test_crc16_table_matches_bitwise),
        T(test_crc_1k),
        T(test_checksum_128),
        T(test_crc_128_exact_multiple),
        T(test_checksum_1k),
        T(test_nak_resend),
        T(test_lost_ack),
        T(test_receiver_cancels),
        T(test_no_start),
        T(test_start_after_noise),
        T(test_noise_flood_start),
        T(test_noise_flood_ack),
        T(test_extra_c_before_ack),
        T(test_stale_nak_before_first_block),
        T(test_retries_exhausted),
        T(test_eot_nak),
        T(test_caller_cancels),
        T(test_source_fails),
        T(test_empty),
        T(test_init_checks),
        T(test_one_buffer_builds_after_ack),
        T(test_two_buffers_build_ahead),
        T(test_two_buffers_checksum_128),
        T(test_two_buffers_nak_and_lost_ack),
        T(test_two_buffers_source_fails),
        T(test_two_buffers_caller_cancels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
