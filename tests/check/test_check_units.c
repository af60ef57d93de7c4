/* Unit tests of `etwhf check`'s pieces: CMD splitting and expansion, the
 * judgement of one run, reading a decoder's JSON lines, the tally, and the
 * manifest reader's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"
#include "corpus.h"
#include "heap_json.h"
#include "json_in.h"
#include "output.h"
#include "split.h"
#include "tally.h"
#include "etwhf/format.h"

/* ---- splitting ------------------------------------------------------------ */

static void expect_words(const char *cmd, const char *const *want, size_t n)
{
    struct check_cmd c;
    char err[128];
    assert_int_equal(etwhf__check_cmd_split(cmd, &c, err, sizeof err), ETWHF_OK);
    assert_int_equal(c.nwords, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c.words[i], want[i]);
    assert_null(c.words[n]);
    etwhf__check_cmd_free(&c);
}

static void test_split_words(void **state)
{
    (void)state;
    expect_words("  a b\t c  ", (const char *const[]){"a", "b", "c"}, 3);
    expect_words("sh -c 'echo {file} | wc' x", (const char *const[]){"sh", "-c", "echo {file} | wc", "x"}, 4);
    expect_words("\"a \\\"b\\\" \\\\ \\$x \\z\"", (const char *const[]){"a \"b\" \\ $x \\z"}, 1);
    expect_words("a\\ b c\\\\", (const char *const[]){"a b", "c\\"}, 2);
    expect_words("x '' \"\" y", (const char *const[]){"x", "", "", "y"}, 4);
    expect_words("pre'mid dle'\"post\"", (const char *const[]){"premid dlepost"}, 1);
    expect_words("a\\\nb", (const char *const[]){"ab"}, 1);
}

static void test_split_errors(void **state)
{
    (void)state;
    const char *bad[] = {"'abc", "\"abc", "abc\\", "", "   "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct check_cmd c;
        char err[128] = "";
        assert_int_equal(etwhf__check_cmd_split(bad[i], &c, err, sizeof err), ETWHF_EINVAL);
        assert_true(err[0] != '\0');
    }
}

static void test_expand(void **state)
{
    (void)state;
    const char *args[] = {"--mode", "recover", "--input", "record"};
    struct check_cmd c;
    char err[128];
    assert_int_equal(etwhf__check_cmd_split("etwhf decode {args} --x={file} 'a {args} b'", &c, err, sizeof err),
                     ETWHF_OK);
    assert_true(c.has_file);
    char **argv = etwhf__check_cmd_argv(&c, args, 4, "d/cases/f.bin");
    const char *want[] = {"etwhf",
                          "decode",
                          "--mode",
                          "recover",
                          "--input",
                          "record",
                          "--x=d/cases/f.bin",
                          "a --mode recover --input record b"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[8]);
    etwhf__check_argv_free(argv);
    etwhf__check_cmd_free(&c);

    /* Without {file} the path is appended. */
    assert_int_equal(etwhf__check_cmd_split("mydec --fast", &c, err, sizeof err), ETWHF_OK);
    assert_false(c.has_file);
    argv = etwhf__check_cmd_argv(&c, args, 0, "p.etl");
    assert_string_equal(argv[2], "p.etl");
    assert_null(argv[3]);
    etwhf__check_argv_free(argv);
    etwhf__check_cmd_free(&c);
}

/* ---- judging one run ------------------------------------------------------ */

static struct etwhf_gen_event evs[3] = {
    {0x1000, 0x1010, 3, 8},
    {0x1000, 0x1020, 4, 8},
    {0x2000, 0x2010, 1, 4},
};

static void one_case(struct check_case *k, int error)
{
    memset(k, 0, sizeof *k);
    k->info.layer = ETWHF_GEN_FILE;
    k->expect.events = evs;
    k->expect.n_events = 3;
    k->has_counts = 1;
    k->expect.buffers = 2;
    k->expect.events_total = 7;
    k->expect.warnings = 1u << ETWHF_DIAG_SOURCE_UNKNOWN;
    if (error) {
        k->expect.error = 1;
        k->expect.errors = 1u << ETWHF_DIAG_RECORD_SIZE;
        k->expect.first_error_code = ETWHF_DIAG_RECORD_SIZE;
        k->expect.first_error_offset = 8400;
    }
}

/* What our decoder would report for one_case(): all three events, counts, codes. */
static void observed_like(struct check_observed *o, const struct check_case *k, int strict)
{
    etwhf__check_observed_reset(o);
    o->codes_known = 1;
    size_t n = strict && k->expect.error ? 1 : 3;
    for (size_t i = 0; i < n; i++)
        etwhf__check_observed_add_event(o, &evs[i]);
    etwhf__check_observed_add_diag(o, 0, ETWHF_DIAG_SOURCE_UNKNOWN, NULL, 1, 100);
    if (k->expect.error)
        etwhf__check_observed_add_diag(o, 1, ETWHF_DIAG_RECORD_SIZE, NULL, 1, 8400);
    o->has_counts = 1;
    o->buffers = 2;
    o->events_total = 7;
}

static void judge(const struct check_case *k, int mode, const struct check_observed *o, struct check_diff *d)
{
    etwhf__check_diff_reset(d);
    etwhf__check_compare(k, mode, o, d);
}

static void test_compare_agree(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    struct check_diff d;
    for (int error = 0; error <= 1; error++) {
        one_case(&k, error);
        for (int mode = 0; mode <= 1; mode++) {
            observed_like(&o, &k, mode);
            judge(&k, mode, &o, &d);
            assert_int_equal(d.kinds, 0);
            assert_int_equal(d.n, 0);
        }
    }
    etwhf__check_observed_free(&o);
}

static void test_compare_wrong_source(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    struct check_diff d;
    one_case(&k, 0);
    observed_like(&o, &k, 0);
    o.events[1].source = 3;
    judge(&k, ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_SOURCE);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].field, "events[1].source");
    assert_string_equal(d.items[0].expected, "4");
    assert_string_equal(d.items[0].got, "3");
    etwhf__check_observed_free(&o);
}

static void test_compare_counts_codes_verdict(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    struct check_diff d;
    one_case(&k, 0);
    observed_like(&o, &k, 0);
    o.nevents = 2;
    o.events_total = 6;
    etwhf__check_observed_add_diag(&o, 1, ETWHF_DIAG_MARKER, NULL, 1, 0x48);
    judge(&k, ETWHF_MODE_RECOVER, &o, &d);
    assert_true(d.kinds & 1u << CHECK_K_EVENTS_COUNT);
    assert_true(d.kinds & 1u << CHECK_K_VERDICT);
    assert_true(d.kinds & 1u << CHECK_K_ERRORS);
    assert_true(d.kinds & 1u << CHECK_K_EVENTS_TOTAL);
    assert_false(d.kinds & 1u << CHECK_K_WARNINGS);

    /* Codes unknown (external decoder without --strict-codes): not compared. */
    observed_like(&o, &k, 0);
    o.codes_known = 0;
    o.warnings = 0;
    o.has_counts = 0;
    judge(&k, ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 0);
    etwhf__check_observed_free(&o);
}

static void test_compare_strict(void **state)
{
    (void)state;
    struct check_case k;
    struct check_observed o = {0};
    struct check_diff d;
    one_case(&k, 1);

    /* Did not stop: a second error and more events than expected. */
    observed_like(&o, &k, 1);
    etwhf__check_observed_add_diag(&o, 1, ETWHF_DIAG_MARKER, NULL, 1, 9000);
    for (int i = 0; i < 3; i++)
        etwhf__check_observed_add_event(&o, &evs[2]);
    judge(&k, ETWHF_MODE_STRICT, &o, &d);
    assert_true(d.kinds & 1u << CHECK_K_STRICT_STOP);
    assert_true(d.kinds & 1u << CHECK_K_EVENTS_COUNT);
    assert_true(d.kinds & 1u << CHECK_K_ADDRESS); /* events[1] is evs[2], not evs[1] */

    /* Stopped at the wrong place. */
    observed_like(&o, &k, 1);
    o.first_offset = 8408;
    judge(&k, ETWHF_MODE_STRICT, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_FIRST_ERROR);
    assert_string_equal(d.items[0].expected, "RECORD_SIZE at 8400");
    assert_string_equal(d.items[0].got, "RECORD_SIZE at 8408");

    /* A warning the full walk does not have. */
    observed_like(&o, &k, 1);
    etwhf__check_observed_add_diag(&o, 0, ETWHF_DIAG_HEAP_PAYLOAD_LONG, NULL, 1, 0);
    judge(&k, ETWHF_MODE_STRICT, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_WARNINGS);
    etwhf__check_observed_free(&o);
}

/* ---- a decoder's JSON lines ---------------------------------------------- */

static void test_output_parse(void **state)
{
    (void)state;
    struct check_observed o = {0};
    struct check_diff d;
    const char out[] =
        "{\"type\":\"HeapFree\",\"heap_handle\":\"0x1D2C4A50000\",\"address\":\"0x1d2c4a5f3a0\",\"source\":3,"
        "\"pointer_size\":8}\n"
        "{\"type\":\"HeapFree\",\"heap_handle\":4096,\"address\":\"4112\",\"source\":7,\"pointer_size\":4}\n"
        "{\"type\":\"HeapAlloc\",\"heap_handle\":\"0x1\"}\n"
        "\n"
        "{\"type\":\"diag\",\"severity\":\"warning\",\"code\":\"SOURCE_UNKNOWN\"}\n"
        "{\"type\":\"diag\",\"severity\":\"error\",\"code\":\"NOT_A_CODE\"}\n"
        "{\"type\":\"summary\",\"buffers\":3}";
    etwhf__check_diff_reset(&d);
    etwhf__check_output_parse(out, sizeof out - 1, ETWHF_MODE_RECOVER, 1, 0, &o, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(o.nevents, 2);
    assert_true(o.events[0].heap_handle == 0x1D2C4A50000ull);
    assert_true(o.events[1].address == 4112);
    assert_int_equal(o.events[1].pointer_size, 4);
    assert_int_equal(o.heap_alloc, 1);
    assert_int_equal(o.error_diags, 1);
    assert_int_equal(o.warnings, 1u << ETWHF_DIAG_SOURCE_UNKNOWN);
    assert_string_equal(o.unknown_code, "NOT_A_CODE");
    assert_false(o.offset_known);

    const char bad[] =
        "not json\n{\"no\":\"type\"}\n{\"type\":\"HeapFree\",\"heap_handle\":\"zz\"}\n"
        "{\"type\":\"diag\",\"severity\":\"fatal\"}\n";
    etwhf__check_diff_reset(&d);
    etwhf__check_output_parse(bad, sizeof bad - 1, ETWHF_MODE_STRICT, 0, 0, &o, &d);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.kinds, 1u << CHECK_K_OUTPUT);
    assert_string_equal(d.items[0].field, "output line 1");
    assert_string_equal(d.items[3].field, "output line 4");
    assert_int_equal(d.items[2].mode, ETWHF_MODE_STRICT);
    etwhf__check_observed_free(&o);
}

/* ---- JSON reading rules (docs/spec/check-protocol.md §3.4) ---------------- */

static uint64_t read_u64(const char *text, int *ok)
{
    cJSON *v = etwhf__json_in_parse(text, strlen(text), NULL);
    uint64_t x = 0;
    *ok = v && etwhf__json_u64(v, &x) == ETWHF_OK;
    cJSON_Delete(v);
    return x;
}

static void test_json_numbers(void **state)
{
    (void)state;
    int ok;
    assert_true(read_u64("3", &ok) == 3 && ok);
    assert_true(read_u64(" 3.0 \r\n", &ok) == 3 && ok); /* JSON has one number type */
    assert_true(read_u64("9007199254740991", &ok) == 9007199254740991ull && ok);
    read_u64("9007199254740992", &ok); /* 2^53: 2^53 + 1 would read the same */
    assert_false(ok);
    read_u64("3.5", &ok);
    assert_false(ok);
    read_u64("-1", &ok);
    assert_false(ok);
    read_u64("1e400", &ok);
    assert_false(ok);
    assert_true(read_u64("\"0xFFFFFFFFFFFFFFFF\"", &ok) == UINT64_MAX && ok); /* big pointers: strings */
    assert_true(read_u64("\"18446744073709551615\"", &ok) == UINT64_MAX && ok);
    read_u64("\"0x10000000000000000\"", &ok);
    assert_false(ok);
    read_u64("\"0x\"", &ok);
    assert_false(ok);
    read_u64("3 4", &ok); /* one value per line, nothing after it */
    assert_false(ok);
    assert_null(etwhf__json_in_parse("{} x", 4, NULL));
    size_t at;
    assert_null(etwhf__json_in_parse("{\"a\":}", 6, &at));
    assert_int_equal(at, 5);

    struct check_observed o = {0};
    struct check_diff d;
    const char out[] =
        "{\"type\":\"HeapFree\",\"heap_handle\":\"0x1\",\"address\":2,\"source\":1.5,"
        "\"pointer_size\":8}\n"
        "{\"type\":\"HeapFree\",\"heap_handle\":\"0x1\",\"address\":9007199254740993,"
        "\"source\":1,\"pointer_size\":8}\n";
    etwhf__check_diff_reset(&d);
    etwhf__check_output_parse(out, sizeof out - 1, ETWHF_MODE_RECOVER, 0, 0, &o, &d);
    assert_int_equal(o.nevents, 0);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.items[0].got, "source: 1.5 is not a u32");
    assert_non_null(strstr(d.items[1].got, "address: 9007199254740992 is beyond 2^53 - 1"));
    etwhf__check_observed_free(&o);
}

/* ---- tally ---------------------------------------------------------------- */

static void test_tally(void **state)
{
    (void)state;
    struct check_tally t;
    struct check_diff d;
    etwhf__check_diff_reset(&d);
    etwhf__check_diff_add(&d, CHECK_K_SOURCE, 0, "events[0].source", "4", "3");
    assert_int_equal(etwhf__check_tally_init(&t, 10, 2), ETWHF_OK);
    /* Out of order, as parallel workers report. */
    etwhf__check_tally_add(&t, 7, ETWHF_CHECK_DISAGREE, &d);
    etwhf__check_tally_add(&t, 5, ETWHF_CHECK_AGREE, NULL);
    etwhf__check_tally_add(&t, 5, ETWHF_CHECK_CRASH, &d); /* strict run of 5 crashed */
    etwhf__check_tally_add(&t, 9, ETWHF_CHECK_TIMEOUT, &d);
    etwhf__check_tally_add(&t, 2, ETWHF_CHECK_DISAGREE, &d);
    etwhf__check_tally_add(&t, 2, ETWHF_CHECK_AGREE, NULL); /* the other mode agreed: stays disagree */
    etwhf__check_tally_add(&t, 3, ETWHF_CHECK_SKIPPED, NULL);
    assert_int_equal(t.nshown, 2);
    assert_int_equal(t.shown[0].idx, 2);
    assert_int_equal(t.shown[1].idx, 5);
    assert_int_equal(t.outcome[5], ETWHF_CHECK_CRASH);
    assert_int_equal(t.outcome[2], ETWHF_CHECK_DISAGREE);
    assert_int_equal(t.bad_cases, 4);
    uint64_t tot[ETWHF_CHECK_OUTCOMES];
    etwhf__check_tally_totals(&t, tot);
    assert_int_equal(tot[ETWHF_CHECK_DISAGREE], 2);
    assert_int_equal(tot[ETWHF_CHECK_CRASH], 1);
    assert_int_equal(tot[ETWHF_CHECK_TIMEOUT], 1);
    assert_int_equal(tot[ETWHF_CHECK_SKIPPED], 1);
    assert_int_equal(tot[ETWHF_CHECK_AGREE], 0);
    etwhf__check_tally_free(&t);
}

/* A case's two runs finish in either order; its details read the same:
 * recover first, then strict, the items past CHECK_DIFF_ITEMS dropped. */
static void test_tally_order(void **state)
{
    (void)state;
    struct check_diff rec, strict;
    char field[16];
    etwhf__check_diff_reset(&rec);
    etwhf__check_diff_reset(&strict);
    for (int i = 0; i < 4; i++) {
        snprintf(field, sizeof field, "r%d", i);
        etwhf__check_diff_add(&rec, CHECK_K_SOURCE, ETWHF_MODE_RECOVER, field, "4", "3");
        snprintf(field, sizeof field, "s%d", i);
        etwhf__check_diff_add(&strict, CHECK_K_ADDRESS, ETWHF_MODE_STRICT, field, "4", "3");
    }
    struct check_tally a, b;
    assert_int_equal(etwhf__check_tally_init(&a, 1, 1), ETWHF_OK);
    assert_int_equal(etwhf__check_tally_init(&b, 1, 1), ETWHF_OK);
    etwhf__check_tally_add(&a, 0, ETWHF_CHECK_DISAGREE, &rec);
    etwhf__check_tally_add(&a, 0, ETWHF_CHECK_DISAGREE, &strict);
    etwhf__check_tally_add(&b, 0, ETWHF_CHECK_DISAGREE, &strict);
    etwhf__check_tally_add(&b, 0, ETWHF_CHECK_DISAGREE, &rec);
    const struct check_diff *x = &a.shown[0].diff, *y = &b.shown[0].diff;
    assert_int_equal(x->n, CHECK_DIFF_ITEMS);
    assert_int_equal(x->dropped, 8 - CHECK_DIFF_ITEMS);
    assert_int_equal(y->n, x->n);
    assert_int_equal(y->dropped, x->dropped);
    assert_int_equal(y->kinds, x->kinds);
    for (unsigned i = 0; i < x->n; i++)
        assert_string_equal(y->items[i].field, x->items[i].field);
    assert_string_equal(y->items[0].field, "r0");
    assert_string_equal(y->items[4].field, "s0");
    etwhf__check_tally_free(&a);
    etwhf__check_tally_free(&b);
}

/* ---- manifest ------------------------------------------------------------- */

static char tmpdir[] = "/tmp/etwhf_check_units_XXXXXX";

static void write_manifest(const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/manifest.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define HDR "{\"manifest\":1,\"generator_version\":\"1\",\"options\":{}}\n"
#define CASE_OK_REST                                                                                                   \
    ",\"file\":\"cases/a.bin\",\"layer\":\"record\",\"pointer_size\":\"mixed\","                                       \
    "\"headers\":[\"system64\",\"event32\"],\"faults\":[\"x\",\"y\"],\"expect\":{\"verdict\":\"ok\","                  \
    "\"first_error\":null,\"errors\":[],\"warnings\":[\"SOURCE_RESERVED\"],\"events\":[{\"heap_handle\":"              \
    "\"0xff\",\"address\":\"0x100\",\"source\":6,\"pointer_size\":8}]}}\n"
#define CASE_OK "{\"id\":1" CASE_OK_REST
#define CASE_OK2 "{\"id\":2" CASE_OK_REST
#define HDR_COUNT(n) "{\"manifest\":1,\"generator_version\":\"1\",\"options\":{\"count\":" #n "}}\n"
#define CASE_ID(n) "{\"id\":" #n CASE_OK_REST
#define CASE_FILE(f)                                                                                                   \
    "{\"id\":1,\"file\":\"" f                                                                                          \
    "\",\"layer\":\"record\",\"pointer_size\":8,\"expect\":"                                                           \
    "{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],\"events\":[]}}\n"

static void expect_load_error(const char *text, const char *needle)
{
    struct etwhf_corpus c;
    char err[512] = "";
    write_manifest(text);
    assert_int_equal(etwhf__manifest_read(tmpdir, &c, err, sizeof err), ETWHF_EIO);
    if (!strstr(err, needle)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", err, needle);
        fail();
    }
}

static void test_manifest(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(tmpdir));
    struct etwhf_corpus c;
    char err[512];
    write_manifest(HDR CASE_OK "\n" CASE_OK2);
    assert_int_equal(etwhf__manifest_read(tmpdir, &c, err, sizeof err), ETWHF_OK);
    assert_int_equal(c.ncases, 2);
    assert_string_equal(c.generator_version, "1");
    assert_int_equal(c.cases[1].info.line, 4); /* the blank line counts */
    assert_int_equal(c.cases[0].info.pointer_size, 0);
    assert_int_equal(c.cases[0].info.headers, 1u << ETWHF_HDR_SYSTEM64 | 1u << ETWHF_HDR_EVENT32);
    assert_int_equal(c.nfaults, 2);
    assert_int_equal(c.ncase_faults, 4);
    assert_true(c.events[1].address == 0x100);
    assert_int_equal(c.cases[1].expect.warnings, 1u << ETWHF_DIAG_SOURCE_RESERVED);
    etwhf__corpus_clear(&c);

    expect_load_error("", "is empty");
    expect_load_error("{\"manifest\":2}\n", "line 1: manifest version 2");
    expect_load_error(HDR "{\"id\":1,", "line 2: not a JSON object");
    expect_load_error(HDR CASE_OK "[1]\n", "line 3: not a JSON object");
    expect_load_error(HDR
                      "{\"id\":1,\"file\":\"f\",\"layer\":\"file\",\"pointer_size\":8,\"expect\":"
                      "{\"verdict\":\"ok\",\"errors\":[],\"warnings\":[],\"events\":[]}}\n",
                      "line 2: a file case needs expect.buffers");
    expect_load_error(HDR "{\"id\":1,\"file\":\"f\",\"layer\":\"payload\",\"pointer_size\":8,\"expect\":{}}\n",
                      "line 2: a payload case needs \"event\"");
    expect_load_error(HDR
                      "{\"id\":1,\"file\":\"f\",\"layer\":\"record\",\"pointer_size\":8,\"expect\":"
                      "{\"verdict\":\"error\",\"first_error\":{\"code\":\"MARKER\",\"offset\":0},"
                      "\"errors\":[\"NOPE\"],\"warnings\":[],\"events\":[]}}\n",
                      "line 2: expect.errors[0] is not a diagnostic code name");
    expect_load_error(HDR
                      "{\"id\":1,\"file\":\"f\",\"layer\":\"record\",\"pointer_size\":8,\"headers\":[\"message\"],"
                      "\"expect\":{}}\n",
                      "line 2: headers[0]");
    /* The case lines against the first line (issue 23, row 4). */
    expect_load_error(HDR CASE_OK CASE_OK, "line 3: id 1 again (line 2 has it)");
    expect_load_error(HDR CASE_OK2 CASE_OK, "line 3: id 1 after id 2 (line 2)");
    expect_load_error(HDR_COUNT(3) CASE_ID(0) CASE_ID(1), "2 case lines, but its first line's options.count is 3");
    expect_load_error(HDR_COUNT(2) CASE_ID(0) CASE_ID(1) CASE_ID(2), "line 4: one case line more than");
    expect_load_error(HDR_COUNT(3) CASE_ID(0) CASE_ID(2), "line 3: id 2 where id 1 is due");
    expect_load_error(HDR_COUNT(3) CASE_ID(1), "line 2: id 1 where id 0 is due");
    expect_load_error("{\"manifest\":1,\"options\":{\"count\":-1}}\n", "line 1: options.count is not an integer");
    /* Case paths stay inside the folder (row 15; symlinks: tests/hostile/check_manifest.sh). */
    expect_load_error(HDR CASE_FILE("/etc/passwd"), "line 2: \"file\" '/etc/passwd' is an absolute path");
    expect_load_error(HDR CASE_FILE("cases/../../x"), "line 2: \"file\" 'cases/../../x' goes up with '..'");
    expect_load_error(HDR CASE_FILE(".."), "goes up with '..'");
    write_manifest(HDR CASE_FILE("cases/..x/./a..") CASE_OK2);
    assert_int_equal(etwhf__manifest_read(tmpdir, &c, err, sizeof err), ETWHF_OK);
    etwhf__corpus_clear(&c);

    char path[256];
    snprintf(path, sizeof path, "%s/manifest.jsonl", tmpdir);
    unlink(path);
    assert_int_equal(etwhf__manifest_read(tmpdir, &c, err, sizeof err), ETWHF_EIO);
    assert_non_null(strstr(err, "manifest.jsonl"));
    rmdir(tmpdir);
    assert_int_equal(etwhf__manifest_read(tmpdir, &c, err, sizeof err), ETWHF_EIO);
    assert_non_null(strstr(err, "cannot read corpus folder"));
}

/* ---- heap_events (a project extension beyond docs/spec/manifest.md) -------------- */

#define HE_REALLOC                                                                                                     \
    "{\"type\":\"HeapReAlloc\",\"header\":null,\"pointer_size\":4,\"heap_handle\":\"0xa0000\","                        \
    "\"new_address\":\"0xa1000\",\"old_address\":\"0xa2000\",\"new_size\":\"0x10\",\"old_size\":\"0x20\",\"source\":3}"
#define HE_CASE(id, extra)                                                                                             \
    "{\"id\":" #id                                                                                                     \
    ",\"file\":\"cases/r.bin\",\"layer\":\"payload\",\"pointer_size\":4,"                                              \
    "\"event\":\"realloc\",\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],"         \
    "\"events\":[],\"heap_alloc\":0,\"heap_realloc\":1" extra "}}\n"

/* What our decoder reports for HE_REALLOC, sizes swapped when `swap`. */
static void observed_realloc(struct check_observed *o, int swap, int other_known)
{
    etwhf__check_observed_reset(o);
    o->codes_known = 1;
    o->other_known = other_known;
    o->header_known = other_known;
    o->heap_realloc = 1;
    struct etwhf_gen_heap_expect h = {.type = ETWHF_HEAP_REALLOC,
                                      .pointer_size = 4,
                                      .header = -1,
                                      .source = 3,
                                      .heap_handle = 0xa0000,
                                      .new_address = 0xa1000,
                                      .old_address = 0xa2000,
                                      .new_size = swap ? 0x20 : 0x10,
                                      .old_size = swap ? 0x10 : 0x20};
    etwhf__check_observed_add_heap(o, &h);
}

static void test_heap_events(void **state)
{
    (void)state;
    static char dir[] = "/tmp/etwhf_check_heap_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(HDR HE_CASE(1, ",\"heap_events\":[" HE_REALLOC "]") HE_CASE(2, ""), f); /* 2: an older manifest */
    fclose(f);
    struct etwhf_corpus c;
    assert_int_equal(etwhf__manifest_read(dir, &c, err, sizeof err), ETWHF_OK);
    assert_int_equal(c.nheap_events, 1);
    assert_true(c.cases[0].has_heap_events);
    assert_false(c.cases[1].has_heap_events);
    assert_true(c.heap_events[0].new_size == 0x10 && c.heap_events[0].old_size == 0x20);
    assert_int_equal(c.heap_events[0].header, -1);

    struct check_observed o = {0};
    struct check_diff d;
    observed_realloc(&o, 0, 1);
    judge(&c.cases[0], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 0);

    /* The planted realloc32_sizes_swapped: caught field by field. */
    observed_realloc(&o, 1, 1);
    judge(&c.cases[0], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_HE_SIZE);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.items[0].field, "heap_events[0].new_size");
    assert_string_equal(d.items[0].expected, "0x10");
    assert_string_equal(d.items[0].got, "0x20");
    assert_string_equal(d.items[1].field, "heap_events[0].old_size");
    assert_string_equal(etwhf__check_kind_name(CHECK_K_HE_SIZE), "heap_events.size");

    /* Not read (external decoder without --all-heap-events), or not in the manifest: not compared. */
    observed_realloc(&o, 1, 0);
    judge(&c.cases[0], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 0);
    observed_realloc(&o, 1, 1);
    judge(&c.cases[1], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 0);

    /* A missing or extra event, a wrong type. */
    observed_realloc(&o, 0, 1);
    o.nheap = 0;
    judge(&c.cases[0], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_HE_COUNT);
    observed_realloc(&o, 0, 1);
    o.heap[0].type = ETWHF_HEAP_ALLOC;
    judge(&c.cases[0], ETWHF_MODE_RECOVER, &o, &d);
    assert_int_equal(d.kinds, 1u << CHECK_K_HE_TYPE);
    assert_string_equal(d.items[0].got, "HeapAlloc");

    /* An external decoder's lines with --all-heap-events: every type read. */
    const char out[] =
        "{\"type\":\"HeapFree\",\"heap_handle\":\"0x1\",\"address\":\"0x2\",\"source\":1,"
        "\"pointer_size\":4}\n" HE_REALLOC
        "\n"
        "{\"type\":\"HeapAlloc\",\"heap_handle\":\"0x1\",\"address\":\"0x2\",\"source\":1,"
        "\"pointer_size\":4}\n";
    etwhf__check_diff_reset(&d);
    etwhf__check_output_parse(out, sizeof out - 1, ETWHF_MODE_RECOVER, 0, 1, &o, &d);
    assert_int_equal(o.nheap, 2);
    assert_int_equal(o.nevents, 1);
    assert_int_equal(o.heap[0].type, ETWHF_HEAP_FREE);
    assert_true(o.heap[1].new_size == 0x10 && o.heap[1].old_address == 0xa2000);
    assert_int_equal(d.kinds, 1u << CHECK_K_OUTPUT); /* the HeapAlloc line has no size */
    assert_string_equal(d.items[0].field, "output line 3");
    etwhf__check_diff_reset(&d);
    etwhf__check_output_parse(out, sizeof out - 1, ETWHF_MODE_RECOVER, 0, 0, &o, &d);
    assert_int_equal(d.n, 0); /* without the option only HeapFree lines are read */
    assert_int_equal(o.nheap, 0);
    etwhf__check_observed_free(&o);
    etwhf__corpus_clear(&c);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs(HDR HE_CASE(1, ",\"heap_events\":[{\"type\":\"HeapReAlloc\",\"pointer_size\":4}]"), f);
    fclose(f);
    assert_int_equal(etwhf__manifest_read(dir, &c, err, sizeof err), ETWHF_EIO);
    assert_non_null(strstr(err, "line 2: expect.heap_events[0] needs"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_words),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_compare_agree),
        cmocka_unit_test(test_compare_wrong_source),
        cmocka_unit_test(test_compare_counts_codes_verdict),
        cmocka_unit_test(test_compare_strict),
        cmocka_unit_test(test_output_parse),
        cmocka_unit_test(test_tally),
        cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_tally_order),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_heap_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
