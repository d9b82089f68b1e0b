/* larafw-pkg: messages, number parsing and shared build options. */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pkg_tool_getopt_reset(void)
{
    optind = 0; /* glibc: 0 also resets its internal state */
    opterr = 0; /* messages come from pkg_tool_bad_option() */
}

int pkg_tool_bad_option(const char *cmd, int c, char **argv)
{
    const char *what = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return pkg_tool_usage_error(cmd, "option '%s' needs a value", what);
    return pkg_tool_usage_error(cmd, "unknown option '%s'", what);
}

int pkg_tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "larafw-pkg %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'larafw-pkg %s --help'.\n", cmd);
    return PKG_TOOL_USAGE;
}

static const char *hint(int rc)
{
    switch (rc) {
    case PKG_E_KEY:
        return "use the fota.sec (64 bytes) / fota.pub (32 bytes) written by "
               "'larafw-pkg keygen DIR'";
    case PKG_E_IMAGE:
        return "the file has no larafw version record at offset 256; make images with "
               "'larafw-pkg image'";
    case PKG_E_MAGIC:
    case PKG_E_FORMAT:
    case PKG_E_HEADER:
    case PKG_E_SIZE:
        return "the file is not a valid larafw package (docs/package-format.md); rebuild it "
               "with 'larafw-pkg full' or 'larafw-pkg delta'";
    case PKG_E_SIGNATURE:
        return "the package was modified or signed with another key; check --pub, or re-sign "
               "with 'larafw-pkg resign'";
    case PKG_E_SOURCE:
        return "a delta applies only to the image it was built from; see 'larafw-pkg inspect' "
               "for its source version and hash";
    case PKG_E_PRODUCT:
        return "both images must carry the same product";
    case PKG_E_PAYLOAD:
    case PKG_E_TARGET:
        return "the package content is corrupt; rebuild it";
    case PKG_E_NOMEM:
        return "free some memory or use smaller images (at most 256 MiB)";
    default:
        return NULL;
    }
}

int pkg_tool_fail(const char *cmd, int rc, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    fprintf(stderr, "larafw-pkg %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s", pkg_strerror(rc));
    if (rc == PKG_E_IO && e)
        fprintf(stderr, ": %s", strerror(e));
    fputc('\n', stderr);
    const char *h = hint(rc);
    if (h)
        fprintf(stderr, "hint: %s\n", h);
    return PKG_TOOL_FAIL;
}

bool pkg_tool_parse_u64(const char *s, bool suffix, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    unsigned shift = 0;
    if (suffix && *end) {
        switch (*end) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        default:
            return false;
        }
        end++;
        if (*end == 'i' && end[1] == 'B')
            end += 2;
        else if (*end == 'B')
            end++;
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

int pkg_tool_build_opt(const char *cmd, int opt, const char *arg, struct pkg_build_opts *o)
{
    uint64_t v;
    switch (opt) {
    case PKG_OPT_BOOT:
        o->flags |= PKG_FLAG_BOOT_CODE;
        return 0;
    case PKG_OPT_NVM: {
        const char *eq = strchr(arg, '=');
        if (o->nvm_count >= PKG_NVM_MAX)
            return pkg_tool_usage_error(cmd, "at most %d --nvm items", PKG_NVM_MAX);
        if (!eq || eq == arg || strlen(arg) >= PKG_ITEM_MAX)
            return pkg_tool_usage_error(cmd, "--nvm wants NAME=VALUE, under %d characters: '%s'",
                                        PKG_ITEM_MAX, arg);
        for (const char *p = arg; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                return pkg_tool_usage_error(cmd, "--nvm takes printable ASCII only");
        o->nvm[o->nvm_count++] = arg;
        return 0;
    }
    case PKG_OPT_MNO:
        if (o->mno_count >= PKG_MNO_MAX)
            return pkg_tool_usage_error(cmd, "at most %d --mno profiles", PKG_MNO_MAX);
        if (!pkg_tool_parse_u64(arg, false, &v) || v > 65535)
            return pkg_tool_usage_error(cmd, "--mno wants a profile number 0..65535: '%s'", arg);
        o->mno[o->mno_count++] = (uint16_t)v;
        return 0;
    case PKG_OPT_LEVEL:
        if (!pkg_tool_parse_u64(arg, false, &v) || v < 1 || v > 22)
            return pkg_tool_usage_error(cmd, "--level wants 1..22: '%s'", arg);
        o->zstd_level = (int)v;
        return 0;
    default:
        return pkg_tool_usage_error(cmd, "unknown option");
    }
}
