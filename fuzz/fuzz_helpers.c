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
    fprintf(f, "%s: sink reached in %llu of %llu executions (%.4f)\n", stats_target, (unsigned long long)stats_reached,
            (unsigned long long)stats_execs, frac);
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

/* ---- decoder memory: a few blocks kept between inputs (ASan builds) ---- */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_POOL 1
#endif
#endif

static size_t alloc_live;

size_t fuzz_alloc_live(void)
{
    return alloc_live;
}

#ifdef FUZZ_POOL
#include <sanitizer/asan_interface.h>

/* A decoder holds at most four blocks (context, staging, probe, expanded
 * buffer); more than the slots go to plain malloc. */
#define POOL_SLOTS 8
#define ASAN_FILL_BYTE 0xbe /* ASan's malloc_fill_byte and max_malloc_fill_size */
#define ASAN_FILL_MAX 4096

static struct slot {
    unsigned char *p;
    size_t cap;
    int used;
} pool[POOL_SLOTS];

/* The free slot that fits `size` most tightly, else the free slot with the
 * smallest block (refilled), else -1. */
static int pool_pick(size_t size)
{
    int fit = -1, any = -1;
    for (int i = 0; i < POOL_SLOTS; i++) {
        if (pool[i].used)
            continue;
        if (pool[i].p && pool[i].cap >= size && (fit < 0 || pool[i].cap < pool[fit].cap))
            fit = i;
        if (any < 0 || pool[i].cap < pool[any].cap)
            any = i;
    }
    return fit >= 0 ? fit : any;
}

static void *pool_alloc(void *user, size_t size)
{
    (void)user;
    int i = pool_pick(size ? size : 1);
    if (i < 0) {
        void *p = malloc(size);
        alloc_live += p != NULL;
        return p;
    }
    struct slot *s = &pool[i];
    if (!s->p || s->cap < size) {
        if (s->p) {
            ASAN_UNPOISON_MEMORY_REGION(s->p, s->cap);
            free(s->p);
        }
        s->cap = size ? size : 1;
        s->p = malloc(s->cap);
        if (!s->p) {
            s->cap = 0;
            return NULL;
        }
    }
    s->used = 1;
    alloc_live++;
    ASAN_UNPOISON_MEMORY_REGION(s->p, size);
    ASAN_POISON_MEMORY_REGION(s->p + size, s->cap - size);
    memset(s->p, ASAN_FILL_BYTE, size < ASAN_FILL_MAX ? size : ASAN_FILL_MAX);
    return s->p;
}

static void pool_free(void *user, void *ptr)
{
    (void)user;
    if (!ptr)
        return;
    for (int i = 0; i < POOL_SLOTS; i++) {
        if (pool[i].p == ptr) {
            FUZZ_ASSERT_MSG(pool[i].used, "decoder freed a block twice");
            pool[i].used = 0;
            ASAN_POISON_MEMORY_REGION(pool[i].p, pool[i].cap);
            alloc_live--;
            return;
        }
    }
    free(ptr); /* a block from the malloc fallback; ASan checks this free */
    alloc_live--;
}

static const struct etwhf_allocator pool_allocator = {pool_alloc, pool_free, NULL};

const struct etwhf_allocator *fuzz_allocator(void)
{
    return &pool_allocator;
}
#else
const struct etwhf_allocator *fuzz_allocator(void)
{
    return NULL; /* no ASan: plain malloc is cheap, and MSan sees fresh blocks as uninitialised */
}
#endif
