/* XMODEM / XMODEM-1K sender (see larafw/xmodem.h; §3.1 for the module's receiver). */
#include <string.h>

#include "larafw/xmodem.h"
#include "util.h"

/* Two CANs in a row cancel a transfer (both directions). */
#define CAN_COUNT 2u

int lfw_xmodem_init(struct lfw_xmodem *x, const struct lfw_xmodem_config *cfg)
{
    if (x == NULL || cfg == NULL || cfg->port == NULL || cfg->port->write == NULL ||
        cfg->port->read == NULL || cfg->port->now_ms == NULL || cfg->block_buf == NULL) {
        return LFW_EINVAL;
    }
    uint16_t block = cfg->block_size != 0 ? cfg->block_size : 1024u;
    if (block != 128u && block != 1024u) {
        return LFW_EINVAL;
    }
    if (cfg->block_buf_size < (size_t)block + 5u) {
        return LFW_EINVAL;
    }
    memset(x, 0, sizeof *x);
    x->cfg = *cfg;
    x->cfg.block_size = block;
    if (x->cfg.start_timeout_ms == 0) {
        x->cfg.start_timeout_ms = LFW_XMODEM_START_TIMEOUT_MS;
    }
    if (x->cfg.ack_timeout_ms == 0) {
        x->cfg.ack_timeout_ms = LFW_XMODEM_ACK_TIMEOUT_MS;
    }
    if (x->cfg.max_retries == 0) {
        x->cfg.max_retries = LFW_XMODEM_MAX_RETRIES;
    }
    return 0;
}

/* CRC-16/XMODEM four bits at a time: crc16_nibble[i] is the CRC register after shifting the
 * nibble i through a zero register (poly 0x1021). Two steps per byte instead of eight, for 32
 * bytes of flash (a byte table would cost 512 and break the core's size budget,
 * bench/core-size). With a two-block buffer the CRC is computed while the block before is on
 * the line (send_until_ack), off the per-block turnaround (docs/testing.md, "XMODEM
 * throughput"). */
static const uint16_t crc16_nibble[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
    0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
};

uint16_t lfw_xmodem_crc16(uint16_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc =
            (uint16_t)((uint16_t)(crc << 4) ^ crc16_nibble[((crc >> 12) ^ (data[i] >> 4)) & 0xfu]);
        crc = (uint16_t)((uint16_t)(crc << 4) ^ crc16_nibble[((crc >> 12) ^ data[i]) & 0xfu]);
    }
    return crc;
}

/* What the receiver answered. */
enum reply {
    REPLY_ACK,
    REPLY_NAK,
    REPLY_CRC_START, /* 'C' */
    REPLY_CANCEL,
    REPLY_TIMEOUT,
};

/* Reads bytes until one that means something arrives or `timeout_ms` passes. Unknown bytes
 * (line noise, the "\r\n" after +UFWUPD: ONGOING) are skipped. Returns a reply or LFW_EIO. */
static int read_reply(const struct lfw_port *port, uint32_t timeout_ms)
{
    struct lfw_deadline d;
    unsigned cans = 0;
    lfw_deadline_start(&d, port, timeout_ms);
    for (;;) {
        uint8_t c = 0;
        uint32_t left = lfw_deadline_left(&d, port);
        int n = port->read(port->user, &c, 1, left);
        if (n < 0) {
            return n == LFW_ECANCELED ? LFW_ECANCELED : LFW_EIO;
        }
        if (n > 0) {
            if (c == LFW_XMODEM_CAN) {
                if (++cans >= CAN_COUNT) {
                    return REPLY_CANCEL;
                }
            } else {
                cans = 0;
                switch (c) {
                case LFW_XMODEM_ACK:
                    return REPLY_ACK;
                case LFW_XMODEM_NAK:
                    return REPLY_NAK;
                case 'C':
                    return REPLY_CRC_START;
                default:
                    break;
                }
            }
        }
        /* Checked after every read, whatever arrived: a stream of noise must not hold the
         * wait open past its deadline. */
        if (left == 0) {
            return REPLY_TIMEOUT;
        }
    }
}

/* Tells the receiver to stop (CAN CAN), then returns `rc`. */
static int cancel(const struct lfw_xmodem *x, int rc)
{
    static const uint8_t cans[] = {LFW_XMODEM_CAN, LFW_XMODEM_CAN, LFW_XMODEM_CAN};
    (void)lfw_port_write_all(x->cfg.port, cans, sizeof cans);
    return rc;
}

/* Fills `b` with block `seq` holding src[offset…]; returns its wire length. */
static int build_block(const struct lfw_xmodem *x, const struct lfw_source *src, uint32_t offset,
                       uint8_t seq, uint8_t *b)
{
    size_t block = x->cfg.block_size;
    uint32_t left = src->size - offset;
    size_t n = left < block ? (size_t)left : block;
    int got = src->read(src->user, offset, b + 3, n);
    if (got < 0 || (size_t)got != n) {
        return LFW_ESOURCE;
    }
    memset(b + 3 + n, LFW_XMODEM_PAD, block - n);
    b[0] = block == 1024u ? LFW_XMODEM_STX : LFW_XMODEM_SOH;
    b[1] = seq;
    b[2] = (uint8_t)~seq;
    if (x->crc) {
        uint16_t crc = lfw_xmodem_crc16(0, b + 3, block);
        b[3 + block] = (uint8_t)(crc >> 8);
        b[4 + block] = (uint8_t)crc;
        return (int)(block + 5);
    }
    uint8_t sum = 0;
    for (size_t i = 0; i < block; i++) {
        sum = (uint8_t)(sum + b[3 + i]);
    }
    b[3 + block] = sum;
    return (int)(block + 4);
}

/* The block to prepare while the current one is on the line (double buffer). */
struct next_block {
    const struct lfw_source *src;
    uint32_t offset;
    uint8_t seq;
    uint8_t *buf;
    int len; /* wire length, LFW_ESOURCE, or 0 while not built */
};

/* Drops start characters that are already queued (the receiver repeats 'C'/NAK until data
 * comes, §3.1), so that a stale NAK is not taken as the answer to block 1 — resending it would
 * make the receiver ACK a duplicate and shift every later ACK by one block. */
static void drop_queued_starts(const struct lfw_xmodem *x)
{
    uint8_t junk[16];
    for (int i = 0; i < 8; i++) {
        int n = x->cfg.port->read(x->cfg.port->user, junk, sizeof junk, 0);
        if (n <= 0) {
            return;
        }
    }
}

/* Waits for the receiver's start character: 'C' → CRC-16, NAK → checksum (§3.1). */
static int wait_start(struct lfw_xmodem *x)
{
    struct lfw_deadline d;
    lfw_deadline_start(&d, x->cfg.port, x->cfg.start_timeout_ms);
    for (;;) {
        int r = read_reply(x->cfg.port, lfw_deadline_left(&d, x->cfg.port));
        switch (r) {
        case REPLY_CRC_START:
            x->crc = true;
            drop_queued_starts(x);
            return 0;
        case REPLY_NAK:
            x->crc = false;
            drop_queued_starts(x);
            return 0;
        case REPLY_CANCEL:
            return LFW_ECANCELED;
        case REPLY_TIMEOUT:
            return cancel(x, LFW_ETIMEDOUT);
        case REPLY_ACK:
            break; /* a stray ACK before anything was sent: ignore */
        default:
            return r; /* LFW_EIO */
        }
    }
}

/* Sends `n` bytes of `data` (or EOT when n is 0) until ACK. When `next` is given, builds that
 * block right after the first write, while this one is still on its way and the receiver
 * checks it: the answer is then followed at once by the next block (no source read and no CRC
 * in the turnaround). */
static int send_until_ack(struct lfw_xmodem *x, const uint8_t *data, size_t n,
                          struct next_block *next)
{
    static const uint8_t eot = LFW_XMODEM_EOT;
    if (n == 0) {
        data = &eot;
        n = 1;
    }
    int last = REPLY_TIMEOUT;
    for (uint32_t attempt = 0; attempt <= x->cfg.max_retries; attempt++) {
        if (attempt > 0) {
            x->retransmissions++;
        }
        if (lfw_port_write_all(x->cfg.port, data, n) != 0) {
            return LFW_EIO;
        }
        if (next != NULL && next->len == 0) {
            next->len = build_block(x, next->src, next->offset, next->seq, next->buf);
        }
        int r;
        /* A 'C' still queued from the start phase is no answer to this block. */
        do {
            r = read_reply(x->cfg.port, x->cfg.ack_timeout_ms);
        } while (r == REPLY_CRC_START);
        switch (r) {
        case REPLY_ACK:
            return 0;
        case REPLY_CANCEL:
            return LFW_ECANCELED;
        case REPLY_NAK:
        case REPLY_TIMEOUT:
            last = r; /* §3: resend the same block (a lost ACK looks like a timeout) */
            break;
        default:
            return r;
        }
    }
    return cancel(x, last == REPLY_TIMEOUT ? LFW_ETIMEDOUT : LFW_ERETRIES);
}

int lfw_xmodem_send(struct lfw_xmodem *x, const struct lfw_source *src)
{
    if (x == NULL || x->cfg.port == NULL || src == NULL || (src->read == NULL && src->size > 0)) {
        return LFW_EINVAL;
    }
    x->blocks = 0;
    x->retransmissions = 0;
    int rc = wait_start(x);
    if (rc != 0) {
        return rc;
    }
    /* With room for two blocks, block k+1 is built while block k is on the line. */
    size_t wire = (size_t)x->cfg.block_size + (x->crc ? 5u : 4u);
    uint8_t *cur = x->cfg.block_buf;
    uint8_t *spare = x->cfg.block_buf_size >= 2u * wire ? x->cfg.block_buf + wire : NULL;
    uint32_t offset = 0;
    uint8_t seq = 1;
    int len = 0;
    if (src->size > 0) {
        len = build_block(x, src, 0, seq, cur);
        if (len < 0) {
            return cancel(x, len);
        }
    }
    while (offset < src->size) {
        uint32_t left = src->size - offset;
        uint32_t next_offset = offset + (left < x->cfg.block_size ? left : x->cfg.block_size);
        struct next_block next = {src, next_offset, (uint8_t)(seq + 1u), spare, 0};
        bool ahead = spare != NULL && next_offset < src->size;
        rc = send_until_ack(x, cur, (size_t)len, ahead ? &next : NULL);
        if (rc != 0) {
            return rc;
        }
        offset = next_offset;
        seq++;
        x->blocks++;
        if (x->cfg.progress != NULL &&
            x->cfg.progress(x->cfg.progress_user, offset, src->size) != 0) {
            return cancel(x, LFW_ECANCELED);
        }
        if (offset >= src->size) {
            break;
        }
        if (ahead) {
            len = next.len;
            spare = cur;
            cur = next.buf;
        } else {
            len = build_block(x, src, offset, seq, cur);
        }
        if (len < 0) {
            return cancel(x, len);
        }
    }
    return send_until_ack(x, NULL, 0, NULL);
}
