/* IMEI checks (srv_imei.h). */
#include "srv_imei.h"

#include <string.h>

bool srv_imei_valid(const char *imei)
{
    if (strlen(imei) != SRV_IMEI_LEN)
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < SRV_IMEI_LEN; i++) {
        if (imei[i] < '0' || imei[i] > '9')
            return false;
        unsigned d = (unsigned)(imei[i] - '0');
        if (i % 2 == 1) { /* every second digit from the left is doubled (Luhn) */
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

bool srv_imei_from_endpoint(const char *endpoint, char out[SRV_IMEI_LEN + 1])
{
    static const char prefix[] = "urn:imei:";
    size_t plen = sizeof prefix - 1;
    if (strncmp(endpoint, prefix, plen) != 0 || strlen(endpoint + plen) != SRV_IMEI_LEN)
        return false;
    for (size_t i = 0; i < SRV_IMEI_LEN; i++)
        if (endpoint[plen + i] < '0' || endpoint[plen + i] > '9')
            return false;
    memcpy(out, endpoint + plen, SRV_IMEI_LEN + 1);
    return true;
}
