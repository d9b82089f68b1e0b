/* larafw-pkg keygen DIR */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static const char usage[] =
    "Usage: larafw-pkg keygen DIR\n\n"
    "Creates an Ed25519 key pair for signing packages:\n"
    "  DIR/fota.sec  64 raw bytes, the secret key (mode 0600; keep it private)\n"
    "  DIR/fota.pub  32 raw bytes, the public key the module is provisioned with\n"
    "An existing DIR/fota.sec is never overwritten.\n";

int pkg_cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return PKG_TOOL_OK;
        }
        return pkg_tool_bad_option("keygen", c, argv);
    }
    if (argc - optind != 1)
        return pkg_tool_usage_error("keygen", "expected one directory");
    const char *dir = argv[optind];
    int rc = pkg_keygen(dir);
    if (rc == PKG_E_IO && errno == EEXIST)
        return pkg_tool_fail("keygen", rc,
                             "%s/fota.sec already exists (remove it first to make a new key)", dir);
    if (rc)
        return pkg_tool_fail("keygen", rc, "cannot create keys in '%s' (does the directory exist?)",
                             dir);
    printf("wrote %s/fota.sec and %s/fota.pub\n", dir, dir);
    return PKG_TOOL_OK;
}
