/* FOTA over HTTP(S), the module side (§4.2.2; LARA-R6 only, MODULE.md §1):
 *
 *   AT+UHTTP=<p>,<op>,<value>[,<param2>]  set one parameter of profile <p> (0..3): 0 IP
 *                     address, 1 server name, 2 user, 3 password, 4 authentication (0 none,
 *                     1 basic), 5 port, 6 secure option (0 HTTP, 1 HTTPS[,<security profile>])
 *   AT+UHTTP=<p>,<op> reads one: "+UHTTP: <p>,<op>,<value>" (§4.2.2.2)
 *   AT+UHTTP=<p>      resets the profile to its factory values; all of it is volatile
 *   AT+UHTTPC=<p>,100,"<path>"  → OK, then "+UUHTTPCR: <p>,100,1,<status>,"<md5>"" or
 *                     "+UUHTTPCR: <p>,100,0,0" (§4.2.2.3, §4.2.2.4). A stored partial download
 *                     of the same URL continues with a Range request (docs/simulator.md).
 *   AT+UHTTPER=<p>    "+UHTTPER: <p>,<class>,<code>" of the profile's last +UHTTPC (§4.2.2.5)
 */
#define _GNU_SOURCE
#include "sim_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_HTTP_PROFILES 4
/* HTTP internal error class: the note's example "+UHTTPER: 3,23" host lookup (§4.2.2.5). */
#define SIM_HTTP_CLASS_INTERNAL 3
/* HTTP protocol error class: <code> is the HTTP status (404 …). */
#define SIM_HTTP_CLASS_PROTOCOL 2

struct sim_http_profile {
    char ip[SIM_NET_HOST_MAX];   /* op 0 */
    char name[SIM_NET_HOST_MAX]; /* op 1 */
    bool use_name;
    char user[SIM_NET_CRED_MAX]; /* op 2 */
    char pass[SIM_NET_CRED_MAX]; /* op 3 */
    int auth;                    /* op 4 */
    long port;                   /* op 5, 0 = the scheme's default */
    int secure;                  /* op 6 */
    int sec_profile;             /* op 6 <param2> */
    int err_class, err_code;     /* +UHTTPER */
};

struct sim_http {
    struct sim_http_profile profile[SIM_HTTP_PROFILES];
};

/* Every power-up: all profiles take their factory values (§4.2.2.1). */
static void sim_http_power_up(struct sim *s)
{
    memset(s->http, 0, sizeof *s->http);
}

static long sim_http_port(const struct sim_http_profile *h)
{
    return h->port ? h->port : (h->secure ? 443 : 80);
}

static int sim_http_profile_id(const struct sim_at_param *p)
{
    if (!p->present || !p->is_num || p->num < 0 || p->num >= SIM_HTTP_PROFILES)
        return -1;
    return (int)p->num;
}

static void sim_http_read(struct sim *s, enum sim_if iface, int id, int op)
{
    const struct sim_http_profile *h = &s->http->profile[id];
    switch (op) {
    case 0:
        sim_line(s, iface, "+UHTTP: %d,0,\"%s\"", id, h->ip);
        break;
    case 1:
        sim_line(s, iface, "+UHTTP: %d,1,\"%s\"", id, h->name);
        break;
    case 2:
        sim_line(s, iface, "+UHTTP: %d,2,\"%s\"", id, h->user);
        break;
    case 3: /* shown as set, like +UFTP? (docs/simulator.md); never in the report */
        sim_line(s, iface, "+UHTTP: %d,3,\"%s\"", id, h->pass);
        break;
    case 4:
        sim_line(s, iface, "+UHTTP: %d,4,%d", id, h->auth);
        break;
    case 5:
        sim_line(s, iface, "+UHTTP: %d,5,%ld", id, sim_http_port(h));
        break;
    default:
        if (h->secure)
            sim_line(s, iface, "+UHTTP: %d,6,1,%d", id, h->sec_profile);
        else
            sim_line(s, iface, "+UHTTP: %d,6,0", id);
        break;
    }
}

static int sim_cmd_uhttp(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UHTTP: (0-3),(0-6)");
        return SIM_RES_OK;
    }
    /* §4.2.2.1: no read of all parameters */
    if (c->type != SIM_AT_SET || c->nparams < 1 || c->nparams > 4)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int id = sim_http_profile_id(&c->p[0]);
    if (id < 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    struct sim_http_profile *h = &s->http->profile[id];
    if (c->nparams == 1) { /* reset the profile */
        if (s->download == SIM_DL_HTTP)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        int ec = h->err_class, ecode = h->err_code;
        memset(h, 0, sizeof *h);
        h->err_class = ec;
        h->err_code = ecode;
        return SIM_RES_OK;
    }
    if (!c->p[1].is_num || c->p[1].num < 0 || c->p[1].num > 6)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int op = (int)c->p[1].num;
    if (c->nparams == 2) {
        sim_http_read(s, iface, id, op);
        return SIM_RES_OK;
    }
    if (s->download == SIM_DL_HTTP)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* the profile of a running download */
    const struct sim_at_param *v = &c->p[2];
    if (c->nparams == 4 && op != 6)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int res = SIM_RES_OK;
    switch (op) {
    case 0:
        if ((res = sim_param_str(h->ip, sizeof h->ip, v)) == SIM_RES_OK)
            h->use_name = false;
        break;
    case 1:
        if ((res = sim_param_str(h->name, sizeof h->name, v)) == SIM_RES_OK)
            h->use_name = true;
        break;
    case 2:
        res = sim_param_str(h->user, sizeof h->user, v);
        break;
    case 3:
        res = sim_param_str(h->pass, sizeof h->pass, v);
        break;
    case 4:
        if (!v->is_num || (v->num != 0 && v->num != 1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        h->auth = (int)v->num;
        break;
    case 5:
        if (!v->is_num || v->num < 1 || v->num > 65535)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        h->port = (long)v->num;
        break;
    default: /* 6: secure option, optional security profile 0..4 */
        if (!v->is_num || (v->num != 0 && v->num != 1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (c->nparams == 4 && c->p[3].present &&
            (!c->p[3].is_num || c->p[3].num < 0 || c->p[3].num > 4))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        h->secure = (int)v->num;
        h->sec_profile = c->nparams == 4 && c->p[3].present ? (int)c->p[3].num : 0;
        break;
    }
    return res;
}

static void sim_http_fota_done(struct sim *s, const struct sim_net_job *job,
                               const struct sim_net_result *r)
{
    struct sim_http_profile *h = &s->http->profile[job->profile];
    sim_net_error_code(r, SIM_HTTP_CLASS_INTERNAL, SIM_HTTP_CLASS_PROTOCOL, &h->err_class,
                       &h->err_code);
    if (r->err == SIM_NET_OK)
        sim_urc(s, SIM_IF_UART, "+UUHTTPCR: %d,100,1,%ld,\"%s\"", job->profile, r->proto_code,
                r->md5);
    else
        sim_urc(s, SIM_IF_UART, "+UUHTTPCR: %d,100,0,0", job->profile);
}

static int sim_cmd_uhttpc(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UHTTPC: (0-3),(100)");
        return SIM_RES_OK;
    }
    if (c->type != SIM_AT_SET || c->nparams < 2 || !c->p[1].is_num)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int id = sim_http_profile_id(&c->p[0]);
    if (id < 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (c->p[1].num != 100)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED); /* only the FOTA download is simulated */
    if (!s->product->ftp_http_fota)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED); /* LARA-L6: §4.2.2 */
    if (c->nparams != 3 || !c->p[2].present || !c->p[2].quoted || !c->p[2].str[0])
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (s->download != SIM_DL_NONE) {
        sim_report(s, "compliance", "AT+UHTTPC=%d,100 while another firmware download runs (§6)",
                   id);
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §6 Table 5 */
    }
    if (sim_net_running(s) >= 0)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* an FTP login still runs */
    struct sim_http_profile *h = &s->http->profile[id];
    const char *host = h->use_name ? h->name : h->ip;
    if (!host[0])
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* no server configured */
    struct sim_net_job job;
    memset(&job, 0, sizeof job);
    job.op = SIM_NET_FOTA;
    job.kind = SIM_DL_HTTP;
    job.profile = id;
    job.resume = true; /* a stored partial download of the same URL continues */
    snprintf(job.user, sizeof job.user, "%s", h->user);
    snprintf(job.pass, sizeof job.pass, "%s", h->pass);
    job.http_basic = h->auth == 1;
    if (sim_net_url(job.url, sizeof job.url, h->secure ? "https" : "http", host, sim_http_port(h),
                    c->p[2].str) != 0)
        return SIM_RES_CME(SIM_CME_TEXT_TOO_LONG);
    if (sim_net_start(s, &job, sim_http_fota_done) != 0)
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    return SIM_RES_OK;
}

static int sim_cmd_uhttper(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    if (c->type != SIM_AT_SET || c->nparams != 1)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    int id = sim_http_profile_id(&c->p[0]);
    if (id < 0)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    sim_line(s, iface, "+UHTTPER: %d,%d,%d", id, s->http->profile[id].err_class,
             s->http->profile[id].err_code);
    return SIM_RES_OK;
}

static const struct sim_cmd sim_http_cmds[] = {
    {"+UHTTP", sim_cmd_uhttp},
    {"+UHTTPC", sim_cmd_uhttpc},
    {"+UHTTPER", sim_cmd_uhttper},
    {NULL, NULL},
};

static int sim_http_init(struct sim *s)
{
    s->http = calloc(1, sizeof *s->http);
    return s->http ? 0 : -1;
}

static void sim_http_fini(struct sim *s)
{
    free(s->http);
    s->http = NULL;
}

/* FOTA over HTTP(S) (§4.2.2): four volatile profiles and the commands; transfers by
 * sim_part_net. (Its redact hook is the FTP part's: sim_net_redact covers both.) */
const struct sim_part sim_part_http = {
    .name = "http",
    .cmds = sim_http_cmds,
    .init = sim_http_init,
    .fini = sim_http_fini,
    .power_up = sim_http_power_up,
    .download = SIM_DL_HTTP,
};
