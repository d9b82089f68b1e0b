/* XMODEM / XMODEM-1K receiver: a pure state machine (see sim_xmodem.h). §3.1. */
#include "sim_xmodem.h"

#include <string.h>

const struct sim_xmodem_config sim_xmodem_module_defaults = {
    .crc_solicits = 3, /* §3.1: up to three 'C', 3 s apart */
    .crc_wait_ms = 3000,
    .nak_solicits = 10, /* §3.1: then up to ten NAK, 10 s apart: 109 s in all */
    .nak_wait_ms = 10000,
    .block_wait_ms = 10000, /* classic XMODEM: 10 s of silence inside a transfer */
    .max_retries = 10,
};

uint16_t sim_xmodem_crc16(const uint8_t *buf, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)buf[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

uint8_t sim_xmodem_checksum(const uint8_t *buf, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + buf[i]);
    return sum;
}

static void xm_send_byte(struct sim_xmodem *x, uint8_t b)
{
    if (x->cfg.send)
        x->cfg.send(x->cfg.user, &b, 1);
}

static void xm_give_up(struct sim_xmodem *x, enum sim_xm_fail why)
{
    static const uint8_t cancel[3] = {SIM_XM_CAN, SIM_XM_CAN, SIM_XM_CAN};
    if (x->cfg.send)
        x->cfg.send(x->cfg.user, cancel, sizeof cancel);
    x->fail = why;
    x->state = SIM_XM_FAILED;
}

/* A bad block or a silent line inside the transfer: ask again, or give up. */
static void xm_error(struct sim_xmodem *x)
{
    x->errors++;
    if (x->errors >= x->cfg.max_retries) {
        xm_give_up(x, SIM_XM_FAIL_RETRIES);
        return;
    }
    x->state = SIM_XM_HEADER;
    x->naks++;
    xm_send_byte(x, SIM_XM_NAK);
}

void sim_xmodem_init(struct sim_xmodem *x, const struct sim_xmodem_config *cfg)
{
    memset(x, 0, sizeof *x);
    x->cfg = *cfg;
    if (x->cfg.max_retries == 0)
        x->cfg.max_retries = 1;
    x->state = SIM_XM_IDLE;
    x->expect_num = 1;
}

void sim_xmodem_start(struct sim_xmodem *x)
{
    if (x->state != SIM_XM_IDLE)
        return;
    x->state = SIM_XM_SOLICIT;
    x->solicits_sent = 1;
    x->mode = x->cfg.crc_solicits > 0 ? SIM_XM_MODE_CRC : SIM_XM_MODE_CHECKSUM;
    xm_send_byte(x, x->mode == SIM_XM_MODE_CRC ? SIM_XM_C : SIM_XM_NAK);
}

bool sim_xmodem_finished(const struct sim_xmodem *x)
{
    return x->state == SIM_XM_DONE || x->state == SIM_XM_CANCELLED || x->state == SIM_XM_FAILED ||
           x->state == SIM_XM_TIMEOUT;
}

bool sim_xmodem_started(const struct sim_xmodem *x)
{
    return x->started;
}

uint32_t sim_xmodem_timeout_ms(const struct sim_xmodem *x)
{
    switch (x->state) {
    case SIM_XM_SOLICIT:
        return x->solicits_sent <= x->cfg.crc_solicits ? x->cfg.crc_wait_ms : x->cfg.nak_wait_ms;
    case SIM_XM_HEADER:
    case SIM_XM_BLOCK_NUM:
    case SIM_XM_BLOCK_INV:
    case SIM_XM_DATA:
    case SIM_XM_CHECK:
    case SIM_XM_CAN_SEEN:
    case SIM_XM_EOT_SEEN:
        return x->cfg.block_wait_ms;
    case SIM_XM_IDLE:
    case SIM_XM_DONE:
    case SIM_XM_CANCELLED:
    case SIM_XM_FAILED:
    case SIM_XM_TIMEOUT:
        break;
    }
    return 0;
}

/* The whole block (number, complement, data, check) is in: judge it. */
static void xm_block_complete(struct sim_xmodem *x)
{
    bool ok_inv = (unsigned)x->cur_num + (unsigned)x->cur_inv == 0xFFu;
    bool ok_check;
    if (x->mode == SIM_XM_MODE_CRC) {
        uint16_t got = (uint16_t)((x->check[0] << 8) | x->check[1]);
        ok_check = got == sim_xmodem_crc16(x->buf, x->cur_len);
    } else {
        ok_check = x->check[0] == sim_xmodem_checksum(x->buf, x->cur_len);
    }
    if (!ok_inv || !ok_check) {
        xm_error(x);
        return;
    }
    if (x->cur_num == x->expect_num) {
        if (x->cfg.block && x->cfg.block(x->cfg.user, x->blocks, x->buf, x->cur_len) != 0) {
            xm_give_up(x, SIM_XM_FAIL_CONSUMER);
            return;
        }
        x->blocks++;
        x->bytes += x->cur_len;
        x->any_block = true;
        x->expect_num++;
        x->errors = 0;
        x->state = SIM_XM_HEADER;
        xm_send_byte(x, SIM_XM_ACK);
        return;
    }
    if (x->any_block && x->cur_num == (uint8_t)(x->expect_num - 1)) {
        /* Our ACK was lost and the sender repeated the block: acknowledge, keep once. */
        x->duplicates++;
        x->errors = 0;
        x->state = SIM_XM_HEADER;
        xm_send_byte(x, SIM_XM_ACK);
        return;
    }
    xm_give_up(x, SIM_XM_FAIL_SEQUENCE);
}

/* SOH / STX / EOT / CAN where a block may start. Other bytes are line noise: skipped. */
static void xm_header_byte(struct sim_xmodem *x, uint8_t b)
{
    switch (b) {
    case SIM_XM_SOH:
    case SIM_XM_STX:
        if (x->state == SIM_XM_SOLICIT)
            x->mode =
                x->solicits_sent <= x->cfg.crc_solicits ? SIM_XM_MODE_CRC : SIM_XM_MODE_CHECKSUM;
        x->started = true;
        x->cur_len = b == SIM_XM_SOH ? 128 : 1024;
        x->cur_have = 0;
        x->check_have = 0;
        x->state = SIM_XM_BLOCK_NUM;
        break;
    case SIM_XM_EOT:
        if (x->state == SIM_XM_EOT_SEEN) {
            x->state = SIM_XM_DONE;
            xm_send_byte(x, SIM_XM_ACK);
        } else {
            x->state = SIM_XM_EOT_SEEN; /* confirm: a real end comes again */
            xm_send_byte(x, SIM_XM_NAK);
        }
        break;
    case SIM_XM_CAN:
        x->state = SIM_XM_CAN_SEEN;
        break;
    default:
        break;
    }
}

enum sim_xm_state sim_xmodem_feed(struct sim_xmodem *x, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len && !sim_xmodem_finished(x); i++) {
        uint8_t b = buf[i];
        switch (x->state) {
        case SIM_XM_IDLE:
            break; /* not listening yet */
        case SIM_XM_SOLICIT:
        case SIM_XM_HEADER:
        case SIM_XM_EOT_SEEN:
            xm_header_byte(x, b);
            break;
        case SIM_XM_CAN_SEEN:
            if (b == SIM_XM_CAN) {
                x->state = SIM_XM_CANCELLED;
            } else {
                /* A lone CAN is noise: resume where a block may start. */
                x->state = x->started ? SIM_XM_HEADER : SIM_XM_SOLICIT;
                xm_header_byte(x, b);
            }
            break;
        case SIM_XM_BLOCK_NUM:
            x->cur_num = b;
            x->state = SIM_XM_BLOCK_INV;
            break;
        case SIM_XM_BLOCK_INV:
            x->cur_inv = b;
            x->state = SIM_XM_DATA;
            break;
        case SIM_XM_DATA: {
            size_t take = x->cur_len - x->cur_have;
            if (take > len - i)
                take = len - i;
            memcpy(x->buf + x->cur_have, buf + i, take);
            x->cur_have += take;
            i += take - 1;
            if (x->cur_have == x->cur_len)
                x->state = SIM_XM_CHECK;
            break;
        }
        case SIM_XM_CHECK:
            x->check[x->check_have++] = b;
            if (x->check_have == (x->mode == SIM_XM_MODE_CRC ? 2u : 1u))
                xm_block_complete(x);
            break;
        case SIM_XM_DONE:
        case SIM_XM_CANCELLED:
        case SIM_XM_FAILED:
        case SIM_XM_TIMEOUT:
            break;
        }
    }
    return x->state;
}

enum sim_xm_state sim_xmodem_timeout(struct sim_xmodem *x)
{
    switch (x->state) {
    case SIM_XM_SOLICIT:
        if (x->solicits_sent < x->cfg.crc_solicits + x->cfg.nak_solicits) {
            x->solicits_sent++;
            xm_send_byte(x, x->solicits_sent <= x->cfg.crc_solicits ? SIM_XM_C : SIM_XM_NAK);
        } else {
            x->state = SIM_XM_TIMEOUT;
        }
        break;
    case SIM_XM_CAN_SEEN:
        if (!x->started) {
            x->state = SIM_XM_SOLICIT; /* a lone CAN before any block */
            return sim_xmodem_timeout(x);
        }
        xm_error(x);
        break;
    case SIM_XM_HEADER:
    case SIM_XM_EOT_SEEN:
    case SIM_XM_BLOCK_NUM:
    case SIM_XM_BLOCK_INV:
    case SIM_XM_DATA:
    case SIM_XM_CHECK:
        xm_error(x); /* the partial block is dropped; the sender repeats it on NAK */
        break;
    case SIM_XM_IDLE:
    case SIM_XM_DONE:
    case SIM_XM_CANCELLED:
    case SIM_XM_FAILED:
    case SIM_XM_TIMEOUT:
        break;
    }
    return x->state;
}
