/* larafw-server: LwM2M server (CoAP, libcoap3), package download server and REST API
 * (HTTP, libmicrohttpd), device/job store (SQLite); and the client subcommands `update` and
 * `devices` (srv_cli.c).
 *
 * One thread, one event loop: poll() on libcoap's epoll descriptor and on each
 * libmicrohttpd daemon's (external epoll mode), then both libraries run without blocking and
 * the LwM2M side delivers answers and runs deferred work (srv_lwm2m_tick). No locks, and no
 * select(): connections are bounded by the descriptor limit, which the server raises. */
#define _GNU_SOURCE
#include <coap3/coap.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>

#include "srv_addr.h"
#include "srv_cli.h"
#include "srv_http.h"
#include "srv_buf.h"
#include "srv_job.h"
#include "srv_lwm2m.h"
#include "srv_psk.h"
#include "srv_store.h"
#include "srv_token.h"
#include "srv_token_cmd.h"

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
        "                     [--api ADDR:PORT [--api-tls]] [--tokens FILE] [--api-host NAME]\n"
        "                     [--psk-file FILE] [--db FILE] [--public-url URL]\n"
        "                     [--https ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
        "                     [--write-format tlv|text] [--verbose]\n"
        "                     [--max-devices N] [--max-lifetime S] [--reg-rate N]\n"
        "                     [--download-timeout S] [--install-timeout S]\n"
        "                     [--reregister-timeout S] [--check-config]\n"
        "       larafw-server update --imei IMEI --package FILE [--server URL] [--timeout S]\n"
        "       larafw-server devices [--server URL] [--json]\n"
        "       larafw-server token add NAME ROLE | remove NAME | list [--tokens FILE]\n"
        "\n"
        "Runs an LwM2M 1.0 server (CoAP over UDP, or DTLS-PSK with --psk-file) for u-blox\n"
        "LARA-R6/L6 uFOTA, serves the packages of DIR over HTTP with Range, and offers a\n"
        "REST API with bearer tokens on its own address (docs/server.md).\n"
        "\n"
        "  --coap ADDR:PORT      CoAP address to bind (default 127.0.0.1:5683)\n"
        "  --http ADDR:PORT      HTTP address for package downloads, /packages/\n"
        "                        (default 127.0.0.1:8080; a wildcard needs --public-url)\n"
        "  --api ADDR:PORT       REST API address, /api/ (default 127.0.0.1:8081)\n"
        "  --api-tls             the API speaks HTTPS (--tls-cert, --tls-key)\n"
        "  --tokens FILE         API tokens (name:role:hash lines, mode 0600; see\n"
        "                        `larafw-server token`). Default: a file beside the store,\n"
        "                        with an admin token made at the first start\n"
        "  --api-host NAME       a host name the API answers to besides IP addresses and\n"
        "                        localhost (repeatable; e.g. behind a TLS proxy)\n"
        "  --packages DIR        directory of package files (larafw-pkg builds them)\n"
        "  --https ADDR:PORT     also serve packages over HTTPS there; Package URIs then\n"
        "                        use https://\n"
        "  --tls-cert FILE       certificate (PEM) for --https and --api-tls\n"
        "  --tls-key FILE        its private key (PEM)\n"
        "  --psk-file FILE       DTLS-PSK credentials, mode 0600, lines 'identity:hexkey'\n"
        "                        or 'identity:hexkey:ENDPOINT' or 'identity:hexkey:imei=IMEI'\n"
        "                        (an identity registers only its endpoint; two columns: the\n"
        "                        endpoint named like the identity); CoAP then speaks DTLS\n"
        "  --db FILE             SQLite store of devices and jobs (default :memory:)\n"
        "  --public-url URL      base of Package URIs written to devices\n"
        "                        (default https://<--https address> or http://<--http address>)\n"
        "  --write-format F      payload of Write /5/0/1: tlv (default) or text\n"
        "  --verbose             libcoap debug messages on stderr\n"
        "  --max-devices N       live registrations at most (default 100000); more get 5.03\n"
        "  --max-lifetime S      a longer registration lifetime is cut to S (default 86400)\n"
        "  --reg-rate N          NoSec registrations per second per source address\n"
        "                        (default 1000; 0 = no limit); more get 5.03\n"
        "  --download-timeout S  job phase limits: until State Downloaded (default 3600),\n"
        "  --install-timeout S   from Execute until registered again (default 1800),\n"
        "  --reregister-timeout S  to come back after leaving mid-download, and to verify\n"
        "                        the version (default 600); the job then fails\n"
        "  --check-config        check the options and files (packages, PSKs, TLS), print\n"
        "                        what would be served, and exit without listening\n"
        "  --help                this text\n"
        "  --version             print the version of larafw-server\n"
        "\n"
        "Prints 'ready coap://ADDR:PORT http://ADDR:PORT [https://ADDR:PORT] api=URL' on\n"
        "stdout once listening.\n"
        "Exit status: 0 after SIGINT/SIGTERM, 1 on a runtime error, 2 on bad usage.\n");
}

#define API_HOSTS_MAX 16

struct server_opts {
    const char *coap, *http, *packages, *psk_file, *db, *public_url;
    const char *https, *tls_cert, *tls_key;
    const char *api, *tokens, *api_hosts[API_HOSTS_MAX];
    size_t api_host_count;
    bool api_tls;
    enum srv_write_format write_format;
    bool verbose;
    long max_devices, max_lifetime, reg_rate;
    bool reg_rate_set;
    long download_timeout, install_timeout, reregister_timeout;
    bool check_config;
};

/* A whole number in [min, max] for option `name`; false (and a message) otherwise. */
static bool opt_long(const char *name, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "larafw-server: %s takes a whole number from %ld to %ld\n", name, min, max);
        return false;
    }
    *out = v;
    return true;
}

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
        {"api", required_argument, NULL, 'a'},
        {"api-tls", no_argument, NULL, 'T'},
        {"tokens", required_argument, NULL, 't'},
        {"api-host", required_argument, NULL, 'A'},
        {"max-devices", required_argument, NULL, 'M'},
        {"max-lifetime", required_argument, NULL, 'L'},
        {"reg-rate", required_argument, NULL, 'R'},
        {"download-timeout", required_argument, NULL, 'D'},
        {"install-timeout", required_argument, NULL, 'I'},
        {"reregister-timeout", required_argument, NULL, 'G'},
        {"help", no_argument, NULL, 'H'},
        {"check-config", no_argument, NULL, 'X'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct server_opts){.coap = "127.0.0.1:5683",
                              .http = "127.0.0.1:8080",
                              .api = "127.0.0.1:8081",
                              .db = ":memory:"};
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
        case 'a':
            o->api = optarg;
            break;
        case 'T':
            o->api_tls = true;
            break;
        case 't':
            o->tokens = optarg;
            break;
        case 'A':
            if (o->api_host_count == API_HOSTS_MAX) {
                fprintf(stderr, "larafw-server: at most %d --api-host names\n", API_HOSTS_MAX);
                return 2;
            }
            o->api_hosts[o->api_host_count++] = optarg;
            break;
        case 'M':
            if (!opt_long("--max-devices", optarg, 1, 100000000, &o->max_devices))
                return 2;
            break;
        case 'L':
            if (!opt_long("--max-lifetime", optarg, 1, 100000000, &o->max_lifetime))
                return 2;
            break;
        case 'R':
            if (!opt_long("--reg-rate", optarg, 0, 100000000, &o->reg_rate))
                return 2;
            o->reg_rate_set = true;
            break;
        case 'D':
            if (!opt_long("--download-timeout", optarg, 1, 100000000, &o->download_timeout))
                return 2;
            break;
        case 'I':
            if (!opt_long("--install-timeout", optarg, 1, 100000000, &o->install_timeout))
                return 2;
            break;
        case 'G':
            if (!opt_long("--reregister-timeout", optarg, 1, 100000000, &o->reregister_timeout))
                return 2;
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
    if ((o->https || o->api_tls) && (!o->tls_cert || !o->tls_key)) {
        fprintf(stderr, "larafw-server: %s needs --tls-cert FILE and --tls-key FILE (PEM)\n",
                o->https ? "--https" : "--api-tls");
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

#define HTTP_DAEMONS_MAX 3 /* --http, --https, --api */

/* One poll() over libcoap's epoll descriptor (its sockets and its timer) and each
 * libmicrohttpd daemon's epoll descriptor, then every library processes without blocking. */
static int run_loop(struct srv_lwm2m *lwm2m, struct srv_jobs *jobs, struct srv_http *const *http,
                    size_t n_http)
{
    coap_context_t *ctx = srv_lwm2m_context(lwm2m);
    int coap_fd = coap_context_get_coap_fd(ctx);
    if (coap_fd < 0) {
        fprintf(stderr, "larafw-server: this libcoap was built without epoll support\n");
        return 1;
    }
    while (!stop_requested) {
        struct pollfd pfd[1 + HTTP_DAEMONS_MAX];
        int timeout = 1000; /* the lifetime check runs at least once a second */
        pfd[0] = (struct pollfd){.fd = coap_fd, .events = POLLIN};
        for (size_t i = 0; i < n_http; i++) {
            pfd[1 + i] = (struct pollfd){.fd = srv_http_fd(http[i]), .events = POLLIN};
            srv_http_timeout(http[i], &timeout);
        }
        if (poll(pfd, 1 + n_http, timeout) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "larafw-server: I/O loop failed: %s\n", strerror(errno));
            return 1;
        }
        if (coap_io_process(ctx, COAP_IO_NO_WAIT) < 0) {
            fprintf(stderr, "larafw-server: CoAP I/O failed\n");
            return 1;
        }
        for (size_t i = 0; i < n_http; i++)
            srv_http_run(http[i]);
        srv_lwm2m_tick(lwm2m, time(NULL));
        if (jobs)
            srv_jobs_tick(jobs, time(NULL));
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

static bool addr_is_wildcard(const struct srv_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
    return a->ss.ss_family == AF_INET6 &&
           IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static bool addr_is_loopback(const struct srv_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr) >> 24) == 127;
    return a->ss.ss_family == AF_INET6 &&
           IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

/* Soft descriptor limit up to the hard one: every idle HTTP connection holds a descriptor.
 * Returns the limit now in force. */
static rlim_t raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur;
}

/* --tokens FILE, or the file beside the store (made at the first start). Returns 0 or 2. */
static int load_tokens(const struct server_opts *o, struct srv_tokens *t, char *path, size_t cap)
{
    if (o->tokens)
        snprintf(path, cap, "%s", o->tokens);
    else if (srv_tokens_first_start(o->db, path, cap) != 0)
        return 2;
    int bad_line = 0;
    int rc = srv_tokens_load(path, t, &bad_line);
    if (rc == SRV_E_PERM)
        fprintf(stderr, "larafw-server: %s is readable or writable by others: chmod 600 %s\n", path,
                path);
    else if (rc == SRV_E_PARSE)
        fprintf(stderr,
                "larafw-server: %s line %d: expected name:role:hash (larafw-server token "
                "add writes them)\n",
                path, bad_line);
    else if (rc == SRV_E_IO && errno == ENOENT)
        fprintf(stderr,
                "larafw-server: --tokens %s does not exist; create it with "
                "`larafw-server token add NAME admin --tokens %s`\n",
                path, path);
    else if (rc != 0)
        fprintf(stderr, "larafw-server: cannot read %s: %s\n", path, strerror(errno));
    else if (t->count == 0)
        fprintf(stderr,
                "larafw-server: warning: %s holds no token; every API request gets 401 "
                "(larafw-server token add NAME ROLE)\n",
                path);
    return rc == 0 ? 0 : 2;
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
    struct srv_addr api_addr;
    if (srv_addr_parse(o.api, SOCK_STREAM, &api_addr) != 0) {
        fprintf(stderr, "larafw-server: --api %s: expected ADDR:PORT, e.g. 127.0.0.1:8081\n",
                o.api);
        return 2;
    }
    if (!o.psk_file && !addr_is_loopback(&coap_addr))
        fprintf(stderr,
                "larafw-server: warning: CoAP on %s without --psk-file (NoSec): any host that "
                "reaches it can register as any device; use --psk-file for DTLS-PSK\n",
                o.coap);
    if (!o.api_tls && !addr_is_loopback(&api_addr))
        fprintf(stderr,
                "larafw-server: warning: the API on %s is plain HTTP: tokens cross the "
                "network in clear; use --api-tls or a TLS proxy in front (docs/server.md)\n",
                o.api);
    /* Package URIs are built from the download address unless --public-url is given */
    const struct srv_addr *uri_addr = o.https ? &https_addr : &http_addr;
    if (!o.public_url && addr_is_wildcard(uri_addr)) {
        fprintf(stderr,
                "larafw-server: %s %s binds every address, so devices would be sent Package "
                "URIs with %s in them, which they cannot reach; give --public-url "
                "%s://<address the modules reach>:%u\n",
                o.https ? "--https" : "--http", o.https ? o.https : o.http, uri_addr->host,
                o.https ? "https" : "http", (unsigned)uri_addr->port);
        return 2;
    }
    struct srv_psk_table psk = {0};
    if (o.psk_file) {
        char why[512];
        rc = srv_psk_load(o.psk_file, &psk, why, sizeof why);
        if (rc != 0) {
            fprintf(stderr, "larafw-server: --psk-file: %s\n", why);
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
    if (o.https || o.api_tls) {
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
        /* for service managers (ExecStartPre=, packaging tests): nothing is bound or created;
         * a --tokens file is read (without one, the first real start makes it) */
        if (o.tokens) {
            struct srv_tokens t = {0};
            char path[4096];
            int bad = load_tokens(&o, &t, path, sizeof path);
            srv_tokens_free(&t);
            if (bad) {
                free(cert_pem);
                free(key_pem);
                srv_psk_free(&psk);
                return 2;
            }
        }
        printf("larafw-server: configuration OK: packages %s, CoAP %s%s, HTTP %s%s%s, "
               "API %s%s, Package URIs %s\n",
               o.packages, o.coap, o.psk_file ? " (DTLS-PSK)" : "", o.http,
               o.https ? ", HTTPS " : "", o.https ? o.https : "", o.api, o.api_tls ? " (TLS)" : "",
               base_url);
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

    struct srv_tokens tokens = {0};
    char tokens_path[4096];
    if (load_tokens(&o, &tokens, tokens_path, sizeof tokens_path) != 0) {
        free(cert_pem);
        free(key_pem);
        srv_psk_free(&psk);
        return 2;
    }
    rlim_t fd_limit = raise_fd_limit();

    coap_startup();
    coap_set_log_level(o.verbose ? LOG_DEBUG : LOG_ERR);
    struct srv_store *store = NULL;
    struct srv_lwm2m *lwm2m = NULL;
    struct srv_jobs *jobs = NULL;
    struct srv_http *http = NULL, *https = NULL, *api = NULL;
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
        .max_devices = (size_t)o.max_devices,
        .max_lifetime = o.max_lifetime,
        .reg_rate = o.reg_rate == 0 && o.reg_rate_set ? -1.0 : (double)o.reg_rate,
    };
    rc = srv_lwm2m_new(&lc, &lwm2m);
    if (rc != 0) {
        fprintf(stderr,
                "larafw-server: cannot listen on CoAP %s: %s; is another server using "
                "it, or is the address not local?\n",
                o.coap, srv_strerror(rc));
        goto out;
    }
    struct srv_jobs_config jc = {store,
                                 lwm2m,
                                 o.packages,
                                 base_url,
                                 o.download_timeout,
                                 o.install_timeout,
                                 o.reregister_timeout};
    if (srv_jobs_new(&jc, &jobs) != 0) {
        fprintf(stderr, "larafw-server: cannot load the jobs of %s; see the message above\n", o.db);
        goto out;
    }
    /* descriptors left after CoAP, the store and files, shared by the HTTP daemons */
    unsigned per_daemon = fd_limit > 256 ? (unsigned)((fd_limit - 128) / 3) : 64;
    struct srv_http_config hc = {
        .addr = &http_addr,
        .serves = SRV_HTTP_PACKAGES,
        .packages_dir = o.packages,
        .connection_limit = per_daemon,
    };
    if (srv_http_new(&hc, &http) != 0) {
        fprintf(stderr, "larafw-server: cannot listen on HTTP %s; is the port in use?\n", o.http);
        goto out;
    }
    struct srv_http_config ac = {
        .addr = &api_addr,
        .serves = SRV_HTTP_API,
        .api = {store, jobs, lwm2m, &tokens},
        .tokens = &tokens,
        .tokens_path = tokens_path,
        .api_hosts = o.api_hosts,
        .api_host_count = o.api_host_count,
        .tls_cert_pem = o.api_tls ? cert_pem : NULL,
        .tls_key_pem = o.api_tls ? key_pem : NULL,
        .connection_limit = per_daemon,
    };
    if (srv_http_new(&ac, &api) != 0) {
        fprintf(stderr,
                "larafw-server: cannot listen on the API address %s; is the port in use%s?\n",
                o.api, o.api_tls ? ", and do --tls-cert and --tls-key match" : "");
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
    char api_text[300];
    srv_addr_format((const struct sockaddr *)&api_addr.ss, api_text, sizeof api_text);
    printf("ready %s://%s http://%s%s%s api=%s://%s\n", o.psk_file ? "coaps" : "coap", coap_text,
           http_text, o.https ? " https://" : "", https_text, o.api_tls ? "https" : "http",
           api_text);
    fflush(stdout);
    struct srv_http *daemons[HTTP_DAEMONS_MAX] = {http, api, https};
    status = run_loop(lwm2m, jobs, daemons, https ? 3 : 2);
out:
    srv_http_free(api);
    srv_http_free(https);
    srv_http_free(http);
    srv_lwm2m_free(lwm2m); /* before the jobs: no hook may reach a freed engine */
    srv_jobs_free(jobs);
    srv_store_close(store);
    srv_psk_free(&psk);
    srv_tokens_free(&tokens);
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
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return srv_cli_token(argc - 1, argv + 1);
    return run_server(argc, argv);
}
