/*
 * test_planted_seeds — one hand-built input per planted benchmark bug
 * (testing/planted.h), each meeting every condition of its bug.
 *
 * In every build: the decoder's output on each input is the one docs/spec/walk.md
 * gives (a hand-written brief log plus the fields the bug would change), so a
 * planted bug can never hide in a normal build.
 * In a build with ETWHF_PLANTED_BUGS: each input also triggers its own
 * canary; switched off, the output stays correct; switched on alone, the
 * output changes. That proves every canary is wired to a reachable,
 * observable bug, which the fuzzing benchmark (bench/run --bugs) relies on.
 *
 * Layout (stride 0x200 unless said): buffer 0 holds the 64-bit logfile
 * record (PointerSize 8) at 0x48; data buffer i starts at i*0x200, records
 * from +0x48. A SYSTEM64 HeapFree record spans 0x38 bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlog.h"
#include "tb.h"

#if ETWHF_PLANTED_BUGS
#include "planted.h"
#endif

#define S 0x200u
#define HANDLE UINT64_C(0x7FF600000000)
#define ADDR UINT64_C(0x7FF600010000)

static void free64(struct tb *body, uint32_t source)
{
    tb_free_record(body, ETWHF_HDR_SYSTEM64, HANDLE, ADDR, source);
}

/* Buffer 0 and one data buffer per body (BuffersWritten = n + 1). */
static void trace(struct tb *out, struct tb *bodies, size_t n)
{
    tb_init(out);
    tb_trace(out, S, NULL, bodies, n);
    for (size_t i = 0; i < n; i++)
        tb_free(&bodies[i]);
}

static void one_buffer(struct tb *out, struct tb *body)
{
    trace(out, body, 1);
}

/* ---- payload layer ---- */

static void seed_free_source_offset(struct tb *out)
{
    struct tb body;
    tb_init(&body);
    free64(&body, 3); /* payload bytes 8-11 hold the address's low half, not 3 */
    one_buffer(out, &body);
}

static void seed_long_slack(struct tb *out)
{
    struct tb body, pay;
    tb_init(&body), tb_init(&pay);
    tb_free_payload(&pay, 8, HANDLE, ADDR, 2);
    tb_fill(&pay, 0xAB, 2); /* two bytes past the 20-byte minimum */
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(&body, &r);
    tb_free(&pay);
    one_buffer(out, &body);
}

static void seed_realloc32_sizes(struct tb *out)
{
    struct tb body, pay;
    tb_init(&body), tb_init(&pay);
    tb_realloc_payload(&pay, 4, 0x00A00000, 0x00A10000, 0x00A20000, 0x80, 0x40, 1);
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM32,
                       .heap = 1,
                       .type = ETWHF_HEAP_REALLOC,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(&body, &r);
    tb_free(&pay);
    one_buffer(out, &body);
}

/* ---- record layer ---- */

static void seed_message_size(struct tb *out)
{
    struct tb body;
    tb_init(&body);
    static const uint8_t args[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct tb_rec m = {.hdr = ETWHF_HDR_MESSAGE, .payload = args, .payload_len = sizeof args};
    size_t at = tb_record(&body, &m);
    tb_set_u16(&body, at + 4, 0x28); /* MessageNumber: 0x28, not the Size 0x10 */
    free64(&body, 1);
    one_buffer(out, &body);
}

static void seed_filler_low16(struct tb *out)
{
    struct tb body;
    tb_init(&body);
    free64(&body, 1);
    struct tb_rec r = {.hdr = ETWHF_HDR_FULL64, .type = 0x24, .version = 2};
    size_t at = tb_record(&body, &r);
    tb_set_u16(&body, at, 0xFFFF); /* Size 0xFFFF: past SavedOffset */
    one_buffer(out, &body);
}

static void seed_perfinfo_pmc(struct tb *out)
{
    struct tb body, pay;
    tb_init(&body), tb_init(&pay);
    tb_free_payload(&pay, 8, HANDLE, ADDR, 4);
    /* Three PMC counters announced, none written: the extension ends at
     * +0x28, past Size 0x24. */
    struct tb_rec r = {.hdr = ETWHF_HDR_PERFINFO64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .pmc = 3,
                       .payload = pay.p,
                       .payload_len = pay.len,
                       .size_delta = -24};
    tb_record(&body, &r);
    body.len = 0x28; /* drop the zero counters and the payload: Size 0x24 + pad */
    free64(&body, 5);
    tb_free(&pay);
    one_buffer(out, &body);
}

static void seed_ext_datasize(struct tb *out)
{
    struct tb body, pay;
    tb_init(&body), tb_init(&pay);
    tb_free_payload(&pay, 8, HANDLE, ADDR, 3);
    /* One item: ItemSize 16 = align8(8 + DataSize 3), no linkage. */
    static const uint8_t item[16] = {16, 0, 1, 0, 0, 0, 3, 0, 0xAA, 0xBB, 0xCC, 0, 0, 0, 0, 0};
    struct tb_rec r = {.hdr = ETWHF_HDR_EVENT64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .ext = item,
                       .ext_len = sizeof item,
                       .payload = pay.p,
                       .payload_len = pay.len};
    tb_record(&body, &r);
    tb_free(&pay);
    one_buffer(out, &body);
}

static void seed_width_from_logfile(struct tb *out)
{
    struct tb body;
    tb_init(&body);
    tb_free_record(&body, ETWHF_HDR_SYSTEM32, 0x00A00000, 0x00A0F3A0, 3);
    one_buffer(out, &body);
}

/* ---- buffer and file layers ---- */

static void seed_stride_after_damage(struct tb *out)
{
    struct tb bodies[3];
    for (int i = 0; i < 3; i++) {
        tb_init(&bodies[i]);
        free64(&bodies[i], (uint32_t)(1 + i));
    }
    trace(out, bodies, 3);
    tb_set_u32(out, 1 * S, 0x400); /* buffer 1 says 0x400: skipped, the walk goes on at 2*S */
}

static void seed_truncated_record(struct tb *out)
{
    struct tb body;
    tb_init(&body);
    free64(&body, 1);
    free64(&body, 2);
    one_buffer(out, &body);
    out->len = S + 0x48 + 0x38 + 0x10; /* cut 0x10 bytes into the second record */
}

static void seed_written_vs_accepted(struct tb *out)
{
    struct tb bodies[2];
    for (int i = 0; i < 2; i++) {
        tb_init(&bodies[i]);
        free64(&bodies[i], (uint32_t)(1 + i));
    }
    trace(out, bodies, 2);
    tb_set_u32(out, 1 * S + TB_SAVED, S + 8); /* buffer 1: SavedOffset past BufferSize, skipped */
}

/* A compressed trace (buffer 0 of 0x400) with one compressed buffer made of
 * `stream`, expanding to `expanded` bytes; BuffersWritten 2. */
static void ctrace_raw(struct tb *out, const uint8_t *stream, size_t len, size_t expanded)
{
    tb_init(out);
    tb_ctrace(out, NULL, 0);
    tb_set_u32(out, 0x48 + 0x20 + 0x24, 2); /* logfile BuffersWritten */
    tb_cbuffer_raw(out, stream, len, expanded);
}

static void seed_compressed_align(struct tb *out)
{
    struct tb body, stream;
    tb_init(&body), tb_init(&stream);
    free64(&body, 2);
    tb_xpress_literal(&stream, body.p, body.len);
    tb_u8(&stream, 0);                               /* one byte after the complete output: ignored (C4) */
    ctrace_raw(out, stream.p, stream.len, body.len); /* BufferSize 0x48 + 65 */
    tb_free(&body), tb_free(&stream);
}

/* MS-XCA plain LZ77, written by hand: three equal HeapFree records (0x38
 * bytes each) as 56 literals, a match of 56 (length nibble 15 in the low half
 * of byte N, then extra byte 31), a match of 20 (nibble 10 in the high half
 * of the same byte N), 36 literals. Flag bits: 1 = match, MSB first. */
static void seed_xpress_nibble(struct tb *out)
{
    struct tb body, stream;
    tb_init(&body), tb_init(&stream);
    for (int i = 0; i < 3; i++)
        free64(&body, 1);
    const uint8_t *rec = body.p;
    /* items 0-55 literal, 56-57 matches, 58-93 literal */
    uint32_t flags[3] = {0, (1u << (31 - 24)) | (1u << (31 - 25)), 0};
    tb_u32(&stream, flags[0]);
    tb_bytes(&stream, rec, 32); /* items 0-31 */
    tb_u32(&stream, flags[1]);
    tb_bytes(&stream, rec + 32, 24);                /* items 32-55 */
    tb_u16(&stream, (uint16_t)((56 - 1) << 3 | 7)); /* item 56: offset 56, long length */
    tb_u8(&stream, 0xAF);                           /* shared nibbles: low 15 (first), high 10 (second) */
    tb_u8(&stream, 31);                             /* 15 + 31 + 7 + 3 = 56 */
    tb_u16(&stream, (uint16_t)((56 - 1) << 3 | 7)); /* item 57: offset 56, 10 + 7 + 3 = 20 */
    tb_bytes(&stream, rec + 20, 6);                 /* items 58-63 */
    tb_u32(&stream, flags[2]);
    tb_bytes(&stream, rec + 26, 30); /* items 64-93 */
    ctrace_raw(out, stream.p, stream.len, body.len);
    tb_free(&body), tb_free(&stream);
}

/* ---- the table ---- */

struct seed {
    int id; /* enum etwhf_planted_id */
    const char *name;
    void (*build)(struct tb *out);
    const char *brief; /* recover mode, docs/spec/walk.md */
};

static const struct seed seeds[] = {
    {1, "free_source_offset", seed_free_source_offset,
     "F@1:0x248 s=3\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s3"},
    {2, "payload_long_slack", seed_long_slack,
     "W26@1:0x248\n"
     "F@1:0x248 s=2\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=1\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s2"},
    {3, "realloc32_sizes_swapped", seed_realloc32_sizes,
     "R@1:0x248 s=1\n"
     "S b=2 k=0 t=2 f=0 a=0 r=1 e=0 w=0\n"
     " | w4 ha00000 a0 z0 naa10000 oaa20000 ns80 os40 s1"},
    {4, "message_size_at4", seed_message_size,
     "F@1:0x258 s=1\n"
     "S b=2 k=0 t=3 f=1 a=0 r=0 e=0 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1"},
    {5, "filler_low16", seed_filler_low16,
     "F@1:0x248 s=1\n"
     "E22@1:0x280\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1"},
    {6, "perfinfo_pmc_unchecked", seed_perfinfo_pmc,
     "E23@1:0x248\n"
     "F@1:0x270 s=5\n"
     "S b=2 k=0 t=3 f=1 a=0 r=0 e=1 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s5"},
    {7, "ext_item_datasize", seed_ext_datasize,
     "F@1:0x248 s=3\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s3"},
    {8, "width_from_logfile", seed_width_from_logfile,
     "F@1:0x248 s=3\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n"
     " | w4 ha00000 aa0f3a0 z0 na0 oa0 ns0 os0 s3"},
    {9, "stride_after_damage", seed_stride_after_damage,
     "E10@1:0x200\n"
     "F@2:0x448 s=2\n"
     "F@3:0x648 s=3\n"
     "S b=3 k=1 t=3 f=2 a=0 r=0 e=1 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s2 | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s3"},
    {10, "truncated_record_diag", seed_truncated_record,
     "E9@1:0x200\n"
     "F@1:0x248 s=1\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=1 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1"},
    {11, "compressed_size_align8", seed_compressed_align,
     "F@1:0x400+0x48 s=2\n"
     "S b=2 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s2"},
    {12, "written_vs_accepted", seed_written_vs_accepted,
     "E11@1:0x200\n"
     "F@2:0x448 s=2\n"
     "S b=2 k=1 t=2 f=1 a=0 r=0 e=1 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s2"},
    {13, "xpress_shared_nibble", seed_xpress_nibble,
     "F@1:0x400+0x48 s=1\n"
     "F@1:0x400+0x80 s=1\n"
     "F@1:0x400+0xb8 s=1\n"
     "S b=2 k=0 t=4 f=3 a=0 r=0 e=0 w=0\n"
     " | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1 | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1 | w8 h7ff600000000 a7ff600010000 z0 na0 oa0 ns0 os0 s1"},
};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

/* The brief log plus every field of every event: what a bug could change. */
static void digest(const struct dlog *l, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s", dl_brief(l));
    for (size_t i = 0; i < l->nev && n < cap; i++) {
        const struct etwhf_event *e = &l->ev[i];
        n += (size_t)snprintf(out + n, cap - n, " | w%u h%llx a%llx z%llx na%llx oa%llx ns%llx os%llx s%u",
                              e->pointer_size, (unsigned long long)e->heap_handle, (unsigned long long)e->address,
                              (unsigned long long)e->size, (unsigned long long)e->new_address,
                              (unsigned long long)e->old_address, (unsigned long long)e->new_size,
                              (unsigned long long)e->old_size, e->source);
    }
}

static void decode(const struct seed *s, char *out, size_t cap)
{
    struct tb in;
    s->build(&in);
    struct dlog l;
    memset(&l, 0, sizeof l);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    assert_int_equal(dl_run(&l, &o, in.p, in.len, DL_ONE_FEED, 0), ETWHF_OK);
    digest(&l, out, cap);
    dl_free(&l);
    tb_free(&in);
}

static void test_seeds_decode_correctly(void **state)
{
    (void)state;
#if ETWHF_PLANTED_BUGS
    assert_int_equal(etwhf__planted_select(""), 0);
#endif
    for (size_t i = 0; i < N_SEEDS; i++) {
        char got[4096];
        decode(&seeds[i], got, sizeof got);
        if (strcmp(got, seeds[i].brief) != 0)
            fail_msg("seed %d (%s):\n  got  %s\n  want %s", seeds[i].id, seeds[i].name, got, seeds[i].brief);
    }
}

#if ETWHF_PLANTED_BUGS
static void test_each_seed_triggers_its_bug(void **state)
{
    (void)state;
    assert_int_equal(etwhf__planted_count(), (int)N_SEEDS);
    for (size_t i = 0; i < N_SEEDS; i++) {
        const struct seed *s = &seeds[i];
        const struct etwhf_planted_bug *b = etwhf__planted_bug(s->id);
        assert_non_null(b);
        assert_string_equal(b->name, s->name);
        char off[4096], on[4096], spec[16];
        etwhf__planted_reset();
        assert_int_equal(etwhf__planted_select(""), 0);
        decode(s, off, sizeof off);
        if (b->triggered == 0)
            fail_msg("seed %d (%s) does not trigger its canary", s->id, s->name);
        assert_string_equal(off, s->brief);
        snprintf(spec, sizeof spec, "%d", s->id);
        assert_int_equal(etwhf__planted_select(spec), 0);
        decode(s, on, sizeof on);
        if (strcmp(on, off) == 0)
            fail_msg("bug %d (%s) switched on changes nothing on its seed: %s", s->id, s->name, on);
        assert_int_equal(etwhf__planted_select(""), 0);
    }
}

static void test_select_by_name_and_all(void **state)
{
    (void)state;
    assert_int_equal(etwhf__planted_select("all"), 0);
    for (int id = 1; id <= etwhf__planted_count(); id++)
        assert_true(etwhf__planted_on(id));
    assert_int_equal(etwhf__planted_select("stride_after_damage,2"), 0);
    assert_true(etwhf__planted_on(9));
    assert_true(etwhf__planted_on(2));
    assert_false(etwhf__planted_on(1));
    assert_int_not_equal(etwhf__planted_select("no_such_bug"), 0);
    assert_int_equal(etwhf__planted_select(""), 0);
}
#endif

int main(void)
{
    if (getenv("PLANTED_SEEDS_PRINT")) { /* for writing the briefs above */
        for (size_t i = 0; i < N_SEEDS; i++) {
            char got[4096];
            decode(&seeds[i], got, sizeof got);
            printf("%d %s\n", seeds[i].id, got);
        }
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_decode_correctly),
#if ETWHF_PLANTED_BUGS
        cmocka_unit_test(test_each_seed_triggers_its_bug),
        cmocka_unit_test(test_select_by_name_and_all),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
