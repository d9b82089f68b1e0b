/* key=value records in the state directory (DIR/state, DIR/netdl, DIR/ufota): one reader for
 * every part. A record is text, one "key=value" a line; '#' starts a comment line, empty
 * lines are skipped. Writers format their own text and store it with sim_atomic_write(). */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest record read (the biggest, DIR/state, is a few hundred bytes). */
#define SIM_RECORD_MAX 65536

int sim_record_read(const struct sim *s, const char *rel, sim_record_fn fn, void *ud)
{
    char path[PATH_MAX];
    sim_path(s, rel, path, sizeof path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    char *text = malloc(SIM_RECORD_MAX + 1);
    if (!text) {
        fclose(fp);
        errno = ENOMEM;
        return -1;
    }
    size_t n = fread(text, 1, SIM_RECORD_MAX, fp);
    bool bad = ferror(fp) || !feof(fp); /* a read error, or larger than any record */
    fclose(fp);
    if (bad) {
        free(text);
        errno = EIO;
        return -1;
    }
    text[n] = '\0';
    int rc = 0;
    unsigned lineno = 0;
    for (char *line = text, *next; line && *line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *eq = strchr(line, '=');
        if (eq)
            *eq = '\0';
        rc = fn(ud, line, eq ? eq + 1 : NULL, lineno);
    }
    free(text);
    return rc;
}
