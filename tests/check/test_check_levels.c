/* Unit tests of the conformance levels (docs/spec/conformance.md): what one
 * recover-mode run shows of L1-L3 (etwhf__check_level_judge), and how a
 * run's cases are counted per level with their sets, their outcomes and the
 * nesting (levels.c, through the public etwhf_check_result_* functions), on
 * hand-built cases: inside and outside each level's set, with and without
 * the manifest's evidence, in runs that can and cannot judge each level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "corpus.h"
#include "levels.h"
#include "result.h"
#include "tally.h"

#define L(l) CHECK_LEVEL_BIT(ETWHF_CHECK_##l)

static struct etwhf_gen_event evs[3] = {
    {0x1000, 0x1010, 3, 8},
    {0x1000, 0x1020, 4, 8},
    {0x2000, 0x2010, 1, 4},
};

/* A case expecting evs; with `faults`, expecting error after an intact
 * prefix of `prefix` events. */
static void make_case(struct check_case *k, size_t faults, int error, size_t prefix, int evidence)
{
    memset(k, 0, sizeof *k);
    k->info.layer = ETWHF_GEN_FILE;
    k->expect.events = evs;
    k->expect.n_events = 3;
    k->expect.error = error;
    k->fault_count = faults;
    k->expect.has_prefix = faults != 0;
    k->expect.prefix_events = prefix;
    k->has_evidence = evidence >= 0;
    k->evidence = (uint8_t)(evidence >= 0 ? evidence : 0);
}

/* What a decoder reported: the first n of evs (the one at `wrong` with another
 * Source), and `errors` error diagnostics. */
static void observe(struct check_observed *o, size_t n, long wrong, int errors)
{
    etwhf__check_observed_reset(o);
    for (size_t i = 0; i < n; i++) {
        struct etwhf_gen_event e = evs[i];
        if ((long)i == wrong)
            e.source = 7;
        etwhf__check_observed_add_event(o, &e);
    }
    for (int i = 0; i < errors; i++)
        etwhf__check_observed_add_diag(o, 1, ETWHF_DIAG_RECORD_SIZE, NULL, 0, 0);
}

static void test_judge_intact(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    make_case(&k, 0, 0, 0, ETWHF_EVIDENCE_DOCUMENTED);
    observe(&o, 3, -1, 0);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L1) | L(L2) | L(L3));
    observe(&o, 3, -1, 1); /* an error no one expects: L1 and L3 fail; L2 judges no error here */
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    observe(&o, 3, 2, 0); /* a field wrong */
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    observe(&o, 2, -1, 0); /* an event short */
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    /* Warnings, codes and other heap events are L4's: they change nothing here. */
    observe(&o, 3, -1, 0);
    etwhf__check_observed_add_diag(&o, 0, ETWHF_DIAG_SOURCE_UNKNOWN, NULL, 0, 0);
    o.heap_alloc = 9;
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L1) | L(L2) | L(L3));
    /* An output line that could not be read: the answer is not known. */
    o.lines_bad = 1;
    assert_int_equal(etwhf__check_level_judge(&k, &o), 0);
    etwhf__check_observed_free(&o);
}

static void test_judge_damaged(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    make_case(&k, 1, 1, 2, ETWHF_EVIDENCE_OBSERVED);
    observe(&o, 3, -1, 1);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2) | L(L3));
    /* After the damage anything goes: a wrong third event, more events. */
    observe(&o, 3, 2, 1);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    observe(&o, 2, -1, 3);
    etwhf__check_observed_add_event(&o, &evs[0]);
    etwhf__check_observed_add_event(&o, &evs[0]);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    /* The prefix itself must be there and exact. */
    observe(&o, 1, -1, 1);
    assert_int_equal(etwhf__check_level_judge(&k, &o), 0);
    observe(&o, 3, 1, 1);
    assert_int_equal(etwhf__check_level_judge(&k, &o), 0);
    /* No error where one is expected. */
    observe(&o, 3, -1, 0);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L1));
    /* A fault whose case expects no error (warnings only): L2 judges the prefix alone. */
    make_case(&k, 1, 0, 3, ETWHF_EVIDENCE_DOCUMENTED);
    observe(&o, 3, -1, 1);
    assert_int_equal(etwhf__check_level_judge(&k, &o), L(L2));
    etwhf__check_observed_free(&o);
}

/* The compare step records what L1-L3 did not pass in recover mode only. */
static void test_compare_sets_level_fail(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    struct check_diff d;
    make_case(&k, 0, 0, 0, ETWHF_EVIDENCE_DOCUMENTED);
    observe(&o, 3, 1, 0);
    etwhf__check_diff_reset(&d);
    etwhf__check_compare(&k, ETWHF_MODE_STRICT, &o, &d);
    assert_int_equal(d.level_fail, 0);
    assert_int_equal(d.modes, CHECK_MODE_BIT(ETWHF_MODE_STRICT));
    etwhf__check_compare(&k, ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.level_fail, L(L1) | L(L3));
    etwhf__check_observed_free(&o);
}

/* ---- a run's levels -------------------------------------------------------- */

enum { C_INTACT_DOC, C_INTACT_CHOSEN, C_FAULT_DOC, C_FAULT_CHOSEN, C_INTACT_OBS, C_SKIPPED, NCASES };

struct fixture {
    struct etwhf_corpus corpus;
    struct check_case cases[NCASES];
    struct etwhf_check_result *res;
};

/* A run over the six cases above (evidence < 0: a manifest without it). */
static void setup(struct fixture *fx, unsigned modes, int full, int with_evidence, int require)
{
    memset(fx, 0, sizeof *fx);
    int doc = with_evidence ? ETWHF_EVIDENCE_DOCUMENTED : -1, cho = with_evidence ? ETWHF_EVIDENCE_CHOSEN : -1;
    make_case(&fx->cases[C_INTACT_DOC], 0, 0, 0, doc);
    make_case(&fx->cases[C_INTACT_CHOSEN], 0, 0, 0, cho);
    make_case(&fx->cases[C_FAULT_DOC], 1, 1, 2, doc);
    make_case(&fx->cases[C_FAULT_CHOSEN], 1, 1, 2, cho);
    make_case(&fx->cases[C_INTACT_OBS], 0, 0, 0, with_evidence ? ETWHF_EVIDENCE_OBSERVED : -1);
    make_case(&fx->cases[C_SKIPPED], 0, 0, 0, doc);
    for (size_t i = 0; i < NCASES; i++)
        fx->cases[i].info.id = i;
    fx->corpus.cases = fx->cases;
    fx->corpus.ncases = NCASES;
    fx->corpus.generator_version = with_evidence ? "7" : "6";
    struct etwhf_check_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->corpus = &fx->corpus;
    r->modes = modes;
    r->strict_codes = r->all_heap_events = full;
    r->require = require;
    r->selected = malloc(NCASES * sizeof *r->selected);
    assert_non_null(r->selected);
    for (size_t i = 0; i < NCASES; i++)
        r->selected[i] = i;
    r->nselected = NCASES;
    assert_int_equal(etwhf__check_tally_init(&r->tally, NCASES, 10), ETWHF_OK);
    assert_int_equal(etwhf__check_levels_setup(r), ETWHF_OK);
    r->tally.member = r->level_member;
    fx->res = r;
}

/* Case idx's run in `mode`: a decoder reporting `n` events (one wrong at
 * `wrong`) and `errors` errors, judged as the runners judge it. */
static void run_case(struct fixture *fx, size_t idx, int mode, size_t n, long wrong, int errors)
{
    struct check_observed o = {0};
    struct check_diff d;
    observe(&o, n, wrong, errors);
    etwhf__check_diff_reset(&d);
    etwhf__check_compare(&fx->cases[idx], mode, &o, &d);
    etwhf__check_tally_add(&fx->res->tally, idx, d.kinds ? ETWHF_CHECK_DISAGREE : ETWHF_CHECK_AGREE, &d);
    etwhf__check_observed_free(&o);
}

/* A run that ended without an answer (crash, timeout, failure). */
static void lose_case(struct fixture *fx, size_t idx, int mode, int outcome)
{
    struct check_diff d;
    etwhf__check_diff_reset(&d);
    etwhf__check_diff_add(&d, CHECK_K_CRASH, mode, "crash", "no crash", "SIGSEGV");
    etwhf__check_tally_add(&fx->res->tally, idx, outcome, &d);
}

/* Every case answered as the manifest expects, recover mode. */
static void all_right(struct fixture *fx, int mode)
{
    for (size_t i = 0; i < C_SKIPPED; i++)
        run_case(fx, i, mode, 3, -1, fx->cases[i].expect.error);
    etwhf__check_tally_add(&fx->res->tally, C_SKIPPED, ETWHF_CHECK_SKIPPED, NULL);
}

static void expect_level(const struct fixture *fx, int level, int judged, uint64_t agree, uint64_t total)
{
    uint64_t a = 99, t = 99;
    const char *why = NULL;
    assert_int_equal(etwhf_check_result_level(fx->res, level, &a, &t, &why), judged);
    if (judged) {
        assert_int_equal(a, agree);
        assert_int_equal(t, total);
        assert_null(why);
    } else {
        assert_non_null(why);
        assert_true(why[0] != '\0');
    }
}

static void teardown(struct fixture *fx)
{
    etwhf_check_result_free(fx->res);
}

static void test_sets_and_counts(void **state)
{
    (void)state;
    struct fixture fx;
    setup(&fx, ETWHF_CHECK_RECOVER, 0, 1, 0);
    all_right(&fx, ETWHF_MODE_RECOVER);
    /* Sets: L1 the intact documented and observed cases, L2 the faulted
     * documented one; chosen shapes are in neither; the skipped case in none. */
    expect_level(&fx, ETWHF_CHECK_L0, 1, 5, 5);
    expect_level(&fx, ETWHF_CHECK_L1, 1, 2, 2);
    expect_level(&fx, ETWHF_CHECK_L2, 1, 1, 1);
    expect_level(&fx, ETWHF_CHECK_L3, 1, 5, 5);
    expect_level(&fx, ETWHF_CHECK_L4, 0, 0, 0); /* no codes, no other heap events, one mode */
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_INTACT_CHOSEN, ETWHF_CHECK_L1), -1);
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_INTACT_CHOSEN, ETWHF_CHECK_L3), 1);
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_FAULT_DOC, ETWHF_CHECK_L1), -1);
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_FAULT_DOC, ETWHF_CHECK_L2), 1);
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_SKIPPED, ETWHF_CHECK_L0), -1);
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_INTACT_DOC, ETWHF_CHECK_L4), -1);
    assert_int_equal(etwhf_check_result_level(fx.res, ETWHF_CHECK_LEVELS, NULL, NULL, NULL), -1);
    assert_true(strstr(fx.res->level_reason[ETWHF_CHECK_L4], "--strict-codes --all-heap-events --mode both"));
    assert_int_equal(etwhf_check_result_passed(fx.res), 1);
    teardown(&fx);
}

static void test_nesting(void **state)
{
    (void)state;
    struct fixture fx;
    setup(&fx, ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT, 1, 1, ETWHF_CHECK_REQUIRE(ETWHF_CHECK_L2));
    all_right(&fx, ETWHF_MODE_RECOVER);
    for (size_t i = 0; i < C_SKIPPED; i++)
        run_case(&fx, i, ETWHF_MODE_STRICT, fx.cases[i].expect.error ? 2 : 3, -1, fx.cases[i].expect.error);
    expect_level(&fx, ETWHF_CHECK_L4, 1, 5, 5);
    assert_int_equal(etwhf_check_result_passed(fx.res), 1);
    teardown(&fx);

    /* The intact documented case's strict run crashes: it fails L0, so L1,
     * L3 and L4 too, though its recover run was right. */
    setup(&fx, ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT, 1, 1, ETWHF_CHECK_REQUIRE(ETWHF_CHECK_L2));
    all_right(&fx, ETWHF_MODE_RECOVER);
    lose_case(&fx, C_INTACT_DOC, ETWHF_MODE_STRICT, ETWHF_CHECK_CRASH);
    expect_level(&fx, ETWHF_CHECK_L0, 1, 4, 5);
    expect_level(&fx, ETWHF_CHECK_L1, 1, 1, 2);
    expect_level(&fx, ETWHF_CHECK_L3, 1, 4, 5);
    assert_int_equal(etwhf__check_case_levels_failed(fx.res, C_INTACT_DOC), L(L0) | L(L1) | L(L3) | L(L4));
    assert_int_equal(etwhf_check_result_passed(fx.res), 0);
    teardown(&fx);

    /* A chosen case the decoder reads otherwise (no error, events wrong):
     * L3 and L4 fail, L0-L2 hold, so --require L2 passes and L3 does not. */
    for (int req = ETWHF_CHECK_L2; req <= ETWHF_CHECK_L3; req++) {
        setup(&fx, ETWHF_CHECK_RECOVER, 0, 1, ETWHF_CHECK_REQUIRE(req));
        for (size_t i = 0; i < C_SKIPPED; i++)
            if (i == C_FAULT_CHOSEN)
                run_case(&fx, i, ETWHF_MODE_RECOVER, 1, 0, 0);
            else
                run_case(&fx, i, ETWHF_MODE_RECOVER, 3, -1, fx.cases[i].expect.error);
        expect_level(&fx, ETWHF_CHECK_L2, 1, 1, 1);
        expect_level(&fx, ETWHF_CHECK_L3, 1, 4, 5);
        assert_int_equal(etwhf__check_case_levels_failed(fx.res, C_FAULT_CHOSEN), L(L3));
        assert_int_equal(etwhf_check_result_passed(fx.res), req == ETWHF_CHECK_L2);
        /* Without --require: today's rule, every case agrees with everything compared. */
        fx.res->require = 0;
        assert_int_equal(etwhf_check_result_passed(fx.res), 0);
        teardown(&fx);
    }

    /* A faulted documented case right up to its damage, wrong after it,
     * and a timeout on the observed intact case: L2 holds, L0 does not. */
    setup(&fx, ETWHF_CHECK_RECOVER, 0, 1, ETWHF_CHECK_REQUIRE(ETWHF_CHECK_L2));
    run_case(&fx, C_FAULT_DOC, ETWHF_MODE_RECOVER, 3, 2, 1);
    lose_case(&fx, C_INTACT_OBS, ETWHF_MODE_RECOVER, ETWHF_CHECK_TIMEOUT);
    assert_int_equal(etwhf__check_case_levels_failed(fx.res, C_FAULT_DOC), L(L3));
    assert_int_equal(etwhf__check_case_levels_failed(fx.res, C_INTACT_OBS), L(L0) | L(L1) | L(L3));
    expect_level(&fx, ETWHF_CHECK_L2, 1, 1, 1);
    expect_level(&fx, ETWHF_CHECK_L1, 1, 0, 1);
    assert_int_equal(etwhf_check_result_passed(fx.res), 0);
    teardown(&fx);
}

static void test_not_judged(void **state)
{
    (void)state;
    struct fixture fx;
    /* A manifest without evidence: L1 and L2 not judged, and said why; L3 is. */
    setup(&fx, ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT, 1, 0, 0);
    all_right(&fx, ETWHF_MODE_RECOVER);
    expect_level(&fx, ETWHF_CHECK_L1, 0, 0, 0);
    expect_level(&fx, ETWHF_CHECK_L2, 0, 0, 0);
    expect_level(&fx, ETWHF_CHECK_L3, 1, 5, 5);
    assert_true(strstr(fx.res->level_reason[ETWHF_CHECK_L1], "generator 6"));
    assert_int_equal(etwhf_check_result_case_level(fx.res, C_INTACT_DOC, ETWHF_CHECK_L1), -1);
    teardown(&fx);

    /* Strict mode alone: only L0. */
    setup(&fx, ETWHF_CHECK_STRICT, 1, 1, 0);
    for (int l = ETWHF_CHECK_L1; l <= ETWHF_CHECK_L4; l++)
        expect_level(&fx, l, 0, 0, 0);
    assert_true(strstr(fx.res->level_reason[ETWHF_CHECK_L3], "--mode recover or --mode both"));
    assert_true(strstr(fx.res->level_reason[ETWHF_CHECK_L4], "recover mode not compared (add --mode both)"));
    teardown(&fx);

    /* Codes and both modes, no other heap events: L4 names the one option. */
    setup(&fx, ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT, 1, 1, 0);
    fx.res->all_heap_events = 0;
    assert_int_equal(etwhf__check_levels_setup(fx.res), ETWHF_OK);
    assert_string_equal(fx.res->level_reason[ETWHF_CHECK_L4],
                        "HeapAlloc and HeapReAlloc events not compared (add --all-heap-events)");
    teardown(&fx);
}

static void test_level_names(void **state)
{
    (void)state;
    assert_string_equal(etwhf_check_level_name(ETWHF_CHECK_L2), "damaged");
    assert_null(etwhf_check_level_name(ETWHF_CHECK_LEVELS));
    assert_int_equal(etwhf_check_level_from_name("L3"), ETWHF_CHECK_L3);
    assert_int_equal(etwhf_check_level_from_name("l0"), ETWHF_CHECK_L0);
    assert_int_equal(etwhf_check_level_from_name("L5"), -1);
    assert_int_equal(etwhf_check_level_from_name("L12"), -1);
    assert_int_equal(etwhf_check_level_from_name(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge_intact),
        cmocka_unit_test(test_judge_damaged),
        cmocka_unit_test(test_compare_sets_level_fail),
        cmocka_unit_test(test_sets_and_counts),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_not_judged),
        cmocka_unit_test(test_level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
