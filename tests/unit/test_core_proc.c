/* Unit tests of the procedures (info, FOAT, push, install) against scripted module dialogues
 * (§3.1.1, §4.2.3, §4.3.1.2 examples), including the failures of Appendix A. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_port.h"
#include "larafw/foat.h"
#include "larafw/fota.h"
#include "larafw/info.h"

#define MAX_EVENTS 256

static bool lfw_str_has_newline(const char *s)
{
    return strchr(s, '\n') != NULL;
}

struct fixture {
    struct fake_port *fp;
    struct lfw_at at;
    uint8_t line[LFW_AT_BUF_DEFAULT];
    uint8_t block[LFW_XMODEM_BUF_1K];
    uint8_t image[4096];
    struct lfw_source src;
    struct lfw_proc_config proc;
    struct lfw_foat_config foat;
    struct lfw_event events[MAX_EVENTS];
    int nevents;
    int cancel_at_bytes;
    char version[64];
    struct lfw_error err;
};

static int on_event(void *user, const struct lfw_event *ev)
{
    struct fixture *f = user;
    if (f->nevents < MAX_EVENTS) {
        f->events[f->nevents++] = *ev;
    }
    return f->cancel_at_bytes > 0 && ev->phase == LFW_PHASE_DOWNLOAD &&
           ev->bytes >= (uint32_t)f->cancel_at_bytes;
}

static int image_read(void *user, uint32_t offset, uint8_t *buf, size_t len)
{
    struct fixture *f = user;
    memcpy(buf, f->image + offset, len);
    return (int)len;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.fp = fake_port_new();
    fake_port_set_now(f.fp, 0xffff0000u); /* the clock wraps during every procedure */
    struct lfw_at_config ac = {
        .port = fake_port_port(f.fp), .buf = f.line, .buf_size = sizeof f.line};
    assert_int_equal(lfw_at_init(&f.at, &ac), 0);
    for (size_t i = 0; i < sizeof f.image; i++) {
        f.image[i] = (uint8_t)(i ^ (i >> 3));
    }
    f.src.read = image_read;
    f.src.user = &f;
    f.src.size = 200;
    f.proc.at = &f.at;
    f.proc.product = lfw_product_get(LFW_PRODUCT_R6_01B);
    f.proc.on_event = on_event;
    f.proc.user = &f;
    f.proc.version_out = f.version;
    f.proc.version_out_size = sizeof f.version;
    f.foat.proc = &f.proc;
    f.foat.block_buf = f.block;
    f.foat.block_buf_size = sizeof f.block;
    f.foat.block_size = 128;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    assert_true(fake_port_finish(f->fp));
    return 0;
}

/* Expects one XMODEM block of the image as the sender must write it, then ACKs it. */
static void expect_block(struct fixture *f, uint8_t seq, uint32_t offset, size_t size, bool crc)
{
    uint8_t b[LFW_XMODEM_BUF_1K];
    size_t n = f->src.size - offset < size ? f->src.size - offset : size;
    b[0] = size == 1024 ? LFW_XMODEM_STX : LFW_XMODEM_SOH;
    b[1] = seq;
    b[2] = (uint8_t)~seq;
    memcpy(b + 3, f->image + offset, n);
    memset(b + 3 + n, LFW_XMODEM_PAD, size - n);
    size_t len = 3 + size;
    if (crc) {
        uint16_t c = lfw_xmodem_crc16(0, b + 3, size);
        b[len++] = (uint8_t)(c >> 8);
        b[len++] = (uint8_t)c;
    } else {
        uint8_t sum = 0;
        for (size_t i = 0; i < size; i++) {
            sum = (uint8_t)(sum + b[3 + i]);
        }
        b[len++] = sum;
    }
    fake_port_expect(f->fp, b, len);
    fake_port_read(f->fp, "\x06", 1);
}

/* The FOAT dialogue up to the OK after EOT (§3.1.1, Table 2). */
static void script_foat_transfer(struct fixture *f, bool crc)
{
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, crc ? "\r\n+UFWUPD: ONGOING\r\nC" : "\r\n+UFWUPD: ONGOING\r\n\x15");
    expect_block(f, 1, 0, 128, crc);
    expect_block(f, 2, 128, 128, crc);
    fake_port_expect(f->fp, "\x04", 1);
    fake_port_read(f->fp, "\x06", 1);
    fake_port_read_str(f->fp, "\r\nOK\r\n");
}

/* The module comes back after one unanswered AT poll and reports `version`. */
static void script_reboot(struct fixture *f, const char *version)
{
    fake_port_read_str(f->fp, "\xfe\x00garbage from the reboot\r\n");
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_read_str(f->fp, "AT\r\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    char answer[128];
    snprintf(answer, sizeof answer, "\r\n%s\r\n\r\nOK\r\n", version);
    fake_port_read_str(f->fp, answer);
}

static int count_phase(const struct fixture *f, enum lfw_phase phase)
{
    int n = 0;
    for (int i = 0; i < f->nevents; i++) {
        n += f->events[i].phase == phase;
    }
    return n;
}

static const struct lfw_event *last_event(const struct fixture *f)
{
    assert_true(f->nevents > 0);
    return &f->events[f->nevents - 1];
}

static void test_foat_success(void **state)
{
    struct fixture *f = *state;
    f->proc.expected_version = "LARA-R6.02.00";
    fake_port_set_read_cap(f->fp, 3);
    script_foat_transfer(f, true);
    fake_port_read_str(f->fp, "\r\n+UFWPREVAL: 0\r\n+UFWPREVAL: 7\r\n+UFWPREVAL: 100\r\n"
                              "+UFWUPD: 1\r\n+UFWUPD: 27\r\n+UFWUPD: 100\r\n+UFWUPD: 128\r\n");
    script_reboot(f, "LARA-R6.02.00");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), 0);
    assert_true(fake_port_done(f->fp));
    assert_int_equal(f->err.code, 0);
    assert_int_equal(f->err.result_code, 128);
    assert_string_equal(f->version, "LARA-R6.02.00");
    assert_int_equal(count_phase(f, LFW_PHASE_VALIDATION), 3);
    assert_int_equal(count_phase(f, LFW_PHASE_INSTALL), 3);
    assert_int_equal(count_phase(f, LFW_PHASE_REBOOT), 1);
    assert_true(count_phase(f, LFW_PHASE_DOWNLOAD) >= 2);
    const struct lfw_event *done = last_event(f);
    assert_int_equal(done->phase, LFW_PHASE_DONE);
    assert_int_equal(done->result_code, 128);
    /* the download events end at the full size */
    for (int i = 0; i < f->nevents; i++) {
        if (f->events[i].phase == LFW_PHASE_DOWNLOAD && f->events[i].bytes == 200) {
            assert_int_equal(f->events[i].percent, 100);
            assert_int_equal(f->events[i].total, 200);
        }
    }
}

static void test_foat_checksum_validation_fails(void **state)
{
    struct fixture *f = *state;
    script_foat_transfer(f, false);
    /* §3.1: validation failure → final error code, module back on the old firmware */
    fake_port_read_str(f->fp, "\r\n+UFWPREVAL: 0\r\n+UFWPREVAL: 40\r\n+UFWUPD: 173\r\n");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_EMODULE);
    assert_int_equal(f->err.code, LFW_EMODULE);
    assert_int_equal(f->err.result_code, 173);
    assert_int_equal(last_event(f)->phase, LFW_PHASE_DONE);
    assert_int_equal(last_event(f)->result_code, 173);
    assert_string_equal(lfw_result_str(f->err.result_code),
                        "digital signature does not match the package header (wrong signature "
                        "or corrupt bytes)");
}

static void test_foat_refused(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: 3\r\n");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_ECME);
    assert_int_equal(f->err.cme_code, 3);
    assert_int_equal(f->err.result_code, -1);
}

static void test_foat_no_start_char(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.xmodem_start_ms = 5000; /* overridable: §3.1's 109 s by default */
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, "\r\n+UFWUPD: ONGOING\r\n");
    fake_port_expect(f->fp, "\x18\x18\x18", 3);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_ETIMEDOUT);
    assert_int_equal((uint32_t)(fake_port_now(f->fp) - before), 5000);
}

static void test_foat_error1_after_transfer(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, "\r\n+UFWUPD: ONGOING\r\nC");
    expect_block(f, 1, 0, 128, true);
    expect_block(f, 2, 128, 128, true);
    fake_port_expect(f->fp, "\x04", 1);
    fake_port_read(f->fp, "\x06", 1);
    fake_port_read_str(f->fp, "\r\nTimeout\r\nERROR1\r\n");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_EERROR1);
}

static void test_foat_3m_refused_on_r6004d_00b(void **state)
{
    struct fixture *f = *state;
    f->proc.product = lfw_product_get(LFW_PRODUCT_R6004D_00B);
    f->proc.transfer_baud = 3000000;
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_ENOTSUP);
    size_t n = 0;
    (void)fake_port_written(f->fp, &n);
    assert_int_equal(n, 0); /* refused before a byte went out */
}

static void test_foat_fast_rate(void **state)
{
    struct fixture *f = *state;
    f->proc.transfer_baud = 3000000;
    fake_port_expect_str(f->fp, "AT+IPR=3000000\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    script_foat_transfer(f, true);
    fake_port_read_str(f->fp, "+UFWUPD: 50\r\n+UFWUPD: 128\r\n");
    script_reboot(f, "V2");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), 0);
    const uint32_t *bauds = NULL;
    size_t nb = fake_port_bauds(f->fp, &bauds);
    assert_int_equal(nb, 2);
    assert_int_equal(bauds[0], 3000000);
    assert_int_equal(bauds[1], 115200); /* §3.1: URCs at 115200 after the transfer */
}

static void test_foat_no_urcs(void **state)
{
    struct fixture *f = *state;
    f->proc.no_urcs = true; /* USB: §3.1, poll AT until the module is back */
    script_foat_transfer(f, true);
    script_reboot(f, "V3");
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), 0);
    assert_string_equal(f->version, "V3");
    assert_int_equal(f->err.result_code, -1);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) >= 10000u); /* settle time */
}

static void test_foat_caller_cancels(void **state)
{
    struct fixture *f = *state;
    f->cancel_at_bytes = 128;
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    fake_port_read_str(f->fp, "\r\n+UFWUPD: ONGOING\r\nC");
    expect_block(f, 1, 0, 128, true);
    fake_port_expect(f->fp, "\x18\x18\x18", 3);
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_ECANCELED);
}

static void test_foat_install_timeout(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.install_ms = 60000;
    script_foat_transfer(f, true);
    fake_port_read_str(f->fp, "+UFWUPD: 10\r\n");
    fake_port_jump(f->fp, 30000);
    fake_port_read_str(f->fp, "+UFWUPD: 20\r\n");
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_ETIMEDOUT);
    assert_int_equal(f->err.result_code, -1);
}

static void test_push_success(void **state)
{
    struct fixture *f = *state;
    f->src.size = 300;
    fake_port_set_read_cap(f->fp, 2);
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"delta.upd\",300,\"FOAT\"\r");
    fake_port_read_str(f->fp, "\r\n>");
    fake_port_expect(f->fp, f->image, 300);
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    assert_int_equal(lfw_fota_push(&f->proc, "delta.upd", &f->src, &f->err), 0);
    assert_int_equal(last_event(f)->phase, LFW_PHASE_DONE);
    int downloads = count_phase(f, LFW_PHASE_DOWNLOAD);
    assert_true(downloads >= 3);
}

static void test_push_fast_rate(void **state)
{
    struct fixture *f = *state;
    f->proc.transfer_baud = 3000000;
    f->proc.product = lfw_product_get(LFW_PRODUCT_L6);
    fake_port_expect_str(f->fp, "AT+IPR=3000000\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"d\",200,\"FOAT\"\r");
    fake_port_read_str(f->fp, "\r\n> ");
    fake_port_expect(f->fp, f->image, 200);
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+IPR=115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    assert_int_equal(lfw_fota_push(&f->proc, "d", &f->src, &f->err), 0);
    const uint32_t *bauds = NULL;
    assert_int_equal(fake_port_bauds(f->fp, &bauds), 2);
    assert_int_equal(bauds[0], 3000000);
    assert_int_equal(bauds[1], 115200);
}

static void test_push_3m_refused_on_l6004(void **state)
{
    struct fixture *f = *state;
    f->proc.transfer_baud = 3000000;
    f->proc.product = lfw_product_get(LFW_PRODUCT_L6004_00B);
    assert_int_equal(lfw_fota_push(&f->proc, "d", &f->src, &f->err), LFW_ENOTSUP);
    assert_int_equal(f->err.code, LFW_ENOTSUP);
}

static void test_push_busy(void **state)
{
    struct fixture *f = *state;
    /* §6: another download in progress */
    fake_port_expect_str(f->fp, "AT+UDWNFILE=\"d\",200,\"FOAT\"\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    assert_int_equal(lfw_fota_push(&f->proc, "d", &f->src, &f->err), LFW_EAT_ERROR);
}

static void test_push_bad_names(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(lfw_fota_push(&f->proc, "", &f->src, &f->err), LFW_EINVAL);
    assert_int_equal(lfw_fota_push(&f->proc, "a\"b", &f->src, &f->err), LFW_EINVAL);
    char longname[LFW_FOTA_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(lfw_fota_push(&f->proc, longname, &f->src, &f->err), LFW_EINVAL);
}

static void test_install_success(void **state)
{
    struct fixture *f = *state;
    fake_port_set_read_cap(f->fp, 4);
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_read_str(f->fp, "+UFWPREVAL: 0\r\n+UFWPREVAL: 100\r\n+UFWINSTALL: 1\r\n"
                              "+UFWINSTALL: 92\r\n+UFWINSTALL: 100\r\n+UFWINSTALL: 128\r\n");
    script_reboot(f, "LARA-R6.03.00");
    assert_int_equal(lfw_fota_install(&f->proc, 0, &f->err), 0);
    assert_int_equal(f->err.result_code, 128);
    assert_string_equal(f->version, "LARA-R6.03.00");
    assert_int_equal(count_phase(f, LFW_PHASE_INSTALL), 3);
    assert_int_equal(last_event(f)->result_code, 128);
}

static void test_install_no_package(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: operation not allowed\r\n");
    assert_int_equal(lfw_fota_install(&f->proc, 115200, &f->err), LFW_ECME);
    assert_int_equal(f->err.cme_code, -1);
    assert_string_equal(f->err.cme_text, "operation not allowed");
}

static void test_install_source_mismatch(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n+UFWPREVAL: 0\r\n+UFWINSTALL: 168\r\n");
    assert_int_equal(lfw_fota_install(&f->proc, 0, &f->err), LFW_EMODULE);
    assert_int_equal(f->err.result_code, 168);
}

static void test_install_wrong_version(void **state)
{
    struct fixture *f = *state;
    f->proc.expected_version = "NEW";
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,921600\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_read_str(f->fp, "+UFWINSTALL: 128\r\n");
    script_reboot(f, "OLD");
    assert_int_equal(lfw_fota_install(&f->proc, 921600, &f->err), LFW_EVERSION);
    assert_string_equal(f->version, "OLD");
    const uint32_t *bauds = NULL;
    assert_int_equal(fake_port_bauds(f->fp, &bauds), 2); /* URCs at 921600, then back */
    assert_int_equal(bauds[0], 921600);
    assert_int_equal(bauds[1], 115200);
}

static void test_install_never_back(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.reboot_ms = 10000;
    f->proc.timeouts.poll_ms = 2500;
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n+UFWINSTALL: 128\r\n");
    for (int i = 0; i < 4; i++) {
        fake_port_expect_str(f->fp, "AT\r");
    }
    assert_int_equal(lfw_fota_install(&f->proc, 0, &f->err), LFW_ENOANSWER);
    assert_true(fake_port_done(f->fp));
}

static void test_install_default_timeouts(void **state)
{
    struct fixture *f = *state;
    /* R6 00B: 65 min (§3.1); nothing comes → timeout exactly then */
    f->proc.product = lfw_product_get(LFW_PRODUCT_R6_00B);
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_fota_install(&f->proc, 0, &f->err), LFW_ETIMEDOUT);
    assert_int_equal((uint32_t)(fake_port_now(f->fp) - before), 65u * 60u * 1000u);
}

static void test_info(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6.01.00\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6001D-01B-00\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI9\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    fake_port_expect_str(f->fp, "AT+CGMM\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6001D\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGSN\r");
    fake_port_read_str(f->fp, "\r\n+CME ERROR: 10\r\n");
    struct lfw_info info;
    assert_int_equal(lfw_info_read(&f->at, 0, &info, &f->err), 0);
    assert_string_equal(info.version, "LARA-R6.01.00");
    assert_string_equal(info.ident, "LARA-R6001D-01B-00");
    assert_string_equal(info.model, "LARA-R6001D");
    assert_string_equal(info.imei, "");
    assert_int_equal(info.product->id, LFW_PRODUCT_R6_01B);
}

static void test_info_ati9(void **state)
{
    struct fixture *f = *state;
    /* ATI names only the type number; ATI9 the product version (docs/simulator.md) */
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6.01.00\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI\r");
    fake_port_read_str(f->fp, "\r\nManufacturer: u-blox\r\nModel: LARA-R6004D\r\nRevision: X"
                              "\r\nSVN: 01\r\nIMEI: 351234567890123\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI9\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6.01.00,LARA-R6004D-01B\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGMM\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6004D\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGSN\r");
    fake_port_read_str(f->fp, "\r\n351234567890123\r\n\r\nOK\r\n");
    struct lfw_info info;
    assert_int_equal(lfw_info_read(&f->at, 0, &info, &f->err), 0);
    assert_string_equal(info.type, "LARA-R6.01.00,LARA-R6004D-01B");
    assert_string_equal(info.imei, "351234567890123");
    assert_int_equal(info.product->id, LFW_PRODUCT_R6_01B);
    assert_true(lfw_str_has_newline(info.ident));
}

static void test_info_no_answer(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    struct lfw_info info;
    assert_int_equal(lfw_info_read(&f->at, 3000, &info, &f->err), LFW_ETIMEDOUT);
    assert_int_equal(f->err.code, LFW_ETIMEDOUT);
}

/* The install wait ends at its deadline while URC lines flood in (a flood never holds a
 * wait open), and a flood of binary bytes is an error at once. */
static void test_install_ends_in_a_flood(void **state)
{
    struct fixture *f = *state;
    f->proc.timeouts.install_ms = 2000;
    fake_port_expect_str(f->fp, "AT+UFWINSTALL=1,115200\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    fake_port_flood(f->fp, "+CEREG: 5\r\nnoise\r\n", 18, 1);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_fota_install(&f->proc, 0, &f->err), LFW_ETIMEDOUT);
    uint32_t waited = fake_port_now(f->fp) - before;
    assert_true(waited >= 2000u && waited <= 2003u);
}

static void test_foat_start_in_a_garbage_flood(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+UFWUPD=3\r");
    static const uint8_t noise[] = {0x00, 0xff, 0x80, 0x13, 'x', '\r', '\n', 0x7f};
    fake_port_flood(f->fp, noise, sizeof noise, 1);
    assert_int_equal(lfw_foat_run(&f->foat, &f->src, &f->err), LFW_EGARBAGE);
    assert_int_equal(f->err.code, LFW_EGARBAGE);
    assert_true(fake_port_flood_reads(f->fp) <= 2u);
}

/* A reply that is no plausible AT answer is an error, not data. */
static void test_info_implausible(void **state)
{
    struct fixture *f = *state;
    struct lfw_info info;
    /* a control byte in the version (too few to be a flood) */
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nLARA\x01R6.01\r\n\r\nOK\r\n");
    assert_int_equal(lfw_info_read(&f->at, 1000, &info, &f->err), LFW_EGARBAGE);
    assert_int_equal(f->err.code, LFW_EGARBAGE);
    /* an IMEI that is not digits */
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6.01.00\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    fake_port_expect_str(f->fp, "ATI9\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    fake_port_expect_str(f->fp, "AT+CGMM\r");
    fake_port_read_str(f->fp, "\r\nLARA-R6001D\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGSN\r");
    fake_port_read_str(f->fp, "\r\n35x521yy\r\n\r\nOK\r\n");
    assert_int_equal(lfw_info_read(&f->at, 1000, &info, &f->err), LFW_EGARBAGE);
    /* OK without any version line */
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\nOK\r\n");
    assert_int_equal(lfw_info_read(&f->at, 1000, &info, &f->err), LFW_EPROTO);
}

/* A URC the channel has no handler for, in the middle of AT+CGMR's answer, is not the
 * version. */
static void test_info_urc_inside_version(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT+CGMR\r");
    fake_port_read_str(f->fp, "\r\n+UFOTASTAT: 0,1,5\r\nLARA-R6.01.00\r\n+CEREG: 1\r\nOK\r\n");
    fake_port_expect_str(f->fp, "ATI\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    fake_port_expect_str(f->fp, "ATI9\r");
    fake_port_read_str(f->fp, "\r\nERROR\r\n");
    fake_port_expect_str(f->fp, "AT+CGMM\r");
    fake_port_read_str(f->fp, "\r\n+CGMM: LARA-R6001D\r\n\r\nOK\r\n");
    fake_port_expect_str(f->fp, "AT+CGSN\r");
    fake_port_read_str(f->fp, "\r\n+ULWM2MSTAT: 1,721,3\r\n351234567890123\r\nOK\r\n");
    struct lfw_info info;
    assert_int_equal(lfw_info_read(&f->at, 1000, &info, &f->err), 0);
    assert_string_equal(info.version, "LARA-R6.01.00");
    assert_string_equal(info.model, "LARA-R6001D");
    assert_string_equal(info.imei, "351234567890123");
}

/* A port asked to stop ends the wait for the module at once. */
static void test_wait_alive_cancelled(void **state)
{
    struct fixture *f = *state;
    fake_port_expect_str(f->fp, "AT\r");
    fake_port_fail_reads_with(f->fp, 1, LFW_ECANCELED);
    uint32_t before = fake_port_now(f->fp);
    assert_int_equal(lfw_info_wait_alive(&f->at, 1000, 60000), LFW_ECANCELED);
    assert_true((uint32_t)(fake_port_now(f->fp) - before) < 1000u);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_foat_success),
        T(test_foat_checksum_validation_fails),
        T(test_foat_refused),
        T(test_foat_no_start_char),
        T(test_foat_error1_after_transfer),
        T(test_foat_3m_refused_on_r6004d_00b),
        T(test_foat_fast_rate),
        T(test_foat_no_urcs),
        T(test_foat_caller_cancels),
        T(test_foat_install_timeout),
        T(test_push_success),
        T(test_push_fast_rate),
        T(test_push_3m_refused_on_l6004),
        T(test_push_busy),
        T(test_push_bad_names),
        T(test_install_success),
        T(test_install_no_package),
        T(test_install_source_mismatch),
        T(test_install_wrong_version),
        T(test_install_never_back),
        T(test_install_default_timeouts),
        T(test_info),
        T(test_info_ati9),
        T(test_info_no_answer),
        T(test_install_ends_in_a_flood),
        T(test_foat_start_in_a_garbage_flood),
        T(test_info_implausible),
        T(test_info_urc_inside_version),
        T(test_wait_alive_cancelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
