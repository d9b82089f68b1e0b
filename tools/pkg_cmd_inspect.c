/* larafw-pkg inspect / verify: show a package's header, check its signature. */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <getopt.h>
#include <stdio.h>

static const char inspect_usage[] =
    "Usage: larafw-pkg inspect PKG [--json] [--pub PUB]\n\n"
    "Prints every header field of PKG. With --pub, also checks size and signature against\n"
    "the public key PUB (32 bytes) and exits 1 when they do not verify.\n\n"
    "  --json     one JSON object: format_version, kind, product, src_version, src_sha256,\n"
    "             src_size, dst_version, dst_sha256, dst_size, payload_size, header_size,\n"
    "             total_size, size_ok, flags_raw, flags (names), nvm, mno, signature\n"
    "             (\"unchecked\", \"valid\", \"invalid\" or \"size_mismatch\")\n";
static const char verify_usage[] =
    "Usage: larafw-pkg verify --pub PUB PKG\n\n"
    "Checks PKG's header, size and Ed25519ph signature against PUB (32 bytes).\n"
    "Exit status 0 when the package is intact and signed by PUB's key, 1 otherwise.\n";

/* Reads and parses the header; fills the file size. Prints the error and returns != 0. */
static int read_header(const char *cmd, const char *path, struct pkg_header *h, uint64_t *total)
{
    int rc = pkg_header_read_file(path, h, total);
    if (rc == PKG_E_IO)
        return pkg_tool_fail(cmd, rc, "cannot read '%s'", path);
    if (rc)
        return pkg_tool_fail(cmd, rc, "'%s' has no valid package header", path);
    return 0;
}

static const char *sig_state(int rc)
{
    switch (rc) {
    case PKG_OK:
        return "valid";
    case PKG_E_SIZE:
        return "size_mismatch";
    default:
        return "invalid";
    }
}

int pkg_cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"pub", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    const char *pub_path = NULL;
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(inspect_usage, stdout);
            return PKG_TOOL_OK;
        case 'j':
            json = true;
            break;
        case 'p':
            pub_path = optarg;
            break;
        default:
            return pkg_tool_bad_option("inspect", c, argv);
        }
    }
    if (argc - optind != 1)
        return pkg_tool_usage_error("inspect", "expected one package");
    const char *path = argv[optind];
    uint8_t pub[PKG_PUBKEY_LEN];
    if (pub_path) {
        int rc = pkg_key_load_public(pub_path, pub);
        if (rc)
            return pkg_tool_fail("inspect", rc, "cannot use public key '%s'", pub_path);
    }
    struct pkg_header h;
    uint64_t total;
    if (read_header("inspect", path, &h, &total))
        return PKG_TOOL_FAIL;
    int vrc = PKG_OK;
    const char *state = "unchecked";
    if (pub_path) {
        struct pkg_header again;
        vrc = pkg_verify_file(path, pub, &again);
        if (vrc == PKG_E_IO)
            return pkg_tool_fail("inspect", vrc, "cannot read '%s'", path);
        state = sig_state(vrc);
    }
    int wrc = json ? pkg_header_write_json(stdout, &h, total, state)
                   : pkg_header_write_text(stdout, &h, total, state);
    if (json && !wrc && fputc('\n', stdout) == EOF)
        wrc = PKG_E_IO;
    if (wrc || fflush(stdout) != 0)
        return pkg_tool_fail("inspect", PKG_E_IO, "cannot write to standard output");
    if (vrc)
        return pkg_tool_fail("inspect", vrc, "'%s' does not verify with '%s'", path, pub_path);
    return PKG_TOOL_OK;
}

int pkg_cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"pub", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    const char *pub_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(verify_usage, stdout);
            return PKG_TOOL_OK;
        case 'p':
            pub_path = optarg;
            break;
        default:
            return pkg_tool_bad_option("verify", c, argv);
        }
    }
    if (argc - optind != 1)
        return pkg_tool_usage_error("verify", "expected one package");
    if (!pub_path)
        return pkg_tool_usage_error("verify", "missing --pub PUB");
    uint8_t pub[PKG_PUBKEY_LEN];
    int rc = pkg_key_load_public(pub_path, pub);
    if (rc)
        return pkg_tool_fail("verify", rc, "cannot use public key '%s'", pub_path);
    struct pkg_header h;
    rc = pkg_verify_file(argv[optind], pub, &h);
    if (rc)
        return pkg_tool_fail("verify", rc, "'%s' does not verify", argv[optind]);
    printf("%s: %s package for %s, %s%s%s, signature valid\n", argv[optind],
           h.kind == PKG_KIND_FULL ? "full" : "delta", h.product, h.src_version,
           h.kind == PKG_KIND_DELTA ? " -> " : "", h.dst_version);
    return PKG_TOOL_OK;
}
