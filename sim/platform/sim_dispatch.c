/* Command dispatch: parse a line, find its handler in the parts' command tables, print the final
 * result code the handler asks for. Unknown commands and syntax errors answer "ERROR", as a
 * LARA-R6 does whatever +CMEE says (docs/simulator.md). */
#include "sim_platform.h"

#include <stdio.h>
#include <string.h>

bool sim_param_num(const struct sim_at_cmd *c, int i, long long lo, long long hi)
{
    return i < c->nparams && c->p[i].present && c->p[i].is_num && c->p[i].num >= lo &&
           c->p[i].num <= hi;
}

int sim_param_str(char *dst, size_t cap, const struct sim_at_param *p)
{
    if (!p->present || !p->quoted)
        return SIM_RES_CME(SIM_CME_BAD_PARAMS);
    if (strlen(p->str) >= cap)
        return SIM_RES_CME(SIM_CME_TEXT_TOO_LONG);
    snprintf(dst, cap, "%s", p->str);
    return SIM_RES_OK;
}

/* Prints the final result code for a handler's return value. */
static void sim_dispatch_result(struct sim *s, enum sim_if iface, int res)
{
    if (res == SIM_RES_OK)
        sim_ok(s, iface);
    else if (res == SIM_RES_PENDING)
        return;
    else if (res <= SIM_RES_CME(0))
        sim_cme_error(s, iface, -res - 1000);
    else
        sim_error(s, iface);
}

void sim_dispatch_line(struct sim *s, enum sim_if iface, const char *line, size_t len)
{
    /* The command starts at the first "AT" (V.250: the DCE ignores what comes before). A line
     * without one is ignored, as on the module. */
    size_t start = len;
    for (size_t i = 0; i + 1 < len; i++) {
        if ((line[i] == 'A' || line[i] == 'a') && (line[i + 1] == 'T' || line[i + 1] == 't')) {
            start = i;
            break;
        }
    }
    /* the report gets the printable part only */
    char shown[SIM_AT_LINE_MAX];
    size_t k = 0;
    for (size_t i = start; i < len && k + 1 < sizeof shown; i++) {
        unsigned char c = (unsigned char)line[i];
        shown[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    shown[k] = '\0';
    sim_parts_redact(s, shown); /* no password in the report */
    if (start == len) {
        sim_report(s, "note", "%s: line without AT ignored", sim_if_name(iface));
        return;
    }
    sim_report(s, "cmd", "%s %s", sim_if_name(iface), shown);

    struct sim_at_cmd cmd;
    if (sim_at_parse(line + start, len - start, &cmd) != 0) {
        sim_error(s, iface);
        return;
    }
    if (cmd.name[0] == '\0') {
        sim_ok(s, iface);
        return;
    }
    const struct sim_cmd *c = sim_parts_cmd_find(s, cmd.name);
    if (!c) {
        sim_error(s, iface);
        return;
    }
    sim_dispatch_result(s, iface, c->fn(s, iface, &cmd));
}
