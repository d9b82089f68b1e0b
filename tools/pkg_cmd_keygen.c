/* larafw-pkg keygen DIR */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: larafw-pkg keygen DIR\n\n"
    "Creates an Ed25519 key pair for signing packages:\n"
    "  DIR/fota.sec  64 raw bytes, the secret key (mode 0600; keep it private)\n"
    "  DIR/fota.pub  32 raw bytes, the public key the module is provisioned with\n"
    "DIR is created (mode 0700) when it does not exist.\n"
    "An existing DIR/fota.sec is never overwritten.\n";

/* mkdir -p with mode 0700 for what it creates. 0, or -1 with errno. */
static int make_dirs(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

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
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "larafw-pkg keygen: cannot create directory '%s': %s\n", dir,
                strerror(errno));
        return PKG_TOOL_FAIL;
    }
    int rc = pkg_keygen(dir);
    if (rc == PKG_E_IO && errno == EEXIST)
        return pkg_tool_fail("keygen", rc,
                             "%s/fota.sec already exists (remove it first to make a new key)", dir);
    if (rc)
        return pkg_tool_fail("keygen", rc, "cannot create keys in '%s' (is it writable?)", dir);
    printf("wrote %s/fota.sec and %s/fota.pub\n", dir, dir);
    return PKG_TOOL_OK;
}
