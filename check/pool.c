/* The check's worker pool; see pool.h. */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "etwhf/format.h"

/* The longest a round sleeps with nothing to wake it: should_stop is
 * polled this often. */
#define ROUND_MS 100
/* … and when a worker has closed every pipe but SIGCHLD has not come (a
 * caller may block SIGCHLD in its thread): its exit is looked for this often. */
#define CLOSED_MS 50
/* Standard output is read into the slot's buffer this much at a time. */
#define READ_CHUNK ((size_t)1 << 16)
/* A buffer larger than this is freed when its slot gets a new process. */
#define KEEP_CAP ((size_t)4 << 20)

struct check_pool {
    const struct check_pool_setup *s;
    struct check_worker *w;
};

void *etwhf__check_pool_user(const struct check_pool *p)
{
    return p->s->user;
}

char *etwhf__check_pool_err(const struct check_pool *p, size_t *len)
{
    *len = p->s->errlen;
    return p->s->err;
}

uint64_t etwhf__check_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t etwhf__check_pool_now(const struct check_pool *p)
{
    return p->s->clock ? p->s->clock(p->s->clock_user) : etwhf__check_now_ms();
}

static int fail(struct check_pool *p, int status, const char *what, int e)
{
    snprintf(p->s->err, p->s->errlen, "%s: %s", what, strerror(e));
    return status;
}

const char *etwhf__check_signal_name(int sig, char *buf, size_t len)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {
        {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
        {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},
        {SIGTRAP, "SIGTRAP"}, {SIGPIPE, "SIGPIPE"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    snprintf(buf, len, "signal %d", sig);
    return buf;
}

/* ---- SIGCHLD: a byte in a pipe, so poll() wakes the moment a child exits --- */

/* Waiting a fixed slice instead costs more than a decode: a corpus means
 * ~100,000 exits. */
static int chld_pipe[2] = {-1, -1};

static void on_sigchld(int sig)
{
    (void)sig;
    int e = errno;
    ssize_t n = write(chld_pipe[1], "", 1);
    (void)n; /* a full pipe already holds a wake-up */
    errno = e;
}

/* Saves the caller's handler in *old first: chld_remove puts it back
 * whatever failed here. ETWHF_OK, or ETWHF_EIO with errno saying why. */
static int chld_install(struct sigaction *old)
{
    sigaction(SIGCHLD, NULL, old);
    if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return ETWHF_EIO;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    return sigaction(SIGCHLD, &sa, NULL) == 0 ? ETWHF_OK : ETWHF_EIO;
}

static void chld_remove(const struct sigaction *old)
{
    sigaction(SIGCHLD, old, NULL);
    for (int i = 0; i < 2; i++)
        if (chld_pipe[i] >= 0)
            close(chld_pipe[i]);
    chld_pipe[0] = chld_pipe[1] = -1;
}

static void chld_clear(void)
{
    char sink[64];
    while (read(chld_pipe[0], sink, sizeof sink) > 0)
        ;
}

/* ---- starting a worker ------------------------------------------------------ */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The slot's state for a new process; its buffers are kept for reuse. */
static void occupy(struct check_worker *w, pid_t pid, int in_fd, int out_fd, int err_fd)
{
    w->pid = pid;
    w->in_fd = in_fd;
    w->out_fd = out_fd;
    w->err_fd = err_fd;
    /* Our ends only: the worker's stay blocking, as a program expects. */
    for (int i = 0, fds[3] = {in_fd, out_fd, err_fd}; i < 3; i++)
        if (fds[i] >= 0)
            fcntl(fds[i], F_SETFL, O_NONBLOCK);
    w->out_len = 0;
    if (w->out_cap > KEEP_CAP) { /* a runaway's buffer is not kept for the next */
        free(w->out);
        w->out = NULL;
        w->out_cap = 0;
    }
    w->overflow = 0;
    w->killed = 0;
    w->deadline = 0;
    w->in_len = w->in_off = 0;
    etwhf__check_pool_err_cut(w);
}

/* The pipes of a new worker: [0] stdin (when the kind has it), [1] stdout, [2] stderr. */
static int make_pipes(struct check_pool *p, int fds[3][2])
{
    for (int i = 0; i < 3; i++)
        fds[i][0] = fds[i][1] = -1;
    for (int i = (p->s->kind->flags & CHECK_POOL_STDIN) ? 0 : 1; i < 3; i++)
        if (pipe2(fds[i], O_CLOEXEC) != 0)
            return ETWHF_EIO; /* errno says why */
    return ETWHF_OK;
}

static void close_pipes(int fds[3][2])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            close_fd(&fds[i][j]);
}

int etwhf__check_pool_spawn(struct check_pool *p, struct check_worker *w, char **argv, char **envp)
{
    int fds[3][2], e = 0;
    if (make_pipes(p, fds) != ETWHF_OK) {
        e = errno;
        close_pipes(fds);
        return fail(p, ETWHF_EIO, "cannot start the decoder", e);
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT); /* the signals a shell would reset */
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGQUIT);
    posix_spawn_file_actions_init(&fa);
    if (fds[0][0] < 0)
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&fa, fds[0][0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[1][1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[2][1], STDERR_FILENO);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    pid_t pid;
    e = posix_spawnp(&pid, argv[0], &fa, &at, argv, envp); /* vfork speed: ~100,000 of them a corpus */
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e != 0) {
        close_pipes(fds);
        snprintf(p->s->err, p->s->errlen, "cannot run '%s': %s", argv[0], strerror(e));
        return ETWHF_EIO;
    }
    occupy(w, pid, fds[0][1], fds[1][0], fds[2][0]);
    fds[0][1] = fds[1][0] = fds[2][0] = -1;
    close_pipes(fds); /* the worker's ends */
    return ETWHF_OK;
}

int etwhf__check_pool_fork(struct check_pool *p, struct check_worker *w, void (*child)(void *arg, int out_fd),
                           void *arg)
{
    int fds[3][2];
    if (make_pipes(p, fds) != ETWHF_OK) {
        int e = errno;
        close_pipes(fds);
        return fail(p, ETWHF_EIO, "cannot start a worker", e);
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);           /* killed with its group, as a command is */
        signal(SIGINT, SIG_IGN); /* the checker decides and kills */
        signal(SIGCHLD, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(3); /* the checker died before the line above */
        if (fds[0][0] >= 0)
            dup2(fds[0][0], STDIN_FILENO);
        dup2(fds[2][1], STDERR_FILENO);
        int out_fd = fds[1][1];
        fds[1][1] = -1;
        close_pipes(fds); /* above all its own input's write end: it must see end of file */
        close_fd(&chld_pipe[0]);
        close_fd(&chld_pipe[1]);
        for (unsigned i = 0; i < p->s->nslots; i++) { /* another worker's input must see its end of file */
            close_fd(&p->w[i].in_fd);
            close_fd(&p->w[i].out_fd);
            close_fd(&p->w[i].err_fd);
        }
        child(arg, out_fd);
        _exit(0);
    }
    if (pid < 0) {
        int e = errno;
        close_pipes(fds);
        return fail(p, ETWHF_EIO, "cannot start a worker", e);
    }
    setpgid(pid, pid); /* also here: the group exists before either side goes on */
    occupy(w, pid, fds[0][1], fds[1][0], fds[2][0]);
    fds[0][1] = fds[1][0] = fds[2][0] = -1;
    close_pipes(fds);
    return ETWHF_OK;
}

/* ---- input ------------------------------------------------------------------ */

int etwhf__check_pool_send(struct check_pool *p, struct check_worker *w, const void *buf, size_t n)
{
    if (w->in_fd < 0)
        return ETWHF_OK;        /* it closed its input: its exit or the timeout judges */
    if (w->in_off == w->in_len) /* all written */
        w->in_off = w->in_len = 0;
    else if (w->in_off && w->in_len + n > w->in_cap) { /* what is written makes room */
        memmove(w->in, w->in + w->in_off, w->in_len - w->in_off);
        w->in_len -= w->in_off;
        w->in_off = 0;
    }
    if (w->in_len + n > w->in_cap) {
        size_t cap = w->in_cap ? w->in_cap : 4096;
        while (cap < w->in_len + n)
            cap *= 2;
        if (cap > w->in_cap) {
            char *q = realloc(w->in, cap);
            if (!q) {
                snprintf(p->s->err, p->s->errlen, "out of memory");
                return ETWHF_ENOMEM;
            }
            w->in = q;
            w->in_cap = cap;
        }
    }
    memcpy(w->in + w->in_len, buf, n);
    w->in_len += n;
    return ETWHF_OK;
}

static void close_input(struct check_worker *w)
{
    close_fd(&w->in_fd);
    w->in_len = w->in_off = 0;
}

void etwhf__check_pool_close(struct check_worker *w)
{
    close_input(w);
    close_fd(&w->out_fd);
    close_fd(&w->err_fd);
}

/* Writes what the pipe takes now. */
static void write_input(struct check_worker *w)
{
    while (w->in_fd >= 0 && w->in_off < w->in_len) {
        ssize_t n = write(w->in_fd, w->in + w->in_off, w->in_len - w->in_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) { /* it closed its input: its exit, or the timeout, judges */
            close_input(w);
            return;
        }
        w->in_off += (size_t)n;
    }
}

/* ---- output and standard error ---------------------------------------------- */

void etwhf__check_pool_take(struct check_worker *w, size_t n)
{
    if (n >= w->out_len) {
        w->out_len = 0;
        return;
    }
    memmove(w->out, w->out + n, w->out_len - n);
    w->out_len -= n;
}

/* One non-blocking read, as read(2) counts: the bytes read, 0 when nothing
 * is there now (or the read failed: poll tells again), -1 at end of file
 * (then *fd is closed). */
static long read_some(int *fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(*fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0; /* EAGAIN: nothing now */
        if (n == 0) {
            close_fd(fd);
            return -1;
        }
        return (long)n;
    }
}

/* Reads standard output as far as it goes now (at most `budget` bytes),
 * handing it to the kind. */
static void read_out(struct check_pool *p, struct check_worker *w, size_t budget)
{
    const struct check_pool_kind *k = p->s->kind;
    pid_t pid = w->pid;
    while (w->out_fd >= 0 && w->pid == pid && budget) {
        if (w->overflow) { /* past the limit: read to keep the pipe moving, drop */
            char sink[4096];
            long n = read_some(&w->out_fd, sink, sizeof sink);
            if (n <= 0)
                return;
            budget -= (size_t)n < budget ? (size_t)n : budget;
            continue;
        }
        if (w->out_cap - w->out_len < 4096) {
            size_t cap = w->out_cap ? w->out_cap * 2 : READ_CHUNK;
            char *q = realloc(w->out, cap);
            if (!q) {
                w->overflow = 1; /* no room to hold it: as past the limit */
                etwhf__check_pool_kill(p, w);
                continue;
            }
            w->out = q;
            w->out_cap = cap;
        }
        size_t room = w->out_cap - w->out_len;
        long n = read_some(&w->out_fd, w->out + w->out_len, room < budget ? room : budget);
        if (n <= 0)
            return;
        w->out_len += (size_t)n;
        budget -= (size_t)n;
        if (w->out_limit && w->out_len > w->out_limit) {
            w->overflow = 1;
            etwhf__check_pool_kill(p, w);
        }
        if (k->output)
            k->output(p, w);
        if ((size_t)n < room)
            return; /* the pipe is empty: poll says when there is more */
    }
}

static void read_err(struct check_worker *w, size_t budget)
{
    char buf[4096];
    long n;
    while (w->err_fd >= 0 && budget && (n = read_some(&w->err_fd, buf, sizeof buf)) > 0) {
        w->err_bytes += (uint64_t)n;
        etwhf__check_errscan_feed(&w->err, buf, (size_t)n);
        budget -= (size_t)n < budget ? (size_t)n : budget;
    }
}

void etwhf__check_pool_read_err(struct check_pool *p, struct check_worker *w)
{
    (void)p;
    read_err(w, SIZE_MAX);
}

void etwhf__check_pool_err_cut(struct check_worker *w)
{
    etwhf__check_errscan_reset(&w->err);
    w->err_bytes = 0;
}

/* ---- ending a worker ---------------------------------------------------------- */

void etwhf__check_pool_kill(struct check_pool *p, struct check_worker *w)
{
    (void)p;
    if (w->pid && !w->killed)
        kill(-w->pid, SIGKILL); /* not reaped yet: the group id is still its */
    w->killed = 1;
}

static void empty_slot(struct check_worker *w)
{
    close_fd(&w->in_fd);
    close_fd(&w->out_fd);
    close_fd(&w->err_fd);
    w->pid = 0;
    w->killed = 0;
    w->deadline = 0;
    w->in_len = w->in_off = 0;
}

void etwhf__check_pool_drop(struct check_pool *p, struct check_worker *w)
{
    (void)p;
    if (!w->pid)
        return;
    kill(-w->pid, SIGKILL);
    while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    empty_slot(w);
    w->out_len = 0;
}

/* What a pipe can hold when its writer is gone: past it, bytes still coming
 * are a stray that left the group, not the worker's. */
static size_t pipe_left(int fd)
{
    int n = fd >= 0 ? fcntl(fd, F_GETPIPE_SZ) : -1;
    return (n > 0 ? (size_t)n : (size_t)1 << 20) + 4096;
}

/* w's process has exited (found, not reaped). */
static int ended(struct check_pool *p, struct check_worker *w)
{
    pid_t pid = w->pid;
    kill(-pid, SIGKILL); /* what it left in its group; the zombie still holds the group id */
    read_out(p, w, pipe_left(w->out_fd));
    if (w->pid != pid)
        return ETWHF_OK; /* the kind dropped it meanwhile */
    read_err(w, pipe_left(w->err_fd));
    etwhf__check_errscan_end(&w->err);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    empty_slot(w);
    return p->s->kind->exited ? p->s->kind->exited(p, w, st) : ETWHF_OK;
}

static int has_exited(pid_t pid)
{
    siginfo_t si;
    si.si_pid = 0;
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* ---- the loop ------------------------------------------------------------------- */

static int tend_all(struct check_pool *p, unsigned *running)
{
    const struct check_pool_setup *s = p->s;
    uint64_t now = etwhf__check_pool_now(p);
    for (unsigned i = 0; i < s->nslots; i++) {
        struct check_worker *w = &p->w[i];
        if (w->pid && !w->killed && w->deadline && now >= w->deadline) {
            w->deadline = 0;
            if (s->kind->timeout)
                s->kind->timeout(p, w);
        }
    }
    *running = 0;
    for (unsigned i = 0; i < s->nslots; i++) {
        struct check_worker *w = &p->w[i];
        if (!w->killed) {
            int rc = s->kind->tend(p, w);
            if (rc != ETWHF_OK)
                return rc;
        }
        write_input(w);
        *running += w->pid != 0;
    }
    return ETWHF_OK;
}

/* How long poll may wait: until the next deadline, at most a round. */
static int wait_ms(struct check_pool *p)
{
    uint64_t now = etwhf__check_pool_now(p), wait = ROUND_MS;
    for (unsigned i = 0; i < p->s->nslots; i++) {
        const struct check_worker *w = &p->w[i];
        if (!w->pid)
            continue;
        if (w->out_fd < 0 && w->err_fd < 0 && wait > CLOSED_MS)
            wait = CLOSED_MS;
        if (w->deadline && !w->killed)
            wait = w->deadline <= now ? 0 : w->deadline - now + 1 < wait ? w->deadline - now + 1 : wait;
    }
    return (int)wait;
}

static int loop(struct check_pool *p)
{
    const struct check_pool_setup *s = p->s;
    struct pollfd fds[3 * CHECK_POOL_MAX + 1];
    unsigned who[3 * CHECK_POOL_MAX + 1];
    for (;;) {
        if (s->should_stop && s->should_stop(s->stop_user))
            return ETWHF_EABORTED;
        unsigned running;
        int rc = tend_all(p, &running);
        if (rc != ETWHF_OK || !running)
            return rc;
        nfds_t n = 0;
        fds[n] = (struct pollfd){.fd = chld_pipe[0], .events = POLLIN}, who[n++] = UINT32_MAX;
        for (unsigned i = 0; i < s->nslots; i++) {
            struct check_worker *w = &p->w[i];
            if (w->out_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->out_fd, .events = POLLIN}, who[n++] = 3 * i;
            if (w->err_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->err_fd, .events = POLLIN}, who[n++] = 3 * i + 1;
            if (w->in_fd >= 0 && w->in_off < w->in_len)
                fds[n] = (struct pollfd){.fd = w->in_fd, .events = POLLOUT}, who[n++] = 3 * i + 2;
        }
        int ready = poll(fds, n, wait_ms(p));
        if (ready < 0 && errno != EINTR)
            return fail(p, ETWHF_EIO, "poll", errno);
        int exits = 0;
        for (nfds_t j = 0; ready > 0 && j < n; j++) {
            if (!fds[j].revents)
                continue;
            if (who[j] == UINT32_MAX) {
                chld_clear();
                exits = 1;
                continue;
            }
            struct check_worker *w = &p->w[who[j] / 3];
            int *fd = who[j] % 3 == 0 ? &w->out_fd : who[j] % 3 == 1 ? &w->err_fd : &w->in_fd;
            if (*fd != fds[j].fd)
                continue; /* closed since the poll (the worker was dropped) */
            if (who[j] % 3 == 0)
                read_out(p, w, SIZE_MAX);
            else if (who[j] % 3 == 1)
                read_err(w, SIZE_MAX);
            else
                write_input(w);
        }
        for (unsigned i = 0; i < s->nslots; i++) {
            struct check_worker *w = &p->w[i];
            /* Without a SIGCHLD, only a worker that closed every pipe is asked. */
            if (w->pid && (exits || (w->out_fd < 0 && w->err_fd < 0)) && has_exited(w->pid)) {
                rc = ended(p, w);
                if (rc != ETWHF_OK)
                    return rc;
            }
        }
    }
}

int etwhf__check_pool_run(const struct check_pool_setup *s)
{
    struct check_pool p = {.s = s};
    if (!s->nslots || s->nslots > CHECK_POOL_MAX || !s->kind || !s->kind->tend) {
        snprintf(s->err, s->errlen, "a pool of %u slots", s->nslots);
        return ETWHF_EINVAL;
    }
    if (!(p.w = calloc(s->nslots, sizeof *p.w))) {
        snprintf(s->err, s->errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    for (unsigned i = 0; i < s->nslots; i++) {
        p.w[i].slot = i;
        p.w[i].in_fd = p.w[i].out_fd = p.w[i].err_fd = -1;
    }
    struct sigaction old_chld, old_pipe, ign;
    int writes = (s->kind->flags & CHECK_POOL_STDIN) != 0;
    if (writes) { /* a worker that died must not take the checker with it */
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old_pipe);
    }
    int rc = chld_install(&old_chld) == ETWHF_OK ? loop(&p) : fail(&p, ETWHF_EIO, "cannot watch for exits", errno);
    for (unsigned i = 0; i < s->nslots; i++) {
        etwhf__check_pool_drop(&p, &p.w[i]);
        free(p.w[i].out);
        free(p.w[i].in);
    }
    chld_remove(&old_chld);
    if (writes)
        sigaction(SIGPIPE, &old_pipe, NULL);
    free(p.w);
    return rc;
}
