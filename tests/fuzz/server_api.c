/* libFuzzer target for larafw-server's REST request path (srv_api_req.h): the input is a
 * request as the HTTP layer hands it over,
 *
 *     METHOD SP PATH LF (Name: value LF)* LF body
 *
 * and goes through srv_api_admit() — Host and Origin checks, the bearer token against a
 * table with one token per role ("lfw_v", "lfw_o", "lfw_a"), routing, role, Content-Type,
 * the JSON body through jansson. Checks what admission promises: an admitted request has a
 * known token whose role covers the route, and a state change was JSON with a package name.
 * The body is also parsed as a tokens file (srv_tokens_parse). */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "srv_api_req.h"
#include "srv_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static struct srv_tokens *table(void)
{
    static struct srv_token_entry e[3] = {
        {.name = "v", .role = SRV_ROLE_VIEWER},
        {.name = "o", .role = SRV_ROLE_OPERATOR},
        {.name = "a", .role = SRV_ROLE_ADMIN},
    };
    static struct srv_tokens t = {e, 3, {0}};
    static int ready;
    if (!ready) {
        const char *text[3] = {"lfw_v", "lfw_o", "lfw_a"};
        for (int i = 0; i < 3; i++)
            crypto_generichash(e[i].hash, sizeof e[i].hash, (const unsigned char *)text[i], 5, NULL,
                               0);
        ready = 1;
    }
    return &t;
}

/* Cuts the next line (LF, or the end) out of buf[*off..len) as a NUL-terminated string. */
static char *next_line(char *buf, size_t len, size_t *off)
{
    if (*off >= len)
        return NULL;
    char *start = buf + *off;
    char *nl = memchr(start, '\n', len - *off);
    if (!nl) {
        *off = len;
        return start; /* buf has a NUL after len */
    }
    *nl = '\0';
    *off = (size_t)(nl - buf) + 1;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t off = 0;
    struct srv_api_request r = {0};
    char *first = next_line(buf, size, &off);
    char *sp = first ? strchr(first, ' ') : NULL;
    if (!sp) {
        free(buf);
        return 0;
    }
    *sp = '\0';
    r.method = first;
    r.path = sp + 1;
    char *line;
    while ((line = next_line(buf, size, &off)) != NULL && line[0] != '\0') {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        if (strcasecmp(line, "Host") == 0)
            r.host = value;
        else if (strcasecmp(line, "Origin") == 0)
            r.origin = value;
        else if (strcasecmp(line, "Content-Type") == 0)
            r.content_type = value;
        else if (strcasecmp(line, "Authorization") == 0)
            r.authorization = value;
    }
    r.body = buf + off;
    r.body_len = off <= size ? size - off : 0;

    static const char *const hosts[] = {"fleet.example.com"};
    struct srv_api_policy policy = {table(), hosts, 1};
    struct srv_api_call call;
    const char *why = NULL;
    unsigned status = srv_api_admit(&policy, &r, &call, &why);
    if (status != 0 && !why)
        abort();
    if (status == 0) {
        if (call.role == SRV_ROLE_NONE || !r.authorization)
            abort();
        if (call.route == SRV_API_DEVICE_UPDATE &&
            (call.role < SRV_ROLE_OPERATOR || !r.content_type || call.package[0] == '\0' ||
             strcmp(r.method, "POST") != 0))
            abort();
        if (call.route == SRV_API_TOKENS && call.role != SRV_ROLE_ADMIN)
            abort();
    }
    sink += status;

    struct srv_tokens parsed;
    int bad_line;
    if (srv_tokens_parse(r.body, r.body_len, &parsed, &bad_line) == 0) {
        sink += (unsigned)parsed.count;
        srv_tokens_free(&parsed);
    }
    free(buf);
    return 0;
}
