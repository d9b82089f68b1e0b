/* DTLS-PSK credentials for the CoAP endpoint: a file of `identity:hexkey` lines (blank lines
 * and lines starting with '#' ignored). */
#ifndef LARAFW_SRV_PSK_H
#define LARAFW_SRV_PSK_H

#include <stddef.h>
#include <stdint.h>

#include "srv_err.h"

#define SRV_PSK_KEY_MAX 64
#define SRV_PSK_ID_MAX  128

struct srv_psk_entry {
    char identity[SRV_PSK_ID_MAX];
    uint8_t key[SRV_PSK_KEY_MAX];
    size_t key_len;
};

struct srv_psk_table {
    struct srv_psk_entry *entries;
    size_t count;
};

/* Parses the text of a PSK file. On error *bad_line is the 1-based line at fault.
 * Returns 0, SRV_E_PARSE (no colon, empty identity, odd/invalid hex, key too long) or
 * SRV_E_NOMEM. */
SRV_WARN_UNUSED int srv_psk_parse(const char *text, size_t len, struct srv_psk_table *out,
                                  int *bad_line);
/* Reads and parses a file. Returns 0, SRV_E_IO or a srv_psk_parse error. */
SRV_WARN_UNUSED int srv_psk_load(const char *path, struct srv_psk_table *out, int *bad_line);
/* Entry for `identity` (len bytes) or NULL. */
const struct srv_psk_entry *srv_psk_find(const struct srv_psk_table *t, const uint8_t *identity,
                                         size_t len);
void srv_psk_free(struct srv_psk_table *t);

#endif
