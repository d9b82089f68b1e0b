/* larafw-server: LwM2M server (CoAP, libcoap3), package download server and REST API
 * (HTTP, libmicrohttpd), device/job store (SQLite); and the client subcommands `update` and
 * `devices` (srv_cli.c).
 *
 * One thread, one event loop: libcoap's coap_io_process_with_fds() selects on its own
 * sockets plus libmicrohttpd's (external select mode), then MHD runs on what was ready and
 * the LwM2M side delivers answers and runs deferred work (srv_lwm2m_tick). No locks. */
#define _GNU_SOURCE
#include <coap3/coap.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>

#include "srv_addr.h"
#include "srv_cli.h"
#include "srv_http.h"
#include "srv_job.h"
#include "srv_json.h"
#include "srv_lwm2m.h"
#include "srv_psk.h"
#include "srv_store.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: larafw-server --packages DIR [--coap ADDR:PORT] [--http ADDR:PORT]\n"
        "                     [--psk-file FILE] [--db FILE] [--public-url URL]\n"
        "                     [--https ADDR:PORT --tls-cert FILE --tls-key FILE]\n"
        "                     [--write-format tlv|text] [--verbose] [--check-config]\n"
        "       larafw-server update --imei IMEI --package FILE [--server URL] [--timeout S]\n"
        "       larafw-server devices [--server URL] [--json]\n"
        "\n"
        "Runs an LwM2M 1.0 server (CoAP over UDP, or DTLS-PSK with --psk-file) for u-blox\n"
        "LARA-R6/L6 uFOTA, serves the packages of DIR over HTTP with Range, and offers a\n"
        "REST API on the HTTP address (docs/server.md).\n"
        "\n"
        "  --coap ADDR:PORT      CoAP address to bind (default 127.0.0.1:5683)\n"
        "  --http ADDR:PORT      HTTP address to bind: /packages/ and /api/\n"
        "                        (default 127.0.0.1:8080)\n"
        "  --packages DIR        directory of package files (larafw-pkg builds them)\n"
        "  --https ADDR:PORT     also serve HTTPS there (packages and API); Package URIs\n"
        "                        then use https://\n"
        "  --tls-cert FILE       certificate (PEM) for --https\n"
        "  --tls-key FILE        its private key (PEM)\n"
        "  --psk-file FILE       lines 'identity:hexkey'; the CoAP address then speaks DTLS\n"
        "  --db FILE             SQLite store of devices and jobs (default :memory:)\n"
        "  --public-url URL      base of Package URIs written to devices\n"
        "                        (default https://<--https address> or http://<--http address>)\n"
        "  --write-format F      payload of Write /5/0/1: tlv (default) or text\n"
        "  --verbose             libcoap debug messages on stderr\n"
        "  --check-config        check the options and files (packages, PSKs, TLS), print\n"
        "                        what would be served, and exit without listening\n"
        "  --help                this text\n"
        "  --version             print the version of larafw-server\n"
        "\n"
        "Prints 'ready coap://ADDR:PORT http://ADDR:PORT' on stdout once listening.\n"
        "Exit status: 0 after SIGINT/SIGTERM, 1 on a runtime error, 2 on bad usage.\n");
}

struct server_opts {
    const char *coap, *http, *packages, *psk_file, *db, *public_url;
    const char *https, *tls_cert, *tls_key;
    enum srv_write_format write_format;
    bool verbose;
    bool check_config;
};

static int parse_opts(int argc, char **argv, struct server_opts *o)
{
    static const struct option longopts[] = {
        {"coap", required_argument, NULL, 'c'},
        {"http", required_argument, NULL, 'h'},
        {"packages", required_argument, NULL, 'p'},
        {"psk-file", required_argument, NULL, 'k'},
        {"db", required_argument, NULL, 'd'},
        {"public-url", required_argument, NULL, 'u'},
        {"https", required_argument, NULL, 's'},
        {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'},
        {"write-format", required_argument, NULL, 'w'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'H'},
        {"check-config", no_argument, NULL, 'X'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct server_opts){.coap = "127.0.0.1:5683", .http = "127.0.0.1:8080", .db = ":memory:"};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->coap = optarg;
            break;
        case 'h':
            o->http = optarg;
            break;
        case 'p':
            o->packages = optarg;
            break;
        case 'k':
            o->psk_file = optarg;
            break;
        case 'd':
            o->db = optarg;
            break;
        case 'u':
            o->public_url = optarg;
            break;
        case 's':
            o->https = optarg;
            break;
        case 'C':
            o->tls_cert = optarg;
            break;
        case 'K':
            o->tls_key = optarg;
            break;
        case 'w':
            if (strcmp(optarg, "tlv") == 0)
                o->write_format = SRV_WRITE_TLV;
            else if (strcmp(optarg, "text") == 0)
                o->write_format = SRV_WRITE_TEXT;
            else {
                fprintf(stderr, "larafw-server: --write-format takes tlv or text\n");
                return 2;
            }
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'H':
            usage(stdout);
            return 0;
        case 'X':
            o->check_config = true;
            break;
        case 'V':
            printf("larafw-server %s\n", LARAFW_VERSION);
            return 0;
        default:
            fprintf(stderr, "larafw-server: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "larafw-server: unexpected argument '%s'; see --help\n", argv[optind]);
        return 2;
    }
    if (o->https && (!o->tls_cert || !o->tls_key)) {
        fprintf(stderr, "larafw-server: --https needs --tls-cert FILE and --tls-key FILE (PEM)\n");
        return 2;
    }
    if (!o->packages) {
        fprintf(stderr, "larafw-server: --packages DIR is required (the directory of package "
                        "files to serve)\n");
        return 2;
    }
    return -1;
}

/* Hooks from the LwM2M side into the job engine. `user` points at the job engine pointer,
 * which is NULL until the engine exists (the LwM2M side is created first). */
static void hook_registered(void *user, const char *endpoint, bool fresh)
{
    struct srv_jobs *jobs = *(struct srv_jobs **)user;
    if (jobs)
        srv_jobs_on_registered(jobs, endpoint, fresh);
}

static void hook_deregistered(void *user, const char *endpoint)
{
    struct srv_jobs *jobs = *(struct srv_jobs **)user;
    if (jobs)
        srv_jobs_on_deregistered(jobs, endpoint);
}

/* One select() over libcoap's epoll descriptor (its sockets and its timer) and MHD's
 * sockets, then both libraries process without blocking. Without epoll support in libcoap,
 * coap_io_process_with_fds() does the select instead. */
static int run_loop(struct srv_lwm2m *lwm2m, struct srv_http *http, struct srv_http *https)
{
    coap_context_t *ctx = srv_lwm2m_context(lwm2m);
    int coap_fd = coap_context_get_coap_fd(ctx);
    while (!stop_requested) {
        fd_set rs, ws, es;
        FD_ZERO(&rs);
        FD_ZERO(&ws);
        FD_ZERO(&es);
        int maxfd = -1;
        uint32_t timeout = 1000; /* the lifetime check runs at least once a second */
        srv_http_fdset(http, &rs, &ws, &es, &maxfd, &timeout);
        if (https)
            srv_http_fdset(https, &rs, &ws, &es, &maxfd, &timeout);
        int n;
        if (coap_fd >= 0) {
            FD_SET(coap_fd, &rs);
            if (coap_fd > maxfd)
                maxfd = coap_fd;
            struct timeval tv = {timeout / 1000, (timeout % 1000) * 1000};
            n = select(maxfd + 1, &rs, &ws, &es, &tv);
            if (n >= 0 && coap_io_process(ctx, COAP_IO_NO_WAIT) < 0)
                n = -1;
        } else {
            /* 0 means "wait forever" to libcoap */
            n = coap_io_process_with_fds(ctx, timeout ? timeout : COAP_IO_NO_WAIT, maxfd + 1, &rs,
                                         &ws, &es);
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "larafw-server: I/O loop failed: %s\n", strerror(errno));
            return 1;
        }
        srv_http_run(http, &rs, &ws, &es);
        if (https)
            srv_http_run(https, &rs, &ws, &es);
        srv_lwm2m_tick(lwm2m, time(NULL));
    }
    return 0;
}

/* Whole file as a NUL-terminated string (PEM for libmicrohttpd), NULL on error. */
static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct srv_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        srv_buf_append(&b, chunk, n);
    bool bad = ferror(f) || b.failed || b.len == 0;
    fclose(f);
    if (bad) {
        srv_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int run_server(int argc, char **argv)
{
    struct server_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct stat st;
    if (stat(o.packages, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "larafw-server: --packages %s is not a directory; create it and put "
                "packages there (larafw-pkg delta …)\n",
                o.packages);
        return 2;
    }
    struct srv_addr coap_addr, http_addr;
    if (srv_addr_parse(o.coap, SOCK_DGRAM, &coap_addr) != 0) {
        fprintf(stderr, "larafw-server: --coap %s: expected ADDR:PORT, e.g. 127.0.0.1:5683\n",
                o.coap);
        return 2;
    }
    if (srv_addr_parse(o.http, SOCK_STREAM, &http_addr) != 0) {
        fprintf(stderr, "larafw-server: --http %s: expected ADDR:PORT, e.g. 127.0.0.1:8080\n",
                o.http);
        return 2;
    }
    struct srv_addr https_addr;
    if (o.https && srv_addr_parse(o.https, SOCK_STREAM, &https_addr) != 0) {
        fprintf(stderr, "larafw-server: --https %s: expected ADDR:PORT, e.g. 127.0.0.1:8443\n",
                o.https);
        return 2;
    }
    struct srv_psk_table psk = {0};
    if (o.psk_file) {
        int bad_line = 0;
        rc = srv_psk_load(o.psk_file, &psk, &bad_line);
        if (rc != 0) {
            if (rc == SRV_E_PARSE)
                fprintf(stderr, "larafw-server: %s line %d: expected 'identity:hexkey'\n",
                        o.psk_file, bad_line);
            else
                fprintf(stderr, "larafw-server: cannot read --psk-file %s: %s\n", o.psk_file,
                        strerror(errno));
            return 2;
        }
        if (psk.count == 0) {
            fprintf(stderr, "larafw-server: --psk-file %s holds no 'identity:hexkey' line\n",
                    o.psk_file);
            return 2;
        }
    }
    char base_url[512];
    char http_text[300], https_text[300] = "";
    srv_addr_format((const struct sockaddr *)&http_addr.ss, http_text, sizeof http_text);
    if (o.https)
        srv_addr_format((const struct sockaddr *)&https_addr.ss, https_text, sizeof https_text);
    if (o.public_url) {
        size_t n = strlen(o.public_url);
        while (n && o.public_url[n - 1] == '/')
            n--;
        snprintf(base_url, sizeof base_url, "%.*s/packages/", (int)n, o.public_url);
    } else if (o.https) {
        snprintf(base_url, sizeof base_url, "https://%s/packages/", https_text);
    } else {
        snprintf(base_url, sizeof base_url, "http://%s/packages/", http_text);
    }
    char *cert_pem = NULL, *key_pem = NULL;
    if (o.https) {
        cert_pem = read_text_file(o.tls_cert);
        key_pem = read_text_file(o.tls_key);
        if (!cert_pem || !key_pem) {
            fprintf(stderr,
                    "larafw-server: cannot read %s; give PEM files to --tls-cert and "
                    "--tls-key\n",
                    cert_pem ? o.tls_key : o.tls_cert);
            free(cert_pem);
            free(key_pem);
            srv_psk_free(&psk);
            return 2;
        }
    }
    if (o.check_config) {
        /* for service managers (ExecStartPre=, packaging tests): nothing is bound */
        printf("larafw-server: configuration OK: packages %s, CoAP %s%s, HTTP %s%s%s, "
               "Package URIs %s\n",
               o.packages, o.coap, o.psk_file ? " (DTLS-PSK)" : "", o.http,
               o.https ? ", HTTPS " : "", o.https ? o.https : "", base_url);
        free(cert_pem);
        free(key_pem);
        srv_psk_free(&psk);
        return 0;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: select() returns on a signal */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    coap_startup();
    coap_set_log_level(o.verbose ? LOG_DEBUG : LOG_ERR);
    struct srv_store *store = NULL;
    struct srv_lwm2m *lwm2m = NULL;
    struct srv_jobs *jobs = NULL;
    struct srv_http *http = NULL, *https = NULL;
    int status = 1;
    if (srv_store_sqlite_open(o.db, &store) != 0)
        goto out;
    static const struct srv_lwm2m_hooks hooks = {hook_registered, hook_deregistered};
    struct srv_lwm2m_config lc = {
        .coap = &coap_addr,
        .psk = o.psk_file ? &psk : NULL,
        .store = store,
        .write_format = o.write_format,
        .hooks = &hooks,
        .hooks_user = &jobs,
    };
    rc = srv_lwm2m_new(&lc, &lwm2m);
    if (rc != 0) {
        fprintf(stderr,
                "larafw-server: cannot listen on CoAP %s: %s; is another server using "
                "it, or is the address not local?\n",
                o.coap, srv_strerror(rc));
        goto out;
    }
    struct srv_jobs_config jc = {store, lwm2m, o.packages, base_url};
    if (srv_jobs_new(&jc, &jobs) != 0) {
        fprintf(stderr, "larafw-server: cannot load the jobs of %s; see the message above\n", o.db);
        goto out;
    }
    struct srv_http_config hc = {&http_addr, o.packages, store, jobs, lwm2m, NULL, NULL};
    if (srv_http_new(&hc, &http) != 0) {
        fprintf(stderr, "larafw-server: cannot listen on HTTP %s; is the port in use?\n", o.http);
        goto out;
    }
    if (o.https) {
        struct srv_http_config tc = hc;
        tc.addr = &https_addr;
        tc.tls_cert_pem = cert_pem;
        tc.tls_key_pem = key_pem;
        if (srv_http_new(&tc, &https) != 0) {
            fprintf(stderr,
                    "larafw-server: cannot serve HTTPS on %s; is the port in use, and "
                    "do --tls-cert and --tls-key match?\n",
                    o.https);
            goto out;
        }
    }
    char coap_text[300];
    srv_addr_format((const struct sockaddr *)&coap_addr.ss, coap_text, sizeof coap_text);
    printf("ready %s://%s http://%s%s%s\n", o.psk_file ? "coaps" : "coap", coap_text, http_text,
           o.https ? " https://" : "", https_text);
    fflush(stdout);
    status = run_loop(lwm2m, http, https);
out:
    srv_http_free(https);
    srv_http_free(http);
    srv_lwm2m_free(lwm2m); /* before the jobs: no hook may reach a freed engine */
    srv_jobs_free(jobs);
    srv_store_close(store);
    srv_psk_free(&psk);
    free(cert_pem);
    free(key_pem);
    coap_cleanup();
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "update") == 0)
        return srv_cli_update(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "devices") == 0)
        return srv_cli_devices(argc - 1, argv + 1);
    return run_server(argc, argv);
}
