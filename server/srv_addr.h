/* "HOST:PORT" and "[V6]:PORT" socket addresses for --coap, --http and --server. */
#ifndef LARAFW_SRV_ADDR_H
#define LARAFW_SRV_ADDR_H

#include <stdint.h>
#include <sys/socket.h>

#include "srv_err.h"

struct srv_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char host[256]; /* as given, without brackets */
    uint16_t port;
};

/* Resolves `text` (numeric address or host name; port required, 1..65535) for a socket of
 * `socktype` (SOCK_DGRAM, SOCK_STREAM). Returns 0 or SRV_E_ARG. */
SRV_WARN_UNUSED int srv_addr_parse(const char *text, int socktype, struct srv_addr *out);

/* "host:port" ("[v6]:port") of any sockaddr into out[0..cap). */
void srv_addr_format(const struct sockaddr *sa, char *out, size_t cap);

#endif
