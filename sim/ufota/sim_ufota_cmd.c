/* AT commands and URCs of uFOTA and the LwM2M client (§5.2, §5.3, §5.4, §5.6, §5.7).
 *
 *   AT+UFOTASTAT=<0|1>           +UFOTASTAT: <a>,<b>,<pct> URCs (off at every power-up)
 *   AT+ULWM2MSTAT=<0|1>[,<mask>] +ULWM2MSTAT: … URCs (off at every power-up)
 *   AT+UFOTA=0                   cancel the download (every product, §5.3)
 *   AT+UFOTA=1 / =2 / ?          pause / resume / +UFOTA: <state>,<total>,<done> (R6 "01B")
 *   AT+UFOTACONFIG=721,<mode>,255  mode 0 default, 1 download only, 2 wait for ack, 3 disabled
 *   AT+UFOTAACK=<s>              accept after s seconds, 0 rejects (R6 "01B", §5.4.2)
 *   AT+ULWM2MLIST[="/"], AT+ULWM2MREAD="<path>", AT+ULWM2MWRITE="<json>" (§5.6)
 *   AT+ULWM2MDEREG, AT+ULWM2MREG
 * The URCs go to the interface that enabled them. */
#define _GNU_SOURCE
#include "sim_ufota.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_ufota_urc_reset(struct sim *s)
{
    s->ufota->urc_fota_on = s->ufota->urc_lwm2m_on = false;
}

bool sim_ufota_urcs_on(const struct sim *s)
{
    return s->ufota->urc_fota_on && s->ufota->urc_lwm2m_on;
}

void sim_ufota_urc_fota(struct sim *s, int a, int b, int pct)
{
    sim_report(s, "ufota", "+UFOTASTAT: %d,%d,%d%s", a, b, pct,
               s->ufota->urc_fota_on ? "" : " (off)");
    if (s->ufota->urc_fota_on)
        sim_urc(s, s->ufota->urc_fota_if, "+UFOTASTAT: %d,%d,%d", a, b, pct);
}

void sim_ufota_urc_lwm2m(struct sim *s, const char *fmt, ...)
{
    char text[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_report(s, "lwm2m", "+ULWM2MSTAT: %s%s", text, s->ufota->urc_lwm2m_on ? "" : " (off)");
    if (s->ufota->urc_lwm2m_on)
        sim_urc(s, s->ufota->urc_lwm2m_if, "+ULWM2MSTAT: %s", text);
}

static int sim_cmd_ufotastat(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams != 1 || !sim_param_num(c, 0, 0, 1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        s->ufota->urc_fota_on = c->p[0].num == 1;
        s->ufota->urc_fota_if = iface;
        return SIM_RES_OK;
    case SIM_AT_READ:
        sim_line(s, iface, "+UFOTASTAT: %d", s->ufota->urc_fota_on ? 1 : 0);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+UFOTASTAT: (0,1)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

static int sim_cmd_ulwm2mstat(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams < 1 || c->nparams > 2 || !sim_param_num(c, 0, 0, 1) ||
            (c->nparams == 2 && !sim_param_num(c, 1, 0, 255)))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        s->ufota->urc_lwm2m_on = c->p[0].num == 1;
        s->ufota->urc_lwm2m_if = iface;
        s->ufota->urc_lwm2m_mask = c->nparams == 2 ? (long)c->p[1].num : 7;
        return SIM_RES_OK;
    case SIM_AT_READ:
        sim_line(s, iface, "+ULWM2MSTAT: %d,%ld", s->ufota->urc_lwm2m_on ? 1 : 0,
                 s->ufota->urc_lwm2m_mask);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+ULWM2MSTAT: (0,1),(0-255)");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

/* §5.3: cancel everywhere; pause, resume and read only on R6 "01B" (MODULE.md §1). */
static int sim_cmd_ufota(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams != 1 || !sim_param_num(c, 0, 0, 2))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (c->p[0].num == 0)
            return sim_ufota_cancel(s);
        if (!s->product->ufota_control)
            return SIM_RES_CME(SIM_CME_NOT_SUPPORTED);
        return c->p[0].num == 1 ? sim_ufota_pause(s) : sim_ufota_resume(s);
    case SIM_AT_READ: {
        if (!s->product->ufota_control)
            return SIM_RES_CME(SIM_CME_NOT_SUPPORTED);
        int st;
        uint64_t total, done;
        sim_ufota_status(s, &st, &total, &done);
        sim_line(s, iface, "+UFOTA: %d,%llu,%llu", st, (unsigned long long)total,
                 (unsigned long long)done);
        return SIM_RES_OK;
    }
    case SIM_AT_TEST:
        sim_line(s, iface, "+UFOTA: (%s)", s->product->ufota_control ? "0-2" : "0");
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

static int sim_cmd_ufotaconfig(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (!s->product->ufota_config)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED); /* §5.4: R6 "01B" only */
    switch (c->type) {
    case SIM_AT_SET:
        if (c->nparams < 2 || c->nparams > 3 ||
            !sim_param_num(c, 0, SIM_LWM2M_SSID, SIM_LWM2M_SSID) || !sim_param_num(c, 1, 0, 3) ||
            (c->nparams == 3 && !sim_param_num(c, 2, 255, 255)))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        return sim_ufota_config(s, (int)c->p[1].num);
    case SIM_AT_READ:
        sim_line(s, iface, "+UFOTACONFIG: %d,%d,255", SIM_LWM2M_SSID, s->ufota->mode);
        return SIM_RES_OK;
    case SIM_AT_TEST:
        sim_line(s, iface, "+UFOTACONFIG: (%d),(0-3),(255)", SIM_LWM2M_SSID);
        return SIM_RES_OK;
    default:
        return SIM_RES_ERROR;
    }
}

static int sim_cmd_ufotaack(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (!s->product->ufota_config)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED);
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UFOTAACK: (0-86400)");
        return SIM_RES_OK;
    }
    if (c->type != SIM_AT_SET || c->nparams != 1 || !sim_param_num(c, 0, 0, 86400))
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    return sim_ufota_ack(s, (long)c->p[0].num);
}

static int sim_cmd_ulwm2mlist(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_SET && (c->nparams != 1 || strcmp(c->p[0].str, "/") != 0))
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (c->type != SIM_AT_SET && c->type != SIM_AT_ACTION)
        return SIM_RES_ERROR;
    char out[256];
    size_t u = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sim_lwm2m_ninstances; i++) {
        int n = snprintf(out + u, sizeof out - u, "%s\"/%u/%u\"", u ? ", " : "",
                         sim_lwm2m_instances[i].obj, sim_lwm2m_instances[i].inst);
        if (n < 0 || (size_t)n >= sizeof out - u)
            break;
        u += (size_t)n;
    }
    sim_line(s, iface, "+ULWM2MLIST: %s", out);
    return SIM_RES_OK;
}

static int sim_cmd_ulwm2mread(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type != SIM_AT_SET || c->nparams != 1 || !c->p[0].present)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    uint16_t ids[3];
    int n = sim_lwm2m_path(c->p[0].str, strlen(c->p[0].str), ids);
    if (n < 2)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    enum { SIM_READ_VALS = 24 };
    struct sim_lwm2m_value *vals = calloc(SIM_READ_VALS, sizeof *vals);
    if (!vals)
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    int k = sim_lwm2m_read(s, ids, n, vals, SIM_READ_VALS);
    char bn[32], out[2048];
    snprintf(bn, sizeof bn, "/%u/%u/", ids[0], ids[1]);
    int len = k < 0 ? -1 : sim_json_put(out, sizeof out, bn, vals, (size_t)k);
    free(vals);
    if (k < 0)
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    if (len < 0)
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    sim_line(s, iface, "+ULWM2MREAD: %s", out);
    return SIM_RES_OK;
}

static int sim_cmd_ulwm2mwrite(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)iface;
    if (c->type != SIM_AT_SET || c->nparams != 1 || !c->p[0].present)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int code = sim_lwm2m_write_json(s, c->p[0].str, strlen(c->p[0].str));
    switch (code) {
    case 204:
        return SIM_RES_OK;
    case 404:
        return SIM_RES_CME(SIM_CME_NOT_FOUND);
    case 405:
    case 503:
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
    default:
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    }
}

static int sim_cmd_ulwm2mdereg(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)iface;
    if (c->type != SIM_AT_ACTION)
        return SIM_RES_ERROR;
    return sim_lwm2m_deregister(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_NOT_ALLOWED);
}

static int sim_cmd_ulwm2mreg(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)iface;
    if (c->type != SIM_AT_ACTION)
        return SIM_RES_ERROR;
    return sim_lwm2m_register(s) == 0 ? SIM_RES_OK : SIM_RES_CME(SIM_CME_NOT_ALLOWED);
}

const struct sim_cmd sim_ufota_cmds[] = {
    {"+UFOTASTAT", sim_cmd_ufotastat},
    {"+ULWM2MSTAT", sim_cmd_ulwm2mstat},
    {"+UFOTA", sim_cmd_ufota},
    {"+UFOTACONFIG", sim_cmd_ufotaconfig},
    {"+UFOTAACK", sim_cmd_ufotaack},
    {"+ULWM2MLIST", sim_cmd_ulwm2mlist},
    {"+ULWM2MREAD", sim_cmd_ulwm2mread},
    {"+ULWM2MWRITE", sim_cmd_ulwm2mwrite},
    {"+ULWM2MDEREG", sim_cmd_ulwm2mdereg},
    {"+ULWM2MREG", sim_cmd_ulwm2mreg},
    {NULL, NULL},
};
