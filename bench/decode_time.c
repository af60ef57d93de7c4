/*
 * decode_time — etwhf's side of the comparison with the Python ETL readers
 * (bench/peer_parse.py): decode time alone, in one process, so that neither
 * the process's start nor the library's loading is counted.
 *
 * Usage: decode_time [--reps N] FILE...
 * For each file: one warm-up decode, then N (default 20) timed decodes, each
 * from open() to etwhf_decode_finish() through etwhf_decode_fd with event and
 * diagnostic callbacks that take every event and diagnostic (what any
 * consumer of the library does before it formats anything). Prints one JSON
 * object per file: file, bytes, records (events_total), heap_events,
 * errors, warnings, seconds (wall, each run), cpu_seconds (process CPU).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etwhf/decode.h"

struct seen {
    uint64_t events, diags;
};

static int on_event(void *user, const struct etwhf_event *ev)
{
    (void)ev;
    ((struct seen *)user)->events++;
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *g)
{
    (void)g;
    ((struct seen *)user)->diags++;
    return 0;
}

static double now(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One decode of path; 0 and *s filled, or -1 with a message. */
static int decode_once(const char *path, struct etwhf_summary *s)
{
    struct seen seen = {0, 0};
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.on_event = on_event;
    o.on_diag = on_diag;
    o.user = &seen;
    int st = 0;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, &st);
    if (!d) {
        fprintf(stderr, "decode_time: etwhf_decoder_new: %s\n", etwhf_strerror(st));
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(path);
        etwhf_decoder_free(d);
        return -1;
    }
    int rc = etwhf_decode_fd(d, fd);
    close(fd);
    *s = *etwhf_decoder_summary(d);
    etwhf_decoder_free(d);
    if (rc != ETWHF_OK) { /* defects in the input are diagnostics, not errors */
        fprintf(stderr, "decode_time: %s: %s\n", path, etwhf_strerror(rc));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int reps = 20, i = 1;
    if (argc > 2 && strcmp(argv[1], "--reps") == 0) {
        reps = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc || reps < 1) {
        fputs("usage: decode_time [--reps N] FILE...\n", stderr);
        return 2;
    }
    for (; i < argc; i++) {
        struct etwhf_summary s;
        printf("{\"file\": \"%s\", \"seconds\": [", argv[i]);
        double cpu[1000];
        int n = reps < 1000 ? reps : 1000;
        for (int r = 0; r <= n; r++) {
            const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            if (decode_once(argv[i], &s) != 0)
                return 1;
            const double w = now(CLOCK_MONOTONIC) - w0;
            if (r) {
                cpu[r - 1] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
                printf("%s%.9f", r > 1 ? ", " : "", w);
            }
        }
        printf("], \"cpu_seconds\": [");
        for (int r = 0; r < n; r++)
            printf("%s%.9f", r ? ", " : "", cpu[r]);
        printf("], \"bytes\": %" PRIu64 ", \"records\": %" PRIu64 ", \"heap_events\": %" PRIu64 ", \"errors\": %" PRIu64
               ", \"warnings\": %" PRIu64 "}\n",
               s.bytes, s.events_total, s.heap_free + s.heap_alloc + s.heap_realloc, s.errors, s.warnings);
    }
    return 0;
}
