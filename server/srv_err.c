/* Text of the server's error codes (one table). */
#include "srv_err.h"

const char *srv_strerror(int err)
{
    switch (err) {
    case SRV_OK:
        return "success";
    case SRV_E_PARSE:
        return "malformed input";
    case SRV_E_NOSPACE:
        return "does not fit";
    case SRV_E_NOMEM:
        return "out of memory";
    case SRV_E_IO:
        return "input/output error";
    case SRV_E_NOTFOUND:
        return "not found";
    case SRV_E_ARG:
        return "invalid argument";
    case SRV_E_STORE:
        return "store error";
    case SRV_E_STATE:
        return "not possible in the current state";
    case SRV_E_PACKAGE:
        return "not a larafw package";
    case SRV_E_PERM:
        return "file is accessible to group or others (chmod 600)";
    }
    return "unknown error";
}
