/* libFuzzer target: liblarafw's AT channel (line assembly, final codes, URC dispatch, info
 * capture, '>' prompt, raw reads) and the procedures that parse module answers, fed with
 * arbitrary module output in arbitrarily fragmented reads.
 *
 * Input: byte 0 selects the scenario (command, prompt, lines, info, install, FOAT, FTP, HTTP), byte
 * 1 the read fragment size (1…16, 0 = whole), the rest is what the "module" sends. Once it is used
 * up, reads time out and the fake clock jumps by the timeout, so every scenario ends. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "larafw/at.h"
#include "larafw/foat.h"
#include "larafw/fota.h"
#include "larafw/fota_net.h"
#include "larafw/info.h"
#include "larafw/ufota.h"

struct fuzz_port {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t frag;
    uint32_t now;
};

static int fz_write(void *user, const uint8_t *data, size_t len)
{
    (void)user;
    (void)data;
    return (int)len;
}

static int fz_read(void *user, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    struct fuzz_port *p = user;
    if (p->pos == p->len) {
        p->now += timeout_ms;
        return 0;
    }
    size_t n = p->len - p->pos;
    if (p->frag != 0 && n > p->frag) {
        n = p->frag;
    }
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    p->now += 1;
    return (int)n;
}

static uint32_t fz_now(void *user)
{
    const struct fuzz_port *p = user;
    return p->now;
}

static int fz_baud(void *user, uint32_t baud)
{
    (void)user;
    (void)baud;
    return 0;
}

static unsigned urc_count;

static void on_urc(void *user, const char *line)
{
    (void)user;
    urc_count += (unsigned)strlen(line) > 0;
}

static const struct lfw_at_urc urcs[] = {
    {"+UFWINSTALL:", on_urc},
    {"+CEREG:", on_urc},
    {"+", on_urc},
};

static int image_read(void *user, uint32_t offset, uint8_t *buf, size_t len)
{
    (void)user;
    memset(buf, (int)(offset & 0xffu), len);
    return (int)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    struct fuzz_port fp = {data + 2, size - 2, 0, data[1] & 0x0fu, 0xfffff000u};
    struct lfw_port port = {fz_write, fz_read, fz_now, fz_baud, &fp};
    uint8_t line[LFW_AT_BUF_MIN];
    struct lfw_at at;
    struct lfw_at_config ac = {&port, line, sizeof line, urcs, 3, NULL};
    if (lfw_at_init(&at, &ac) != 0) {
        return 0;
    }
    char info[32];
    const char *l = NULL;
    int rc = 0;
    switch (data[0] % 9u) {
    case 0:
        rc = lfw_at_cmd(&at, "AT+CGMR", "", info, sizeof info, 1000);
        break;
    case 1:
        rc = lfw_at_cmd(&at, "AT+UFTP?", "+UFTP:", info, sizeof info, 1000);
        break;
    case 2:
        rc = lfw_at_wait_prompt(&at, 1000);
        if (rc == 0) {
            uint8_t raw[16];
            rc = lfw_at_read_raw(&at, raw, sizeof raw, 10);
        }
        break;
    case 3:
        while ((rc = lfw_at_read_line(&at, 100, &l)) > 0) {
            (void)lfw_at_classify(l, NULL);
            (void)lfw_product_match(l);
            struct lfw_ufota_status st;
            (void)lfw_ufota_parse(l, &st);
        }
        break;
    case 4: {
        struct lfw_info inf;
        rc = lfw_info_read(&at, 500, &inf, NULL);
        break;
    }
    case 5:
    case 6: {
        struct lfw_proc_config pc = {0};
        pc.at = &at;
        pc.timeouts = (struct lfw_timeouts){.cmd_ms = 200,
                                            .foat_prepare_ms = 200,
                                            .xmodem_start_ms = 500,
                                            .xmodem_ack_ms = 200,
                                            .final_ok_ms = 200,
                                            .prompt_ms = 200,
                                            .install_ms = 3000,
                                            .reboot_ms = 2000,
                                            .poll_ms = 100,
                                            .settle_ms = 100,
                                            .download_ms = 1000};
        pc.transfer_baud = (data[1] & 0x10u) ? 921600u : 0u;
        pc.no_urcs = (data[1] & 0x20u) != 0;
        if (data[0] % 9u == 5) {
            struct lfw_error err;
            rc = lfw_fota_install(&pc, 0, &err);
        } else {
            static uint8_t block[LFW_XMODEM_BUF_1K];
            struct lfw_foat_config fc = {&pc, block, sizeof block, (data[1] & 0x40u) ? 128 : 1024,
                                         3};
            struct lfw_source src = {image_read, NULL, 1500};
            rc = lfw_foat_run(&fc, &src, NULL);
        }
        break;
    }
    case 7:
    case 8: {
        struct lfw_proc_config pc = {0};
        pc.at = &at;
        pc.timeouts.cmd_ms = 200;
        pc.timeouts.final_ok_ms = 200;
        pc.timeouts.download_ms = 1000;
        struct lfw_error err;
        char md5[LFW_MD5_HEX_SIZE];
        if (data[0] % 9u == 7) {
            const struct lfw_ftp_server s = {.host = "h", .user = "u", .path = "/f"};
            rc = lfw_fota_ftp_download(&pc, &s, md5, &err);
        } else {
            const struct lfw_http_server s = {.profile = 1, .host = "h", .path = "/f"};
            rc = lfw_fota_http_download(&pc, &s, md5, &err);
        }
        break;
    }
    }
    (void)rc;
    return 0;
}
