/* larafw-fleet: IMEIs, each module's outcome, the JSON report and the exit status
 * (docs/fleet.md, "Reading the report"). */
#define _GNU_SOURCE
#include "fleet.h"
#include "sim_ufota.h"

#include <jansson.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fleet_imei(unsigned index, char out[16])
{
    sim_imei_compose("35452199", index % FLEET_MAX_DEVICES, out); /* the fleet's own TAC */
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

/* The report (docs/fleet.md, "Reading the report"), or NULL when out of memory. */
static json_t *fleet_report_json(const struct fleet *f)
{
    unsigned counts[FLEET_FAILED + 1] = {0};
    uint64_t *ms = calloc(f->n ? f->n : 1, sizeof *ms);
    json_t *mods = json_array();
    if (!ms || !mods) {
        free(ms);
        json_decref(mods);
        return NULL;
    }
    size_t nms = 0;
    for (unsigned i = 0; i < f->n; i++) {
        const struct fleet_mod *m = &f->mods[i];
        enum fleet_result r = fleet_mod_result(m);
        counts[r]++;
        if (m->registered_once)
            ms[nms++] = m->register_ns / 1000000u;
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:b, s:o, s:I, s:s, s:i, s:s}", "imei", m->s->st.imei,
                      "product", m->s->product->name, "firmware_start", m->fw_start, "registered",
                      m->registered_once, "register_ms",
                      m->registered_once ? json_integer((json_int_t)(m->register_ns / 1000000u))
                                         : json_null(),
                      "registrations", (json_int_t)m->registrations, "firmware", m->s->fw.version,
                      "update_result", fleet_mod_update_result(m), "result", fleet_result_name(r));
        if (!o || json_array_append_new(mods, o) != 0) {
            free(ms);
            json_decref(mods);
            return NULL;
        }
    }
    qsort(ms, nms, sizeof *ms, fleet_cmp_u64);
    json_t *rep = json_pack(
        "{s:s, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:i, s:o}", "server",
        f->o.server, "devices", (json_int_t)f->n, "rate", f->o.rate, "time_scale", f->o.time_scale,
        "registered", (json_int_t)(f->n - counts[FLEET_NOT_REGISTERED]), "updated",
        (json_int_t)counts[FLEET_UPDATED], "updating", (json_int_t)counts[FLEET_UPDATING], "failed",
        (json_int_t)counts[FLEET_FAILED], "register_ms", "p50", (json_int_t)fleet_pct(ms, nms, 50),
        "p99", (json_int_t)fleet_pct(ms, nms, 99), "max", (json_int_t)(nms ? ms[nms - 1] : 0),
        "exit_status", fleet_exit_status(f), "modules", mods);
    free(ms);
    return rep;
}

int fleet_report_write(const struct fleet *f, const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "larafw-fleet: --report path too long\n");
        return -1;
    }
    json_t *rep = fleet_report_json(f);
    if (!rep) {
        fprintf(stderr, "larafw-fleet: out of memory writing the report\n");
        return -1;
    }
    /* indented, one value a line: readable with less, loaded by any JSON reader */
    int rc = json_dump_file(rep, tmp, JSON_INDENT(1) | JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rep);
    if (rc != 0 || rename(tmp, path) != 0) {
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
