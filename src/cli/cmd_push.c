/* larafw push PKG: AT+UDWNFILE=<name>,<size>,"FOAT" and the raw bytes (§4.2.3). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "larafw/fota.h"
#include "session.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int lfw_cmd_push(struct lfw_session *s)
{
    const struct lfw_cli_opts *o = s->opts;
    const char *name = o->name ? o->name : base_name(o->pkg);
    if (!*name || strlen(name) >= LFW_FOTA_NAME_MAX || strchr(name, '"'))
        return lfw_session_error(s, LFW_EXIT_USAGE, -1,
                                 "'%s' cannot be a module file name (1..%d characters, no '\"'); "
                                 "give one with --name",
                                 name, LFW_FOTA_NAME_MAX - 1);
    struct lfw_posix_file file;
    int rc = lfw_posix_file_open(&file, o->pkg);
    if (rc < 0)
        return lfw_session_error(
            s, LFW_EXIT_IO, -1,
            "cannot read the package %s: %s; give the path of a delta "
            "package",
            o->pkg, rc == LFW_POSIX_E_ARG ? "not a non-empty regular file" : strerror(errno));
    struct lfw_source src;
    if (lfw_posix_source_init(&src, &file) < 0) {
        lfw_posix_file_close(&file);
        return lfw_session_error(s, LFW_EXIT_USAGE, -1, "%s is larger than 4 GiB; check the file",
                                 o->pkg);
    }
    struct lfw_info info;
    rc = lfw_session_info(s, &info, 0);
    if (rc) {
        lfw_posix_file_close(&file);
        return rc;
    }
    lfw_session_say(s, "module: %s, firmware %s", lfw_session_product(s, &info), info.version);
    lfw_session_say(s, "storing %s (%llu bytes) as \"%s\"", o->pkg, (unsigned long long)file.size,
                    name);

    struct lfw_proc_config pc;
    lfw_session_proc(s, &pc, info.product);
    struct lfw_error e;
    lfw_error_clear(&e);
    rc = lfw_fota_push(&pc, name, &src, &e);
    lfw_posix_file_close(&file);
    lfw_progress_finish(&s->progress);
    if (rc != 0)
        return lfw_session_fail(s, "storing the package", rc, &e);
    lfw_session_json_result(s, "push", -1, info.version, NULL);
    lfw_session_say(s, "stored; install it with 'larafw install'");
    return LFW_EXIT_OK;
}
