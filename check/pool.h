/*
 * pool.h — the check's worker processes, for every kind of worker
 * (internal): one loop that starts them, feeds them, reads them, times them
 * out, kills them with their process group, replaces and reaps them.
 *
 * A pool has `nslots` slots; each holds at most one process at a time, in a
 * process group of its own, with pipes for its standard output and error
 * (and standard input, for kinds that send requests there). A kind — the
 * in-process runner's forked workers, a command per case, batch workers —
 * says only what differs: what a job is, how it is sent, how an answer is
 * read and judged. Each round the loop
 *  1. calls the kind's `timeout` for each slot whose deadline has passed;
 *  2. calls the kind's `tend` for each slot (not for one being killed): it
 *     starts a process in an empty slot, queues requests, sets the deadline
 *     of the job in progress;
 *  3. writes queued input without blocking; returns when no process runs;
 *  4. polls every pipe and a self-pipe SIGCHLD writes to, until something
 *     arrives or the next deadline;
 *  5. appends standard output to the slot's buffer and calls the kind's
 *     `output`, which takes what it has read (etwhf__check_pool_take);
 *     feeds standard error to the slot's scanner (what arrives there since
 *     the kind's last etwhf__check_pool_err_cut belongs to the job in
 *     progress);
 *  6. handles each process that has exited: it wrote everything it will
 *     write, so its pipes are read as far as they go (`output` again), what
 *     is left of its process group is killed (a child of it that holds a
 *     pipe open does not keep the exit from being judged:
 *     docs/spec/check-protocol.md §3.3), it is reaped and the kind's
 *     `exited` gets its wait status. The slot is then empty for `tend`.
 * When should_stop says so, or a callback fails the run, every process
 * group still there is killed and reaped before etwhf__check_pool_run
 * returns. Nothing else in check/ starts, waits for or kills a process.
 *
 * Exits are found without reaping (waitid WNOWAIT), so a process group is
 * only ever signalled while its leader, alive or a zombie, still holds the
 * group's id: a group id the kernel handed out again is never hit.
 *
 * Signals while the loop runs: SIGCHLD goes to the pool's handler, and
 * SIGPIPE is ignored when the kind writes to its workers (CHECK_POOL_STDIN);
 * the caller's dispositions are put back when it returns. One pool runs at
 * a time in a process (the SIGCHLD self-pipe is the process's).
 *
 * Callbacks may feed, kill or drop the worker they are called for, not
 * another one; only `tend` starts a process. A run that needs two kinds at
 * once (a differential campaign: etwhf's decoder in forked workers beside
 * a foreign decoder's batch workers) gives one kind whose callbacks
 * dispatch on w->slot. Errors: enum etwhf_status (etwhf/check.h says so for
 * the whole library); a callback that returns a status other than ETWHF_OK
 * ends the run with it, the setup's err saying why.
 */
#ifndef ETWHF_CHECK_POOL_H
#define ETWHF_CHECK_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errscan.h"

/* Slots a pool may have (etwhf_check_options.jobs is capped to it). */
#define CHECK_POOL_MAX 256

struct check_pool;

/* One slot. The kind reads these fields and sets deadline and out_limit;
 * the rest belongs to the pool. */
struct check_worker {
    unsigned slot;             /* 0 … nslots - 1 */
    pid_t pid;                 /* 0: the slot is empty */
    int in_fd, out_fd, err_fd; /* the pool's ends, -1 once closed (in_fd: always, without CHECK_POOL_STDIN) */
    char *out;                 /* standard output read and not yet taken */
    size_t out_len;
    size_t out_limit;         /* more untaken output than this (0: no limit): the process is */
    int overflow;             /* killed and `overflow` set; what it writes then is dropped */
    struct check_errscan err; /* standard error since the last etwhf__check_pool_err_cut */
    uint64_t err_bytes;       /* … and how many bytes that was */
    uint64_t deadline;        /* pool clock, ms; 0: none. Cleared before `timeout` is called */
    int killed;               /* etwhf__check_pool_kill was called on this process */
    /* The pool's own. */
    size_t out_cap;
    char *in; /* standard input queued: in[in_off, in_len) */
    size_t in_len, in_off, in_cap;
};

#define CHECK_POOL_STDIN 1u /* workers read standard input from a pipe (else /dev/null) */

struct check_pool_kind {
    unsigned flags;
    /* Every round, for each slot not being killed: start a process in an
     * empty slot when there is work, queue its requests, set deadlines. */
    int (*tend)(struct check_pool *p, struct check_worker *w);
    /* Standard output arrived: w->out[0, w->out_len). NULL: it stays until
     * `exited` (or the slot is dropped). */
    void (*output)(struct check_pool *p, struct check_worker *w);
    /* w->deadline passed (the process runs and was not killed). */
    void (*timeout)(struct check_pool *p, struct check_worker *w);
    /* The process is gone: `status` is its wait status, everything it wrote
     * has been read (and `output` called), its pipes are closed and the
     * scanner ended. w->out still holds what `output` did not take; the
     * slot is empty (w->pid 0). */
    int (*exited)(struct check_pool *p, struct check_worker *w, int status);
};

struct check_pool_setup {
    const struct check_pool_kind *kind;
    void *user;                          /* the kind's state (etwhf__check_pool_user) */
    unsigned nslots;                     /* 1 … CHECK_POOL_MAX */
    int (*should_stop)(void *stop_user); /* polled every round; NULL: never */
    void *stop_user;
    /* Milliseconds that only grow; NULL: etwhf__check_now_ms. Tests pass their own. */
    uint64_t (*clock)(void *clock_user);
    void *clock_user;
    char *err; /* one line: why the run failed */
    size_t errlen;
};

/* Runs the loop until no process runs: ETWHF_OK; ETWHF_EABORTED when
 * should_stop said so; ETWHF_EIO when a pipe, poll or the SIGCHLD handler
 * fails, or what a callback returned. */
int etwhf__check_pool_run(const struct check_pool_setup *s);

/* ---- for the kinds' callbacks -------------------------------------------- */

void *etwhf__check_pool_user(const struct check_pool *p);
/* The setup's err buffer, for a callback that fails the run. */
char *etwhf__check_pool_err(const struct check_pool *p, size_t *len);
uint64_t etwhf__check_pool_now(const struct check_pool *p);

/* Starts argv (a PATH search for argv[0]) in the empty slot w with envp.
 * ETWHF_OK; ETWHF_EIO (err: "cannot run 'X': why") or ETWHF_ENOMEM. */
int etwhf__check_pool_spawn(struct check_pool *p, struct check_worker *w, char **argv, char **envp);
/* Forks a worker into the empty slot w that runs child(arg, out_fd):
 * out_fd is its standard output pipe (its own standard output is the
 * caller's), standard error goes to the pipe, SIGINT is ignored (the pool
 * decides) and the worker dies with the checker. child must not return
 * (it may _exit); if it does, the worker exits 0. ETWHF_OK or ETWHF_EIO. */
int etwhf__check_pool_fork(struct check_pool *p, struct check_worker *w, void (*child)(void *arg, int out_fd),
                           void *arg);

/* Queues n bytes for w's standard input (written as the pipe takes them).
 * ETWHF_OK or ETWHF_ENOMEM. Dropped when the worker has closed its input. */
int etwhf__check_pool_send(struct check_pool *p, struct check_worker *w, const void *buf, size_t n);
/* Closes w's pipes: end of file on its input (what is queued is dropped);
 * what it writes from now on is nobody's. Its exit is still handled. */
void etwhf__check_pool_close(struct check_worker *w);
/* The kind has read the first n bytes of w->out. */
void etwhf__check_pool_take(struct check_worker *w, size_t n);

/* Reads w's standard error as far as it goes now, into w->err. */
void etwhf__check_pool_read_err(struct check_pool *p, struct check_worker *w);
/* What arrives on standard error from now on belongs to the next job. */
void etwhf__check_pool_err_cut(struct check_worker *w);

/* SIGKILL to w's process group; its exit is handled as any other. */
void etwhf__check_pool_kill(struct check_pool *p, struct check_worker *w);
/* Kills w's process group, reaps it and empties the slot at once: nothing
 * more is read from it and no callback hears of it again. */
void etwhf__check_pool_drop(struct check_pool *p, struct check_worker *w);

/* CLOCK_MONOTONIC in ms: the pool's clock unless the setup gives another. */
uint64_t etwhf__check_now_ms(void);
/* "SIGSEGV", or "signal 42". */
const char *etwhf__check_signal_name(int sig, char *buf, size_t len);

#endif
