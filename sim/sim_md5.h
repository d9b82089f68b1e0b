/* MD5 (RFC 1321) for the FOTA-over-network URCs (+UUFTPCR / +UUHTTPCR carry the package's MD5,
 * §4.2.1.3, §4.2.2.3). A checksum the module reports, not a security mechanism: the package's
 * integrity is its Ed25519 signature (docs/package-format.md). Written from the RFC's
 * description; checked against its test suite (tests/unit/sim_net_test.c). */
#ifndef LARAFW_SIM_MD5_H
#define LARAFW_SIM_MD5_H

#include <stddef.h>
#include <stdint.h>

#define SIM_MD5_LEN 16

struct sim_md5 {
    uint32_t state[4];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* a partial block */
    size_t used;
};

void sim_md5_init(struct sim_md5 *m);
void sim_md5_update(struct sim_md5 *m, const void *data, size_t len);
/* Pads, finishes and writes the 16-byte digest. */
void sim_md5_final(struct sim_md5 *m, uint8_t out[SIM_MD5_LEN]);

#endif
