/* The AT-facing helpers of the network downloads: the error class and code a host reads with
 * AT+UFTPER / AT+UHTTPER (§4.2.1.5, §4.2.2.5; the numbers beyond the note's two examples are
 * docs/simulator.md's assumptions), URLs built from a profile and a path, and the password
 * redaction of command lines in the report. */
#define _GNU_SOURCE
#include "sim_net.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- error codes and URLs ------------------------------------------------------------------ */

void sim_net_error_code(const struct sim_net_result *r, int internal_class, int proto_class,
                        int *cls, int *code)
{
    static const struct {
        enum sim_net_err err;
        int code;
    } table[] = {
        {SIM_NET_E_CONNECT, 11}, {SIM_NET_E_HOST, 23},    {SIM_NET_E_LOGIN, 24},
        {SIM_NET_E_TIMEOUT, 26}, {SIM_NET_E_LOST, 27},    {SIM_NET_E_CANCELLED, 40},
        {SIM_NET_E_TLS, 73},     {SIM_NET_E_STORAGE, 10}, {SIM_NET_E_INTERNAL, 10},
    };
    *cls = 0;
    *code = 0;
    if (r->err == SIM_NET_OK)
        return;
    /* a server's answer is the most precise reason: FTP 530/550, HTTP 404 … */
    bool proto = r->err == SIM_NET_E_MISSING || r->err == SIM_NET_E_PROTOCOL ||
                 (r->err == SIM_NET_E_LOGIN && proto_class == 1 && r->proto_code >= 400);
    if (proto && r->proto_code > 0) {
        *cls = proto_class;
        *code = (int)r->proto_code;
        return;
    }
    *cls = internal_class;
    *code = 10;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].err == r->err)
            *code = table[i].code;
}

int sim_net_url(char *out, size_t len, const char *scheme, const char *host, long port,
                const char *path)
{
    int n = port > 0 ? snprintf(out, len, "%s://%s:%ld/", scheme, host, port)
                     : snprintf(out, len, "%s://%s/", scheme, host);
    if (n < 0 || (size_t)n >= len)
        return -1;
    size_t k = (size_t)n;
    while (*path == '/')
        path++; /* relative to the login directory (FTP) or the document root (HTTP) */
    static const char keep[] = "-._~/!$&'()*+,;=:@%?";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL;
        if (k + 4 >= len)
            return -1;
        if (plain) {
            out[k++] = (char)*p;
        } else {
            snprintf(out + k, 4, "%%%02X", *p);
            k += 3;
        }
    }
    out[k] = '\0';
    return 0;
}

/* ---- report redaction ---------------------------------------------------------------------- */

void sim_net_redact(char *line)
{
    /* AT+UFTP=3,"pw" and AT+UHTTP=<p>,3,"pw": keep the command, hide the value */
    size_t len = strlen(line);
    for (size_t i = 0; i + 3 < len; i++) {
        const char *p = line + i;
        size_t skip = 0;
        if (strncasecmp(p, "+UFTP=", 6) == 0) {
            skip = 6;
        } else if (strncasecmp(p, "+UHTTP=", 7) == 0) {
            skip = 7;
            while (p[skip] >= '0' && p[skip] <= '9')
                skip++;
            if (p[skip] != ',')
                continue;
            skip++;
        } else {
            continue;
        }
        while (p[skip] == ' ')
            skip++;
        if (p[skip] == '3' && p[skip + 1] == ',') {
            size_t pos = i + skip + 2, rest = len - pos;
            if (rest >= 3)
                memcpy(line + pos, "***", 4);
            else
                memset(line + pos, '*', rest);
        }
        return;
    }
}
