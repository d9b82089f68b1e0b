/* --at-log FILE: every byte each way with millisecond timestamps (§5.10), one entry per line
 * of text, in printable form. XMODEM blocks and +UDWNFILE data are summarised, secrets are
 * redacted (redact.c).
 *
 *   2026-11-25 12:00:01.234 >> AT+CGMR\r
 *   2026-11-25 12:00:01.240 << \r\n
 *   2026-11-25 12:00:01.240 << LARA-R6001D-01B-0001\r\n
 *   2026-11-25 12:00:09.100 >> [1029 bytes XMODEM block 7]
 *   2026-11-25 12:00:09.120 << <ACK>
 */
#define _DEFAULT_SOURCE
#include "cli_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SOH 0x01
#define STX 0x02
#define EOT 0x04
#define ACK 0x06
#define NAK 0x15
#define CAN 0x18

uint64_t lfw_atlog_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

size_t lfw_escape_bytes(const uint8_t *buf, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char tmp[8];
        const char *s = tmp;
        uint8_t c = buf[i];
        switch (c) {
        case '\r':
            s = "\\r";
            break;
        case '\n':
            s = "\\n";
            break;
        case '\t':
            s = "\\t";
            break;
        case '\\':
            s = "\\\\";
            break;
        case SOH:
            s = "<SOH>";
            break;
        case STX:
            s = "<STX>";
            break;
        case EOT:
            s = "<EOT>";
            break;
        case ACK:
            s = "<ACK>";
            break;
        case NAK:
            s = "<NAK>";
            break;
        case CAN:
            s = "<CAN>";
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                tmp[0] = (char)c;
                tmp[1] = '\0';
            } else {
                snprintf(tmp, sizeof tmp, "\\x%02x", c);
            }
        }
        size_t k = strlen(s);
        if (n + k >= cap)
            break;
        memcpy(out + n, s, k);
        n += k;
    }
    out[n] = '\0';
    return n;
}

static void stamp(char *buf, size_t cap, uint64_t t_ms)
{
    time_t sec = (time_t)(t_ms / 1000u);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03u", (unsigned)(t_ms % 1000u));
}

static void entry(struct lfw_atlog *l, uint64_t t_ms, const char *dir, const char *text)
{
    if (!l->f)
        return;
    char ts[40];
    stamp(ts, sizeof ts, t_ms);
    fprintf(l->f, "%s %s %s\n", ts, dir, text);
}

/* Logs a text run: redacted first, then escaped. `secret` (per direction) says that the last
 * run of this direction was cut inside a secret value (host output between two reads, a note):
 * this run's text up to the closing quote is the rest of that secret and is logged as ***. */
static void text_entry(struct lfw_atlog *l, uint64_t t_ms, const char *dir, const char *buf,
                       size_t len, bool *secret)
{
    char red[1024];
    size_t n = 0;
    if (*secret) {
        size_t i = 0;
        while (i < len && buf[i] != '"' && buf[i] != '\r' && buf[i] != '\n')
            i++;
        *secret = i == len;
        memcpy(red, "***", 3);
        n = 3 + lfw_redact(buf + i, len - i, red + 3, sizeof red - 3);
    } else {
        n = lfw_redact(buf, len, red, sizeof red);
        /* a line cut before its end whose redaction is still open: "+UFTP: 3,\"***" */
        bool cut = len > 0 && buf[len - 1] != '\n' && buf[len - 1] != '\r';
        *secret = cut && n >= 4 && n < sizeof red && memcmp(red + n - 4, "\"***", 4) == 0;
    }
    if (n >= sizeof red)
        n = sizeof red - 1;
    char esc[4096];
    lfw_escape_bytes((const uint8_t *)red, n, esc, sizeof esc);
    entry(l, t_ms, dir, esc);
}

/* AT+UDWNFILE=<name>,<size>[,<tag>]: the size of the raw data that follows the prompt. */
static void arm_raw(struct lfw_atlog *l, const char *line, size_t len)
{
    const char *cmd = "AT+UDWNFILE=";
    size_t k = strlen(cmd);
    if (len < k || strncasecmp(line, cmd, k) != 0)
        return;
    size_t i = k;
    bool quoted = false;
    while (i < len && (quoted || line[i] != ',')) {
        if (line[i] == '"')
            quoted = !quoted;
        i++;
    }
    if (i >= len)
        return;
    uint64_t size = 0;
    bool any = false;
    for (i++; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
        size = size * 10u + (uint64_t)(line[i] - '0');
        any = true;
    }
    if (any) {
        l->raw_armed = true;
        l->raw_expect = size;
    }
}

static void flush_tx(struct lfw_atlog *l)
{
    if (!l->tx_len)
        return;
    text_entry(l, l->tx_t, ">>", l->tx, l->tx_len, &l->tx_secret);
    arm_raw(l, l->tx, l->tx_len);
    l->tx_len = 0;
}

static void flush_rx(struct lfw_atlog *l)
{
    if (!l->rx_len)
        return;
    text_entry(l, l->rx_t, "<<", l->rx, l->rx_len, &l->rx_secret);
    l->rx_len = 0;
}

void lfw_atlog_attach(struct lfw_atlog *l, FILE *f)
{
    memset(l, 0, sizeof *l);
    l->f = f;
    l->crc = true;
}

int lfw_atlog_open(struct lfw_atlog *l, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    lfw_atlog_attach(l, f);
    /* line buffered: a log that survives a crash or a kill is the point of it */
    setvbuf(f, NULL, _IOLBF, 0);
    fprintf(f, "# larafw AT log; >> host to module, << module to host, -- host note; "
               "times UTC\n");
    return 0;
}

/* More than a few bytes that are neither printable ASCII nor CR/LF/TAB in the first 64. */
static bool looks_binary(const uint8_t *buf, size_t len)
{
    size_t odd = 0, n = len < 64 ? len : 64;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c >= 0x7f)
            odd++;
    }
    return odd * 8 > n;
}

void lfw_atlog_tx(struct lfw_atlog *l, const uint8_t *buf, size_t len, uint64_t t_ms)
{
    if (!l || !l->f)
        return;
    flush_rx(l);
    size_t i = 0;
    while (i < len) {
        uint8_t c = buf[i];
        if (l->blk_need) {
            size_t take = len - i;
            if (take > l->blk_need - l->blk_have)
                take = l->blk_need - l->blk_have;
            if (l->blk_have < 2 && l->blk_have + take >= 2)
                l->blk_no = buf[i + (1 - l->blk_have)];
            l->blk_have += take;
            i += take;
            if (l->blk_have == l->blk_need) {
                char s[80];
                snprintf(s, sizeof s, "[%zu bytes XMODEM block %u]", l->blk_need, l->blk_no);
                entry(l, l->blk_t, ">>", s);
                l->blk_need = 0;
            }
            continue;
        }
        if (l->raw_left) {
            size_t take = len - i;
            if (take > l->raw_left)
                take = (size_t)l->raw_left;
            l->raw_left -= take;
            i += take;
            char s[96];
            snprintf(s, sizeof s, "[%zu bytes +UDWNFILE data, %llu to go]", take,
                     (unsigned long long)l->raw_left);
            entry(l, t_ms, ">>", s);
            continue;
        }
        if (l->tx_len == 0 && (c == SOH || c == STX)) {
            l->blk_need = (c == SOH ? 128u : 1024u) + 3u + (l->crc ? 2u : 1u);
            l->blk_have = 0;
            l->blk_t = t_ms;
            continue;
        }
        if (l->tx_len == 0 && len - i >= 16 && looks_binary(buf + i, len - i)) {
            /* data we did not recognise: summarised too, never dumped */
            char s[64];
            snprintf(s, sizeof s, "[%zu bytes data]", len - i);
            entry(l, t_ms, ">>", s);
            break;
        }
        if (l->tx_len == 0 && (c == EOT || c == CAN || c == ACK || c == NAK)) {
            char s[8];
            lfw_escape_bytes(&c, 1, s, sizeof s);
            entry(l, t_ms, ">>", s);
            i++;
            continue;
        }
        if (l->tx_len == 0)
            l->tx_t = t_ms;
        l->tx[l->tx_len++] = (char)c;
        i++;
        if (c == '\r' || c == '\n' || l->tx_len == sizeof l->tx)
            flush_tx(l);
    }
}

void lfw_atlog_rx(struct lfw_atlog *l, const uint8_t *buf, size_t len, uint64_t t_ms)
{
    if (!l || !l->f)
        return;
    flush_tx(l);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        /* the prompt may follow the echo's CR without a line feed */
        bool at_line_start =
            l->rx_len == 0 || l->rx[l->rx_len - 1] == '\r' || l->rx[l->rx_len - 1] == '\n';
        if (l->raw_armed && c == '>' && at_line_start) {
            flush_rx(l);
            entry(l, t_ms, "<<", ">");
            l->raw_armed = false;
            l->raw_left = l->raw_expect;
            continue;
        }
        bool lone_c = c == 'C' && (i + 1 == len || buf[i + 1] == 'C' || buf[i + 1] == NAK);
        if (l->rx_len == 0 && (c == ACK || c == NAK || c == CAN || lone_c)) {
            /* receiver control characters; 'C' asks for CRC-16, NAK at the start for the
             * checksum (§3.1) */
            if (c == 'C')
                l->crc = true;
            else if (c == NAK && l->blk_no == 0)
                l->crc = false;
            char s[8];
            lfw_escape_bytes(&c, 1, s, sizeof s);
            entry(l, t_ms, "<<", s);
            continue;
        }
        if (l->rx_len == 0)
            l->rx_t = t_ms;
        l->rx[l->rx_len++] = (char)c;
        if (c == '\n' || l->rx_len == sizeof l->rx)
            flush_rx(l);
    }
}

void lfw_atlog_note(struct lfw_atlog *l, uint64_t t_ms, const char *fmt, ...)
{
    if (!l || !l->f)
        return;
    flush_tx(l);
    flush_rx(l);
    char s[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    entry(l, t_ms, "--", s);
}

void lfw_atlog_close(struct lfw_atlog *l)
{
    if (!l || !l->f)
        return;
    flush_tx(l);
    flush_rx(l);
    if (l->keep_open)
        fflush(l->f);
    else
        fclose(l->f);
    l->f = NULL;
}
