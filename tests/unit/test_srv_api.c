/* larafw-server REST API admission (srv_api_req.h) and tokens (srv_token.h). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "srv_api_req.h"
#include "srv_secret.h"
#include "srv_token.h"

/* A table with one token per role; tok[r] is the text of role r's token. */
static struct srv_tokens tokens;
static char tok[4][SRV_TOKEN_TEXT_MAX];

static int setup(void **state)
{
    (void)state;
    static struct srv_token_entry e[3];
    for (int r = SRV_ROLE_VIEWER; r <= SRV_ROLE_ADMIN; r++) {
        struct srv_token_entry *x = &e[r - 1];
        snprintf(x->name, sizeof x->name, "%s-1", srv_role_name((enum srv_role)r));
        x->role = (enum srv_role)r;
        srv_token_generate(tok[r], x->hash);
    }
    tokens.entries = e;
    tokens.count = 3;
    return 0;
}

static unsigned admit(const char *method, const char *path, const char *host, const char *origin,
                      const char *ctype, int role, const char *body, struct srv_api_call *call)
{
    static const char *const hosts[] = {"fleet.example.com"};
    struct srv_api_policy p = {&tokens, hosts, 1};
    char auth[128];
    snprintf(auth, sizeof auth, "Bearer %s", role > 0 ? tok[role] : "lfw_wrong");
    struct srv_api_request r = {
        method, path, host, origin, ctype, role >= 0 ? auth : NULL, body, body ? strlen(body) : 0};
    const char *why = NULL;
    unsigned status = srv_api_admit(&p, &r, call, &why);
    if (status)
        assert_non_null(why);
    return status;
}

#define JSON "application/json"
#define BODY "{\"package\":\"v1-v2.upd\"}"

static void test_roles(void **state)
{
    (void)state;
    struct srv_api_call c;
    assert_int_equal(admit("GET", "/api/devices", "127.0.0.1:8081", NULL, NULL, -1, NULL, &c), 401);
    assert_int_equal(admit("GET", "/api/devices", "127.0.0.1:8081", NULL, NULL, 0, NULL, &c), 401);
    assert_int_equal(admit("GET", "/api/devices", "127.0.0.1:8081", NULL, NULL, 1, NULL, &c), 0);
    assert_int_equal(c.route, SRV_API_DEVICES);
    assert_string_equal(c.who, "viewer-1");
    assert_int_equal(admit("POST", "/api/devices/35/update", "localhost", NULL, JSON, 1, BODY, &c),
                     403);
    assert_int_equal(admit("POST", "/api/devices/35/update", "localhost", NULL, JSON, 2, BODY, &c),
                     0);
    assert_int_equal(c.route, SRV_API_DEVICE_UPDATE);
    assert_string_equal(c.device, "35");
    assert_string_equal(c.package, "v1-v2.upd");
    assert_int_equal(admit("GET", "/api/tokens", NULL, NULL, NULL, 2, NULL, &c), 403);
    assert_int_equal(admit("GET", "/api/tokens", NULL, NULL, NULL, 3, NULL, &c), 0);
    assert_int_equal(admit("GET", "/api/jobs/12", NULL, NULL, NULL, 1, NULL, &c), 0);
    assert_int_equal(c.job_id, 12);
    assert_int_equal(admit("GET", "/api/jobs/12x", NULL, NULL, NULL, 1, NULL, &c), 404);
    assert_int_equal(admit("DELETE", "/api/devices", NULL, NULL, NULL, 3, NULL, &c), 405);
    /* unknown paths do not tell an unauthenticated caller anything */
    assert_int_equal(admit("GET", "/api/nothing", NULL, NULL, NULL, -1, NULL, &c), 401);
}

static void test_cross_site(void **state)
{
    (void)state;
    struct srv_api_call c;
    /* the reproduction, with and without a valid token */
    for (int role = -1; role <= 3; role += 4)
        assert_int_equal(admit("POST", "/api/devices/35/update", "attacker.example",
                               "http://attacker.example", "text/plain", role, BODY, &c),
                         403);
    assert_int_equal(admit("POST", "/api/devices/35/update", "127.0.0.1:8081",
                           "http://attacker.example", JSON, 3, BODY, &c),
                     403);
    assert_int_equal(
        admit("POST", "/api/devices/35/update", "127.0.0.1:8081", "null", JSON, 3, BODY, &c), 403);
    assert_int_equal(admit("POST", "/api/devices/35/update", "127.0.0.1:8081",
                           "http://127.0.0.1:8081", JSON, 3, BODY, &c),
                     0);
    assert_int_equal(admit("GET", "/api/devices", "FLEET.example.com:443",
                           "https://fleet.example.com:443", NULL, 1, NULL, &c),
                     0);
    assert_int_equal(admit("GET", "/api/devices", "[::1]:8081", NULL, NULL, 1, NULL, &c), 0);
    assert_int_equal(admit("GET", "/api/devices", "evil.example.com", NULL, NULL, 1, NULL, &c),
                     403);
    /* a state change needs JSON: forms and text/plain are what a page can send cross-site */
    const char *types[] = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                           "application/jsonx", NULL};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        assert_int_equal(admit("POST", "/api/devices/35/update", NULL, NULL, types[i], 3, BODY, &c),
                         415);
    assert_int_equal(admit("POST", "/api/devices/35/update", NULL, NULL,
                           "Application/JSON; charset=utf-8", 3, BODY, &c),
                     0);
}

static void test_bodies(void **state)
{
    (void)state;
    struct srv_api_call c;
    const char *bad[] = {"",
                         "{",
                         "[]",
                         "{\"package\":1}",
                         "{\"package\":\"\"}",
                         "{\"package\":\"a\",\"package\":\"b\"}",
                         "{\"package\":\"a\\u0000b\"}",
                         "{\"pkg\":\"a\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(admit("POST", "/api/devices/35/update", NULL, NULL, JSON, 2, bad[i], &c),
                         400);
    /* nested members the campaign bodies will need are fine */
    assert_int_equal(admit("POST", "/api/devices/35/update", NULL, NULL, JSON, 2,
                           "{\"package\":\"p.upd\",\"x\":{\"y\":[1,2,{\"z\":null}]}}", &c),
                     0);
    assert_string_equal(c.package, "p.upd");
}

static void test_tokens_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/srv-api-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/tokens", dir);
    char token[SRV_TOKEN_TEXT_MAX];
    int line;
    assert_int_equal(srv_tokens_add(path, "ci", SRV_ROLE_OPERATOR, token, &line), 0);
    assert_int_equal(strncmp(token, "lfw_", 4), 0);
    assert_int_equal(strlen(token), 4 + 43);
    assert_int_equal(srv_tokens_add(path, "ci", SRV_ROLE_VIEWER, token + 0, &line), SRV_E_STATE);
    char second[SRV_TOKEN_TEXT_MAX];
    assert_int_equal(srv_tokens_add(path, "ops", SRV_ROLE_ADMIN, second, &line), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* only hashes at rest */
    char *text;
    size_t len;
    assert_int_equal(srv_secret_read(path, &text, &len), 0);
    assert_null(strstr(text, second + 4));
    free(text);
    struct srv_tokens t;
    assert_int_equal(srv_tokens_load(path, &t, &line), 0);
    assert_int_equal(t.count, 2);
    assert_int_equal(srv_tokens_check(&t, second, strlen(second), NULL), SRV_ROLE_ADMIN);
    assert_int_equal(srv_tokens_check(&t, second, strlen(second) - 1, NULL), SRV_ROLE_NONE);
    assert_int_equal(srv_tokens_check(&t, "", 0, NULL), SRV_ROLE_NONE);
    assert_int_equal(srv_tokens_remove(path, "ops", &line), 0);
    assert_int_equal(srv_tokens_remove(path, "ops", &line), SRV_E_NOTFOUND);
    assert_int_equal(srv_tokens_reload(path, &t), 1);
    assert_int_equal(t.count, 1);
    assert_int_equal(srv_tokens_check(&t, second, strlen(second), NULL), SRV_ROLE_NONE);
    /* group-readable: refused */
    assert_int_equal(chmod(path, 0640), 0);
    struct srv_tokens u;
    assert_int_equal(srv_tokens_load(path, &u, &line), SRV_E_PERM);
    assert_int_equal(srv_tokens_reload(path, &t), SRV_E_PERM); /* old table stays */
    assert_int_equal(t.count, 1);
    srv_tokens_free(&t);
    const char *bad = "# c\nok:viewer:" /* 64 hex */
                      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                      "ok:admin:00\n";
    assert_int_equal(srv_tokens_parse(bad, strlen(bad), &u, &line), SRV_E_PARSE);
    assert_int_equal(line, 3);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_cross_site),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_tokens_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
