/* IMEI checks: 15 decimal digits whose last one is the Luhn check digit (3GPP TS 23.003
 * §6.2.1, §B.2), and the IMEI named by an LwM2M endpoint "urn:imei:<IMEI>" (OMA LwM2M 1.0
 * §7.2.2 endpoint client name, RFC 7254). */
#ifndef LARAFW_SRV_IMEI_H
#define LARAFW_SRV_IMEI_H

#include <stdbool.h>
#include <stddef.h>

#define SRV_IMEI_LEN 15

/* True for exactly 15 digits with a correct Luhn check digit. */
bool srv_imei_valid(const char *imei);
/* The IMEI of an endpoint "urn:imei:<15 digits>" (copied to out, 16 bytes), true when the
 * endpoint has that form (the IMEI is then not yet checked for Luhn); false otherwise. */
bool srv_imei_from_endpoint(const char *endpoint, char out[SRV_IMEI_LEN + 1]);

#endif
