/*
 * test_gen_manifest.c — `etwhf gen --out` writes a manifest that is valid
 * JSON Lines exactly as docs/spec/manifest.md defines it, consistent with the case
 * files and names, and `etwhf check` agrees with it.
 *
 * Usage: test_gen_manifest ETWHF WORKDIR
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "etwhf/format.h"
#include "gtest.h"

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                       \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static int is_hex(const char *s)
{
    if (!s || strncmp(s, "0x", 2) != 0 || !s[2])
        return 0;
    for (s += 2; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* A code list: names of the table, distinct, sorted by number, of one severity. */
static uint32_t check_codes(json_t *a, int severity, size_t line)
{
    uint32_t mask = 0;
    int last = 0;
    size_t i;
    json_t *v;
    CHECK(json_is_array(a), "line %zu: codes not an array", line);
    json_array_foreach(a, i, v)
    {
        int code = etwhf_diag_from_name(json_string_value(v));
        CHECK(code > last, "line %zu: codes not distinct and sorted by number", line);
        CHECK(code && etwhf_diag_info(code)->severity == severity, "line %zu: code of the wrong severity", line);
        last = code;
        mask |= 1u << code;
    }
    return mask;
}

static void check_case(json_t *o, const char *dir, size_t line, uint64_t want_id, const char *seed)
{
    static const char *const keys[] = {"id",         "file",   "layer", "pointer_size", "headers",
                                       "compressed", "faults", "seed",  "expect"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        CHECK(json_object_get(o, keys[k]), "line %zu: no \"%s\"", line, keys[k]);
    CHECK(json_integer_value(json_object_get(o, "id")) == (json_int_t)want_id, "line %zu: ids not 0, 1, 2, ...", line);
    const char *layer = json_string_value(json_object_get(o, "layer"));
    const char *file = json_string_value(json_object_get(o, "file"));
    int is_file = layer && !strcmp(layer, "file"), is_payload = layer && !strcmp(layer, "payload");
    CHECK(layer && (is_file || is_payload || !strcmp(layer, "record")), "line %zu: bad layer", line);
    CHECK(is_payload == (json_object_get(o, "event") != NULL), "line %zu: \"event\" only for payload cases", line);
    json_t *ps = json_object_get(o, "pointer_size");
    CHECK((json_is_integer(ps) && (json_integer_value(ps) == 4 || json_integer_value(ps) == 8)) ||
              (json_is_string(ps) && !strcmp(json_string_value(ps), "mixed") && !is_payload),
          "line %zu: bad pointer_size", line);
    char want_seed[64];
    snprintf(want_seed, sizeof want_seed, "%s/%llu", seed, (unsigned long long)want_id);
    CHECK(!strcmp(json_string_value(json_object_get(o, "seed")), want_seed), "line %zu: seed is not S/ID", line);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "headers"), i, v)
    {
        int h = etwhf_header_from_name(json_string_value(v));
        CHECK(h >= 0 && h < ETWHF_HDR_FORMS, "line %zu: bad header name", line);
    }
    json_array_foreach(json_object_get(o, "faults"), i, v)
        CHECK(etwhf_fault_from_name(json_string_value(v)) >= 0, "line %zu: unknown fault", line);

    json_t *x = json_object_get(o, "expect");
    const char *verdict = json_string_value(json_object_get(x, "verdict"));
    json_t *fe = json_object_get(x, "first_error");
    CHECK(verdict && (!strcmp(verdict, "ok") || !strcmp(verdict, "error")), "line %zu: bad verdict", line);
    int error = verdict && !strcmp(verdict, "error");
    uint32_t errors = check_codes(json_object_get(x, "errors"), ETWHF_SEV_ERROR, line);
    uint32_t warnings = check_codes(json_object_get(x, "warnings"), ETWHF_SEV_WARNING, line);
    CHECK(error == (errors != 0), "line %zu: verdict and errors disagree", line);
    CHECK(error ? json_is_object(fe) : json_is_null(fe), "line %zu: first_error must be null iff ok", line);
    if (json_is_object(fe)) {
        int code = etwhf_diag_from_name(json_string_value(json_object_get(fe, "code")));
        CHECK(code && (errors >> code & 1u), "line %zu: first_error not among errors", line);
        CHECK(json_is_integer(json_object_get(fe, "offset")), "line %zu: first_error.offset", line);
    }
    json_array_foreach(json_object_get(x, "events"), i, v)
    {
        json_t *w = json_object_get(v, "pointer_size");
        CHECK(is_hex(json_string_value(json_object_get(v, "heap_handle"))) &&
                  is_hex(json_string_value(json_object_get(v, "address"))),
              "line %zu: pointers must be lowercase hex strings", line);
        CHECK(json_is_integer(json_object_get(v, "source")), "line %zu: source", line);
        CHECK(json_integer_value(w) == 4 || json_integer_value(w) == 8, "line %zu: event pointer_size", line);
    }
    int counts =
        json_object_get(x, "buffers") && json_object_get(x, "buffers_skipped") && json_object_get(x, "events_total");
    CHECK(counts == is_file, "line %zu: buffers/buffers_skipped/events_total exactly for file cases", line);
    CHECK(!json_object_get(x, "buffers") == !is_file, "line %zu: counts in a non-file case", line);

    /* shapes: known names in catalogue order; evidence: the weakest of theirs;
     * intact_prefix: exactly in faulted cases, no longer than the lists */
    uint64_t shapes = 0;
    int last = -1;
    json_array_foreach(json_object_get(o, "shapes"), i, v)
    {
        int sh = etwhf_gen_shape_from_name(json_string_value(v));
        CHECK(sh > last, "line %zu: shape %s unknown or out of catalogue order", line, json_string_value(v));
        if (sh >= 0)
            shapes |= UINT64_C(1) << sh;
        last = sh;
    }
    CHECK(json_array_size(json_object_get(o, "shapes")) > 0, "line %zu: no shapes", line);
    int evidence = etwhf_evidence_from_name(json_string_value(json_object_get(o, "evidence")));
    CHECK(evidence >= 0 && evidence == etwhf_gen_shapes_evidence(shapes),
          "line %zu: evidence is not the shapes' weakest", line);
    json_t *prefix_o = json_object_get(x, "intact_prefix");
    CHECK(!prefix_o == !json_array_size(json_object_get(o, "faults")), "line %zu: intact_prefix iff faults", line);
    if (prefix_o)
        CHECK(json_integer_value(json_object_get(prefix_o, "events")) <=
                      (json_int_t)json_array_size(json_object_get(x, "events")) &&
                  json_integer_value(json_object_get(prefix_o, "heap_events")) <=
                      (json_int_t)json_array_size(json_object_get(x, "heap_events")),
              "line %zu: intact_prefix longer than the lists", line);

    /* the file: exists, named n_ (an error), i_ (a chosen shape), w_
     * (warnings) or y_ + layer (bare payloads: + width and event) + one of
     * its faults (the only one when it has one) or intact + id */
    const char *letter = error ? "n" : evidence == ETWHF_EVIDENCE_CHOSEN ? "i" : warnings ? "w" : "y";
    char path[4096], want[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, file ? file : "");
    CHECK(file && stat(path, &st) == 0 && S_ISREG(st.st_mode), "line %zu: %s missing", line, file ? file : "?");
    json_t *faults = json_object_get(o, "faults");
    char prefix[64];
    if (is_payload)
        snprintf(prefix, sizeof prefix, "cases/%s_payload_w%lld_%s_", letter,
                 (long long)json_integer_value(json_object_get(o, "pointer_size")),
                 json_string_value(json_object_get(o, "event")));
    else
        snprintf(prefix, sizeof prefix, "cases/%s_%s_", letter, layer ? layer : "");
    int named_ok = 0;
    for (size_t k = 0; k <= json_array_size(faults); k++) {
        const char *fault = k < json_array_size(faults) ? json_string_value(json_array_get(faults, k)) : "intact";
        if (k == json_array_size(faults) && k > 0)
            break; /* a case with faults is named after one of them */
        snprintf(want, sizeof want, "%s%s_%06llu.%s", prefix, fault, (unsigned long long)want_id,
                 is_file ? "etl" : "bin");
        named_ok |= file && !strcmp(file, want);
        if (json_array_size(faults) == 1)
            break; /* one fault: named after it */
    }
    CHECK(named_ok, "line %zu: file %s, expected %s<one of its faults>_%06llu", line, file ? file : "?", prefix,
          (unsigned long long)want_id);
}

static void check_manifest(const char *dir, uint64_t want_count, const char *seed)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "no %s", path);
    if (!f)
        return;
    char *buf = NULL;
    size_t cap = 0, line = 0;
    ssize_t n;
    while ((n = getline(&buf, &cap, f)) > 0) {
        line++;
        CHECK(buf[n - 1] == '\n', "line %zu: not newline-terminated", line);
        json_error_t je;
        json_t *o = json_loads(buf, 0, &je);
        CHECK(json_is_object(o), "line %zu: not a JSON object: %s", line, je.text);
        if (!o)
            continue;
        if (line == 1) {
            CHECK(json_integer_value(json_object_get(o, "manifest")) == ETWHF_MANIFEST_VERSION, "first line: manifest");
            CHECK(!strcmp(json_string_value(json_object_get(o, "generator_version")), ETWHF_GEN_VERSION),
                  "first line: generator_version");
            json_t *opt = json_object_get(o, "options");
            static const char *const keys[] = {"seed",         "count",      "exhaustive",     "layer",
                                               "pointer_size", "source",     "header",         "faults",
                                               "fault_rate",   "max_faults", "compressed_rate"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                CHECK(json_object_get(opt, keys[k]), "first line: option %s missing", keys[k]);
            CHECK(!strcmp(json_string_value(json_object_get(opt, "seed")), seed), "first line: seed");
        } else {
            check_case(o, dir, line, line - 2, seed);
        }
        json_decref(o);
    }
    free(buf);
    fclose(f);
    CHECK(line == want_count + 1, "%zu lines, expected %llu", line, (unsigned long long)want_count + 1);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: test_gen_manifest ETWHF WORKDIR\n", stderr);
        return 2;
    }
    const char *etwhf = argv[1], *work = argv[2];
    char cmd[8192], dir[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", work, work);
    CHECK(run(cmd) == 0, "cannot prepare %s", work);

    snprintf(dir, sizeof dir, "%s/drawn", work);
    snprintf(cmd, sizeof cmd, "'%s' gen --out '%s' --count 400 --seed 9 --max-faults 3", etwhf, dir);
    CHECK(run(cmd) == 0, "%s failed", cmd);
    check_manifest(dir, 400, "9");
    snprintf(cmd, sizeof cmd, "'%s' check '%s' > '%s/check.out'", etwhf, dir, work);
    CHECK(run(cmd) == 0, "etwhf check does not agree with the manifest (see %s/check.out)", work);

    snprintf(dir, sizeof dir, "%s/exhaustive", work);
    snprintf(cmd, sizeof cmd, "'%s' gen --out '%s' --exhaustive --layer payload --seed 0x10", etwhf, dir);
    CHECK(run(cmd) == 0, "%s failed", cmd);
    check_manifest(dir, 4 * 3 * 2 * 10, "16"); /* (none + 3 payload faults) × events × widths × sources */
    snprintf(cmd, sizeof cmd, "'%s' check '%s' > '%s/check2.out'", etwhf, dir, work);
    CHECK(run(cmd) == 0, "etwhf check does not agree with the exhaustive manifest");

    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    else
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work), run(cmd);
    return failures ? 1 : 0;
}
