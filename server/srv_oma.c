/* OMA object 5 State / Update Result texts: the only place these meanings live. */
#include "srv_oma.h"

#include <stddef.h>

static const char *const state_names[] = {"idle", "downloading", "downloaded", "updating"};

static const char *const result_texts[] = {
    "initial value",                   /* 0 */
    "firmware updated successfully",   /* 1 */
    "not enough flash memory",         /* 2 */
    "out of RAM",                      /* 3 */
    "connection lost during download", /* 4 */
    "integrity check failure",         /* 5 */
    "unsupported package type",        /* 6 */
    "invalid URI",                     /* 7 */
    "firmware update failed",          /* 8 */
    "unsupported protocol",            /* 9 */
};

const char *srv_oma_state_name(int state)
{
    if (state < 0 || (size_t)state >= sizeof state_names / sizeof state_names[0])
        return "unknown";
    return state_names[state];
}

const char *srv_oma_result_text(int result)
{
    if (result < 0 || (size_t)result >= sizeof result_texts / sizeof result_texts[0])
        return "unknown";
    return result_texts[result];
}

bool srv_oma_result_is_error(int result)
{
    return result >= SRV_FW_RESULT_NO_FLASH;
}
