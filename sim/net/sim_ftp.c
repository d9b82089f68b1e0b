/* FOTA over FTP, the module side (§4.2.1; LARA-R6 only, MODULE.md §1):
 *
 *   AT+UFTP=<op>[,<value>]   set one parameter, or reset it without <value> (§4.2.1.1)
 *                            0 IP address, 1 server name, 2 user, 3 password, 6 mode
 *                            (0 active, 1 passive), 7 port; volatile: lost at every reset
 *   AT+UFTP?                 all parameters, one "+UFTP: <op>,<value>" per line
 *   AT+UFTPC=0 / =1          logout / login → OK, then "+UUFTPCR: 0|1,<1 ok|0 failed>"
 *   AT+UFTPC=100,"<file>"[,<fw_download_status>]           (§4.2.1.2)
 *                            no status: a new download; 1: resume the interrupted one;
 *                            0: cancel the running one → "+UUFTPCR: 100,0" (+UFTPER 8,40)
 *                            → OK, then "+UUFTPCR: 100,1,"<md5>"" or "+UUFTPCR: 100,0"
 *   AT+UFTPER                "+UFTPER: <class>,<code>" of the last +UFTPC (§4.2.1.5)
 *
 * The choices the note leaves open are in docs/simulator.md, "FOTA over FTP and HTTP". */
#define _GNU_SOURCE
#include "sim_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FTP internal error class: the note's cancel example "+UFTPER: 8,40" (§4.2.1.5). */
#define SIM_FTP_CLASS_INTERNAL 8
/* FTP protocol error class: <code> is the server's reply (530, 550 …). */
#define SIM_FTP_CLASS_PROTOCOL 1

struct sim_ftp {
    char ip[SIM_NET_HOST_MAX];   /* op 0 */
    char name[SIM_NET_HOST_MAX]; /* op 1 */
    bool use_name;               /* the server is the last of op 0 / op 1 that was set */
    char user[SIM_NET_CRED_MAX]; /* op 2 */
    char pass[SIM_NET_CRED_MAX]; /* op 3 */
    long timeout_s;              /* op 5, accepted and listed */
    int passive;                 /* op 6 */
    long port;                   /* op 7 */
    bool logged_in;
    bool login_running;
    int err_class, err_code; /* +UFTPER */
};

#define SIM_FTP_DEFAULT_PORT    21
#define SIM_FTP_DEFAULT_TIMEOUT 30

/* Every power-up: the volatile profile takes its factory values (§4.2.1.1). */
static void sim_ftp_power_up(struct sim *s)
{
    struct sim_ftp *f = s->ftp;
    memset(f, 0, sizeof *f);
    f->port = SIM_FTP_DEFAULT_PORT;
    f->timeout_s = SIM_FTP_DEFAULT_TIMEOUT;
    f->passive = 0; /* factory: active; the note's example sets passive (§4.2.1.4) */
}

static const char *sim_ftp_host(const struct sim_ftp *f)
{
    return f->use_name ? f->name : f->ip;
}

static int sim_cmd_uftp(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    struct sim_ftp *f = s->ftp;
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UFTP: 0,1,2,3,5,6,7");
        return SIM_RES_OK;
    }
    if (c->type == SIM_AT_READ) {
        /* like the module, the listing shows the password as set (the host's AT log redacts
         * it; the simulator's report never holds it, docs/simulator.md) */
        sim_line(s, iface, "+UFTP: 0,\"%s\"", f->ip);
        sim_line(s, iface, "+UFTP: 1,\"%s\"", f->name);
        sim_line(s, iface, "+UFTP: 2,\"%s\"", f->user);
        sim_line(s, iface, "+UFTP: 3,\"%s\"", f->pass);
        sim_line(s, iface, "+UFTP: 5,%ld", f->timeout_s);
        sim_line(s, iface, "+UFTP: 6,%d", f->passive);
        sim_line(s, iface, "+UFTP: 7,%ld", f->port);
        return SIM_RES_OK;
    }
    if (c->type != SIM_AT_SET || c->nparams < 1 || c->nparams > 2 || !c->p[0].is_num)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (s->download == SIM_DL_FTP)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED);     /* the profile of a running download */
    bool reset = c->nparams < 2 || !c->p[1].present; /* §4.2.1.1: no value = factory value */
    const struct sim_at_param *v = &c->p[1];
    int res = SIM_RES_OK;
    switch (c->p[0].num) {
    case 0:
        if (reset)
            f->ip[0] = '\0';
        else if ((res = sim_param_str(f->ip, sizeof f->ip, v)) == SIM_RES_OK)
            f->use_name = false;
        break;
    case 1:
        if (reset)
            f->name[0] = '\0';
        else if ((res = sim_param_str(f->name, sizeof f->name, v)) == SIM_RES_OK)
            f->use_name = true;
        break;
    case 2:
        res = reset ? (f->user[0] = '\0', SIM_RES_OK) : sim_param_str(f->user, sizeof f->user, v);
        break;
    case 3:
        res = reset ? (f->pass[0] = '\0', SIM_RES_OK) : sim_param_str(f->pass, sizeof f->pass, v);
        break;
    case 5:
        if (reset)
            f->timeout_s = SIM_FTP_DEFAULT_TIMEOUT;
        else if (!v->is_num || v->num < 30 || v->num > 180)
            res = SIM_RES_CME(SIM_CME_BAD_PARAMS);
        else
            f->timeout_s = (long)v->num;
        break;
    case 6:
        if (reset)
            f->passive = 0;
        else if (!v->is_num || (v->num != 0 && v->num != 1))
            res = SIM_RES_CME(SIM_CME_BAD_PARAMS);
        else
            f->passive = (int)v->num;
        break;
    case 7:
        if (reset)
            f->port = SIM_FTP_DEFAULT_PORT;
        else if (!v->is_num || v->num < 1 || v->num > 65535)
            res = SIM_RES_CME(SIM_CME_BAD_PARAMS);
        else
            f->port = (long)v->num;
        break;
    default:
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    }
    if (res == SIM_RES_OK && c->p[0].num != 5)
        f->logged_in = false; /* a new profile needs a new login */
    return res;
}

static void sim_ftp_set_error(struct sim *s, const struct sim_net_result *r)
{
    sim_net_error_code(r, SIM_FTP_CLASS_INTERNAL, SIM_FTP_CLASS_PROTOCOL, &s->ftp->err_class,
                       &s->ftp->err_code);
}

static void sim_ftp_login_done(struct sim *s, const struct sim_net_job *job,
                               const struct sim_net_result *r)
{
    (void)job;
    s->ftp->login_running = false;
    s->ftp->logged_in = r->err == SIM_NET_OK;
    sim_ftp_set_error(s, r);
    sim_urc(s, SIM_IF_UART, "+UUFTPCR: 1,%d", s->ftp->logged_in ? 1 : 0);
}

static void sim_ftp_fota_done(struct sim *s, const struct sim_net_job *job,
                              const struct sim_net_result *r)
{
    (void)job;
    sim_ftp_set_error(s, r);
    if (r->err == SIM_NET_OK)
        sim_urc(s, SIM_IF_UART, "+UUFTPCR: 100,1,\"%s\"", r->md5);
    else
        sim_urc(s, SIM_IF_UART, "+UUFTPCR: 100,0");
}

static void sim_ftp_job(struct sim *s, struct sim_net_job *job, enum sim_net_op op)
{
    struct sim_ftp *f = s->ftp;
    memset(job, 0, sizeof *job);
    job->op = op;
    job->kind = SIM_DL_FTP;
    /* same sizes: whole-array copies cannot truncate (and gcc -O2 stops guessing lengths) */
    _Static_assert(sizeof job->user == sizeof f->user && sizeof job->pass == sizeof f->pass,
                   "FTP credentials and the job's must have one size");
    if (f->user[0])
        memcpy(job->user, f->user, sizeof job->user);
    else
        memcpy(job->user, "anonymous", sizeof "anonymous");
    memcpy(job->pass, f->pass, sizeof job->pass);
    job->ftp_active = f->passive == 0;
}

/* The logout's URC comes after the command's OK. */
static void sim_ftp_logout_urc(struct sim *s, void *arg)
{
    sim_urc(s, SIM_IF_UART, "+UUFTPCR: 0,%d", arg ? 1 : 0);
}

static int sim_ftp_download(struct sim *s, const struct sim_at_cmd *c)
{
    struct sim_ftp *f = s->ftp;
    if (!s->product->ftp_http_fota)
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED); /* LARA-L6: §4.2.1 */
    if (c->nparams < 2 || c->nparams > 3 || !c->p[1].present || !c->p[1].quoted || !c->p[1].str[0])
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    long status = -1;
    if (c->nparams == 3 && c->p[2].present) {
        if (!c->p[2].is_num || (c->p[2].num != 0 && c->p[2].num != 1))
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        status = (long)c->p[2].num;
    }
    if (status == 0) { /* cancel */
        if (sim_net_cancel(s, SIM_DL_FTP) != 0)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        return SIM_RES_OK;
    }
    if (s->download != SIM_DL_NONE) {
        sim_report(s, "compliance", "AT+UFTPC=100 while another firmware download runs (§6)");
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §6 Table 5 */
    }
    if (sim_net_running(s) >= 0)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* a login still runs */
    if (!f->logged_in)
        return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* §4.2.1.2: log in first */
    struct sim_net_job job;
    sim_ftp_job(s, &job, SIM_NET_FOTA);
    job.resume = status == 1;
    if (sim_net_url(job.url, sizeof job.url, "ftp", sim_ftp_host(f), f->port, c->p[1].str) != 0)
        return SIM_RES_CME(SIM_CME_TEXT_TOO_LONG);
    if (sim_net_start(s, &job, sim_ftp_fota_done) != 0)
        return SIM_RES_CME(SIM_CME_UNKNOWN);
    return SIM_RES_OK;
}

static int sim_cmd_uftpc(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    (void)iface;
    struct sim_ftp *f = s->ftp;
    if (c->type == SIM_AT_TEST) {
        sim_line(s, iface, "+UFTPC: (0,1,100)");
        return SIM_RES_OK;
    }
    if (c->type != SIM_AT_SET || c->nparams < 1 || !c->p[0].is_num)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    switch (c->p[0].num) {
    case 0: /* logout */
        if (c->nparams != 1)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (s->download == SIM_DL_FTP)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        (void)sim_timer_add(s, 0, sim_ftp_logout_urc, f->logged_in ? (void *)f : NULL);
        f->logged_in = false;
        return SIM_RES_OK;
    case 1: { /* login: a real connection and login to the server */
        if (c->nparams != 1)
            return SIM_RES_CME(SIM_CME_BAD_PARAMS);
        if (!sim_ftp_host(f)[0])
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED);
        if (sim_net_running(s) >= 0)
            return SIM_RES_CME(SIM_CME_NOT_ALLOWED); /* one transfer at a time */
        struct sim_net_job job;
        sim_ftp_job(s, &job, SIM_NET_LOGIN);
        if (sim_net_url(job.url, sizeof job.url, "ftp", sim_ftp_host(f), f->port, "") != 0)
            return SIM_RES_CME(SIM_CME_TEXT_TOO_LONG);
        if (sim_net_start(s, &job, sim_ftp_login_done) != 0)
            return SIM_RES_CME(SIM_CME_UNKNOWN);
        f->login_running = true;
        return SIM_RES_OK;
    }
    case 100:
        return sim_ftp_download(s, c);
    default:
        /* the other FTP operations (file system, directory) are not simulated */
        return SIM_RES_CME(SIM_CME_NOT_SUPPORTED);
    }
}

static int sim_cmd_uftper(struct sim *s, enum sim_if iface, const struct sim_at_cmd *c)
{
    if (c->type == SIM_AT_TEST)
        return SIM_RES_OK;
    if (c->type != SIM_AT_ACTION)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    sim_line(s, iface, "+UFTPER: %d,%d", s->ftp->err_class, s->ftp->err_code);
    return SIM_RES_OK;
}

static const struct sim_cmd sim_ftp_cmds[] = {
    {"+UFTP", sim_cmd_uftp},
    {"+UFTPC", sim_cmd_uftpc},
    {"+UFTPER", sim_cmd_uftper},
    {NULL, NULL},
};

static int sim_ftp_init(struct sim *s)
{
    s->ftp = calloc(1, sizeof *s->ftp);
    return s->ftp ? 0 : -1;
}

static void sim_ftp_fini(struct sim *s)
{
    free(s->ftp);
    s->ftp = NULL;
}

/* FOTA over FTP (§4.2.1): the volatile profile and the commands; transfers by sim_part_net. */
const struct sim_part sim_part_ftp = {
    .name = "ftp",
    .cmds = sim_ftp_cmds,
    .init = sim_ftp_init,
    .fini = sim_ftp_fini,
    .power_up = sim_ftp_power_up,
    .redact = sim_net_redact,
    .download = SIM_DL_FTP,
};
