/* UCX's log stream as libucs keeps it (ucs/debug/log.c, v1.20.0): UCX_LOG_FILE opened with
 * fopen("w"), so fully buffered; written to disk only when the buffer fills, on ucs_log_flush()
 * (public API), or when the library is unloaded / the process exits. The emulated NIXL loads this
 * as libucs-<hash>.so.0 (pdflow_sim/ucs_log.py), so a script flushes the emulated log exactly as
 * it would the real one.
 * Real UCX has one stream per process; this keeps one per file name, because an emulated Ray may
 * run several actors (each with its own UCX_LOG_FILE) in one process. */
#include <stdio.h>

#define MAX_LOGS 64

static FILE *ucs_log_files[MAX_LOGS];
static int ucs_log_count;

int pdflow_sim_ucs_log_open(const char *path)
{
    FILE *f;

    if (ucs_log_count == MAX_LOGS || (f = fopen(path, "w")) == NULL) {
        return -1;
    }
    ucs_log_files[ucs_log_count] = f;
    return ucs_log_count++;
}

void pdflow_sim_ucs_log_print(int slot, const char *line)
{
    FILE *f = (slot >= 0 && slot < ucs_log_count) ? ucs_log_files[slot] : stdout;

    fprintf(f, "%s\n", line);
}

void ucs_log_flush(void)
{
    int i;

    for (i = 0; i < ucs_log_count; ++i) {
        fflush(ucs_log_files[i]);
    }
}

__attribute__((destructor)) static void ucs_log_cleanup(void)
{
    int i;

    for (i = 0; i < ucs_log_count; ++i) {
        fclose(ucs_log_files[i]);
    }
    ucs_log_count = 0;
}
