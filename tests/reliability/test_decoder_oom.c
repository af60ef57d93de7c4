/*
 * test_decoder_oom.c — the decoder with every allocation failing in turn,
 * over inputs and feed patterns chosen so each allocation site of decoder/
 * comes first at least once: the context, the F2 probe window, a buffer
 * header staged across feeds after a buffer read in place, a straddling
 * body, an expansion, a bare record's stage, the fd reader's chunk.
 * (tests/decoder/test_hostile.c fails each allocation of two hand-built
 * traces and a bare record; these add generated traces of every kind, in
 * several chunkings, and the header stage it never reaches first.)
 *
 * Each failing run must end with ETWHF_ENOMEM (or a NULL context), leave the
 * context invalid (ETWHF_EBADSTATE) and hold no allocation after
 * etwhf_decoder_free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "damage.h"
#include "etwhf/decode.h"
#include "etwhf/gen.h"
#include "hook.h"
#include "decode_once.h"

/* Feed sizes: first, then every other feed (0 = the rest at once). */
struct feeds {
    size_t first, then;
};

static int run(struct etwhf_decode_options o, const uint8_t *p, size_t len, struct feeds f, struct hook *h)
{
    o.allocator = &h->a;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    if (!d) {
        assert_int_equal(h->held, 0);
        return ETWHF_ENOMEM;
    }
    int rc = ETWHF_OK;
    for (size_t at = 0, step = f.first; at < len && rc == ETWHF_OK; step = f.then) {
        size_t n = step && step < len - at ? step : len - at;
        rc = etwhf_decode_feed(d, p + at, n);
        at += n;
    }
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    if (rc != ETWHF_OK) {
        assert_int_equal(etwhf_decode_feed(d, p, len ? 1 : 0), ETWHF_EBADSTATE);
        assert_int_equal(etwhf_decode_finish(d), ETWHF_EBADSTATE);
    }
    etwhf_decoder_free(d);
    assert_int_equal(h->held, 0);
    return rc;
}

static uint64_t total_failed;

static void fail_each(const struct etwhf_decode_options *o, const uint8_t *p, size_t len, struct feeds f)
{
    struct hook h;
    hook_init(&h, 0);
    assert_int_equal(run(*o, p, len, f, &h), ETWHF_OK);
    const uint64_t calls = h.calls;
    for (uint64_t k = 1; k <= calls; k++) {
        hook_init(&h, k);
        int rc = run(*o, p, len, f, &h);
        if (rc != ETWHF_ENOMEM)
            fail_msg("allocation %llu of %llu failing (feeds %zu then %zu): status %d, not ETWHF_ENOMEM",
                     (unsigned long long)k, (unsigned long long)calls, f.first, f.then, rc);
    }
    total_failed += calls;
}

static void gen_case(struct etwhf_gen_case *c, int layer, int compressed, unsigned fault_rate, uint64_t id)
{
    struct etwhf_gen_options g;
    struct etwhf_dstream ds;
    etwhf_gen_options_init(&g);
    g.layers = ETWHF_GEN_LAYER_BIT(layer);
    g.compressed_rate = compressed ? 1000 : 0;
    g.fault_rate = fault_rate;
    g.max_faults = ETWHF_GEN_MAX_FAULTS;
    etwhf_dstream_init_seed(&ds, 4242, id);
    assert_int_equal(etwhf_gen_case(&g, &ds, c), ETWHF_OK);
}

static void generated_traces(void **state)
{
    (void)state;
    static const struct feeds plans[] = {{0, 0}, {7, 7}, {100, 100}, {4096, 4096}, {1, 1}, {0x50, 0x2000}};
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    for (uint64_t id = 0; id < 48; id++) {
        struct etwhf_gen_case c;
        gen_case(&c, ETWHF_GEN_FILE, id % 3 == 0, id % 2 ? 700 : 0, id);
        o.mode = id % 4 == 1 ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
        for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
            fail_each(&o, c.bytes, c.len, plans[i]);
        etwhf_gen_case_free(&c);
    }
}

/* Buffer 0 whole in the first feed (read in place, nothing staged), the
 * next buffer's header cut by the feed: its header stage is the first
 * allocation after the context. */
static void header_stage_first(void **state)
{
    (void)state;
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    int done = 0;
    for (uint64_t id = 100; id < 160; id++) {
        struct etwhf_gen_case c;
        struct layout l;
        gen_case(&c, ETWHF_GEN_FILE, 0, 0, id);
        if (layout_read(&l, c.bytes, c.len, 0) == 0 && l.n >= 2) {
            fail_each(&o, c.bytes, c.len, (struct feeds){l.stride + 0x20, 0});
            fail_each(&o, c.bytes, c.len, (struct feeds){l.stride + 0x20, 0x10});
            done++;
        }
        etwhf_gen_case_free(&c);
    }
    assert_true(done >= 20);
}

static void bare_inputs(void **state)
{
    (void)state;
    for (uint64_t id = 0; id < 24; id++) {
        struct etwhf_gen_case c;
        int layer = id % 2 ? ETWHF_GEN_RECORD : ETWHF_GEN_PAYLOAD;
        gen_case(&c, layer, 0, id % 3 ? 500 : 0, id);
        struct etwhf_decode_options o;
        etwhf_decode_options_init(&o);
        o.input = layer == ETWHF_GEN_RECORD ? ETWHF_INPUT_RECORD : ETWHF_INPUT_PAYLOAD;
        o.pointer_size = c.pointer_size ? c.pointer_size : 8;
        o.payload_type = c.event ? c.event : ETWHF_HEAP_FREE;
        fail_each(&o, c.bytes, c.len, (struct feeds){0, 0});
        fail_each(&o, c.bytes, c.len, (struct feeds){5, 5});
        fail_each(&o, c.bytes, c.len, (struct feeds){1, 3});
        etwhf_gen_case_free(&c);
    }
}

/* etwhf_decode_fd: its read chunk and the stages behind it. */
static void fd_reader(void **state)
{
    (void)state;
    struct etwhf_gen_case c;
    gen_case(&c, ETWHF_GEN_FILE, 1, 0, 7);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_int_equal(fwrite(c.bytes, 1, c.len, tmp), c.len);
    assert_int_equal(fflush(tmp), 0);
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    struct hook h;
    hook_init(&h, 0);
    o.allocator = &h.a;
    struct etwhf_summary s;
    rewind(tmp);
    assert_int_equal(decode_once_fd(&o, fileno(tmp), &s), ETWHF_OK);
    const uint64_t calls = h.calls;
    assert_true(calls >= 3); /* context, read chunk, a stage or expansion */
    for (uint64_t k = 1; k <= calls; k++) {
        hook_init(&h, k);
        rewind(tmp);
        assert_int_equal(decode_once_fd(&o, fileno(tmp), &s), ETWHF_ENOMEM);
        assert_int_equal(h.held, 0);
    }
    fclose(tmp);
    etwhf_gen_case_free(&c);
}

static int report(void **state)
{
    (void)state;
    print_message("decoder: %llu allocations failed one at a time\n", (unsigned long long)total_failed);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_traces),
        cmocka_unit_test(header_stage_first),
        cmocka_unit_test(bare_inputs),
        cmocka_unit_test(fd_reader),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
