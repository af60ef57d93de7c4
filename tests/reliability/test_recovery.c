/*
 * test_recovery.c — recovery measured over generated damaged traces.
 *
 *  catalogue   traces from the generator's fault catalogue (every case
 *              faulted, up to 4 faults): the decoder must deliver exactly
 *              the expectation's events, codes and counts (what the manifest
 *              holds), and strict mode its first error.            figure (a)
 *  own         intact generated traces (uncompressed and compressed) with 1–3
 *              damages of damage.h on top: every buffer position the contract
 *              makes computable is compared event by event; in uncompressed
 *              traces whose logfile record survived, every buffer we did not
 *              touch must deliver all its events;                  figure (b)
 *              and the share of each trace's HeapFree events recovered. (c)
 *  layered     catalogue-faulted traces with our damage on top: untouched
 *              buffers deliver exactly what they did before.       figure (b)
 *
 * Every trace's base is cross-checked against the generator's expectation
 * before it is damaged (the oracle is the generator, never the decoder).
 *
 *   test_recovery [--traces N] [--seed S] [--json FILE] [--only ID] [--experiment NAME]
 * N traces per experiment (default 10000). Figures go to stdout (and FILE).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "damage.h"
#include "etwhf/gen.h"
#include "outcome.h"
#include "plan.h"
#include "tally.h"

static uint64_t n_traces = 10000, run_seed = 20240917;
static int64_t only = -1;
static FILE *json_out;

#define LOGFILE_BAD                                                                                                    \
    ((1u << ETWHF_DIAG_LOGFILE_MISSING) | (1u << ETWHF_DIAG_LOGFILE_SHORT) | (1u << ETWHF_DIAG_LOGFILE_BUFFER_SIZE) |  \
     (1u << ETWHF_DIAG_FILE_EMPTY) | (1u << ETWHF_DIAG_FILE_TOO_SHORT))

static char damage_note[512]; /* the damage of the trace being checked, for failure messages */

static void fail_trace(const char *exp, uint64_t id, const char *name, const char *what)
{
    fail_msg("%s trace %llu (%s, seed %llu%s): %s differs; rerun with --experiment %s --only %llu", exp,
             (unsigned long long)id, name, (unsigned long long)run_seed, damage_note, what, exp,
             (unsigned long long)id);
}

static void report_failure(const char *exp, uint64_t id, const struct etwhf_gen_case *c, const char *what)
{
    char name[128] = "?";
    etwhf_gen_case_name(c, id, name, sizeof name);
    fail_trace(exp, id, name, what);
}

static int make_case(struct etwhf_gen_case *c, uint64_t stream, uint64_t id, int faulted)
{
    struct etwhf_gen_options o;
    struct etwhf_dstream ds;
    etwhf_gen_options_init(&o);
    o.layers = ETWHF_GEN_LAYER_BIT(ETWHF_GEN_FILE);
    o.fault_mode = faulted ? ETWHF_GEN_FAULTS_ALL : ETWHF_GEN_FAULTS_NONE;
    o.fault_rate = faulted ? 1000 : 0;
    o.max_faults = ETWHF_GEN_MAX_FAULTS;
    etwhf_dstream_init_seed(&ds, run_seed + stream, id);
    return etwhf_gen_case(&o, &ds, c);
}

/* ---- (a) the catalogue ---------------------------------------------------- */

static void catalogue(void **state)
{
    (void)state;
    struct outcome r = {0}, s = {0};
    struct tally_a a = {0};
    for (uint64_t id = 0; id < n_traces; id++) {
        if (only >= 0 && (uint64_t)only != id)
            continue;
        struct etwhf_gen_case c;
        assert_int_equal(make_case(&c, 0, id, 1), ETWHF_OK);
        oc_decode(&r, c.bytes, c.len, ETWHF_MODE_RECOVER);
        oc_decode(&s, c.bytes, c.len, ETWHF_MODE_STRICT);
        const char *why = oc_differs(&r, &s, &c);
        if (why)
            report_failure("catalogue", id, &c, why);
        tally_catalogue(&a, &c, r.n);
        etwhf_gen_case_free(&c);
    }
    tally_print_a(&a, json_out);
    assert_true(only >= 0 || a.damaged > n_traces * 9 / 10); /* nearly every case carries a fault */
    oc_free(&r);
    oc_free(&s);
}

/* ---- (b), (c): our damage on top ------------------------------------------- */

/* ---- (b), (c): our damage on top ------------------------------------------- */

/* A verified trace to damage; its decode is in scratch.base. */
struct base {
    const uint8_t *bytes;
    size_t len;
    int compressed;
    int intact; /* no error at all: each damage's own rule applies */
    char name[128];
};

struct scratch {
    struct outcome base, got, strict;
    uint8_t *bytes;
};

static void scratch_free(struct scratch *s)
{
    oc_free(&s->base);
    oc_free(&s->got);
    oc_free(&s->strict);
    free(s->bytes);
}

/* Draws 1–3 damages (a cut, if drawn, last: the others land in bytes that
 * exist); returns how many were applied. */
static size_t damage_copy(struct etwhf_dstream *ds, const struct layout *l, const struct base *b, struct scratch *s,
                          struct damage *d, size_t *len)
{
    s->bytes = realloc(s->bytes, b->len);
    assert_non_null(s->bytes);
    memcpy(s->bytes, b->bytes, b->len);
    *len = b->len;
    size_t nd = 1 + (size_t)etwhf_dstream_below(ds, 3), m = 0;
    int kinds[3], cut = 0;
    for (size_t i = 0; i < nd; i++)
        cut |= (kinds[i] = (int)etwhf_dstream_below(ds, DK_KINDS)) == DK_TRUNCATE;
    for (size_t i = 0; i < nd; i++)
        if (kinds[i] != DK_TRUNCATE)
            dmg_apply(&d[m++], kinds[i], ds, l, &s->base, s->bytes, len);
    if (cut)
        dmg_apply(&d[m++], DK_TRUNCATE, ds, l, &s->base, s->bytes, len);
    return m;
}

static int same_events(const struct outcome *a, const struct outcome *b, size_t n)
{
    return n == 0 || memcmp(a->ev, b->ev, n * sizeof *a->ev) == 0;
}

static void damage_one(const char *exp, uint64_t stream, uint64_t id, const struct base *b, struct scratch *s,
                       struct tally_bc *t)
{
    struct layout l;
    if (layout_read(&l, b->bytes, b->len, b->compressed) != 0) {
        t->unframed++;
        return;
    }
    struct etwhf_dstream ds;
    struct damage d[3];
    size_t len;
    etwhf_dstream_init_seed(&ds, run_seed ^ UINT64_C(0x5EED0000DA11A6E5), stream << 40 | id);
    size_t nd = damage_copy(&ds, &l, b, s, d, &len);
    int at = snprintf(damage_note, sizeof damage_note, "; %zu buffers of %llu bytes; damage:", l.n,
                      (unsigned long long)l.stride);
    for (size_t i = 0; i < nd && at > 0 && (size_t)at < sizeof damage_note; i++)
        at += snprintf(damage_note + at, sizeof damage_note - (size_t)at, " %s@%zu[0x%llx,0x%llx)=0x%x",
                       dmg_kind_name(d[i].kind), d[i].buffer, (unsigned long long)d[i].lo, (unsigned long long)d[i].hi,
                       d[i].value);
    oc_decode(&s->got, s->bytes, len, ETWHF_MODE_RECOVER);
    oc_decode(&s->strict, s->bytes, len, ETWHF_MODE_STRICT);
    if (s->got.rc != ETWHF_OK || s->strict.rc != ETWHF_OK)
        fail_trace(exp, id, b->name, "decoder status");
    if (s->strict.n > s->got.n || !same_events(&s->strict, &s->got, s->strict.n))
        fail_trace(exp, id, b->name, "strict events are not a prefix of recover events:");
    for (size_t i = 0; i < s->got.n; i++)
        if (s->got.ev[i].buffer >= l.n)
            fail_trace(exp, id, b->name, "an event from a buffer position the input cannot have:");
    struct plan p;
    plan_damage(&p, &l, d, nd, b->intact);
    uint64_t untouched_want = 0;
    for (size_t j = 0; j < l.n; j++) {
        if (p.expect[j] == BX_UNKNOWN)
            continue;
        uint64_t want = 0;
        const char *why = plan_compare_buffer(&p, j, &l, b->bytes, &s->base, &s->got, &want);
        if (why)
            fail_trace(exp, id, b->name, why);
        untouched_want += p.untouched >> j & 1u ? want : 0;
        t->buffers_compared++;
    }
    int exact = p.errors_known && b->intact;
    if (exact && s->got.errors != p.errors)
        fail_trace(exp, id, b->name, "the error codes of a trace with a computable outcome");
    tally_own(t, &l, d, nd, p.eligible, p.untouched, untouched_want, &s->base, &s->got, exact);
    damage_note[0] = 0;
}

/* Generated cases: intact (experiment "own") or catalogue-faulted
 * ("layered"; uncompressed, logfile record readable, so the stride is known). */
static void cases_damaged(const char *exp, uint64_t stream, int faulted, struct tally_bc *t)
{
    struct scratch s = {0};
    for (uint64_t id = 0; id < n_traces; id++) {
        if (only >= 0 && (uint64_t)only != id)
            continue;
        struct etwhf_gen_case c;
        assert_int_equal(make_case(&c, stream, id, faulted), ETWHF_OK);
        oc_decode(&s.base, c.bytes, c.len, ETWHF_MODE_RECOVER);
        const char *why = oc_differs(&s.base, NULL, &c);
        if (why)
            report_failure(exp, id, &c, why);
        struct base b = {c.bytes, c.len, c.compressed, !c.expect.error, ""};
        etwhf_gen_case_name(&c, id, b.name, sizeof b.name);
        if ((c.expect.errors & LOGFILE_BAD) || (faulted && c.compressed))
            t->unframed++;
        else
            damage_one(exp, stream, id, &b, &s, t);
        etwhf_gen_case_free(&c);
    }
    scratch_free(&s);
}

static void own(void **state)
{
    (void)state;
    struct tally_bc t = {0};
    cases_damaged("own", 1, 0, &t);
    tally_print_bc(&t, "own", json_out);
    assert_true(only >= 0 || (t.traces > n_traces * 9 / 10 && t.eligible > n_traces / 2));
    assert_int_equal(t.untouched_delivered, t.untouched_events);
}

static void layered(void **state)
{
    (void)state;
    struct tally_bc t = {0};
    cases_damaged("layered", 2, 1, &t);
    tally_print_bc(&t, "layered", json_out);
    assert_true(only >= 0 || t.eligible > n_traces / 4);
    assert_int_equal(t.untouched_delivered, t.untouched_events);
}

/* ---- long traces: the streaming writer's realistic traces, 8 KiB buffers ---- */

static int to_stream(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

static void long_traces(void **state)
{
    (void)state;
    struct tally_bc t = {0};
    struct scratch s = {0};
    char *trace = NULL;
    size_t trace_len = 0;
    const uint64_t n = n_traces / 20 ? n_traces / 20 : 1;
    static const unsigned widths[] = {4, 8, 0};
    for (uint64_t id = 0; id < n; id++) {
        if (only >= 0 && (uint64_t)only != id)
            continue;
        struct etwhf_gen_trace_options o;
        etwhf_gen_trace_options_init(&o);
        o.seed = run_seed + id;
        o.events = 100 + (o.seed * 7919) % 1400;
        o.pointer_size = widths[id % 3];
        o.pure = id % 5 == 0;
        o.buffer_size = 0x2000;
        o.cpus = 1 + id % 4;
        FILE *f = open_memstream(&trace, &trace_len);
        assert_non_null(f);
        o.write = to_stream;
        o.user = f;
        uint64_t buffers = etwhf_gen_trace_buffers(&o);
        assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_OK);
        assert_int_equal(fclose(f), 0);
        oc_decode(&s.base, (const uint8_t *)trace, trace_len, ETWHF_MODE_RECOVER);
        struct base b = {(const uint8_t *)trace, trace_len, 0, 1, ""};
        snprintf(b.name, sizeof b.name, "etl seed %llu, %llu events", (unsigned long long)o.seed,
                 (unsigned long long)o.events);
        /* The writer's own counts are the oracle of an intact trace. */
        if (s.base.errors || s.base.n != o.events || s.base.sum.buffers != buffers)
            fail_trace("long_traces", id, b.name, "the intact trace's decode");
        if (buffers > DMG_MAX_BUFS)
            t.unframed++;
        else
            damage_one("long_traces", 3, id, &b, &s, &t);
        free(trace);
        trace = NULL;
    }
    tally_print_bc(&t, "long_traces", json_out);
    assert_true(only >= 0 || t.eligible > n / 2);
    assert_int_equal(t.untouched_delivered, t.untouched_events);
    scratch_free(&s);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--traces") && i + 1 < argc)
            n_traces = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            run_seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--experiment") && i + 1 < argc)
            cmocka_set_test_filter(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = strtoll(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            if (!(json_out = fopen(argv[++i], "w"))) {
                perror(argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--traces N] [--seed S] [--experiment NAME] [--only ID] [--json FILE]\n",
                    argv[0]);
            return 2;
        }
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue),
        cmocka_unit_test(own),
        cmocka_unit_test(layered),
        cmocka_unit_test(long_traces),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (json_out)
        fclose(json_out);
    return rc;
}
