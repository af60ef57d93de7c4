/* A check as the public API shows it: options, the checker, a run and its
 * result (etwhf/check.h). The runners (inproc.c, external.c) do the work. */
#include "etwhf/check.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "external.h"
#include "inproc.h"
#include "proc.h"
#include "result.h"
#include "run.h"
#include "split.h"

struct etwhf_check {
    struct etwhf_check_options opts; /* opts.decoder is NULL: the copy is `decoder` */
    char *decoder;                   /* the command as given, NULL in-process */
    struct check_cmd cmd;            /* the command split into words */
};

/* The options of the first version of this API: a caller's struct is at least this long. */
#define OPTIONS_V1_SIZE (offsetof(struct etwhf_check_options, user) + sizeof(void *))

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
    else if (opts->struct_size >= offsetof(struct etwhf_check_options, decoder_batch) + sizeof(int) &&
             opts->decoder_batch && !opts->decoder)
        snprintf(err, errlen, "decoder_batch is set but no decoder command is");
    else if (!(chk = calloc(1, sizeof *chk)))
        st = ETWHF_ENOMEM, snprintf(err, errlen, "out of memory");
    if (!chk) {
        if (status)
            *status = st;
        return NULL;
    }
    memcpy(&chk->opts, opts, opts->struct_size < sizeof chk->opts ? opts->struct_size : sizeof chk->opts);
    chk->opts.struct_size = sizeof chk->opts;
    chk->opts.decoder = NULL;
    st = ETWHF_OK;
    if (opts->decoder && !(chk->decoder = strdup(opts->decoder)))
        st = ETWHF_ENOMEM, snprintf(err, errlen, "out of memory");
    else if (opts->decoder && etwhf__check_cmd_split(opts->decoder, &chk->cmd, err, errlen) != 0)
        st = ETWHF_EINVAL;
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
    free(chk);
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
static int stat_cases(const struct etwhf_corpus *c, const size_t *sel, size_t n, char *err, size_t errlen)
{
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        const struct check_case *k = &c->cases[sel[i]];
        struct stat st;
        int e = etwhf__corpus_case_path(c, k, path, sizeof path) != 0 ? ENAMETOOLONG
                : stat(path, &st) != 0                                ? errno
                                                                      : 0;
        if (e || !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "case file '%s' (manifest line %zu): %s", path, k->info.line,
                     e ? strerror(e) : "not a regular file");
            return -1;
        }
    }
    return 0;
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
    res->decoder = strdup(chk->decoder ? chk->decoder : "in-process");
    res->modes = o->modes ? o->modes
                 : res->external ? ETWHF_CHECK_RECOVER
                                 : ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT;
    res->jobs = o->jobs;
    res->timeout_ms = o->timeout_ms;
    res->strict_codes = o->strict_codes || !res->external;
    res->selected = select_cases(corpus->ncases, o->sample, &res->nselected);
    if (!res->decoder || !res->selected || etwhf__check_tally_init(&res->tally, corpus->ncases, o->show) != 0) {
        etwhf_check_result_free(res);
        return NULL;
    }
    return res;
}

struct etwhf_check_result *etwhf_check_run(struct etwhf_check *chk, const struct etwhf_corpus *corpus,
                                           int *status, char *err, size_t errlen)
{
    int st = ETWHF_EINVAL;
    struct etwhf_check_result *res = NULL;
    if (!chk || !corpus)
        snprintf(err, errlen, "no checker or no corpus");
    else if (!(res = result_new(chk, corpus)))
        st = ETWHF_ENOMEM, snprintf(err, errlen, "out of memory");
    else if (stat_cases(corpus, res->selected, res->nselected, err, errlen) != 0)
        st = ETWHF_EIO;
    else
        st = ETWHF_OK;
    if (st == ETWHF_OK) {
        const struct etwhf_check_options *o = &chk->opts;
        struct check_run r = {
            .corpus = corpus, .tally = &res->tally, .selected = res->selected, .nselected = res->nselected,
            .modes = res->modes, .jobs = o->jobs, .timeout_ms = o->timeout_ms, .strict_codes = o->strict_codes,
            .all_heap_events = o->all_heap_events, .cmd = chk->decoder ? &chk->cmd : NULL,
            .batch = o->decoder_batch,
            .should_stop = o->should_stop, .user = o->user, .progress = o->progress,
        };
        uint64_t t0 = etwhf__check_now_ms();
        int rc = !r.cmd ? etwhf__check_run_inproc(&r) : r.batch ? etwhf__check_run_batch(&r)
                                                                : etwhf__check_run_external(&r);
        etwhf__check_progress_done(&r);
        res->seconds = (double)(etwhf__check_now_ms() - t0) / 1000.0;
        if (rc == CHECK_RUN_INTERRUPTED)
            st = ETWHF_EABORTED, snprintf(err, errlen, "interrupted");
        else if (rc == CHECK_RUN_IO)
            st = ETWHF_EIO, snprintf(err, errlen, "%s", r.err);
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
    free(res->decoder);
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
