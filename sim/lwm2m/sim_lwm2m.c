/* The module's LwM2M 1.0 client over CoAP/UDP (optionally DTLS-PSK) with libcoap3 (§5.1, §5.6).
 *
 * One libcoap context per module (s->lwm2m, made at the first power-up). It has
 *   - a listening endpoint on --lwm2m-port (UDP, or DTLS with the PSK when the server URI is
 *     coaps://): peers such as libcoap's coap-client reach the objects there;
 *   - per power-up, a client session to --lwm2m-server: Register (POST /rd?ep=…&lt=…&lwm2m=1.0
 *     &b=U, link format), Update (POST <location>) every lifetime (SRLT, module clock),
 *     De-register (DELETE <location>). The server's requests arrive on that session.
 * Both serve the same resources: one per object, instance and resource path, each with GET
 * (Read; Observe), PUT (Write) and POST (Execute); block-wise both ways by libcoap
 * (COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY).
 * The ppoll() loop watches libcoap's epoll fd and calls coap_io_process(COAP_IO_NO_WAIT). */
#define _GNU_SOURCE
#include "sim_lwm2m_coap.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SIM_LWM2M_START_MS 10000 /* power-up → network attached → client starts (§5.1) */

/* ---- options -------------------------------------------------------------------------------- */

int sim_lwm2m_opt_server(struct sim *s, const char *uri, char *err, size_t errlen)
{
    struct sim_lwm2m *c = s->lwm2m;
    const char *p;
    if (strncmp(uri, "coap://", 7) == 0) {
        p = uri + 7;
        c->dtls = false;
    } else if (strncmp(uri, "coaps://", 8) == 0) {
        p = uri + 8;
        c->dtls = true;
    } else {
        snprintf(err, errlen, "--lwm2m-server: expected coap://HOST:PORT or coaps://HOST:PORT");
        return -1;
    }
    const char *colon = strrchr(p, ':');
    size_t hl = colon ? (size_t)(colon - p) : strcspn(p, "/");
    if (hl == 0 || hl >= sizeof c->host) {
        snprintf(err, errlen, "--lwm2m-server: bad host in '%s'", uri);
        return -1;
    }
    memcpy(c->host, p, hl);
    c->host[hl] = '\0';
    long port = c->dtls ? 5684 : 5683;
    if (colon) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if ((*end && *end != '/') || port < 1 || port > 65535) {
            snprintf(err, errlen, "--lwm2m-server: bad port in '%s'", uri);
            return -1;
        }
    }
    c->server_port = (uint16_t)port;
    c->have_server = true;
    return 0;
}

int sim_lwm2m_opt_psk_identity(struct sim *s, const char *id, char *err, size_t errlen)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!*id || strlen(id) >= sizeof c->psk_id) {
        snprintf(err, errlen, "--psk-identity: 1..%zu characters", sizeof c->psk_id - 1);
        return -1;
    }
    snprintf(c->psk_id, sizeof c->psk_id, "%s", id);
    return 0;
}

/* The key from hex digits; `what` names the option in errors, which never show the key. */
static int sim_lwm2m_set_key(struct sim *s, const char *hex, size_t n, const char *what, char *err,
                             size_t errlen)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (c->psk_key_len) {
        snprintf(err, errlen, "%s: the key is given once (--psk-key or --psk-key-file)", what);
        return -1;
    }
    bool hex_ok = n > 0 && n % 2 == 0 && n / 2 <= sizeof c->psk_key;
    for (size_t i = 0; hex_ok && i < n; i++)
        hex_ok = isxdigit((unsigned char)hex[i]) != 0;
    if (!hex_ok) {
        snprintf(err, errlen, "%s: expected 1..%zu bytes as hex digits (%zu characters given)",
                 what, sizeof c->psk_key, n);
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        char b[3] = {hex[i], hex[i + 1], 0};
        c->psk_key[i / 2] = (uint8_t)strtoul(b, NULL, 16);
    }
    c->psk_key_len = n / 2;
    return 0;
}

int sim_lwm2m_opt_psk_key(struct sim *s, const char *hex, char *err, size_t errlen)
{
    return sim_lwm2m_set_key(s, hex, strlen(hex), "--psk-key", err, errlen);
}

#define SIM_PSK_FILE_MAX 4096 /* far more than 64 bytes of hex and a comment's worth of blanks */

int sim_lwm2m_opt_psk_key_file(struct sim *s, const char *path, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO in place of the file must not hang the start */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "--psk-key-file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "--psk-key-file %s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen,
                 "--psk-key-file %s: readable or writable by group or others (mode %04o); "
                 "make it private with: chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return -1;
    }
    /* read whole: to the end of the file, never cut at a buffer size */
    char buf[SIM_PSK_FILE_MAX + 1];
    size_t n = 0;
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "--psk-key-file %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof buf) {
            snprintf(err, errlen, "--psk-key-file %s: larger than %d bytes, not a key file", path,
                     SIM_PSK_FILE_MAX);
            rc = -1;
            break;
        }
    }
    close(fd);
    if (rc == 0) {
        size_t a = 0, e = n; /* the key, without the blanks and newline around it */
        while (a < e && isspace((unsigned char)buf[a]))
            a++;
        while (e > a && isspace((unsigned char)buf[e - 1]))
            e--;
        char what[PATH_MAX + 32];
        snprintf(what, sizeof what, "--psk-key-file %s", path);
        rc = sim_lwm2m_set_key(s, buf + a, e - a, what, err, errlen);
    }
    explicit_bzero(buf, sizeof buf);
    return rc;
}

int sim_lwm2m_opt_port(struct sim *s, const char *port, char *err, size_t errlen)
{
    char *end;
    long v = strtol(port, &end, 10);
    if (*end || end == port || v < 0 || v > 65535) {
        snprintf(err, errlen, "--lwm2m-port: expected 0..65535, not '%s'", port);
        return -1;
    }
    s->lwm2m->listen_port = (uint16_t)v;
    s->lwm2m->have_port = true;
    return 0;
}

int sim_lwm2m_opt_check(struct sim *s, char *err, size_t errlen)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (c->dtls && (!c->psk_id[0] || !c->psk_key_len)) {
        snprintf(err, errlen, "coaps:// needs --psk-identity and --psk-key (or --psk-key-file)");
        return -1;
    }
    if (!c->have_server && c->psk_id[0] && c->psk_key_len)
        c->dtls = true; /* peers only (--lwm2m-port): the endpoint speaks DTLS-PSK */
    if (!c->dtls && (c->psk_id[0] || c->psk_key_len)) {
        snprintf(err, errlen, "--psk-identity/--psk-key need a coaps:// --lwm2m-server");
        return -1;
    }
    if (c->dtls && (!c->psk_id[0] || !c->psk_key_len)) {
        snprintf(err, errlen, "DTLS needs both --psk-identity and --psk-key");
        return -1;
    }
    return 0;
}

struct sim *sim_lwm2m_sim(const coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

void sim_lwm2m_set_app(struct sim *s, const struct sim_lwm2m_app *app)
{
    s->lwm2m->app = app;
}

static void sim_lwm2m_event(struct sim *s, enum sim_lwm2m_event ev)
{
    const struct sim_lwm2m_app *app = s->lwm2m->app;
    if (app && app->event)
        app->event(s, ev);
}

uint32_t sim_lwm2m_lifetime(const struct sim *s)
{
    return s->lwm2m->lifetime;
}

void sim_lwm2m_set_lifetime(struct sim *s, uint32_t lifetime)
{
    s->lwm2m->lifetime = lifetime;
}

/* ---- registration --------------------------------------------------------------------------- */

enum sim_lwm2m_reg sim_lwm2m_reg_state(const struct sim *s)
{
    return s->lwm2m->reg;
}

static void sim_lwm2m_update_timer(struct sim *s, void *arg);
static void sim_lwm2m_retry_register(struct sim *s);

static void sim_lwm2m_arm_update(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    sim_timer_cancel(s, c->update_timer);
    /* the update goes out a little before the lifetime ends (OMA: "before expiry") */
    uint64_t lt_ms = (uint64_t)sim_lwm2m_lifetime(s) * 1000u;
    c->update_timer =
        sim_timer_add(s, lt_ms > 10000 ? lt_ms - lt_ms / 20 : lt_ms, sim_lwm2m_update_timer, NULL);
}

/* Sends a request on the client session: method, location or "rd", queries, payload. */
static int sim_lwm2m_send(struct sim *s, coap_pdu_code_t code, bool to_rd, bool with_lt,
                          const char *payload)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->session)
        return -1;
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, code, coap_new_message_id(c->session),
                                    coap_session_max_pdu_size(c->session));
    if (!pdu)
        return -1;
    coap_session_new_token(c->session, &c->token_len, c->token);
    coap_add_token(pdu, c->token_len, c->token);
    coap_optlist_t *opts = NULL;
    if (to_rd) {
        coap_insert_optlist(&opts,
                            coap_new_optlist(COAP_OPTION_URI_PATH, 2, (const uint8_t *)"rd"));
    } else {
        const char *p = c->location;
        while (*p) {
            size_t k = strcspn(p, "/");
            coap_insert_optlist(&opts,
                                coap_new_optlist(COAP_OPTION_URI_PATH, k, (const uint8_t *)p));
            p += k;
            if (*p == '/')
                p++;
        }
    }
    char q[96];
    if (to_rd) {
        snprintf(q, sizeof q, "ep=urn:imei:%s", s->st.imei);
        coap_insert_optlist(&opts,
                            coap_new_optlist(COAP_OPTION_URI_QUERY, strlen(q), (uint8_t *)q));
    }
    if (with_lt) {
        snprintf(q, sizeof q, "lt=%u", (unsigned)sim_lwm2m_lifetime(s));
        coap_insert_optlist(&opts,
                            coap_new_optlist(COAP_OPTION_URI_QUERY, strlen(q), (uint8_t *)q));
    }
    if (to_rd) {
        coap_insert_optlist(
            &opts, coap_new_optlist(COAP_OPTION_URI_QUERY, 9, (const uint8_t *)"lwm2m=1.0"));
        coap_insert_optlist(&opts,
                            coap_new_optlist(COAP_OPTION_URI_QUERY, 3, (const uint8_t *)"b=U"));
    }
    if (payload) {
        uint8_t cf[2];
        size_t cl = coap_encode_var_safe(cf, sizeof cf, SIM_LWM2M_CF_LINK);
        coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_CONTENT_FORMAT, cl, cf));
    }
    coap_add_optlist_pdu(pdu, &opts);
    coap_delete_optlist(opts);
    if (payload)
        coap_add_data(pdu, strlen(payload), (const uint8_t *)payload);
    if (coap_send(c->session, pdu) == COAP_INVALID_MID)
        return -1;
    return 0;
}

/* CoRE link format of the instances (object 0 is not announced, OMA 1.0 §5.3.1). */
static void sim_lwm2m_links(char *out, size_t len)
{
    size_t u = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sim_lwm2m_ninstances; i++) {
        if (!sim_lwm2m_instances[i].in_registration)
            continue;
        int n = snprintf(out + u, len - u, "%s</%u/%u>", u ? "," : "", sim_lwm2m_instances[i].obj,
                         sim_lwm2m_instances[i].inst);
        if (n < 0 || (size_t)n >= len - u)
            break;
        u += (size_t)n;
    }
}

static int sim_lwm2m_send_register(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    char links[256];
    sim_lwm2m_links(links, sizeof links);
    c->pending = SIM_REQ_REGISTER;
    c->reg = SIM_REG_PENDING;
    sim_report(s, "lwm2m", "register to %s:%u as urn:imei:%s, lifetime %u", c->host,
               (unsigned)c->server_port, s->st.imei, (unsigned)sim_lwm2m_lifetime(s));
    return sim_lwm2m_send(s, COAP_REQUEST_CODE_POST, true, true, links);
}

void sim_lwm2m_update(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (c->reg != SIM_REG_DONE || c->pending != SIM_REQ_NONE)
        return;
    c->pending = SIM_REQ_UPDATE;
    sim_report(s, "lwm2m", "registration update, lifetime %u", (unsigned)sim_lwm2m_lifetime(s));
    if (sim_lwm2m_send(s, COAP_REQUEST_CODE_POST, false, true, NULL) != 0)
        c->pending = SIM_REQ_NONE;
    sim_lwm2m_arm_update(s);
}

static void sim_lwm2m_update_timer(struct sim *s, void *arg)
{
    (void)arg;
    s->lwm2m->update_timer = 0;
    if (s->lwm2m->pending != SIM_REQ_NONE) {
        sim_lwm2m_arm_update(s);
        return;
    }
    sim_lwm2m_update(s);
}

static coap_response_t sim_lwm2m_response(coap_session_t *session, const coap_pdu_t *sent,
                                          const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    struct sim *s = sim_lwm2m_sim(session);
    struct sim_lwm2m *c = s->lwm2m;
    if (session != c->session || !received)
        return COAP_RESPONSE_OK;
    coap_bin_const_t tok = coap_pdu_get_token(received);
    if (tok.length != c->token_len || memcmp(tok.s, c->token, tok.length) != 0)
        return COAP_RESPONSE_OK;
    int code = (int)coap_pdu_get_code(received);
    int cls = code >> 5, detail = code & 31;
    int pending = c->pending;
    c->pending = SIM_REQ_NONE;
    switch (pending) {
    case SIM_REQ_REGISTER:
        if (cls != 2) {
            sim_report(s, "lwm2m", "register refused: %d.%02d", cls, detail);
            sim_lwm2m_retry_register(s);
            return COAP_RESPONSE_OK;
        }
        {
            coap_opt_iterator_t it;
            coap_opt_t *o;
            size_t u = 0;
            c->location[0] = '\0';
            coap_option_iterator_init(received, &it, COAP_OPT_ALL);
            while ((o = coap_option_next(&it)) != NULL) {
                if (it.number != COAP_OPTION_LOCATION_PATH)
                    continue;
                size_t l = coap_opt_length(o);
                if (u + l + 2 >= sizeof c->location)
                    break;
                if (u)
                    c->location[u++] = '/';
                memcpy(c->location + u, coap_opt_value(o), l);
                u += l;
                c->location[u] = '\0';
            }
        }
        c->reg = SIM_REG_DONE;
        sim_report(s, "lwm2m", "registered: /%s", c->location);
        sim_lwm2m_event(s, SIM_LWM2M_EV_REGISTERED);
        sim_lwm2m_arm_update(s);
        if (!c->started_once) {
            c->started_once = true;
            sim_lwm2m_event(s, SIM_LWM2M_EV_UP);
        }
        break;
    case SIM_REQ_UPDATE:
        if (cls == 4) { /* the server forgot us: register again */
            sim_report(s, "lwm2m", "update refused %d.%02d: registering again", cls, detail);
            (void)sim_lwm2m_send_register(s);
        }
        break;
    case SIM_REQ_DEREGISTER:
        sim_report(s, "lwm2m", "deregistered (%d.%02d)", cls, detail);
        break;
    default:
        break;
    }
    return COAP_RESPONSE_OK;
}

#define SIM_LWM2M_RETRY_MS 60000 /* a Register that got no answer is tried again */

static void sim_lwm2m_start(struct sim *s, void *arg);

/* A request that never got an answer (CoAP retransmissions exhausted) or a refused Register:
 * register again a minute later. */
static void sim_lwm2m_retry_register(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    c->reg = SIM_REG_OFF;
    c->pending = SIM_REQ_NONE;
    sim_timer_cancel(s, c->start_timer);
    c->start_timer = sim_timer_add(s, SIM_LWM2M_RETRY_MS, sim_lwm2m_start, NULL);
}

static void sim_lwm2m_nack(coap_session_t *session, const coap_pdu_t *sent,
                           const coap_nack_reason_t reason, const coap_mid_t mid)
{
    (void)mid;
    struct sim *s = sim_lwm2m_sim(session);
    struct sim_lwm2m *c = s->lwm2m;
    if (session != c->session || !sent || c->pending == SIM_REQ_NONE)
        return;
    coap_bin_const_t tok = coap_pdu_get_token(sent);
    if (tok.length != c->token_len || memcmp(tok.s, c->token, tok.length) != 0)
        return;
    sim_report(s, "lwm2m", "no answer from the server (reason %d)", (int)reason);
    if (c->pending == SIM_REQ_DEREGISTER) {
        c->pending = SIM_REQ_NONE;
        return;
    }
    sim_lwm2m_retry_register(s);
}

/* ---- life cycle ----------------------------------------------------------------------------- */

static int sim_lwm2m_resolve(const char *host, uint16_t port, coap_address_t *out)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_family = AF_UNSPEC;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", (unsigned)port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res)
        return -1;
    coap_address_init(out);
    out->size = res->ai_addrlen;
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* The context and the listening endpoint: at the first power-up and at each power-up after a
 * reset (which dropped them). */
static int sim_lwm2m_ctx_init(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (c->inited)
        return c->ctx ? 0 : -1;
    c->inited = true;
    if (!c->have_server && !c->have_port)
        return -1; /* no LwM2M configured: the client stays off */
    coap_startup();
    coap_set_log_level(LOG_WARNING);
    c->ctx = coap_new_context(NULL);
    if (!c->ctx)
        return -1;
    coap_set_app_data(c->ctx, s);
    coap_context_set_block_mode(c->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_register_response_handler(c->ctx, sim_lwm2m_response);
    coap_register_nack_handler(c->ctx, sim_lwm2m_nack);
    if (c->dtls) {
        coap_dtls_spsk_t sp;
        memset(&sp, 0, sizeof sp);
        sp.version = COAP_DTLS_SPSK_SETUP_VERSION;
        sp.psk_info.hint.s = (const uint8_t *)c->psk_id;
        sp.psk_info.hint.length = strlen(c->psk_id);
        sp.psk_info.key.s = c->psk_key;
        sp.psk_info.key.length = c->psk_key_len;
        coap_context_set_psk2(c->ctx, &sp);
    }
    sim_lwm2m_add_resources(c->ctx);
    if (c->have_port) {
        coap_address_t a;
        coap_address_init(&a);
        a.addr.sin.sin_family = AF_INET;
        a.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* peers on this host only */
        a.addr.sin.sin_port = htons(c->listen_port);
        a.size = sizeof a.addr.sin;
        c->ep = coap_new_endpoint(c->ctx, &a, c->dtls ? COAP_PROTO_DTLS : COAP_PROTO_UDP);
        if (!c->ep) {
            fprintf(stderr, "larafw-sim: lwm2m: cannot listen on udp port %u\n",
                    (unsigned)c->listen_port);
        } else {
            c->local_port = c->listen_port;
            sim_report(s, "lwm2m", "objects served on %s port %u", c->dtls ? "dtls" : "udp",
                       (unsigned)c->local_port);
        }
    }
    return 0;
}

/* Ends the client session and everything it still has in flight. Releasing alone is not
 * enough: after an ICMP error libcoap puts the unanswered CON (the Register) back in the send
 * queue, where it holds the session's last reference; its retransmission then starts a new
 * DTLS handshake on the released session, which libcoap 4.3.1 frees under the queued message
 * (the message leaks: LeakSanitizer, tests/e2e/test_sim_secrets.py). Disconnecting first
 * cancels the session's messages and observations, so the release really frees it. */
static void sim_lwm2m_end_session(struct sim_lwm2m *c)
{
    coap_session_t *old = c->session;
    c->session = NULL; /* the nacks of its cancelled messages are no longer ours */
    if (old) {
        coap_session_disconnected(old, COAP_NACK_NOT_DELIVERABLE);
        coap_session_release(old);
    }
}

static void sim_lwm2m_drop_session(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    sim_lwm2m_end_session(c);
    c->pending = SIM_REQ_NONE;
    sim_timer_cancel(s, c->update_timer);
    c->update_timer = 0;
}

/* Network attached: a new session and Register. "+UFOTASTAT: 3,1,0" (§5.7.1). */
static void sim_lwm2m_start(struct sim *s, void *arg)
{
    (void)arg;
    struct sim_lwm2m *c = s->lwm2m;
    c->start_timer = 0;
    if (s->cfun != 1 || c->reg == SIM_REG_DEREG || (c->app && !c->app->may_start(s)))
        return; /* no network (AT+CFUN=0/4), or the module is in update mode */
    sim_lwm2m_event(s, SIM_LWM2M_EV_ATTACHED);
    if (!c->have_server) {
        /* only peers on --lwm2m-port: the client is up without a registration */
        c->started_once = true;
        sim_lwm2m_event(s, SIM_LWM2M_EV_UP);
        return;
    }
    coap_address_t dst;
    if (sim_lwm2m_resolve(c->host, c->server_port, &dst) != 0) {
        sim_report(s, "lwm2m", "cannot resolve %s", c->host);
        return;
    }
    sim_lwm2m_drop_session(s);
    if (c->dtls) {
        coap_dtls_cpsk_t cp;
        memset(&cp, 0, sizeof cp);
        cp.version = COAP_DTLS_CPSK_SETUP_VERSION;
        cp.psk_info.identity.s = (const uint8_t *)c->psk_id;
        cp.psk_info.identity.length = strlen(c->psk_id);
        cp.psk_info.key.s = c->psk_key;
        cp.psk_info.key.length = c->psk_key_len;
        c->session = coap_new_client_session_psk2(c->ctx, NULL, &dst, COAP_PROTO_DTLS, &cp);
    } else {
        c->session = coap_new_client_session(c->ctx, NULL, &dst, COAP_PROTO_UDP);
    }
    if (!c->session) {
        sim_report(s, "lwm2m", "no session to %s:%u", c->host, (unsigned)c->server_port);
        return;
    }
    (void)sim_lwm2m_send_register(s);
}

int sim_lwm2m_deregister(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->have_server || c->reg != SIM_REG_DONE)
        return -1;
    c->pending = SIM_REQ_DEREGISTER;
    (void)sim_lwm2m_send(s, COAP_REQUEST_CODE_DELETE, false, false, NULL);
    c->reg = SIM_REG_DEREG;
    sim_timer_cancel(s, c->update_timer);
    c->update_timer = 0;
    sim_report(s, "lwm2m", "deregister (AT+ULWM2MDEREG)");
    return 0;
}

int sim_lwm2m_register(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->have_server || !c->ctx || c->reg == SIM_REG_PENDING || c->reg == SIM_REG_DONE)
        return -1;
    c->reg = SIM_REG_OFF;
    sim_timer_cancel(s, c->start_timer);
    c->start_timer = sim_timer_add(s, 0, sim_lwm2m_start, NULL);
    return 0;
}

void sim_lwm2m_changed(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->ctx)
        return;
    char path[32];
    for (int level = 3; level >= 1; level--) {
        if (level == 3)
            snprintf(path, sizeof path, "%u/%u/%u", obj, inst, res);
        else if (level == 2)
            snprintf(path, sizeof path, "%u/%u", obj, inst);
        else
            snprintf(path, sizeof path, "%u", obj);
        coap_resource_t *r = coap_get_resource_from_uri_path(c->ctx, coap_make_str_const(path));
        if (r)
            coap_resource_notify_observers(r, NULL);
    }
}

/* Every power-up: the session of the last power cycle is gone; the client starts again once
 * the network is attached. */
static void sim_lwm2m_power_up(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (sim_lwm2m_ctx_init(s) == 0)
        sim_lwm2m_drop_session(s);
    c->reg = SIM_REG_OFF;
    c->started_once = false;
    c->start_timer = 0; /* the reset dropped every timer */
    c->update_timer = 0;
    if (c->ctx)
        c->start_timer = sim_timer_add(s, SIM_LWM2M_START_MS, sim_lwm2m_start, NULL);
}

/* Everything libcoap holds for the module: the context with its sockets, the sessions of the
 * server and of peers, their observations, blocks in flight. */
static void sim_lwm2m_ctx_free(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    /* a module that resets sends nothing: freeing observed resources would send each
     * observer a last 4.04, unless they are no longer observable */
    if (c->ctx)
        sim_lwm2m_quiet_resources(c->ctx);
    sim_lwm2m_end_session(c);
    if (c->ctx)
        coap_free_context(c->ctx);
    c->ctx = NULL;
    c->ep = NULL;
    c->session = NULL;
    c->inited = false;
    c->pending = SIM_REQ_NONE;
}

/* A module reset (AT+CFUN=15/16, an install's resets) ends every observation and CoAP session
 * and closes the sockets, as a power cut does: nothing from before the reset is sent after it.
 * Never called from inside a CoAP handler (Execute /5/0/2 starts the install from a timer). */
static void sim_lwm2m_reset(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (c->ctx)
        sim_report(s, "lwm2m", "module reset: CoAP sessions and observations ended");
    sim_lwm2m_ctx_free(s);
    c->reg = SIM_REG_OFF;
}

static int sim_lwm2m_init(struct sim *s)
{
    struct sim_lwm2m *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->lifetime = SIM_LWM2M_FACTORY_LIFETIME;
    c->pmin = 10;
    c->pmax = 60;
    c->disable_to = 86400;
    s->lwm2m = c;
    return 0;
}

static void sim_lwm2m_fini(struct sim *s)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c)
        return;
    sim_lwm2m_ctx_free(s); /* sessions, endpoint and resources with it */
    free(c);
    s->lwm2m = NULL;
}

/* ---- main loop hooks ------------------------------------------------------------------------ */

static int sim_lwm2m_poll_setup(struct sim *s, struct pollfd *fds, int max,
                                uint64_t *timeout_module_ms)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->ctx || max < 1)
        return 0;
    int fd = coap_context_get_coap_fd(c->ctx);
    coap_tick_t now;
    coap_ticks(&now);
    unsigned host_ms = coap_io_prepare_epoll(c->ctx, now);
    if (host_ms > 0) {
        uint64_t m = sim_clock_module_ms(s, host_ms);
        if (m < *timeout_module_ms)
            *timeout_module_ms = m;
    }
    if (fd < 0)
        return 0;
    fds[0].fd = fd;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    return 1;
}

static void sim_lwm2m_service(struct sim *s, const struct pollfd *fds, int n)
{
    (void)fds;
    (void)n;
    struct sim_lwm2m *c = s->lwm2m;
    if (!c->ctx)
        return;
    coap_io_process(c->ctx, COAP_IO_NO_WAIT);
}

/* The LwM2M client: no AT commands (uFOTA has them); its CoAP socket in the main loop. */
const struct sim_part sim_part_lwm2m = {
    .name = "lwm2m",
    .init = sim_lwm2m_init,
    .fini = sim_lwm2m_fini,
    .reset = sim_lwm2m_reset,
    .power_up = sim_lwm2m_power_up,
    .fds_max = SIM_LWM2M_FDS_MAX,
    .poll_setup = sim_lwm2m_poll_setup,
    .service = sim_lwm2m_service,
};
