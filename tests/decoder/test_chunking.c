/*
 * test_chunking.c — any chunking of the same bytes gives a byte-identical log
 * of events, diagnostics and summary: the samples, hand-built traces (plain,
 * compressed, cut, damaged), bare records, in feeds of 1, 2, 3, 7, 64, 4096
 * and random sizes. Also: etwhf_decoder_done() and the API's states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <cmocka.h>

#include "dlog.h"
#include "tb.h"
#include "decode_once.h"

static const size_t chunks[] = {1, 2, 3, 7, 64, 4096, DL_RANDOM, DL_RANDOM, DL_RANDOM};

static void same_log(const struct etwhf_decode_options *o, const uint8_t *data, size_t len)
{
    struct dlog one = {0}, part = {0};
    dl_run(&one, o, data, len, DL_ONE_FEED, 0);
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        dl_run(&part, o, data, len, chunks[i], (unsigned)(i * 7919 + len));
        if (strcmp(dl_full(&one), dl_full(&part)) != 0)
            print_error("chunk %zu differs:\n--- one feed\n%s--- chunked\n%s", chunks[i], dl_full(&one),
                        dl_full(&part));
        assert_string_equal(dl_full(&one), dl_full(&part));
    }
    dl_free(&one);
    dl_free(&part);
}

static void both_modes(const uint8_t *data, size_t len)
{
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    same_log(&o, data, len);
    o.mode = ETWHF_MODE_STRICT;
    same_log(&o, data, len);
}

static void sample(const char *name, int no_decompress)
{
    size_t len = 0;
    uint8_t *data = dl_read_sample(name, &len);
    if (!data) {
        skip();
        return;
    }
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    o.no_decompress = no_decompress;
    same_log(&o, data, len);
    free(data);
}

static void samples_any_chunking(void **state)
{
    (void)state;
    sample("lxcore_kernel.etl", 0);
    sample("SelfDescribingSingleEvent.etl", 0);
    sample("SelfDescribingSingleEvent.etl", 1);
}

/* The large sample, with every cut a feed boundary can make at 1 byte. */
static void large_sample_any_chunking(void **state)
{
    (void)state;
    sample("ShutdownPerfDiagLogger.etl", 0);
}

/* A trace with heap events of several forms in three buffers. */
static void rich_trace(struct tb *f)
{
    struct tb bodies[3];
    for (int i = 0; i < 3; i++) {
        tb_init(&bodies[i]);
        for (int k = 0; k < 6; k++)
            tb_free_record(&bodies[i], (i * 6 + k) % ETWHF_HDR_FORMS, 0x1000u * (unsigned)i, 0x10u * (unsigned)k,
                           (uint32_t)k);
    }
    tb_init(f);
    tb_trace(f, 0x800, NULL, bodies, 3);
    for (int i = 0; i < 3; i++)
        tb_free(&bodies[i]);
}

static void built_traces_any_chunking(void **state)
{
    (void)state;
    struct tb f;
    rich_trace(&f);
    both_modes(f.p, f.len);
    /* Cut at a spread of places, buffer headers and records included. */
    for (size_t cut = 0; cut < f.len; cut += 61)
        both_modes(f.p, cut);
    /* Damaged: a wrong BufferSize, a bad marker, a cut record. */
    tb_set_u32(&f, 0x800, 0x1000);
    tb_set_u8(&f, 0x1000 + 0x48 + 3, 0x00);
    both_modes(f.p, f.len - 0x700);
    tb_free(&f);

    struct tb bodies[2];
    tb_init(&bodies[0]);
    tb_init(&bodies[1]);
    for (int k = 0; k < 20; k++)
        tb_free_record(&bodies[k % 2], ETWHF_HDR_EVENT64, 1, (uint64_t)k, 3);
    tb_init(&f);
    tb_ctrace(&f, bodies, 2);
    both_modes(f.p, f.len);
    for (size_t cut = 0; cut < f.len; cut += 37)
        both_modes(f.p, cut);
    tb_free(&f);
    tb_free(&bodies[0]);
    tb_free(&bodies[1]);
}

static void bare_records_any_chunking(void **state)
{
    (void)state;
    struct tb b;
    tb_init(&b);
    for (int hdr = 0; hdr < ETWHF_HDR_FORMS; hdr++)
        tb_free_record(&b, hdr, 7, (uint64_t)hdr, (uint32_t)hdr);
    struct tb_rec m = {.hdr = ETWHF_HDR_MESSAGE, .payload = (const uint8_t *)"xyz", .payload_len = 3};
    tb_record(&b, &m);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_RECORD, ETWHF_MODE_RECOVER);
    for (size_t cut = 0; cut <= b.len; cut += 5)
        same_log(&o, b.p, cut);
    o.mode = ETWHF_MODE_STRICT;
    same_log(&o, b.p, b.len);
    /* A long record whose payload straddles feeds. */
    tb_reset(&b);
    uint8_t big[4000];
    memset(big, 0x5A, sizeof big);
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM64,
                       .heap = 1,
                       .type = ETWHF_HEAP_ALLOC,
                       .version = 2,
                       .payload = big,
                       .payload_len = sizeof big};
    tb_record(&b, &r);
    tb_free_record(&b, ETWHF_HDR_SYSTEM32, 1, 2, 3);
    o.mode = ETWHF_MODE_RECOVER;
    same_log(&o, b.p, b.len);
    same_log(&o, b.p, b.len - 3);
    o.input = ETWHF_INPUT_PAYLOAD;
    same_log(&o, b.p, b.len);
    same_log(&o, b.p, 3);
    tb_free(&b);
}

static int count_events(void *user, const struct etwhf_event *e)
{
    (void)e;
    ++*(int *)user;
    return 0;
}

static void done_and_states(void **state)
{
    (void)state;
    struct tb f;
    rich_trace(&f);
    /* Strict: done after the first error; later feeds are accepted and ignored. */
    tb_set_u8(&f, 0x800 + 0x48 + 3, 0x00);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_STRICT);
    int events = 0;
    o.on_event = count_events;
    o.user = &events;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_non_null(d);
    assert_int_equal(etwhf_decoder_done(d), 0);
    assert_int_equal(etwhf_decode_feed(d, f.p, 0x1000), ETWHF_OK);
    assert_int_equal(etwhf_decoder_done(d), 1);
    assert_int_equal(etwhf_decode_feed(d, f.p + 0x1000, f.len - 0x1000), ETWHF_OK);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_OK);
    assert_int_equal(etwhf_decode_feed(d, f.p, 1), ETWHF_EBADSTATE);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_EBADSTATE);
    const struct etwhf_summary *s = etwhf_decoder_summary(d);
    assert_int_equal(s->errors, 1);
    assert_int_equal(s->bytes, f.len);
    assert_int_equal(events, 0);
    etwhf_decoder_free(d);

    /* Recover: done once the file ended early (C3-like end: B1 cannot, so use F3). */
    struct tb g;
    tb_init(&g);
    tb_bytes(&g, f.p, f.len);
    tb_set_u16(&g, 0x4E, 5); /* no logfile */
    tb_set_u32(&g, 0, 0x20); /* no stride */
    o.mode = ETWHF_MODE_RECOVER;
    d = etwhf_decoder_new(&o, NULL);
    assert_int_equal(etwhf_decode_feed(d, g.p, 0x60), ETWHF_OK);
    assert_int_equal(etwhf_decoder_done(d), 1);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_OK);
    assert_int_equal(etwhf_decoder_summary(d)->errors, 2);
    etwhf_decoder_free(d);
    tb_free(&g);

    /* Bad arguments and options. */
    assert_int_equal(etwhf_decode_feed(NULL, f.p, 1), ETWHF_EINVAL);
    assert_int_equal(etwhf_decode_finish(NULL), ETWHF_EINVAL);
    assert_null(etwhf_decoder_summary(NULL));
    int st = -1;
    assert_null(etwhf_decoder_new(NULL, &st));
    assert_int_equal(st, ETWHF_EINVAL);
    assert_null(etwhf_decoder_new(NULL, NULL)); /* status is optional */
    o.buffer_limit = (UINT64_C(1) << 30) + 1;
    assert_null(etwhf_decoder_new(&o, &st));
    assert_int_equal(st, ETWHF_ELIMIT);
    assert_int_equal(decode_once_memory(&o, f.p, f.len, NULL), ETWHF_ELIMIT);
    o.buffer_limit = 0;
    o.input = 7;
    assert_int_equal(decode_once_memory(&o, f.p, f.len, NULL), ETWHF_EINVAL);
    o.input = ETWHF_INPUT_PAYLOAD;
    o.pointer_size = 6;
    assert_null(etwhf_decoder_new(&o, &st));
    assert_int_equal(st, ETWHF_EINVAL);
    o.pointer_size = 4;
    o.payload_type = 0x30;
    assert_null(etwhf_decoder_new(&o, NULL));
    o.input = ETWHF_INPUT_FILE;
    d = etwhf_decoder_new(&o, &st);
    assert_int_equal(st, ETWHF_OK);
    assert_int_equal(etwhf_decode_feed(d, NULL, 1), ETWHF_EINVAL);
    assert_int_equal(etwhf_decode_feed(d, NULL, 0), ETWHF_OK);
    assert_null(etwhf_decoder_logfile(d));
    assert_null(etwhf_decoder_logfile(NULL));
    assert_int_equal(etwhf_decode_memory(NULL, f.p, 1), ETWHF_EINVAL);
    assert_int_equal(etwhf_decode_fd(d, -1), ETWHF_EINVAL);
    assert_int_equal(etwhf_decode_fd(NULL, 0), ETWHF_EINVAL);
    etwhf_decoder_free(d);
    etwhf_decoder_free(NULL);
    tb_free(&f);
}

static int abort_at_second(void *user, const struct etwhf_event *e)
{
    (void)e;
    return ++*(int *)user == 2;
}

static void callback_abort_invalidates(void **state)
{
    (void)state;
    struct tb f;
    rich_trace(&f);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    int n = 0;
    o.on_event = abort_at_second;
    o.user = &n;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_int_equal(etwhf_decode_feed(d, f.p, f.len), ETWHF_EABORTED);
    assert_int_equal(n, 2);
    assert_int_equal(etwhf_decode_feed(d, f.p, 1), ETWHF_EBADSTATE);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_EBADSTATE);
    etwhf_decoder_free(d);
    n = 0;
    assert_int_equal(decode_once_memory(&o, f.p, f.len, NULL), ETWHF_EABORTED);
    tb_free(&f);
}

/* decode_fd stops at done() yet reports the input's length, like a full read. */
static void fd_reader_stops_early(void **state)
{
    (void)state;
    struct tb f;
    rich_trace(&f);
    tb_set_u8(&f, 0x800 + 0x48 + 3, 0x00); /* MARKER in buffer 1: strict stops there */
    tb_fill(&f, 0xEE, 3u << 20);           /* more than one read of the reader */
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_STRICT);
    struct etwhf_summary mem, fd;
    assert_int_equal(decode_once_memory(&o, f.p, f.len, &mem), ETWHF_OK);
    assert_int_equal(mem.errors, 1);
    assert_int_equal(mem.bytes, f.len);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_int_equal(fwrite(f.p, 1, f.len, tmp), f.len);
    fflush(tmp);
    rewind(tmp);
    assert_int_equal(decode_once_fd(&o, fileno(tmp), &fd), ETWHF_OK);
    assert_memory_equal(&fd, &mem, sizeof fd);
    fclose(tmp);
    /* A pipe is read no further than the stop (it might never end): bytes
     * is what was read, at least as far as the error, the rest alike. */
    assert_int_equal(dl_decode_pipe(&o, f.p, f.len, &fd), ETWHF_OK);
    assert_true(fd.bytes >= 0x800 + 0x48 + 8 && fd.bytes < f.len);
    fd.bytes = mem.bytes;
    assert_memory_equal(&fd, &mem, sizeof fd);
    /* In recover mode a pipe is still read to its end once the walk ended
     * (F3.5 here: no usable stride), so bytes is the input's length. */
    struct tb z;
    tb_init(&z);
    tb_fill(&z, 0x00, 3u << 20);
    o.mode = ETWHF_MODE_RECOVER;
    assert_int_equal(decode_once_memory(&o, z.p, z.len, &mem), ETWHF_OK);
    assert_int_equal(dl_decode_pipe(&o, z.p, z.len, &fd), ETWHF_OK);
    assert_memory_equal(&fd, &mem, sizeof fd);
    assert_int_equal(fd.bytes, 3u << 20);
    tb_free(&z);
    assert_int_equal(decode_once_fd(&o, -1, &fd), ETWHF_EINVAL);
    tb_free(&f);
}

static int stop_now(void *user)
{
    (void)user;
    return 1;
}

/* The options carry their caller's size: a caller built against a newer,
 * longer struct works (its extra fields start zeroed), one that never called
 * etwhf_decode_options_init (struct_size 0) or passes a size below the first
 * sized layout is refused with EINVAL, not read past its end. */
static void options_abi(void **state)
{
    (void)state;
    struct tb f;
    rich_trace(&f);
    struct {
        struct etwhf_decode_options o;
        uint64_t future[4];
    } newer;
    memset(&newer, 0xAA, sizeof newer);
    etwhf_decode_options_init_sized(&newer.o, sizeof newer);
    assert_int_equal(newer.o.struct_size, sizeof newer);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(newer.future[i], 0);
    assert_int_equal(newer.o.input, ETWHF_INPUT_FILE);
    assert_int_equal(newer.o.mode, ETWHF_MODE_RECOVER);
    assert_int_equal(newer.o.pointer_size, 8);
    assert_null(newer.o.on_event);
    struct etwhf_summary s;
    assert_int_equal(decode_once_memory(&newer.o, f.p, f.len, &s), ETWHF_OK);
    assert_int_equal(s.heap_free, 18);
    assert_int_equal(s.errors, 0);

    struct etwhf_decode_options o;
    memset(&o, 0, sizeof o); /* never initialised */
    int st = -1;
    assert_null(etwhf_decoder_new(&o, &st));
    assert_int_equal(st, ETWHF_EINVAL);
    memset(&o, 0xAA, sizeof o);
    etwhf_decode_options_init_sized(&o, offsetof(struct etwhf_decode_options, should_stop));
    assert_int_equal(((const unsigned char *)&o)[sizeof o - 1], 0xAA); /* nothing written past its size */
    assert_null(etwhf_decoder_new(&o, &st));
    assert_int_equal(st, ETWHF_EINVAL);

    /* should_stop ends a read loop with EABORTED and invalidates the context. */
    etwhf_decode_options_init(&o);
    o.should_stop = stop_now;
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_int_equal(fwrite(f.p, 1, f.len, tmp), f.len);
    fflush(tmp);
    rewind(tmp);
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_int_equal(etwhf_decode_fd(d, fileno(tmp)), ETWHF_EABORTED);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_EBADSTATE);
    etwhf_decoder_free(d);
    fclose(tmp);
    tb_free(&f);
}

static int keep_last(void *user, const struct etwhf_event *e)
{
    *(struct etwhf_event *)user = *e;
    return 0;
}

/* Offsets and counts are 64-bit: 257 buffers of 16 MiB fed one by one put
 * the last event past 4 GiB, without holding more than a buffer. */
static void offsets_past_4_gib(void **state)
{
    (void)state;
    const uint32_t S = 16u << 20;
    struct tb body, head, data;
    tb_init(&body);
    tb_init(&head);
    tb_init(&data);
    tb_free_record(&body, ETWHF_HDR_SYSTEM64, 1, 2, 3);
    struct tb_logfile lf;
    tb_logfile_default(&lf, S, 258);
    tb_trace(&head, S, &lf, NULL, 0);
    tb_buffer(&data, S, 0x20, ETWHF_BT_GENERIC, &body);
    struct etwhf_event last;
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    o.on_event = keep_last;
    o.user = &last;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_int_equal(etwhf_decode_feed(d, head.p, head.len), ETWHF_OK);
    for (int i = 0; i < 257; i++)
        assert_int_equal(etwhf_decode_feed(d, data.p, data.len), ETWHF_OK);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_OK);
    const struct etwhf_summary *s = etwhf_decoder_summary(d);
    assert_int_equal(s->buffers, 258);
    assert_int_equal(s->heap_free, 257);
    assert_int_equal(s->errors + s->warnings, 0);
    assert_int_equal(s->bytes, UINT64_C(258) << 24);
    assert_int_equal(last.buffer, 257);
    assert_int_equal(last.offset, UINT64_C(0x101000048)); /* 257 * 16 MiB + 0x48 */
    etwhf_decoder_free(d);
    tb_free(&body);
    tb_free(&head);
    tb_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_any_chunking),      cmocka_unit_test(large_sample_any_chunking),
        cmocka_unit_test(built_traces_any_chunking), cmocka_unit_test(bare_records_any_chunking),
        cmocka_unit_test(done_and_states),           cmocka_unit_test(callback_abort_invalidates),
        cmocka_unit_test(fd_reader_stops_early),     cmocka_unit_test(options_abi),
        cmocka_unit_test(offsets_past_4_gib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
