/* `larafw-server update` and `larafw-server devices`: REST clients over libcurl. */
#define _GNU_SOURCE
#include "srv_cli.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_json.h"
#include "srv_oma.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define POLL_MS        200

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    srv_buf_append(user, data, size * n);
    return size * n;
}

/* One request. Returns the HTTP status, or -1 when the server could not be reached (the
 * reason is printed). */
static long http(const char *method, const char *url, const char *body, struct srv_buf *out)
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
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
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

static struct srv_json_span span_of(const struct srv_buf *b)
{
    return (struct srv_json_span){b->data ? b->data : "", b->len};
}

static void get_str(const struct srv_buf *b, const char *key, char *out, size_t cap)
{
    if (srv_json_get_str(span_of(b), key, out, cap) != 0)
        out[0] = '\0';
}

static long long get_int(struct srv_json_span s, const char *key, long long dflt)
{
    long long v;
    return srv_json_get_int(s, key, &v) == 0 ? v : dflt;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void update_usage(FILE *f)
{
    fprintf(f,
            "usage: larafw-server update --imei IMEI --package FILE [--server URL] [--timeout S]\n"
            "\n"
            "Asks a running larafw-server to update one device over LwM2M (object 5) and\n"
            "follows the job until the device registers again on the package's target version.\n"
            "\n"
            "  --imei IMEI      the device (its IMEI, /3/0/2; an endpoint name works too)\n"
            "  --package FILE   a package file in the server's --packages directory\n"
            "                   (a path is reduced to its file name)\n"
            "  --server URL     the server's HTTP address (default " DEFAULT_SERVER ")\n"
            "  --timeout S      give up after S seconds (default 1800)\n"
            "\n"
            "Exit status: 0 updated; 1 update failed or refused (Update Result and its meaning\n"
            "are printed); 2 bad usage; 3 server unreachable or timeout.\n");
}

int srv_cli_update(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"imei", required_argument, NULL, 'i'},   {"package", required_argument, NULL, 'p'},
        {"server", required_argument, NULL, 's'}, {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *imei = NULL, *package = NULL, *server = DEFAULT_SERVER;
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
            server = optarg;
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
    const char *base = strrchr(package, '/');
    base = base ? base + 1 : package;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = EXIT_UNREACHABLE;
    struct srv_buf req = {0}, out = {0};
    char *escaped = curl_easy_escape(NULL, imei, 0);
    char url[1024];
    snprintf(url, sizeof url, "%s/api/devices/%s/update", server, escaped ? escaped : imei);
    curl_free(escaped);
    srv_buf_append(&req, "{", 1);
    srv_json_kv_str(&req, "package", base);
    srv_buf_append(&req, "}", 1);
    long code = http("POST", url, req.data, &out);
    if (code < 0)
        goto done;
    char msg[512];
    if (code != 201) {
        get_str(&out, "error", msg, sizeof msg);
        fprintf(stderr, "larafw-server update: the server refused (HTTP %ld): %s\n", code,
                msg[0] ? msg : "no reason given");
        status = code == 404 || code == 409 || code == 400 ? EXIT_FAILED : EXIT_UNREACHABLE;
        goto done;
    }
    long long id = get_int(span_of(&out), "id", -1);
    char target[128], state[32], last_state[32] = "";
    get_str(&out, "target_version", target, sizeof target);
    printf("job %lld: updating %s to %s with %s\n", id, imei, target, base);
    fflush(stdout);
    double deadline = now_s() + timeout;
    snprintf(url, sizeof url, "%s/api/jobs/%lld", server, id);
    for (;;) {
        out.len = 0;
        code = http("GET", url, NULL, &out);
        if (code < 0)
            goto done;
        if (code != 200) {
            fprintf(stderr, "larafw-server update: job %lld: HTTP %ld from the server\n", id, code);
            goto done;
        }
        get_str(&out, "state", state, sizeof state);
        get_str(&out, "message", msg, sizeof msg);
        if (strcmp(state, last_state) != 0) {
            printf("job %lld: %s: %s\n", id, state, msg);
            fflush(stdout);
            snprintf(last_state, sizeof last_state, "%s", state);
        }
        if (strcmp(state, "done") == 0) {
            status = EXIT_OK;
            goto done;
        }
        if (strcmp(state, "failed") == 0) {
            long long result = get_int(span_of(&out), "fw_result", -1);
            if (srv_oma_result_is_error((int)result))
                fprintf(stderr, "larafw-server update: failed: Update Result %lld: %s\n", result,
                        srv_oma_result_text((int)result));
            else
                fprintf(stderr, "larafw-server update: failed: %s\n", msg);
            status = EXIT_FAILED;
            goto done;
        }
        if (now_s() >= deadline) {
            fprintf(stderr,
                    "larafw-server update: job %lld still '%s' after %.0f s; it goes on "
                    "in the server: GET %s\n",
                    id, state, timeout, url);
            goto done;
        }
        struct timespec ts = {0, POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
done:
    srv_buf_free(&req);
    srv_buf_free(&out);
    curl_global_cleanup();
    return status;
}

static void devices_usage(FILE *f)
{
    fprintf(f, "usage: larafw-server devices [--server URL] [--json]\n"
               "\n"
               "Lists the devices a running larafw-server knows.\n"
               "  --server URL   the server's HTTP address (default " DEFAULT_SERVER ")\n"
               "  --json         print the API's JSON as it is\n"
               "Exit status: 0 listed; 2 bad usage; 3 server unreachable.\n");
}

int srv_cli_devices(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *server = DEFAULT_SERVER;
    bool json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            server = optarg;
            break;
        case 'j':
            json = true;
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
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct srv_buf out = {0};
    char url[1024];
    snprintf(url, sizeof url, "%s/api/devices", server);
    long code = http("GET", url, NULL, &out);
    int status = EXIT_UNREACHABLE;
    if (code == 200 && json) {
        fputs(out.data ? out.data : "[]\n", stdout);
        status = EXIT_OK;
    } else if (code == 200) {
        printf("%-16s %-20s %-18s %-16s %-10s %s\n", "IMEI", "ENDPOINT", "PRODUCT", "VERSION",
               "STATE", "FIRMWARE OBJECT");
        struct srv_json_span d;
        for (size_t i = 0; srv_json_element(span_of(&out), i, &d) == 0; i++) {
            char imei[64], ep[80], product[80], version[80], registered[8];
            if (srv_json_get_str(d, "imei", imei, sizeof imei) != 0)
                imei[0] = '\0';
            if (srv_json_get_str(d, "endpoint", ep, sizeof ep) != 0)
                ep[0] = '\0';
            if (srv_json_get_str(d, "product", product, sizeof product) != 0)
                product[0] = '\0';
            if (srv_json_get_str(d, "fw_version", version, sizeof version) != 0)
                version[0] = '\0';
            struct srv_json_span reg;
            snprintf(registered, sizeof registered, "%s",
                     srv_json_member(d, "registered", &reg) == 0 && reg.len == 4 ? "online"
                                                                                 : "offline");
            long long st = get_int(d, "fw_state", -1), res = get_int(d, "fw_result", -1);
            char fw[96] = "-";
            if (st >= 0 || res >= 0)
                snprintf(fw, sizeof fw, "%s, result %lld",
                         st >= 0 ? srv_oma_state_name((int)st) : "?", res);
            printf("%-16s %-20s %-18s %-16s %-10s %s\n", imei[0] ? imei : "-", ep,
                   product[0] ? product : "-", version[0] ? version : "-", registered, fw);
        }
        status = EXIT_OK;
    } else if (code > 0) {
        fprintf(stderr, "larafw-server devices: HTTP %ld from %s\n", code, url);
    }
    srv_buf_free(&out);
    curl_global_cleanup();
    return status;
}
