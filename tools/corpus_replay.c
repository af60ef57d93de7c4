/*
 * corpus_replay.c — decodes every case of a generated corpus (DIR/manifest.jsonl,
 * read through etwhf/check.h) in both modes and under several chunkings of the
 * push API, and fails when two chunkings of one case disagree. Used to measure how much of decoder/ a corpus
 * alone reaches (ci/gen-coverage): `etwhf decode` reads whole files in large
 * chunks and never exercises buffers that straddle feeds. Each case is also
 * decoded through a counting allocator hook (fails when a block leaks): with
 * callbacks that stop decoding at the first event, the first diagnostic and
 * the last diagnostic (the abort paths), and once with no callbacks and no
 * decompressor (C4).
 *
 *   etwhf_corpus_replay DIR [CHUNK...]     (default chunks: 0 = whole, 7, 4096)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/check.h"
#include "etwhf/decode.h"

struct digest {
    uint64_t h, n;
};

static void mix(struct digest *d, uint64_t v)
{
    d->h = (d->h ^ v) * 0x100000001B3ull; /* FNV-1a over 64-bit words */
    d->n++;
}

static int on_event(void *user, const struct etwhf_event *e)
{
    struct digest *d = user;
    mix(d, e->type);
    mix(d, e->offset);
    mix(d, e->inner_offset);
    mix(d, e->heap_handle);
    mix(d, e->address);
    mix(d, e->source);
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *g)
{
    struct digest *d = user;
    mix(d, (uint64_t)g->code);
    mix(d, g->offset);
    mix(d, g->inner_offset);
    mix(d, g->buffer);
    for (const char *p = g->message; *p; p++)
        mix(d, (unsigned char)*p);
    return 0;
}

/* The allocator hook as a caller would plug one in: counts live blocks. */
static void *count_alloc(void *user, size_t size)
{
    void *p = malloc(size);
    if (p)
        ++*(long *)user;
    return p;
}

static void count_free(void *user, void *ptr)
{
    if (ptr)
        --*(long *)user;
    free(ptr);
}

/* Stops decoding at the stop_event-th event or the stop_diag-th diagnostic
 * (0: never), and notes a callback that came after the stop. */
struct stopper {
    unsigned long events, diags, stop_event, stop_diag;
    int stopped, late;
};

static int stop_after(struct stopper *s, unsigned long *count, unsigned long at)
{
    s->late |= s->stopped;
    s->stopped |= ++*count == at;
    return s->stopped;
}

static int stop_on_event(void *user, const struct etwhf_event *e)
{
    struct stopper *s = user;
    (void)e;
    return stop_after(s, &s->events, s->stop_event);
}

static int stop_on_diag(void *user, const struct etwhf_diag *g)
{
    struct stopper *s = user;
    (void)g;
    return stop_after(s, &s->diags, s->stop_diag);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    for (size_t r; b && (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return NULL;
    }
    *len = n;
    return b;
}

/* Decodes through the counting allocator in `chunk`-byte feeds (0 = whole),
 * stopping where *st says (NULL: no callbacks and no decompressor), then feeds
 * once more; fails (nonzero) when a block leaked or the decoder called back
 * after being told to stop. */
static int run_stopped(const struct etwhf_decode_options *base, const uint8_t *p, size_t n, struct stopper *st,
                       size_t chunk)
{
    long live = 0;
    struct etwhf_allocator a = {count_alloc, count_free, &live};
    struct etwhf_decode_options o = *base;
    o.allocator = &a;
    o.on_event = st ? stop_on_event : NULL;
    o.on_diag = st ? stop_on_diag : NULL;
    o.no_decompress = !st; /* the summary-only caller without a decompressor (C4) */
    o.user = st;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&o, NULL);
    if (!ctx)
        return 1;
    size_t step = chunk ? chunk : (n ? n : 1);
    for (size_t at = 0; at < n && !etwhf_decoder_done(ctx); at += step)
        etwhf_decode_feed(ctx, p + at, n - at < step ? n - at : step);
    etwhf_decode_finish(ctx);
    etwhf_decode_feed(ctx, p, n);
    etwhf_decoder_free(ctx);
    return live != 0 || (st && st->late);
}

/* The counted and stopped decodes of one case: whole, stopped at the first
 * event, summary-only without a decompressor, then stopped at the first and
 * the last diagnostic. */
static int run_hooks(const struct etwhf_decode_options *base, const uint8_t *p, size_t n)
{
    struct stopper all = {0}, first_event = {0, 0, 1, 0, 0, 0};
    if (run_stopped(base, p, n, &all, 0) || run_stopped(base, p, n, &first_event, 512) ||
        run_stopped(base, p, n, NULL, 4096))
        return 1;
    struct stopper first_diag = {0, 0, 0, 1, 0, 0}, last_diag = {0, 0, 0, all.diags, 0, 0};
    return (all.diags && run_stopped(base, p, n, &first_diag, 512)) ||
           (all.diags > 1 && run_stopped(base, p, n, &last_diag, 512));
}

/* Decodes with one chunking; returns the digest of everything emitted. */
static struct digest run(const struct etwhf_decode_options *base, const uint8_t *p, size_t n, size_t chunk)
{
    struct digest d = {0xCBF29CE484222325ull, 0};
    struct etwhf_decode_options o = *base;
    o.on_event = on_event;
    o.on_diag = on_diag;
    o.user = &d;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&o, NULL);
    if (!ctx) {
        fprintf(stderr, "corpus_replay: decoder_new failed\n");
        exit(3);
    }
    size_t step = chunk ? chunk : (n ? n : 1);
    for (size_t at = 0; at < n && !etwhf_decoder_done(ctx); at += step)
        etwhf_decode_feed(ctx, p + at, n - at < step ? n - at : step);
    etwhf_decode_finish(ctx);
    const struct etwhf_summary *s = etwhf_decoder_summary(ctx);
    mix(&d, s->buffers);
    mix(&d, s->buffers_skipped);
    mix(&d, s->events_total);
    mix(&d, s->errors);
    mix(&d, s->warnings);
    const struct etwhf_logfile *lf = etwhf_decoder_logfile(ctx);
    if (lf) {
        mix(&d, lf->buffer_size);
        mix(&d, lf->start_time);
        for (const char *q = lf->logger_name; *q; q++)
            mix(&d, (unsigned char)*q);
        for (const char *q = lf->log_file_name; *q; q++)
            mix(&d, (unsigned char)*q);
    }
    etwhf_decoder_free(ctx);
    return d;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: etwhf_corpus_replay DIR [CHUNK...]\n", stderr);
        return 2;
    }
    size_t chunks[16] = {0, 7, 4096};
    size_t n_chunks = 3;
    if (argc > 2) {
        n_chunks = 0;
        for (int i = 2; i < argc && n_chunks < 16; i++)
            chunks[n_chunks++] = strtoull(argv[i], NULL, 10);
    }
    char path[4096];
    int st;
    struct etwhf_corpus *corpus = etwhf_corpus_load(argv[1], &st, path, sizeof path);
    if (!corpus) {
        fprintf(stderr, "corpus_replay: %s\n", path);
        return 3;
    }
    unsigned long cases = 0, bad = 0;
    for (size_t i = 0; i < etwhf_corpus_count(corpus); i++) {
        const struct etwhf_corpus_case *k = etwhf_corpus_case(corpus, i);
        const char *file = k->file;
        struct etwhf_decode_options opt;
        etwhf_decode_options_init(&opt);
        if (k->layer == ETWHF_GEN_PAYLOAD) {
            opt.input = ETWHF_INPUT_PAYLOAD;
            opt.pointer_size = k->pointer_size;
            opt.payload_type = k->event;
        } else if (k->layer == ETWHF_GEN_RECORD) {
            opt.input = ETWHF_INPUT_RECORD;
        }
        size_t n = 0;
        uint8_t *p = etwhf_corpus_case_path(corpus, i, path, sizeof path) == ETWHF_OK ? slurp(path, &n) : NULL;
        if (!p) {
            fprintf(stderr, "corpus_replay: %s: cannot read\n", path);
            etwhf_corpus_free(corpus);
            return 3;
        }
        for (int mode = ETWHF_MODE_RECOVER; mode <= ETWHF_MODE_STRICT; mode++) {
            opt.mode = mode;
            struct digest first = run(&opt, p, n, chunks[0]);
            for (size_t c = 1; c < n_chunks; c++) {
                struct digest d = run(&opt, p, n, chunks[c]);
                if (d.h != first.h || d.n != first.n) {
                    fprintf(stderr, "corpus_replay: %s (%s mode): chunk %zu differs from chunk %zu\n", file,
                            mode ? "strict" : "recover", chunks[c], chunks[0]);
                    bad++;
                }
            }
            if (run_hooks(&opt, p, n)) {
                fprintf(stderr, "corpus_replay: %s (%s mode): allocator leak or callback after a stop\n", file,
                        mode ? "strict" : "recover");
                bad++;
            }
        }
        free(p);
        cases++;
    }
    etwhf_corpus_free(corpus);
    printf("corpus_replay: %lu cases, %zu chunkings, %lu disagreements\n", cases, n_chunks, bad);
    return bad ? 1 : 0;
}
