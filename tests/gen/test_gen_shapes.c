/*
 * test_gen_shapes.c — the shape catalogue against docs/spec/evidence.md and
 * against what the generator draws: every shape has a row there with the
 * catalogue's grade (and no row names a shape the catalogue lacks), every
 * shape is drawn somewhere in a drawn and the exhaustive corpus (a shape
 * nothing draws would be a grade nobody tests), a case's evidence is its
 * weakest shape's, and --evidence documented draws no chosen shape.
 *
 * argv[1]: docs/spec/evidence.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gtest.h"

static const char *evidence_path;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Every "| `name` | grade |" row of the doc's shape tables. */
static void test_doc_rows(void **state)
{
    (void)state;
    char *doc = slurp(evidence_path);
    int seen[ETWHF_SHAPE_COUNT] = {0};
    for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
        char name[64], grade[32];
        if (sscanf(line, "| `%63[a-z0-9_.]` | %31[a-z] |", name, grade) != 2 || !strchr(name, '.'))
            continue;
        int s = etwhf_gen_shape_from_name(name);
        if (s < 0)
            fail_msg("evidence.md grades a shape the catalogue lacks: %s", name);
        if (etwhf_evidence_from_name(grade) != etwhf_gen_shape_info(s)->evidence)
            fail_msg("%s: evidence.md says %s, gen/shapes.c %s", name, grade,
                     etwhf_evidence_name(etwhf_gen_shape_info(s)->evidence));
        seen[s]++;
    }
    for (int s = 0; s < ETWHF_SHAPE_COUNT; s++)
        if (seen[s] != 1)
            fail_msg("%s: %d rows in evidence.md (want 1)", etwhf_gen_shape_info(s)->name, seen[s]);
    free(doc);
}

static void test_names(void **state)
{
    (void)state;
    assert_null(etwhf_gen_shape_info(-1));
    assert_null(etwhf_gen_shape_info(ETWHF_SHAPE_COUNT));
    assert_int_equal(etwhf_gen_shape_from_name("no.such_shape"), -1);
    assert_int_equal(etwhf_evidence_from_name("proven"), -1);
    assert_int_equal(etwhf_gen_shapes_evidence(0), ETWHF_EVIDENCE_OBSERVED);
    for (int s = 0; s < ETWHF_SHAPE_COUNT; s++) {
        const struct etwhf_gen_shape_info *si = etwhf_gen_shape_info(s);
        assert_int_equal(etwhf_gen_shape_from_name(si->name), s);
        assert_non_null(etwhf_evidence_name(si->evidence));
        assert_int_equal(etwhf_gen_shapes_evidence(UINT64_C(1) << s), si->evidence);
    }
}

struct drawn {
    uint64_t shapes; /* every shape seen */
    uint64_t cases, documented_cases, chosen_cases;
};

static void one(struct drawn *d, const struct etwhf_gen_case *c, int documented_only)
{
    assert_int_equal(c->evidence, etwhf_gen_shapes_evidence(c->shapes));
    assert_true(c->shapes != 0);
    if (documented_only)
        assert_true(c->evidence != ETWHF_EVIDENCE_CHOSEN);
    assert_int_equal(c->expect.has_prefix, c->n_faults > 0);
    assert_true(c->expect.prefix_events <= c->expect.n_events);
    assert_true(c->expect.prefix_heap_events <= c->expect.n_heap_events);
    d->shapes |= c->shapes;
    d->cases++;
    d->documented_cases += c->evidence != ETWHF_EVIDENCE_CHOSEN;
    d->chosen_cases += c->evidence == ETWHF_EVIDENCE_CHOSEN;
}

static void drawn_corpus(struct drawn *d, int documented_only, uint64_t count)
{
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.documented_only = documented_only;
    for (uint64_t id = 0; id < count; id++) {
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        etwhf_dstream_init_seed(&ds, 424242, id);
        assert_int_equal(etwhf_gen_case(&o, &ds, &c), ETWHF_OK);
        one(d, &c, documented_only);
        etwhf_gen_case_free(&c);
    }
}

static void test_every_shape_drawn(void **state)
{
    (void)state;
    struct drawn d = {0};
    drawn_corpus(&d, 0, 6000);
    /* Half the drawn cases draw only observed or documented shapes. */
    assert_true(d.documented_cases > d.cases / 3 && d.chosen_cases > d.cases / 4);
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    uint64_t n = etwhf_gen_exhaustive_count(&o);
    for (uint64_t i = 0; i < n; i++) {
        struct etwhf_gen_pin pin;
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        assert_int_equal(etwhf_gen_exhaustive_pin(&o, i, &pin), ETWHF_OK);
        etwhf_dstream_init_seed(&ds, 5, i);
        assert_int_equal(etwhf_gen_case_pinned(&o, &pin, &ds, &c), ETWHF_OK);
        one(&d, &c, 0);
        /* A pinned system form and a documented Source: documented shapes only. */
        int system = pin.header >= 0 && etwhf_header_info(pin.header)->family == ETWHF_FAM_SYSTEM;
        if ((system || pin.layer == ETWHF_GEN_PAYLOAD) && pin.source >= 1 && pin.source <= 6)
            assert_true(c.evidence != ETWHF_EVIDENCE_CHOSEN);
        etwhf_gen_case_free(&c);
    }
    for (int s = 0; s < ETWHF_SHAPE_COUNT; s++)
        if (!(d.shapes >> s & 1u))
            fail_msg("no case draws the shape %s", etwhf_gen_shape_info(s)->name);
}

static void test_documented_only(void **state)
{
    (void)state;
    struct drawn d = {0};
    drawn_corpus(&d, 1, 3000);
    assert_int_equal(d.chosen_cases, 0);
    for (int s = 0; s < ETWHF_SHAPE_COUNT; s++)
        if (etwhf_gen_shape_info(s)->evidence != ETWHF_EVIDENCE_CHOSEN && !(d.shapes >> s & 1u))
            fail_msg("--evidence documented never draws %s", etwhf_gen_shape_info(s)->name);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_gen_shapes docs/spec/evidence.md\n");
        return 2;
    }
    evidence_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_doc_rows),
        cmocka_unit_test(test_every_shape_drawn),
        cmocka_unit_test(test_documented_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
