/* The resume record of `larafw fota`: which FTP/HTTP download this port had running when
 * larafw last stopped (power cut of the module, larafw killed). A few key=value lines, written
 * atomically so that a kill at any moment leaves the old or the new record, never a torn one.
 * The password is never in it (lfw_net_url_public). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_net.h"

/* FNV-1a, 64 bits: a short stable name for the port path. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

int lfw_fota_state_path(const char *port, const char *override, char *out, size_t cap)
{
    if (override) {
        snprintf(out, cap, "%s", override);
        return 0;
    }
    /* The port as given, made absolute but not resolved: larafw-sim's link points to a new
     * /dev/pts/N at every start, a udev name stays the same. */
    char abs[4096];
    if (port[0] == '/') {
        snprintf(abs, sizeof abs, "%s", port);
    } else {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd))
            return -1;
        snprintf(abs, sizeof abs, "%s/%s", cwd, port);
    }
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    unsigned long long h = (unsigned long long)fnv1a(abs);
    if (xdg && xdg[0] == '/')
        snprintf(out, cap, "%s/larafw/fota-%016llx.state", xdg, h);
    else if (home && home[0])
        snprintf(out, cap, "%s/.local/state/larafw/fota-%016llx.state", home, h);
    else
        return -1;
    return 0;
}

/* Copies a field of the state file; a value longer than the field makes the file invalid
 * (it was not written by lfw_fota_state_save) rather than a silently shortened URL. */
static int fota_state_field(char *dst, size_t cap, const char *value)
{
    size_t len = strlen(value);
    if (len >= cap)
        return -1;
    memcpy(dst, value, len + 1);
    return 0;
}

int lfw_fota_state_load(const char *path, struct lfw_fota_state *st)
{
    memset(st, 0, sizeof *st);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[512];
    int bad = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "kind=", 5) == 0)
            bad |= fota_state_field(st->kind, sizeof st->kind, line + 5);
        else if (strncmp(line, "url=", 4) == 0)
            bad |= fota_state_field(st->url, sizeof st->url, line + 4);
        else if (strncmp(line, "started=", 8) == 0)
            st->started = strtoll(line + 8, NULL, 10);
    }
    fclose(f);
    if (bad) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    return st->kind[0] && st->url[0] ? 1 : -1;
}

/* mkdir -p of the directory part of `path`. */
static int make_dirs(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(dir, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static void sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int lfw_fota_state_save(const char *path, const struct lfw_fota_state *st)
{
    if (make_dirs(path) < 0)
        return -1;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "# larafw fota: a download to resume (removed once it succeeded)\n"
                     "kind=%s\nurl=%s\nstarted=%lld\n",
                     st->kind, st->url, st->started);
    bool ok = n > 0 && (size_t)n < sizeof text && write(fd, text, (size_t)n) == n;
    ok = ok && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    sync_dir(path);
    return 0;
}

int lfw_fota_state_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return -1;
    sync_dir(path);
    return 0;
}
