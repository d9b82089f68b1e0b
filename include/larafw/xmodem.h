/* XMODEM / XMODEM-1K sender (§3.1: the module receives with CRC-16 after 'C', with the
 * arithmetic checksum after NAK; 128-byte and 1024-byte blocks are both accepted).
 *
 * Data is pulled from a `struct lfw_source` block by block; the only RAM is the caller's block
 * buffer (LFW_XMODEM_BUF_1K bytes for 1K blocks). The last block is padded with 0x1A. A buffer
 * of two blocks (LFW_XMODEM_BUF_1K_2) lets the sender read and checksum block k+1 while block k
 * is on the line, so that the receiver's ACK is answered by the next block at once.
 * Protocol: wait for the receiver's start character ('C' → CRC-16, NAK → checksum) within
 * start_timeout_ms; send each block and wait for ACK; NAK or no answer within ack_timeout_ms
 * → resend (at most max_retries times per block); CAN CAN from the receiver → LFW_ECANCELED;
 * on any failure of ours the sender emits CAN CAN so that the receiver stops; at the end EOT,
 * expect ACK (EOT again after NAK or timeout).
 */
#ifndef LARAFW_XMODEM_H
#define LARAFW_XMODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "larafw/error.h"
#include "larafw/port.h"
#include "larafw/source.h"

#define LFW_XMODEM_SOH 0x01
#define LFW_XMODEM_STX 0x02
#define LFW_XMODEM_EOT 0x04
#define LFW_XMODEM_ACK 0x06
#define LFW_XMODEM_NAK 0x15
#define LFW_XMODEM_CAN 0x18
#define LFW_XMODEM_PAD 0x1A

/* Block buffer sizes: header (3) + data + CRC (2). */
#define LFW_XMODEM_BUF_128 133
#define LFW_XMODEM_BUF_1K  1029
/* Two blocks: the next one is prepared while the current one is sent (see above). */
#define LFW_XMODEM_BUF_128_2 (2 * LFW_XMODEM_BUF_128)
#define LFW_XMODEM_BUF_1K_2  (2 * LFW_XMODEM_BUF_1K)

/* Defaults (used when the config field is 0). */
#define LFW_XMODEM_START_TIMEOUT_MS 109000u /* §3.1: 3 × 3 s 'C' + 10 × 10 s NAK */
#define LFW_XMODEM_ACK_TIMEOUT_MS   10000u
#define LFW_XMODEM_MAX_RETRIES      10u

struct lfw_xmodem_config {
    const struct lfw_port *port; /* e.g. lfw_at_raw_port() */
    /* caller's, >= LFW_XMODEM_BUF_128 / LFW_XMODEM_BUF_1K; LFW_XMODEM_BUF_…_2 (two blocks)
     * to prepare each block while the one before is sent */
    uint8_t *block_buf;
    size_t block_buf_size;
    uint16_t block_size;       /* 128 or 1024; 0 = 1024 */
    uint32_t start_timeout_ms; /* 0 = LFW_XMODEM_START_TIMEOUT_MS */
    uint32_t ack_timeout_ms;   /* 0 = LFW_XMODEM_ACK_TIMEOUT_MS */
    uint32_t max_retries;      /* per block and for EOT; 0 = LFW_XMODEM_MAX_RETRIES */
    /* Called after every acknowledged block; a non-zero return cancels the transfer
     * (CAN CAN is sent, lfw_xmodem_send returns LFW_ECANCELED). May be NULL. */
    int (*progress)(void *user, uint32_t bytes, uint32_t total);
    void *progress_user;
};

struct lfw_xmodem {
    struct lfw_xmodem_config cfg;
    bool crc;                 /* receiver chose CRC-16 */
    uint32_t retransmissions; /* blocks (and EOTs) sent again, for statistics */
    uint32_t blocks;          /* blocks acknowledged */
};

/* Initialises `x` from `cfg`. Returns 0 or LFW_EINVAL (no port, block size not 128/1024,
 * buffer too small). */
int lfw_xmodem_init(struct lfw_xmodem *x, const struct lfw_xmodem_config *cfg) LFW_WARN_UNUSED;

/* Sends `src` (src->size bytes; 0 bytes sends EOT only). Returns 0 once the receiver
 * acknowledged EOT, or LFW_ETIMEDOUT (no start character / no answer after the retries),
 * LFW_ERETRIES, LFW_ECANCELED, LFW_ESOURCE, LFW_EIO, LFW_EINVAL. */
int lfw_xmodem_send(struct lfw_xmodem *x, const struct lfw_source *src) LFW_WARN_UNUSED;

/* CRC-16/XMODEM (poly 0x1021, init 0) of `len` bytes continuing from `crc`. */
uint16_t lfw_xmodem_crc16(uint16_t crc, const uint8_t *data, size_t len);

#endif /* LARAFW_XMODEM_H */
