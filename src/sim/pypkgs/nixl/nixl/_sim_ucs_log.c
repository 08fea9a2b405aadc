/* UCX's log stream as libucs keeps it (ucs/debug/log.c, v1.20.0): UCX_LOG_FILE opened with
 * fopen("w"), so fully buffered; written to disk only when the buffer fills, on ucs_log_flush()
 * (public API), or when the library is unloaded / the process exits. The emulated NIXL loads this
 * as libucs-<hash>.so.0 so that a script flushes the emulated log exactly as it would the real one. */
#include <stdio.h>

static FILE *ucs_log_file;

int pdflow_sim_ucs_log_open(const char *path)
{
    if (ucs_log_file == NULL) {
        ucs_log_file = fopen(path, "w");
    }
    return ucs_log_file == NULL ? -1 : 0;
}

void pdflow_sim_ucs_log_print(const char *line)
{
    fprintf(ucs_log_file != NULL ? ucs_log_file : stdout, "%s\n", line);
}

void ucs_log_flush(void)
{
    if (ucs_log_file != NULL) {
        fflush(ucs_log_file);
    }
}

__attribute__((destructor)) static void ucs_log_cleanup(void)
{
    if (ucs_log_file != NULL) {
        fflush(ucs_log_file);
        fclose(ucs_log_file);
        ucs_log_file = NULL;
    }
}
