/* larafw-server error codes: 0 or a negative SRV_E… value; srv_strerror() gives the text. */
#ifndef LARAFW_SRV_ERR_H
#define LARAFW_SRV_ERR_H

#define SRV_WARN_UNUSED __attribute__((warn_unused_result))

enum srv_error {
    SRV_OK = 0,
    SRV_E_PARSE = -1,    /* malformed input (TLV, link format, query, JSON, range) */
    SRV_E_NOSPACE = -2,  /* output buffer or table too small */
    SRV_E_NOMEM = -3,    /* allocation failed */
    SRV_E_IO = -4,       /* socket or file error (errno kept) */
    SRV_E_NOTFOUND = -5, /* no such device, job, package or resource */
    SRV_E_ARG = -6,      /* invalid argument */
    SRV_E_STORE = -7,    /* the store (SQLite) failed */
    SRV_E_STATE = -8,    /* not allowed now (device offline, job already running) */
    SRV_E_PACKAGE = -9,  /* package file is not a larafw package */
    SRV_E_PERM = -10,    /* secret file readable or writable by group/others */
};

/* Text of an SRV_E… code; never NULL. */
const char *srv_strerror(int err);

#endif
