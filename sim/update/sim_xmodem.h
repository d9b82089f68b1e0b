/* XMODEM / XMODEM-1K receiver of the simulated module (§3.1): a pure state machine.
 *
 * No I/O and no clock: the caller feeds received bytes with sim_xmodem_feed(), reports
 * expiry of the timer it armed for sim_xmodem_timeout_ms() with sim_xmodem_timeout(), and
 * gets the bytes to send (C, ACK, NAK, CAN) and the data blocks through the callbacks of
 * its config. Blocks of 128 (SOH) and 1024 (STX) bytes may be mixed in one transfer.
 *
 * Start (§3.1): the receiver solicits with 'C' (CRC-16 mode) `crc_solicits` times, each
 * followed by `crc_wait_ms`, then with NAK (checksum mode) `nak_solicits` times, each
 * followed by `nak_wait_ms`: 3 × 3 s + 10 × 10 s = 109 s for the module. A first block that
 * arrives after a 'C' was the last solicitation is checked with CRC-16, after a NAK with the
 * 8-bit checksum.
 *
 * End: the first EOT is answered with NAK and only a repeated EOT with ACK (the usual guard
 * against a stray 0x04 on a noisy line ending the transfer early); senders resend EOT on NAK.
 *
 * Padding: the receiver delivers every data byte, including the SUB (0x1A) padding of the
 * last block. It cannot know the file's end; the consumer (the package check) ignores SUB
 * bytes after the package's declared end (docs/simulator.md, "Firmware update").
 */
#ifndef LARAFW_SIM_XMODEM_H
#define LARAFW_SIM_XMODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_XM_SOH 0x01
#define SIM_XM_STX 0x02
#define SIM_XM_EOT 0x04
#define SIM_XM_ACK 0x06
#define SIM_XM_NAK 0x15
#define SIM_XM_CAN 0x18
#define SIM_XM_SUB 0x1A
#define SIM_XM_C   0x43

enum sim_xm_state {
    SIM_XM_IDLE = 0,  /* initialised, sim_xmodem_start() not called yet */
    SIM_XM_SOLICIT,   /* sending C / NAK, waiting for the first block */
    SIM_XM_HEADER,    /* waiting for SOH, STX, EOT or CAN */
    SIM_XM_BLOCK_NUM, /* got SOH/STX, waiting for the block number */
    SIM_XM_BLOCK_INV, /* waiting for the block number's complement */
    SIM_XM_DATA,      /* receiving 128 or 1024 data bytes */
    SIM_XM_CHECK,     /* receiving the checksum (1 byte) or CRC (2 bytes) */
    SIM_XM_CAN_SEEN,  /* one CAN received; a second one cancels */
    SIM_XM_EOT_SEEN,  /* one EOT received and NAKed; a repeated EOT ends the transfer */
    SIM_XM_DONE,      /* EOT acknowledged: transfer complete */
    SIM_XM_CANCELLED, /* the sender cancelled (CAN CAN) */
    SIM_XM_FAILED,    /* the receiver gave up and sent CAN (see sim_xmodem.fail) */
    SIM_XM_TIMEOUT,   /* no block after all solicitations */
};

enum sim_xm_mode { SIM_XM_MODE_CRC = 0, SIM_XM_MODE_CHECKSUM };

enum sim_xm_fail {
    SIM_XM_FAIL_NONE = 0,
    SIM_XM_FAIL_RETRIES,  /* too many consecutive bad blocks or block timeouts */
    SIM_XM_FAIL_SEQUENCE, /* a block number that is neither the next nor a repeat */
    SIM_XM_FAIL_CONSUMER, /* the block callback refused the data */
};

struct sim_xmodem_config {
    /* Bytes to send to the sender (one or a few at a time). */
    void (*send)(void *user, const uint8_t *buf, size_t len);
    /* A new, checked block, in order; `index` counts from 0 across the transfer (the block
     * number on the wire wraps at 256). Returns 0, or -1 to cancel the transfer. */
    int (*block)(void *user, uint32_t index, const uint8_t *data, size_t len);
    void *user;
    unsigned crc_solicits;  /* 'C' sent at the start (module: 3) */
    uint32_t crc_wait_ms;   /* wait after each 'C' (3000) */
    unsigned nak_solicits;  /* NAK sent after the C's (10) */
    uint32_t nak_wait_ms;   /* wait after each NAK (10000) */
    uint32_t block_wait_ms; /* silence inside a transfer before a NAK (10000) */
    unsigned max_retries;   /* consecutive errors before giving up (10) */
};

/* The module's values (§3.1). */
extern const struct sim_xmodem_config sim_xmodem_module_defaults;

struct sim_xmodem {
    struct sim_xmodem_config cfg;
    enum sim_xm_state state;
    enum sim_xm_mode mode;
    enum sim_xm_fail fail;
    unsigned solicits_sent; /* C and NAK sent while soliciting */
    unsigned errors;        /* consecutive errors in the transfer */
    uint8_t expect_num;     /* block number expected next on the wire */
    uint32_t blocks;        /* blocks delivered */
    uint32_t duplicates;    /* repeated blocks acknowledged and dropped */
    uint32_t naks;          /* retransmissions asked for (bad blocks, silences) */
    uint64_t bytes;         /* data bytes delivered, padding included */
    bool started;           /* the first SOH/STX arrived: the mode is fixed */
    bool any_block;         /* a block was delivered (block 0 is then a repeat, not a start) */
    uint8_t cur_num, cur_inv;
    size_t cur_len, cur_have;
    uint8_t check[2];
    size_t check_have;
    uint8_t buf[1024];
};

/* Initialises `x` from `cfg` (copied); state SIM_XM_IDLE. */
void sim_xmodem_init(struct sim_xmodem *x, const struct sim_xmodem_config *cfg);
/* Sends the first solicitation ('C', or NAK when crc_solicits is 0). */
void sim_xmodem_start(struct sim_xmodem *x);
/* Feeds received bytes. Returns the state after them. */
enum sim_xm_state sim_xmodem_feed(struct sim_xmodem *x, const uint8_t *buf, size_t len);
/* The caller's timer armed for sim_xmodem_timeout_ms() expired. Returns the new state. */
enum sim_xm_state sim_xmodem_timeout(struct sim_xmodem *x);
/* How long to wait, from now, before calling sim_xmodem_timeout(); 0 once finished.
 * Re-arm after every sim_xmodem_start/feed/timeout call. */
uint32_t sim_xmodem_timeout_ms(const struct sim_xmodem *x);
/* True in SIM_XM_DONE, CANCELLED, FAILED, TIMEOUT. */
bool sim_xmodem_finished(const struct sim_xmodem *x);
/* True once the sender began the transfer (the first SOH/STX was seen). */
bool sim_xmodem_started(const struct sim_xmodem *x);

/* CRC-16/XMODEM (poly 0x1021, init 0) and the 8-bit arithmetic checksum. */
uint16_t sim_xmodem_crc16(const uint8_t *buf, size_t len);
uint8_t sim_xmodem_checksum(const uint8_t *buf, size_t len);

#endif
