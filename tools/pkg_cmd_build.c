/* larafw-pkg full / delta: build signed packages from images. */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char full_usage[] =
    "Usage: larafw-pkg full --key SEC IMG -o PKG [OPTIONS]\n\n"
    "Builds a full package (FOAT .upd): zstd of IMG, signed with SEC. Product and target\n"
    "version come from IMG's version record.\n\n";
static const char delta_usage[] =
    "Usage: larafw-pkg delta --key SEC FROM TO -o PKG [OPTIONS]\n\n"
    "Builds a delta package (FOTA): a zstd patch of TO against FROM, signed with SEC.\n"
    "It installs only on a module running exactly FROM (its SHA-256 is in the header).\n\n";
static const char common_usage[] =
    "  --key SEC        secret key (64 bytes, from 'larafw-pkg keygen')\n"
    "  -o, --output F   the package to write (atomically)\n"
    "  --boot-code      mark the install as rewriting the boot section\n"
    "  --nvm NAME=VAL   an NVM item the package changes (repeatable, at most 16)\n"
    "  --mno N          an MNO profile number the package changes (repeatable, at most 8)\n"
    "  --level N        zstd level 1..22 (default 9)\n";

static int run(bool delta, int argc, char **argv)
{
    const char *cmd = delta ? "delta" : "full";
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"boot-code", no_argument, NULL, PKG_OPT_BOOT},
                                         {"nvm", required_argument, NULL, PKG_OPT_NVM},
                                         {"mno", required_argument, NULL, PKG_OPT_MNO},
                                         {"level", required_argument, NULL, PKG_OPT_LEVEL},
                                         {NULL, 0, NULL, 0}};
    struct pkg_build_opts o;
    memset(&o, 0, sizeof o);
    const char *key = NULL, *out = NULL;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(delta ? delta_usage : full_usage, stdout);
            fputs(common_usage, stdout);
            return PKG_TOOL_OK;
        case 'k':
            key = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case PKG_OPT_BOOT:
        case PKG_OPT_NVM:
        case PKG_OPT_MNO:
        case PKG_OPT_LEVEL:
            rc = pkg_tool_build_opt(cmd, c, optarg, &o);
            if (rc)
                return rc;
            break;
        default:
            return pkg_tool_bad_option(cmd, c, argv);
        }
    }
    int want = delta ? 2 : 1;
    if (argc - optind != want)
        return pkg_tool_usage_error(cmd, delta ? "expected two images, FROM and TO"
                                               : "expected one image");
    if (!key)
        return pkg_tool_usage_error(cmd, "missing --key SEC");
    if (!out)
        return pkg_tool_usage_error(cmd, "missing -o PKG");
    uint8_t sec[PKG_SECKEY_LEN];
    rc = pkg_key_load_secret(key, sec);
    if (rc)
        return pkg_tool_fail(cmd, rc, "cannot use secret key '%s'", key);
    if (delta)
        rc = pkg_build_delta(sec, argv[optind], argv[optind + 1], &o, out);
    else
        rc = pkg_build_full(sec, argv[optind], &o, out);
    sodium_memzero(sec, sizeof sec);
    if (rc == PKG_E_PRODUCT)
        return pkg_tool_fail(cmd, rc, "'%s' and '%s' are for different products", argv[optind],
                             argv[optind + 1]);
    if (rc == PKG_E_IMAGE || (rc == PKG_E_IO && !delta))
        return pkg_tool_fail(cmd, rc, "cannot read image%s '%s'%s%s", delta ? "s" : "",
                             argv[optind], delta ? " / " : "", delta ? argv[optind + 1] : "");
    if (rc)
        return pkg_tool_fail(cmd, rc, "cannot build '%s'", out);
    struct pkg_header h;
    if (pkg_header_read_file(out, &h, NULL) == PKG_OK)
        printf("%s: %s package for %s, %s%s%s, payload %llu bytes\n", out, cmd, h.product,
               h.src_version, delta ? " -> " : "", h.dst_version,
               (unsigned long long)h.payload_size);
    return PKG_TOOL_OK;
}

int pkg_cmd_full(int argc, char **argv)
{
    return run(false, argc, argv);
}

int pkg_cmd_delta(int argc, char **argv)
{
    return run(true, argc, argv);
}
