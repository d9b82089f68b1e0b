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

/* The report records every command line before it is parsed, so that a malformed command is
 * seen too; the password of a malformed command is a password all the same. The rules
 * therefore follow the host's intent, not the parser: every "UFTP" / "UHTTP" (any case, '+'
 * or not, blanks or other junk before '=' or ':') whose parameters — split at every comma,
 * quotes ignored — hold an op code 3 (password: §4.2.1.1, §4.2.2.1; written 3, "3", 03, +3,
 * blanks around) loses everything after that op code. For +UHTTP a leading 3 is a profile
 * when a number (the op code) follows it. Redacting too much is harmless, too little is not. */

static bool sim_redact_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Index after "name" at line[i] (case-insensitive, not followed by a name character), or 0. */
static size_t sim_redact_name_at(const char *line, size_t i, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(line + i, name, n) != 0 || sim_redact_name_char(line[i + n]))
        return 0;
    if (i > 0 && sim_redact_name_char(line[i - 1]) && line[i - 1] != 'T' && line[i - 1] != 't')
        return 0; /* part of a longer word ("ATUFTP" still counts) */
    return i + n;
}

/* Blanks, and the '.' the report shows for a control character. */
static bool sim_redact_junk(char c)
{
    return c == ' ' || c == '\t' || c == '.';
}

/* Is line[a..b) the number 3, possibly quoted, signed, zero-padded, with blanks around? */
static bool sim_redact_is_three(const char *line, size_t a, size_t b)
{
    while (a < b && sim_redact_junk(line[a]))
        a++;
    while (b > a && sim_redact_junk(line[b - 1]))
        b--;
    if (b - a >= 2 && line[a] == '"' && line[b - 1] == '"') {
        a++;
        b--;
    }
    while (a < b && line[a] == ' ')
        a++;
    while (b > a && line[b - 1] == ' ')
        b--;
    if (a < b && line[a] == '+')
        a++;
    while (a + 1 < b && line[a] == '0')
        a++;
    return b - a == 1 && line[a] == '3';
}

/* Is line[a..b) a plain (unquoted) decimal number? */
static bool sim_redact_is_number(const char *line, size_t a, size_t b)
{
    while (a < b && line[a] == ' ')
        a++;
    while (b > a && line[b - 1] == ' ')
        b--;
    if (a == b)
        return false;
    for (size_t k = a; k < b; k++)
        if (line[k] < '0' || line[k] > '9')
            return false;
    return true;
}

/* Replaces line[from..] by "***" (shorter when less is there). */
static void sim_redact_rest(char *line, size_t from)
{
    size_t rest = strlen(line + from);
    if (rest == 0)
        return;
    if (rest >= 3)
        memcpy(line + from, "***", 4);
    else
        memset(line + from, '*', rest);
}

/* Parameters of one command at line[i] (just after '='): 1 if it redacted the rest. */
static int sim_redact_params(char *line, size_t i, bool http)
{
    size_t field = 0;
    for (;;) {
        size_t end = i + strcspn(line + i, ",");
        if (line[end] != ',')
            return 0; /* the last parameter: nothing follows an op code there */
        if (sim_redact_is_three(line, i, end)) {
            size_t next = end + 1 + strcspn(line + end + 1, ",");
            bool profile = http && field == 0 && sim_redact_is_number(line, end + 1, next);
            if (!profile) {
                sim_redact_rest(line, end + 1);
                return 1;
            }
        }
        i = end + 1;
        field++;
    }
}

void sim_net_redact(char *line)
{
    for (size_t i = 0; line[i]; i++) {
        bool http = false;
        size_t j = sim_redact_name_at(line, i, "UFTP");
        if (!j) {
            j = sim_redact_name_at(line, i, "UHTTP");
            http = j != 0;
        }
        if (!j)
            continue;
        while (sim_redact_junk(line[j]))
            j++;
        if (line[j] != '=' && line[j] != ':')
            continue;
        if (sim_redact_params(line, j + 1, http))
            return; /* the rest of the line is gone */
    }
}
