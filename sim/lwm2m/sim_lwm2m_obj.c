/* The LwM2M objects of the simulated module (OMA LwM2M 1.0 Appendix E; §5.1, §5.6):
 *   /0/10  security (minimal: server URI, bootstrap flag, mode, short server id)
 *   /1/10  server: short server id 721, lifetime (SRLT), default periods, binding "U"
 *   /3/0   device: manufacturer, model, serial (IMEI), firmware version, reboot
 *   /5/0   firmware update (the application, uFOTA, owns its values: struct sim_lwm2m_app)
 * Data decides: the resource table says which operations a resource allows and its type. */
#define _GNU_SOURCE
#include "sim_lwm2m_coap.h"

#include <stdio.h>
#include <string.h>

const struct sim_lwm2m_inst sim_lwm2m_instances[] = {
    {0, SIM_LWM2M_SERVER_INST, false},
    {1, SIM_LWM2M_SERVER_INST, true},
    {3, 0, true},
    {5, 0, true},
};
const size_t sim_lwm2m_ninstances = sizeof sim_lwm2m_instances / sizeof sim_lwm2m_instances[0];

#define R SIM_OP_R
#define W SIM_OP_W
#define E SIM_OP_E
const struct sim_lwm2m_res sim_lwm2m_resources[] = {
    {0, 0, SIM_LV_STR, R},      /* LwM2M server URI */
    {0, 1, SIM_LV_BOOL, R},     /* bootstrap server */
    {0, 2, SIM_LV_INT, R},      /* security mode: 0 PSK, 3 no security */
    {0, 10, SIM_LV_INT, R},     /* short server id */
    {1, 0, SIM_LV_INT, R},      /* short server id */
    {1, 1, SIM_LV_INT, R | W},  /* lifetime (SRLT, §5.6) */
    {1, 2, SIM_LV_INT, R | W},  /* default minimum period */
    {1, 3, SIM_LV_INT, R | W},  /* default maximum period */
    {1, 4, SIM_LV_NONE, E},     /* disable */
    {1, 5, SIM_LV_INT, R | W},  /* disable timeout */
    {1, 6, SIM_LV_BOOL, R | W}, /* notification storing */
    {1, 7, SIM_LV_STR, R | W},  /* binding */
    {1, 8, SIM_LV_NONE, E},     /* registration update trigger */
    {3, 0, SIM_LV_STR, R},      /* manufacturer */
    {3, 1, SIM_LV_STR, R},      /* model number */
    {3, 2, SIM_LV_STR, R},      /* serial number = IMEI */
    {3, 3, SIM_LV_STR, R},      /* firmware version */
    {3, 4, SIM_LV_NONE, E},     /* reboot */
    {3, 11, SIM_LV_MULTI, R},   /* error codes */
    {3, 16, SIM_LV_STR, R},     /* supported binding and modes */
    {3, 17, SIM_LV_STR, R},     /* device type */
    {3, 19, SIM_LV_STR, R},     /* software version */
    {5, 0, SIM_LV_STR, W},      /* package (push delivery: not supported, /5/0/9 = 0) */
    {5, 1, SIM_LV_STR, R | W},  /* package URI */
    {5, 2, SIM_LV_NONE, E},     /* update */
    {5, 3, SIM_LV_INT, R},      /* state */
    {5, 5, SIM_LV_INT, R},      /* update result */
    {5, 6, SIM_LV_STR, R},      /* package name */
    {5, 7, SIM_LV_STR, R},      /* package version */
    {5, 8, SIM_LV_MULTI, R},    /* firmware update protocol support */
    {5, 9, SIM_LV_INT, R},      /* firmware update delivery method */
};
#undef R
#undef W
#undef E
const size_t sim_lwm2m_nresources = sizeof sim_lwm2m_resources / sizeof sim_lwm2m_resources[0];

const struct sim_lwm2m_res *sim_lwm2m_res_find(uint16_t obj, uint16_t res)
{
    for (size_t k = 0; k < sim_lwm2m_nresources; k++)
        if (sim_lwm2m_resources[k].obj == obj && sim_lwm2m_resources[k].res == res)
            return &sim_lwm2m_resources[k];
    return NULL;
}

bool sim_lwm2m_inst_exists(uint16_t obj, uint16_t inst)
{
    for (size_t k = 0; k < sim_lwm2m_ninstances; k++)
        if (sim_lwm2m_instances[k].obj == obj && sim_lwm2m_instances[k].inst == inst)
            return true;
    return false;
}

static void sim_val_str(struct sim_lwm2m_value *v, const char *s)
{
    snprintf(v->s, sizeof v->s, "%s", s);
    v->slen = strlen(v->s);
}

/* Value of one readable resource. */
static void sim_lwm2m_get(struct sim *s, const struct sim_lwm2m_res *r, struct sim_lwm2m_value *v)
{
    const struct sim_lwm2m *c = s->lwm2m;
    struct sim_lwm2m_fw fw = {0, 0, "", "", ""};
    if (r->obj == 5 && c->app && c->app->fw_get)
        c->app->fw_get(s, &fw);
    memset(v, 0, sizeof *v);
    v->id = r->res;
    v->type = r->type;
    switch (r->obj * 100 + r->res) {
    case 0:
        sim_val_str(v, "coap://lwm2m-fota.services.u-blox.com:5684");
        break;
    case 2:
        v->i = 0;
        break;
    case 10:
    case 100:
        v->i = SIM_LWM2M_SSID;
        break;
    case 101:
        v->i = c->lifetime;
        break;
    case 102:
        v->i = c->pmin;
        break;
    case 103:
        v->i = c->pmax;
        break;
    case 105:
        v->i = c->disable_to;
        break;
    case 106:
        v->i = c->storing;
        break;
    case 107:
        sim_val_str(v, "U"); /* UDP binding only */
        break;
    case 300:
        sim_val_str(v, "u-blox");
        break;
    case 301:
        sim_val_str(v, s->product->model);
        break;
    case 302:
        sim_val_str(v, s->st.imei);
        break;
    case 303:
        sim_val_str(v, s->fw.version);
        break;
    case 311:
        v->nmulti = 1; /* 0: no error */
        break;
    case 316:
        sim_val_str(v, "U");
        break;
    case 317:
        sim_val_str(v, "Module");
        break;
    case 319:
        sim_val_str(v, s->fw.version);
        break;
    case 501:
        sim_val_str(v, fw.uri);
        break;
    case 503:
        v->i = fw.state;
        break;
    case 505:
        v->i = fw.result;
        break;
    case 506:
        sim_val_str(v, fw.pkg_name);
        break;
    case 507:
        sim_val_str(v, fw.pkg_version);
        break;
    case 508:
        v->nmulti = 2; /* 2 HTTP/1.1, 3 HTTPS/1.1 (§5.1: download over HTTP or HTTPS) */
        v->multi[0] = 2;
        v->multi[1] = 3;
        break;
    case 509:
        v->i = 0; /* pull only */
        break;
    default:
        break;
    }
}

int sim_lwm2m_read(struct sim *s, const uint16_t ids[3], int n, struct sim_lwm2m_value *vals,
                   size_t max)
{
    if (n < 1)
        return -405;
    size_t k = 0;
    for (size_t i = 0; i < sim_lwm2m_ninstances; i++) {
        const struct sim_lwm2m_inst *in = &sim_lwm2m_instances[i];
        if (in->obj != ids[0] || (n >= 2 && in->inst != ids[1]))
            continue;
        for (size_t r = 0; r < sim_lwm2m_nresources; r++) {
            const struct sim_lwm2m_res *res = &sim_lwm2m_resources[r];
            if (res->obj != in->obj || (n == 3 && res->res != ids[2]))
                continue;
            if (!(res->ops & SIM_OP_R)) {
                if (n == 3)
                    return -405;
                continue;
            }
            if (k == max)
                return -500;
            sim_lwm2m_get(s, res, &vals[k++]);
        }
        if (n == 3 && k == 0)
            return -404;
        return (int)k;
    }
    return -404;
}

int sim_lwm2m_write(struct sim *s, uint16_t obj, uint16_t inst, const struct sim_lwm2m_value *v)
{
    struct sim_lwm2m *c = s->lwm2m;
    if (!sim_lwm2m_inst_exists(obj, inst))
        return 404;
    const struct sim_lwm2m_res *r = sim_lwm2m_res_find(obj, v->id);
    if (!r)
        return 404;
    if (!(r->ops & SIM_OP_W) || v->type != r->type)
        return r->ops & SIM_OP_W ? 400 : 405;
    switch (obj * 100 + v->id) {
    case 101:
        if (v->i < 1 || v->i > 0x7fffffff)
            return 400;
        if ((uint32_t)v->i != c->lifetime) {
            c->lifetime = (uint32_t)v->i;
            if (c->app && c->app->lifetime_changed)
                c->app->lifetime_changed(s, c->lifetime);
            sim_lwm2m_update(s); /* §5.6: a lifetime change triggers a registration update */
        }
        return 204;
    case 102: /* periods and timeouts are unsigned (OMA LwM2M 1.0 E.2) */
        if (v->i < 0)
            return 400;
        c->pmin = v->i;
        return 204;
    case 103:
        if (v->i < 0)
            return 400;
        c->pmax = v->i;
        return 204;
    case 105:
        if (v->i < 0)
            return 400;
        c->disable_to = v->i;
        return 204;
    case 106:
        c->storing = v->i != 0;
        return 204;
    case 107:
        if (strcmp(v->s, "U") != 0)
            return 400; /* UDP binding only */
        return 204;
    case 500:
        return 405; /* push delivery is not supported (/5/0/9 = 0) */
    case 501:
        return c->app && c->app->fw_write_uri ? c->app->fw_write_uri(s, v->s) : 405;
    default:
        return 405;
    }
}

int sim_lwm2m_execute(struct sim *s, uint16_t obj, uint16_t inst, uint16_t res)
{
    if (!sim_lwm2m_inst_exists(obj, inst))
        return 404;
    const struct sim_lwm2m_res *r = sim_lwm2m_res_find(obj, res);
    if (!r)
        return 404;
    if (!(r->ops & SIM_OP_E))
        return 405;
    switch (obj * 100 + res) {
    case 108:
        sim_lwm2m_update(s);
        return 204;
    case 502:
        return s->lwm2m->app && s->lwm2m->app->fw_execute ? s->lwm2m->app->fw_execute(s) : 405;
    default:
        return 405; /* /1/10/4 disable, /3/0/4 reboot: not offered to a server here */
    }
}

/* Appends the link "</a>", "</a/b>" or "</a/b/c>" (depth 1..3) to out[*u..cap), after a comma
 * unless it is the first; false when it does not fit. */
static bool sim_link_add(char *out, size_t cap, size_t *u, unsigned a, unsigned b, unsigned c,
                         int depth)
{
    int n = depth == 1   ? snprintf(out + *u, cap - *u, "%s</%u>", *u ? "," : "", a)
            : depth == 2 ? snprintf(out + *u, cap - *u, "%s</%u/%u>", *u ? "," : "", a, b)
                         : snprintf(out + *u, cap - *u, "%s</%u/%u/%u>", *u ? "," : "", a, b, c);
    if (n < 0 || (size_t)n >= cap - *u)
        return false;
    *u += (size_t)n;
    return true;
}

int sim_lwm2m_discover(struct sim *s, const uint16_t ids[3], int n, char *out, size_t cap)
{
    size_t u = 0;
    bool found = false;
    if (n < 1 || cap == 0)
        return -400;
    out[0] = '\0';
    for (size_t i = 0; i < sim_lwm2m_ninstances; i++) {
        const struct sim_lwm2m_inst *in = &sim_lwm2m_instances[i];
        if (in->obj != ids[0] || (n >= 2 && in->inst != ids[1]))
            continue;
        if (!found && n == 1 && !sim_link_add(out, cap, &u, in->obj, 0, 0, 1))
            return -500;
        if (n == 2 && !sim_link_add(out, cap, &u, in->obj, in->inst, 0, 2))
            return -500;
        found = true;
        for (size_t k = 0; k < sim_lwm2m_nresources; k++) {
            const struct sim_lwm2m_res *res = &sim_lwm2m_resources[k];
            if (res->obj != in->obj || (n == 3 && res->res != ids[2]))
                continue;
            if (!sim_link_add(out, cap, &u, in->obj, in->inst, res->res, 3))
                return -500;
            if (res->type == SIM_LV_MULTI) {
                /* dim: the number of instances of a multiple resource */
                struct sim_lwm2m_value v;
                sim_lwm2m_get(s, res, &v);
                int m = snprintf(out + u, cap - u, ";dim=%u", v.nmulti);
                if (m < 0 || (size_t)m >= cap - u)
                    return -500;
                u += (size_t)m;
            }
            if (n == 3)
                return (int)u;
        }
    }
    return found && n != 3 ? (int)u : -404;
}
