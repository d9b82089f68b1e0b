/* The two text tables of liblarafw: LFW_E… codes and Appendix A final result codes. */
#include <stddef.h>

#include "larafw/error.h"

static const char *const errno_text[] = {
    [0] = "success",
    [-LFW_EINVAL] = "invalid argument or configuration",
    [-LFW_EIO] = "serial port input/output failed",
    [-LFW_ETIMEDOUT] = "timed out waiting for the module",
    [-LFW_EOVERFLOW] = "answer too long for the buffer",
    [-LFW_EBUSY] = "AT channel busy (called from a URC handler)",
    [-LFW_EAT_ERROR] = "module answered ERROR",
    [-LFW_ECME] = "module answered +CME ERROR",
    [-LFW_EERROR1] = "module answered ERROR1 (XMODEM window expired, firmware unchanged)",
    [-LFW_ECANCELED] = "transfer cancelled",
    [-LFW_ERETRIES] = "too many retransmissions",
    [-LFW_EPROTO] = "unexpected answer from the module",
    [-LFW_EMODULE] = "module reported an update failure",
    [-LFW_ENOTSUP] = "not supported by this product version",
    [-LFW_ESOURCE] = "reading the update data failed",
    [-LFW_EVERSION] = "module runs another firmware version than expected",
    [-LFW_ENOANSWER] = "module did not answer AT again",
    [-LFW_EDOWNLOAD] = "module could not download the package (FTP/HTTP error)",
    [-LFW_EGARBAGE] = "not a plausible AT answer",
};

/* Appendix A, Table 7. */
struct result_text {
    unsigned char code;
    const char *text;
};

static const struct result_text result_table[] = {
    {128, "firmware installation successfully performed"},
    {129, "firmware installation generic failure"},
    {130, "flash access failure"},
    {131, "RAM allocation error"},
    {132, "retrieve partition table error"},
    {134, "bad block flash init failure"},
    {140, "generic decompression engine error"},
    {141, "RAM error"},
    {144, "requested file does not exist during installation (or flash error)"},
    {145, "file operation attempted while the file system is not available"},
    {148, "delta file is corrupted"},
    {158, "delta file not recognized (not a delta file format)"},
    {160, "flash writing failure"},
    {168, "source firmware in flash does not match the one the delta expects"},
    {173, "digital signature does not match the package header (wrong signature or corrupt "
          "bytes)"},
    {174, "delta file version is not supported"},
    {178, "RAM memory corruption (null pointer assignment)"},
    {180, "delta file size in flash does not match the real delta file size"},
    {195, "data corruption in an updated component (power loss or flash problem)"},
    {224, "generic error finalising the install procedure"},
    {227, "FOTA public key not found or invalid"},
    {230, "flash file operation (write/read/delete) failed"},
    {247, "pre-validation of the delta file failed"},
};

void lfw_error_clear(struct lfw_error *e)
{
    if (e == NULL) {
        return;
    }
    e->code = 0;
    e->result_code = -1;
    e->cme_code = -1;
    e->cme_text[0] = '\0';
    e->net_class = -1;
    e->net_code = -1;
}

const char *lfw_strerror(int err)
{
    if (err > 0 || err < LFW_ERRNO_MIN) {
        return "unknown error";
    }
    return errno_text[-err];
}

static const struct result_text *result_find(int code)
{
    for (size_t i = 0; i < sizeof result_table / sizeof result_table[0]; i++) {
        if (result_table[i].code == code) {
            return &result_table[i];
        }
    }
    return NULL;
}

const char *lfw_result_str(int code)
{
    const struct result_text *r = result_find(code);
    return r != NULL ? r->text : "unknown code \xe2\x80\x94 contact u-blox support";
}

bool lfw_result_known(int code)
{
    return result_find(code) != NULL;
}
