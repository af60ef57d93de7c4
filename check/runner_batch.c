/* The batch protocol's checker side; see runner_batch.h. */
#define _GNU_SOURCE
#include "runner_batch.h"

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

#include "runner_command.h"
#include "json_in.h"
#include "manifest.h"
#include "output.h"
#include "proc.h"

/* A decoder printing more than this for one case is stopped: a runaway. */
#define OUTPUT_LIMIT ((size_t)256 << 20)
#define MAX_WORKERS 256
/* The stderr of a lost case kept as evidence: its last bytes. */
#define TAIL 1024
/* A request: the path JSON-escaped (at most 6 bytes a byte) and the rest. */
#define REQUEST_MAX (6 * PATH_MAX + 512)
/* Requests a worker may hold ahead of its answers: it never waits for the
 * checker between cases, and the checker reads several answers a wake-up.
 * Only while workers keep standard error silent: stderr is another pipe,
 * so bytes there cannot be told apart between queued cases. A worker that
 * writes there with more than one request queued is replaced, its requests
 * go again to a fresh worker, and from then on every worker gets one
 * request at a time (docs/spec/check-protocol.md §6.3). */
#define DEPTH 8

struct flight {
    size_t pos; /* index into r->selected */
    int mode;
};

struct worker {
    pid_t pid;             /* 0: none running */
    int in_fd, out_fd, err_fd;
    struct flight q[DEPTH]; /* requests sent and not answered, oldest (the case in progress) at head */
    unsigned head, nq;
    uint64_t deadline;     /* of the case in progress */
    char *req;             /* requests not written yet: req[req_off, req_len) */
    size_t req_len, req_off;
    char *out;             /* standard output since the last end line */
    size_t len, cap;
    size_t line_start;     /* where the line being read starts */
    struct check_errscan scan; /* standard error since the request */
    char tail[TAIL];
    size_t tail_len;
    uint64_t err_bytes;    /* on standard error since the case started */
};

struct batch {
    struct check_run *r;
    struct worker w[MAX_WORKERS];
    unsigned n;
    struct check_cursor cursor;
    struct flight *retry;  /* requests a replaced worker held behind its lost case */
    size_t nretry;
    int exact;             /* one request at a time: some worker writes on stderr */
    char **env;
    size_t nenv;
    struct check_observed obs;
};

/* ---- the workers' processes ------------------------------------------------ */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int spawn(struct batch *b, struct worker *w)
{
    struct check_run *r = b->r;
    /* The words as split: the batch protocol expands no placeholder. */
    char **argv = calloc(r->cmd->nwords + 1, sizeof *argv);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, rc = -1;
    if (!argv) {
        snprintf(r->err, sizeof r->err, "out of memory");
    } else if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        snprintf(r->err, sizeof r->err, "cannot start the decoder: %s", strerror(errno));
    } else {
        pid_t pid;
        memcpy(argv, r->cmd->words, r->cmd->nwords * sizeof *argv);
        int e = etwhf__check_spawn(argv, b->env, in[0], out[1], err[1], &pid);
        if (e != 0) {
            snprintf(r->err, sizeof r->err, "cannot run '%s': %s", argv[0], strerror(e));
        } else {
            w->pid = pid;
            w->in_fd = in[1];
            w->out_fd = out[0];
            w->err_fd = err[0];
            in[1] = out[0] = err[0] = -1;
            /* Our ends only: the worker's stay blocking, as a program expects. */
            fcntl(w->in_fd, F_SETFL, O_NONBLOCK);
            fcntl(w->out_fd, F_SETFL, O_NONBLOCK);
            fcntl(w->err_fd, F_SETFL, O_NONBLOCK);
            w->len = w->line_start = 0;
            rc = 0;
        }
    }
    for (int i = 0; i < 2; i++) {
        close_fd(&in[i]);
        close_fd(&out[i]);
        close_fd(&err[i]);
    }
    free(argv);
    return rc;
}

/* Kills the worker with its group and reaps it (unless it was reaped
 * already); the requests it held go to a fresh worker. */
static void retire(struct batch *b, struct worker *w, int reaped)
{
    kill(-w->pid, SIGKILL); /* what it left behind in its group, too */
    if (!reaped)
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    close_fd(&w->in_fd);
    close_fd(&w->out_fd);
    close_fd(&w->err_fd);
    for (unsigned k = w->nq; k--;) /* newest first: next_run takes from the end */
        b->retry[b->nretry++] = w->q[(w->head + k) % DEPTH];
    w->nq = 0;
    w->pid = 0;
    w->len = w->line_start = 0;
    w->req_len = w->req_off = 0;
}

/* ---- standard error: the scanner and the tail kept as evidence ------------- */

static void take_err(struct worker *w, const char *buf, size_t n)
{
    w->err_bytes += n;
    etwhf__check_errscan_feed(&w->scan, buf, n);
    if (n >= TAIL) {
        memcpy(w->tail, buf + n - TAIL, TAIL);
        w->tail_len = TAIL;
        return;
    }
    if (w->tail_len + n > TAIL) {
        size_t drop = w->tail_len + n - TAIL;
        memmove(w->tail, w->tail + drop, w->tail_len - drop);
        w->tail_len -= drop;
    }
    memcpy(w->tail + w->tail_len, buf, n);
    w->tail_len += n;
}

static void drain_err(struct worker *w)
{
    char tmp[4096];
    long n;
    while (w->err_fd >= 0 && (n = etwhf__check_pipe_read(&w->err_fd, tmp, sizeof tmp)) > 0)
        take_err(w, tmp, (size_t)n);
}

/* The end of the tail as one line of text: newlines as " | ", other
 * controls and bytes that are not UTF-8 as '?' (the report is JSON). */
static void tail_text(const struct worker *w, char *buf, size_t cap)
{
    const unsigned char *t = (const unsigned char *)w->tail;
    size_t n = w->tail_len, o = 0;
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
        n--;
    size_t i = n > cap / 2 ? n - cap / 2 : 0; /* a " | " is 3 bytes for 1 */
    while (i < n && (t[i] & 0xC0) == 0x80)
        i++; /* not in the middle of a character */
    while (i < n && o + 4 < cap) {
        unsigned c = t[i], len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        /* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
        int ok = len && i + len <= n && (len == 1 || c >= 0xC2) && c <= 0xF4 &&
                 (c != 0xE0 || t[i + 1] >= 0xA0) && (c != 0xED || t[i + 1] < 0xA0) &&
                 (c != 0xF0 || t[i + 1] >= 0x90) && (c != 0xF4 || t[i + 1] < 0x90);
        for (unsigned k = 1; ok && k < len; k++)
            ok = (t[i + k] & 0xC0) == 0x80;
        if (ok && len > 1 && o + len < cap) {
            memcpy(buf + o, t + i, len);
            o += len;
            i += len;
            continue;
        }
        if (c == '\n' && o + 3 < cap)
            memcpy(buf + o, " | ", 3), o += 3;
        else
            buf[o++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
        i++;
    }
    buf[o] = '\0';
}

/* ---- judging a case -------------------------------------------------------- */

/* The case in progress. */
#define CUR(w) ((w)->q[(w)->head])

/* The case in progress ended with outcome; what the worker printed for it
 * (out, len: its answer, the end line left out) and `status`, a wait status,
 * are kept as evidence when the case is shown, as per process; the next
 * case starts. */
static void report(struct batch *b, struct worker *w, int outcome, struct check_diff *d, const char *out, size_t len,
                   int status)
{
    struct check_run *r = b->r;
    size_t idx = r->selected[CUR(w).pos];
    etwhf__check_tally_add(r->tally, idx, outcome, d);
    etwhf__check_tally_evidence(r->tally, idx, CUR(w).mode, status, out, len, w->scan.tail, w->scan.tail_cut);
    w->head = (w->head + 1) % DEPTH;
    w->nq--;
    w->deadline = etwhf__check_now_ms() + r->timeout_ms;
    etwhf__check_errscan_reset(&w->scan);
    w->tail_len = 0;
    w->err_bytes = 0;
    etwhf__check_progress(r, 0);
}

/* A case the worker did not answer (or answered in a way that costs the
 * worker): the outcome, the first item, and the tail of stderr. */
static void lose(struct batch *b, struct worker *w, int outcome, int kind, const char *field, const char *expected,
                 const char *got, size_t out_len, int status)
{
    struct check_diff d;
    char tail[sizeof d.items[0].got];
    etwhf__check_diff_reset(&d);
    etwhf__check_diff_add(&d, kind, CUR(w).mode, field, expected, got);
    tail_text(w, tail, sizeof tail);
    if (tail[0])
        etwhf__check_diff_add(&d, kind, CUR(w).mode, "stderr", "(its tail, as evidence)", tail);
    report(b, w, outcome, &d, w->out, out_len, status);
}

/* The worker is gone (st: its wait status) with the case in progress
 * unanswered. */
static void lose_to_death(struct batch *b, struct worker *w, int st)
{
    char got[160], sig[24];
    if (WIFSIGNALED(st) || w->scan.found) {
        snprintf(got, sizeof got, "%s%s%s",
                 WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "sanitizer report",
                 w->scan.found ? ": " : "", w->scan.found ? w->scan.report : "");
        lose(b, w, ETWHF_CHECK_CRASH, CHECK_K_CRASH, "crash", "no crash", got, w->len, st);
        return;
    }
    snprintf(got, sizeof got, "exit status %d before it", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    lose(b, w, ETWHF_CHECK_FAILED, CHECK_K_EXIT, "end line", "{\"type\":\"end\",...}", got, w->len, st);
}

/* An end line as read. */
struct end {
    uint64_t id;
    int has_id;            /* id is an integer */
    cJSON *line;           /* the parsed line, owned */
    const cJSON *status;   /* NULL when absent */
};

/* Reads line [p, p+n) as an end line: 1 if it is one (then *e holds it), 0 if not. */
static int end_line(const char *p, size_t n, struct end *e)
{
    if (!memmem(p, n, "\"end\"", 5))
        return 0; /* the other lines are read once, by output.c */
    cJSON *o = etwhf__json_in_parse(p, n, NULL);
    const char *type = etwhf__json_in_string(etwhf__json_in_get(o, "type"));
    if (!type || strcmp(type, "end") != 0) {
        cJSON_Delete(o);
        return 0;
    }
    e->has_id = etwhf__json_in_uint(etwhf__json_in_get(o, "id"), &e->id) == 0;
    e->status = etwhf__json_in_get(o, "status");
    e->line = o;
    return 1;
}

/* The end line e, [ls, ls+n), of the case in progress arrived; its answer
 * is out[0, ls). Returns 1 when the worker must be replaced. */
static int answered(struct batch *b, struct worker *w, size_t ls, size_t n, const struct end *e)
{
    struct check_run *r = b->r;
    const struct check_case *k = &r->corpus->cases[r->selected[CUR(w).pos]];
    const cJSON *status = e->status;
    uint64_t code;
    char got[160];
    /* What it wrote on stderr before the end line is in the pipe by now. */
    drain_err(w);
    if (w->err_bytes && w->nq > 1) {
        /* This case's, or one queued behind it? Ask again, one at a time. */
        b->exact = 1;
        return 1;
    }
    etwhf__check_errscan_end(&w->scan);
    int replace = 1, has_code = status && etwhf__json_in_uint(status, &code) == 0;
    /* The status as a wait status, for the evidence: what the per-process decoder would have exited with. */
    int st = has_code && code <= 255 ? (int)code << 8 : !status ? 0 : 255 << 8;
    if (!e->has_id || e->id != k->info.id) {
        char want[48];
        snprintf(want, sizeof want, "{\"type\":\"end\",\"id\":%llu}", (unsigned long long)k->info.id);
        snprintf(got, sizeof got, "%.*s", (int)(n > 120 ? 120 : n), w->out + ls);
        lose(b, w, ETWHF_CHECK_FAILED, CHECK_K_OUTPUT, "end line", want, got, ls, st);
    } else if (w->scan.found) {
        snprintf(got, sizeof got, "sanitizer report: %.140s", w->scan.report);
        lose(b, w, ETWHF_CHECK_CRASH, CHECK_K_CRASH, "crash", "no crash", got, ls, st);
    } else {
        /* A status it chose: it is still serving. */
        struct check_diff d;
        int outcome = ETWHF_CHECK_FAILED;
        etwhf__check_diff_reset(&d);
        if (status && !(has_code && code <= 1)) {
            char *text = etwhf__json_in_text(status);
            snprintf(got, sizeof got, "%.20s%s%.130s", text ? text : "?", w->scan.first[0] ? ": " : "", w->scan.first);
            free(text);
            etwhf__check_diff_add(&d, CHECK_K_EXIT, CUR(w).mode, "exit_status", "0 or 1", got);
        } else if (has_code && code == 1 && etwhf__check_output_blank(w->out, ls)) {
            etwhf__check_exit1_blank(&d, CUR(w).mode, &w->scan); /* a decoder that died (§3.5), not a verdict */
        } else {
            etwhf__check_output_parse(w->out, ls, CUR(w).mode, r->strict_codes, r->all_heap_events, &b->obs, &d);
            etwhf__check_compare(k, CUR(w).mode, &b->obs, &d);
            outcome = d.kinds ? ETWHF_CHECK_DISAGREE : ETWHF_CHECK_AGREE;
        }
        report(b, w, outcome, &d, w->out, ls, st);
        replace = 0;
    }
    return replace;
}

/* Looks for the end line in what the worker printed; judges the case when
 * it is there. Returns 1 when the worker must be replaced. */
static int scan_output(struct batch *b, struct worker *w)
{
    while (w->nq) {
        char *nl = memchr(w->out + w->line_start, '\n', w->len - w->line_start);
        if (!nl)
            return 0;
        size_t ls = w->line_start, n = (size_t)(nl - (w->out + ls));
        w->line_start = ls + n + 1;
        struct end e;
        if (!end_line(w->out + ls, n, &e))
            continue;
        int replace = answered(b, w, ls, n, &e);
        cJSON_Delete(e.line);
        /* What follows the end line is the next case's. */
        size_t used = w->line_start;
        memmove(w->out, w->out + used, w->len - used);
        w->len -= used;
        w->line_start = 0;
        if (replace)
            return 1;
    }
    return 0;
}

/* Reads the worker's standard output as far as it goes. -1 at end of file,
 * 1 past the output limit, else 0. */
static int read_out(struct worker *w)
{
    for (;;) {
        if (w->cap - w->len < 4096) {
            size_t cap = w->cap ? w->cap * 2 : 1 << 16;
            char *p = w->len + 4096 > OUTPUT_LIMIT ? NULL : realloc(w->out, cap);
            if (!p)
                return 1;
            w->out = p;
            w->cap = cap;
        }
        size_t room = w->cap - w->len;
        long n = etwhf__check_pipe_read(&w->out_fd, w->out + w->len, room);
        if (n <= 0)
            return (int)(n < 0 ? -1 : 0);
        w->len += (size_t)n;
        if ((size_t)n < room)
            return 0; /* the pipe is empty: poll says when there is more */
    }
}

/* Output arrived (or the worker is gone and this is the rest of it). */
static void take_output(struct batch *b, struct worker *w)
{
    int rc = read_out(w);
    if (rc == 1) {
        if (w->nq)
            lose(b, w, ETWHF_CHECK_FAILED, CHECK_K_OUTPUT, "output", "at most 256 MiB", "more (stopped)", w->len, 0);
        retire(b, w, 0);
        return;
    }
    if (scan_output(b, w))
        retire(b, w, 0);
}

/* The worker exited or was killed (st: its wait status). */
static void died(struct batch *b, struct worker *w, int st)
{
    kill(-w->pid, SIGKILL); /* a child of it may still hold the pipes */
    if (w->out_fd >= 0)
        take_output(b, w); /* an end line written before it went counts */
    if (!w->pid)
        return;
    if (w->nq) {
        drain_err(w);
        etwhf__check_errscan_end(&w->scan);
        lose_to_death(b, w, st);
    }
    retire(b, w, 1);
}

static void reap(struct batch *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        struct worker *w = &b->w[i];
        int st;
        if (w->pid && waitpid(w->pid, &st, WNOHANG) == w->pid)
            died(b, w, st);
    }
}

static void timed_out(struct batch *b, struct worker *w)
{
    char got[64];
    int st;
    kill(-w->pid, SIGKILL);
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        ;
    drain_err(w);
    snprintf(got, sizeof got, "no end line after %llu ms", (unsigned long long)b->r->timeout_ms);
    lose(b, w, ETWHF_CHECK_TIMEOUT, CHECK_K_TIMEOUT, "timeout", "done", got, w->len, st);
    retire(b, w, 1);
}

/* ---- requests ---------------------------------------------------------------- */

/* s as a JSON string, quotes included; bytes from 0x80 up pass as they are. */
static char *put_json_string(char *q, const char *s)
{
    *q++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            *q++ = '\\', *q++ = (char)c;
        else if (c < 0x20)
            q += sprintf(q, "\\u%04x", c);
        else
            *q++ = (char)c;
    }
    *q++ = '"';
    return q;
}

/* Appends the request of case pos in mode (docs/spec/check-protocol.md §6.2)
 * to those not written yet. */
static int build_request(struct batch *b, struct worker *w, size_t pos, int mode)
{
    struct check_run *r = b->r;
    const struct check_case *k = &r->corpus->cases[r->selected[pos]];
    char path[PATH_MAX];
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != 0) {
        snprintf(r->err, sizeof r->err, "path too long: %s", k->info.file);
        return -1;
    }
    if (!w->req && !(w->req = malloc(DEPTH * REQUEST_MAX))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    memmove(w->req, w->req + w->req_off, w->req_len - w->req_off);
    w->req_len -= w->req_off;
    w->req_off = 0;
    char *q = w->req + w->req_len;
    q += sprintf(q, "{\"id\":%llu,\"file\":", (unsigned long long)k->info.id);
    q = put_json_string(q, path);
    q += sprintf(q, ",\"layer\":\"%s\",\"pointer_size\":%s%s%s,\"event\":", etwhf__layer_name(k->info.layer),
                 k->info.pointer_size ? "" : "\"", etwhf__width_name(k->info.pointer_size),
                 k->info.pointer_size ? "" : "\"");
    if (k->info.layer == ETWHF_GEN_PAYLOAD)
        q += sprintf(q, "\"%s\"", etwhf_heap_event_name(k->info.event));
    else
        q += sprintf(q, "null");
    q += sprintf(q, ",\"mode\":\"%s\",\"args\":[", etwhf__check_mode_name(mode));
    size_t nargs = etwhf__check_case_args(k, mode, args);
    for (size_t i = 0; i < nargs; i++)
        q += sprintf(q, "%s\"%s\"", i ? "," : "", args[i]);
    q += sprintf(q, "]}\n");
    w->req_len = (size_t)(q - w->req);
    return 0;
}

/* Writes what the pipe takes of the requests now. */
static void write_request(struct worker *w)
{
    while (w->in_fd >= 0 && w->req_off < w->req_len) {
        ssize_t n = write(w->in_fd, w->req + w->req_off, w->req_len - w->req_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) {
            /* It closed its input: its exit, or the timeout, judges the case. */
            close_fd(&w->in_fd);
            return;
        }
        w->req_off += (size_t)n;
    }
}

static int send_case(struct batch *b, struct worker *w, size_t pos, int mode)
{
    if (!w->nq && w->pid && w->out_fd < 0)
        retire(b, w, 0); /* it closed its output: it cannot answer */
    if (!w->pid && spawn(b, w) != 0)
        return -1;
    if (build_request(b, w, pos, mode) != 0)
        return -1;
    if (!w->nq) { /* the case in progress from now on */
        drain_err(w); /* what came between cases is nobody's */
        w->deadline = etwhf__check_now_ms() + b->r->timeout_ms;
        etwhf__check_errscan_reset(&w->scan);
        w->tail_len = 0;
        w->err_bytes = 0;
    }
    w->q[(w->head + w->nq++) % DEPTH] = (struct flight){.pos = pos, .mode = mode};
    return 0;
}

/* Next (case, mode) to run: a replaced worker's requests first. */
static int next_run(struct batch *b, size_t *pos, int *mode)
{
    if (!b->nretry)
        return etwhf__check_next(b->r, &b->cursor, pos, mode);
    b->nretry--;
    *pos = b->retry[b->nretry].pos;
    *mode = b->retry[b->nretry].mode;
    return 1;
}

/* ---- the loop ------------------------------------------------------------------ */

static int loop(struct batch *b)
{
    struct pollfd fds[3 * MAX_WORKERS + 1];
    unsigned who[3 * MAX_WORKERS + 1];
    for (;;) {
        if (etwhf__check_stopping(b->r))
            return CHECK_RUN_INTERRUPTED;
        uint64_t now = etwhf__check_now_ms();
        int wait = 100, busy = 0;
        for (unsigned i = 0; i < b->n; i++) {
            struct worker *w = &b->w[i];
            size_t pos;
            int mode;
            if (w->nq && now >= w->deadline)
                timed_out(b, w);
            /* Refilled half a queue at a time (one write for several
             * requests); a worker whose output has closed takes nothing
             * more until it is reaped. */
            unsigned depth = b->exact ? 1 : DEPTH;
            if (w->nq <= depth / 2 && (!w->nq || w->out_fd >= 0))
                while (w->nq < depth && next_run(b, &pos, &mode))
                    if (send_case(b, w, pos, mode) != 0)
                        return CHECK_RUN_IO;
            write_request(w);
            if (!w->nq)
                continue;
            busy++;
            if (w->deadline - now < (uint64_t)wait)
                wait = (int)(w->deadline - now) + 1;
        }
        if (!busy)
            return 0;
        nfds_t n = 0;
        fds[n] = (struct pollfd){.fd = etwhf__check_chld_fd(), .events = POLLIN}, who[n++] = UINT_MAX;
        for (unsigned i = 0; i < b->n; i++) {
            struct worker *w = &b->w[i];
            if (!w->pid)
                continue;
            if (w->out_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->out_fd, .events = POLLIN}, who[n++] = 3 * i;
            if (w->err_fd >= 0)
                fds[n] = (struct pollfd){.fd = w->err_fd, .events = POLLIN}, who[n++] = 3 * i + 1;
            if (w->in_fd >= 0 && w->req_off < w->req_len)
                fds[n] = (struct pollfd){.fd = w->in_fd, .events = POLLOUT}, who[n++] = 3 * i + 2;
        }
        int rc = poll(fds, n, wait);
        if (rc < 0 && errno != EINTR) {
            snprintf(b->r->err, sizeof b->r->err, "poll: %s", strerror(errno));
            return CHECK_RUN_IO;
        }
        int exited = 0;
        for (nfds_t i = 0; rc > 0 && i < n; i++) {
            if (!fds[i].revents)
                continue;
            if (who[i] == UINT_MAX) {
                etwhf__check_chld_clear();
                exited = 1;
                continue;
            }
            struct worker *w = &b->w[who[i] / 3];
            int *fd = who[i] % 3 == 0 ? &w->out_fd : who[i] % 3 == 1 ? &w->err_fd : &w->in_fd;
            if (*fd != fds[i].fd)
                continue; /* closed since the poll (the worker was replaced) */
            if (who[i] % 3 == 0)
                take_output(b, w);
            else if (who[i] % 3 == 1)
                drain_err(w);
            else
                write_request(w);
        }
        if (exited)
            reap(b);
    }
}

/* End of input for every worker; a worker that does not exit in a timeout's
 * time is killed (its exit status is not read: docs/spec/check-protocol.md §6.4). */
static void shut_down(struct batch *b)
{
    uint64_t deadline = etwhf__check_now_ms() + b->r->timeout_ms;
    unsigned left = 0;
    for (unsigned i = 0; i < b->n; i++) {
        struct worker *w = &b->w[i];
        if (!w->pid)
            continue;
        close_fd(&w->in_fd);
        close_fd(&w->out_fd); /* what it still prints is nobody's */
        close_fd(&w->err_fd);
        left++;
    }
    while (left && !etwhf__check_stopping(b->r)) {
        uint64_t now = etwhf__check_now_ms();
        if (now >= deadline)
            break;
        for (unsigned i = 0; i < b->n; i++) {
            struct worker *w = &b->w[i];
            int st;
            if (w->pid && waitpid(w->pid, &st, WNOHANG) == w->pid) {
                retire(b, w, 1);
                left--;
            }
        }
        struct pollfd p = {.fd = etwhf__check_chld_fd(), .events = POLLIN};
        if (left && poll(&p, 1, (int)(deadline - now < 100 ? deadline - now : 100)) > 0)
            etwhf__check_chld_clear();
    }
}

static void kill_all(struct batch *b)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->w[i].pid)
            retire(b, &b->w[i], 0);
}

int etwhf__check_run_batch(struct check_run *r)
{
    struct batch *b = calloc(1, sizeof *b);
    if (!b || !(b->env = etwhf__check_base_env(&b->nenv))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        free(b);
        return CHECK_RUN_IO;
    }
    b->r = r;
    b->n = r->jobs ? r->jobs : 1;
    if (b->n > MAX_WORKERS)
        b->n = MAX_WORKERS;
    for (unsigned i = 0; i < b->n; i++)
        b->w[i].in_fd = b->w[i].out_fd = b->w[i].err_fd = -1;
    if (!(b->retry = calloc((size_t)b->n * DEPTH, sizeof *b->retry))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        free(b->env);
        free(b);
        return CHECK_RUN_IO;
    }
    struct sigaction old_chld, old_pipe, ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    int rc = CHECK_RUN_IO;
    if (etwhf__check_chld_install(&old_chld) != 0)
        snprintf(r->err, sizeof r->err, "cannot watch for exits: %s", strerror(errno));
    else
        rc = loop(b);
    if (rc == 0)
        shut_down(b);
    kill_all(b);
    etwhf__check_chld_remove(&old_chld);
    sigaction(SIGPIPE, &old_pipe, NULL);
    etwhf__check_progress(r, 1);
    etwhf__check_observed_free(&b->obs);
    for (unsigned i = 0; i < b->n; i++) {
        free(b->w[i].req);
        free(b->w[i].out);
    }
    free(b->retry);
    free(b->env);
    free(b);
    return rc;
}
