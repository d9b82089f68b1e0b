/* The platform's walks over a module's parts table (struct sim_part in sim.h): power, the
 * main loop, command lookup, report redaction, install results. The table itself is above
 * the platform (sim_parts.c); the platform reaches it through s->parts only. */
#include "sim_platform.h"

#include <poll.h>
#include <string.h>

#define SIM_EACH_PART(s, p)                                                                        \
    for (const struct sim_part *const *p##_it = (s)->parts; p##_it && (p = *p##_it) != NULL;       \
         p##_it++)

void sim_parts_reset(struct sim *s)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (p->reset)
            p->reset(s);
    }
}

void sim_parts_power_up(struct sim *s)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (p->power_up)
            p->power_up(s);
    }
}

void sim_parts_power_down(struct sim *s)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (p->power_down)
            p->power_down(s);
    }
}

int sim_parts_poll_setup(struct sim *s, struct pollfd *fds, int max, uint64_t *timeout_module_ms,
                         int counts[SIM_PARTS_MAX])
{
    int used = 0, i = 0;
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (i == SIM_PARTS_MAX)
            break;
        counts[i] = 0;
        int room = p->fds_max < max - used ? p->fds_max : max - used;
        if (p->poll_setup && room >= 0)
            counts[i] = p->poll_setup(s, fds + used, room, timeout_module_ms);
        used += counts[i++];
    }
    return used;
}

void sim_parts_service(struct sim *s, const struct pollfd *fds, const int counts[SIM_PARTS_MAX])
{
    int used = 0, i = 0;
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (i == SIM_PARTS_MAX)
            break;
        if (p->service)
            p->service(s, fds + used, counts[i]);
        used += counts[i++];
    }
}

const struct sim_cmd *sim_parts_cmd_find(const struct sim *s, const char *name)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        for (const struct sim_cmd *c = p->cmds; c && c->name; c++) {
            if (strcmp(c->name, name) == 0)
                return c;
        }
    }
    return NULL;
}

void sim_parts_redact(const struct sim *s, char *line)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (p->redact)
            p->redact(line);
    }
}

void sim_parts_install_result(struct sim *s, enum sim_install_method m, int code)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        bool started = (p->installs & (1u << m)) != 0;
        bool its_package = m == SIM_INSTALL_FOTA && p->download != SIM_DL_NONE &&
                           p->download == s->st.fota_pkg_source;
        if (p->install_result && (started || its_package))
            p->install_result(s, m, code);
    }
}

bool sim_parts_host_may_install(const struct sim *s)
{
    const struct sim_part *p;
    SIM_EACH_PART(s, p)
    {
        if (p->download != SIM_DL_NONE && p->download == s->st.fota_pkg_source &&
            p->host_may_install)
            return p->host_may_install(s);
    }
    return true;
}
