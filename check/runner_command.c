/* Running an external decoder per case; see runner_command.h. */
#define _GNU_SOURCE
#include "runner_command.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manifest.h"
#include "output.h"
#include "proc.h"

/* A decoder printing more than this for one case is stopped: a runaway. */
#define OUTPUT_LIMIT ((size_t)256 << 20)
#define MAX_JOBS 256

struct job {
    pid_t pid;      /* 0: free */
    size_t pos;
    int mode;
    int out_fd, err_fd;
    char *out;
    size_t len, cap;
    int too_long, timed_out, status;
    uint64_t deadline;
    struct check_errscan scan;
};

struct ext {
    struct check_run *r;
    struct job jobs[MAX_JOBS];
    unsigned njobs;
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

/* The ETWHF_* variables of one run (docs/spec/check-protocol.md); 0 or -1 (no memory). */
static int case_env(const struct check_case *k, int mode, const char *path, char *env[5])
{
    env[0] = env_var("ETWHF_FILE", path);
    env[1] = env_var("ETWHF_LAYER", etwhf__layer_name(k->info.layer));
    env[2] = env_var("ETWHF_MODE", etwhf__check_mode_name(mode));
    env[3] = env_var("ETWHF_POINTER_SIZE", etwhf__width_name(k->info.pointer_size));
    int payload = k->info.layer == ETWHF_GEN_PAYLOAD;
    env[4] = payload ? env_var("ETWHF_EVENT", etwhf_heap_event_name(k->info.event)) : NULL;
    return env[0] && env[1] && env[2] && env[3] && (env[4] || !payload) ? 0 : -1;
}

static int start(struct ext *x, struct job *j, size_t pos, int mode)
{
    const struct check_run *r = x->r;
    const struct check_case *k = &r->corpus->cases[r->selected[pos]];
    char path[PATH_MAX], *env[5] = {0};
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != 0) {
        snprintf(x->r->err, sizeof x->r->err, "path too long: %s", k->info.file);
        return -1;
    }
    size_t nargs = etwhf__check_case_args(k, mode, args);
    char **argv = etwhf__check_cmd_argv(r->cmd, args, nargs, path);
    char **envp = argv && case_env(k, mode, path, env) == 0 ? calloc(x->nbase + 6, sizeof *envp) : NULL;
    int out[2] = {-1, -1}, err[2] = {-1, -1}, rc = -1;
    if (!envp) {
        snprintf(x->r->err, sizeof x->r->err, "out of memory");
    } else if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        snprintf(x->r->err, sizeof x->r->err, "cannot start the decoder: %s", strerror(errno));
    } else {
        memcpy(envp, x->base_env, x->nbase * sizeof *envp);
        for (size_t i = 0, n = x->nbase; i < 5; i++)
            if (env[i])
                envp[n++] = env[i];
        pid_t pid;
        int e = etwhf__check_spawn(argv, envp, -1, out[1], err[1], &pid);
        if (e != 0) {
            snprintf(x->r->err, sizeof x->r->err, "cannot run '%s': %s", argv[0], strerror(e));
        } else {
            memset(j, 0, sizeof *j);
            j->pid = pid;
            j->pos = pos;
            j->mode = mode;
            j->out_fd = out[0];
            j->err_fd = err[0];
            j->deadline = etwhf__check_now_ms() + r->timeout_ms;
            fcntl(j->out_fd, F_SETFL, O_NONBLOCK);
            fcntl(j->err_fd, F_SETFL, O_NONBLOCK);
            out[0] = err[0] = -1;
            rc = 0;
        }
    }
    for (int i = 0; i < 2; i++) { /* the child's ends, and ours after a failure */
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    for (size_t i = 0; i < 5; i++)
        free(env[i]);
    free(envp);
    etwhf__check_argv_free(argv);
    return rc;
}

static void close_pipes(struct job *j)
{
    if (j->out_fd >= 0)
        close(j->out_fd);
    if (j->err_fd >= 0)
        close(j->err_fd);
    j->out_fd = j->err_fd = -1;
}

static void stop_runaway(struct job *j)
{
    j->too_long = 1;
    kill(-j->pid, SIGKILL);
    close_pipes(j);
}

static void drain(struct job *j, int is_err)
{
    if (is_err) {
        etwhf__check_errscan_drain(&j->err_fd, &j->scan);
        return;
    }
    char tmp[1 << 16];
    long n;
    while ((n = etwhf__check_pipe_read(&j->out_fd, tmp, sizeof tmp)) > 0) {
        if (j->len + (size_t)n > OUTPUT_LIMIT) {
            stop_runaway(j);
            return;
        }
        if (j->len + (size_t)n > j->cap) {
            size_t cap = j->cap ? j->cap : 1 << 16;
            while (cap < j->len + (size_t)n)
                cap *= 2;
            char *p = realloc(j->out, cap);
            if (!p) {
                stop_runaway(j);
                return;
            }
            j->out = p;
            j->cap = cap;
        }
        memcpy(j->out + j->len, tmp, (size_t)n);
        j->len += (size_t)n;
    }
}

/* The run ended: judge it and free the job. */
static void finish(struct ext *x, struct job *j)
{
    struct check_run *r = x->r;
    const struct check_case *k = &r->corpus->cases[r->selected[j->pos]];
    struct check_diff d;
    char got[200], sig[24];
    int outcome = ETWHF_CHECK_AGREE, st = j->status;
    etwhf__check_diff_reset(&d);
    if (j->timed_out) {
        outcome = ETWHF_CHECK_TIMEOUT;
        snprintf(got, sizeof got, "still running after %llu ms", (unsigned long long)r->timeout_ms);
        etwhf__check_diff_add(&d, CHECK_K_TIMEOUT, j->mode, "timeout", "done", got);
    } else if (j->too_long) {
        outcome = ETWHF_CHECK_FAILED;
        etwhf__check_diff_add(&d, CHECK_K_OUTPUT, j->mode, "output", "at most 256 MiB", "more (stopped)");
    } else if (WIFSIGNALED(st) || j->scan.found) {
        outcome = ETWHF_CHECK_CRASH;
        snprintf(got, sizeof got, "%s%s%s",
                 WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "sanitizer report",
                 j->scan.found ? ": " : "", j->scan.found ? j->scan.report : "");
        etwhf__check_diff_add(&d, CHECK_K_CRASH, j->mode, "crash", "no crash", got);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
        outcome = ETWHF_CHECK_FAILED;
        snprintf(got, sizeof got, "%d%s%s", WEXITSTATUS(st), j->scan.first[0] ? ": " : "", j->scan.first);
        etwhf__check_diff_add(&d, CHECK_K_EXIT, j->mode, "exit_status", "0 or 1", got);
    } else if (WEXITSTATUS(st) == 1 && etwhf__check_output_blank(j->out, j->len)) {
        outcome = ETWHF_CHECK_FAILED; /* a traceback, not a verdict (check-protocol.md §3.5) */
        etwhf__check_exit1_blank(&d, j->mode, &j->scan);
    } else {
        etwhf__check_output_parse(j->out ? j->out : "", j->len, j->mode, r->strict_codes, r->all_heap_events, &x->obs,
                                  &d);
        etwhf__check_compare(k, j->mode, &x->obs, &d);
        if (d.kinds)
            outcome = ETWHF_CHECK_DISAGREE;
    }
    etwhf__check_tally_add(r->tally, r->selected[j->pos], outcome, &d);
    etwhf__check_tally_evidence(r->tally, r->selected[j->pos], j->mode, st, j->out, j->len, j->scan.tail,
                                j->scan.tail_cut);
    free(j->out);
    memset(j, 0, sizeof *j);
}

/* Next (case, mode) to run; cases the command cannot take are skipped here. */
static int next_run(struct ext *x, size_t *pos, int *mode)
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

static void kill_all(struct ext *x)
{
    for (unsigned i = 0; i < x->njobs; i++) {
        struct job *j = &x->jobs[i];
        if (!j->pid)
            continue;
        kill(-j->pid, SIGKILL);
        while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close_pipes(j);
        free(j->out);
        memset(j, 0, sizeof *j);
    }
}

/* Timeouts, reaping; returns how long poll may wait. */
static int tend(struct ext *x, int *running)
{
    uint64_t now = etwhf__check_now_ms();
    int wait = 100;
    *running = 0;
    for (unsigned i = 0; i < x->njobs; i++) {
        struct job *j = &x->jobs[i];
        if (!j->pid)
            continue;
        if (!j->timed_out && now >= j->deadline) {
            j->timed_out = 1;
            kill(-j->pid, SIGKILL);
            /* Its output no longer matters; a stray that escaped the group
             * must not keep us waiting for end of file. */
            close_pipes(j);
        } else if (!j->timed_out && j->deadline - now < (uint64_t)wait) {
            wait = (int)(j->deadline - now) + 1;
        }
        if (j->out_fd < 0 && j->err_fd < 0) {
            /* Both pipes closed: it has exited, or closed them and lives on. */
            pid_t got = waitpid(j->pid, &j->status, j->timed_out ? 0 : WNOHANG);
            if (got == j->pid) {
                if (j->timed_out)
                    kill(-j->pid, SIGKILL); /* what it left behind in its group */
                finish(x, j);
                continue;
            }
            wait = wait > 50 ? 50 : wait; /* SIGCHLD wakes us sooner */
        }
        (*running)++;
    }
    return wait;
}

static int loop(struct ext *x)
{
    struct pollfd fds[2 * MAX_JOBS + 1];
    unsigned who[2 * MAX_JOBS + 1];
    for (;;) {
        if (etwhf__check_stopping(x->r))
            return CHECK_RUN_INTERRUPTED;
        int running;
        int wait = tend(x, &running);
        for (unsigned i = 0; i < x->njobs; i++) {
            size_t pos;
            int mode;
            if (x->jobs[i].pid || !next_run(x, &pos, &mode))
                continue;
            if (start(x, &x->jobs[i], pos, mode) != 0)
                return CHECK_RUN_IO;
            running++;
        }
        if (!running)
            return 0;
        nfds_t n = 0;
        fds[n] = (struct pollfd){.fd = etwhf__check_chld_fd(), .events = POLLIN}, who[n++] = UINT_MAX;
        for (unsigned i = 0; i < x->njobs; i++) {
            struct job *j = &x->jobs[i];
            if (j->pid && j->out_fd >= 0)
                fds[n] = (struct pollfd){.fd = j->out_fd, .events = POLLIN}, who[n++] = 2 * i;
            if (j->pid && j->err_fd >= 0)
                fds[n] = (struct pollfd){.fd = j->err_fd, .events = POLLIN}, who[n++] = 2 * i + 1;
        }
        int rc = poll(fds, n, wait);
        if (rc < 0 && errno != EINTR) {
            snprintf(x->r->err, sizeof x->r->err, "poll: %s", strerror(errno));
            return CHECK_RUN_IO;
        }
        for (nfds_t i = 0; rc > 0 && i < n; i++) {
            if (!fds[i].revents)
                continue;
            if (who[i] == UINT_MAX)
                etwhf__check_chld_clear();
            else
                drain(&x->jobs[who[i] / 2], who[i] & 1);
        }
        etwhf__check_progress(x->r, 0);
    }
}

int etwhf__check_run_external(struct check_run *r)
{
    struct ext *x = calloc(1, sizeof *x);
    if (!x || !(x->base_env = etwhf__check_base_env(&x->nbase))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        free(x);
        return CHECK_RUN_IO;
    }
    x->r = r;
    x->njobs = r->jobs ? r->jobs : 1;
    if (x->njobs > MAX_JOBS)
        x->njobs = MAX_JOBS;
    struct sigaction old;
    int rc = CHECK_RUN_IO;
    if (etwhf__check_chld_install(&old) != 0)
        snprintf(r->err, sizeof r->err, "cannot watch for exits: %s", strerror(errno));
    else
        rc = loop(x);
    kill_all(x);
    etwhf__check_chld_remove(&old);
    etwhf__check_progress(r, 1);
    etwhf__check_observed_free(&x->obs);
    free(x->base_env);
    free(x);
    return rc;
}

/* For the report's reproduce lines (repro_line.c): the same variables. */
int etwhf__check_case_env(const struct check_case *k, int mode, const char *path, char *env[5])
{
    return case_env(k, mode, path, env);
}
