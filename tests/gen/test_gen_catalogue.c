/*
 * test_gen_catalogue.c — the fault catalogue's properties: unique names,
 * distinct (layer, code, step), every error code of docs/spec/diagnostics.md reached,
 * and each fault, alone in a case, raising its own code (checked against the
 * decoder as well).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gtest.h"

static void test_names(void **state)
{
    (void)state;
    assert_null(etwhf_fault_info(-1));
    assert_null(etwhf_fault_info(ETWHF_FAULT_COUNT));
    assert_int_equal(etwhf_fault_from_name("no_such_fault"), -1);
    assert_int_equal(etwhf_fault_from_name(NULL), -1);
    for (int f = 0; f < ETWHF_FAULT_COUNT; f++) {
        const struct etwhf_fault_info *fi = etwhf_fault_info(f);
        assert_non_null(fi->name);
        assert_int_equal(etwhf_fault_from_name(fi->name), f);
        for (const char *p = fi->name; *p; p++) /* names go into file names */
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        assert_true(fi->code == 0 || etwhf_diag_info(fi->code) != NULL);
        assert_true(fi->case_layers != 0 && (fi->case_layers & ~ETWHF_GEN_ALL_LAYERS) == 0);
        assert_true(!strcmp(fi->kind, "raw") || !strcmp(fi->kind, "fixed-up") || !strcmp(fi->kind, "raw or fixed-up"));
        assert_true(fi->step[0] && fi->resume[0] && fi->how[0]);
    }
}

static void test_distinct_triples(void **state)
{
    (void)state;
    for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
        for (int g = f + 1; g < ETWHF_FAULT_COUNT; g++) {
            const struct etwhf_fault_info *a = etwhf_fault_info(f), *b = etwhf_fault_info(g);
            if (a->layer == b->layer && a->code == b->code && !strcmp(a->step, b->step))
                fail_msg("%s and %s share (layer, code, step)", a->name, b->name);
        }
}

static void test_every_error_code_reached(void **state)
{
    (void)state;
    size_t n;
    const struct etwhf_diag_info *t = etwhf_diag_table(&n);
    for (size_t i = 0; i < n; i++) {
        int reached = 0;
        for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
            reached |= etwhf_fault_info(f)->code == t[i].code;
        /* Errors all; warnings too, except the two Source values (not faults).
         * INPUT_SHRANK (walk.md F6) is raised by a reader that saw a file
         * shrink while it read it: no static input holds it, so no fault can
         * (tests/reliability/test_shrinking_file.c reaches it). */
        if (t[i].code == ETWHF_DIAG_INPUT_SHRANK)
            continue;
        if (!reached && (t[i].severity == ETWHF_SEV_ERROR ||
                         (t[i].code != ETWHF_DIAG_SOURCE_RESERVED && t[i].code != ETWHF_DIAG_SOURCE_UNKNOWN)))
            fail_msg("no fault reaches %s", t[i].name);
    }
}

/* Each fault alone, in every case layer it applies to, over several seeds. */
static void test_each_fault_fires(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    for (int f = 0; f < ETWHF_FAULT_COUNT; f++) {
        const struct etwhf_fault_info *fi = etwhf_fault_info(f);
        unsigned kinds = 0;
        for (int layer = 0; layer < 3; layer++) {
            if (!(fi->case_layers & ETWHF_GEN_LAYER_BIT(layer)))
                continue;
            for (uint64_t seed = 0; seed < 40; seed++) {
                struct etwhf_gen_pin pin;
                struct etwhf_dstream ds;
                struct etwhf_gen_case c;
                char why[256];
                etwhf_gen_pin_init(&pin);
                pin.fault = f;
                pin.layer = layer;
                etwhf_dstream_init_seed(&ds, 1000 + seed, (uint64_t)f);
                assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_OK);
                if (c.n_faults != 1 || c.faults[0] != f)
                    fail_msg("%s (layer %d, seed %llu) was not applied", fi->name, layer, (unsigned long long)seed);
                if (fi->code == 0) { /* silent: the walk ends, heap events after it are lost */
                    if (c.expect.n_heap_events >= c.heap_records)
                        fail_msg("%s (layer %d, seed %llu) lost no heap event (%zu of %zu delivered)", fi->name, layer,
                                 (unsigned long long)seed, c.expect.n_heap_events, c.heap_records);
                    if (c.expect.error) /* warnings may come from the Source values drawn */
                        fail_msg("%s (layer %d, seed %llu): a silent fault with an error", fi->name, layer,
                                 (unsigned long long)seed);
                } else {
                    if (!((c.expect.errors | c.expect.warnings) >> fi->code & 1u))
                        fail_msg("%s (layer %d, seed %llu) did not raise %s", fi->name, layer, (unsigned long long)seed,
                                 etwhf_diag_info(fi->code)->name);
                    if (etwhf_diag_info(fi->code)->severity == ETWHF_SEV_ERROR && !c.expect.error)
                        fail_msg("%s: an error fault in a case without error verdict", fi->name);
                }
                if (c.name_fault != 0)
                    fail_msg("%s (layer %d, seed %llu): a case with one fault not named after it", fi->name, layer,
                             (unsigned long long)seed);
                if (fi->compressed && layer == ETWHF_GEN_FILE && c.compressed != (fi->compressed > 0))
                    fail_msg("%s: compression constraint not kept", fi->name);
                if (crosscheck(&c, why, sizeof why))
                    fail_msg("%s (layer %d, seed %llu): %s", fi->name, layer, (unsigned long long)seed, why);
                kinds |= c.fault_raw[0] ? 1u : 2u;
                etwhf_gen_case_free(&c);
            }
        }
        unsigned want = !strcmp(fi->kind, "raw") ? 1u : !strcmp(fi->kind, "fixed-up") ? 2u : 3u;
        if (kinds != want)
            fail_msg("%s: kinds seen %u, catalogue says %s", fi->name, kinds, fi->kind);
    }
}

/* A pinned fault that cannot apply to the pinned layer is refused. */
static void test_pin_mismatch(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    struct etwhf_gen_pin pin;
    struct etwhf_dstream ds;
    struct etwhf_gen_case c;
    etwhf_gen_options_init(&o);
    etwhf_gen_pin_init(&pin);
    pin.fault = ETWHF_FAULT_BUFFERS_WRITTEN;
    pin.layer = ETWHF_GEN_PAYLOAD;
    etwhf_dstream_init_seed(&ds, 1, 1);
    assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_EINVAL);
    etwhf_gen_pin_init(&pin);
    pin.layer = ETWHF_GEN_PAYLOAD;
    pin.width = ETWHF_GEN_WMIXED;
    assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_EINVAL);
    etwhf_gen_pin_init(&pin);
    pin.header = ETWHF_HDR_SYSTEM64;
    pin.width = ETWHF_GEN_W4;
    pin.layer = ETWHF_GEN_RECORD;
    assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_EINVAL);
    o.max_faults = 0;
    assert_int_equal(etwhf_gen_options_check(&o), ETWHF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_distinct_triples),
        cmocka_unit_test(test_every_error_code_reached),
        cmocka_unit_test(test_each_fault_fires),
        cmocka_unit_test(test_pin_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
