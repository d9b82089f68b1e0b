/* Network downloads of the simulated module: FOTA over FTP (§4.2.1) and HTTP(S) (§4.2.2).
 *
 * sim_net.c        the transfer engine: libcurl's multi interface driven by the single-threaded
 *                  ppoll() loop of sim_main.c (the part's poll_setup / service hooks), progress,
 *                  faults, checkpoints, the package's arrival in the FOTA area
 * sim_net_store.c  the partial package's resume record in the state directory, MD5 of a file
 *                  (OpenSSL EVP)
 * sim_net_at.c     error class/code table, URLs, password redaction of the report
 * sim_ftp.c        AT+UFTP, AT+UFTPC, AT+UFTPER
 * sim_http.c       AT+UHTTP, AT+UHTTPC, AT+UHTTPER
 * (ufota/sim_ufota.c uses the engine for the uFOTA package download, kind SIM_DL_LWM2M.)
 *
 * One module = at most one network transfer at a time (§6 Table 5). Each part's state is under
 * struct sim (s->net, s->ftp, s->http); a module reset drops the transfer (the engine's reset
 * hook) and the power-up hooks of FTP and HTTP restore the factory profiles. */
#ifndef LARAFW_SIM_NET_H
#define LARAFW_SIM_NET_H

#include "sim.h"

#include <poll.h>

/* ---- the parts (sim_parts.c lists them) ------------------------------------------------ */
extern const struct sim_part sim_part_net;  /* the download engine (libcurl in the main loop) */
extern const struct sim_part sim_part_ftp;  /* AT+UFTP, AT+UFTPC, AT+UFTPER */
extern const struct sim_part sim_part_http; /* AT+UHTTP, AT+UHTTPC, AT+UHTTPER */

/* Most sockets libcurl may ask to watch at once (one transfer: control + data + resolver). */
#define SIM_NET_FDS_MAX 8
/* --ca-file FILE: trust anchors for HTTPS. Without it the module behaves like a factory
 * security profile (no server certificate validation, docs/simulator.md). */
void sim_net_set_ca_file(struct sim *s, const char *path);
/* Replaces the value of a password-setting command (AT+UFTP=3,…, AT+UHTTP=p,3,…) in a
 * printable command line by "***" so that the report never holds a password. */
void sim_net_redact(char *line);

/* ---- the transfer engine (sim_net.c), used by sim_ftp.c and sim_http.c ------------------ */

#define SIM_NET_HOST_MAX 128
#define SIM_NET_CRED_MAX 64
#define SIM_NET_PATH_MAX 256
#define SIM_NET_URL_MAX  (SIM_NET_HOST_MAX + SIM_NET_PATH_MAX + 32)

enum sim_net_op {
    SIM_NET_LOGIN, /* FTP: connect and log in, transfer nothing (AT+UFTPC=1) */
    SIM_NET_FOTA,  /* download a FOTA package into the FOTA area */
};

/* Why a transfer ended; sim_ftp.c / sim_http.c map it to an error class and code. */
enum sim_net_err {
    SIM_NET_OK = 0,
    SIM_NET_E_HOST,      /* host name lookup failed */
    SIM_NET_E_CONNECT,   /* server refused or unreachable */
    SIM_NET_E_LOGIN,     /* credentials refused (FTP 530, HTTP 401/403) */
    SIM_NET_E_MISSING,   /* no such file (FTP 550, HTTP 404/410) */
    SIM_NET_E_PROTOCOL,  /* another protocol error (proto_code says which) */
    SIM_NET_E_LOST,      /* connection lost during the transfer (also --fault net-drop) */
    SIM_NET_E_TIMEOUT,   /* no progress for too long */
    SIM_NET_E_TLS,       /* secure connection failed (handshake, certificate) */
    SIM_NET_E_CANCELLED, /* the host cancelled */
    SIM_NET_E_STORAGE,   /* the FOTA area could not take the data */
    SIM_NET_E_INTERNAL,  /* anything else */
};

struct sim_net_job {
    enum sim_net_op op;
    enum sim_download kind;    /* SIM_DL_FTP or SIM_DL_HTTP */
    int profile;               /* HTTP profile id (reports only) */
    char url[SIM_NET_URL_MAX]; /* scheme://host:port/path, never with credentials */
    char user[SIM_NET_CRED_MAX];
    char pass[SIM_NET_CRED_MAX];
    bool ftp_active; /* FTP active mode (AT+UFTP=6,0); passive otherwise */
    bool http_basic; /* HTTP basic authentication (AT+UHTTP=p,4,1) */
    bool resume;     /* continue a stored partial download of the same URL */
};

struct sim_net_result {
    enum sim_net_err err;
    long proto_code;  /* last FTP reply or HTTP status, 0 if none */
    char md5[33];     /* lower-case hex MD5 of the stored package (SIM_NET_OK, FOTA) */
    uint64_t size;    /* package size */
    uint64_t fetched; /* bytes received from the network by this attempt */
    uint64_t resumed_from;
};

typedef void (*sim_net_done_fn)(struct sim *s, const struct sim_net_job *job,
                                const struct sim_net_result *r);

/* Starts a transfer. For SIM_NET_FOTA sets s->download = job->kind until it ends. `done` is
 * called once, later, from sim_net_service() (or a timer), never from inside this call.
 * Returns 0, or -1 when a transfer already runs or libcurl cannot start one. */
int sim_net_start(struct sim *s, const struct sim_net_job *job, sim_net_done_fn done);
/* Cancels the running transfer of `kind`: the partial package is dropped (a cancelled session
 * cannot be resumed, §4.2.1.2) and `done` gets SIM_NET_E_CANCELLED from a timer after the
 * current command's final result code. Returns 0, or -1 when no such transfer runs. */
int sim_net_cancel(struct sim *s, enum sim_download kind);
/* Stops the running transfer of `kind` without a result: what arrived is made durable and
 * stays resumable (uFOTA pause, AT+CFUN=0/4, §5.2.2, §5.3). 0, or -1 when none runs. */
int sim_net_stop(struct sim *s, enum sim_download kind);
/* Progress of the download of `kind`: bytes stored and total (0: unknown). Returns 1 while it
 * runs, 0 for a stored partial download, -1 when there is neither. */
int sim_net_progress(struct sim *s, enum sim_download kind, uint64_t *done, uint64_t *total);
/* The operation of the running transfer, or -1 when none runs. */
int sim_net_running(const struct sim *s);
/* True when a stored partial download of `url` exists (resumable). */
bool sim_net_partial(struct sim *s, const char *url);
/* Error class and code a host reads with AT+UFTPER / AT+UHTTPER for a result (docs/simulator.md,
 * "FOTA over FTP and HTTP"): protocol errors are <proto_class>,<server reply or status>, the
 * others <internal_class>,<code> (11 connection, 23 host lookup, 24 authentication, 26 timeout,
 * 27 connection lost, 40 cancelled, 73 secure connection, 10 internal / storage). */
void sim_net_error_code(const struct sim_net_result *r, int internal_class, int proto_class,
                        int *cls, int *code);
/* Builds scheme://host[:port]/path into out (the path percent-encoded where a URL needs it).
 * Returns 0, or -1 when it does not fit. */
int sim_net_url(char *out, size_t len, const char *scheme, const char *host, long port,
                const char *path);
/* ---- private to sim_net.c / sim_net_store.c --------------------------------------------- */

#define SIM_NET_PART_REL   "fota/.net.part" /* partial package (hidden: not a module file) */
#define SIM_NET_RECORD_REL "netdl"          /* its resume record */
#define SIM_NET_ETAG_MAX   128

/* The persisted identity and progress of a partial download (DIR/netdl). */
struct sim_net_record {
    bool valid;
    enum sim_download kind;
    char url[SIM_NET_URL_MAX];
    char name[SIM_NAME_MAX];
    uint64_t total;  /* 0: unknown */
    uint64_t stored; /* durable bytes in the part file */
    char etag[SIM_NET_ETAG_MAX];
};

/* Writes the record atomically. 0 or -1. */
int sim_net_rec_save(struct sim *s, const struct sim_net_record *r);
/* Reads the record; r->valid is false when there is none or it is unusable. */
void sim_net_rec_load(struct sim *s, struct sim_net_record *r);
/* Forgets a partial download: record and part file (cancel, completion, a new session). */
void sim_net_rec_drop(struct sim *s);
/* unlink(DIR/rel), errors ignored. */
void sim_net_unlink(struct sim *s, const char *rel);
/* Lower-case hex MD5 of the whole file behind fd (read from offset 0). 0 or -1. */
int sim_net_md5_file(int fd, char hex[33]);

#endif
