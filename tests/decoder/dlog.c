/* dlog.c — decode and record; see dlog.h. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <inttypes.h>

#include "dlog.h"
#include "decode_once.h"

static void text_add(struct dl_text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap - t->len <= (size_t)n)
            cap *= 2;
        t->p = realloc(t->p, cap);
        assert_non_null(t->p);
        t->cap = cap;
    }
}

static void where(struct dl_text *t, uint64_t buffer, uint64_t offset, int has_inner, uint64_t inner)
{
    if (buffer == ETWHF_NO_BUFFER)
        text_add(t, "@-:0x%" PRIx64, offset);
    else
        text_add(t, "@%" PRIx64 ":0x%" PRIx64, buffer, offset);
    if (has_inner)
        text_add(t, "+0x%" PRIx64, inner);
}

/* Room for one more element in a growing array. */
static void *room(void *p, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 64;
    p = realloc(p, *cap * elem);
    assert_non_null(p);
    return p;
}

static int on_event(void *user, const struct etwhf_event *e)
{
    struct dlog *l = user;
    l->ev = room(l->ev, l->nev, &l->ev_cap, sizeof *l->ev);
    l->ev[l->nev++] = *e;
    char t = e->type == ETWHF_HEAP_FREE ? 'F' : e->type == ETWHF_HEAP_ALLOC ? 'A' : 'R';
    text_add(&l->brief, "%c", t);
    where(&l->brief, e->buffer, e->offset, e->has_inner, e->inner_offset);
    text_add(&l->brief, " s=%" PRIu32 "\n", e->source);
    text_add(&l->full,
             "event %c b=%" PRIu64 " o=%" PRIu64 " i=%d/%" PRIu64 " hdr=%u v=%u p=%u cpu=%u pt=%d pid=%" PRIu32
             " tid=%" PRIu32 " ts=%" PRIu64 " h=%" PRIx64 " a=%" PRIx64 " sz=%" PRIx64 " na=%" PRIx64 " oa=%" PRIx64
             " ns=%" PRIx64 " os=%" PRIx64 " src=%" PRIu32 "\n",
             t, e->buffer, e->offset, e->has_inner, e->inner_offset, e->header, e->version, e->pointer_size, e->cpu,
             e->has_pid_tid, e->pid, e->tid, e->timestamp, e->heap_handle, e->address, e->size, e->new_address,
             e->old_address, e->new_size, e->old_size, e->source);
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct dlog *l = user;
    l->dg = room(l->dg, l->ndg, &l->dg_cap, sizeof *l->dg);
    l->dg[l->ndg++] = *d;
    /* Every message is one non-empty line. */
    assert_true(d->message[0] != '\0');
    assert_null(strchr(d->message, '\n'));
    text_add(&l->brief, "%c%d",
             d->severity == ETWHF_SEV_ERROR     ? 'E'
             : d->severity == ETWHF_SEV_WARNING ? 'W'
                                                : '?',
             d->code);
    where(&l->brief, d->buffer, d->offset, d->has_inner, d->inner_offset);
    text_add(&l->brief, "\n");
    text_add(&l->full, "diag %d sev=%d b=%" PRIu64 " o=%" PRIu64 " i=%d/%" PRIu64 " %s\n", d->code, d->severity,
             d->buffer, d->offset, d->has_inner, d->inner_offset, d->message);
    return 0;
}

struct etwhf_decode_options dl_options(int input, int mode)
{
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = input;
    o.mode = mode;
    return o;
}

static void reset(struct dlog *l)
{
    l->nev = l->ndg = 0;
    l->full.len = l->brief.len = 0;
    if (l->full.p)
        l->full.p[0] = '\0';
    if (l->brief.p)
        l->brief.p[0] = '\0';
    memset(&l->sum, 0, sizeof l->sum);
    l->rc = ETWHF_OK;
    l->done_early = 0;
}

int dl_run(struct dlog *l, const struct etwhf_decode_options *opts, const void *data, size_t len, size_t chunk,
           unsigned seed)
{
    reset(l);
    struct etwhf_decode_options o = *opts;
    o.on_event = l->counting ? NULL : on_event;
    o.on_diag = on_diag;
    o.user = l;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_non_null(d);
    const uint8_t *p = data;
    size_t at = 0;
    uint64_t rnd = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    while (at < len && l->rc == ETWHF_OK) {
        size_t n = chunk == DL_ONE_FEED ? len - at : chunk;
        if (chunk == DL_RANDOM) {
            rnd = rnd * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            /* Mostly small feeds, now and then a large one. */
            n = (rnd >> 59) < 2 ? 1 + (size_t)((rnd >> 20) % 100000) : 1 + (size_t)((rnd >> 33) % 300);
        }
        if (n > len - at)
            n = len - at;
        if (etwhf_decoder_done(d) && at + n < len)
            l->done_early = 1;
        l->rc = etwhf_decode_feed(d, p + at, n);
        at += n;
    }
    if (l->rc == ETWHF_OK)
        l->rc = etwhf_decode_finish(d);
    l->sum = *etwhf_decoder_summary(d);
    const struct etwhf_summary *s = &l->sum;
    text_add(&l->brief,
             "S b=%" PRIu64 " k=%" PRIu64 " t=%" PRIu64 " f=%" PRIu64 " a=%" PRIu64 " r=%" PRIu64 " e=%" PRIu64
             " w=%" PRIu64 "\n",
             s->buffers, s->buffers_skipped, s->events_total, s->heap_free, s->heap_alloc, s->heap_realloc, s->errors,
             s->warnings);
    text_add(&l->full, "summary rc=%d bytes=%" PRIu64 " %s", l->rc, s->bytes, l->brief.p);
    etwhf_decoder_free(d);
    return l->rc;
}

void dl_free(struct dlog *l)
{
    free(l->ev);
    free(l->dg);
    free(l->full.p);
    free(l->brief.p);
    memset(l, 0, sizeof *l);
}

const char *dl_brief(const struct dlog *l)
{
    return l->brief.p ? l->brief.p : "";
}

const char *dl_full(const struct dlog *l)
{
    return l->full.p ? l->full.p : "";
}

/* 1 when `line` is an event's line of the full log or of the brief one. */
static int event_line(const char *line)
{
    return strncmp(line, "event ", 6) == 0 || ((line[0] == 'F' || line[0] == 'A' || line[0] == 'R') && line[1] == '@');
}

/* `log` as a decode with no event callback writes it: without the events'
 * lines, full and brief (the brief log starts on the summary's line, after
 * "summary rc=R bytes=N "). A new string. */
static char *without_events(const char *log)
{
    char *out = malloc(strlen(log) + 1);
    assert_non_null(out);
    char *w = out;
    for (const char *line = log; *line;) {
        const char *end = strchr(line, '\n');
        const size_t n = end ? (size_t)(end - line) + 1 : strlen(line);
        size_t keep = event_line(line) ? 0 : n;
        if (strncmp(line, "summary ", 8) == 0) {
            const char *brief = strchr(strstr(line, " bytes=") + 1, ' ') + 1;
            if (event_line(brief))
                keep = (size_t)(brief - line);
        }
        memcpy(w, line, keep);
        w += keep;
        line += n;
    }
    *w = '\0';
    return out;
}

static void same_for_chunks(const struct etwhf_decode_options *o, const void *data, size_t len, const char *want,
                            int counting)
{
    static const size_t chunks[] = {1, 2, 3, 7, 64, 4096, DL_RANDOM, DL_RANDOM};
    struct dlog l = {0};
    l.counting = counting;
    if (counting) { /* the one feed too: the callback decode it is compared with had its own test */
        dl_run(&l, o, data, len, DL_ONE_FEED, 0);
        if (strcmp(dl_full(&l), want) != 0)
            print_error("counting mode differs:\n--- with events\n%s--- counting\n%s", want, dl_full(&l));
        assert_string_equal(dl_full(&l), want);
    }
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        dl_run(&l, o, data, len, chunks[i], (unsigned)i);
        if (strcmp(dl_full(&l), want) != 0)
            print_error("chunk size %zu%s differs:\n--- one feed\n%s--- chunked\n%s", chunks[i],
                        counting ? " (counting)" : "", want, dl_full(&l));
        assert_string_equal(dl_full(&l), want);
    }
    dl_free(&l);
}

static void expect_mode(const struct etwhf_decode_options *base, int mode, const void *data, size_t len,
                        const char *want)
{
    struct etwhf_decode_options o = *base;
    o.mode = mode;
    struct dlog l = {0};
    assert_int_equal(dl_run(&l, &o, data, len, DL_ONE_FEED, 0), ETWHF_OK);
    if (strcmp(dl_brief(&l), want) != 0)
        print_error("%s mode:\n--- expected\n%s--- decoded\n%s", mode ? "strict" : "recover", want, dl_full(&l));
    assert_string_equal(dl_brief(&l), want);
    char *full = strdup(dl_full(&l));
    assert_non_null(full);
    dl_free(&l);
    same_for_chunks(&o, data, len, full, 0);
    char *counted = without_events(full);
    same_for_chunks(&o, data, len, counted, 1);
    free(counted);
    free(full);
}

void dl_expect(const struct etwhf_decode_options *opts, const void *data, size_t len, const char *recover,
               const char *strict)
{
    struct etwhf_decode_options o = opts ? *opts : dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    expect_mode(&o, ETWHF_MODE_RECOVER, data, len, recover);
    expect_mode(&o, ETWHF_MODE_STRICT, data, len, strict);
}

uint8_t *dl_read_sample(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ETWHF_SAMPLES_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("sample %s is missing and CI=true", path);
        fprintf(stderr, "SKIP: sample %s is missing\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

int dl_decode_pipe(const struct etwhf_decode_options *opts, const void *data, size_t len, struct etwhf_summary *summary)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        /* A reader may stop before the end (a strict-mode stop reads no
         * more of a pipe): EPIPE then ends the writer, not SIGPIPE. */
        signal(SIGPIPE, SIG_IGN);
        /* Odd-sized writes, so reads see buffers cut anywhere. */
        for (size_t at = 0; at < len;) {
            ssize_t w = write(p[1], (const uint8_t *)data + at, len - at < 4093 ? len - at : 4093);
            if (w < 0 && errno == EPIPE)
                _exit(0);
            if (w <= 0)
                _exit(1);
            at += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    int rc = decode_once_fd(opts, p[0], summary);
    close(p[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return rc;
}
