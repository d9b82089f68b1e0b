/* LwM2M payload formats (OMA-TS-LightweightM2M-V1_0 §6.4.4 JSON, §6.4.1 text; OMA-TLV is the
 * shared codec src/lwm2m/lwm2m_tlv.h). Every parser bounds its reads by the length it is
 * given; fuzzed by tests/fuzz/sim_lwm2m.c. */
#include "sim_lwm2m_data.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- plain text ------------------------------------------------------------------------ */

int sim_text_put(char *out, size_t cap, const struct sim_lwm2m_value *v)
{
    int n;
    switch (v->type) {
    case SIM_LV_INT:
    case SIM_LV_BOOL:
        n = snprintf(out, cap, "%" PRId64, v->i);
        break;
    case SIM_LV_STR:
        n = snprintf(out, cap, "%s", v->s);
        break;
    case SIM_LV_OBJLNK:
        n = snprintf(out, cap, "%u:%u", (unsigned)((uint64_t)v->i >> 16) & 0xffffu,
                     (unsigned)v->i & 0xffffu);
        break;
    default:
        return -1;
    }
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Decimal integer, optional sign, the whole buffer. */
static int sim_dec(const char *p, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    if (i == len)
        return -1;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int sim_text_value(const uint8_t *buf, size_t len, enum sim_lwm2m_type type,
                   struct sim_lwm2m_value *v)
{
    v->type = type;
    switch (type) {
    case SIM_LV_INT:
        return sim_dec((const char *)buf, len, &v->i);
    case SIM_LV_BOOL:
        if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
            return -1;
        v->i = buf[0] - '0';
        return 0;
    case SIM_LV_STR:
        if (len >= sizeof v->s || memchr(buf, 0, len))
            return -1;
        memcpy(v->s, buf, len);
        v->s[len] = '\0';
        v->slen = len;
        return 0;
    default:
        return -1;
    }
}

/* ---- LwM2M JSON ------------------------------------------------------------------------- */

/* Appends printf output; false once it no longer fits. */
static bool sim_jcat(char *out, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool sim_jcat(char *out, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *used)
        return false;
    *used += (size_t)n;
    return true;
}

/* A JSON string body with '"' and '\' escaped, control characters dropped. */
static bool sim_jstr(char *out, size_t cap, size_t *used, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20)
            continue;
        if ((c == '"' || c == '\\') && !sim_jcat(out, cap, used, "\\"))
            return false;
        if (!sim_jcat(out, cap, used, "%c", c))
            return false;
    }
    return true;
}

int sim_json_put(char *out, size_t cap, const char *bn, const struct sim_lwm2m_value *vals,
                 size_t n)
{
    size_t u = 0;
    if (!sim_jcat(out, cap, &u, "{\"bn\": \"%s\", \"e\": [", bn))
        return -1;
    for (size_t k = 0; k < n; k++) {
        const struct sim_lwm2m_value *v = &vals[k];
        const char *sep = k ? ", " : "";
        bool ok = true;
        switch (v->type) {
        case SIM_LV_INT:
            ok = sim_jcat(out, cap, &u, "%s{\"n\": \"%u\", \"v\": %" PRId64 "}", sep,
                          (unsigned)v->id, v->i);
            break;
        case SIM_LV_BOOL:
            ok = sim_jcat(out, cap, &u, "%s{\"n\": \"%u\", \"bv\": %s}", sep, (unsigned)v->id,
                          v->i ? "true" : "false");
            break;
        case SIM_LV_STR:
            ok = sim_jcat(out, cap, &u, "%s{\"n\": \"%u\", \"sv\": \"", sep, (unsigned)v->id) &&
                 sim_jstr(out, cap, &u, v->s) && sim_jcat(out, cap, &u, "\"}");
            break;
        case SIM_LV_OBJLNK:
            ok =
                sim_jcat(out, cap, &u, "%s{\"n\": \"%u\", \"ov\": \"%u:%u\"}", sep, (unsigned)v->id,
                         (unsigned)((uint64_t)v->i >> 16) & 0xffffu, (unsigned)v->i & 0xffffu);
            break;
        case SIM_LV_MULTI:
            for (unsigned m = 0; ok && m < v->nmulti && m < SIM_LWM2M_MULTI_MAX; m++)
                ok = sim_jcat(out, cap, &u, "%s{\"n\": \"%u/%u\", \"v\": %" PRId64 "}",
                              (k || m) ? ", " : "", (unsigned)v->id, m, v->multi[m]);
            break;
        case SIM_LV_NONE:
            break;
        }
        if (!ok)
            return -1;
    }
    if (!sim_jcat(out, cap, &u, "]}"))
        return -1;
    return (int)u;
}

/* A tiny JSON reader for the one shape LwM2M JSON has. */
struct sim_jr {
    const char *p;
    size_t len, i;
};

static void sim_jr_ws(struct sim_jr *r)
{
    while (r->i < r->len &&
           (r->p[r->i] == ' ' || r->p[r->i] == '\t' || r->p[r->i] == '\r' || r->p[r->i] == '\n'))
        r->i++;
}

static bool sim_jr_ch(struct sim_jr *r, char c)
{
    sim_jr_ws(r);
    if (r->i < r->len && r->p[r->i] == c) {
        r->i++;
        return true;
    }
    return false;
}

/* A string into out (escapes \" \\ \/ only). */
static bool sim_jr_str(struct sim_jr *r, char *out, size_t cap)
{
    if (!sim_jr_ch(r, '"'))
        return false;
    size_t k = 0;
    while (r->i < r->len && r->p[r->i] != '"') {
        char c = r->p[r->i++];
        if (c == '\\') {
            if (r->i >= r->len)
                return false;
            c = r->p[r->i++];
            if (c != '"' && c != '\\' && c != '/')
                return false;
        }
        if (k + 1 >= cap)
            return false;
        out[k++] = c;
    }
    if (r->i >= r->len)
        return false;
    r->i++;
    out[k] = '\0';
    return true;
}

static bool sim_jr_num(struct sim_jr *r, int64_t *out)
{
    sim_jr_ws(r);
    size_t st = r->i;
    if (r->i < r->len && r->p[r->i] == '-')
        r->i++;
    while (r->i < r->len && r->p[r->i] >= '0' && r->p[r->i] <= '9')
        r->i++;
    return sim_dec(r->p + st, r->i - st, out) == 0;
}

static bool sim_jr_word(struct sim_jr *r, const char *w)
{
    sim_jr_ws(r);
    size_t n = strlen(w);
    if (r->len - r->i < n || memcmp(r->p + r->i, w, n) != 0)
        return false;
    r->i += n;
    return true;
}

/* {"n": "...", "v"|"sv"|"bv": ...} */
static int sim_jr_entry(struct sim_jr *r, const char *bn, sim_json_fn fn, void *user)
{
    struct sim_json_entry e;
    memset(&e, 0, sizeof e);
    char n[32] = "";
    if (!sim_jr_ch(r, '{'))
        return -1;
    for (;;) {
        char key[8];
        if (!sim_jr_str(r, key, sizeof key) || !sim_jr_ch(r, ':'))
            return -1;
        if (strcmp(key, "n") == 0) {
            if (!sim_jr_str(r, n, sizeof n))
                return -1;
        } else if (strcmp(key, "v") == 0) {
            if (!sim_jr_num(r, &e.num))
                return -1;
            e.is_num = true;
        } else if (strcmp(key, "sv") == 0) {
            if (!sim_jr_str(r, e.str, sizeof e.str))
                return -1;
            e.is_str = true;
        } else if (strcmp(key, "bv") == 0) {
            if (sim_jr_word(r, "true"))
                e.b = true;
            else if (!sim_jr_word(r, "false"))
                return -1;
            e.is_bool = true;
        } else {
            return -1;
        }
        if (sim_jr_ch(r, '}'))
            break;
        if (!sim_jr_ch(r, ','))
            return -1;
    }
    int len = snprintf(e.path, sizeof e.path, "%s%s", bn, n);
    if (len < 0 || (size_t)len >= sizeof e.path || (!e.is_num && !e.is_str && !e.is_bool))
        return -1;
    return fn(user, &e);
}

int sim_json_parse(const char *buf, size_t len, sim_json_fn fn, void *user)
{
    struct sim_jr r = {buf, len, 0};
    char bn[32] = "";
    bool have_e = false;
    if (!sim_jr_ch(&r, '{'))
        return -1;
    for (;;) {
        char key[8];
        if (!sim_jr_str(&r, key, sizeof key) || !sim_jr_ch(&r, ':'))
            return -1;
        if (strcmp(key, "bn") == 0) {
            if (have_e || !sim_jr_str(&r, bn, sizeof bn))
                return -1; /* the base name must come before the entries it applies to */
        } else if (strcmp(key, "e") == 0) {
            have_e = true;
            if (!sim_jr_ch(&r, '['))
                return -1;
            if (!sim_jr_ch(&r, ']')) {
                for (;;) {
                    int rc = sim_jr_entry(&r, bn, fn, user);
                    if (rc != 0)
                        return rc;
                    if (sim_jr_ch(&r, ']'))
                        break;
                    if (!sim_jr_ch(&r, ','))
                        return -1;
                }
            }
        } else {
            return -1;
        }
        if (sim_jr_ch(&r, '}'))
            break;
        if (!sim_jr_ch(&r, ','))
            return -1;
    }
    sim_jr_ws(&r);
    return r.i == r.len && have_e ? 0 : -1;
}

/* ---- paths -------------------------------------------------------------------------------- */

int sim_lwm2m_path(const char *p, size_t len, uint16_t ids[3])
{
    size_t i = 0;
    int n = 0;
    if (i < len && p[i] == '/')
        i++;
    while (i < len) {
        if (n == 3)
            return -1;
        uint32_t v = 0;
        size_t st = i;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (uint32_t)(p[i] - '0');
            if (v > 65534)
                return -1;
            i++;
        }
        if (i == st)
            return -1;
        ids[n++] = (uint16_t)v;
        if (i < len) {
            if (p[i] != '/')
                return -1;
            i++;
        }
    }
    return n;
}
