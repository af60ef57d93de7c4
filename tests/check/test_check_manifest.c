/* The manifest round trip: cases the generator builds, written by the check
 * library's writer and read back by its reader, come back as the same
 * expectation structs (etwhf/gen.h), field by field — on the exhaustive
 * combinations (every layer, width, header form, Source and fault) and on
 * drawn cases (compressed files, mixed widths, several faults). The bytes
 * themselves are tests/check/manifest_golden.sh's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"
#include "etwhf/check.h"
#include "etwhf/gen.h"

static int write_file(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

/* Case `id` of the corpus, as etwhf gen --out would build it. */
static void build(const struct etwhf_gen_options *o, int exhaustive, uint64_t seed, uint64_t id,
                  struct etwhf_gen_case *k)
{
    struct etwhf_dstream ds;
    struct etwhf_gen_pin pin;
    etwhf_dstream_init_seed(&ds, seed, id);
    etwhf_gen_pin_init(&pin);
    if (exhaustive)
        assert_int_equal(etwhf_gen_exhaustive_pin(o, id, &pin), ETWHF_OK);
    assert_int_equal(etwhf_gen_case_pinned(o, &pin, &ds, k), ETWHF_OK);
}

static void same_expectation(const struct check_case *got, const struct etwhf_gen_case *want)
{
    const struct etwhf_gen_expect *g = &got->expect, *w = &want->expect;
    assert_int_equal(g->error, w->error);
    assert_int_equal(g->first_error_code, w->first_error_code);
    assert_true(g->first_error_offset == (w->first_error_code ? w->first_error_offset : 0));
    assert_int_equal(g->errors, w->errors);
    assert_int_equal(g->warnings, w->warnings);
    assert_int_equal(g->n_events, w->n_events);
    for (size_t i = 0; i < w->n_events; i++) {
        const struct etwhf_gen_event *a = &g->events[i], *b = &w->events[i];
        assert_true(a->heap_handle == b->heap_handle && a->address == b->address);
        assert_int_equal(a->source, b->source);
        assert_int_equal(a->pointer_size, b->pointer_size);
    }
    assert_int_equal(got->has_counts, want->layer == ETWHF_GEN_FILE);
    if (got->has_counts)
        assert_true(g->buffers == w->buffers && g->buffers_skipped == w->buffers_skipped &&
                    g->events_total == w->events_total);
    assert_true(got->has_other_counts && got->has_heap_events);
    assert_true(g->heap_alloc == w->heap_alloc && g->heap_realloc == w->heap_realloc);
    assert_int_equal(g->n_heap_events, w->n_heap_events);
    for (size_t i = 0; i < w->n_heap_events; i++) {
        const struct etwhf_gen_heap_expect *a = &g->heap_events[i], *b = &w->heap_events[i];
        assert_int_equal(a->type, b->type);
        assert_int_equal(a->pointer_size, b->pointer_size);
        assert_int_equal(a->header, b->header);
        assert_int_equal(a->source, b->source);
        assert_true(a->heap_handle == b->heap_handle && a->address == b->address && a->size == b->size);
        assert_true(a->new_address == b->new_address && a->old_address == b->old_address);
        assert_true(a->new_size == b->new_size && a->old_size == b->old_size);
    }
    assert_int_equal(g->n_diags, 0); /* a manifest lists codes, not diagnostics */
}

static void same_case(const struct etwhf_corpus *c, const struct check_case *got, const struct etwhf_gen_case *want,
                      uint64_t id)
{
    char name[256], file[280];
    etwhf_gen_case_name(want, id, name, sizeof name);
    snprintf(file, sizeof file, "cases/%s", name);
    assert_true(got->info.id == id);
    assert_string_equal(got->info.file, file);
    assert_int_equal(got->info.layer, want->layer);
    assert_int_equal(got->info.pointer_size, want->pointer_size);
    assert_int_equal(got->info.event, want->layer == ETWHF_GEN_PAYLOAD ? want->event : ETWHF_HEAP_FREE);
    assert_int_equal(got->info.headers, want->headers);
    assert_int_equal(got->fault_count, want->n_faults);
    for (size_t f = 0; f < want->n_faults; f++)
        assert_string_equal(etwhf__corpus_fault(c, got, f), etwhf_fault_info(want->faults[f])->name);
    same_expectation(got, want);
}

/* Writes `count` cases with the library, reads them back, compares. */
static void round_trip(const struct etwhf_gen_options *o, int exhaustive, uint64_t seed, uint64_t count)
{
    char dir[] = "/tmp/etwhf_check_manifest_XXXXXX", path[sizeof dir + 32], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(etwhf_manifest_write_header(o, seed, count, exhaustive, write_file, f), ETWHF_OK);
    for (uint64_t id = 0; id < count; id++) {
        struct etwhf_gen_case k;
        char name[256], file[280];
        build(o, exhaustive, seed, id, &k);
        etwhf_gen_case_name(&k, id, name, sizeof name);
        snprintf(file, sizeof file, "cases/%s", name);
        assert_int_equal(etwhf_manifest_write_case(&k, seed, id, file, write_file, f), ETWHF_OK);
        etwhf_gen_case_free(&k);
    }
    assert_int_equal(fclose(f), 0);

    struct etwhf_corpus c;
    int st = etwhf__manifest_read(dir, &c, err, sizeof err);
    if (st != ETWHF_OK)
        fail_msg("%s", err);
    assert_int_equal(c.ncases, count);
    assert_string_equal(c.generator_version, ETWHF_GEN_VERSION);
    for (uint64_t id = 0; id < count; id++) {
        struct etwhf_gen_case k;
        build(o, exhaustive, seed, id, &k);
        same_case(&c, &c.cases[id], &k, id);
        etwhf_gen_case_free(&k);
    }
    etwhf__corpus_clear(&c);
    unlink(path);
    rmdir(dir);
}

static void test_exhaustive(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    round_trip(&o, 1, 5, etwhf_gen_exhaustive_count(&o));
}

static void test_drawn(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.compressed_rate = 600;
    o.max_faults = ETWHF_GEN_MAX_FAULTS;
    round_trip(&o, 0, 20261202, 600);
}

/* A writer that fails is an I/O error, and nothing else is written. */
static int refuse(void *user, const void *data, size_t len)
{
    (void)data;
    (void)len;
    ++*(int *)user;
    return -1;
}

static void test_write_fails(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    struct etwhf_gen_case k;
    int calls = 0;
    etwhf_gen_options_init(&o);
    build(&o, 0, 1, 0, &k);
    assert_int_equal(etwhf_manifest_write_header(&o, 1, 1, 0, refuse, &calls), ETWHF_EIO);
    assert_int_equal(etwhf_manifest_write_case(&k, 1, 0, "cases/x", refuse, &calls), ETWHF_EIO);
    assert_int_equal(calls, 2);
    assert_int_equal(etwhf_manifest_write_case(&k, 1, 0, NULL, refuse, &calls), ETWHF_EINVAL);
    assert_int_equal(calls, 2);
    etwhf_gen_case_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_drawn),
        cmocka_unit_test(test_write_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
