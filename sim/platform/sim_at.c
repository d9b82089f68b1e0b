/* AT command line parser (V.250 syntax as the LARA-R6/L6 AT manual uses it). One command per
 * line: "AT", basic commands ("ATE0", "ATI9", "AT&F") and extended commands ("AT+CMD",
 * "AT+CMD?", "AT+CMD=?", "AT+CMD=<p1>,<p2>,…"). Concatenated commands are not supported (the
 * simulator answers them with ERROR; docs/simulator.md). Input is untrusted: every path is
 * bounded by `len` and the fixed sizes of struct sim_at_cmd (fuzzed by tests/fuzz/sim_at.c). */
#include "sim.h"

#include <string.h>

static bool sim_at_is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool sim_at_is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool sim_at_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char sim_at_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Characters V.250 allows in an extended command name after its prefix. */
static bool sim_at_is_name_char(char c)
{
    return sim_at_is_alpha(c) || sim_at_is_digit(c) || c == '!' || c == '%' || c == '-' ||
           c == '.' || c == '/' || c == ':' || c == '_';
}

/* Decimal integer with optional sign that fits in long long. */
static bool sim_at_number(const char *str, long long *out)
{
    const char *q = str;
    bool neg = false;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    if (!sim_at_is_digit(*q))
        return false;
    unsigned long long v = 0;
    const unsigned long long lim =
        neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
    for (; *q; q++) {
        if (!sim_at_is_digit(*q))
            return false;
        unsigned d = (unsigned)(*q - '0');
        if (v > (lim - d) / 10u)
            return false;
        v = v * 10u + d;
    }
    if (neg)
        *out = v == (unsigned long long)LLONG_MAX + 1u ? LLONG_MIN : -(long long)v;
    else
        *out = (long long)v;
    return true;
}

/* Parses the parameter list in line[i..len). Strings are copied into out->storage. */
static int sim_at_params(const char *line, size_t i, size_t len, struct sim_at_cmd *out)
{
    size_t used = 0; /* bytes of out->storage in use */
    out->nparams = 0;
    /* skip leading blanks; an empty list ("AT+X=") has no parameters */
    size_t j = i;
    while (j < len && sim_at_is_space(line[j]))
        j++;
    if (j == len)
        return 0;
    for (;;) {
        if (out->nparams >= SIM_AT_MAX_PARAMS)
            return -1;
        struct sim_at_param *prm = &out->p[out->nparams++];
        memset(prm, 0, sizeof *prm);
        while (i < len && sim_at_is_space(line[i]))
            i++;
        char *dst = out->storage + used;
        size_t n = 0;
        if (i < len && line[i] == '"') {
            i++;
            /* \" and \\ stand for " and \ (JSON in AT+ULWM2MWRITE, §5.6) */
            while (i < len && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < len && (line[i + 1] == '"' || line[i + 1] == '\\'))
                    i++;
                if (used + n + 2 > sizeof out->storage)
                    return -1;
                dst[n++] = line[i++];
            }
            if (i == len)
                return -1; /* unterminated string */
            i++;           /* closing quote */
            while (i < len && sim_at_is_space(line[i]))
                i++;
            if (i < len && line[i] != ',')
                return -1; /* text after a closing quote */
            prm->present = true;
            prm->quoted = true;
        } else {
            size_t start = i;
            while (i < len && line[i] != ',') {
                if (line[i] == '"')
                    return -1; /* quote inside an unquoted value */
                i++;
            }
            size_t end = i;
            while (end > start && sim_at_is_space(line[end - 1]))
                end--;
            n = end - start;
            if (used + n + 1 > sizeof out->storage)
                return -1;
            memcpy(dst, line + start, n);
            prm->present = n > 0;
        }
        dst[n] = '\0';
        used += n + 1;
        prm->str = dst;
        if (prm->present && !prm->quoted)
            prm->is_num = sim_at_number(dst, &prm->num);
        if (i >= len)
            return 0;
        i++;            /* the comma */
        if (i == len) { /* trailing comma: one more, empty, parameter */
            if (out->nparams >= SIM_AT_MAX_PARAMS)
                return -1;
            struct sim_at_param *last = &out->p[out->nparams++];
            memset(last, 0, sizeof *last);
            if (used + 1 > sizeof out->storage)
                return -1;
            out->storage[used] = '\0';
            last->str = out->storage + used;
            return 0;
        }
    }
}

int sim_at_parse(const char *line, size_t len, struct sim_at_cmd *out)
{
    if (!line || !out)
        return -1;
    memset(out, 0, sizeof *out);
    out->basic_value = -1;
    out->type = SIM_AT_ACTION;
    if (len >= SIM_AT_LINE_MAX)
        return -1;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)line[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -1; /* control characters never belong to a command */
    }
    /* trailing blanks are not significant */
    while (len > 0 && sim_at_is_space(line[len - 1]))
        len--;
    if (len < 2 || sim_at_upper(line[0]) != 'A' || sim_at_upper(line[1]) != 'T')
        return -1;
    size_t i = 2;
    if (i == len)
        return 0; /* "AT": name "" */
    char c = line[i];
    if (c == '+' || c == '#' || c == '*' || c == '^') {
        /* extended command */
        size_t n = 0;
        out->name[n++] = c;
        i++;
        while (i < len && sim_at_is_name_char(line[i])) {
            if (n + 1 >= SIM_AT_NAME_MAX)
                return -1;
            out->name[n++] = sim_at_upper(line[i++]);
        }
        if (n < 2)
            return -1;
        out->name[n] = '\0';
        if (i == len) {
            out->type = SIM_AT_ACTION;
            return 0;
        }
        if (line[i] == '?') {
            if (i + 1 != len)
                return -1;
            out->type = SIM_AT_READ;
            return 0;
        }
        if (line[i] != '=')
            return -1;
        i++;
        if (i < len && line[i] == '?') {
            if (i + 1 != len)
                return -1;
            out->type = SIM_AT_TEST;
            return 0;
        }
        out->type = SIM_AT_SET;
        return sim_at_params(line, i, len, out);
    }
    /* basic command: [&]letter [digits] */
    size_t n = 0;
    if (c == '&') {
        out->name[n++] = '&';
        i++;
        if (i == len)
            return -1;
        c = line[i];
    }
    if (!sim_at_is_alpha(c))
        return -1;
    out->name[n++] = sim_at_upper(c);
    out->name[n] = '\0';
    i++;
    if (i < len && sim_at_is_digit(line[i])) {
        int v = 0;
        while (i < len && sim_at_is_digit(line[i])) {
            if (v > 9999)
                return -1;
            v = v * 10 + (line[i] - '0');
            i++;
        }
        out->basic_value = v;
    }
    if (i != len)
        return -1; /* more commands on the line, or garbage */
    return 0;
}
