/* FOTA download by the module over FTP (§4.2.1) or HTTP (§4.2.2). */
#include <string.h>

#include "larafw/fota_net.h"
#include "proc_internal.h"
#include "util.h"

/* Room for the longest command: AT+UHTTPC=3,100,"<128 chars>" and the like. */
#define NET_CMD_MAX (LFW_NET_TEXT_MAX + 32)

static bool text_ok(const char *s, bool required)
{
    if (s == NULL) {
        return !required;
    }
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        if (s[n] == '"' || (unsigned char)s[n] < 0x20u || n >= LFW_NET_TEXT_MAX) {
            return false;
        }
    }
    return n > 0 || !required;
}

/* A small command builder: head, then numbers and quoted strings separated by commas. */
struct cmd {
    char text[NET_CMD_MAX];
    size_t pos;
};

static void cmd_start(struct cmd *c, const char *head)
{
    c->pos = 0;
    c->text[0] = '\0';
    (void)lfw_str_append(c->text, sizeof c->text, &c->pos, head);
}

static void cmd_num(struct cmd *c, uint32_t v, bool comma)
{
    if (comma) {
        (void)lfw_str_append(c->text, sizeof c->text, &c->pos, ",");
    }
    (void)lfw_str_append_u32(c->text, sizeof c->text, &c->pos, v);
}

static void cmd_str(struct cmd *c, const char *s)
{
    (void)lfw_str_append(c->text, sizeof c->text, &c->pos, ",\"");
    (void)lfw_str_append(c->text, sizeof c->text, &c->pos, s);
    (void)lfw_str_append(c->text, sizeof c->text, &c->pos, "\"");
}

static int run(struct lfw_proc_run *r, const struct cmd *c)
{
    return lfw_at_cmd(r->at, c->text, NULL, NULL, 0, r->t.cmd_ms);
}

/* Copies the quoted MD5 at `p` ("\"960d…\"") into md5. */
static void copy_md5(const char *p, char *md5)
{
    if (md5 == NULL) {
        return;
    }
    md5[0] = '\0';
    while (*p == ' ') {
        p++;
    }
    if (*p == '"') {
        p++;
    }
    size_t n = 0;
    while (n < LFW_MD5_HEX_SIZE - 1 && p[n] != '"' && p[n] != '\0') {
        md5[n] = p[n];
        n++;
    }
    md5[n] = '\0';
}

/* Skips `count` comma-separated fields of `p`; NULL if there are fewer. */
static const char *skip_fields(const char *p, unsigned count)
{
    while (count > 0) {
        p = strchr(p, ',');
        if (p == NULL) {
            return NULL;
        }
        p++;
        count--;
    }
    return p;
}

/* Waits for a line that starts with `prefix` within `ms`; returns its text after the prefix
 * in *rest (valid until the next channel call). */
static int wait_urc(struct lfw_proc_run *r, const char *prefix, uint32_t ms, const char **rest)
{
    struct lfw_deadline d;
    lfw_deadline_start(&d, r->at->port, ms);
    for (;;) {
        const char *line = NULL;
        int n = lfw_proc_read_line(r, &d, &line);
        if (n < 0) {
            return n;
        }
        if (lfw_str_prefix(line, prefix)) {
            *rest = line + strlen(prefix);
            return 0;
        }
    }
}

/* Room for the rest of a result URC: "1,\"<32 hex>\"" or "1,200,\"<32 hex>\"". */
#define URC_REST_MAX 64

/* Runs a command whose result comes as a URC starting with `prefix` — usually after the OK,
 * but a quick module may send it before (then it is taken as the information response).
 * Copies the URC's text after the prefix into rest[URC_REST_MAX]. */
static int cmd_then_urc(struct lfw_proc_run *r, const struct cmd *c, const char *prefix,
                        uint32_t ms, char *rest)
{
    int rc = lfw_at_cmd(r->at, c->text, prefix, rest, URC_REST_MAX, r->t.cmd_ms);
    if (rc == LFW_EOVERFLOW) {
        rc = 0; /* the start of the result is all we need */
    }
    if (rc != 0) {
        return rc;
    }
    char *nl = strchr(rest, '\n');
    if (nl != NULL) {
        *nl = '\0';
    }
    if (rest[0] != '\0') {
        return 0;
    }
    const char *text = NULL;
    rc = wait_urc(r, prefix, ms, &text);
    if (rc == 0) {
        while (*text == ' ') {
            text++;
        }
        (void)lfw_str_copy(rest, URC_REST_MAX, text);
    }
    return rc;
}

/* Reads "<query>" → "<prefix> [<p>,]<class>,<code>" into err (§4.2.1.5, §4.2.2.5). */
static void read_net_error(struct lfw_proc_run *r, const char *query, const char *prefix,
                           unsigned skip)
{
    char info[48];
    if (lfw_at_cmd(r->at, query, prefix, info, sizeof info, r->t.cmd_ms) != 0 || r->err == NULL) {
        return;
    }
    const char *p = skip_fields(info, skip);
    uint32_t cls = 0;
    uint32_t code = 0;
    if (p != NULL && lfw_str_parse_u32(&p, &cls) && *p == ',') {
        p++;
        if (lfw_str_parse_u32(&p, &code) && cls <= 0xffffu && code <= 0xffffu) {
            r->err->net_class = (int)cls;
            r->err->net_code = (int)code;
        }
    }
}

static int begin_net(struct lfw_proc_run *r, const struct lfw_proc_config *proc,
                     struct lfw_error *err)
{
    int rc = lfw_proc_begin(r, proc, err, 0);
    if (rc != 0) {
        return rc;
    }
    /* §4.2.1, §4.2.2: LARA-L6 has no FTP/HTTP FOTA. An unknown product may try. */
    if (r->product->id != LFW_PRODUCT_UNKNOWN &&
        !lfw_product_has(r->product, LFW_FEAT_FTP_HTTP_FOTA)) {
        return LFW_ENOTSUP;
    }
    return 0;
}

static int ftp_download(struct lfw_proc_run *r, const struct lfw_ftp_server *s, char *md5)
{
    struct cmd c;
    int rc;
    /* §4.2.1.1: one AT+UFTP per parameter; the values are volatile. */
    cmd_start(&c, "AT+UFTP=");
    cmd_num(&c, s->host_is_ip ? 0u : 1u, false);
    cmd_str(&c, s->host);
    if ((rc = run(r, &c)) != 0) {
        return rc;
    }
    if (s->port != 0) {
        cmd_start(&c, "AT+UFTP=7");
        cmd_num(&c, s->port, true);
        if ((rc = run(r, &c)) != 0) {
            return rc;
        }
    }
    const char *const creds[2] = {s->user, s->password};
    for (uint32_t i = 0; i < 2; i++) {
        if (creds[i] != NULL) {
            cmd_start(&c, "AT+UFTP=");
            cmd_num(&c, 2u + i, false);
            cmd_str(&c, creds[i]);
            if ((rc = run(r, &c)) != 0) {
                return rc;
            }
        }
    }
    cmd_start(&c, "AT+UFTP=6");
    cmd_num(&c, s->passive ? 1u : 0u, true);
    if ((rc = run(r, &c)) != 0) {
        return rc;
    }
    /* §4.2.1.4: login → OK, then +UUFTPCR: 1,1 */
    char rest[URC_REST_MAX];
    cmd_start(&c, "AT+UFTPC=1");
    if ((rc = cmd_then_urc(r, &c, "+UUFTPCR: 1,", r->t.final_ok_ms, rest)) != 0) {
        return rc;
    }
    if (rest[0] != '1') {
        read_net_error(r, "AT+UFTPER", "+UFTPER:", 0);
        return LFW_EDOWNLOAD;
    }
    cmd_start(&c, "AT+UFTPC=100");
    cmd_str(&c, s->path);
    if (s->resume) {
        cmd_num(&c, 1u, true); /* §4.2.1.2: resume survives a power cycle */
    }
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 0, 0, 0, -1);
    if ((rc = cmd_then_urc(r, &c, "+UUFTPCR: 100,", r->t.download_ms, rest)) != 0) {
        return rc;
    }
    if (rest[0] != '1') {
        read_net_error(r, "AT+UFTPER", "+UFTPER:", 0); /* §4.2.1.5 */
        return LFW_EDOWNLOAD;
    }
    const char *sum = skip_fields(rest, 1);
    copy_md5(sum != NULL ? sum : "", md5);
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 100, 0, 0, -1);
    return 0;
}

int lfw_fota_ftp_download(const struct lfw_proc_config *proc, const struct lfw_ftp_server *srv,
                          char md5[LFW_MD5_HEX_SIZE], struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = begin_net(&r, proc, err);
    if (rc == 0 && (srv == NULL || !text_ok(srv->host, true) || !text_ok(srv->path, true) ||
                    !text_ok(srv->user, false) || !text_ok(srv->password, false))) {
        rc = LFW_EINVAL;
    }
    if (rc == 0) {
        rc = ftp_download(&r, srv, md5);
    }
    return lfw_proc_end(&r, rc);
}

static int http_download(struct lfw_proc_run *r, const struct lfw_http_server *s, char *md5)
{
    struct cmd c;
    int rc;
    uint32_t p = s->profile;
    /* §4.2.2.1: one AT+UHTTP per parameter. */
    cmd_start(&c, "AT+UHTTP=");
    cmd_num(&c, p, false);
    cmd_num(&c, s->host_is_ip ? 0u : 1u, true);
    cmd_str(&c, s->host);
    if ((rc = run(r, &c)) != 0) {
        return rc;
    }
    const char *const creds[2] = {s->user, s->password};
    for (uint32_t i = 0; i < 2; i++) {
        if (creds[i] != NULL) {
            cmd_start(&c, "AT+UHTTP=");
            cmd_num(&c, p, false);
            cmd_num(&c, 2u + i, true);
            cmd_str(&c, creds[i]);
            if ((rc = run(r, &c)) != 0) {
                return rc;
            }
        }
    }
    if (s->port != 0) {
        cmd_start(&c, "AT+UHTTP=");
        cmd_num(&c, p, false);
        cmd_num(&c, 5u, true);
        cmd_num(&c, s->port, true);
        if ((rc = run(r, &c)) != 0) {
            return rc;
        }
    }
    if (s->https) {
        cmd_start(&c, "AT+UHTTP=");
        cmd_num(&c, p, false);
        cmd_num(&c, 6u, true);
        cmd_num(&c, 1u, true);
        if ((rc = run(r, &c)) != 0) {
            return rc;
        }
    }
    cmd_start(&c, "AT+UHTTPC=");
    cmd_num(&c, p, false);
    cmd_num(&c, 100u, true);
    cmd_str(&c, s->path);
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 0, 0, 0, -1);
    /* §4.2.2.4: +UUHTTPCR: <p>,100,1,<status>,"<md5>" or +UUHTTPCR: <p>,100,0,0 */
    char prefix[24];
    size_t pos = 0;
    (void)lfw_str_append(prefix, sizeof prefix, &pos, "+UUHTTPCR: ");
    (void)lfw_str_append_u32(prefix, sizeof prefix, &pos, p);
    (void)lfw_str_append(prefix, sizeof prefix, &pos, ",100,");
    char rest[URC_REST_MAX];
    if ((rc = cmd_then_urc(r, &c, prefix, r->t.download_ms, rest)) != 0) {
        return rc;
    }
    if (rest[0] != '1') {
        cmd_start(&c, "AT+UHTTPER=");
        cmd_num(&c, p, false);
        read_net_error(r, c.text, "+UHTTPER:", 1); /* §4.2.2.5 */
        return LFW_EDOWNLOAD;
    }
    const char *sum = skip_fields(rest, 2);
    copy_md5(sum != NULL ? sum : "", md5);
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 100, 0, 0, -1);
    return 0;
}

int lfw_fota_http_download(const struct lfw_proc_config *proc, const struct lfw_http_server *srv,
                           char md5[LFW_MD5_HEX_SIZE], struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = begin_net(&r, proc, err);
    if (rc == 0 && (srv == NULL || srv->profile > 3u || !text_ok(srv->host, true) ||
                    !text_ok(srv->path, true) || !text_ok(srv->user, false) ||
                    !text_ok(srv->password, false))) {
        rc = LFW_EINVAL;
    }
    if (rc == 0) {
        rc = http_download(&r, srv, md5);
    }
    return lfw_proc_end(&r, rc);
}
