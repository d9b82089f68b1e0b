/* FOTA from the host: push with AT+UDWNFILE (§4.2.3), install with AT+UFWINSTALL (§4.3). */
#include <string.h>

#include "larafw/fota.h"
#include "proc_internal.h"
#include "util.h"

/* Bytes per write while streaming after the '>' prompt (stack, not static). */
#define PUSH_CHUNK 128u

static bool name_ok(const char *name)
{
    size_t n = 0;
    for (; name[n] != '\0'; n++) {
        if (name[n] == '"' || (unsigned char)name[n] < 0x20u || n >= LFW_FOTA_NAME_MAX) {
            return false;
        }
    }
    return n > 0;
}

/* Streams exactly pkg->size bytes after the prompt. */
static int stream(struct lfw_proc_run *r, const struct lfw_source *pkg)
{
    uint8_t chunk[PUSH_CHUNK];
    uint32_t offset = 0;
    int last_percent = 0;
    while (offset < pkg->size) {
        uint32_t left = pkg->size - offset;
        size_t n = left < PUSH_CHUNK ? (size_t)left : PUSH_CHUNK;
        int got = pkg->read(pkg->user, offset, chunk, n);
        if (got < 0 || (size_t)got != n) {
            /* The module waits for the promised size; nothing we can send makes it valid. */
            return LFW_ESOURCE;
        }
        int rc = lfw_at_write_raw(r->at, chunk, n);
        if (rc != 0) {
            return rc; /* LFW_EIO, or LFW_ECANCELED from the port */
        }
        offset += (uint32_t)n;
        int percent = lfw_proc_percent(offset, pkg->size);
        if (percent != last_percent || offset == pkg->size) {
            last_percent = percent;
            if (lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, percent, offset, pkg->size, -1) != 0) {
                return LFW_ECANCELED;
            }
        }
    }
    return 0;
}

static int push(struct lfw_proc_run *r, const char *name, const struct lfw_source *pkg)
{
    char cmd[LFW_FOTA_NAME_MAX + 40];
    size_t pos = 0;
    (void)lfw_str_append(cmd, sizeof cmd, &pos, "AT+UDWNFILE=\"");
    (void)lfw_str_append(cmd, sizeof cmd, &pos, name);
    (void)lfw_str_append(cmd, sizeof cmd, &pos, "\",");
    (void)lfw_str_append_u32(cmd, sizeof cmd, &pos, pkg->size);
    (void)lfw_str_append(cmd, sizeof cmd, &pos, ",\"FOAT\"");
    int rc = lfw_at_send(r->at, cmd);
    if (rc == 0) {
        rc = lfw_at_wait_prompt(r->at, r->t.prompt_ms);
    }
    if (rc != 0) {
        return rc;
    }
    (void)lfw_proc_emit(r, LFW_PHASE_DOWNLOAD, 0, 0, pkg->size, -1);
    rc = stream(r, pkg);
    if (rc != 0) {
        return rc;
    }
    return lfw_at_wait_final(r->at, NULL, NULL, NULL, 0, r->t.final_ok_ms);
}

int lfw_fota_push(const struct lfw_proc_config *proc, const char *name,
                  const struct lfw_source *pkg, struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = lfw_proc_begin(&r, proc, err, LFW_FOTA_INSTALL_MAX_MS);
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    if (name == NULL || !name_ok(name) || pkg == NULL || pkg->read == NULL || pkg->size == 0) {
        return lfw_proc_end(&r, LFW_EINVAL);
    }
    uint32_t fast = proc->transfer_baud != r.base_baud ? proc->transfer_baud : 0;
    if (fast != 0) {
        rc = lfw_proc_set_rate(&r, fast); /* §4.2.3: AT+IPR=3000000 where supported */
        if (rc != 0) {
            return lfw_proc_end(&r, rc);
        }
    }
    rc = push(&r, name, pkg);
    if (fast != 0) {
        int back = lfw_proc_set_rate(&r, r.base_baud);
        if (rc == 0) {
            rc = back;
        }
    }
    if (rc == 0) {
        (void)lfw_proc_emit(&r, LFW_PHASE_DONE, 100, pkg->size, pkg->size, -1);
    }
    return lfw_proc_end(&r, rc);
}

int lfw_fota_install(const struct lfw_proc_config *proc, uint32_t urc_baud, struct lfw_error *err)
{
    struct lfw_proc_run r;
    int rc = lfw_proc_begin(&r, proc, err, 0);
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    if (proc->timeouts.install_ms == 0) {
        /* Validation + install of a delta: the product's FOAT bound (§3.1) but at least the
         * 20 min of §5.5 Table 4. */
        uint32_t product_ms = r.product->install_max_ms;
        r.t.install_ms =
            product_ms > LFW_FOTA_INSTALL_MAX_MS ? product_ms : LFW_FOTA_INSTALL_MAX_MS;
    }
    uint32_t baud = urc_baud != 0 ? urc_baud : LFW_BAUD_FACTORY;
    char cmd[40];
    size_t pos = 0;
    (void)lfw_str_append(cmd, sizeof cmd, &pos, "AT+UFWINSTALL=1,");
    (void)lfw_str_append_u32(cmd, sizeof cmd, &pos, baud);
    /* §4.3: "+CME ERROR: operation not allowed" when no package is there. */
    rc = lfw_at_cmd(r.at, cmd, NULL, NULL, 0, r.t.cmd_ms);
    if (rc != 0) {
        return lfw_proc_end(&r, rc);
    }
    (void)lfw_proc_emit(&r, LFW_PHASE_VALIDATION, 0, 0, 0, -1);
    rc = lfw_proc_finish_install(&r, "+UFWINSTALL:", baud, 0);
    return lfw_proc_end(&r, rc);
}
