/* `etwhf check DIR`: a decoder against a generated corpus (CONTRACT.md §7, docs/check.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "check_external.h"
#include "check_inproc.h"
#include "check_manifest.h"
#include "check_report.h"
#include "commands.h"
#include "interrupt.h"

static const char help[] =
    "usage: etwhf check DIR [options]\n"
    "\n"
    "Runs a decoder over every case of a corpus written by `etwhf gen --out DIR`\n"
    "and compares what it reports with the manifest's expectation.\n"
    "\n"
    "  --decoder CMD     check this command instead of etwhf's own decoder. CMD is\n"
    "                    split like a shell would (no shell runs); {file} is the\n"
    "                    case's path, {args} etwhf decode's flags for the case.\n"
    "                    Without {file} the path is appended and only file cases\n"
    "                    run. Environment: ETWHF_FILE, ETWHF_LAYER,\n"
    "                    ETWHF_POINTER_SIZE, ETWHF_EVENT, ETWHF_MODE.\n"
    "  --mode M          recover, strict or both: the decode modes checked.\n"
    "                    Default: both in-process, recover with --decoder.\n"
    "  --timeout S       seconds one decode of one case may take (default 10)\n"
    "  --jobs N          cases decoded in parallel (default: processors online)\n"
    "  --strict-codes    with --decoder: compare diagnostic code names too\n"
    "  --all-heap-events with --decoder: it prints HeapAlloc and HeapReAlloc lines\n"
    "                    too; read them and compare every heap event with the\n"
    "                    manifest's heap_events (always done in-process)\n"
    "  --sample N        check N cases spread evenly over the manifest (0 = all)\n"
    "  --show N          cases shown in detail (default 10)\n"
    "  --json            print the report as one JSON object\n"
    "\n"
    "Exit: 0 every case agrees, 1 a disagreement, crash or timeout, 2 usage,\n"
    "3 corpus or decoder cannot be read or run, 130 interrupted.\n";

struct opts {
    const char *dir, *decoder;
    int mode; /* -1: default */
    uint64_t timeout_ms, jobs, sample, show;
    int json, strict_codes, all_heap_events;
};

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
        return etwhf_usage_error("check", "%s needs a whole number ≥ %llu, not '%s'", name,
                                 (unsigned long long)min, v);
    return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const char *const modes[] = {"recover", "strict", "both", NULL};
    struct etwhf_args a;
    const char *arg, *v;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (struct opts){.mode = -1, .timeout_ms = 10000, .jobs = ncpu > 0 ? (uint64_t)ncpu : 1, .show = 10};
    etwhf_args_init(&a, "check", argc, argv);
    while ((arg = etwhf_args_next(&a))) {
        int kind = etwhf_args_is_option(&a, arg), got = 0;
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (o->dir)
                return etwhf_usage_error("check", "one corpus folder only ('%s' and '%s')", o->dir, arg);
            o->dir = arg;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(help, stdout);
            return -1;
        }
        if (!strcmp(arg, "--json") || !strcmp(arg, "--strict-codes") || !strcmp(arg, "--all-heap-events")) {
            *(arg[2] == 'j' ? &o->json : arg[2] == 's' ? &o->strict_codes : &o->all_heap_events) = 1;
            continue;
        }
#define CHECK_VALUE(name) ((got = etwhf_args_value(&a, arg, name, &v)) != 0)
        if (CHECK_VALUE("--decoder")) {
            if (got > 0)
                o->decoder = v;
        } else if (CHECK_VALUE("--mode")) {
            if (got > 0 && (o->mode = etwhf_parse_choice(v, modes)) < 0)
                return etwhf_usage_error("check", "--mode is recover, strict or both, not '%s'", v);
        } else if (CHECK_VALUE("--timeout")) {
            if (got > 0 && parse_seconds(v, &o->timeout_ms) != 0)
                return etwhf_usage_error("check", "--timeout needs seconds > 0 (e.g. 10 or 0.5), not '%s'", v);
        } else if (CHECK_VALUE("--jobs")) {
            if (got > 0 && number("--jobs", v, 1, &o->jobs) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--sample")) {
            if (got > 0 && number("--sample", v, 0, &o->sample) != 0)
                return EXIT_USAGE;
        } else if (CHECK_VALUE("--show")) {
            if (got > 0 && number("--show", v, 0, &o->show) != 0)
                return EXIT_USAGE;
        } else {
            return etwhf_usage_error("check", "unknown option '%s'", arg);
        }
#undef CHECK_VALUE
        if (got < 0)
            return EXIT_USAGE;
    }
    if (!o->dir)
        return etwhf_usage_error("check", "no corpus folder given");
    if (o->strict_codes && !o->decoder)
        fputs("etwhf check: note: --strict-codes only matters with --decoder (codes are always compared "
              "in-process)\n", stderr);
    if (o->all_heap_events && !o->decoder)
        fputs("etwhf check: note: --all-heap-events only matters with --decoder (every heap event is always "
              "compared in-process)\n", stderr);
    return 0;
}

/* Every case, or `sample` of them spread evenly (the same ones every run). */
static size_t *select_cases(size_t ncases, uint64_t sample, size_t *n)
{
    size_t want = sample && sample < ncases ? (size_t)sample : ncases;
    size_t *sel = malloc((want ? want : 1) * sizeof *sel);
    if (!sel)
        return NULL;
    for (size_t i = 0; i < want; i++)
        sel[i] = want == ncases ? i : (size_t)((unsigned __int128)i * ncases / want);
    *n = want;
    return sel;
}

/* Missing case files are an I/O failure of the corpus, found before any run. */
static int stat_cases(const struct check_corpus *c, const size_t *sel, size_t n)
{
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        const struct check_case *k = &c->cases[sel[i]];
        struct stat st;
        int e = check_case_path(c, k, path, sizeof path) != 0 ? ENAMETOOLONG : stat(path, &st) != 0 ? errno : 0;
        if (e || !S_ISREG(st.st_mode)) {
            fprintf(stderr, "etwhf check: case file '%s' (manifest line %zu): %s\n", path, k->line,
                    e ? strerror(e) : "not a regular file");
            return -1;
        }
    }
    return 0;
}

static int run(const struct opts *o, struct check_corpus *c, const struct check_cmd *cmd)
{
    size_t nsel = 0;
    size_t *sel = select_cases(c->ncases, o->sample, &nsel);
    struct check_tally tally;
    if (!sel || check_tally_init(&tally, c->ncases, (size_t)o->show) != 0) {
        free(sel);
        fputs("etwhf check: out of memory\n", stderr);
        return EXIT_IO;
    }
    int rc = stat_cases(c, sel, nsel) != 0 ? EXIT_IO : EXIT_OK;
    struct check_run r = {
        .corpus = c, .tally = &tally, .selected = sel, .nselected = nsel,
        .modes = o->mode == 2 || (o->mode < 0 && !cmd) ? 3u : CHECK_MODE_BIT(o->mode > 0 ? o->mode : 0),
        .jobs = (unsigned)o->jobs, .timeout_ms = o->timeout_ms, .strict_codes = o->strict_codes,
        .all_heap_events = o->all_heap_events,
        .cmd = cmd, .progress = isatty(STDERR_FILENO),
    };
    uint64_t t0 = check_now_ms();
    int st = rc == EXIT_OK ? (cmd ? check_run_external(&r) : check_run_inproc(&r)) : 0;
    check_progress_done(&r);
    if (st == CHECK_RUN_INTERRUPTED) {
        fputs("etwhf check: interrupted\n", stderr);
        rc = EXIT_INTERRUPTED;
    } else if (st == CHECK_RUN_IO) {
        fprintf(stderr, "etwhf check: %s\n", r.err);
        rc = EXIT_IO;
    } else if (rc == EXIT_OK) {
        struct check_report rep = {.run = &r, .decoder = o->decoder ? o->decoder : "in-process",
                                   .seconds = (double)(check_now_ms() - t0) / 1000.0, .sampled_from = c->ncases};
        uint64_t t[CHECK_OUTCOMES];
        check_tally_totals(&tally, t);
        int w = o->json ? check_report_json(stdout, &rep) : check_report_text(stdout, &rep);
        if (fflush(stdout) != 0 || w != 0) {
            fprintf(stderr, "etwhf check: cannot write the report: %s\n", strerror(errno));
            rc = EXIT_IO;
        } else if (t[CHECK_IO]) {
            fputs("etwhf check: some case files could not be read (see the report)\n", stderr);
            rc = EXIT_IO;
        } else {
            rc = t[CHECK_AGREE] + t[CHECK_SKIPPED] == nsel ? EXIT_OK : EXIT_FINDING;
            if (t[CHECK_SKIPPED] == nsel)
                fprintf(stderr, "etwhf check: warning: %s: nothing was checked\n",
                        nsel ? "every case was skipped" : "the manifest lists no case");
        }
    }
    check_tally_free(&tally);
    free(sel);
    return rc;
}

int etwhf_cmd_check(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    struct check_cmd cmd;
    char err[512];
    if (o.decoder && check_cmd_split(o.decoder, &cmd, err, sizeof err) != 0)
        return etwhf_usage_error("check", "--decoder: %s", err);
    struct check_corpus c;
    if (check_manifest_load(o.dir, &c, err, sizeof err) != 0) {
        fprintf(stderr, "etwhf check: %s\n", err);
        rc = EXIT_IO;
    } else {
        etwhf_interrupt_install();
        rc = run(&o, &c, o.decoder ? &cmd : NULL);
        check_corpus_free(&c);
    }
    if (o.decoder)
        check_cmd_free(&cmd);
    return rc;
}
