/* A check as the public API shows it: options, the checker, a run and its
 * result (etwhf/check.h). The runners do the work, each a kind of worker of
 * one pool (pool.h): runner_inproc.c (etwhf's decoder in forked workers),
 * runner_command.c (a command per case and mode), runner_batch.c (the batch
 * protocol). */
#include "etwhf/check.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etwhf/format.h"
#include "levels.h"
#include "manifest.h"
#include "pool.h"
#include "result.h"
#include "runner.h"
#include "runner_batch.h"
#include "runner_command.h"
#include "runner_inproc.h"
#include "split.h"

struct etwhf_check {
    struct etwhf_check_options opts; /* the pointers are NULL: their copies are below */
    char *decoder;                   /* the command as given, NULL in-process */
    struct check_cmd cmd;            /* the command split into words */
    uint64_t *ids;                   /* opts.nids of them */
    char *fault;
    char *etwhf_command;
};

/* The options of the first version of this API: a caller's struct is at least this long. */
#define OPTIONS_V1_SIZE (offsetof(struct etwhf_check_options, user) + sizeof(void *))
/* A field added later is read only when the caller's struct holds it. */
#define HAS_FIELD(o, field) ((o)->struct_size >= offsetof(struct etwhf_check_options, field) + sizeof((o)->field))

static void options_defaults(struct etwhf_check_options *o)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->jobs = ncpu > 0 ? (unsigned)ncpu : 1;
    o->timeout_ms = 10000;
    o->show = 10;
}

void etwhf_check_options_init_sized(struct etwhf_check_options *opts, size_t struct_size)
{
    if (!opts || struct_size < sizeof opts->struct_size)
        return;
    /* Older callers get only their bytes; newer ones find their extra fields
     * zeroed, which every future field's default must be. */
    struct etwhf_check_options d;
    options_defaults(&d);
    if (struct_size > sizeof d)
        memset(opts, 0, struct_size);
    memcpy(opts, &d, struct_size < sizeof d ? struct_size : sizeof d);
    opts->struct_size = struct_size;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The caller's strings and id list may go away after etwhf_check_new; the
 * ids are kept sorted, each once. */
static int copy_pointers(struct etwhf_check *chk)
{
    struct etwhf_check_options *o = &chk->opts;
    int bad = 0;
    if (o->decoder)
        bad |= !(chk->decoder = strdup(o->decoder));
    if (o->fault)
        bad |= !(chk->fault = strdup(o->fault));
    if (o->etwhf_command)
        bad |= !(chk->etwhf_command = strdup(o->etwhf_command));
    if (!o->ids)
        o->nids = 0;
    if (o->nids && (chk->ids = malloc(o->nids * sizeof *chk->ids))) {
        memcpy(chk->ids, o->ids, o->nids * sizeof *chk->ids);
        qsort(chk->ids, o->nids, sizeof *chk->ids, cmp_u64);
        size_t m = 1;
        for (size_t i = 1; i < o->nids; i++)
            if (chk->ids[i] != chk->ids[m - 1])
                chk->ids[m++] = chk->ids[i];
        o->nids = m;
    } else if (o->nids)
        bad = 1;
    o->decoder = o->fault = o->etwhf_command = NULL;
    o->ids = NULL;
    return bad ? ETWHF_ENOMEM : ETWHF_OK;
}

struct etwhf_check *etwhf_check_new(const struct etwhf_check_options *opts, int *status, char *err, size_t errlen)
{
    int st = ETWHF_EINVAL;
    struct etwhf_check *chk = NULL;
    if (!opts || opts->struct_size < OPTIONS_V1_SIZE)
        snprintf(err, errlen, "options not set up by etwhf_check_options_init");
    else if (opts->modes & ~(ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT))
        snprintf(err, errlen, "modes has bits other than ETWHF_CHECK_RECOVER and ETWHF_CHECK_STRICT");
    else if (!opts->timeout_ms)
        snprintf(err, errlen, "the timeout is 0");
    else if (HAS_FIELD(opts, decoder_batch) && opts->decoder_batch && !opts->decoder)
        snprintf(err, errlen, "decoder_batch is set but no decoder command is");
    else if (HAS_FIELD(opts, require) && (opts->require < 0 || opts->require > ETWHF_CHECK_REQUIRE(ETWHF_CHECK_L4)))
        snprintf(err, errlen, "require is %d: 0, or ETWHF_CHECK_REQUIRE of a level L0-L4", opts->require);
    else if (!(chk = calloc(1, sizeof *chk)))
        st = ETWHF_ENOMEM, snprintf(err, errlen, "out of memory");
    if (!chk) {
        if (status)
            *status = st;
        return NULL;
    }
    memcpy(&chk->opts, opts, opts->struct_size < sizeof chk->opts ? opts->struct_size : sizeof chk->opts);
    chk->opts.struct_size = sizeof chk->opts;
    st = copy_pointers(chk);
    if (st != ETWHF_OK)
        snprintf(err, errlen, "out of memory");
    else if (opts->decoder)
        st = etwhf__check_cmd_split(opts->decoder, &chk->cmd, err, errlen);
    if (st != ETWHF_OK) {
        etwhf_check_free(chk);
        chk = NULL;
    }
    if (status)
        *status = st;
    return chk;
}

void etwhf_check_free(struct etwhf_check *chk)
{
    if (!chk)
        return;
    if (chk->cmd.words)
        etwhf__check_cmd_free(&chk->cmd);
    free(chk->decoder);
    free(chk->fault);
    free(chk->etwhf_command);
    free(chk->ids);
    free(chk);
}

static int has_fault(const struct etwhf_corpus *c, const struct check_case *k, const char *fault)
{
    if (!strcmp(fault, "none"))
        return k->fault_count == 0;
    for (size_t j = 0; j < k->fault_count; j++)
        if (!strcmp(etwhf__corpus_fault(c, k, j), fault))
            return 1;
    return 0;
}

/* chk->ids is sorted (copy_pointers): --rerun-failed may list most of a corpus. */
static int wanted_id(const struct etwhf_check *chk, uint64_t id)
{
    return bsearch(&id, chk->ids, chk->opts.nids, sizeof *chk->ids, cmp_u64) != NULL;
}

/* The case passes every filter that is set. */
static int passes(const struct etwhf_check *chk, const struct etwhf_corpus *c, const struct check_case *k)
{
    const struct etwhf_check_options *o = &chk->opts;
    return (!o->nids || wanted_id(chk, k->info.id)) && (!chk->fault || has_fault(c, k, chk->fault)) &&
           (!o->layers || (o->layers >> k->info.layer & 1u)) &&
           (!o->header_forms || (o->header_forms & k->info.headers)) &&
           (!o->compressed || (o->compressed == ETWHF_CHECK_COMPRESSED_YES) == (k->compressed != 0));
}

/* An asked-for id the manifest does not have is named, not silently dropped. */
static int ids_present(const struct etwhf_check *chk, const struct etwhf_corpus *c, char *err, size_t errlen)
{
    size_t n = chk->opts.nids;
    if (!n)
        return ETWHF_OK;
    unsigned char *seen = calloc(n, 1);
    if (!seen) {
        snprintf(err, errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    for (size_t j = 0; j < c->ncases; j++) {
        const uint64_t *hit = bsearch(&c->cases[j].info.id, chk->ids, n, sizeof *chk->ids, cmp_u64);
        if (hit)
            seen[hit - chk->ids] = 1;
    }
    size_t i = 0;
    while (i < n && seen[i])
        i++;
    free(seen);
    if (i == n)
        return ETWHF_OK;
    snprintf(err, errlen, "case id %llu is not in %s/manifest.jsonl (%zu cases)", (unsigned long long)chk->ids[i],
             c->dir, c->ncases);
    return ETWHF_EINVAL;
}

/* The cases that pass the filters; of them every one, or `sample` spread
 * evenly (the same ones every run). */
static size_t *select_cases(const struct etwhf_check *chk, const struct etwhf_corpus *c, size_t *n)
{
    size_t *sel = malloc((c->ncases ? c->ncases : 1) * sizeof *sel), m = 0;
    if (!sel)
        return NULL;
    for (size_t i = 0; i < c->ncases; i++)
        if (passes(chk, c, &c->cases[i]))
            sel[m++] = i;
    uint64_t sample = chk->opts.sample;
    size_t want = sample && sample < m ? (size_t)sample : m;
    for (size_t i = 0; i < want && want != m; i++)
        sel[i] = sel[(size_t)((unsigned __int128)i * m / want)];
    *n = want;
    return sel;
}

/* What the filters ask for, for the message when they select nothing. */
static void describe_filters(const struct etwhf_check *chk, char *buf, size_t len)
{
    const struct etwhf_check_options *o = &chk->opts;
    size_t n = 0;
#define ADD(...) (n += n < len ? (size_t)snprintf(buf + n, len - n, __VA_ARGS__) : 0)
    buf[0] = '\0';
    for (size_t i = 0; i < o->nids; i++)
        ADD("%s%llu", i ? "," : " id ", (unsigned long long)chk->ids[i]);
    if (chk->fault)
        ADD(" fault %s", chk->fault);
    for (int l = 0; l <= ETWHF_GEN_FILE; l++)
        if (o->layers >> l & 1u)
            ADD(" layer %s", etwhf__layer_name(l));
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if (o->header_forms >> h & 1u)
            ADD(" header %s", etwhf_header_info(h)->name);
    if (o->compressed)
        ADD(" compressed %s", o->compressed == ETWHF_CHECK_COMPRESSED_YES ? "yes" : "no");
#undef ADD
}

/* Missing case files are an I/O failure of the corpus, found before any run. */
static int stat_cases(const struct etwhf_corpus *c, const size_t *sel, size_t n, char *err, size_t errlen)
{
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        const struct check_case *k = &c->cases[sel[i]];
        struct stat st;
        int e = etwhf__corpus_case_path(c, k, path, sizeof path) != ETWHF_OK ? ENAMETOOLONG
                : stat(path, &st) != 0                                       ? errno
                                                                             : 0;
        if (e || !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "case file '%s' (manifest line %zu): %s", path, k->info.line,
                     e ? strerror(e) : "not a regular file");
            return ETWHF_EIO;
        }
    }
    return ETWHF_OK;
}

/* The result before its run: settings, selection, an empty tally. */
static struct etwhf_check_result *result_new(const struct etwhf_check *chk, const struct etwhf_corpus *corpus)
{
    const struct etwhf_check_options *o = &chk->opts;
    struct etwhf_check_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->corpus = corpus;
    res->external = chk->decoder != NULL;
    res->batch = res->external && o->decoder_batch;
    res->decoder = strdup(chk->decoder ? chk->decoder : "in-process");
    res->modes = o->modes ? o->modes : res->external ? ETWHF_CHECK_RECOVER : ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT;
    res->jobs = o->jobs;
    res->timeout_ms = o->timeout_ms;
    res->strict_codes = o->strict_codes || !res->external;
    res->all_heap_events = o->all_heap_events || !res->external;
    res->etwhf_command = strdup(chk->etwhf_command ? chk->etwhf_command : "etwhf");
    res->cwd = getcwd(NULL, 0);
    res->selected = select_cases(chk, corpus, &res->nselected);
    if (!res->decoder || !res->selected || !res->etwhf_command ||
        etwhf__check_tally_init(&res->tally, corpus->ncases, o->show) != ETWHF_OK) {
        etwhf_check_result_free(res);
        return NULL;
    }
    res->tally.keep_agreeing = o->keep_agreeing;
    res->require = o->require;
    if (etwhf__check_levels_setup(res) != ETWHF_OK) {
        etwhf_check_result_free(res);
        return NULL;
    }
    /* With --require the details go to cases failing a required level (all of them for --explain). */
    res->tally.member = res->level_member;
    if (res->require && !o->keep_agreeing)
        res->tally.show_levels = (CHECK_LEVEL_BIT(res->require - 1) << 1) - 1u;
    return res;
}

/* What a run needs before it starts: *res with its settings and selection
 * (NULL when it could not be made), every selected case file there. */
static int prepare(const struct etwhf_check *chk, const struct etwhf_corpus *corpus, struct etwhf_check_result **res,
                   char *err, size_t errlen)
{
    *res = NULL;
    if (!chk || !corpus) {
        snprintf(err, errlen, "no checker or no corpus");
        return ETWHF_EINVAL;
    }
    int st = ids_present(chk, corpus, err, errlen);
    if (st != ETWHF_OK)
        return st;
    if (!(*res = result_new(chk, corpus))) {
        snprintf(err, errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    const struct etwhf_check_result *r = *res;
    if (!r->nselected && corpus->ncases) {
        char what[512];
        describe_filters(chk, what, sizeof what);
        snprintf(err, errlen, "no case of the manifest's %zu matches:%s", corpus->ncases, what);
        return ETWHF_EINVAL;
    }
    if (r->require && !(r->levels_judged >> (r->require - 1) & 1u)) {
        int l = r->require - 1;
        snprintf(err, errlen, "--require %s: level %s %s cannot be judged in this run: %s", etwhf__check_level_id(l),
                 etwhf__check_level_id(l), etwhf_check_level_name(l), r->level_reason[l]);
        return ETWHF_EINVAL;
    }
    return stat_cases(corpus, r->selected, r->nselected, err, errlen);
}

struct etwhf_check_result *etwhf_check_run(struct etwhf_check *chk, const struct etwhf_corpus *corpus, int *status,
                                           char *err, size_t errlen)
{
    struct etwhf_check_result *res;
    int st = prepare(chk, corpus, &res, err, errlen);
    if (st == ETWHF_OK) {
        const struct etwhf_check_options *o = &chk->opts;
        struct check_run r = {
            .corpus = corpus,
            .tally = &res->tally,
            .selected = res->selected,
            .nselected = res->nselected,
            .modes = res->modes,
            .jobs = o->jobs,
            .timeout_ms = o->timeout_ms,
            .strict_codes = o->strict_codes,
            .all_heap_events = o->all_heap_events,
            .cmd = chk->decoder ? &chk->cmd : NULL,
            .batch = o->decoder_batch,
            .should_stop = o->should_stop,
            .user = o->user,
            .progress = o->progress,
        };
        uint64_t t0 = etwhf__check_now_ms();
        int rc = !r.cmd    ? etwhf__check_run_inproc(&r)
                 : r.batch ? etwhf__check_run_batch(&r)
                           : etwhf__check_run_command(&r);
        etwhf__check_progress_done(&r);
        res->run_seconds = (double)(etwhf__check_now_ms() - t0) / 1000.0;
        res->seconds = res->run_seconds + corpus->load_seconds;
        if (rc == ETWHF_EABORTED)
            st = rc, snprintf(err, errlen, "interrupted");
        else if (rc != ETWHF_OK)
            st = rc, snprintf(err, errlen, "%s", r.err);
    }
    if (st != ETWHF_OK) {
        etwhf_check_result_free(res);
        res = NULL;
    }
    if (status)
        *status = st;
    return res;
}

void etwhf_check_result_free(struct etwhf_check_result *res)
{
    if (!res)
        return;
    etwhf__check_tally_free(&res->tally);
    free(res->selected);
    free(res->level_member);
    free(res->decoder);
    free(res->etwhf_command);
    free(res->cwd);
    free(res);
}

size_t etwhf_check_result_cases(const struct etwhf_check_result *res)
{
    return res ? res->nselected : 0;
}

uint64_t etwhf_check_result_count(const struct etwhf_check_result *res, int outcome)
{
    uint64_t n = 0;
    for (size_t i = 0; res && outcome >= 0 && outcome < ETWHF_CHECK_OUTCOMES && i < res->nselected; i++)
        n += res->tally.outcome[res->selected[i]] == outcome;
    return n;
}
