/* Progress display: a bar redrawn in place on a terminal, plain lines otherwise, JSON events
 * with --json. Formatting is separate from drawing so that tests check the text. */
#include "cli_util.h"

#include <stdio.h>
#include <string.h>

void lfw_fmt_rate(char *buf, size_t cap, double bps)
{
    if (bps < 0)
        bps = 0;
    if (bps < 1000.0)
        snprintf(buf, cap, "%.0f B/s", bps);
    else if (bps < 100e3)
        snprintf(buf, cap, "%.1f kB/s", bps / 1e3);
    else if (bps < 1e6)
        snprintf(buf, cap, "%.0f kB/s", bps / 1e3);
    else
        snprintf(buf, cap, "%.2f MB/s", bps / 1e6);
}

void lfw_fmt_duration(char *buf, size_t cap, long s)
{
    if (s < 0) {
        snprintf(buf, cap, "--:--");
        return;
    }
    long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
    if (h > 0)
        snprintf(buf, cap, "%ld:%02ld:%02ld", h, m, sec);
    else
        snprintf(buf, cap, "%ld:%02ld", m, sec);
}

/* Clamps a running length after an snprintf into `line` (returned the length it wanted). */
static size_t progress_advance(size_t n, int w, size_t cap)
{
    if (w > 0)
        n += (size_t)w;
    return n < cap ? n : cap - 1;
}

size_t lfw_progress_format(char *buf, size_t cap, const char *phase, int percent, int bar_width,
                           double bytes_per_s, long eta_s)
{
    char line[512];
    size_t n = 0;
    n = progress_advance(n, snprintf(line, sizeof line, "%-10s", phase ? phase : ""), sizeof line);
    if (percent >= 0)
        n = progress_advance(
            n, snprintf(line + n, sizeof line - n, " %3d%%", percent > 100 ? 100 : percent),
            sizeof line);
    else
        n = progress_advance(n, snprintf(line + n, sizeof line - n, "    ?"), sizeof line);
    if (bar_width > 2 && bar_width < 200 && n + (size_t)bar_width + 1 < sizeof line) {
        int inner = bar_width - 2;
        int fill = percent > 0 ? (percent >= 100 ? inner : percent * inner / 100) : 0;
        line[n++] = ' ';
        line[n++] = '[';
        for (int i = 0; i < inner; i++)
            line[n++] = i < fill ? '#' : '.';
        line[n++] = ']';
        line[n] = '\0';
    }
    if (bytes_per_s >= 0) {
        char r[32];
        lfw_fmt_rate(r, sizeof r, bytes_per_s);
        n = progress_advance(n, snprintf(line + n, sizeof line - n, " %10s", r), sizeof line);
    }
    if (eta_s >= 0) {
        char d[32];
        lfw_fmt_duration(d, sizeof d, eta_s);
        n = progress_advance(n, snprintf(line + n, sizeof line - n, "  ETA %s", d), sizeof line);
    }
    /* the caller's buffer may be shorter than the line: cut there, report the full length */
    if (cap > 0) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(buf, line, k);
        buf[k] = '\0';
    }
    return n;
}

void lfw_progress_init(struct lfw_progress *p, enum lfw_progress_mode mode, FILE *out, int width)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->out = out;
    p->width = width > 20 ? width : 80;
    p->percent = -1;
    p->last_printed_pct = -1;
    p->rate = -1;
}

static void json_event(struct lfw_progress *p, const char *phase, int percent, uint64_t bytes,
                       uint64_t total, int result_code)
{
    char buf[512];
    struct lfw_json j;
    lfw_json_begin(&j, buf, sizeof buf);
    lfw_json_str(&j, "event", "progress");
    lfw_json_str(&j, "phase", phase);
    lfw_json_int(&j, "percent", percent);
    lfw_json_int(&j, "bytes", (long long)bytes);
    lfw_json_int(&j, "total", (long long)total);
    if (p->rate >= 0)
        lfw_json_int(&j, "bytes_per_s", (long long)(p->rate + 0.5));
    if (result_code >= 0)
        lfw_json_int(&j, "result_code", result_code);
    else
        lfw_json_str(&j, "result_code", NULL);
    const char *s = lfw_json_end(&j);
    if (s) {
        fprintf(p->out, "%s\n", s);
        fflush(p->out);
    }
}

void lfw_progress_event(struct lfw_progress *p, const char *phase, int percent, uint64_t bytes,
                        uint64_t total, int result_code, uint64_t now_ms)
{
    if (p->mode == LFW_PROGRESS_QUIET)
        return;
    bool new_phase = strcmp(p->phase, phase) != 0;
    if (new_phase) {
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->phase_t0_ms = now_ms;
        p->rate_t0_ms = now_ms;
        p->rate_b0 = bytes;
        p->rate = -1;
        p->last_printed_pct = -1;
        p->percent = -1;
    }
    if (total > 0 && now_ms > p->rate_t0_ms + 200 && bytes >= p->rate_b0)
        p->rate = (double)(bytes - p->rate_b0) * 1000.0 / (double)(now_ms - p->rate_t0_ms);
    long eta = -1;
    if (total > 0 && p->rate > 0 && bytes <= total)
        eta = (long)((double)(total - bytes) / p->rate + 0.5);
    else if (total == 0 && percent > 0 && percent < 100 && now_ms > p->phase_t0_ms)
        eta = (long)((now_ms - p->phase_t0_ms) * (uint64_t)(100 - percent) / (uint64_t)percent /
                     1000u);
    bool pct_changed = percent != p->percent;
    p->percent = percent;

    switch (p->mode) {
    case LFW_PROGRESS_JSON:
        if (new_phase || pct_changed || result_code >= 0)
            json_event(p, phase, percent, bytes, total, result_code);
        break;
    case LFW_PROGRESS_LINES: {
        int step = percent < 0 ? -1 : percent / 10;
        if (!new_phase && result_code < 0 && step == p->last_printed_pct)
            break;
        p->last_printed_pct = step;
        char line[256];
        lfw_progress_format(line, sizeof line, phase, percent, 0, total ? p->rate : -1.0, -1);
        if (result_code >= 0)
            fprintf(p->out, "%s  result %d\n", line, result_code);
        else
            fprintf(p->out, "%s\n", line);
        fflush(p->out);
        break;
    }
    case LFW_PROGRESS_TTY: {
        if (!new_phase && !pct_changed && now_ms < p->last_draw_ms + 100)
            break;
        p->last_draw_ms = now_ms;
        int bar = p->width - 44;
        if (bar > 50)
            bar = 50;
        char line[512];
        lfw_progress_format(line, sizeof line, phase, percent, bar, total ? p->rate : -1.0, eta);
        /* \r and erase-to-end redraw the same line */
        fprintf(p->out, "\r%s\033[K", line);
        fflush(p->out);
        p->drawn = true;
        break;
    }
    case LFW_PROGRESS_QUIET:
        break;
    }
}

void lfw_progress_finish(struct lfw_progress *p)
{
    if (p->mode == LFW_PROGRESS_TTY && p->drawn) {
        fputc('\n', p->out);
        fflush(p->out);
        p->drawn = false;
    }
}
