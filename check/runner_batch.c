/* The batch protocol's checker side; see runner_batch.h. */
#define _GNU_SOURCE
#include "runner_batch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "json_in.h"
#include "manifest.h"
#include "output.h"
#include "pool.h"
#include "runner_command.h"

/* A decoder printing more than this for one case is stopped: a runaway. */
#define OUTPUT_LIMIT ((size_t)256 << 20)
/* A request: the path JSON-escaped (at most 6 bytes a byte) and the rest. */
#define REQUEST_MAX (6 * PATH_MAX + 512)
/* Requests a worker may hold ahead of its answers: it never waits for the
 * checker between cases, and the checker reads several answers a wake-up.
 * Only while workers keep standard error silent: stderr is another pipe,
 * so bytes there cannot be told apart between queued cases. A worker that
 * writes there with more than one request queued is replaced, its requests
 * go again to a fresh worker, and from then on every worker gets one
 * request at a time (docs/spec/check-protocol.md §6.3). Near the end of a
 * run a worker holds fewer: the requests left are shared out over the
 * workers, so a short run uses every job. */
#define DEPTH 8

struct flight {
    size_t pos; /* index into r->selected */
    int mode;
};

/* A slot's worker as the protocol sees it. */
struct bworker {
    struct flight q[DEPTH]; /* requests sent and not answered, oldest (the case in progress) at head */
    unsigned head, nq;
    size_t line_start; /* where the output line being read starts */
    int timed_out;     /* killed: the case in progress ran past the timeout */
    int closing;       /* every case is judged: its input is closed, its exit ignored */
};

struct batch {
    struct check_run *r;
    struct bworker *w; /* per slot */
    unsigned nslots;
    struct check_cursor cursor;
    uint64_t left;        /* runs the cursor has not handed out */
    struct flight *retry; /* requests a replaced worker held behind its lost case */
    size_t nretry;
    size_t held; /* requests the workers hold */
    int exact;   /* one request at a time: some worker writes on stderr */
    char **env;
    size_t nenv;
    char **argv; /* the words as split: the batch protocol expands no placeholder */
    char req[REQUEST_MAX];
    struct check_observed obs;
};

/* The case in progress. */
#define CUR(bw) ((bw)->q[(bw)->head])

/* The worker is gone or going: the requests it held go to a fresh worker. */
static void requeue(struct batch *b, struct bworker *bw)
{
    for (unsigned k = bw->nq; k--;) /* newest first: next_run takes from the end */
        b->retry[b->nretry++] = bw->q[(bw->head + k) % DEPTH];
    b->held -= bw->nq;
    bw->nq = bw->head = 0;
}

/* Kills the worker with its group at once; its requests go to a fresh worker. */
static void retire(struct check_pool *p, struct batch *b, struct check_worker *w)
{
    requeue(b, &b->w[w->slot]);
    etwhf__check_pool_drop(p, w);
}

static void tail_text(const struct check_errscan *s, char *buf, size_t cap)
{
    const unsigned char *t = (const unsigned char *)s->tail;
    size_t n = s->tail_len, o = 0;
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
        n--;
    size_t i = n > cap / 2 ? n - cap / 2 : 0; /* a " | " is 3 bytes for 1 */
    while (i < n && (t[i] & 0xC0) == 0x80)
        i++; /* not in the middle of a character */
    while (i < n && o + 4 < cap) {
        unsigned c = t[i], len = c < 0x80             ? 1
                                 : (c & 0xE0) == 0xC0 ? 2
                                 : (c & 0xF0) == 0xE0 ? 3
                                 : (c & 0xF8) == 0xF0 ? 4
                                                      : 0;
        /* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
        int ok = len && i + len <= n && (len == 1 || c >= 0xC2) && c <= 0xF4 && (c != 0xE0 || t[i + 1] >= 0xA0) &&
                 (c != 0xED || t[i + 1] < 0xA0) && (c != 0xF0 || t[i + 1] >= 0x90) && (c != 0xF4 || t[i + 1] < 0x90);
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

/* The case in progress ended with outcome; what the worker printed for it
 * (out, len: its answer, the end line left out) and `status`, a wait status,
 * are kept as evidence when the case is shown, as per process; the next
 * case starts. */
static void report(struct check_pool *p, struct batch *b, struct check_worker *w, int outcome, struct check_diff *d,
                   const char *out, size_t len, int status)
{
    struct check_run *r = b->r;
    struct bworker *bw = &b->w[w->slot];
    size_t idx = r->selected[CUR(bw).pos];
    etwhf__check_tally_add(r->tally, idx, outcome, d);
    etwhf__check_tally_evidence(r->tally, idx, CUR(bw).mode, status, out, len, w->err.tail, w->err.tail_cut);
    bw->head = (bw->head + 1) % DEPTH;
    bw->nq--;
    b->held--;
    w->deadline = bw->nq ? etwhf__check_pool_now(p) + r->timeout_ms : 0;
    etwhf__check_pool_err_cut(w);
    etwhf__check_progress(r, 0);
}

/* A case the worker did not answer (or answered in a way that costs the
 * worker): the outcome, the first item, and the tail of stderr. */
static void lose(struct check_pool *p, struct batch *b, struct check_worker *w, int outcome, int kind,
                 const char *field, const char *expected, const char *got, size_t out_len, int status)
{
    struct bworker *bw = &b->w[w->slot];
    struct check_diff d;
    char tail[sizeof d.items[0].got];
    etwhf__check_diff_reset(&d);
    etwhf__check_diff_add(&d, kind, CUR(bw).mode, field, expected, got);
    tail_text(&w->err, tail, sizeof tail);
    if (tail[0])
        etwhf__check_diff_add(&d, kind, CUR(bw).mode, "stderr", "(its tail, as evidence)", tail);
    report(p, b, w, outcome, &d, w->out, out_len, status);
}

/* The worker is gone (st: its wait status) with the case in progress
 * unanswered. */
static void lose_to_death(struct check_pool *p, struct batch *b, struct check_worker *w, int st)
{
    char got[200], sig[24]; /* diff items keep what fits */
    if (WIFSIGNALED(st) || w->err.found) {
        snprintf(got, sizeof got, "%s%s%s",
                 WIFSIGNALED(st) ? etwhf__check_signal_name(WTERMSIG(st), sig, sizeof sig) : "sanitizer report",
                 w->err.found ? ": " : "", w->err.found ? w->err.report : "");
        lose(p, b, w, ETWHF_CHECK_CRASH, CHECK_K_CRASH, "crash", "no crash", got, w->out_len, st);
        return;
    }
    snprintf(got, sizeof got, "exit status %d before it", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    lose(p, b, w, ETWHF_CHECK_FAILED, CHECK_K_EXIT, "end line", "{\"type\":\"end\",...}", got, w->out_len, st);
}

/* An end line as read. */
struct end {
    uint64_t id;
    int has_id;          /* id is an integer */
    cJSON *line;         /* the parsed line, owned */
    const cJSON *status; /* NULL when absent */
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
    e->has_id = etwhf__json_in_uint(etwhf__json_in_get(o, "id"), &e->id) == ETWHF_OK;
    e->status = etwhf__json_in_get(o, "status");
    e->line = o;
    return 1;
}

/* The end line e, [ls, ls+n), of the case in progress arrived; its answer
 * is out[0, ls). Returns 1 when the worker must be replaced. */
static int answered(struct check_pool *p, struct batch *b, struct check_worker *w, size_t ls, size_t n,
                    const struct end *e)
{
    struct check_run *r = b->r;
    struct bworker *bw = &b->w[w->slot];
    const struct check_case *k = &r->corpus->cases[r->selected[CUR(bw).pos]];
    const cJSON *status = e->status;
    uint64_t code;
    char got[160];
    /* What it wrote on stderr before the end line is in the pipe by now. */
    etwhf__check_pool_read_err(p, w);
    if (w->err_bytes && bw->nq > 1) {
        /* This case's, or one queued behind it? Ask again, one at a time. */
        b->exact = 1;
        return 1;
    }
    etwhf__check_errscan_end(&w->err);
    int replace = 1, has_code = status && etwhf__json_in_uint(status, &code) == ETWHF_OK;
    /* The status as a wait status, for the evidence: what the per-process decoder would have exited with. */
    int st = has_code && code <= 255 ? (int)code << 8 : !status ? 0 : 255 << 8;
    if (!e->has_id || e->id != k->info.id) {
        char want[48];
        snprintf(want, sizeof want, "{\"type\":\"end\",\"id\":%llu}", (unsigned long long)k->info.id);
        snprintf(got, sizeof got, "%.*s", (int)(n > 120 ? 120 : n), w->out + ls);
        lose(p, b, w, ETWHF_CHECK_FAILED, CHECK_K_OUTPUT, "end line", want, got, ls, st);
    } else if (w->err.found) {
        snprintf(got, sizeof got, "sanitizer report: %.140s", w->err.report);
        lose(p, b, w, ETWHF_CHECK_CRASH, CHECK_K_CRASH, "crash", "no crash", got, ls, st);
    } else {
        /* A status it chose: it is still serving. */
        struct check_diff d;
        int outcome = ETWHF_CHECK_FAILED;
        etwhf__check_diff_reset(&d);
        if (status && !(has_code && code <= 1)) {
            char *text = etwhf__json_in_text(status);
            snprintf(got, sizeof got, "%.20s%s%.130s", text ? text : "?", w->err.first[0] ? ": " : "", w->err.first);
            free(text);
            etwhf__check_diff_add(&d, CHECK_K_EXIT, CUR(bw).mode, "exit_status", "0 or 1", got);
        } else if (has_code && code == 1 && etwhf__check_output_blank(w->out, ls)) {
            etwhf__check_exit1_blank(&d, CUR(bw).mode, &w->err); /* a decoder that died (§3.5), not a verdict */
        } else {
            etwhf__check_output_parse(w->out, ls, CUR(bw).mode, r->strict_codes, r->all_heap_events, &b->obs, &d);
            etwhf__check_compare(k, CUR(bw).mode, &b->obs, &d);
            outcome = d.kinds ? ETWHF_CHECK_DISAGREE : ETWHF_CHECK_AGREE;
        }
        report(p, b, w, outcome, &d, w->out, ls, st);
        replace = 0;
    }
    return replace;
}

/* Looks for the end line in what the worker printed; judges the case when
 * it is there. Returns 1 when the worker must be replaced. */
static int scan_output(struct check_pool *p, struct batch *b, struct check_worker *w)
{
    struct bworker *bw = &b->w[w->slot];
    while (bw->nq) {
        char *nl = memchr(w->out + bw->line_start, '\n', w->out_len - bw->line_start);
        if (!nl)
            return 0;
        size_t ls = bw->line_start, n = (size_t)(nl - (w->out + ls));
        bw->line_start = ls + n + 1;
        struct end e;
        if (!end_line(w->out + ls, n, &e))
            continue;
        int replace = answered(p, b, w, ls, n, &e);
        cJSON_Delete(e.line);
        /* What follows the end line is the next case's. */
        etwhf__check_pool_take(w, bw->line_start);
        bw->line_start = 0;
        if (replace)
            return 1;
    }
    return 0;
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
static int build_request(struct check_pool *p, struct batch *b, struct check_worker *w, size_t pos, int mode)
{
    struct check_run *r = b->r;
    const struct check_case *k = &r->corpus->cases[r->selected[pos]];
    char path[PATH_MAX];
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != ETWHF_OK) {
        snprintf(r->err, sizeof r->err, "path too long: %s", k->info.file);
        return ETWHF_EIO;
    }
    char *q = b->req;
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
    return etwhf__check_pool_send(p, w, b->req, (size_t)(q - b->req));
}

/* Queues the request of case pos in mode for w, starting a worker when
 * the slot has none. */
static int send_case(struct check_pool *p, struct batch *b, struct check_worker *w, size_t pos, int mode)
{
    struct bworker *bw = &b->w[w->slot];
    if (!bw->nq && w->pid && w->out_fd < 0)
        retire(p, b, w); /* it closed its output: it cannot answer */
    if (!w->pid) {
        int rc = etwhf__check_pool_spawn(p, w, b->argv, b->env);
        if (rc != ETWHF_OK)
            return rc;
        *bw = (struct bworker){0};
        w->out_limit = OUTPUT_LIMIT;
    }
    int rc = build_request(p, b, w, pos, mode);
    if (rc != ETWHF_OK)
        return rc;
    if (!bw->nq) {                        /* the case in progress from now on */
        etwhf__check_pool_read_err(p, w); /* what came between cases is nobody's */
        etwhf__check_pool_err_cut(w);
        w->deadline = etwhf__check_pool_now(p) + b->r->timeout_ms;
    }
    bw->q[(bw->head + bw->nq++) % DEPTH] = (struct flight){.pos = pos, .mode = mode};
    b->held++;
    return ETWHF_OK;
}

/* Next (case, mode) to run: a replaced worker's requests first. */
static int next_run(struct batch *b, size_t *pos, int *mode)
{
    if (b->nretry) {
        b->nretry--;
        *pos = b->retry[b->nretry].pos;
        *mode = b->retry[b->nretry].mode;
        return 1;
    }
    if (!etwhf__check_next(b->r, &b->cursor, pos, mode))
        return 0;
    b->left--;
    return 1;
}

/* How many requests a worker may hold now: DEPTH, or its share of what is
 * left so that a short run (or a run's end) keeps every job busy; 1 once
 * stderr made the run exact. */
static unsigned depth(const struct batch *b)
{
    if (b->exact)
        return 1;
    uint64_t share = (b->left + b->nretry + b->held + b->nslots - 1) / b->nslots;
    return share < 1 ? 1 : share > DEPTH ? DEPTH : (unsigned)share;
}

/* ---- a kind of pool worker (pool.h): a long-running command ---------------------- */

static int tend(struct check_pool *p, struct check_worker *w)
{
    struct batch *b = etwhf__check_pool_user(p);
    struct bworker *bw = &b->w[w->slot];
    if (bw->closing)
        return ETWHF_OK;
    /* Refilled half a queue at a time (one write for several requests); a
     * worker whose output has closed takes nothing more until it exits. */
    unsigned d = depth(b);
    size_t pos;
    int mode;
    if (bw->nq <= d / 2 && (!bw->nq || w->out_fd >= 0))
        while (bw->nq < d && next_run(b, &pos, &mode)) {
            int rc = send_case(p, b, w, pos, mode);
            if (rc != ETWHF_OK)
                return rc;
        }
    if (w->pid && !b->held && !b->left && !b->nretry) {
        /* Every case is judged: end of input (§6.4); one that does not
         * exit within a timeout is killed, its exit status ignored. */
        etwhf__check_pool_close(w);
        bw->closing = 1;
        w->deadline = etwhf__check_pool_now(p) + b->r->timeout_ms;
    }
    return ETWHF_OK;
}

static void output(struct check_pool *p, struct check_worker *w)
{
    struct batch *b = etwhf__check_pool_user(p);
    struct bworker *bw = &b->w[w->slot];
    if (bw->timed_out)
        return; /* judged when it is gone; what it printed is evidence */
    if (w->overflow) {
        if (bw->nq)
            lose(p, b, w, ETWHF_CHECK_FAILED, CHECK_K_OUTPUT, "output", "at most 256 MiB", "more (stopped)", w->out_len,
                 0);
        retire(p, b, w);
        return;
    }
    if (scan_output(p, b, w))
        retire(p, b, w);
}

static void timeout(struct check_pool *p, struct check_worker *w)
{
    struct batch *b = etwhf__check_pool_user(p);
    struct bworker *bw = &b->w[w->slot];
    bw->timed_out = !bw->closing;
    etwhf__check_pool_kill(p, w);
}

/* The worker exited or was killed (st: its wait status). What it wrote
 * before has been read: an end line written before it went counted. */
static int exited(struct check_pool *p, struct check_worker *w, int st)
{
    struct batch *b = etwhf__check_pool_user(p);
    struct bworker *bw = &b->w[w->slot];
    if (bw->nq && bw->timed_out) {
        char got[64];
        snprintf(got, sizeof got, "no end line after %llu ms", (unsigned long long)b->r->timeout_ms);
        lose(p, b, w, ETWHF_CHECK_TIMEOUT, CHECK_K_TIMEOUT, "timeout", "done", got, w->out_len, st);
    } else if (bw->nq) {
        lose_to_death(p, b, w, st);
    }
    requeue(b, bw);
    *bw = (struct bworker){0};
    return ETWHF_OK;
}

static const struct check_pool_kind batch_kind = {
    .flags = CHECK_POOL_STDIN,
    .tend = tend,
    .output = output,
    .timeout = timeout,
    .exited = exited,
};

int etwhf__check_run_batch(struct check_run *r)
{
    struct batch *b = calloc(1, sizeof *b);
    int rc = ETWHF_ENOMEM;
    if (!b) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return rc;
    }
    b->r = r;
    b->nslots = r->jobs ? r->jobs : 1;
    if (b->nslots > CHECK_POOL_MAX)
        b->nslots = CHECK_POOL_MAX;
    unsigned nmodes = (r->modes & 1u) + (r->modes >> 1 & 1u);
    b->left = (uint64_t)r->nselected * nmodes;
    b->env = etwhf__check_base_env(&b->nenv);
    b->w = calloc(b->nslots, sizeof *b->w);
    b->retry = calloc((size_t)b->nslots * DEPTH, sizeof *b->retry);
    b->argv = calloc(r->cmd->nwords + 1, sizeof *b->argv);
    if (!b->env || !b->w || !b->retry || !b->argv) {
        snprintf(r->err, sizeof r->err, "out of memory");
    } else {
        memcpy(b->argv, r->cmd->words, r->cmd->nwords * sizeof *b->argv);
        rc = etwhf__check_run_pool(r, &batch_kind, b, b->nslots);
    }
    etwhf__check_observed_free(&b->obs);
    free(b->argv);
    free(b->retry);
    free(b->w);
    free(b->env);
    free(b);
    return rc;
}
