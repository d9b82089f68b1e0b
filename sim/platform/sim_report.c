/* --report FILE: the JSON timeline of the module's life — commands received, URCs, phases,
 * faults, compliance notes (§5.7, §5.8.3) — with module-time stamps. The file is a JSON
 * array that is valid after every event: each event overwrites the closing "]" and writes a
 * new one after it (one pwrite per event, no fsync: a SIGKILL leaves the page cache intact).
 * A later power-up on the same FILE continues the same array. No secret goes in: the parts'
 * redact hooks hide passwords in command lines (sim_dispatch.c) and every event's text loses
 * the credentials of its URLs ("user:pw" before the "@" becomes three stars). The file is 0600. */
#define _DEFAULT_SOURCE
#include "sim_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_REPORT_TAIL     "\n]\n"
#define SIM_REPORT_TAIL_LEN 3

static int sim_report_pwrite(int fd, const char *buf, size_t len, off_t off)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, buf, len, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

int sim_report_open(struct sim *s, const char *path)
{
    s->report_fd = -1;
    s->report_path = path;
    if (!path)
        return 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "larafw-sim: --report %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "larafw-sim: --report %s: not a regular file\n", path);
        close(fd);
        return -1;
    }
    /* a report of an earlier version may be readable by others: the timeline stays private */
    if ((st.st_mode & 077) && fchmod(fd, 0600) != 0) {
        fprintf(stderr, "larafw-sim: --report %s: chmod 600: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    char tail[SIM_REPORT_TAIL_LEN];
    if (st.st_size >= 4 &&
        pread(fd, tail, sizeof tail, st.st_size - SIM_REPORT_TAIL_LEN) == SIM_REPORT_TAIL_LEN &&
        memcmp(tail, SIM_REPORT_TAIL, SIM_REPORT_TAIL_LEN) == 0) {
        /* continue the timeline of an earlier power cycle */
        s->report_end = st.st_size - SIM_REPORT_TAIL_LEN;
        s->report_seq = st.st_size > 4 ? 1 : 0;
    } else {
        if (ftruncate(fd, 0) != 0 || sim_report_pwrite(fd, "[" SIM_REPORT_TAIL, 4, 0) != 0) {
            fprintf(stderr, "larafw-sim: --report %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        s->report_end = 1;
        s->report_seq = 0;
    }
    s->report_fd = fd;
    return 0;
}

void sim_report_close(struct sim *s)
{
    if (s->report_fd >= 0) {
        (void)fsync(s->report_fd);
        close(s->report_fd);
    }
    s->report_fd = -1;
}

static bool sim_url_end(char c)
{
    return c == '/' || c == '"' || c == ' ' || c == ',' || c == ';' || c == '?' || c == '#' ||
           c == '\'' || c == '>' || c == '\\' || (unsigned char)c < 0x20 || c == 0x7f;
}

void sim_redact_url_userinfo(char *text)
{
    for (char *p = strstr(text, "://"); p; p = strstr(p, "://")) {
        char *a = p + 3, *e = a, *at = NULL;
        while (*e && !sim_url_end(*e)) {
            if (*e == '@')
                at = e;
            e++;
        }
        if (at && at > a) {
            size_t n = (size_t)(at - a);
            if (n >= 3) {
                memcpy(a, "***", 3);
                memmove(a + 3, at, strlen(at) + 1);
            } else {
                memset(a, '*', n);
            }
        }
        p = a;
    }
}

/* Appends `text` as a JSON string body (escaped; bytes >= 0x80 as \u00XX). */
static size_t sim_json_escape(char *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && n + 7 < cap; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return n;
}

void sim_report(struct sim *s, const char *kind, const char *fmt, ...)
{
    if (s->report_fd < 0 || s->report_failed)
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    int tn = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (tn < 0)
        return;
    sim_redact_url_userinfo(text);
    char esc_kind[64], esc_text[sizeof text * 6 + 1];
    sim_json_escape(esc_kind, sizeof esc_kind, kind ? kind : "note");
    sim_json_escape(esc_text, sizeof esc_text, text);
    size_t cap = strlen(esc_text) + 256;
    char *ev = malloc(cap);
    if (!ev)
        return;
    int n = snprintf(
        ev, cap, "%s{\"t_ms\":%llu,\"boot\":%u,\"kind\":\"%s\",\"text\":\"%s\"}" SIM_REPORT_TAIL,
        s->report_seq ? ",\n" : "\n", (unsigned long long)sim_now_ms(s), (unsigned)s->st.boot_count,
        esc_kind, esc_text);
    if (n < 0 || (size_t)n >= cap) {
        free(ev);
        return;
    }
    if (sim_report_pwrite(s->report_fd, ev, (size_t)n, s->report_end) != 0) {
        fprintf(stderr, "larafw-sim: --report %s: %s; reporting stops\n", s->report_path,
                strerror(errno));
        s->report_failed = true;
    } else {
        s->report_end += (off_t)n - SIM_REPORT_TAIL_LEN;
        s->report_seq++;
    }
    free(ev);
}
