/*
 * test_fault_pairs.c — every pair of catalogue faults that may share a case,
 * drawn together many times: the decoder must deliver exactly the
 * generator's expectation (events, error and warning codes, counts, strict
 * first error). Faults are built one at a time and their expectations hold
 * alone (tests/gen); here two faults land on the same buffer, the same
 * record or the same logfile, where one can change what the other does.
 *
 * Failures name the pair and the case seed; a pair that never lands in a
 * case (they exclude each other) is counted, not failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/gen.h"
#include "outcome.h"

#define PER_PAIR 60

static void pairs(void **state)
{
    (void)state;
    struct outcome r = {0}, s = {0};
    unsigned together = 0, never = 0, bad = 0;
    for (int f1 = 0; f1 < ETWHF_FAULT_COUNT; f1++)
        for (int f2 = f1 + 1; f2 < ETWHF_FAULT_COUNT; f2++) {
            struct etwhf_gen_options o;
            etwhf_gen_options_init(&o);
            o.layers = ETWHF_GEN_LAYER_BIT(ETWHF_GEN_FILE);
            o.fault_mode = ETWHF_GEN_FAULTS_LIST;
            o.fault_set = UINT64_C(1) << f1 | UINT64_C(1) << f2;
            o.fault_rate = 1000;
            o.max_faults = 2;
            o.compressed_rate = 500;
            unsigned hits = 0;
            for (uint64_t id = 0; id < 4 * PER_PAIR && hits < PER_PAIR; id++) {
                struct etwhf_dstream ds;
                struct etwhf_gen_case c;
                etwhf_dstream_init_seed(&ds, (uint64_t)(f1 * 64 + f2), id);
                assert_int_equal(etwhf_gen_case(&o, &ds, &c), ETWHF_OK);
                if (c.n_faults == 2) {
                    hits++;
                    oc_decode(&r, c.bytes, c.len, ETWHF_MODE_RECOVER);
                    oc_decode(&s, c.bytes, c.len, ETWHF_MODE_STRICT);
                    const char *why = oc_differs(&r, &s, &c);
                    if (why && bad++ < 10)
                        print_error("faults %s + %s (%s, %s), case seed %d/%llu: %s differ from the expectation\n",
                                    etwhf_fault_info(c.faults[0])->name, etwhf_fault_info(c.faults[1])->name,
                                    c.fault_raw[0] ? "raw" : "fixed-up", c.fault_raw[1] ? "raw" : "fixed-up",
                                    f1 * 64 + f2, (unsigned long long)id, why);
                }
                etwhf_gen_case_free(&c);
            }
            together += hits > 0;
            never += hits == 0;
        }
    print_message("%u fault pairs drawn together (up to %d cases each), %u never share a case; %u cases differ\n",
                  together, PER_PAIR, never, bad);
    oc_free(&r);
    oc_free(&s);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(pairs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
