/* DTLS-PSK credentials for the CoAP endpoint, and which endpoint each identity may register
 * (docs/server.md "Credentials file"). One line per identity:
 *
 *   identity:hexkey                  the identity registers the endpoint named `identity`
 *   identity:hexkey:ENDPOINT         the identity registers ENDPOINT (which may hold ':',
 *                                    e.g. urn:imei:354521091714367)
 *   identity:hexkey:imei=IMEI        the identity registers urn:imei:IMEI (15 digits, Luhn)
 *
 * Blank lines and lines starting with '#' are ignored. An identity appears once. */
#ifndef LARAFW_SRV_PSK_H
#define LARAFW_SRV_PSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv_err.h"
#include "srv_imei.h"
#include "srv_regq.h"

#define SRV_PSK_KEY_MAX 64
#define SRV_PSK_ID_MAX  128

struct srv_psk_entry {
    char identity[SRV_PSK_ID_MAX];
    uint8_t key[SRV_PSK_KEY_MAX];
    size_t key_len;
    char endpoint[SRV_EP_MAX];   /* the one endpoint this identity may register */
    char imei[SRV_IMEI_LEN + 1]; /* the IMEI bound by imei=…, else "" */
    int line;                    /* in the file, for messages */
};

struct srv_psk_table {
    struct srv_psk_entry *entries; /* sorted by identity */
    size_t count;
};

/* Parses the text of a PSK file. On error *bad_line is the 1-based line at fault.
 * Returns 0, SRV_E_PARSE (no colon, empty identity, odd/invalid hex, key too long, endpoint
 * too long, imei= not a valid IMEI, identity repeated) or SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_psk_parse(const char *text, size_t len, struct srv_psk_table *out,
                                  int *bad_line);
/* Reads the whole file (srv_secret_read: refused when group/others may read it) and parses
 * it. On failure `why` says what is wrong and what to do. Returns 0, SRV_E_IO, SRV_E_ARG
 * (permissions), SRV_E_NOMEM or a srv_psk_parse error. */
SRV_WARN_UNUSED int srv_psk_load(const char *path, struct srv_psk_table *out, char *why,
                                 size_t cap);
/* Entry for `identity` (len bytes) or NULL. */
const struct srv_psk_entry *srv_psk_find(const struct srv_psk_table *t, const uint8_t *identity,
                                         size_t len);
/* True when the entry's identity may register (and update, de-register) `endpoint`. */
bool srv_psk_may_use(const struct srv_psk_entry *e, const char *endpoint);
void srv_psk_free(struct srv_psk_table *t);

#endif
