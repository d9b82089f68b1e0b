/* LwM2M payload formats of the simulated module's client (OMA-TS-LightweightM2M-V1_0 §6.4):
 * LwM2M JSON (11543, also the +ULWM2MREAD / +ULWM2MWRITE text of §5.6) and plain text (0).
 * OMA-TLV (11542) is the codec shared with the server, src/lwm2m/lwm2m_tlv.h; the mapping of
 * struct sim_lwm2m_value onto it is in sim_lwm2m_req.c. Pure functions on caller buffers: no
 * libcoap, no module state, so that tests/fuzz/sim_lwm2m.c can feed them anything. */
#ifndef LARAFW_SIM_LWM2M_DATA_H
#define LARAFW_SIM_LWM2M_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_LWM2M_CF_TEXT   0
#define SIM_LWM2M_CF_LINK   40
#define SIM_LWM2M_CF_OPAQUE 42
#define SIM_LWM2M_CF_TLV    11542
#define SIM_LWM2M_CF_JSON   11543

enum sim_lwm2m_type {
    SIM_LV_NONE = 0,
    SIM_LV_INT,
    SIM_LV_STR,
    SIM_LV_BOOL,
    SIM_LV_OBJLNK, /* i = (object << 16) | instance */
    SIM_LV_MULTI,  /* multiple resource of integers: multi[0..nmulti) */
};

#define SIM_LWM2M_STR_MAX   512 /* the longest string resource (Package URI: 255 in OMA) */
#define SIM_LWM2M_MULTI_MAX 4

/* One resource value. */
struct sim_lwm2m_value {
    uint16_t id;
    enum sim_lwm2m_type type;
    int64_t i;
    char s[SIM_LWM2M_STR_MAX]; /* NUL-terminated; SIM_LV_STR */
    size_t slen;
    int64_t multi[SIM_LWM2M_MULTI_MAX];
    unsigned nmulti;
};

/* ---- plain text ---- */
/* Writes the text form of a single value into out (NUL-terminated). Returns its length or -1. */
int sim_text_put(char *out, size_t cap, const struct sim_lwm2m_value *v);
/* Parses a text payload into `v` of `type`. 0 or -1. */
int sim_text_value(const uint8_t *buf, size_t len, enum sim_lwm2m_type type,
                   struct sim_lwm2m_value *v);

/* ---- LwM2M JSON ({"bn": "/1/10/", "e": [{"n": "0", "v": 721}, …]}, §5.6) ---- */
/* Writes the JSON of `n` values under base name `bn`. Returns the length or -1. */
int sim_json_put(char *out, size_t cap, const char *bn, const struct sim_lwm2m_value *vals,
                 size_t n);
/* One entry of a JSON payload: its full path (bn + n) and value, untyped. */
struct sim_json_entry {
    char path[64];
    bool is_num, is_bool, is_str;
    int64_t num;
    bool b;
    char str[SIM_LWM2M_STR_MAX];
};
typedef int (*sim_json_fn)(void *user, const struct sim_json_entry *e);
/* Parses a JSON payload; calls fn for every entry (stops at its first non-zero return,
 * which is returned). Returns 0, the callback's value, or -1 for malformed JSON. */
int sim_json_parse(const char *buf, size_t len, sim_json_fn fn, void *user);

/* ---- paths ---- */
/* Parses "/3/0/1" (leading slash optional, trailing slash allowed) into ids[]. Returns the
 * number of ids (0..3), or -1. */
int sim_lwm2m_path(const char *p, size_t len, uint16_t ids[3]);

#endif
