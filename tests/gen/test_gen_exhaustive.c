/*
 * test_gen_exhaustive.c — exhaustive mode covers Source × width × header
 * form × fault (and "no fault") at least once: every combination the
 * options allow appears as a case whose target record has that form, width
 * and Source, with that fault applied. Payload cases: event × width × Source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gtest.h"

static const uint32_t sources[] = {1, 2, 3, 4, 5, 6, 0, 7, 0x80000000u, 0xFFFFFFFFu};
#define NS 10
#define NF (ETWHF_FAULT_COUNT + 1) /* index ETWHF_FAULT_COUNT: no fault */

static int source_index(uint32_t s)
{
    for (int i = 0; i < NS; i++)
        if (sources[i] == s)
            return i;
    return -1;
}

/* seen[fault][header][width 0..2][source]; payload: header = event (0..2) + 12 */
static uint8_t seen[NF][ETWHF_HDR_FORMS + 3][3][NS];

static int width_index(unsigned pointer_size)
{
    return pointer_size == 4 ? 0 : pointer_size == 8 ? 1 : 2;
}

static void test_exhaustive_covers_everything(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    uint64_t n = etwhf_gen_exhaustive_count(&o);
    assert_true(n > 0);
    memset(seen, 0, sizeof seen);
    for (uint64_t i = 0; i < n; i++) {
        struct etwhf_gen_pin pin;
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        assert_int_equal(etwhf_gen_exhaustive_pin(&o, i, &pin), ETWHF_OK);
        etwhf_dstream_init_seed(&ds, 4, i);
        assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_OK);
        int fault = pin.fault;
        if (fault < ETWHF_FAULT_COUNT && (c.n_faults != 1 || c.faults[0] != fault))
            fail_msg("exhaustive case %llu: fault %s not applied", (unsigned long long)i,
                     etwhf_fault_info(fault)->name);
        if (fault == ETWHF_FAULT_COUNT && c.n_faults != 0)
            fail_msg("exhaustive case %llu: a fault in a no-fault case", (unsigned long long)i);
        int si = source_index(c.target_source);
        assert_true(si >= 0);
        int h = c.layer == ETWHF_GEN_PAYLOAD ? ETWHF_HDR_FORMS + (c.event == ETWHF_HEAP_FREE    ? 0
                                                                  : c.event == ETWHF_HEAP_ALLOC ? 1
                                                                                                : 2)
                                             : c.target_header;
        /* the target really is in the case: its form is among the heap forms */
        if (c.layer != ETWHF_GEN_PAYLOAD && !(c.headers >> c.target_header & 1u))
            fail_msg("exhaustive case %llu: target form missing", (unsigned long long)i);
        seen[fault][h][width_index(c.pointer_size)][si] = 1;
        etwhf_gen_case_free(&c);
    }
    /* Every combination: faults that reach records or files × 12 forms × the
     * widths each form fits (native, mixed) × Source; payload-only faults and
     * no fault × 3 events × 2 widths × Source. */
    for (int f = 0; f < NF; f++) {
        unsigned layers = f < ETWHF_FAULT_COUNT ? etwhf_fault_info(f)->case_layers : ETWHF_GEN_ALL_LAYERS;
        const char *name = f < ETWHF_FAULT_COUNT ? etwhf_fault_info(f)->name : "(none)";
        for (int s = 0; s < NS; s++) {
            if (layers & (ETWHF_GEN_LAYER_BIT(ETWHF_GEN_RECORD) | ETWHF_GEN_LAYER_BIT(ETWHF_GEN_FILE)))
                for (int h = 0; h < ETWHF_HDR_FORMS; h++) {
                    int native = etwhf_header_info(h)->pointer_size == 4 ? 0 : 1;
                    if (!seen[f][h][native][s] || !seen[f][h][2][s])
                        fail_msg("missing: %s x %s x source %u", name, etwhf_header_info(h)->name, sources[s]);
                }
            if (layers & ETWHF_GEN_LAYER_BIT(ETWHF_GEN_PAYLOAD))
                for (int e = 0; e < 3; e++)
                    for (int w = 0; w < 2; w++)
                        if (!seen[f][ETWHF_HDR_FORMS + e][w][s])
                            fail_msg("missing: %s x payload event %d x width %d x source %u", name, e, w, sources[s]);
        }
    }
}

/* Options narrow the enumeration: one header, one width, two sources, two faults. */
static void test_exhaustive_respects_options(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.layers = ETWHF_GEN_LAYER_BIT(ETWHF_GEN_RECORD);
    o.widths = ETWHF_GEN_W8;
    o.headers = 1u << ETWHF_HDR_SYSTEM64;
    o.n_sources = 2;
    o.sources[0] = 3;
    o.sources[1] = 6;
    o.fault_mode = ETWHF_GEN_FAULTS_LIST;
    o.fault_set = UINT64_C(1) << ETWHF_FAULT_MARKER_CLEARED | UINT64_C(1) << ETWHF_FAULT_LOGFILE_MISSING;
    /* (none, marker_cleared) × 1 form × 1 width × 2 sources; logfile_missing has no record layer */
    assert_int_equal(etwhf_gen_exhaustive_count(&o), 4);
    struct etwhf_gen_pin pin;
    assert_int_equal(etwhf_gen_exhaustive_pin(&o, 4, &pin), ETWHF_EINVAL);
    for (uint64_t i = 0; i < 4; i++) {
        assert_int_equal(etwhf_gen_exhaustive_pin(&o, i, &pin), ETWHF_OK);
        assert_int_equal(pin.layer, ETWHF_GEN_RECORD);
        assert_int_equal(pin.header, ETWHF_HDR_SYSTEM64);
        assert_true(pin.source == 3 || pin.source == 6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive_covers_everything),
        cmocka_unit_test(test_exhaustive_respects_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
