/*
 * test_diags.c — every diagnostic code of docs/spec/diagnostics.md §2 on a hand-built
 * input, with a hand-written expectation of the whole output in recover mode
 * (codes, buffers, offsets, order, the events still delivered after each
 * defect, summary counts) and in strict mode (the first error and the counts
 * reached there). dl_expect also checks that every chunking agrees.
 *
 * Layout of the uncompressed traces (stride 0x200): buffer 0 holds the
 * logfile record [0x48, 0x188); buffer i starts at i*0x200 and its records,
 * 0x38 bytes each (SYSTEM64 HeapFree, Source 1, 2, 3…), at +0x48, +0x80,
 * +0xB8, +0xF0. Compressed traces: buffer 0 spans 0x400; a compressed buffer
 * of two frees spans 0xC8 (0x70 bytes in four literal groups), one of a
 * single free 0x88.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dlog.h"
#include "tb.h"

#define S 0x200u

static void frees(struct tb *body, int n)
{
    for (int i = 0; i < n; i++)
        tb_free_record(body, ETWHF_HDR_SYSTEM64, 0x7FF600000000 + (uint64_t)i, 0x7FF600010000 + (uint64_t)i,
                       (uint32_t)(1 + i % 5));
}

/* Buffer 0 with the logfile record `lf` (NULL: defaults, BuffersWritten =
 * nbuf + 1), then nbuf buffers of `per` frees each. */
static void trace(struct tb *file, const struct tb_logfile *lf, int nbuf, int per)
{
    struct tb bodies[4];
    for (int i = 0; i < nbuf; i++) {
        tb_init(&bodies[i]);
        frees(&bodies[i], per);
    }
    tb_init(file);
    tb_trace(file, S, lf, bodies, (size_t)nbuf);
    for (int i = 0; i < nbuf; i++)
        tb_free(&bodies[i]);
}

/* Compressed: buffer 1 holds two frees, buffer 2 (when nbuf = 2) one. */
static void ctrace(struct tb *file, int nbuf)
{
    struct tb bodies[2];
    for (int i = 0; i < nbuf; i++) {
        tb_init(&bodies[i]);
        frees(&bodies[i], 2 - i);
    }
    tb_init(file);
    tb_ctrace(file, bodies, (size_t)nbuf);
    for (int i = 0; i < nbuf; i++)
        tb_free(&bodies[i]);
}

static struct tb_logfile lf_default(int nbuf)
{
    struct tb_logfile lf;
    tb_logfile_default(&lf, S, (uint32_t)nbuf + 1);
    return lf;
}

static void expect(const struct tb *file, size_t len, const char *recover, const char *strict)
{
    dl_expect(NULL, file->p, len, recover, strict);
}

static void expect_limit(const struct tb *file, uint64_t limit, const char *recover, const char *strict)
{
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    o.buffer_limit = limit;
    dl_expect(&o, file->p, file->len, recover, strict);
}

/* The message of the first diagnostic with `code` contains `text`. */
static void expect_message(const struct tb *file, size_t len, int code, const char *text)
{
    struct dlog l = {0};
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    dl_run(&l, &o, file->p, len, DL_ONE_FEED, 0);
    size_t i = 0;
    while (i < l.ndg && l.dg[i].code != code)
        i++;
    assert_true(i < l.ndg);
    if (!strstr(l.dg[i].message, text))
        print_error("message \"%s\" lacks \"%s\"\n", l.dg[i].message, text);
    assert_non_null(strstr(l.dg[i].message, text));
    dl_free(&l);
}

static void intact_trace_has_no_diagnostic(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 2, 2);
    const char *want =
        "F@1:0x248 s=1\nF@1:0x280 s=2\nF@2:0x448 s=1\nF@2:0x480 s=2\n"
        "S b=3 k=0 t=5 f=4 a=0 r=0 e=0 w=0\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
    ctrace(&f, 2);
    want = "F@1:0x400+0x48 s=1\nF@1:0x400+0x80 s=2\nF@2:0x4c8+0x48 s=1\nS b=3 k=0 t=4 f=3 a=0 r=0 e=0 w=0\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
}

static void file_empty_1(void **state)
{
    (void)state;
    const char *want = "E1@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n";
    dl_expect(NULL, "", 0, want, want);
}

static void file_too_short_2(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 1, 2);
    const char *want = "E2@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n";
    expect(&f, 1, want, want);
    expect(&f, 0x47, want, want);
    expect_message(&f, 0x47, ETWHF_DIAG_FILE_TOO_SHORT, "71 bytes");
    tb_free(&f);
}

static void logfile_missing_3(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 1, 2);
    /* HookId 0x0005: the record is walked as an ordinary one, no F5. */
    tb_set_u16(&f, 0x4E, 5);
    expect(&f, f.len, "E3@0:0x48\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "E3@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    expect_message(&f, f.len, ETWHF_DIAG_LOGFILE_MISSING, "HookId");
    tb_free(&f);

    /* 0x48 <= n < 0x50: no 8 bytes to probe; buffer 0 is then truncated. */
    trace(&f, NULL, 1, 2);
    expect(&f, 0x4C, "E3@0:0x48\nE9@0:0x0\nS b=1 k=0 t=0 f=0 a=0 r=0 e=2 w=0\n",
           "E3@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");

    /* Size past the input: the probe waits to the end; the walk then finds it too long. */
    tb_set_u16(&f, 0x4C, 0xFFF0);
    expect(&f, f.len, "E3@0:0x48\nE22@0:0x48\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=2 f=2 a=0 r=0 e=2 w=0\n",
           "E3@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* HeaderType 4 (compact): not a logfile record, walked as a compact one. */
    trace(&f, NULL, 1, 1);
    tb_set_u8(&f, 0x4A, 0x04);
    expect(&f, f.len, "E3@0:0x48\nF@1:0x248 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n",
           "E3@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
}

static void logfile_short_4(void **state)
{
    (void)state;
    struct tb_logfile lf = lf_default(1);
    lf.payload_cut = 0x117; /* one byte short of the 64-bit layout */
    struct tb f;
    trace(&f, &lf, 1, 2);
    expect(&f, f.len, "E4@0:0x48\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "E4@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    expect_message(&f, f.len, ETWHF_DIAG_LOGFILE_SHORT, "279 bytes");
    tb_free(&f);

    lf.width = 4;
    lf.payload_cut = 0x10F;
    trace(&f, &lf, 1, 1);
    expect(&f, f.len, "E4@0:0x48\nF@1:0x248 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n",
           "E4@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* Exactly the 32-bit layout, no names: read. */
    lf.payload_cut = 0x110;
    trace(&f, &lf, 1, 1);
    const char *want = "F@1:0x248 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
}

static void logfile_pointer_size_5(void **state)
{
    (void)state;
    struct tb_logfile lf = lf_default(1);
    lf.pointer_size = 6;
    struct tb f;
    trace(&f, &lf, 1, 2);
    const char *want = "W5@0:0x48\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=0 w=1\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
}

static void logfile_buffer_size_6(void **state)
{
    (void)state;
    const char *want = "W6@0:0x48\nF@1:0x248 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=1\n";
    struct tb_logfile lf = lf_default(1);
    struct tb f;
    lf.buffer_size = 0x1FC; /* not a multiple of 8: stride from buffer 0 */
    trace(&f, &lf, 1, 1);
    expect(&f, f.len, want, want);
    tb_free(&f);
    lf.buffer_size = 0x40; /* below 0x48 */
    trace(&f, &lf, 1, 1);
    expect(&f, f.len, want, want);
    tb_free(&f);
    lf.buffer_size = 0x400; /* above the limit */
    trace(&f, &lf, 1, 1);
    expect_limit(&f, 0x300, want, want);
    tb_free(&f);
}

/* F5.1: BuffersWritten below the positions, or above them in a circular
 * log; above them in any other log is a cut at a buffer boundary (F5.2,
 * TRUNCATED_TAIL at the end of the input, buffer = the first one missing). */
static void buffers_written_7(void **state)
{
    (void)state;
    struct tb_logfile lf = lf_default(1);
    lf.buffers_written = 1;
    struct tb f;
    trace(&f, &lf, 1, 2);
    const char *want = "F@1:0x248 s=1\nF@1:0x280 s=2\nW7@0:0x48\nS b=2 k=0 t=3 f=2 a=0 r=0 e=0 w=1\n";
    expect(&f, f.len, want, want);
    expect_message(&f, f.len, ETWHF_DIAG_BUFFERS_WRITTEN, "BuffersWritten 1 differs from the 2 buffer positions");
    tb_free(&f);

    lf.buffers_written = 7;
    lf.mode |= ETWHF_LOGFILE_MODE_CIRCULAR;
    trace(&f, &lf, 1, 2);
    expect(&f, f.len, want, want);
    tb_free(&f);

    lf.mode &= ~ETWHF_LOGFILE_MODE_CIRCULAR;
    trace(&f, &lf, 1, 2);
    const char *cut = "F@1:0x248 s=1\nF@1:0x280 s=2\nE9@2:0x400\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *stop = "F@1:0x248 s=1\nF@1:0x280 s=2\nE9@2:0x400\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    expect(&f, f.len, cut, stop);
    expect_message(&f, f.len, ETWHF_DIAG_TRUNCATED_TAIL, "where buffer position 2 would begin");
    tb_free(&f);
}

static void events_lost_8(void **state)
{
    (void)state;
    struct tb_logfile lf = lf_default(1);
    lf.events_lost = 3;
    lf.buffers_lost = 1; /* both counted: still one diagnostic */
    struct tb f;
    trace(&f, &lf, 1, 2);
    tb_set_u16(&f, S + TB_FLAGS, 0x22);
    const char *want = "W8@0:0x48\nW8@1:0x200\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=0 w=2\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
    trace(&f, NULL, 1, 1);
    tb_set_u16(&f, S + TB_FLAGS, 0x24); /* BUFFER_LOST */
    want = "W8@1:0x200\nF@1:0x248 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=1\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
}

static void truncated_tail_9(void **state)
{
    (void)state;
    struct tb f;
    /* B1: 0x20 bytes of buffer 2; it counts as a position (BuffersWritten 3 holds). */
    trace(&f, NULL, 2, 2);
    const char *want = "F@1:0x248 s=1\nF@1:0x280 s=2\nE9@2:0x400\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    expect(&f, 0x420, want, want);
    tb_free(&f);

    /* B4: cut inside the third record of buffer 1; it fits before
     * SavedOffset, so it ends the walk silently. */
    trace(&f, NULL, 1, 3);
    expect(&f, 0x2C8, "E9@1:0x200\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    expect(&f, 0x2BC, "E9@1:0x200\nF@1:0x248 s=1\nF@1:0x280 s=2\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    /* Cut inside the filler: every record is there. */
    expect(&f, 0x380, "E9@1:0x200\nF@1:0x248 s=1\nF@1:0x280 s=2\nF@1:0x2b8 s=3\nS b=2 k=0 t=4 f=3 a=0 r=0 e=1 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* B4 then R5: a record running past SavedOffset is still RECORD_SIZE. */
    struct tb body;
    tb_init(&body);
    frees(&body, 1);
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, 8, 1, 2, 3);
    struct tb_rec big = {.hdr = ETWHF_HDR_SYSTEM64,
                         .heap = 1,
                         .type = ETWHF_HEAP_FREE,
                         .version = 2,
                         .payload = pay.p,
                         .payload_len = pay.len,
                         .size_delta = 0x1F0 - 0x34};
    tb_record(&body, &big);
    tb_init(&f);
    tb_trace(&f, S, NULL, &body, 1);
    expect(&f, 0x290, "E9@1:0x200\nF@1:0x248 s=1\nE22@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=2 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    expect(&f, f.len, "F@1:0x248 s=1\nE22@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n",
           "F@1:0x248 s=1\nE22@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
    tb_free(&pay);
    tb_free(&body);

    /* B4 then B5 / B6 over the bytes present. */
    trace(&f, NULL, 1, 2);
    tb_set_u16(&f, S + TB_FLAGS, 0x60);
    expect(&f, 0x300, "E9@1:0x200\nE12@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=2 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
    trace(&f, NULL, 1, 2);
    tb_set_u32(&f, S + TB_SAVED, 0x40);
    expect(&f, 0x300, "E9@1:0x200\nE11@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=2 w=0\n",
           "E9@1:0x200\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* C3: a cut compressed buffer ends the file, nothing of it is walked. */
    ctrace(&f, 2);
    assert_int_equal(f.len, 0x550);
    want = "F@1:0x400+0x48 s=1\nF@1:0x400+0x80 s=2\nE9@2:0x4c8\nS b=2 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    expect(&f, 0x520, want, want);
    expect(&f, 0x4D0, want, want); /* inside its header: B1 */
    tb_free(&f);
}

static void buffer_size_10(void **state)
{
    (void)state;
    struct tb f;
    /* F3 without a logfile: buffer 0's BufferSize is no stride; nothing visited. */
    trace(&f, NULL, 1, 2);
    tb_set_u16(&f, 0x4E, 5);
    tb_set_u32(&f, TB_BSIZE, 0x20);
    expect(&f, f.len, "E3@0:0x48\nE10@0:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=2 w=0\n",
           "E3@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* F3 with a logfile: LOGFILE_BUFFER_SIZE, BUFFER_SIZE, then F5 sees 0 positions. */
    struct tb_logfile lf = lf_default(1);
    lf.buffer_size = 0x1FC;
    trace(&f, &lf, 1, 2);
    tb_set_u32(&f, TB_BSIZE, 0xFFFFFFFF);
    expect(&f, f.len, "W6@0:0x48\nE10@0:0x0\nW7@0:0x48\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=2\n",
           "W6@0:0x48\nE10@0:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=1\n");
    tb_free(&f);

    /* B3: skipped by the stride; the next buffer is decoded. */
    trace(&f, NULL, 2, 2);
    tb_set_u32(&f, S + TB_BSIZE, 0x400);
    const char *recover = "E10@1:0x200\nF@2:0x448 s=1\nF@2:0x480 s=2\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *strict = "E10@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n";
    expect(&f, f.len, recover, strict);
    expect_message(&f, f.len, ETWHF_DIAG_BUFFER_SIZE, "BufferSize 1024 differs from the stride 512");
    tb_set_u32(&f, S + TB_BSIZE, 0);
    expect(&f, f.len, recover, strict);
    tb_set_u32(&f, S + TB_BSIZE, 0xFFFFFFFF);
    expect(&f, f.len, recover, strict);
    tb_free(&f);

    /* B3 on a cut last buffer: no TRUNCATED_TAIL, and it was a position. */
    trace(&f, NULL, 2, 2);
    tb_set_u32(&f, 2 * S + TB_BSIZE, 0);
    expect(&f, 0x500, "F@1:0x248 s=1\nF@1:0x280 s=2\nE10@2:0x400\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "F@1:0x248 s=1\nF@1:0x280 s=2\nE10@2:0x400\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* C3, BufferSize below 0x48: the file ends (2 of 3 positions). */
    ctrace(&f, 2);
    tb_set_u32(&f, 0x400 + TB_BSIZE, 0x20);
    expect(&f, f.len, "E10@1:0x400\nW7@0:0x48\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=1\n",
           "E10@1:0x400\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* C3, BufferSize above the limit: BUFFER_SIZE when the bytes are there,
     * TRUNCATED_TAIL when they are not. */
    ctrace(&f, 1);
    tb_fill(&f, 0, 0x1000);
    tb_set_u32(&f, 0x400 + TB_BSIZE, 0x800);
    expect_limit(&f, 0x400, "E10@1:0x400\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n",
                 "E10@1:0x400\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_set_u32(&f, 0x400 + TB_BSIZE, 0x2000);
    expect_limit(&f, 0x400, "E9@1:0x400\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n",
                 "E9@1:0x400\nS b=1 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
}

static void saved_offset_11(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 2, 2);
    const char *recover = "E11@1:0x200\nF@2:0x448 s=1\nF@2:0x480 s=2\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *strict = "E11@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n";
    tb_set_u32(&f, S + TB_SAVED, 0x40); /* B6, below the header */
    expect(&f, f.len, recover, strict);
    tb_set_u32(&f, S + TB_SAVED, S + 8); /* B6, past BufferSize */
    expect(&f, f.len, recover, strict);
    expect_message(&f, f.len, ETWHF_DIAG_SAVED_OFFSET, "SavedOffset 520 is past BufferSize 512");
    tb_free(&f);

    /* C4: the expansion would exceed the limit. */
    ctrace(&f, 2);
    tb_set_u32(&f, 0x400 + TB_SAVED, 0x48 + 0x401);
    expect_limit(&f, 0x400, "E11@1:0x400\nF@2:0x4c8+0x48 s=1\nS b=2 k=1 t=2 f=1 a=0 r=0 e=1 w=0\n",
                 "E11@1:0x400\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_set_u32(&f, 0x400 + TB_SAVED, 0x30);
    expect(&f, f.len, "E11@1:0x400\nF@2:0x4c8+0x48 s=1\nS b=2 k=1 t=2 f=1 a=0 r=0 e=1 w=0\n",
           "E11@1:0x400\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    /* C5: buffer 0 of a compressed file, past its BufferSize; the logfile
     * was still read (F2 ignores buffer 0's header). */
    ctrace(&f, 1);
    tb_set_u32(&f, TB_SAVED, 0x500);
    expect(&f, f.len, "E11@0:0x0\nF@1:0x400+0x48 s=1\nF@1:0x400+0x80 s=2\nS b=1 k=1 t=2 f=2 a=0 r=0 e=1 w=0\n",
           "E11@0:0x0\nS b=0 k=1 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
}

/* B6.0, C5.0: SavedOffset 0 with the data end in Offset (+0x30), as a Windows 7
 * relogger wrote its header buffer: walked to Offset, exactly as if SavedOffset
 * said it; with Offset unusable as well, B6.1 skips the buffer. */
static void saved_offset_zero_b6_0(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 2, 2);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    struct dlog whole = {0}, zero = {0};
    dl_run(&whole, &o, f.p, f.len, DL_ONE_FEED, 0);
    const size_t b1 = S; /* data buffer 1: two events, as buffer 2 */
    assert_int_equal(tb_get_u32(&f, b1 + ETWHF_BH_OFFSET), tb_get_u32(&f, b1 + TB_SAVED));
    tb_set_u32(&f, b1 + TB_SAVED, 0);
    dl_run(&zero, &o, f.p, f.len, 7, 0);
    assert_string_equal(dl_brief(&zero), dl_brief(&whole));
    assert_non_null(strstr(dl_brief(&zero), "F@1:0x280 s=2"));
    const char *recover = "E11@1:0x200\nF@2:0x448 s=1\nF@2:0x480 s=2\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *strict = "E11@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n";
    tb_set_u32(&f, b1 + ETWHF_BH_OFFSET, 0x40);
    expect(&f, f.len, recover, strict);
    tb_set_u32(&f, b1 + ETWHF_BH_OFFSET, S + 8);
    expect(&f, f.len, recover, strict);
    dl_free(&whole);
    dl_free(&zero);
    tb_free(&f);
}

static void compressed_unsupported_12(void **state)
{
    (void)state;
    struct tb f;
    trace(&f, NULL, 2, 2); /* B5 */
    tb_set_u16(&f, S + TB_FLAGS, 0x60);
    expect(&f, f.len, "E12@1:0x200\nF@2:0x448 s=1\nF@2:0x480 s=2\nS b=2 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n",
           "E12@1:0x200\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&f);

    const char *recover = "E12@1:0x400\nE12@2:0x4c8\nS b=1 k=2 t=1 f=0 a=0 r=0 e=2 w=0\n";
    const char *strict = "E12@1:0x400\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n";
    ctrace(&f, 2); /* C4: format 2 (LZNT1) in buffer 0's State */
    tb_set_u32(&f, TB_STATE, 2);
    expect(&f, f.len, recover, strict);
    expect_message(&f, f.len, ETWHF_DIAG_COMPRESSED_UNSUPPORTED, "format 2");
    tb_free(&f);

    ctrace(&f, 2); /* C4: a decoder without decompressor */
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    o.no_decompress = 1;
    dl_expect(&o, f.p, f.len, recover, strict);
    tb_free(&f);
}

static void decompress_13(void **state)
{
    (void)state;
    struct tb f;
    const char *strict = "E13@1:0x400\nS b=1 k=1 t=1 f=0 a=0 r=0 e=1 w=0\n";
    ctrace(&f, 2); /* the stream ends 8 bytes before SavedOffset - 0x48 */
    tb_set_u32(&f, 0x400 + TB_SAVED, 0x48 + 0x70 + 8);
    expect(&f, f.len, "E13@1:0x400\nF@2:0x4c8+0x48 s=1\nS b=2 k=1 t=2 f=1 a=0 r=0 e=1 w=0\n", strict);
    tb_free(&f);

    /* A back-reference before the output's start: flag bit 31 set, match 0. */
    static const uint8_t bad[] = {0x00, 0x00, 0x00, 0x80, 0x00, 0x00};
    struct tb body;
    tb_init(&body);
    frees(&body, 1);
    ctrace(&f, 0);
    tb_cbuffer_raw(&f, bad, sizeof bad, 3);
    tb_cbuffer(&f, &body);
    tb_set_u32(&f, 0x24 + 0x48 + 0x20, 3); /* BuffersWritten */
    expect(&f, f.len, "E13@1:0x400\nF@2:0x44e+0x48 s=1\nS b=2 k=1 t=2 f=1 a=0 r=0 e=1 w=0\n", strict);
    expect_message(&f, f.len, ETWHF_DIAG_DECOMPRESS, "back-reference");
    tb_free(&f);

    /* Input left over after the output is complete is ignored. */
    struct tb stream;
    tb_init(&stream);
    tb_xpress_literal(&stream, body.p, body.len);
    tb_fill(&stream, 0xAB, 5);
    ctrace(&f, 0);
    tb_cbuffer_raw(&f, stream.p, stream.len, body.len);
    tb_set_u32(&f, 0x24 + 0x48 + 0x20, 2);
    const char *want = "F@1:0x400+0x48 s=1\nS b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
    tb_free(&stream);
    tb_free(&body);
}

/* Buffer 1: a free at 0x248, a second record at 0x280 built by `second`,
 * then a free with Source 3; buffer 2: one free. */
static void around(struct tb *f, void (*second)(struct tb *body))
{
    struct tb bodies[2];
    tb_init(&bodies[0]);
    tb_init(&bodies[1]);
    tb_free_record(&bodies[0], ETWHF_HDR_SYSTEM64, 0x10, 0x20, 1);
    second(&bodies[0]);
    tb_free_record(&bodies[0], ETWHF_HDR_SYSTEM64, 0x10, 0x40, 3);
    tb_free_record(&bodies[1], ETWHF_HDR_SYSTEM64, 0x10, 0x50, 1);
    tb_init(f);
    tb_trace(f, S, NULL, bodies, 2);
    tb_free(&bodies[0]);
    tb_free(&bodies[1]);
}

static void plain_free(struct tb *body)
{
    tb_free_record(body, ETWHF_HDR_SYSTEM64, 0x10, 0x30, 2);
}

static void marker_20_header_type_21(void **state)
{
    (void)state;
    struct tb f;
    around(&f, plain_free);
    const char *strict20 = "F@1:0x248 s=1\nE20@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n";
    tb_set_u8(&f, 0x283, 0x40); /* byte 3 lacks 0x80: the rest of buffer 1 is abandoned */
    expect(&f, f.len, "F@1:0x248 s=1\nE20@1:0x280\nF@2:0x448 s=1\nS b=3 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n", strict20);
    tb_set_u8(&f, 0x283, 0x00);
    expect(&f, f.len, "F@1:0x248 s=1\nE20@1:0x280\nF@2:0x448 s=1\nS b=3 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n", strict20);

    const char *recover21 = "F@1:0x248 s=1\nE21@1:0x280\nF@2:0x448 s=1\nS b=3 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *strict21 = "F@1:0x248 s=1\nE21@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n";
    tb_set_u8(&f, 0x283, 0xC0);
    tb_set_u8(&f, 0x282, 0x0C); /* TIMED: not one of the 12 */
    expect(&f, f.len, recover21, strict21);
    tb_set_u8(&f, 0x282, 0x02);
    tb_set_u8(&f, 0x283, 0x80); /* neither 0x40 nor 0x10 */
    expect(&f, f.len, recover21, strict21);
    tb_set_u8(&f, 0x283, 0xA0);
    expect(&f, f.len, recover21, strict21);
    tb_free(&f);
}

static void record_size_22(void **state)
{
    (void)state;
    struct tb f;
    around(&f, plain_free);
    const char *recover = "F@1:0x248 s=1\nE22@1:0x280\nF@2:0x448 s=1\nS b=3 k=0 t=3 f=2 a=0 r=0 e=1 w=0\n";
    const char *strict = "F@1:0x248 s=1\nE22@1:0x280\nS b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n";
    tb_set_u16(&f, 0x284, 0x1F); /* below the 0x20 header */
    expect(&f, f.len, recover, strict);
    tb_set_u16(&f, 0x284, 0);
    expect(&f, f.len, recover, strict);
    tb_set_u16(&f, 0x284, 0xFFF8); /* past SavedOffset 0x48 + 3 * 0x38 = 0xF0 = 240 */
    expect(&f, f.len, recover, strict);
    expect_message(&f, f.len, ETWHF_DIAG_RECORD_SIZE, "record size 65528 at buffer +0x80 runs past SavedOffset 240");
    tb_set_u16(&f, 0x284, 0x71); /* ends at 0xF1, one byte past SavedOffset */
    expect(&f, f.len, recover, strict);
    tb_set_u16(&f, 0x284, 0x70); /* ends exactly at SavedOffset: fine, swallows the third free */
    expect(&f, f.len, "F@1:0x248 s=1\nW26@1:0x280\nF@1:0x280 s=2\nF@2:0x448 s=1\nS b=3 k=0 t=4 f=3 a=0 r=0 e=0 w=1\n",
           "F@1:0x248 s=1\nW26@1:0x280\nF@1:0x280 s=2\nF@2:0x448 s=1\nS b=3 k=0 t=4 f=3 a=0 r=0 e=0 w=1\n");
    tb_free(&f);
}

static void perfinfo_free(struct tb *body)
{
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, 8, 0x10, 0x30, 2);
    struct tb_rec r = {.hdr = ETWHF_HDR_PERFINFO64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(body, &r); /* Size 0x24, spans 0x28 */
    tb_free(&pay);
}

static void perfinfo_ext_23(void **state)
{
    (void)state;
    struct tb f;
    around(&f, perfinfo_free);
    const char *strict = "F@1:0x248 s=1\nE23@1:0x280\nS b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n";
    tb_set_u8(&f, 0x281, 0x87); /* 7 PMC counters and PEBS: payload at 0x50 > Size 0x24 */
    expect(&f, f.len, "F@1:0x248 s=1\nE23@1:0x280\nF@1:0x2a8 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=3 a=0 r=0 e=1 w=0\n",
           strict);
    tb_set_u8(&f, 0x281, 0x02); /* 2 counters: payload at 0x20 leaves 4 bytes: short */
    expect(&f, f.len, "F@1:0x248 s=1\nE25@1:0x280\nF@1:0x2a8 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=3 a=0 r=0 e=1 w=0\n",
           "F@1:0x248 s=1\nE25@1:0x280\nS b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n");
    tb_set_u8(&f, 0x286, 0x00); /* not a heap hook: any perfinfo record is checked */
    tb_set_u8(&f, 0x287, 0x05);
    tb_set_u8(&f, 0x281, 0x87);
    expect(&f, f.len, "F@1:0x248 s=1\nE23@1:0x280\nF@1:0x2a8 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=3 a=0 r=0 e=1 w=0\n",
           strict);
    tb_free(&f);
}

static void event_with_items(struct tb *body, const uint8_t *items, size_t n)
{
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, 8, 0x10, 0x30, 2);
    struct tb_rec r = {.hdr = ETWHF_HDR_EVENT64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .ext = items,
                       .ext_len = n,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(body, &r);
    tb_free(&pay);
}

/* 8 bytes of items: Size 0x50 + 8 + 20 = 0x6C, next record at 0x2F0. */
static void items_short_size(struct tb *body)
{
    static const uint8_t items[] = {0x04, 0, 0x01, 0, 0, 0, 0, 0}; /* ItemSize 4 */
    event_with_items(body, items, sizeof items);
}

static void items_past_record(struct tb *body)
{
    static const uint8_t items[] = {0x00, 0x01, 0x01, 0, 0, 0, 0, 0}; /* ItemSize 0x100 */
    event_with_items(body, items, sizeof items);
}

static void items_chain_runs_out(struct tb *body)
{
    /* Four 8-byte items, each saying another follows: after the last one the
     * chain needs 8 more bytes than Size (0x70) has. No payload. */
    uint8_t items[32];
    for (int i = 0; i < 4; i++)
        memcpy(items + 8 * i, (const uint8_t[8]){0x08, 0, 0x01, 0, 0x01, 0, 0, 0}, 8);
    struct tb_rec r = {.hdr = ETWHF_HDR_EVENT64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .ext = items,
                       .ext_len = sizeof items};
    tb_record(body, &r);
}

static void ext_item_24(void **state)
{
    (void)state;
    void (*const shapes[])(struct tb *) = {items_short_size, items_past_record, items_chain_runs_out};
    for (size_t i = 0; i < 3; i++) {
        struct tb f;
        around(&f, shapes[i]);
        expect(&f, f.len,
               "F@1:0x248 s=1\nE24@1:0x280\nF@1:0x2f0 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=3 a=0 r=0 e=1 w=0\n",
               "F@1:0x248 s=1\nE24@1:0x280\nS b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n");
        tb_free(&f);
    }
}

static void short_free(struct tb *body)
{
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, 8, 0x10, 0x30, 2);
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = 12}; /* the 32-bit length in a 64-bit record */
    tb_record(body, &r);                   /* Size 0x2C, next at 0x2B0 */
    tb_free(&pay);
}

static void long_free(struct tb *body)
{
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, 8, 0x10, 0x30, 2);
    tb_u32(&pay, 0xDEADBEEF);
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(body, &r); /* Size 0x38, next at 0x2B8 */
    tb_free(&pay);
}

static void heap_payload_25_26(void **state)
{
    (void)state;
    struct tb f;
    around(&f, short_free);
    expect(&f, f.len, "F@1:0x248 s=1\nE25@1:0x280\nF@1:0x2b0 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=3 a=0 r=0 e=1 w=0\n",
           "F@1:0x248 s=1\nE25@1:0x280\nS b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n");
    expect_message(&f, f.len, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, "12 bytes is shorter than the 20-byte minimum");
    tb_free(&f);
    around(&f, long_free);
    const char *want =
        "F@1:0x248 s=1\nW26@1:0x280\nF@1:0x280 s=2\nF@1:0x2b8 s=3\nF@2:0x448 s=1\nS b=3 k=0 t=5 f=4 a=0 r=0 e=0 w=1\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
}

static void source_27_28_in_a_file(void **state)
{
    (void)state;
    struct tb body, f;
    tb_init(&body);
    tb_init(&f);
    tb_free_record(&body, ETWHF_HDR_SYSTEM64, 1, 2, 6);
    tb_free_record(&body, ETWHF_HDR_SYSTEM32, 1, 2, 0);
    tb_trace(&f, S, NULL, &body, 1);
    const char *want = "W27@1:0x248\nF@1:0x248 s=6\nW28@1:0x280\nF@1:0x280 s=0\nS b=2 k=0 t=3 f=2 a=0 r=0 e=0 w=2\n";
    expect(&f, f.len, want, want);
    tb_free(&f);
    tb_free(&body);
}

/* Record diagnostics inside an expanded buffer carry inner offsets. */
static void record_diag_in_a_compressed_buffer(void **state)
{
    (void)state;
    struct tb body, f;
    tb_init(&body);
    tb_free_record(&body, ETWHF_HDR_SYSTEM64, 0x10, 0x20, 1);
    short_free(&body);
    tb_free_record(&body, ETWHF_HDR_SYSTEM64, 0x10, 0x40, 3);
    tb_init(&f);
    tb_ctrace(&f, &body, 1);
    expect(&f, f.len, "F@1:0x400+0x48 s=1\nE25@1:0x400+0x80\nF@1:0x400+0xb0 s=3\nS b=2 k=0 t=4 f=2 a=0 r=0 e=1 w=0\n",
           "F@1:0x400+0x48 s=1\nE25@1:0x400+0x80\nS b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n");
    tb_free(&f);
    tb_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intact_trace_has_no_diagnostic),
        cmocka_unit_test(file_empty_1),
        cmocka_unit_test(file_too_short_2),
        cmocka_unit_test(logfile_missing_3),
        cmocka_unit_test(logfile_short_4),
        cmocka_unit_test(logfile_pointer_size_5),
        cmocka_unit_test(logfile_buffer_size_6),
        cmocka_unit_test(buffers_written_7),
        cmocka_unit_test(events_lost_8),
        cmocka_unit_test(truncated_tail_9),
        cmocka_unit_test(buffer_size_10),
        cmocka_unit_test(saved_offset_11),
        cmocka_unit_test(saved_offset_zero_b6_0),
        cmocka_unit_test(compressed_unsupported_12),
        cmocka_unit_test(decompress_13),
        cmocka_unit_test(marker_20_header_type_21),
        cmocka_unit_test(record_size_22),
        cmocka_unit_test(perfinfo_ext_23),
        cmocka_unit_test(ext_item_24),
        cmocka_unit_test(heap_payload_25_26),
        cmocka_unit_test(source_27_28_in_a_file),
        cmocka_unit_test(record_diag_in_a_compressed_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
