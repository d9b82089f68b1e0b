/* larafw info: product, firmware version, IMEI (AT+CGMR, ATI, AT+CGMM, AT+CGSN). */
#include <stdio.h>
#include <string.h>

#include "session.h"

/* ATI answers several lines; the first one is enough for a summary. */
static void first_line(const char *in, char *out, size_t cap)
{
    size_t n = strcspn(in, "\r\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

int lfw_cmd_info(struct lfw_session *s)
{
    struct lfw_info info;
    int rc = lfw_session_info(s, &info, 0);
    if (rc)
        return rc;
    const char *product = lfw_session_product(s, &info);
    if (s->opts->json) {
        char buf[1024];
        struct lfw_json j;
        lfw_json_begin(&j, buf, sizeof buf);
        lfw_json_str(&j, "firmware", info.version);
        lfw_json_str(&j, "product", product);
        lfw_json_str(&j, "model", info.model);
        lfw_json_str(&j, "product_class", info.product->name);
        lfw_json_str(&j, "imei", info.imei);
        lfw_json_str(&j, "ident", info.ident);
        const char *t = lfw_json_end(&j);
        if (t)
            printf("%s\n", t);
        return LFW_EXIT_OK;
    }
    char ident[LFW_INFO_TEXT_MAX];
    first_line(info.ident, ident, sizeof ident);
    printf("product: %s\n", product);
    if (info.model[0])
        printf("model: %s\n", info.model);
    printf("product class: %s\n", info.product->name);
    printf("firmware: %s\n", info.version);
    printf("imei: %s\n", info.imei[0] ? info.imei : "(not reported)");
    if (s->opts->verbosity > 0)
        printf("ident: %s\n", info.ident);
    else if (ident[0])
        printf("ident: %s\n", ident);
    return LFW_EXIT_OK;
}
