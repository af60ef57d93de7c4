/* The worker pool (check/pool.h) with small kinds of its own: a deadline
 * passes only when a fake clock says so; a worker that dies costs its job
 * and a fresh one takes the rest; timeouts, stops and exits kill the whole
 * process group, and an exit is seen even while a child of the worker holds
 * its pipes; standard error is cut at each job; output past the limit kills.
 * Nothing here waits a guessed time: the workers block until they are
 * killed, and the test counts the pool's rounds, not seconds. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "etwhf/format.h"
#include "pool.h"

/* ---- helpers ------------------------------------------------------------ */

static void put(int fd, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (write(fd, buf, (size_t)n) != n)
        _exit(9);
}

static _Noreturn void block(void)
{
    for (;;)
        pause();
}

/* A child of the worker, in its process group, that blocks for ever
 * holding the worker's pipes; its pid goes to out_fd first. */
static void leave_child(int out_fd)
{
    pid_t pid = fork();
    if (pid == 0)
        block();
    put(out_fd, "child %d\n", (int)pid);
}

/* The pid a worker reported with leave_child, or 0. */
static pid_t child_of(const struct check_worker *w)
{
    const char *p = w->out_len ? memmem(w->out, w->out_len, "child ", 6) : NULL;
    return p ? (pid_t)atoi(p + 6) : 0;
}

/* The test process adopts its workers' orphans (PR_SET_CHILD_SUBREAPER), so
 * it can tell how one ended. Killed by the pool: SIGKILL is pending or it is
 * already a zombie — it cannot run again — and then it is reaped. */
static void assert_killed(pid_t pid)
{
    char path[64], line[256];
    int dying = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        unsigned long long mask;
        if (!strncmp(line, "State:", 6))
            dying |= strchr(line, 'Z') != NULL || strchr(line, 'X') != NULL;
        if ((sscanf(line, "ShdPnd: %llx", &mask) == 1 || sscanf(line, "SigPnd: %llx", &mask) == 1) &&
            (mask >> (SIGKILL - 1) & 1))
            dying = 1;
    }
    fclose(f);
    assert_true(dying);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
}

static void assert_no_child_left(void)
{
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* What a test kind records. */
struct rec {
    uint64_t now; /* the fake clock */
    int forks, timeouts, exits, rounds;
    int status;          /* the last exit's wait status */
    char out[4096];      /* the last exit's untaken output */
    pid_t child;         /* what leave_child reported */
    int stop;            /* should_stop's answer */
    int stop_when_ready; /* … set once the worker says "ready" */
    int overflow;        /* the last exit's overflow flag */
    /* exit_seen: rounds the pool ran since the worker was a zombie */
    pid_t pid;
    int zombie_rounds;
    int mode; /* which child to fork */
};

static uint64_t fake_clock(void *user)
{
    return ((struct rec *)user)->now;
}

static int stop_when_asked(void *user)
{
    return ((struct rec *)user)->stop;
}

static int run_pool(const struct check_pool_kind *kind, struct rec *r, unsigned slots)
{
    char err[256] = "";
    struct check_pool_setup s = {.kind = kind,
                                 .user = r,
                                 .nslots = slots,
                                 .should_stop = stop_when_asked,
                                 .stop_user = r,
                                 .clock = fake_clock,
                                 .clock_user = r,
                                 .err = err,
                                 .errlen = sizeof err};
    int rc = etwhf__check_pool_run(&s);
    if (rc != ETWHF_OK && rc != ETWHF_EABORTED)
        fprintf(stderr, "pool: %s\n", err);
    return rc;
}

static void keep_exit(struct rec *r, const struct check_worker *w, int st)
{
    size_t n = w->out_len < sizeof r->out - 1 ? w->out_len : sizeof r->out - 1;
    memcpy(r->out, w->out, n);
    r->out[n] = '\0';
    r->status = st;
    r->overflow = w->overflow;
    r->exits++;
}

/* ---- one worker, one job: deadlines, exits, groups ------------------------ */

enum { READY_CHILD_BLOCK, DONE_CHILD_EXIT, FLOOD_BLOCK };

static void one_child(void *arg, int out_fd)
{
    struct rec *r = arg;
    switch (r->mode) {
    case READY_CHILD_BLOCK:
        leave_child(out_fd);
        put(out_fd, "ready\n");
        block();
    case DONE_CHILD_EXIT: /* the answer, a child on the pipes, exit 0 */
        leave_child(out_fd);
        put(out_fd, "done\n");
        _exit(0);
    case FLOOD_BLOCK: {
        static char mb[1 << 20];
        memset(mb, 'x', sizeof mb);
        for (size_t off = 0; off < sizeof mb;) { /* blocks once the pipe is full, until killed */
            ssize_t n = write(out_fd, mb + off, sizeof mb - off);
            if (n <= 0)
                _exit(8);
            off += (size_t)n;
        }
        block();
    }
    }
    _exit(7);
}

static int one_tend(struct check_pool *p, struct check_worker *w)
{
    struct rec *r = etwhf__check_pool_user(p);
    r->rounds++;
    if (w->pid && r->pid == w->pid) {
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == w->pid &&
            ++r->zombie_rounds > 3)
            r->now = 1000; /* the pool did not see the exit: end the test by the timeout, failing it */
        return ETWHF_OK;
    }
    if (w->pid || r->forks)
        return ETWHF_OK;
    r->forks++;
    w->out_limit = r->mode == FLOOD_BLOCK ? 1000 : 0;
    int rc = etwhf__check_pool_fork(p, w, one_child, r);
    r->pid = w->pid;
    w->deadline = r->now + 1000;
    return rc;
}

/* "ready": the worker is where the test wants it; the clock then moves. */
static void one_output(struct check_pool *p, struct check_worker *w)
{
    struct rec *r = etwhf__check_pool_user(p);
    if (!r->child)
        r->child = child_of(w);
    if (memmem(w->out, w->out_len, "ready\n", 6)) {
        if (r->stop_when_ready)
            r->stop = 1;
        else
            r->now = 1000; /* the deadline, exactly */
    }
}

static void one_timeout(struct check_pool *p, struct check_worker *w)
{
    struct rec *r = etwhf__check_pool_user(p);
    r->timeouts++;
    etwhf__check_pool_kill(p, w);
}

static int one_exited(struct check_pool *p, struct check_worker *w, int st)
{
    keep_exit(etwhf__check_pool_user(p), w, st);
    return ETWHF_OK;
}

static const struct check_pool_kind one_kind = {
    .tend = one_tend,
    .output = one_output,
    .timeout = one_timeout,
    .exited = one_exited,
};

/* The deadline passes when the clock says so, not before: the worker blocks
 * for ever, and is killed with the child it left in its group. */
static void test_timeout_fake_clock(void **state)
{
    (void)state;
    struct rec r = {.mode = READY_CHILD_BLOCK};
    assert_int_equal(run_pool(&one_kind, &r, 1), ETWHF_OK);
    assert_int_equal(r.timeouts, 1);
    assert_int_equal(r.exits, 1);
    assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
    assert_true(r.child > 0);
    assert_killed(r.child);
    assert_no_child_left();
}

/* A clock short of the deadline times nothing out: the worker exits by
 * itself, status 0, its output whole, the child holding its pipes killed —
 * within a round of its exit, not when the pipes close (they never would). */
static void test_exit_beside_child(void **state)
{
    (void)state;
    struct rec r = {.mode = DONE_CHILD_EXIT, .now = 0};
    assert_int_equal(run_pool(&one_kind, &r, 1), ETWHF_OK);
    assert_int_equal(r.timeouts, 0);
    assert_int_equal(r.exits, 1);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_non_null(strstr(r.out, "done\n"));
    assert_true(r.zombie_rounds <= 1);
    assert_true(r.child > 0);
    assert_killed(r.child);
    assert_no_child_left();
}

/* should_stop: the run returns ETWHF_EABORTED, every group killed and reaped. */
static void test_stop_kills_groups(void **state)
{
    (void)state;
    struct rec r = {.mode = READY_CHILD_BLOCK, .stop_when_ready = 1};
    assert_int_equal(run_pool(&one_kind, &r, 1), ETWHF_EABORTED);
    assert_int_equal(r.timeouts, 0);
    assert_true(r.child > 0);
    assert_killed(r.child);
    assert_no_child_left();
}

/* Output past the limit: killed, overflow set, the untaken output bounded. */
static void test_output_limit(void **state)
{
    (void)state;
    struct rec r = {.mode = FLOOD_BLOCK};
    assert_int_equal(run_pool(&one_kind, &r, 1), ETWHF_OK);
    assert_int_equal(r.exits, 1);
    assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
    assert_true(r.overflow);
    assert_int_equal(r.timeouts, 0);
    assert_no_child_left();
}

/* ---- jobs over standard input: replacement and stderr --------------------- */

#define NJOBS 10

struct jobs {
    int answered[NJOBS], lost[NJOBS], err_ok[NJOBS];
    int next, held[NJOBS], nheld, forks;
    int one_at_a_time;
    struct rec r;
};

/* Reads "k\n" requests; answers each with "k\n", after "err k\n" on stderr;
 * job 3 and 7 crash it. */
static void job_child(void *arg, int out_fd)
{
    (void)arg;
    char line[32];
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got <= 0)
            _exit(0);
        if (c != '\n') {
            if (n < sizeof line - 1)
                line[n++] = c;
            continue;
        }
        line[n] = '\0';
        n = 0;
        int k = atoi(line);
        put(STDERR_FILENO, "err %d\n", k);
        if (k == 3 || k == 7) {
            signal(SIGSEGV, SIG_DFL);
            raise(SIGSEGV);
        }
        put(out_fd, "%d\n", k);
    }
}

static int jobs_tend(struct check_pool *p, struct check_worker *w)
{
    struct jobs *j = etwhf__check_pool_user(p);
    int limit = j->one_at_a_time ? 1 : NJOBS;
    while (j->next < NJOBS && j->nheld < limit) {
        if (!w->pid) {
            j->forks++;
            int rc = etwhf__check_pool_fork(p, w, job_child, j);
            if (rc != ETWHF_OK)
                return rc;
        }
        char req[16];
        int n = snprintf(req, sizeof req, "%d\n", j->next);
        j->held[j->nheld++] = j->next++;
        int rc = etwhf__check_pool_send(p, w, req, (size_t)n);
        if (rc != ETWHF_OK)
            return rc;
    }
    if (w->pid && !j->nheld && j->next == NJOBS)
        etwhf__check_pool_close(w); /* end of input: it exits */
    return ETWHF_OK;
}

static void jobs_output(struct check_pool *p, struct check_worker *w)
{
    struct jobs *j = etwhf__check_pool_user(p);
    char *nl;
    while (j->nheld && (nl = memchr(w->out, '\n', w->out_len))) {
        int k = atoi(w->out);
        assert_int_equal(k, j->held[0]);
        j->answered[k] = 1;
        if (j->one_at_a_time) {
            /* Its stderr was written before the answer: it is in the pipe. */
            char want[16];
            etwhf__check_pool_read_err(p, w);
            snprintf(want, sizeof want, "err %d\n", k);
            j->err_ok[k] = !strcmp(w->err.tail, want) && w->err_bytes == strlen(want);
            etwhf__check_pool_err_cut(w);
        }
        memmove(j->held, j->held + 1, (size_t)--j->nheld * sizeof *j->held);
        etwhf__check_pool_take(w, (size_t)(nl - w->out) + 1);
    }
}

/* The worker died: the job in progress is lost; the rest go again. */
static int jobs_exited(struct check_pool *p, struct check_worker *w, int st)
{
    struct jobs *j = etwhf__check_pool_user(p);
    (void)w;
    if (j->nheld) {
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
        j->lost[j->held[0]] = 1;
        j->next = j->nheld > 1 ? j->held[1] : j->next;
        j->nheld = 0;
    }
    return ETWHF_OK;
}

static const struct check_pool_kind jobs_kind = {
    .flags = CHECK_POOL_STDIN,
    .tend = jobs_tend,
    .output = jobs_output,
    .exited = jobs_exited,
};

static void run_jobs(struct jobs *j)
{
    char err[256] = "";
    struct check_pool_setup s = {.kind = &jobs_kind,
                                 .user = j,
                                 .nslots = 1,
                                 .clock = fake_clock,
                                 .clock_user = &j->r,
                                 .err = err,
                                 .errlen = sizeof err};
    assert_int_equal(etwhf__check_pool_run(&s), ETWHF_OK);
    for (int k = 0; k < NJOBS; k++) {
        int crashes = k == 3 || k == 7;
        assert_int_equal(j->answered[k], !crashes);
        assert_int_equal(j->lost[k], crashes);
    }
    assert_int_equal(j->forks, 3); /* the first, and one after each crash */
    assert_no_child_left();
}

/* All requests queued ahead: each crash costs its job only, a fresh worker
 * takes the ones the dead one held. */
static void test_replacement(void **state)
{
    (void)state;
    struct jobs j = {0};
    run_jobs(&j);
}

/* One request at a time: each job's stderr is exactly its own. */
static void test_stderr_attribution(void **state)
{
    (void)state;
    struct jobs j = {.one_at_a_time = 1};
    run_jobs(&j);
    for (int k = 0; k < NJOBS; k++)
        if (j.answered[k])
            assert_true(j.err_ok[k]);
}

/* ---- a command: posix_spawn, exit status, stderr -------------------------- */

static int cmd_tend(struct check_pool *p, struct check_worker *w)
{
    struct rec *r = etwhf__check_pool_user(p);
    if (w->pid || r->forks)
        return ETWHF_OK;
    r->forks++;
    char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    char *envp[] = {NULL};
    return etwhf__check_pool_spawn(p, w, argv, envp);
}

static int cmd_exited(struct check_pool *p, struct check_worker *w, int st)
{
    struct rec *r = etwhf__check_pool_user(p);
    keep_exit(r, w, st);
    assert_string_equal(w->err.first, "err");
    return ETWHF_OK;
}

static const struct check_pool_kind cmd_kind = {.tend = cmd_tend, .exited = cmd_exited};

static void test_spawn(void **state)
{
    (void)state;
    struct rec r = {0};
    assert_int_equal(run_pool(&cmd_kind, &r, 1), ETWHF_OK);
    assert_int_equal(r.exits, 1);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
    assert_string_equal(r.out, "out\n");
    assert_no_child_left();
}

static int cmd_missing_tend(struct check_pool *p, struct check_worker *w)
{
    char *argv[] = {"/no/such/decoder", NULL};
    char *envp[] = {NULL};
    return w->pid ? ETWHF_OK : etwhf__check_pool_spawn(p, w, argv, envp);
}

/* A command that cannot start fails the run, naming it. */
static void test_spawn_missing(void **state)
{
    (void)state;
    static const struct check_pool_kind kind = {.tend = cmd_missing_tend};
    char err[256] = "";
    struct check_pool_setup s = {.kind = &kind, .nslots = 2, .err = err, .errlen = sizeof err};
    assert_int_equal(etwhf__check_pool_run(&s), ETWHF_EIO);
    assert_non_null(strstr(err, "cannot run '/no/such/decoder'"));
    assert_no_child_left();
}

int main(void)
{
    /* Orphans of the workers come to this process, so it can see them killed. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_fake_clock),
        cmocka_unit_test(test_exit_beside_child),
        cmocka_unit_test(test_stop_kills_groups),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_replacement),
        cmocka_unit_test(test_stderr_attribution),
        cmocka_unit_test(test_spawn),
        cmocka_unit_test(test_spawn_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
