/* larafw-fleet: IMEIs, each module's outcome, the JSON report and the exit status
 * (docs/fleet.md, "Reading the report"). */
#define _GNU_SOURCE
#include "fleet.h"
#include "sim_ufota.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fleet_tac[] = "35452199"; /* Type Allocation Code of the fleet's IMEIs */

static unsigned fleet_luhn_digit(const char d[14])
{
    unsigned sum = 0;
    for (int i = 0; i < 14; i++) {
        unsigned v = (unsigned)(d[i] - '0');
        if (i % 2 == 1) { /* every second digit from the left is doubled */
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return (10 - sum % 10) % 10;
}

void fleet_imei(unsigned index, char out[16])
{
    char d[15];
    memcpy(d, fleet_tac, 8);
    unsigned serial = index % FLEET_MAX_DEVICES;
    for (int i = 13; i >= 8; i--) {
        d[i] = (char)('0' + serial % 10);
        serial /= 10;
    }
    d[14] = (char)('0' + fleet_luhn_digit(d));
    memcpy(out, d, 15);
    out[15] = '\0';
}

bool fleet_imei_valid(const char *imei)
{
    if (strlen(imei) != 15)
        return false;
    for (int i = 0; i < 15; i++) {
        if (imei[i] < '0' || imei[i] > '9')
            return false;
    }
    return (unsigned)(imei[14] - '0') == fleet_luhn_digit(imei);
}

int fleet_mod_update_result(const struct fleet_mod *m)
{
    return m->campaign && m->s->ufota ? m->s->ufota->result : 0;
}

enum fleet_result fleet_mod_result(const struct fleet_mod *m)
{
    if (!m->registered_once)
        return FLEET_NOT_REGISTERED;
    if (strcmp(m->s->fw.version, m->fw_start) != 0)
        return FLEET_UPDATED;
    if (!m->campaign)
        return FLEET_REGISTERED;
    if (m->s->ufota && m->s->ufota->phase != SIM_UF_IDLE)
        return FLEET_UPDATING;
    int r = fleet_mod_update_result(m);
    /* back in Idle: 1 is success (the version changed above unless the package carried the
     * same one); 0 means the server reset the campaign (an empty URI) */
    return r == 1 || r == 0 ? FLEET_REGISTERED : FLEET_FAILED;
}

const char *fleet_result_name(enum fleet_result r)
{
    switch (r) {
    case FLEET_NOT_REGISTERED:
        return "not-registered";
    case FLEET_REGISTERED:
        return "registered";
    case FLEET_UPDATING:
        return "updating";
    case FLEET_UPDATED:
        return "updated";
    case FLEET_FAILED:
        return "failed";
    }
    return "?";
}

/* A JSON string (the values are IMEIs, product names and version records, but a version
 * comes from an image file: escape what JSON requires). */
static void fleet_json_str(FILE *out, const char *v)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static int fleet_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values (0 when n is 0). */
static uint64_t fleet_pct(const uint64_t *v, size_t n, unsigned pct)
{
    if (n == 0)
        return 0;
    size_t rank = (n * pct + 99) / 100;
    return v[rank ? rank - 1 : 0];
}

static void fleet_report_body(const struct fleet *f, FILE *out)
{
    unsigned counts[FLEET_FAILED + 1] = {0};
    uint64_t *ms = calloc(f->n ? f->n : 1, sizeof *ms);
    size_t nms = 0;
    for (unsigned i = 0; i < f->n; i++) {
        counts[fleet_mod_result(&f->mods[i])]++;
        if (ms && f->mods[i].registered_once)
            ms[nms++] = f->mods[i].register_ns / 1000000u;
    }
    if (ms)
        qsort(ms, nms, sizeof *ms, fleet_cmp_u64);
    unsigned registered = f->n - counts[FLEET_NOT_REGISTERED];
    fprintf(out, "{\n  \"server\": ");
    fleet_json_str(out, f->o.server);
    fprintf(out,
            ",\n  \"devices\": %u,\n  \"rate\": %g,\n  \"time_scale\": %g,\n"
            "  \"registered\": %u,\n  \"updated\": %u,\n  \"updating\": %u,\n"
            "  \"failed\": %u,\n  \"register_ms\": {\"p50\": %llu, \"p99\": %llu, \"max\": %llu},\n"
            "  \"exit_status\": %d,\n  \"modules\": [",
            f->n, f->o.rate, f->o.time_scale, registered, counts[FLEET_UPDATED],
            counts[FLEET_UPDATING], counts[FLEET_FAILED],
            (unsigned long long)(ms ? fleet_pct(ms, nms, 50) : 0),
            (unsigned long long)(ms ? fleet_pct(ms, nms, 99) : 0),
            (unsigned long long)(ms && nms ? ms[nms - 1] : 0), fleet_exit_status(f));
    free(ms);
    for (unsigned i = 0; i < f->n; i++) {
        const struct fleet_mod *m = &f->mods[i];
        fprintf(out, "%s\n    {\"imei\": ", i ? "," : "");
        fleet_json_str(out, m->s->st.imei);
        fprintf(out, ", \"product\": ");
        fleet_json_str(out, m->s->product->name);
        fprintf(out, ", \"firmware_start\": ");
        fleet_json_str(out, m->fw_start);
        fprintf(out, ", \"registered\": %s", m->registered_once ? "true" : "false");
        if (m->registered_once)
            fprintf(out, ", \"register_ms\": %llu",
                    (unsigned long long)(m->register_ns / 1000000u));
        else
            fprintf(out, ", \"register_ms\": null");
        fprintf(out, ", \"registrations\": %u, \"firmware\": ", m->registrations);
        fleet_json_str(out, m->s->fw.version);
        fprintf(out, ", \"update_result\": %d, \"result\": \"%s\"}", fleet_mod_update_result(m),
                fleet_result_name(fleet_mod_result(m)));
    }
    fprintf(out, "\n  ]\n}\n");
}

int fleet_report_write(const struct fleet *f, const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "larafw-fleet: --report path too long\n");
        return -1;
    }
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "larafw-fleet: --report %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    fleet_report_body(f, out);
    int bad = ferror(out);
    if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "larafw-fleet: writing the report %s: %s\n", path, strerror(errno));
        (void)unlink(tmp);
        return -1;
    }
    return 0;
}

int fleet_exit_status(const struct fleet *f)
{
    for (unsigned i = 0; i < f->n; i++) {
        enum fleet_result r = fleet_mod_result(&f->mods[i]);
        if (r == FLEET_NOT_REGISTERED || r == FLEET_UPDATING || r == FLEET_FAILED)
            return 1;
    }
    return 0;
}
