/* fuzz_helpers.c — sink-reach counters and the last decode's outcome. */
#include "fuzz_helpers.h"

#include <string.h>
#include <unistd.h>

static const char *stats_target = "?";
static uint64_t stats_execs, stats_reached;
static int stats_registered;

static void stats_write(FILE *f)
{
    double frac = stats_execs ? (double)stats_reached / (double)stats_execs : 0.0;
    fprintf(f, "%s: sink reached in %llu of %llu executions (%.4f)\n", stats_target,
            (unsigned long long)stats_reached, (unsigned long long)stats_execs, frac);
}

static int stats_to_stderr(const char *where)
{
    return !strcmp(where, "1") || !strcmp(where, "stderr");
}

static void stats_report_at_exit(void)
{
    const char *where = getenv("ETWHF_FUZZ_STATS");
    if (where && *where && stats_execs && stats_to_stderr(where))
        stats_write(stderr);
}

/* Rewrites "<prefix>.<pid>" (file mode only). */
static void stats_report(void)
{
    const char *where = getenv("ETWHF_FUZZ_STATS");
    if (!where || !*where || !stats_execs || stats_to_stderr(where))
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s.%ld", where, (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    stats_write(f);
    fclose(f);
}

void fuzz_stats_exec(const char *target, int reached_sink)
{
    if (!stats_registered) {
        stats_registered = 1;
        stats_target = target;
        atexit(stats_report_at_exit);
        atexit(stats_report);
    }
    stats_execs++;
    stats_reached += reached_sink != 0;
    if ((stats_execs & 0xFFFFu) == 0)
        stats_report();
}

static struct fuzz_outcome outcome;

void fuzz_outcome_clear(void)
{
    memset(&outcome, 0, sizeof outcome);
}

void fuzz_outcome_set(const struct fuzz_outcome *o)
{
    outcome = *o;
    outcome.valid = 1;
}

const struct fuzz_outcome *fuzz_outcome_get(void)
{
    return &outcome;
}
