/* `larafw-server update` and `larafw-server devices`: REST clients over libcurl; answers
 * parsed with jansson. The bearer token comes from --token-file, $LARAFW_SERVER_TOKEN or the
 * admin-token file a server without --tokens made at its first start (srv_token_cmd.h). */
#define _GNU_SOURCE
#include "srv_cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_buf.h"
#include "srv_oma.h"
#include "srv_secret.h"
#include "srv_token_cmd.h"

#define DEFAULT_SERVER "http://127.0.0.1:8081"
#define POLL_MS        200

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    srv_buf_append(user, data, size * n);
    return size * n;
}

/* How to talk to the server: its API URL, a bearer token, a CA file for https. */
struct client {
    const char *server;
    const char *ca_file;
    char auth[320]; /* "Authorization: Bearer …" or "" */
};

/* The token from --token-file, $LARAFW_SERVER_TOKEN or the default admin-token file (a
 * missing default file is fine: the server then answers 401 and we say what to do). Returns
 * 0 or EXIT_USAGE with a message. */
static int client_token(struct client *cl, const char *token_file, const char *cmd)
{
    char path[4096], unused[4096];
    const char *env = getenv("LARAFW_SERVER_TOKEN");
    const char *token = NULL;
    char *text = NULL;
    size_t len = 0;
    if (!token_file && env && env[0]) {
        token = env;
        len = strlen(env);
    } else {
        bool explicit = token_file != NULL;
        if (!explicit && srv_token_paths(NULL, unused, path, sizeof path) == 0)
            token_file = path;
        if (!token_file)
            return 0;
        int rc = srv_secret_read(token_file, &text, &len);
        if (rc == SRV_E_PERM) {
            fprintf(stderr,
                    "larafw-server %s: %s is readable or writable by others: chmod 600 %s\n", cmd,
                    token_file, token_file);
            return EXIT_USAGE;
        }
        if (rc != 0) {
            if (!explicit && errno == ENOENT)
                return 0;
            fprintf(stderr, "larafw-server %s: cannot read the token file %s: %s\n", cmd,
                    token_file, strerror(errno));
            return EXIT_USAGE;
        }
        token = text;
    }
    while (len && (token[len - 1] == '\n' || token[len - 1] == '\r' || token[len - 1] == ' '))
        len--;
    bool one_line = !memchr(token, '\n', len) && !memchr(token, '\r', len);
    int n = snprintf(cl->auth, sizeof cl->auth, "Authorization: Bearer %.*s", (int)len, token);
    if (text) {
        sodium_memzero(text, len);
        free(text);
    }
    if (len == 0 || n < 0 || (size_t)n >= sizeof cl->auth || !one_line) {
        fprintf(stderr, "larafw-server %s: the token is empty or not one line\n", cmd);
        cl->auth[0] = '\0';
        return EXIT_USAGE;
    }
    return 0;
}

/* What to say when the server refuses the token. */
static void auth_hint(long code, const char *cmd)
{
    if (code == 401)
        fprintf(stderr,
                "larafw-server %s: the server wants a valid API token: give --token-file FILE "
                "or set LARAFW_SERVER_TOKEN (a server without --tokens printed where its admin "
                "token is)\n",
                cmd);
    else if (code == 403)
        fprintf(stderr, "larafw-server %s: this token's role may not do this (HTTP 403)\n", cmd);
}

/* One request. Returns the HTTP status, or -1 when the server could not be reached (the
 * reason is printed). */
static long http(const struct client *cl, const char *method, const char *url, const char *body,
                 struct srv_buf *out)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (cl->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, cl->ca_file);
    if (cl->auth[0])
        headers = curl_slist_append(headers, cl->auth);
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(c);
    long status = -1;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr,
                "larafw-server: cannot reach %s: %s; is larafw-server running there? "
                "(--server URL)\n",
                url, err[0] ? err : curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return status;
}

/* The body as JSON (NULL when it is not). */
static json_t *parse(const struct srv_buf *b)
{
    return b->data ? json_loadb(b->data, b->len, 0, NULL) : NULL;
}

static void get_str(const json_t *o, const char *key, char *out, size_t cap)
{
    const char *v = json_string_value(json_object_get(o, key));
    snprintf(out, cap, "%s", v ? v : "");
}

static long long get_int(const json_t *o, const char *key, long long dflt)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char client_options_help[] =
    "  --server URL     the server's API address (default " DEFAULT_SERVER ", its --api)\n"
    "  --token-file F   file holding the API token (default: $LARAFW_SERVER_TOKEN, else\n"
    "                   $XDG_STATE_HOME/larafw-server/admin-token, which a server started\n"
    "                   without --tokens and --db creates)\n"
    "  --ca-file F      CA certificate (PEM) to check an https:// server with\n";

static void update_usage(FILE *f)
{
    fprintf(f,
            "usage: larafw-server update --imei IMEI --package FILE [--server URL] [--timeout S]\n"
            "                            [--token-file F] [--ca-file F]\n"
            "\n"
            "Asks a running larafw-server to update one device over LwM2M (object 5) and\n"
            "follows the job until the device registers again on the package's target version.\n"
            "Needs a token with role operator or admin.\n"
            "\n"
            "  --imei IMEI      the device (its IMEI, /3/0/2; an endpoint name works too)\n"
            "  --package FILE   a package file in the server's --packages directory\n"
            "                   (a path is reduced to its file name)\n"
            "  --timeout S      give up after S seconds (default 1800)\n"
            "%s"
            "\n"
            "Exit status: 0 updated; 1 update failed or refused (Update Result and its meaning\n"
            "are printed); 2 bad usage; 3 server unreachable or timeout.\n",
            client_options_help);
}

/* Follows job `id` until it ends. Returns the exit status. */
static int follow_job(const struct client *cl, long long id, double timeout)
{
    char url[1024], state[32], last_state[32] = "", msg[512];
    snprintf(url, sizeof url, "%s/api/jobs/%lld", cl->server, id);
    double deadline = now_s() + timeout;
    struct srv_buf out = {0};
    int status = EXIT_UNREACHABLE;
    for (;;) {
        out.len = 0;
        long code = http(cl, "GET", url, NULL, &out);
        if (code < 0)
            break;
        if (code != 200) {
            auth_hint(code, "update");
            fprintf(stderr, "larafw-server update: job %lld: HTTP %ld from the server\n", id, code);
            break;
        }
        json_t *job = parse(&out);
        get_str(job, "state", state, sizeof state);
        get_str(job, "message", msg, sizeof msg);
        long long result = get_int(job, "fw_result", -1);
        json_decref(job);
        if (strcmp(state, last_state) != 0) {
            printf("job %lld: %s: %s\n", id, state, msg);
            fflush(stdout);
            snprintf(last_state, sizeof last_state, "%s", state);
        }
        if (strcmp(state, "done") == 0) {
            status = EXIT_OK;
            break;
        }
        if (strcmp(state, "failed") == 0) {
            if (srv_oma_result_is_error((int)result))
                fprintf(stderr, "larafw-server update: failed: Update Result %lld: %s\n", result,
                        srv_oma_result_text((int)result));
            else
                fprintf(stderr, "larafw-server update: failed: %s\n", msg);
            status = EXIT_FAILED;
            break;
        }
        if (now_s() >= deadline) {
            fprintf(stderr,
                    "larafw-server update: job %lld still '%s' after %.0f s; it goes on "
                    "in the server: GET %s\n",
                    id, state, timeout, url);
            break;
        }
        struct timespec ts = {0, POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    srv_buf_free(&out);
    return status;
}

int srv_cli_update(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"imei", required_argument, NULL, 'i'},
        {"package", required_argument, NULL, 'p'},
        {"server", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"token-file", required_argument, NULL, 'T'},
        {"ca-file", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *imei = NULL, *package = NULL, *token_file = NULL;
    struct client cl = {.server = DEFAULT_SERVER};
    double timeout = 1800;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            imei = optarg;
            break;
        case 'p':
            package = optarg;
            break;
        case 's':
            cl.server = optarg;
            break;
        case 'T':
            token_file = optarg;
            break;
        case 'C':
            cl.ca_file = optarg;
            break;
        case 't': {
            char *end;
            timeout = strtod(optarg, &end);
            if (*end || timeout <= 0) {
                fprintf(stderr, "larafw-server update: --timeout takes seconds > 0\n");
                return EXIT_USAGE;
            }
            break;
        }
        case 'h':
            update_usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr,
                    "larafw-server update: unknown or incomplete option '%s'; see "
                    "--help\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!imei || !package || optind < argc) {
        fprintf(stderr, "larafw-server update: --imei IMEI and --package FILE are required; "
                        "see --help\n");
        return EXIT_USAGE;
    }
    if (client_token(&cl, token_file, "update") != 0)
        return EXIT_USAGE;
    const char *base = strrchr(package, '/');
    base = base ? base + 1 : package;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = EXIT_UNREACHABLE;
    struct srv_buf out = {0};
    char *escaped = curl_easy_escape(NULL, imei, 0);
    char url[1024];
    snprintf(url, sizeof url, "%s/api/devices/%s/update", cl.server, escaped ? escaped : imei);
    curl_free(escaped);
    json_t *req = json_pack("{s:s}", "package", base);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        fprintf(stderr, "larafw-server update: --package must be UTF-8 text\n");
        curl_global_cleanup();
        return EXIT_USAGE;
    }
    long code = http(&cl, "POST", url, body, &out);
    free(body);
    json_t *job = code < 0 ? NULL : parse(&out);
    if (code >= 0 && code != 201) {
        char msg[512];
        get_str(job, "error", msg, sizeof msg);
        auth_hint(code, "update");
        fprintf(stderr, "larafw-server update: the server refused (HTTP %ld): %s\n", code,
                msg[0] ? msg : "no reason given");
        status = code == 404 || code == 409 || code == 400 || code == 401 || code == 403
                     ? EXIT_FAILED
                     : EXIT_UNREACHABLE;
    } else if (code == 201) {
        long long id = get_int(job, "id", -1);
        char target[128];
        get_str(job, "target_version", target, sizeof target);
        printf("job %lld: updating %s to %s with %s\n", id, imei, target, base);
        fflush(stdout);
        status = follow_job(&cl, id, timeout);
    }
    json_decref(job);
    srv_buf_free(&out);
    curl_global_cleanup();
    return status;
}

static void devices_usage(FILE *f)
{
    fprintf(f,
            "usage: larafw-server devices [--server URL] [--json] [--token-file F] [--ca-file F]\n"
            "\n"
            "Lists the devices a running larafw-server knows (any token role).\n"
            "  --json           print the API's JSON as it is\n"
            "%s"
            "Exit status: 0 listed; 1 token refused; 2 bad usage; 3 server unreachable.\n",
            client_options_help);
}

static void print_devices(const json_t *list)
{
    printf("%-16s %-20s %-18s %-16s %-10s %s\n", "IMEI", "ENDPOINT", "PRODUCT", "VERSION", "STATE",
           "FIRMWARE OBJECT");
    size_t i;
    const json_t *d;
    json_array_foreach(list, i, d)
    {
        char imei[64], ep[80], product[80], version[80];
        get_str(d, "imei", imei, sizeof imei);
        get_str(d, "endpoint", ep, sizeof ep);
        get_str(d, "product", product, sizeof product);
        get_str(d, "fw_version", version, sizeof version);
        long long st = get_int(d, "fw_state", -1), res = get_int(d, "fw_result", -1);
        char fw[96] = "-";
        if (st >= 0 || res >= 0)
            snprintf(fw, sizeof fw, "%s, result %lld", st >= 0 ? srv_oma_state_name((int)st) : "?",
                     res);
        printf("%-16s %-20s %-18s %-16s %-10s %s\n", imei[0] ? imei : "-", ep,
               product[0] ? product : "-", version[0] ? version : "-",
               json_is_true(json_object_get(d, "registered")) ? "online" : "offline", fw);
    }
}

int srv_cli_devices(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"token-file", required_argument, NULL, 'T'},
        {"ca-file", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct client cl = {.server = DEFAULT_SERVER};
    const char *token_file = NULL;
    bool json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            cl.server = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'T':
            token_file = optarg;
            break;
        case 'C':
            cl.ca_file = optarg;
            break;
        case 'h':
            devices_usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr,
                    "larafw-server devices: unknown or incomplete option '%s'; see "
                    "--help\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "larafw-server devices: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (client_token(&cl, token_file, "devices") != 0)
        return EXIT_USAGE;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct srv_buf out = {0};
    char url[1024];
    snprintf(url, sizeof url, "%s/api/devices", cl.server);
    long code = http(&cl, "GET", url, NULL, &out);
    int status = EXIT_UNREACHABLE;
    json_t *list = code == 200 ? parse(&out) : NULL;
    if (code == 200 && json) {
        fputs(out.data ? out.data : "[]\n", stdout);
        status = EXIT_OK;
    } else if (code == 200 && json_is_array(list)) {
        print_devices(list);
        status = EXIT_OK;
    } else if (code > 0) {
        auth_hint(code, "devices");
        fprintf(stderr, "larafw-server devices: HTTP %ld from %s\n", code, url);
        if (code == 401 || code == 403)
            status = EXIT_FAILED;
    }
    json_decref(list);
    srv_buf_free(&out);
    curl_global_cleanup();
    return status;
}
