/* larafw-pkg resign: sign a package again as it is (tests craft broken-but-signed files). */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>

static const char usage[] =
    "Usage: larafw-pkg resign --key SEC IN -o OUT\n\n"
    "Replaces the last 64 bytes of IN with an Ed25519ph signature, made with SEC, over all\n"
    "the bytes before them; nothing else is checked or changed. Tests use it to make\n"
    "packages that are validly signed but broken (patched header fields, corrupted payload).\n"
    "IN may equal OUT.\n";

int pkg_cmd_resign(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return PKG_TOOL_OK;
        case 'k':
            key = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return pkg_tool_bad_option("resign", c, argv);
        }
    }
    if (argc - optind != 1)
        return pkg_tool_usage_error("resign", "expected one package");
    if (!key)
        return pkg_tool_usage_error("resign", "missing --key SEC");
    if (!out)
        return pkg_tool_usage_error("resign", "missing -o OUT");
    uint8_t sec[PKG_SECKEY_LEN];
    int rc = pkg_key_load_secret(key, sec);
    if (rc)
        return pkg_tool_fail("resign", rc, "cannot use secret key '%s'", key);
    rc = pkg_resign(sec, argv[optind], out);
    sodium_memzero(sec, sizeof sec);
    if (rc)
        return pkg_tool_fail("resign", rc, "cannot re-sign '%s' into '%s'", argv[optind], out);
    return PKG_TOOL_OK;
}
