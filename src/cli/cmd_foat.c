/* larafw foat PKG: AT+UFWUPD=3 + XMODEM-1K, then validation and install by URC (§3). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "larafw/foat.h"
#include "session.h"

int lfw_cmd_foat(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    struct lfw_posix_file file;
    int rc = lfw_posix_file_open(&file, o->pkg);
    if (rc < 0)
        return lfw_session_error(
            s, LFW_EXIT_IO, -1, "cannot read the package %s: %s; give the path of a .upd file",
            o->pkg, rc == LFW_POSIX_E_ARG ? "not a non-empty regular file" : strerror(errno));
    struct lfw_source src;
    if (lfw_posix_source_init(&src, &file) < 0) {
        lfw_posix_file_close(&file);
        return lfw_session_error(s, LFW_EXIT_USAGE, -1,
                                 "%s is larger than 4 GiB; no module package is that big: "
                                 "check the file",
                                 o->pkg);
    }

    struct lfw_info info;
    rc = lfw_session_info(s, &info, 0);
    if (rc) {
        lfw_posix_file_close(&file);
        return rc;
    }
    lfw_session_say(s, "module: %s, firmware %s", lfw_session_product(s, &info), info.version);
    lfw_session_say(s, "sending %s (%llu bytes) by XMODEM%s%s%s", o->pkg,
                    (unsigned long long)file.size, o->xmodem_128 ? "" : "-1K",
                    o->checksum ? " with checksum" : "", o->usb ? " over USB" : "");

    char new_version[LFW_INFO_TEXT_MAX] = "";
    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, info.product);
    pc.no_urcs = o->usb;
    pc.version_out = new_version;
    pc.version_out_size = sizeof new_version;

    static uint8_t block[LFW_XMODEM_BUF_1K_2]; /* next block prepared while one is sent */
    struct lfw_foat_config fc = {
        .proc = &pc,
        .block_buf = block,
        .block_buf_size = sizeof block,
        .block_size = o->xmodem_128 ? 128 : 1024,
    };
    struct lfw_error e;
    lfw_error_clear(&e);
    rc = lfw_foat_run(&fc, &src, &e);
    lfw_posix_file_close(&file);
    lfw_progress_finish(&s->progress);
    if (rc != 0)
        return lfw_session_fail(s, "FOAT update", rc, &e);

    return lfw_session_done(s, "foat", e.result_code, info.version, new_version);
}
