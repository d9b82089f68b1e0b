/* larafw-pkg image: synthetic firmware images and their successors. */
#define _DEFAULT_SOURCE
#include "pkg_tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line saying what was written, so scripts and people see the identity of the image. */
static int report(const char *path)
{
    struct pkg_image_info info;
    int rc = pkg_image_info_file(path, &info);
    if (rc)
        return pkg_tool_fail("image", rc, "cannot read back '%s'", path);
    printf("%s: %s %s, %llu bytes, sha256 ", path, info.product, info.version,
           (unsigned long long)info.size);
    for (int i = 0; i < PKG_SHA256_LEN; i++)
        printf("%02x", info.sha256[i]);
    putchar('\n');
    return PKG_TOOL_OK;
}

static const char usage[] =
    "Usage: larafw-pkg image --product P --version V --size BYTES [--seed N] -o IMG\n"
    "       larafw-pkg image --version V2 --from IMG --change PERCENT [--seed N]\n"
    "                        [--product P] -o IMG2\n\n"
    "Synthesises a firmware image with a version record (product, version) at byte 256 and\n"
    "code-like content. With --from, makes a successor of IMG: same product (an explicit\n"
    "--product must agree), new version, about PERCENT % of the bytes changed by scattered\n"
    "edits, a few moved blocks and a little growth.\n\n"
    "  --size BYTES    4096 .. 256M; K, M, G suffixes are powers of 1024\n"
    "  --seed N        content seed (default 1); same inputs give the same image\n"
    "  --change P      0 .. 100 (a decimal number)\n"
    "  -o, --output F  the image to write (atomically)\n";

int pkg_cmd_image(int argc, char **argv)
{
    enum { OPT_PRODUCT = 1, OPT_VERSION, OPT_SIZE, OPT_SEED, OPT_FROM, OPT_CHANGE };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"product", required_argument, NULL, OPT_PRODUCT},
                                         {"version", required_argument, NULL, OPT_VERSION},
                                         {"size", required_argument, NULL, OPT_SIZE},
                                         {"seed", required_argument, NULL, OPT_SEED},
                                         {"from", required_argument, NULL, OPT_FROM},
                                         {"change", required_argument, NULL, OPT_CHANGE},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "image", *product = NULL, *version = NULL, *from = NULL, *out = NULL;
    const char *size_arg = NULL, *change_arg = NULL;
    uint64_t size = 0, seed = 1;
    double change = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return PKG_TOOL_OK;
        case OPT_PRODUCT:
            product = optarg;
            break;
        case OPT_VERSION:
            version = optarg;
            break;
        case OPT_SIZE:
            size_arg = optarg;
            if (!pkg_tool_parse_u64(optarg, true, &size))
                return pkg_tool_usage_error(cmd, "--size wants a byte count: '%s'", optarg);
            break;
        case OPT_SEED:
            if (!pkg_tool_parse_u64(optarg, false, &seed))
                return pkg_tool_usage_error(cmd, "--seed wants a number: '%s'", optarg);
            break;
        case OPT_FROM:
            from = optarg;
            break;
        case OPT_CHANGE: {
            char *end;
            errno = 0;
            change_arg = optarg;
            change = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(change >= 0.0 && change <= 100.0))
                return pkg_tool_usage_error(cmd, "--change wants a percentage 0..100: '%s'",
                                            optarg);
            break;
        }
        case 'o':
            out = optarg;
            break;
        default:
            return pkg_tool_bad_option(cmd, c, argv);
        }
    }
    if (optind != argc)
        return pkg_tool_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!out)
        return pkg_tool_usage_error(cmd, "missing -o IMG");
    if (!version)
        return pkg_tool_usage_error(cmd, "missing --version");
    if (strlen(version) >= PKG_NAME_MAX || (product && strlen(product) >= PKG_NAME_MAX))
        return pkg_tool_usage_error(cmd, "product and version are at most %d characters",
                                    PKG_NAME_MAX - 1);
    int rc;
    if (from) {
        if (size_arg)
            return pkg_tool_usage_error(cmd, "--size does not go with --from");
        if (!change_arg)
            return pkg_tool_usage_error(cmd, "--from needs --change PERCENT");
        struct pkg_image_info info;
        rc = pkg_image_info_file(from, &info);
        if (rc)
            return pkg_tool_fail(cmd, rc, "cannot read image '%s'", from);
        if (product && strcmp(product, info.product) != 0) {
            fprintf(stderr,
                    "larafw-pkg image: --product %s disagrees with '%s', which is for %s\n"
                    "hint: a successor keeps its product; drop --product or fix it\n",
                    product, from, info.product);
            return PKG_TOOL_FAIL;
        }
        rc = pkg_image_successor(from, version, change, seed, out);
        if (rc)
            return pkg_tool_fail(cmd, rc, "cannot write successor image '%s'", out);
        return report(out);
    }
    if (change_arg)
        return pkg_tool_usage_error(cmd, "--change needs --from IMG");
    if (!product)
        return pkg_tool_usage_error(cmd, "missing --product");
    if (!size_arg)
        return pkg_tool_usage_error(cmd, "missing --size");
    if (size < 4096 || size > ((uint64_t)256 << 20))
        return pkg_tool_usage_error(cmd, "--size must be 4096 .. 256M");
    struct pkg_image_params p = {product, version, size, seed};
    rc = pkg_image_synth(&p, out);
    if (rc == PKG_E_ARG)
        return pkg_tool_usage_error(cmd, "product and version must be printable ASCII");
    if (rc)
        return pkg_tool_fail(cmd, rc, "cannot write image '%s'", out);
    return report(out);
}
