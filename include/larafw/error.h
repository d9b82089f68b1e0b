/* liblarafw error codes and the two human-readable text tables.
 *
 * Every fallible function of liblarafw returns 0 (or a count) on success and a negative
 * LFW_E… code on failure. Procedures also fill a `struct lfw_error` that carries what the
 * module said: its final result code (Appendix A, 128 = success) and a +CME ERROR code/text.
 */
#ifndef LARAFW_ERROR_H
#define LARAFW_ERROR_H

#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define LFW_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define LFW_WARN_UNUSED
#endif

enum lfw_errno {
    LFW_OK = 0,
    LFW_EINVAL = -1,     /* bad argument or configuration */
    LFW_EIO = -2,        /* the port's write/read/set_baud failed */
    LFW_ETIMEDOUT = -3,  /* no (complete) answer within the timeout */
    LFW_EOVERFLOW = -4,  /* an answer did not fit the caller's buffer */
    LFW_EBUSY = -5,      /* channel in use (call from inside a URC handler) */
    LFW_EAT_ERROR = -6,  /* the module answered ERROR */
    LFW_ECME = -7,       /* the module answered +CME ERROR: <n|text> */
    LFW_EERROR1 = -8,    /* the module answered ERROR1 (§3.1.2: XMODEM window expired) */
    LFW_ECANCELED = -9,  /* cancelled: XMODEM receiver sent CAN CAN, the caller asked, or the
                          * port's read/write returned it (a signal) */
    LFW_ERETRIES = -10,  /* XMODEM block or EOT refused more often than the retry limit */
    LFW_EPROTO = -11,    /* an answer the procedure cannot understand */
    LFW_EMODULE = -12,   /* the module reported a final code other than 128 (Appendix A) */
    LFW_ENOTSUP = -13,   /* the product lacks the feature (MODULE.md §1, e.g. 3000000 bit/s) */
    LFW_ESOURCE = -14,   /* the caller's data source failed or returned too few bytes */
    LFW_EVERSION = -15,  /* after the update the module runs another version than expected */
    LFW_ENOANSWER = -16, /* the module did not answer AT again within the limit */
    LFW_EDOWNLOAD = -17, /* the module's FTP/HTTP download failed (+UFTPER/+UHTTPER in
                          * err->net_class / err->net_code) */
    LFW_EGARBAGE = -18,  /* the answer is not a plausible AT answer (binary bytes: not an AT
                          * port, or another line rate) */
};
#define LFW_ERRNO_MIN LFW_EGARBAGE

/* Final result code of a successful install (Appendix A). */
#define LFW_RESULT_SUCCESS 128
/* Progress values run 0…100; a URC value above 100 is the final code (§3.1.1, §4.3.1). */
#define LFW_RESULT_FIRST 101

/* Longest +CME ERROR text kept (longer text is cut). */
#define LFW_CME_TEXT_MAX 48

/* What went wrong, with what the module said. Filled by every procedure. */
struct lfw_error {
    int code;                        /* 0 or LFW_E… (same as the return value) */
    int result_code;                 /* module's final code (Appendix A), -1 when none was seen */
    int cme_code;                    /* numeric +CME ERROR code, -1 when none or when it was text */
    char cme_text[LFW_CME_TEXT_MAX]; /* +CME ERROR text ("operation not allowed"), "" if none */
    int net_class; /* FTP/HTTP download error class (+UFTPER/+UHTTPER, §4.2.1.5), -1 if none */
    int net_code;  /* FTP/HTTP download error code, -1 if none */
};

/* Resets `e` to "no error" (code 0, result_code/cme_code/net_* -1, empty text). NULL is ok. */
void lfw_error_clear(struct lfw_error *e);

/* Text for an LFW_E… code (or 0). Never NULL; unknown codes give "unknown error". */
const char *lfw_strerror(int err);

/* Appendix A text for a module final result code (128 … 247). Any code the note does not list
 * gives "unknown code — contact u-blox support". Never NULL. */
const char *lfw_result_str(int code);

/* True when `code` is listed in Appendix A. */
bool lfw_result_known(int code);

#endif /* LARAFW_ERROR_H */
