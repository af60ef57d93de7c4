/* `etwhf check DIR`: the options, the check library (etwhf/check.h), the
 * exit status (docs/check.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "etwhf/check.h"
#include "interrupt.h"
#include "untrusted.h"

static const char help[] =
    "usage: etwhf check DIR [options]\n"
    "       etwhf check FILE [options]\n"
    "\n"
    "Runs a decoder over every case of a corpus written by `etwhf gen --out DIR`\n"
    "and compares what it reports with the manifest's expectation. A FILE (any\n"
    "file-layer input) is a corpus of one case that expects what etwhf's decoder\n"
    "reads in it; its evidence is unknown, so it is judged at L0, L3 and L4 only\n"
    "(`etwhf gen --from` makes such a corpus of many files).\n"
    "\n"
    "  --decoder CMD     check this command instead of etwhf's own decoder. CMD is\n"
    "                    split like a shell would (no shell runs); {file} is the\n"
    "                    case's path, {args} etwhf decode's flags for the case.\n"
    "                    Without {file} the path is appended and only file cases\n"
    "                    run. Environment: ETWHF_FILE, ETWHF_LAYER,\n"
    "                    ETWHF_POINTER_SIZE, ETWHF_EVENT, ETWHF_MODE.\n"
    "  --decoder-batch CMD  check this command, started once per job: it reads\n"
    "                    one JSON request per line on stdin and answers each with\n"
    "                    the case's lines and an end line (docs/spec/\n"
    "                    check-protocol.md §6). No placeholders; every case runs.\n"
    "  --mode M          recover, strict or both: the decode modes checked.\n"
    "                    Default: both in-process, recover with --decoder.\n"
    "  --timeout S       seconds one decode of one case may take (default 10)\n"
    "  --jobs N          cases decoded in parallel (default: processors online)\n"
    "  --strict-codes    with --decoder: compare diagnostic code names too\n"
    "  --all-heap-events with --decoder: it prints HeapAlloc and HeapReAlloc lines\n"
    "                    too; read them and compare every heap event with the\n"
    "                    manifest's heap_events (always done in-process)\n"
    "  --sample N        check N of the selected cases, spread evenly (0 = all)\n"
    "  --show N          cases shown in detail (default 10)\n"
    "  --json            print the report as one JSON object\n"
    "  --require LEVEL   exit 0 when every case agrees at every conformance level\n"
    "                    up to LEVEL: L0 robust (no crash, timeout or failure),\n"
    "                    L1 intact, L2 damaged (documented or observed shapes),\n"
    "                    L3 etwhf (verdict and HeapFree events of every case), L4\n"
    "                    full (needs --strict-codes --all-heap-events --mode both).\n"
    "                    Default: every case agrees with everything compared\n"
    "\n"
    "Which cases (a case runs when it passes every filter given):\n"
    "  --id N[,M...]     these case ids (repeated: the union)\n"
    "  --fault NAME      cases holding this fault (none: intact cases)\n"
    "  --layer L[,L...]  payload, record, file (repeated: the union)\n"
    "  --header F[,F...] cases using one of these header forms (system32, ...;\n"
    "                    repeated: the union)\n"
    "  --compressed yes|no  compressed file cases, or every other case\n"
    "  --rerun-failed REPORT.json  the cases an earlier --json report lists as\n"
    "                    not agreeing\n"
    "  --explain         with one --id: everything about that case (expectation,\n"
    "                    fault locations, the decoder's output and stderr, the\n"
    "                    records etwhf's decoder finds) instead of the report\n"
    "\n"
    "Flags may repeat; --id, --layer and --header given again add up; any other\n"
    "option that takes a value is given once (twice: a usage error).\n"
    "\n"
    "Exit: 0 every case agrees (with --require: at the levels required), 1 a\n"
    "disagreement, crash or timeout, or no case was checked, 2 usage (also\n"
    "filters that select no case, a --require level the run cannot judge), 3\n"
    "corpus or decoder cannot be read or run, 130 interrupted (SIGINT; 143\n"
    "SIGTERM, 129 SIGHUP: every decoder process is killed first).\n";

/* Options that take one value, each given at most once (docs/check.md,
 * "Options"): a second value could only replace the first silently. --id,
 * --layer and --header are lists; repeated, they are the union. */
enum once_bit {
    ONCE_DECODER = 1u << 0, /* --decoder or --decoder-batch */
    ONCE_MODE = 1u << 1,
    ONCE_TIMEOUT = 1u << 2,
    ONCE_JOBS = 1u << 3,
    ONCE_SAMPLE = 1u << 4,
    ONCE_SHOW = 1u << 5,
    ONCE_FAULT = 1u << 6,
    ONCE_REQUIRE = 1u << 7,
    ONCE_COMPRESSED = 1u << 8,
    ONCE_RERUN = 1u << 9,
};

struct opts {
    const char *dir;
    int json, explain;
    uint64_t explain_id;
    const char *rerun; /* --rerun-failed REPORT.json */
    uint64_t *ids;     /* --id, and --rerun-failed's */
    size_t nids;
    struct etwhf_check_options check;
};

static int add_id(struct opts *o, uint64_t id)
{
    uint64_t *p = realloc(o->ids, (o->nids + 1) * sizeof *p);
    if (!p)
        return -1;
    o->ids = p;
    o->ids[o->nids++] = id;
    return 0;
}

/* "3,17,40": each a case id. */
static int parse_ids(struct opts *o, const char *v)
{
    char buf[32];
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");
        uint64_t id;
        if (n == 0 || n >= sizeof buf)
            return etwhf_usage_error("check", "--id needs case ids separated by commas, not '%s'", v);
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (etwhf_parse_u64(buf, &id) != 0)
            return etwhf_usage_error("check", "--id needs case ids separated by commas, not '%s'", v);
        if (add_id(o, id) != 0)
            return etwhf_usage_error("check", "out of memory");
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

/* "file,record" or "system32,full64": a bit per name of `names` (count of them). */
static int parse_set(const char *opt, const char *v, int (*lookup)(const char *), uint32_t *bits)
{
    char buf[64];
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");
        int i = -1;
        if (n && n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            i = lookup(buf);
        }
        if (i < 0)
            return etwhf_usage_error("check", "%s: '%.*s' is not one of its names", opt, (int)n, p);
        *bits |= 1u << i;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

/* --fault: a name of the generator's fault catalogue, or "none". */
static int check_fault_name(const char *v)
{
    if (!strcmp(v, "none") || etwhf_fault_from_name(v) >= 0)
        return 0;
    char names[2048];
    size_t n = 0;
    for (int i = 0; i < ETWHF_FAULT_COUNT && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", etwhf_fault_info(i)->name);
    return etwhf_usage_error("check", "--fault: '%s' is not a fault name; the names are none (intact cases), %s", v,
                             names);
}

static int layer_from_name(const char *s)
{
    static const char *const layers[] = {"payload", "record", "file", NULL};
    return etwhf_parse_choice(s, layers);
}

static int header_from_name(const char *s)
{
    int h = etwhf_header_from_name(s);
    return h >= 0 && h < ETWHF_HDR_FORMS ? h : -1;
}

/* Seconds with up to three decimals ("10", "0.5"), as milliseconds. */
static int parse_seconds(const char *s, uint64_t *ms)
{
    uint64_t v = 0;
    int digits = 0, frac = -1; /* frac: decimals seen after the dot, -1 before it */
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || frac == 3 || v > 1000000000u)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        digits++;
        frac += frac >= 0;
    }
    for (int f = frac < 0 ? 0 : frac; f < 3; f++)
        v *= 10;
    *ms = v;
    return digits && frac != 0 && v ? 0 : -1;
}

static int number(const char *name, const char *v, uint64_t min, uint64_t *out)
{
    if (etwhf_parse_u64(v, out) != 0 || *out < min || *out > 1000000000u)
        return etwhf_usage_error("check", "%s needs a whole number ≥ %llu, not '%s'", name, (unsigned long long)min, v);
    return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const char *const modes[] = {"recover", "strict", "both", NULL};
    static const unsigned mode_bits[] = {ETWHF_CHECK_RECOVER, ETWHF_CHECK_STRICT,
                                         ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT};
    struct etwhf_check_options *c = &o->check;
    struct etwhf_args a;
    const char *arg, *v;
    uint64_t n;
    unsigned seen = 0;
    o->dir = NULL;
    o->json = o->explain = 0;
    o->rerun = NULL;
    o->ids = NULL;
    o->nids = 0;
    etwhf_check_options_init(c);
    etwhf_args_init(&a, "check", argc, argv);
    while ((arg = etwhf_args_next(&a))) {
        int kind = etwhf_args_is_option(&a, arg), got = 0, mode;
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (o->dir)
                return etwhf_usage_error("check", "one corpus folder only ('%s' and '%s')", o->dir, arg);
            o->dir = arg;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            int w = etwhf_print_out("check", help);
            return w == EXIT_OK ? -1 : w;
        }
        if (!strcmp(arg, "--explain")) {
            o->explain = 1;
            continue;
        }
        if (!strcmp(arg, "--json") || !strcmp(arg, "--strict-codes") || !strcmp(arg, "--all-heap-events")) {
            *(arg[2] == 'j' ? &o->json : arg[2] == 's' ? &c->strict_codes : &c->all_heap_events) = 1;
            continue;
        }
#define CHECK_VALUE(name) ((got = etwhf_args_value(&a, arg, name, &v)) != 0)
#define ONCE(bit, what) (got > 0 && etwhf_args_once("check", &seen, bit, what) != 0)
        if (CHECK_VALUE("--decoder") || CHECK_VALUE("--decoder-batch")) {
            int batch = arg[9] == '-';
            if (got > 0 && c->decoder && batch != c->decoder_batch)
                return etwhf_usage_error("check", "--decoder and --decoder-batch: one decoder at a time");
            if (ONCE(ONCE_DECODER, batch ? "--decoder-batch" : "--decoder"))
                return EXIT_USAGE;
            if (got > 0)
                c->decoder = v, c->decoder_batch = batch;
        } else if (CHECK_VALUE("--mode")) {
            if (ONCE(ONCE_MODE, "--mode"))
                return EXIT_USAGE;
            if (got > 0 && (mode = etwhf_parse_choice(v, modes)) < 0)
                return etwhf_usage_error("check", "--mode is recover, strict or both, not '%s'", v);
            if (got > 0)
                c->modes = mode_bits[mode];
        } else if (CHECK_VALUE("--timeout")) {
            if (ONCE(ONCE_TIMEOUT, "--timeout"))
                return EXIT_USAGE;
            if (got > 0 && parse_seconds(v, &c->timeout_ms) != 0)
                return etwhf_usage_error("check", "--timeout needs seconds > 0 (e.g. 10 or 0.5), not '%s'", v);
        } else if (CHECK_VALUE("--jobs")) {
            if (ONCE(ONCE_JOBS, "--jobs"))
                return EXIT_USAGE;
            if (got > 0 && number("--jobs", v, 1, &n) != 0)
                return EXIT_USAGE;
            if (got > 0)
                c->jobs = (unsigned)n;
        } else if (CHECK_VALUE("--sample")) {
            if (ONCE(ONCE_SAMPLE, "--sample"))
                return EXIT_USAGE;
            if (got > 0 && number("--sample", v, 0, &c->sample) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--show")) {
            if (ONCE(ONCE_SHOW, "--show"))
                return EXIT_USAGE;
            if (got > 0 && number("--show", v, 0, &n) != 0)
                return EXIT_USAGE;
            if (got > 0)
                c->show = (size_t)n;
        } else if (CHECK_VALUE("--id")) {
            if (got > 0 && parse_ids(o, v) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--fault")) {
            if (ONCE(ONCE_FAULT, "--fault"))
                return EXIT_USAGE;
            if (got > 0 && check_fault_name(v) != 0)
                return EXIT_USAGE;
            if (got > 0)
                c->fault = v;
        } else if (CHECK_VALUE("--require")) {
            if (ONCE(ONCE_REQUIRE, "--require"))
                return EXIT_USAGE;
            int level = got > 0 ? etwhf_check_level_from_name(v) : 0;
            if (level < 0)
                return etwhf_usage_error("check", "--require is a level L0, L1, L2, L3 or L4, not '%s'", v);
            if (got > 0)
                c->require = ETWHF_CHECK_REQUIRE(level);
        } else if (CHECK_VALUE("--layer")) {
            if (got > 0 && parse_set("--layer", v, layer_from_name, &c->layers) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--header")) {
            if (got > 0 && parse_set("--header", v, header_from_name, &c->header_forms) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--compressed")) {
            if (ONCE(ONCE_COMPRESSED, "--compressed"))
                return EXIT_USAGE;
            static const char *const yes_no[] = {"yes", "no", NULL};
            int yn = got > 0 ? etwhf_parse_choice(v, yes_no) : 0;
            if (yn < 0)
                return etwhf_usage_error("check", "--compressed is yes or no, not '%s'", v);
            if (got > 0)
                c->compressed = yn == 0 ? ETWHF_CHECK_COMPRESSED_YES : ETWHF_CHECK_COMPRESSED_NO;
        } else if (CHECK_VALUE("--rerun-failed")) {
            if (ONCE(ONCE_RERUN, "--rerun-failed"))
                return EXIT_USAGE;
            if (got > 0)
                o->rerun = v;
        } else {
            return etwhf_usage_error("check", "unknown option '%s'", arg);
        }
#undef ONCE
#undef CHECK_VALUE
        if (got < 0)
            return EXIT_USAGE;
    }
    if (!o->dir)
        return etwhf_usage_error("check", "no corpus folder or file given");
    if (o->explain && (o->nids != 1 || o->rerun))
        return etwhf_usage_error("check", "--explain needs exactly one case: --id N");
    if (o->explain && o->json)
        return etwhf_usage_error("check", "--explain prints text; leave out --json");
    if (c->strict_codes && !c->decoder)
        fputs(
            "etwhf check: note: --strict-codes only matters with --decoder (codes are always compared "
            "in-process)\n",
            stderr);
    if (c->all_heap_events && !c->decoder)
        fputs(
            "etwhf check: note: --all-heap-events only matters with --decoder (every heap event is always "
            "compared in-process)\n",
            stderr);
    return 0;
}

/* SIGTERM and SIGHUP (a CI cancel, `timeout`, a closed terminal) stop the
 * run as SIGINT does: every worker's process group killed and reaped, then
 * main() exits 128 + the signal (interrupt.h). */
static int stop_on_signal(void *user)
{
    (void)user;
    return etwhf_interrupted();
}

/* 0 when every case that ran agrees (with --require: at every level up to
 * the one named), 1 otherwise — and when none ran: a check of nothing has
 * shown nothing; 3 when a case file could not be read. */
static int verdict(const struct etwhf_check_result *res)
{
    size_t n = etwhf_check_result_cases(res);
    uint64_t skipped = etwhf_check_result_count(res, ETWHF_CHECK_SKIPPED);
    if (etwhf_check_result_count(res, ETWHF_CHECK_IO)) {
        fputs("etwhf check: some case files could not be read (see the report)\n", stderr);
        return EXIT_IO;
    }
    if (skipped == n) {
        fprintf(stderr, "etwhf check: no case was checked: %s\n",
                n ? "every case was skipped (a --decoder without {file} runs file cases only)"
                  : "the manifest lists no case");
        return EXIT_FINDING;
    }
    return etwhf_check_result_passed(res) ? EXIT_OK : EXIT_FINDING;
}

static int run(const struct opts *o, struct etwhf_check *chk, const struct etwhf_corpus *corpus)
{
    char err[4096 + 512];
    int st;
    struct etwhf_check_result *res = etwhf_check_run(chk, corpus, &st, err, sizeof err);
    if (!res) {
        fprintf(stderr, "etwhf check: %s\n", err);
        return st == ETWHF_EABORTED ? EXIT_INTERRUPTED : st == ETWHF_EINVAL ? EXIT_USAGE : EXIT_IO;
    }
    int w = o->explain ? etwhf_check_report_explain(stdout, res, o->explain_id)
            : o->json  ? etwhf_check_report_json(stdout, res)
                       : etwhf_check_report_text(stdout, res);
    int rc;
    if (fflush(stdout) != 0 || w != ETWHF_OK) {
        fprintf(stderr, "etwhf check: cannot write the report: %s\n",
                w == ETWHF_ENOMEM ? etwhf_strerror(w) : strerror(errno));
        rc = EXIT_IO;
    } else {
        rc = verdict(res);
    }
    etwhf_check_result_free(res);
    return rc;
}

/* --rerun-failed: the ids of the earlier report's failing cases join --id's. */
static int read_rerun(struct opts *o)
{
    char err[4096 + 512];
    uint64_t *ids;
    size_t n;
    int st = etwhf_check_report_read_failed(o->rerun, &ids, &n, err, sizeof err);
    if (st != ETWHF_OK) {
        etwhf_msg("etwhf check: --rerun-failed: %s", err); /* it quotes a path */
        return EXIT_IO;
    }
    for (size_t i = 0; i < n && st == ETWHF_OK; i++)
        st = add_id(o, ids[i]) == 0 ? ETWHF_OK : ETWHF_ENOMEM;
    free(ids);
    if (st != ETWHF_OK)
        return etwhf_usage_error("check", "out of memory");
    if (!n) {
        etwhf_msg("etwhf check: --rerun-failed: %s lists no case that did not agree: nothing to rerun", o->rerun);
        return EXIT_USAGE;
    }
    return 0;
}

/* This etwhf, for the report's reproduce lines: the path that runs it from anywhere. */
static char *self_path(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return strdup(buf);
}

int etwhf_cmd_check(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc == 0 && o.rerun)
        rc = read_rerun(&o);
    if (rc != 0) {
        free(o.ids);
        return rc < 0 ? EXIT_OK : rc;
    }
    char *self = self_path();
    o.check.etwhf_command = self;
    o.check.ids = o.ids;
    o.check.nids = o.nids;
    if (o.explain) { /* its evidence must be kept, whatever the outcome */
        o.explain_id = o.ids[0];
        o.check.keep_agreeing = 1;
        if (!o.check.show)
            o.check.show = 1;
    }
    o.check.progress = isatty(STDERR_FILENO) && !o.explain ? stderr : NULL;
    o.check.should_stop = stop_on_signal;
    char err[4096 + 512];
    int st;
    /* A command that cannot be split is a usage error, found before the corpus is read. */
    struct etwhf_check *chk = etwhf_check_new(&o.check, &st, err, sizeof err);
    free(o.ids); /* etwhf_check_new kept copies */
    free(self);
    if (!chk && st == ETWHF_EINVAL)
        return etwhf_usage_error("check", "%s: %s", o.check.decoder_batch ? "--decoder-batch" : "--decoder", err);
    if (!chk) {
        etwhf_msg("etwhf check: %s", err); /* the command may name a path */
        return EXIT_IO;
    }
    struct stat sb;
    /* A file, not a folder: a referee corpus of one case (etwhf/check.h). */
    struct etwhf_corpus *corpus = stat(o.dir, &sb) == 0 && S_ISREG(sb.st_mode)
                                      ? etwhf_corpus_from_file(o.dir, &st, err, sizeof err)
                                      : etwhf_corpus_load(o.dir, &st, err, sizeof err);
    if (!corpus) {
        etwhf_msg("etwhf check: %s", err); /* it may quote a manifest's "file" */
        rc = EXIT_IO;
    } else {
        etwhf_interrupt_install();
        rc = run(&o, chk, corpus);
        etwhf_corpus_free(corpus);
    }
    etwhf_check_free(chk);
    return rc;
}
