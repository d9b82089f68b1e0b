/* larafw-pkg apply: what a module does at install, on files (tests, debugging). */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "Usage: larafw-pkg apply PKG [--source IMG] [--pub PUB] -o OUT\n\n"
    "Applies PKG and writes the resulting image to OUT (atomically, only when its SHA-256\n"
    "matches the package's target). A delta needs --source, the image it was built from.\n"
    "With --pub the signature is checked first.\n";

/* Streams the package into a temporary file beside `out`, renamed only on success. */
static int apply_to(const char *pkg, const char *src, const char *out)
{
    size_t len = strlen(out);
    char *tmp = malloc(len + sizeof ".tmp.XXXXXX");
    if (!tmp)
        return pkg_tool_fail("apply", PKG_E_NOMEM, "cannot apply");
    memcpy(tmp, out, len);
    memcpy(tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    struct pkg_apply a;
    int rc = pkg_apply_open(&a, pkg, src);
    if (rc) {
        free(tmp);
        if (rc == PKG_E_ARG)
            return pkg_tool_usage_error("apply", "'%s' is a delta: give --source IMG", pkg);
        return pkg_tool_fail("apply", rc, "cannot apply '%s'", pkg);
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        pkg_apply_abort(&a);
        rc = pkg_tool_fail("apply", PKG_E_IO, "cannot create a file beside '%s'", out);
        free(tmp);
        return rc;
    }
    static uint8_t buf[1 << 16];
    long n;
    int io_fail = 0;
    while ((n = pkg_apply_step(&a, buf, sizeof buf)) > 0)
        if (pkg_write_all(fd, buf, (size_t)n) != 0) {
            io_fail = 1;
            break;
        }
    if (io_fail || n < 0) {
        int e = errno;
        pkg_apply_abort(&a);
        close(fd);
        unlink(tmp);
        free(tmp);
        errno = e;
        return pkg_tool_fail("apply", io_fail ? PKG_E_IO : (int)n, "cannot apply '%s'", pkg);
    }
    rc = pkg_apply_close(&a);
    if (!rc && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
        rc = PKG_E_IO;
    if (close(fd) != 0 && !rc)
        rc = PKG_E_IO;
    if (!rc && rename(tmp, out) != 0)
        rc = PKG_E_IO;
    if (rc) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        errno = e;
        return pkg_tool_fail("apply", rc, "cannot apply '%s' into '%s'", pkg, out);
    }
    free(tmp);
    return PKG_TOOL_OK;
}

int pkg_cmd_apply(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"source", required_argument, NULL, 's'},
                                         {"pub", required_argument, NULL, 'p'},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *src = NULL, *pub_path = NULL, *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return PKG_TOOL_OK;
        case 's':
            src = optarg;
            break;
        case 'p':
            pub_path = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return pkg_tool_bad_option("apply", c, argv);
        }
    }
    if (argc - optind != 1)
        return pkg_tool_usage_error("apply", "expected one package");
    if (!out)
        return pkg_tool_usage_error("apply", "missing -o OUT");
    const char *pkg = argv[optind];
    if (pub_path) {
        uint8_t pub[PKG_PUBKEY_LEN];
        struct pkg_header h;
        int rc = pkg_key_load_public(pub_path, pub);
        if (rc)
            return pkg_tool_fail("apply", rc, "cannot use public key '%s'", pub_path);
        rc = pkg_verify_file(pkg, pub, &h);
        if (rc)
            return pkg_tool_fail("apply", rc, "'%s' does not verify", pkg);
    }
    return apply_to(pkg, src, out);
}
