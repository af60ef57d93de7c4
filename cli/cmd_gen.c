/* `etwhf gen`: option parsing for the corpus mode (--out) and the large-trace
 * mode (--etl); see gen_corpus.c and gen_trace.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "gen_cli.h"

static const char help[] =
    "usage: etwhf gen --out DIR [options]\n"
    "       etwhf gen --from DIR --out CORPUS [--force]\n"
    "       etwhf gen --etl FILE|- --events N [options]\n"
    "\n"
    "Corpus mode (--out): writes DIR/cases/ (one input per case, named like\n"
    "y_file_intact_000003.etl or n_record_marker_cleared_000017.bin: n_ at least\n"
    "one error; otherwise i_ a shape etwhf chose, w_ warnings, y_ nothing to\n"
    "report) and DIR/manifest.jsonl with each case's expected verdict,\n"
    "diagnostics, events, shapes and their evidence (docs/spec/manifest.md).\n"
    "  --seed S                   run seed (default 1); case ID uses stream S/ID\n"
    "  --count N                  number of cases (default 1000)\n"
    "  --exhaustive               every Source x width x header form x fault (and\n"
    "                             no fault) the options allow, each once, instead\n"
    "                             of --count drawn cases\n"
    "  --layer LIST               payload,record,file (default all)\n"
    "  --pointer-size LIST        4,8,mixed (default all)\n"
    "  --source LIST              Source values (numbers or LOOKASIDE, LOWFRAG,\n"
    "                             MAINPATH, SLOWPATH, INVALID, SEGMENT_HEAP;\n"
    "                             default 1-6,0,7,0x80000000,0xFFFFFFFF)\n"
    "  --header LIST              heap record forms: system32 system64 compact32\n"
    "                             compact64 perfinfo32 perfinfo64 full32 full64\n"
    "                             instance32 instance64 event32 event64 (default all)\n"
    "  --faults all|none|NAME,... faults to draw from (default all; names in\n"
    "                             docs/faults.md)\n"
    "  --fault-rate PERMILLE      cases with faults, per mille (default 500)\n"
    "  --max-faults N             faults per case, 1-4 (default 2)\n"
    "  --compressed-rate PERMILLE file cases written compressed (default 150)\n"
    "  --evidence all|documented  documented: draw only shapes public traces show or\n"
    "                             Microsoft or a widely used reader documents (every\n"
    "                             case then judges a decoder at levels L1/L2);\n"
    "                             all (default): half the drawn cases may hold\n"
    "                             shapes etwhf chose (docs/spec/evidence.md)\n"
    "  --force                    empty a non-empty DIR first (else exit 3); only\n"
    "                             a folder an earlier gen --out wrote (its\n"
    "                             manifest.jsonl, cases/, files beside them),\n"
    "                             never /, the home or the current folder (exit 2)\n"
    "\n"
    "Referee corpus (--from DIR --out CORPUS): every regular file of DIR (file\n"
    "layer) becomes a case of CORPUS whose expectation is what etwhf's decoder\n"
    "reads in it, for `etwhf check CORPUS` against another decoder; evidence is\n"
    "unknown, so such a corpus is judged at L0, L3 and L4 only. --force as above.\n"
    "\n"
    "Trace mode (--etl): one large intact trace with N HeapFree events and\n"
    "realistic neighbours, streamed (constant memory; '-' is standard output).\n"
    "  --events N                 HeapFree events (required)\n"
    "  --seed S                   (default 1)\n"
    "  --pointer-size 4|8|mixed   (default 8)\n"
    "  --pure                     HeapFree records only\n"
    "  --buffer-size B            multiple of 8, 4K-16M (default 64K; suffix K, M)\n"
    "  --force                    replace an existing FILE (else exit 3)\n"
    "\n"
    "An option of one mode is refused in the other (exit 2). A list option\n"
    "(--layer, --source, --header, corpus --pointer-size) given twice is the union\n"
    "of both; any other option may be given once; an empty list item is refused.\n"
    "Same seed and options, same bytes on every machine (docs/generator.md).\n"
    "Exit status: 0 done; 2 usage (including a DIR --force refuses to empty);\n"
    "3 I/O (including a non-empty DIR or an existing FILE without --force, full\n"
    "disk); 130 interrupted (SIGINT; 143 SIGTERM, 129 SIGHUP): no manifest and no\n"
    "temporary file is left behind, an existing FILE is kept.\n";

/* Splits a comma list; fn returns 0 or -1 (after a usage message). An empty
 * list or item (`system64,,`) is refused: it is a typo, never a choice. */
static int each_item(const char *list, const char *opt, int (*fn)(const char *item, const char *opt, void *user),
                     void *user)
{
    char buf[512];
    size_t n = strlen(list);
    if (n >= sizeof buf) {
        etwhf_usage_error("gen", "the list for %s is longer than %zu bytes", opt, sizeof buf - 1);
        return -1;
    }
    memcpy(buf, list, n + 1);
    for (char *item = buf;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        if (!*item) {
            etwhf_usage_error("gen", "an empty item in the list '%s' for %s", list, opt);
            return -1;
        }
        if (fn(item, opt, user) != 0)
            return -1;
        if (!comma)
            return 0;
        item = comma + 1;
    }
}

static int add_layer(const char *s, const char *opt, void *user)
{
    static const char *const names[] = {"payload", "record", "file", NULL};
    int i = etwhf_parse_choice(s, names);
    if (i < 0) {
        etwhf_usage_error("gen", "invalid value '%s' for %s (expected payload, record, file)", s, opt);
        return -1;
    }
    ((struct etwhf_gen_options *)user)->layers |= ETWHF_GEN_LAYER_BIT(i);
    return 0;
}

static int add_width(const char *s, const char *opt, void *user)
{
    static const char *const names[] = {"4", "8", "mixed", NULL};
    int i = etwhf_parse_choice(s, names);
    if (i < 0) {
        etwhf_usage_error("gen", "invalid value '%s' for %s (expected 4, 8, mixed)", s, opt);
        return -1;
    }
    ((struct etwhf_gen_options *)user)->widths |= 1u << i;
    return 0;
}

static int add_header(const char *s, const char *opt, void *user)
{
    int h = etwhf_header_from_name(s);
    if (h < 0 || h >= ETWHF_HDR_FORMS) {
        etwhf_usage_error("gen", "invalid header form '%s' for %s (see --help)", s, opt);
        return -1;
    }
    ((struct etwhf_gen_options *)user)->headers |= 1u << h;
    return 0;
}

static int add_source(const char *s, const char *opt, void *user)
{
    struct etwhf_gen_options *o = user;
    uint64_t v = 0;
    int named = 0;
    for (uint32_t k = 1; k <= 6; k++)
        if (!strcmp(s, etwhf_source_name(k))) {
            v = k;
            named = 1;
        }
    if (!named && (etwhf_parse_u64(s, &v) != 0 || v > UINT32_MAX)) {
        etwhf_usage_error("gen", "invalid Source '%s' for %s (a 32-bit number or a MEMORY_FROM name)", s, opt);
        return -1;
    }
    if (o->n_sources == ETWHF_GEN_MAX_SOURCES) {
        etwhf_usage_error("gen", "%s takes at most %d values", opt, ETWHF_GEN_MAX_SOURCES);
        return -1;
    }
    o->sources[o->n_sources++] = (uint32_t)v;
    return 0;
}

static int add_fault(const char *s, const char *opt, void *user)
{
    int f = etwhf_fault_from_name(s);
    if (f < 0) {
        etwhf_usage_error("gen", "unknown fault '%s' for %s (names in docs/faults.md)", s, opt);
        return -1;
    }
    ((struct etwhf_gen_options *)user)->fault_set |= UINT64_C(1) << f;
    return 0;
}

static int parse_faults(struct etwhf_gen_options *o, const char *v)
{
    if (!strcmp(v, "all")) {
        o->fault_mode = ETWHF_GEN_FAULTS_ALL;
        return 0;
    }
    if (!strcmp(v, "none")) {
        o->fault_mode = ETWHF_GEN_FAULTS_NONE;
        return 0;
    }
    o->fault_mode = ETWHF_GEN_FAULTS_LIST;
    o->fault_set = 0;
    return each_item(v, "--faults", add_fault, o);
}

static int number(const char *opt, const char *v, uint64_t max, uint64_t *out)
{
    if (etwhf_parse_u64(v, out) == 0 && *out <= max)
        return 0;
    etwhf_usage_error("gen", "invalid value '%s' for %s (0-%llu)", v, opt, (unsigned long long)max);
    return -1;
}

/* 0 the first time a single-value option is given, else the usage error. */
static int once(struct gen_cli *c, unsigned bit, const char *opt)
{
    return etwhf_args_once("gen", &c->given, bit, opt) != 0 ? -1 : 0;
}

/* Options of both modes and the trace's: 1 when arg was one (applied), 0
 * when not, -1 after a usage message. */
static int parse_common(struct gen_cli *c, struct etwhf_args *a, const char *arg, const char **width)
{
    const char *v;
    int r;
    if ((r = etwhf_args_value(a, arg, "--out", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_OUT, "--out") != 0)
            return -1;
        /* A corpus is a folder of files: there is no standard output to write it to. */
        if (!strcmp(v, "-"))
            return etwhf_usage_error("gen", "--out needs a folder; '-' (standard output) cannot hold a corpus"), -1;
        c->out = v;
    } else if ((r = etwhf_args_value(a, arg, "--from", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_FROM, "--from") != 0)
            return -1;
        c->from = v;
    } else if ((r = etwhf_args_value(a, arg, "--etl", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_ETL, "--etl") != 0)
            return -1;
        c->etl = v;
    } else if ((r = etwhf_args_value(a, arg, "--seed", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_SEED, "--seed") != 0 || number("--seed", v, UINT64_MAX, &c->seed) != 0)
            return -1;
    } else if ((r = etwhf_args_value(a, arg, "--events", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_EVENTS, "--events") != 0 || number("--events", v, UINT64_MAX / 2, &c->events) != 0)
            return -1;
        c->events_set = 1;
    } else if ((r = etwhf_args_value(a, arg, "--buffer-size", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_BUFFER_SIZE, "--buffer-size") != 0)
            return -1;
        if (etwhf_parse_bytes(v, &c->buffer_size) != 0 || c->buffer_size < 0x1000 || c->buffer_size > 0x1000000 ||
            c->buffer_size % 8)
            return etwhf_usage_error("gen", "invalid --buffer-size '%s' (a multiple of 8 from 4K to 16M)", v), -1;
    } else if ((r = etwhf_args_value(a, arg, "--pointer-size", &v)) != 0) {
        /* a list in corpus mode (a union when repeated), one value in trace
         * mode: checked as a list now, the first kept for trace mode */
        if (r < 0 || each_item(v, "--pointer-size", add_width, &c->opts) != 0)
            return -1;
        if (c->given & GIVEN_POINTER_SIZE)
            c->width_repeated = 1;
        else
            *width = v;
        c->given |= GIVEN_POINTER_SIZE;
    }
    return r;
}

/* Corpus options: as parse_common. */
static int parse_corpus(struct gen_cli *c, struct etwhf_args *a, const char *arg)
{
    const char *v;
    uint64_t n;
    int r;
    if ((r = etwhf_args_value(a, arg, "--count", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_COUNT, "--count") != 0 || number("--count", v, 999999999, &c->count) != 0)
            return -1;
        c->count_set = 1;
    } else if ((r = etwhf_args_value(a, arg, "--layer", &v)) != 0) {
        if (r < 0 || each_item(v, "--layer", add_layer, &c->opts) != 0)
            return -1;
        c->given |= GIVEN_LAYER;
    } else if ((r = etwhf_args_value(a, arg, "--source", &v)) != 0) {
        if (r < 0 || each_item(v, "--source", add_source, &c->opts) != 0)
            return -1;
        c->given |= GIVEN_SOURCE;
    } else if ((r = etwhf_args_value(a, arg, "--header", &v)) != 0) {
        if (r < 0 || each_item(v, "--header", add_header, &c->opts) != 0)
            return -1;
        c->given |= GIVEN_HEADER;
    } else if ((r = etwhf_args_value(a, arg, "--faults", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_FAULTS, "--faults") != 0 || parse_faults(&c->opts, v) != 0)
            return -1;
    } else if ((r = etwhf_args_value(a, arg, "--fault-rate", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_FAULT_RATE, "--fault-rate") != 0 || number("--fault-rate", v, 1000, &n) != 0)
            return -1;
        c->opts.fault_rate = (unsigned)n;
    } else if ((r = etwhf_args_value(a, arg, "--compressed-rate", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_COMPRESSED_RATE, "--compressed-rate") != 0 ||
            number("--compressed-rate", v, 1000, &n) != 0)
            return -1;
        c->opts.compressed_rate = (unsigned)n;
    } else if ((r = etwhf_args_value(a, arg, "--evidence", &v)) != 0) {
        static const char *const evidence[] = {"all", "documented", NULL};
        if (r < 0 || once(c, GIVEN_EVIDENCE, "--evidence") != 0)
            return -1;
        int e = etwhf_parse_choice(v, evidence);
        if (e < 0)
            return etwhf_usage_error("gen", "invalid value '%s' for --evidence (expected all, documented)", v), -1;
        c->opts.documented_only = e == 1;
    } else if ((r = etwhf_args_value(a, arg, "--max-faults", &v)) != 0) {
        if (r < 0 || once(c, GIVEN_MAX_FAULTS, "--max-faults") != 0)
            return -1;
        /* One message: number() would print its own range (0-4) before this one (1-4). */
        if (etwhf_parse_u64(v, &n) != 0 || n == 0 || n > ETWHF_GEN_MAX_FAULTS)
            return etwhf_usage_error("gen", "--max-faults takes 1 to %d, not '%s'", ETWHF_GEN_MAX_FAULTS, v), -1;
        c->opts.max_faults = (unsigned)n;
    }
    return r;
}

static int parse(struct gen_cli *c, const char **width, int argc, char **argv, int *done)
{
    struct etwhf_args a;
    const char *arg;
    int r;
    etwhf_args_init(&a, "gen", argc, argv);
    while ((arg = etwhf_args_next(&a)) != NULL) {
        int kind = etwhf_args_is_option(&a, arg);
        if (kind < 0)
            continue;
        if (kind == 0)
            return etwhf_usage_error("gen", "unexpected argument '%s'", arg);
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            *done = 1;
            return etwhf_print_out("gen", help);
        }
        if (!strcmp(arg, "--exhaustive")) {
            c->exhaustive = 1;
            c->given |= GIVEN_EXHAUSTIVE;
            continue;
        }
        if (!strcmp(arg, "--force")) {
            c->force = 1;
            continue;
        }
        if (!strcmp(arg, "--pure")) {
            c->pure = 1;
            c->given |= GIVEN_PURE;
            continue;
        }
        if ((r = parse_common(c, &a, arg, width)) == 0)
            r = parse_corpus(c, &a, arg);
        if (r < 0)
            return EXIT_USAGE;
        if (r == 0)
            return etwhf_usage_error("gen", "unknown option '%s'", arg);
    }
    return EXIT_OK;
}

/* The first option of `mask` that was given, by name. */
static const char *first_given(unsigned given, unsigned mask)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{GIVEN_COUNT, "--count"},
                 {GIVEN_EXHAUSTIVE, "--exhaustive"},
                 {GIVEN_LAYER, "--layer"},
                 {GIVEN_SOURCE, "--source"},
                 {GIVEN_HEADER, "--header"},
                 {GIVEN_FAULTS, "--faults"},
                 {GIVEN_FAULT_RATE, "--fault-rate"},
                 {GIVEN_MAX_FAULTS, "--max-faults"},
                 {GIVEN_COMPRESSED_RATE, "--compressed-rate"},
                 {GIVEN_EVIDENCE, "--evidence"},
                 {GIVEN_EVENTS, "--events"},
                 {GIVEN_PURE, "--pure"},
                 {GIVEN_BUFFER_SIZE, "--buffer-size"},
                 {GIVEN_SEED, "--seed"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (given & mask & names[i].bit)
            return names[i].name;
    return NULL;
}

#define CORPUS_ONLY                                                                                                    \
    (GIVEN_COUNT | GIVEN_EXHAUSTIVE | GIVEN_LAYER | GIVEN_SOURCE | GIVEN_HEADER | GIVEN_FAULTS | GIVEN_FAULT_RATE |    \
     GIVEN_MAX_FAULTS | GIVEN_COMPRESSED_RATE | GIVEN_EVIDENCE)
#define TRACE_ONLY (GIVEN_EVENTS | GIVEN_PURE | GIVEN_BUFFER_SIZE)

static int finish_corpus(struct gen_cli *c)
{
    const char *other = first_given(c->given, TRACE_ONLY);
    if (other)
        return etwhf_usage_error("gen", "%s belongs to trace mode (--etl), not to --out", other);
    if (c->exhaustive && c->count_set)
        return etwhf_usage_error("gen", "--exhaustive and --count exclude each other");
    if (etwhf_gen_options_check(&c->opts) != ETWHF_OK)
        return etwhf_usage_error("gen", "no case fits these options (e.g. --header system64 with --pointer-size 4)");
    return gen_corpus(c);
}

static int finish_trace(struct gen_cli *c, const char *width)
{
    static const char *const widths[] = {"4", "8", "mixed", NULL};
    const char *other = first_given(c->given, CORPUS_ONLY);
    if (other)
        return etwhf_usage_error("gen", "%s belongs to corpus mode (--out), not to --etl", other);
    if (!c->events_set)
        return etwhf_usage_error("gen", "--etl needs --events N");
    if (c->width_repeated)
        return etwhf_usage_error("gen", "--pointer-size given twice (--etl takes one width)");
    int w = width ? etwhf_parse_choice(width, widths) : 1;
    if (w < 0)
        return etwhf_usage_error("gen", "invalid value '%s' for --pointer-size (expected 4, 8, mixed)", width);
    c->etl_width = w == 0 ? 4 : w == 1 ? 8 : 0;
    return gen_trace(c);
}

int etwhf_cmd_gen(int argc, char **argv)
{
    struct gen_cli c;
    memset(&c, 0, sizeof c);
    c.seed = 1;
    c.count = 1000;
    etwhf_gen_options_init(&c.opts);
    const char *width = NULL;
    int done = 0;
    int rc = parse(&c, &width, argc, argv, &done);
    if (rc != EXIT_OK || done)
        return rc;
    if (!c.out == !c.etl)
        return etwhf_usage_error("gen", "give exactly one of --out DIR and --etl FILE");
    if (c.from) {
        const char *other = c.etl ? "--etl" : first_given(c.given, CORPUS_ONLY | TRACE_ONLY | GIVEN_SEED);
        if (other)
            return etwhf_usage_error("gen", "%s does not go with --from (a referee corpus draws nothing)", other);
        return gen_from(c.from, c.out, c.force);
    }
    return c.out ? finish_corpus(&c) : finish_trace(&c, width);
}
