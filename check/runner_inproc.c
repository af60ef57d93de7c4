/* In-process check in forked workers; see runner_inproc.h. */
#define _GNU_SOURCE
#include "runner_inproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "decode.h"
#include "proc.h"

/* Cases a worker takes at a time: big enough that the shared counter is
 * rarely touched, small enough that workers finish together. */
#define CHUNK 16
#define NONE SIZE_MAX

/* What a worker publishes for the parent; read after the worker died. */
struct slot {
    _Atomic size_t current;    /* position in progress, NONE between cases */
    _Atomic size_t resume;     /* first position of its chunk not yet reported */
    _Atomic size_t chunk_end;
    _Atomic int mode;          /* mode of the decode in progress */
    _Atomic uint64_t started_ms;
};

struct shared {
    _Atomic size_t next; /* next position of r->selected to hand out */
    struct slot slots[];
};

/* One result on the wire: written with one write() below PIPE_BUF, so it
 * arrives whole; only diff.n items are sent. */
struct msg {
    uint32_t size;
    uint32_t pos;
    uint8_t outcome;
    struct check_diff diff;
};
#define MSG_SIZE(n) (offsetof(struct msg, diff) + offsetof(struct check_diff, items) + (n) * sizeof(struct check_item))
_Static_assert(MSG_SIZE(CHECK_DIFF_ITEMS) <= PIPE_BUF, "a result must fit one atomic pipe write");

struct worker {
    pid_t pid;
    int res_fd, err_fd;
    unsigned char buf[2 * PIPE_BUF];
    size_t len;
    size_t last_reported;
    int timed_out;
    struct check_errscan scan;
};

struct pool {
    struct check_run *r;
    struct shared *sh;
    size_t shared_size;
    struct worker *w;
    unsigned nw;
    unsigned stray_deaths; /* deaths outside any case: a broken worker, not a case */
};

/* ---- worker side ---------------------------------------------------------- */

struct wstate {
    struct check_run *r;
    struct slot *slot;
    int fd;
    unsigned char *data;
    size_t cap;
    struct check_observed obs;
    check_decode_fn decode;
};

static ssize_t read_whole(const char *path, struct wstate *ws, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        *err = fd < 0 || !S_ISDIR(st.st_mode) ? errno : EISDIR;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t len = 0;
    for (;;) {
        if (len == ws->cap) {
            size_t cap = ws->cap ? ws->cap * 2 : 1u << 16;
            while (cap < (size_t)st.st_size + 1)
                cap *= 2;
            unsigned char *p = realloc(ws->data, cap);
            if (!p) {
                close(fd);
                *err = ENOMEM;
                return -1;
            }
            ws->data = p;
            ws->cap = cap;
        }
        ssize_t n = read(fd, ws->data + len, ws->cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = n < 0 ? errno : 0;
            close(fd);
            return n < 0 ? -1 : (ssize_t)len;
        }
        len += (size_t)n;
    }
}

static void run_case(struct wstate *ws, size_t pos, struct msg *m)
{
    const struct etwhf_corpus *c = ws->r->corpus;
    const struct check_case *k = &c->cases[ws->r->selected[pos]];
    char path[PATH_MAX], why[200];
    int err = 0;
    etwhf__check_diff_reset(&m->diff);
    m->outcome = ETWHF_CHECK_AGREE;
    ssize_t len = etwhf__corpus_case_path(c, k, path, sizeof path) == 0 ? read_whole(path, ws, &err) : -1;
    if (len < 0) {
        m->outcome = ETWHF_CHECK_IO;
        etwhf__check_diff_add(&m->diff, CHECK_K_IO, ETWHF_MODE_RECOVER, "file", "readable",
                              err ? strerror(err) : "path too long");
        return;
    }
    for (int mode = ETWHF_MODE_RECOVER; mode <= ETWHF_MODE_STRICT; mode++) {
        if (!(ws->r->modes & CHECK_MODE_BIT(mode)))
            continue;
        atomic_store(&ws->slot->mode, mode);
        atomic_store(&ws->slot->started_ms, etwhf__check_now_ms());
        if (ws->decode(k, mode, ws->data, (size_t)len, &ws->obs, why, sizeof why) != 0) {
            etwhf__check_diff_add(&m->diff, CHECK_K_OUTPUT, mode, "status", "ETWHF_OK", why);
            if (mode == ETWHF_MODE_RECOVER) /* no answer to judge: no level passes */
                m->diff.level_fail |= CHECK_LEVELS_RECOVER;
        } else
            etwhf__check_compare(k, mode, &ws->obs, &m->diff);
    }
    if (m->diff.kinds)
        m->outcome = ETWHF_CHECK_DISAGREE;
}

static void send_msg(int fd, struct msg *m, size_t pos)
{
    m->pos = (uint32_t)pos;
    m->size = (uint32_t)MSG_SIZE(m->diff.n);
    const char *p = (const char *)m;
    size_t left = m->size;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3); /* the parent is gone */
        p += n;
        left -= (size_t)n;
    }
}

static _Noreturn void worker_main(struct check_run *r, struct slot *slot, _Atomic size_t *next, int fd)
{
    signal(SIGINT, SIG_IGN); /* the parent decides and kills */
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    struct wstate ws = {.r = r, .slot = slot, .fd = fd, .decode = r->decode ? r->decode : etwhf__check_decode_case};
    struct msg m;
    memset(&m, 0, sizeof m);
    size_t pos = atomic_load(&slot->resume), end = atomic_load(&slot->chunk_end);
    for (;;) {
        if (pos >= end) {
            pos = atomic_fetch_add(next, CHUNK);
            if (pos >= r->nselected)
                break;
            end = pos + CHUNK < r->nselected ? pos + CHUNK : r->nselected;
            atomic_store(&slot->chunk_end, end);
            atomic_store(&slot->resume, pos);
        }
        atomic_store(&slot->started_ms, etwhf__check_now_ms()); /* before current: no stale start */
        atomic_store(&slot->current, pos);
        run_case(&ws, pos, &m);
        send_msg(fd, &m, pos);
        atomic_store(&slot->resume, pos + 1);
        atomic_store(&slot->current, NONE);
        pos++;
    }
    _exit(0);
}

/* ---- parent side ---------------------------------------------------------- */

static int spawn(struct pool *p, unsigned i, size_t resume, size_t chunk_end)
{
    struct worker *w = &p->w[i];
    struct slot *slot = &p->sh->slots[i];
    int res[2], err[2];
    if (pipe2(res, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(res[0]);
        close(res[1]);
        return -1;
    }
    atomic_store(&slot->current, NONE);
    atomic_store(&slot->resume, resume);
    atomic_store(&slot->chunk_end, chunk_end);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(res[0]);
        close(err[0]);
        dup2(err[1], STDERR_FILENO);
        worker_main(p->r, slot, &p->sh->next, res[1]);
    }
    close(res[1]);
    close(err[1]);
    if (pid < 0) {
        close(res[0]);
        close(err[0]);
        return -1;
    }
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->res_fd = res[0];
    w->err_fd = err[0];
    w->last_reported = NONE;
    fcntl(w->res_fd, F_SETFL, O_NONBLOCK);
    fcntl(w->err_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

static void take_messages(struct pool *p, struct worker *w)
{
    size_t off = 0;
    while (w->len - off >= sizeof(uint32_t)) {
        uint32_t size;
        memcpy(&size, w->buf + off, sizeof size);
        if (size < MSG_SIZE(0) || size > sizeof(struct msg)) {
            off = w->len; /* cannot happen with our own workers: drop, do not loop */
            break;
        }
        if (w->len - off < size)
            break;
        struct msg m;
        memset(&m, 0, sizeof m);
        memcpy(&m, w->buf + off, size <= sizeof m ? size : sizeof m);
        off += size;
        if (m.pos < p->r->nselected) {
            w->last_reported = m.pos;
            etwhf__check_tally_add(p->r->tally, p->r->selected[m.pos], m.outcome, &m.diff);
        }
    }
    memmove(w->buf, w->buf + off, w->len - off);
    w->len -= off;
}

/* Reads what is there; closes the fd at end of file. */
static void drain(struct pool *p, struct worker *w, int is_err)
{
    if (is_err) {
        etwhf__check_errscan_drain(&w->err_fd, &w->scan);
        return;
    }
    long n;
    while ((n = etwhf__check_pipe_read(&w->res_fd, w->buf + w->len, sizeof w->buf - w->len)) > 0) {
        w->len += (size_t)n;
        take_messages(p, w);
    }
}

/* The worker's pipes are closed: reap it; a death costs the case it was on. */
static int reap(struct pool *p, unsigned i)
{
    struct worker *w = &p->w[i];
    struct slot *slot = &p->sh->slots[i];
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        ;
    w->pid = 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    size_t cur = atomic_load(&slot->current), resume = atomic_load(&slot->resume);
    size_t end = atomic_load(&slot->chunk_end);
    if (cur != NONE && cur != w->last_reported && cur < p->r->nselected) {
        struct check_diff d;
        char sig[24], got[200];
        int mode = atomic_load(&slot->mode);
        etwhf__check_diff_reset(&d);
        if (w->timed_out) {
            snprintf(got, sizeof got, "still running after %llu ms", (unsigned long long)p->r->timeout_ms);
            etwhf__check_diff_add(&d, CHECK_K_TIMEOUT, mode, "timeout", "done", got);
        } else {
            snprintf(got, sizeof got, "%s%s%s",
                     WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "exit",
                     w->scan.found ? ": " : "", w->scan.found ? w->scan.report : "");
            etwhf__check_diff_add(&d, CHECK_K_CRASH, mode, "crash", "no crash", got);
        }
        etwhf__check_tally_add(p->r->tally, p->r->selected[cur],
                               w->timed_out ? ETWHF_CHECK_TIMEOUT : ETWHF_CHECK_CRASH, &d);
        resume = cur + 1;
    } else if (++p->stray_deaths > 3) {
        snprintf(p->r->err, sizeof p->r->err, "workers die outside any case (status 0x%x)", (unsigned)st);
        return -1;
    }
    if (resume < end || atomic_load(&p->sh->next) < p->r->nselected) {
        if (spawn(p, i, resume, resume < end ? end : resume) != 0) {
            snprintf(p->r->err, sizeof p->r->err, "cannot start a worker: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void kill_all(struct pool *p)
{
    for (unsigned i = 0; i < p->nw; i++) {
        struct worker *w = &p->w[i];
        if (!w->pid)
            continue;
        kill(w->pid, SIGKILL);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        w->pid = 0;
        if (w->res_fd >= 0)
            close(w->res_fd);
        if (w->err_fd >= 0)
            close(w->err_fd);
    }
}

/* Kills workers whose current decode overran the timeout; returns the poll
 * timeout until the next deadline. */
static int watch_timeouts(struct pool *p)
{
    uint64_t now = etwhf__check_now_ms();
    int wait = 100;
    for (unsigned i = 0; i < p->nw; i++) {
        struct worker *w = &p->w[i];
        struct slot *slot = &p->sh->slots[i];
        if (!w->pid || w->timed_out || atomic_load(&slot->current) == NONE)
            continue;
        uint64_t started = atomic_load(&slot->started_ms);
        uint64_t deadline = started + p->r->timeout_ms;
        if (now >= deadline) {
            w->timed_out = 1;
            kill(w->pid, SIGKILL);
        } else if (deadline - now < (uint64_t)wait) {
            wait = (int)(deadline - now) + 1;
        }
    }
    return wait;
}

static int loop(struct pool *p)
{
    struct pollfd fds[2 * 256];
    unsigned who[2 * 256];
    for (;;) {
        if (etwhf__check_stopping(p->r))
            return CHECK_RUN_INTERRUPTED;
        int wait = watch_timeouts(p);
        nfds_t n = 0;
        for (unsigned i = 0; i < p->nw; i++) {
            struct worker *w = &p->w[i];
            if (!w->pid)
                continue;
            if (w->res_fd < 0 && w->err_fd < 0) {
                if (reap(p, i) != 0)
                    return CHECK_RUN_IO;
                i--; /* a respawned worker is polled in this round */
                continue;
            }
            if (w->res_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->res_fd, .events = POLLIN}, who[n++] = 2 * i;
            if (w->err_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->err_fd, .events = POLLIN}, who[n++] = 2 * i + 1;
        }
        if (n == 0)
            return 0;
        int rc = poll(fds, n, wait);
        if (rc < 0 && errno != EINTR) {
            snprintf(p->r->err, sizeof p->r->err, "poll: %s", strerror(errno));
            return CHECK_RUN_IO;
        }
        for (nfds_t j = 0; rc > 0 && j < n; j++)
            if (fds[j].revents)
                drain(p, &p->w[who[j] / 2], who[j] & 1);
        etwhf__check_progress(p->r, 0);
    }
}

int etwhf__check_run_inproc(struct check_run *r)
{
    struct pool p = {.r = r};
    p.nw = r->jobs ? r->jobs : 1;
    if (p.nw > 256)
        p.nw = 256;
    if (p.nw > r->nselected)
        p.nw = r->nselected ? (unsigned)r->nselected : 1;
    p.shared_size = sizeof(struct shared) + p.nw * sizeof(struct slot);
    p.sh = mmap(NULL, p.shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    p.w = calloc(p.nw, sizeof *p.w);
    if (p.sh == MAP_FAILED || !p.w) {
        snprintf(r->err, sizeof r->err, "cannot set up workers: %s", strerror(errno));
        if (p.sh != MAP_FAILED)
            munmap(p.sh, p.shared_size);
        free(p.w);
        return CHECK_RUN_IO;
    }
    atomic_store(&p.sh->next, 0);
    int rc = 0;
    for (unsigned i = 0; i < p.nw && rc == 0; i++)
        if (spawn(&p, i, 0, 0) != 0) {
            snprintf(r->err, sizeof r->err, "cannot start a worker: %s", strerror(errno));
            rc = CHECK_RUN_IO;
        }
    if (rc == 0)
        rc = loop(&p);
    kill_all(&p);
    etwhf__check_progress(r, 1);
    munmap(p.sh, p.shared_size);
    free(p.w);
    return rc;
}
