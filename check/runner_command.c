/* Running a decoder command per case and mode; see runner_command.h. */
#define _GNU_SOURCE
#include "runner_command.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manifest.h"
#include "output.h"
#include "pool.h"

/* A decoder printing more than this for one case is stopped: a runaway. */
#define OUTPUT_LIMIT ((size_t)256 << 20)

/* The run of a slot's command. */
struct job {
    size_t pos; /* index into r->selected */
    int mode;
    int timed_out;
};

struct command {
    struct check_run *r;
    struct job *jobs; /* per slot */
    struct check_cursor cursor;
    char **base_env; /* environ without the ETWHF_ variables we set */
    size_t nbase;
    struct check_observed obs;
};

size_t etwhf__check_case_args(const struct check_case *k, int mode, const char *args[8])
{
    size_t n = 0;
    args[n++] = "--mode";
    args[n++] = etwhf__check_mode_name(mode);
    args[n++] = "--input";
    args[n++] = etwhf__layer_name(k->info.layer); /* --input takes the layer names */
    if (k->info.layer == ETWHF_GEN_PAYLOAD) {
        args[n++] = "--pointer-size";
        args[n++] = etwhf__width_name(k->info.pointer_size);
        args[n++] = "--event";
        args[n++] = etwhf_heap_event_name(k->info.event);
    }
    return n;
}

static char *env_var(const char *name, const char *value)
{
    char *s;
    return asprintf(&s, "%s=%s", name, value) < 0 ? NULL : s;
}

/* The ETWHF_* variables of one run (docs/spec/check-protocol.md §3.2). */
static int case_env(const struct check_case *k, int mode, const char *path, char *env[5])
{
    env[0] = env_var("ETWHF_FILE", path);
    env[1] = env_var("ETWHF_LAYER", etwhf__layer_name(k->info.layer));
    env[2] = env_var("ETWHF_MODE", etwhf__check_mode_name(mode));
    env[3] = env_var("ETWHF_POINTER_SIZE", etwhf__width_name(k->info.pointer_size));
    int payload = k->info.layer == ETWHF_GEN_PAYLOAD;
    env[4] = payload ? env_var("ETWHF_EVENT", etwhf_heap_event_name(k->info.event)) : NULL;
    return env[0] && env[1] && env[2] && env[3] && (env[4] || !payload) ? ETWHF_OK : ETWHF_ENOMEM;
}

/* Starts the command of case pos in mode in slot w. */
static int start(struct check_pool *p, struct command *x, struct check_worker *w, size_t pos, int mode)
{
    struct check_run *r = x->r;
    const struct check_case *k = &r->corpus->cases[r->selected[pos]];
    char path[PATH_MAX], *env[5] = {0};
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != ETWHF_OK) {
        snprintf(r->err, sizeof r->err, "path too long: %s", k->info.file);
        return ETWHF_EIO;
    }
    size_t nargs = etwhf__check_case_args(k, mode, args);
    char **argv = etwhf__check_cmd_argv(r->cmd, args, nargs, path);
    char **envp = argv && case_env(k, mode, path, env) == ETWHF_OK ? calloc(x->nbase + 6, sizeof *envp) : NULL;
    int rc = ETWHF_ENOMEM;
    if (!envp) {
        snprintf(r->err, sizeof r->err, "out of memory");
    } else {
        memcpy(envp, x->base_env, x->nbase * sizeof *envp);
        for (size_t i = 0, n = x->nbase; i < 5; i++)
            if (env[i])
                envp[n++] = env[i];
        rc = etwhf__check_pool_spawn(p, w, argv, envp);
    }
    if (rc == ETWHF_OK) {
        x->jobs[w->slot] = (struct job){.pos = pos, .mode = mode};
        w->deadline = etwhf__check_pool_now(p) + r->timeout_ms;
    }
    for (size_t i = 0; i < 5; i++)
        free(env[i]);
    free(envp);
    etwhf__check_argv_free(argv);
    return rc;
}

/* Next (case, mode) to run; cases the command cannot take are skipped here. */
static int next_run(struct command *x, size_t *pos, int *mode)
{
    struct check_run *r = x->r;
    while (etwhf__check_next(r, &x->cursor, pos, mode)) {
        const struct check_case *k = &r->corpus->cases[r->selected[*pos]];
        if (r->cmd->has_file || k->info.layer == ETWHF_GEN_FILE)
            return 1;
        /* Once per mode: the same outcome twice changes nothing. */
        etwhf__check_tally_add(r->tally, r->selected[*pos], ETWHF_CHECK_SKIPPED, NULL);
    }
    return 0;
}

/* ---- a kind of pool worker (pool.h): one command per run ------------------------ */

static int tend(struct check_pool *p, struct check_worker *w)
{
    struct command *x = etwhf__check_pool_user(p);
    size_t pos;
    int mode;
    if (w->pid || !next_run(x, &pos, &mode))
        return ETWHF_OK;
    w->out_limit = OUTPUT_LIMIT;
    return start(p, x, w, pos, mode);
}

static void timeout(struct check_pool *p, struct check_worker *w)
{
    struct command *x = etwhf__check_pool_user(p);
    x->jobs[w->slot].timed_out = 1;
    etwhf__check_pool_kill(p, w);
}

/* The command exited (st: its wait status): judge the run. */
static int exited(struct check_pool *p, struct check_worker *w, int st)
{
    struct command *x = etwhf__check_pool_user(p);
    struct check_run *r = x->r;
    struct job *j = &x->jobs[w->slot];
    const struct check_case *k = &r->corpus->cases[r->selected[j->pos]];
    const struct check_errscan *scan = &w->err;
    struct check_diff d;
    char got[200], sig[24];
    int outcome = ETWHF_CHECK_AGREE;
    etwhf__check_diff_reset(&d);
    if (j->timed_out) {
        outcome = ETWHF_CHECK_TIMEOUT;
        snprintf(got, sizeof got, "still running after %llu ms", (unsigned long long)r->timeout_ms);
        etwhf__check_diff_add(&d, CHECK_K_TIMEOUT, j->mode, "timeout", "done", got);
    } else if (w->overflow) {
        outcome = ETWHF_CHECK_FAILED;
        etwhf__check_diff_add(&d, CHECK_K_OUTPUT, j->mode, "output", "at most 256 MiB", "more (stopped)");
    } else if (WIFSIGNALED(st) || scan->found) {
        outcome = ETWHF_CHECK_CRASH;
        snprintf(got, sizeof got, "%s%s%s",
                 WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "sanitizer report",
                 scan->found ? ": " : "", scan->found ? scan->report : "");
        etwhf__check_diff_add(&d, CHECK_K_CRASH, j->mode, "crash", "no crash", got);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
        outcome = ETWHF_CHECK_FAILED;
        snprintf(got, sizeof got, "%d%s%s", WEXITSTATUS(st), scan->first[0] ? ": " : "", scan->first);
        etwhf__check_diff_add(&d, CHECK_K_EXIT, j->mode, "exit_status", "0 or 1", got);
    } else if (WEXITSTATUS(st) == 1 && etwhf__check_output_blank(w->out, w->out_len)) {
        outcome = ETWHF_CHECK_FAILED; /* a traceback, not a verdict (check-protocol.md §3.5) */
        etwhf__check_exit1_blank(&d, j->mode, scan);
    } else {
        etwhf__check_output_parse(w->out ? w->out : "", w->out_len, j->mode, r->strict_codes, r->all_heap_events,
                                  &x->obs, &d);
        etwhf__check_compare(k, j->mode, &x->obs, &d);
        if (d.kinds)
            outcome = ETWHF_CHECK_DISAGREE;
    }
    etwhf__check_tally_add(r->tally, r->selected[j->pos], outcome, &d);
    etwhf__check_tally_evidence(r->tally, r->selected[j->pos], j->mode, st, w->out, w->out_len, scan->tail,
                                scan->tail_cut);
    etwhf__check_progress(r, 0);
    return ETWHF_OK;
}

static const struct check_pool_kind command_kind = {.tend = tend, .timeout = timeout, .exited = exited};

int etwhf__check_run_command(struct check_run *r)
{
    struct command x = {.r = r};
    unsigned n = r->jobs ? r->jobs : 1;
    if (n > CHECK_POOL_MAX)
        n = CHECK_POOL_MAX;
    x.base_env = etwhf__check_base_env(&x.nbase);
    x.jobs = calloc(n, sizeof *x.jobs);
    int rc = ETWHF_ENOMEM;
    if (!x.base_env || !x.jobs)
        snprintf(r->err, sizeof r->err, "out of memory");
    else
        rc = etwhf__check_run_pool(r, &command_kind, &x, n);
    etwhf__check_observed_free(&x.obs);
    free(x.base_env);
    free(x.jobs);
    return rc;
}

/* For the report's reproduce lines (repro_line.c): the same variables. */
int etwhf__check_case_env(const struct check_case *k, int mode, const char *path, char *env[5])
{
    return case_env(k, mode, path, env);
}

extern char **environ;

static const char *const case_vars[] = {
    "ETWHF_FILE=", "ETWHF_LAYER=", "ETWHF_POINTER_SIZE=", "ETWHF_EVENT=", "ETWHF_MODE="};

char **etwhf__check_base_env(size_t *n)
{
    size_t all = 0;
    while (environ[all])
        all++;
    char **env = calloc(all + 1, sizeof *env);
    if (!env)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < all; i++) {
        int ours = 0;
        for (size_t v = 0; v < sizeof case_vars / sizeof case_vars[0]; v++)
            ours |= strncmp(environ[i], case_vars[v], strlen(case_vars[v])) == 0;
        if (!ours)
            env[(*n)++] = environ[i];
    }
    return env;
}
