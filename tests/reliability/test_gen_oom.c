/*
 * test_gen_oom.c — the generator with every allocation failing in turn.
 *
 * For cases of every layer, every fault of the catalogue (and none),
 * compressed and not, and for the streaming trace writer: count the
 * allocations a run makes through the allocator hook, then rerun it once per
 * allocation with that one failing. Each rerun must return ETWHF_ENOMEM (a
 * clean error: nothing to free, no crash) and leave no allocation behind;
 * runs that do not fail must give back every allocation on
 * etwhf_gen_case_free. ASan and valgrind catch what a failure path touches
 * after freeing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/gen.h"
#include "hook.h"

/* One case under the hook: its status; the case is freed here. */
static int one_case(struct etwhf_gen_options o, const struct etwhf_gen_pin *pin, uint64_t id, struct hook *h)
{
    struct etwhf_dstream ds;
    struct etwhf_gen_case c;
    o.allocator = &h->a;
    etwhf_dstream_init_seed(&ds, 77, id);
    int rc = etwhf_gen_case_pinned(&o, pin, &ds, &c);
    if (rc == ETWHF_OK)
        etwhf_gen_case_free(&c);
    assert_int_equal(h->held, 0);
    return rc;
}

static uint64_t total_failed;

/* Runs the case once to count its allocations, then once per allocation with
 * that one failing; returns the count. */
static uint64_t fail_each(const struct etwhf_gen_options *o, const struct etwhf_gen_pin *pin, uint64_t id)
{
    struct hook h;
    hook_init(&h, 0);
    int rc = one_case(*o, pin, id, &h);
    if (rc != ETWHF_OK)
        return 0; /* a pin that does not fit this layer */
    const uint64_t calls = h.calls;
    assert_true(calls >= 2); /* at least the case bytes and the model */
    for (uint64_t k = 1; k <= calls; k++) {
        hook_init(&h, k);
        rc = one_case(*o, pin, id, &h);
        if (rc != ETWHF_ENOMEM)
            fail_msg("case %llu: allocation %llu of %llu failing gave status %d (%s), not ETWHF_ENOMEM",
                     (unsigned long long)id, (unsigned long long)k, (unsigned long long)calls, rc, etwhf_strerror(rc));
    }
    total_failed += calls;
    return calls;
}

static void every_fault_every_layer(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    uint64_t cases = 0, allocations = 0;
    for (int fault = 0; fault <= ETWHF_FAULT_COUNT; fault++)
        for (int layer = ETWHF_GEN_PAYLOAD; layer <= ETWHF_GEN_FILE; layer++)
            for (int comp = 0; comp < 2; comp++) {
                if (comp && layer != ETWHF_GEN_FILE)
                    continue;
                struct etwhf_gen_pin pin;
                etwhf_gen_pin_init(&pin);
                pin.fault = fault;
                pin.layer = layer;
                o.compressed_rate = comp ? 1000 : 0;
                uint64_t n = fail_each(&o, &pin, (uint64_t)(fault * 8 + layer * 2 + comp));
                cases += n > 0;
                allocations += n;
            }
    print_message("generator: %llu cases, %llu allocations failed one at a time\n", (unsigned long long)cases,
                  (unsigned long long)allocations);
    assert_true(cases >= ETWHF_FAULT_COUNT + 3);
}

static void drawn_cases(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.max_faults = ETWHF_GEN_MAX_FAULTS;
    o.fault_rate = 800;
    o.compressed_rate = 400;
    struct etwhf_gen_pin pin;
    etwhf_gen_pin_init(&pin);
    for (uint64_t id = 1000; id < 1060; id++)
        assert_true(fail_each(&o, &pin, id) > 0);
}

static int discard(void *user, const void *data, size_t len)
{
    (void)data;
    *(uint64_t *)user += len;
    return 0;
}

static void trace_writer(void **state)
{
    (void)state;
    static const unsigned widths[] = {4, 8, 0};
    for (int i = 0; i < 3; i++) {
        struct hook h;
        hook_init(&h, 0);
        uint64_t bytes = 0;
        struct etwhf_gen_trace_options o;
        etwhf_gen_trace_options_init(&o);
        o.events = 3000;
        o.pointer_size = widths[i];
        o.write = discard;
        o.user = &bytes;
        o.allocator = &h.a;
        assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_OK);
        assert_int_equal(h.held, 0);
        const uint64_t calls = h.calls;
        assert_true(calls >= 1);
        for (uint64_t k = 1; k <= calls; k++) {
            hook_init(&h, k);
            assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_ENOMEM);
            assert_int_equal(h.held, 0);
        }
        total_failed += calls;
    }
}

static int report(void **state)
{
    (void)state;
    print_message("generator: %llu allocations failed one at a time in all\n", (unsigned long long)total_failed);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_fault_every_layer),
        cmocka_unit_test(drawn_cases),
        cmocka_unit_test(trace_writer),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
