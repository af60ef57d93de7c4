/*
 * test_shrinking_file.c — a trace file cut short while etwhf_decode_fd is
 * reading it (another process truncates a log it is still collecting, or
 * a copy being replaced).
 *
 * The reader takes the file with read(), never with mmap: a mapped page of a
 * file that shrank under it raises SIGBUS on access, which would break the
 * promise never to crash on any input (docs/reliability.md, "Files that
 * change while they are read"). With read() a shrinking file is only a
 * shorter input: the decoder must give exactly what it gives for the bytes
 * the reads returned, decoded from memory — and then, last, INPUT_SHRANK
 * (walk.md F6): the reader knew the file's size when it began, so a shorter
 * input is said to be one, which the bytes alone cannot say (a cut at a
 * buffer boundary of a circular log raises nothing else).
 *
 * Deterministic: the file is truncated from the decoder's own callbacks —
 * should_stop, which etwhf_decode_fd polls after each feed, and the event
 * callback, in the middle of a chunk's walk (where a mapped reader would
 * touch pages that no longer exist) — so the cut falls at a known point,
 * with no second process and no timing. Cuts behind the read position (the
 * rest of the file vanishes), at it, and ahead of it (mid-buffer and
 * mid-record in a chunk not yet read).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "etwhf/decode.h"
#include "etwhf/gen.h"

#define MiB ((uint64_t)1 << 20)

/* What a decode said, as digests: every event's bytes, every diagnostic's
 * code, place and message. INPUT_SHRANK is kept apart (the memory decode
 * cannot raise it): how often, where, and whether anything came after it. */
struct said {
    uint64_t events, diags;
    uint64_t event_hash, diag_hash;
    uint64_t shrank, shrank_at, after_shrank;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* The callbacks' user: the digest, and the cut to make (none when fd < 0). */
struct cut {
    struct said said;
    int fd;
    unsigned at_poll;  /* truncate on this should_stop poll (1 = after the first chunk), 0: no */
    uint64_t at_event; /* or when this event is delivered, mid-walk, 0: no */
    uint64_t to;       /* the new length */
    unsigned polls;
    uint64_t read_at; /* the file position when the cut was made */
    int done;
};

static void make_cut(struct cut *c)
{
    c->read_at = (uint64_t)lseek(c->fd, 0, SEEK_CUR);
    assert_int_equal(ftruncate(c->fd, (off_t)c->to), 0);
    c->done = 1;
}

static int on_event(void *user, const struct etwhf_event *ev)
{
    struct cut *c = user;
    struct said *s = &c->said;
    s->events++;
    s->after_shrank += s->shrank;
    s->event_hash = fnv(s->event_hash, ev, sizeof *ev); /* every byte of an event is defined */
    if (c->fd >= 0 && c->at_event && s->events == c->at_event)
        make_cut(c);
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *g)
{
    struct said *s = &((struct cut *)user)->said;
    s->after_shrank += s->shrank;
    if (g->code == ETWHF_DIAG_INPUT_SHRANK) {
        assert_true(g->buffer == ETWHF_NO_BUFFER);
        assert_int_equal(g->severity, ETWHF_SEV_ERROR);
        s->shrank++;
        s->shrank_at = g->offset;
        return 0;
    }
    s->diags++;
    s->diag_hash = fnv(s->diag_hash, &g->code, sizeof g->code);
    s->diag_hash = fnv(s->diag_hash, &g->buffer, sizeof g->buffer);
    s->diag_hash = fnv(s->diag_hash, &g->offset, sizeof g->offset);
    s->diag_hash = fnv(s->diag_hash, &g->inner_offset, sizeof g->inner_offset);
    s->diag_hash = fnv(s->diag_hash, g->message, strlen(g->message));
    return 0;
}

static int should_stop(void *user)
{
    struct cut *c = user;
    if (++c->polls == c->at_poll)
        make_cut(c);
    return 0;
}

static int write_file(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

/* A trace of a few MiB, several of the reader's 1 MiB chunks, in memory. */
static uint8_t *make_trace(size_t *len)
{
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    assert_non_null(mem);
    struct etwhf_gen_trace_options o;
    etwhf_gen_trace_options_init(&o);
    o.seed = 21;
    o.events = 40000; /* neighbours and 32/64-bit records: about 3.6 MiB */
    o.pointer_size = 0;
    o.write = write_file;
    o.user = mem;
    assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_OK);
    assert_int_equal(fclose(mem), 0);
    assert_true(*len > 3 * MiB);
    return (uint8_t *)buf;
}

static struct etwhf_decode_options options(void *user, int mode)
{
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.mode = mode;
    o.on_event = on_event;
    o.on_diag = on_diag;
    o.user = user;
    return o;
}

static const struct said fresh = {0, 0, UINT64_C(0xcbf29ce484222325), UINT64_C(0xcbf29ce484222325), 0, 0, 0};

/* Decodes the file, truncated to `to` on poll `at_poll` or at event
 * `at_event`; then the bytes its reads returned, from memory; the two must
 * agree in everything but the file's INPUT_SHRANK, last and only when the
 * reads returned fewer bytes than the file held when reading began. In
 * strict mode the walk's own error about the shorter input comes first and
 * stops everything: no INPUT_SHRANK after it. */
static void one_cut_mode(const uint8_t *trace, size_t len, unsigned at_poll, uint64_t at_event, uint64_t to, int mode)
{
    char path[] = "/tmp/etwhf-shrink-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, trace, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);

    struct cut c = {fresh, fd, at_poll, at_event, to, 0, 0, 0};
    struct etwhf_decode_options o = options(&c, mode);
    o.should_stop = should_stop;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_non_null(d);
    assert_int_equal(etwhf_decode_fd(d, fd), ETWHF_OK);
    const struct etwhf_summary fs = *etwhf_decoder_summary(d);
    etwhf_decoder_free(d);
    close(fd);
    assert_true(c.done);

    /* The reads returned [0, max(to, position at the cut)). */
    const uint64_t got = to > c.read_at ? to : c.read_at;
    struct cut m_user = {fresh, -1, 0, 0, 0, 0, 0, 0};
    o = options(&m_user, mode);
    struct etwhf_decoder *m = etwhf_decoder_new(&o, NULL);
    assert_non_null(m);
    assert_int_equal(etwhf_decode_memory(m, trace, (size_t)got), ETWHF_OK);
    const struct etwhf_summary ms = *etwhf_decoder_summary(m);
    etwhf_decoder_free(m);

    print_message("%s: cut to %llu at %s %llu (read position %llu): %llu bytes, %llu HeapFree, %llu errors\n",
                  mode == ETWHF_MODE_STRICT ? "strict" : "recover", (unsigned long long)to, at_poll ? "poll" : "event",
                  (unsigned long long)(at_poll ? at_poll : at_event), (unsigned long long)c.read_at,
                  (unsigned long long)fs.bytes, (unsigned long long)fs.heap_free, (unsigned long long)fs.errors);
    const struct said *a = &c.said, *b = &m_user.said;
    const uint64_t shrank = got < len && mode == ETWHF_MODE_RECOVER;
    assert_int_equal(a->shrank, shrank);
    assert_int_equal(a->after_shrank, 0); /* raised last, after F5 */
    if (shrank)
        assert_int_equal(a->shrank_at, got);
    assert_int_equal(b->shrank, 0);
    struct etwhf_summary fs_walk = fs;
    fs_walk.errors -= shrank;
    assert_memory_equal(&fs_walk, &ms, sizeof fs);
    assert_int_equal(a->events, b->events);
    assert_int_equal(a->diags, b->diags);
    assert_true(a->event_hash == b->event_hash);
    assert_true(a->diag_hash == b->diag_hash);
    assert_int_equal(fs.bytes, got);
    if (got < len)
        assert_true(mode == ETWHF_MODE_STRICT ? fs.errors == 1 : fs.errors > 0); /* a shorter trace is an error */
}

static void one_cut(const uint8_t *trace, size_t len, unsigned at_poll, uint64_t at_event, uint64_t to)
{
    one_cut_mode(trace, len, at_poll, at_event, to, ETWHF_MODE_RECOVER);
    one_cut_mode(trace, len, at_poll, at_event, to, ETWHF_MODE_STRICT);
}

static void cuts(void **state)
{
    (void)state;
    size_t len;
    uint8_t *trace = make_trace(&len);
    one_cut(trace, len, 1, 0, 0);                  /* emptied behind the reader */
    one_cut(trace, len, 1, 0, MiB / 2);            /* behind the read position */
    one_cut(trace, len, 1, 0, MiB);                /* at it */
    one_cut(trace, len, 1, 0, MiB + 100);          /* in the next chunk, mid-buffer */
    one_cut(trace, len, 2, 0, 2 * MiB + 0x48 + 5); /* mid-record, after the second chunk */
    one_cut(trace, len, 2, 0, 2 * MiB);            /* at a buffer boundary ahead */
    one_cut(trace, len, 1, 0, len - 1);            /* the last byte */
    one_cut(trace, len, 1, 0, len);                /* no change: the whole trace */
    /* Mid-walk: from the 5000th event, in the first chunk's walk, to a
     * length inside that chunk (the rest of the chunk, already read, stays)
     * and to the very start. */
    one_cut(trace, len, 0, 5000, MiB / 4);
    one_cut(trace, len, 0, 5000, 0);
    one_cut(trace, len, 0, 25000, 2 * MiB + 4096 + 3); /* in the third chunk's walk, just ahead */
    free(trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
