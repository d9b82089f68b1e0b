/* FOTA download by the module itself, over FTP (§4.2.1) or HTTP (§4.2.2); LARA-R6 only
 * (MODULE.md §1: LARA-L6 answers LFW_ENOTSUP without a byte sent). Afterwards install the
 * package with lfw_fota_install() (fota.h, §4.3).
 *
 * Only one download at a time (§6): a second one is refused with an error result code, which
 * these functions return as LFW_EAT_ERROR / LFW_ECME. Progress: one download event at 0 % and
 * one at 100 % (the module reports no progress by URC for these downloads).
 */
#ifndef LARAFW_FOTA_NET_H
#define LARAFW_FOTA_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "larafw/error.h"
#include "larafw/proc.h"

/* MD5 of the downloaded file as the module reports it: 32 hex digits + NUL. */
#define LFW_MD5_HEX_SIZE 33
/* Longest host, user, password or path accepted (no '"' or control characters). */
#define LFW_NET_TEXT_MAX 128

struct lfw_ftp_server {
    const char *host; /* AT+UFTP=1 (name) or =0 (IP address, with host_is_ip) */
    bool host_is_ip;
    uint16_t port;        /* AT+UFTP=7; 0 = the module's default */
    const char *user;     /* AT+UFTP=2; NULL = not set */
    const char *password; /* AT+UFTP=3; NULL = not set */
    bool passive;         /* AT+UFTP=6,1 */
    const char *path;     /* remote file of AT+UFTPC=100 */
    bool resume;          /* continue an interrupted download (§4.2.1.2: status 1) */
};

struct lfw_http_server {
    uint8_t profile;  /* 0…3 */
    const char *host; /* AT+UHTTP=<p>,1 (name) or ,0 (IP address, with host_is_ip) */
    bool host_is_ip;
    uint16_t port;        /* AT+UHTTP=<p>,5; 0 = the module's default */
    bool https;           /* AT+UHTTP=<p>,6,1 */
    const char *user;     /* AT+UHTTP=<p>,2; NULL = not set */
    const char *password; /* AT+UHTTP=<p>,3; NULL = not set */
    const char *path;     /* AT+UHTTPC=<p>,100,"<path>" */
};

/* Configures the FTP profile, logs in (AT+UFTPC=1 → +UUFTPCR: 1,1), starts the download
 * (AT+UFTPC=100,"<path>"[,1]) and waits up to timeouts.download_ms for +UUFTPCR: 100,…
 * (§4.2.1.4). On success copies the module's MD5 into md5 (may be NULL).
 * On +UUFTPCR: 100,0 reads AT+UFTPER into err->net_class/net_code and returns LFW_EDOWNLOAD.
 * Returns 0, LFW_EINVAL, LFW_ENOTSUP (product without FTP/HTTP FOTA), LFW_EAT_ERROR,
 * LFW_ECME, LFW_EDOWNLOAD (also a failed login), LFW_ETIMEDOUT, LFW_EBUSY, LFW_EIO. */
int lfw_fota_ftp_download(const struct lfw_proc_config *proc, const struct lfw_ftp_server *srv,
                          char md5[LFW_MD5_HEX_SIZE], struct lfw_error *err) LFW_WARN_UNUSED;

/* Configures HTTP profile <p>, starts AT+UHTTPC=<p>,100,"<path>" and waits up to
 * timeouts.download_ms for +UUHTTPCR: <p>,100,… (§4.2.2.4). On failure reads AT+UHTTPER=<p>
 * into err->net_class/net_code. Same returns as lfw_fota_ftp_download(). */
int lfw_fota_http_download(const struct lfw_proc_config *proc, const struct lfw_http_server *srv,
                           char md5[LFW_MD5_HEX_SIZE], struct lfw_error *err) LFW_WARN_UNUSED;

#endif /* LARAFW_FOTA_NET_H */
