/*
 * test_gen_crosscheck.c — the real cross-check: the expectations the
 * generator computes from its model must agree with what the decoder does
 * with the bytes, diagnostic by diagnostic (code, buffer, offset), event by
 * event and count by count, in recover and strict mode. Drawn cases, the
 * whole exhaustive set, and cases from arbitrary byte streams (what the
 * fuzz_gen target feeds the generator).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gtest.h"

static void check(const struct etwhf_gen_case *c, const char *what, uint64_t id)
{
    char why[256];
    if (crosscheck(c, why, sizeof why)) {
        char name[128];
        etwhf_gen_case_name(c, id, name, sizeof name);
        fail_msg("%s case %llu (%s): %s", what, (unsigned long long)id, name, why);
    }
}

static void test_drawn_cases(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.max_faults = ETWHF_GEN_MAX_FAULTS;
    unsigned verdicts = 0, compressed = 0, multi = 0;
    for (uint64_t id = 0; id < 6000; id++) {
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        etwhf_dstream_init_seed(&ds, 11, id);
        assert_int_equal(etwhf_gen_case(&o, &ds, &c), ETWHF_OK);
        check(&c, "drawn", id);
        verdicts |= c.expect.error ? 1u : c.expect.warnings ? 2u : 4u;
        compressed += c.compressed;
        multi += c.n_faults > 1;
        etwhf_gen_case_free(&c);
    }
    assert_int_equal(verdicts, 7);
    assert_true(compressed > 100 && multi > 100);
}

static void test_exhaustive_cases(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    uint64_t n = etwhf_gen_exhaustive_count(&o);
    for (uint64_t i = 0; i < n; i++) {
        struct etwhf_gen_pin pin;
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        assert_int_equal(etwhf_gen_exhaustive_pin(&o, i, &pin), ETWHF_OK);
        etwhf_dstream_init_seed(&ds, 12, i);
        assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_OK);
        check(&c, "exhaustive", i);
        etwhf_gen_case_free(&c);
    }
}

/* Arbitrary bytes as the decision stream: every input is a valid case. */
static void test_byte_streams(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.max_faults = ETWHF_GEN_MAX_FAULTS;
    struct etwhf_dstream rng;
    etwhf_dstream_init_seed(&rng, 13, 0);
    uint8_t bytes[256];
    for (uint64_t id = 0; id < 6000; id++) {
        size_t len = (size_t)etwhf_dstream_below(&rng, sizeof bytes + 1);
        for (size_t i = 0; i < len; i++) /* skewed towards small values, as fuzzers start */
            bytes[i] =
                (uint8_t)(etwhf_dstream_below(&rng, 4) ? etwhf_dstream_below(&rng, 8) : etwhf_dstream_below(&rng, 256));
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        etwhf_dstream_init_bytes(&ds, bytes, len);
        assert_int_equal(etwhf_gen_case(&o, &ds, &c), ETWHF_OK);
        check(&c, "byte-stream", id);
        etwhf_gen_case_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drawn_cases),
        cmocka_unit_test(test_exhaustive_cases),
        cmocka_unit_test(test_byte_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
