/* larafw-pkg: builds, signs, inspects and applies larafw firmware packages. */
#include "pkg_tool.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"keygen", pkg_cmd_keygen, "create an Ed25519 signing key pair (DIR/fota.sec, DIR/fota.pub)"},
    {"image", pkg_cmd_image, "synthesise a firmware image, or a successor of one"},
    {"full", pkg_cmd_full, "build a signed full (FOAT .upd) package from an image"},
    {"delta", pkg_cmd_delta, "build a signed delta (FOTA) package between two images"},
    {"resign", pkg_cmd_resign, "sign a package again, header and payload as they are"},
    {"inspect", pkg_cmd_inspect, "print a package's header (--json for machines)"},
    {"verify", pkg_cmd_verify, "check a package's size and signature"},
    {"apply", pkg_cmd_apply, "apply a package to an image and check the result's hash"},
};

static void usage(FILE *f)
{
    fputs("Usage: larafw-pkg COMMAND [OPTIONS] ...\n\n"
          "Builds and checks larafw firmware packages (docs/package-format.md).\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'larafw-pkg COMMAND --help' describes one command.\n"
          "  -h, --help   this text\n"
          "  --version    print the version of larafw-pkg and its package format\n"
          "Exit status: 0 success, 1 failure, 2 bad usage.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return PKG_TOOL_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return PKG_TOOL_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("larafw-pkg %s (package format %d)\n", LARAFW_VERSION, PKG_FORMAT_VERSION);
        return PKG_TOOL_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            pkg_tool_getopt_reset();
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "larafw-pkg: unknown command '%s'\nTry 'larafw-pkg --help'.\n", argv[1]);
    return PKG_TOOL_USAGE;
}
