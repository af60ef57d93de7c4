/* In-process check in forked workers; see runner_inproc.h. */
#define _GNU_SOURCE
#include "runner_inproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "decode.h"
#include "pool.h"

/* Cases a worker takes at a time: big enough that the shared counter is
 * rarely touched, small enough that workers finish together. */
#define CHUNK 16
#define NONE SIZE_MAX

/* What a worker publishes for the parent; read after the worker died. */
struct slot {
    _Atomic size_t current; /* position in progress, NONE between cases */
    _Atomic size_t resume;  /* first position of its chunk not yet reported */
    _Atomic size_t chunk_end;
    _Atomic int mode; /* mode of the decode in progress */
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

/* The parent's view of a slot's worker. */
struct iworker {
    size_t last_reported; /* the position of its last result, NONE before one */
    int timed_out;        /* it was killed for overrunning its decode */
};

struct inproc {
    struct check_run *r;
    struct shared *sh;
    size_t shared_size;
    struct iworker *w;       /* per slot */
    struct slot *child_slot; /* the slot of the worker being forked */
    unsigned stray_deaths;   /* deaths outside any case: a broken worker, not a case */
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

/* The whole case file into ws->data: ETWHF_OK with *len; ETWHF_EIO or
 * ETWHF_ENOMEM with the errno value in *err. */
static int read_whole(const char *path, struct wstate *ws, size_t *len, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        *err = fd < 0 || !S_ISDIR(st.st_mode) ? errno : EISDIR;
        if (fd >= 0)
            close(fd);
        return ETWHF_EIO;
    }
    *len = 0;
    for (;;) {
        if (*len == ws->cap) {
            size_t cap = ws->cap ? ws->cap * 2 : 1u << 16;
            while (cap < (size_t)st.st_size + 1)
                cap *= 2;
            unsigned char *p = realloc(ws->data, cap);
            if (!p) {
                close(fd);
                *err = ENOMEM;
                return ETWHF_ENOMEM;
            }
            ws->data = p;
            ws->cap = cap;
        }
        ssize_t n = read(fd, ws->data + *len, ws->cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = n < 0 ? errno : 0;
            close(fd);
            return n < 0 ? ETWHF_EIO : ETWHF_OK;
        }
        *len += (size_t)n;
    }
}

static void run_case(struct wstate *ws, size_t pos, struct msg *m)
{
    const struct etwhf_corpus *c = ws->r->corpus;
    const struct check_case *k = &c->cases[ws->r->selected[pos]];
    char path[PATH_MAX], why[200];
    int err = 0;
    size_t len = 0;
    etwhf__check_diff_reset(&m->diff);
    m->outcome = ETWHF_CHECK_AGREE;
    int st = etwhf__corpus_case_path(c, k, path, sizeof path);
    if (st == ETWHF_OK)
        st = read_whole(path, ws, &len, &err);
    if (st != ETWHF_OK) {
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
        if (ws->decode(k, mode, ws->data, len, &ws->obs, why, sizeof why) != ETWHF_OK) {
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

/* ---- parent side: a kind of pool worker (pool.h) ------------------------------ */

static void child(void *arg, int out_fd)
{
    struct inproc *x = arg;
    worker_main(x->r, x->child_slot, &x->sh->next, out_fd);
}

/* An empty slot gets a worker while its chunk or the counter has cases;
 * a running one's deadline is its current decode's. */
static int tend(struct check_pool *p, struct check_worker *w)
{
    struct inproc *x = etwhf__check_pool_user(p);
    struct slot *slot = &x->sh->slots[w->slot];
    struct iworker *iw = &x->w[w->slot];
    if (w->pid) {
        size_t cur = atomic_load(&slot->current);
        w->deadline = cur == NONE ? 0 : atomic_load(&slot->started_ms) + x->r->timeout_ms;
        return ETWHF_OK;
    }
    if (atomic_load(&slot->resume) >= atomic_load(&slot->chunk_end) && atomic_load(&x->sh->next) >= x->r->nselected)
        return ETWHF_OK;
    atomic_store(&slot->current, NONE);
    memset(iw, 0, sizeof *iw);
    iw->last_reported = NONE;
    x->child_slot = slot;
    return etwhf__check_pool_fork(p, w, child, x);
}

static void output(struct check_pool *p, struct check_worker *w)
{
    struct inproc *x = etwhf__check_pool_user(p);
    size_t off = 0;
    while (w->out_len - off >= sizeof(uint32_t)) {
        uint32_t size;
        memcpy(&size, w->out + off, sizeof size);
        if (size < MSG_SIZE(0) || size > sizeof(struct msg)) {
            off = w->out_len; /* cannot happen with our own workers: drop, do not loop */
            break;
        }
        if (w->out_len - off < size)
            break;
        struct msg m;
        memset(&m, 0, sizeof m);
        memcpy(&m, w->out + off, size);
        off += size;
        if (m.pos < x->r->nselected) {
            x->w[w->slot].last_reported = m.pos;
            etwhf__check_tally_add(x->r->tally, x->r->selected[m.pos], m.outcome, &m.diff);
        }
    }
    etwhf__check_pool_take(w, off);
    etwhf__check_progress(x->r, 0);
}

static void timeout(struct check_pool *p, struct check_worker *w)
{
    struct inproc *x = etwhf__check_pool_user(p);
    struct slot *slot = &x->sh->slots[w->slot];
    /* The deadline was read a round ago: the worker may be on another case now. */
    if (atomic_load(&slot->current) == NONE ||
        atomic_load(&slot->started_ms) + x->r->timeout_ms > etwhf__check_pool_now(p))
        return;
    x->w[w->slot].timed_out = 1;
    etwhf__check_pool_kill(p, w);
}

/* A worker that did not exit 0 costs the case it was on; the next one
 * carries on after it (tend starts it). */
static int exited(struct check_pool *p, struct check_worker *w, int st)
{
    struct inproc *x = etwhf__check_pool_user(p);
    struct slot *slot = &x->sh->slots[w->slot];
    struct iworker *iw = &x->w[w->slot];
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return ETWHF_OK;
    size_t cur = atomic_load(&slot->current);
    if (cur != NONE && cur != iw->last_reported && cur < x->r->nselected) {
        struct check_diff d;
        char sig[24], got[200];
        int mode = atomic_load(&slot->mode);
        etwhf__check_diff_reset(&d);
        if (iw->timed_out) {
            snprintf(got, sizeof got, "still running after %llu ms", (unsigned long long)x->r->timeout_ms);
            etwhf__check_diff_add(&d, CHECK_K_TIMEOUT, mode, "timeout", "done", got);
        } else {
            snprintf(got, sizeof got, "%s%s%s",
                     WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "exit",
                     w->err.found ? ": " : "", w->err.found ? w->err.report : "");
            etwhf__check_diff_add(&d, CHECK_K_CRASH, mode, "crash", "no crash", got);
        }
        etwhf__check_tally_add(x->r->tally, x->r->selected[cur],
                               iw->timed_out ? ETWHF_CHECK_TIMEOUT : ETWHF_CHECK_CRASH, &d);
        atomic_store(&slot->resume, cur + 1);
        etwhf__check_progress(x->r, 0);
    } else if (++x->stray_deaths > 3) {
        snprintf(x->r->err, sizeof x->r->err, "workers die outside any case (status 0x%x)", (unsigned)st);
        return ETWHF_EIO;
    }
    return ETWHF_OK;
}

static const struct check_pool_kind inproc_kind = {
    .tend = tend,
    .output = output,
    .timeout = timeout,
    .exited = exited,
};

int etwhf__check_run_inproc(struct check_run *r)
{
    struct inproc x = {.r = r};
    unsigned n = r->jobs ? r->jobs : 1;
    if (n > CHECK_POOL_MAX)
        n = CHECK_POOL_MAX;
    if (n > r->nselected)
        n = r->nselected ? (unsigned)r->nselected : 1;
    x.shared_size = sizeof(struct shared) + n * sizeof(struct slot);
    x.sh = mmap(NULL, x.shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    x.w = calloc(n, sizeof *x.w);
    if (x.sh == MAP_FAILED || !x.w) {
        snprintf(r->err, sizeof r->err, "cannot set up workers: %s", strerror(errno));
        if (x.sh != MAP_FAILED)
            munmap(x.sh, x.shared_size);
        free(x.w);
        return ETWHF_EIO;
    }
    atomic_store(&x.sh->next, 0); /* the slots too are zero, as mmap gives them: no chunk yet */
    int rc = etwhf__check_run_pool(r, &inproc_kind, &x, n);
    munmap(x.sh, x.shared_size);
    free(x.w);
    return rc;
}
