/* A scripted fake port for liblarafw unit tests.
 *
 * The script is a list of steps: EXPECT (bytes the core must write next), READ (bytes the
 * "module" sends), JUMP (the clock jumps forward). Reads deliver READ steps in order but never
 * pass an EXPECT step that has not been written yet — the module answers only after the
 * command. Writes are matched against the first unmatched EXPECT step (a write may span
 * several steps or come in pieces). A read that finds nothing advances the fake clock by its
 * timeout, as a real blocking read would. `read_cap` limits the bytes per read to force
 * fragmented reads.
 *
 * A peer callback (optional) sees every write and can queue answers with fake_port_push()
 * (used as an XMODEM receiver). Queued bytes are read before script steps.
 */
#ifndef LARAFW_TESTS_FAKE_PORT_H
#define LARAFW_TESTS_FAKE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "larafw/port.h"

struct fake_port;

typedef void (*fake_peer_fn)(struct fake_port *fp, const uint8_t *data, size_t len, void *ctx);

struct fake_port *fake_port_new(void);
void fake_port_free(struct fake_port *fp);
/* The port to hand to the core. */
const struct lfw_port *fake_port_port(struct fake_port *fp);

void fake_port_expect(struct fake_port *fp, const void *data, size_t len);
void fake_port_expect_str(struct fake_port *fp, const char *s);
void fake_port_read(struct fake_port *fp, const void *data, size_t len);
void fake_port_read_str(struct fake_port *fp, const char *s);
void fake_port_jump(struct fake_port *fp, uint32_t ms);

void fake_port_set_read_cap(struct fake_port *fp, size_t cap);
void fake_port_set_now(struct fake_port *fp, uint32_t now);
uint32_t fake_port_now(const struct fake_port *fp);
void fake_port_set_peer(struct fake_port *fp, fake_peer_fn peer, void *ctx);
/* Queues bytes for the next reads (from a peer callback or a test). */
void fake_port_push(struct fake_port *fp, const void *data, size_t len);
/* Makes the next `n` reads fail (negative). */
void fake_port_fail_reads(struct fake_port *fp, unsigned n);
/* …with the value `rc` (e.g. LFW_ECANCELED, as a port that was asked to stop). */
void fake_port_fail_reads_with(struct fake_port *fp, unsigned n, int rc);
/* A sender that never stops (/dev/zero, a stuck module): whenever no script step can be read,
 * every read returns at once as many bytes as allowed, `pattern` repeated, and the clock moves
 * `ms_per_read` on. The script still comes first. */
void fake_port_flood(struct fake_port *fp, const void *pattern, size_t len, uint32_t ms_per_read);
/* Reads the flood answered so far. */
unsigned long fake_port_flood_reads(const struct fake_port *fp);

/* True when no write mismatched; *why gets a description otherwise. */
bool fake_port_ok(const struct fake_port *fp, const char **why);
/* The end of a test: checks fake_port_ok() (printing why not on stderr), frees the port.
 * Returns what fake_port_ok() said. The teardown of every fake-port test. */
bool fake_port_finish(struct fake_port *fp);
/* True when every step was consumed. */
bool fake_port_done(const struct fake_port *fp);
/* Everything written so far. */
const uint8_t *fake_port_written(const struct fake_port *fp, size_t *len);
/* Rates set through set_baud, in order (up to 8). */
size_t fake_port_bauds(const struct fake_port *fp, const uint32_t **bauds);

#endif
