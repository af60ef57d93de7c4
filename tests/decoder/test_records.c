/*
 * test_records.c — records and payloads: docs/spec/format.md §8's byte-exact HeapFree
 * examples, all 12 header forms carrying heap events, every Source class,
 * HeapAlloc and HeapReAlloc at both widths, and the bare inputs.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dlog.h"
#include "tb.h"

static const uint8_t example64[0x38] = {
    0x02, 0x00, 0x02, 0xC0, 0x34, 0x00, 0x24, 0x10, 0x2C, 0x1A, 0x00, 0x00, 0x10, 0x0F, 0x00, 0x00, 0x90, 0x78, 0x56,
    0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA5, 0xC4, 0xD2, 0x01,
    0x00, 0x00, 0xA0, 0xF3, 0xA5, 0xC4, 0xD2, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t example32[0x30] = {0x02, 0x00, 0x01, 0xC0, 0x2C, 0x00, 0x24, 0x10, 0x2C, 0x1A, 0x00, 0x00,
                                        0x10, 0x0F, 0x00, 0x00, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA5, 0x00,
                                        0xA0, 0xF3, 0xA5, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static const struct etwhf_decode_options *record_input(void)
{
    static struct etwhf_decode_options o;
    o = dl_options(ETWHF_INPUT_RECORD, ETWHF_MODE_RECOVER);
    return &o;
}

static void assert_example_event(const struct etwhf_event *e, int hdr, unsigned width, uint64_t handle,
                                 uint64_t address)
{
    assert_int_equal(e->type, ETWHF_HEAP_FREE);
    assert_int_equal(e->header, hdr);
    assert_int_equal(e->version, 2);
    assert_int_equal(e->pointer_size, width);
    assert_int_equal(e->has_pid_tid, 1);
    assert_int_equal(e->tid, 0x1A2C);
    assert_int_equal(e->pid, 0x0F10);
    assert_int_equal(e->timestamp, 0x1234567890);
    assert_int_equal(e->heap_handle, handle);
    assert_int_equal(e->address, address);
    assert_int_equal(e->source, 3);
    assert_int_equal(e->size, 0);
    assert_int_equal(e->new_address | e->old_address | e->new_size | e->old_size, 0);
}

static void format_examples_decode_exactly(void **state)
{
    (void)state;
    struct dlog l = {0};
    assert_int_equal(dl_run(&l, record_input(), example64, sizeof example64, DL_ONE_FEED, 0), ETWHF_OK);
    assert_string_equal(dl_brief(&l), "F@-:0x0 s=3\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n");
    assert_example_event(&l.ev[0], ETWHF_HDR_SYSTEM64, 8, 0x1D2C4A50000, 0x1D2C4A5F3A0);
    assert_int_equal(l.ev[0].buffer, ETWHF_NO_BUFFER);

    assert_int_equal(dl_run(&l, record_input(), example32, sizeof example32, DL_ONE_FEED, 0), ETWHF_OK);
    assert_string_equal(dl_brief(&l), "F@-:0x0 s=3\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n");
    assert_example_event(&l.ev[0], ETWHF_HDR_SYSTEM32, 4, 0x00A50000, 0x00A5F3A0);

    /* Both back to back, without the last pad: the second starts at 0x38. */
    uint8_t both[sizeof example64 + 0x2C];
    memcpy(both, example64, sizeof example64);
    memcpy(both + sizeof example64, example32, 0x2C);
    dl_expect(record_input(), both, sizeof both, "F@-:0x0 s=3\nF@-:0x38 s=3\nS b=0 k=0 t=2 f=2 a=0 r=0 e=0 w=0\n",
              "F@-:0x0 s=3\nF@-:0x38 s=3\nS b=0 k=0 t=2 f=2 a=0 r=0 e=0 w=0\n");
    dl_free(&l);
}

/* The test builder writes the examples byte for byte, so the other tests'
 * records rest on docs/spec/format.md and not on the builder's reading of it. */
static void builder_matches_format_examples(void **state)
{
    (void)state;
    struct tb b;
    tb_init(&b);
    tb_free_record(&b, ETWHF_HDR_SYSTEM64, 0x1D2C4A50000, 0x1D2C4A5F3A0, 3);
    assert_int_equal(b.len, sizeof example64);
    assert_memory_equal(b.p, example64, sizeof example64);
    tb_reset(&b);
    tb_free_record(&b, ETWHF_HDR_SYSTEM32, 0x00A50000, 0x00A5F3A0, 3);
    assert_int_equal(b.len, sizeof example32);
    assert_memory_equal(b.p, example32, sizeof example32);
    tb_free(&b);
}

static void examples_inside_a_trace(void **state)
{
    (void)state;
    struct tb body, file;
    tb_init(&body);
    tb_init(&file);
    tb_bytes(&body, example64, sizeof example64);
    tb_bytes(&body, example32, sizeof example32);
    tb_trace(&file, 0x200, NULL, &body, 1);
    /* Buffer 1 at 0x200: records at 0x248 and 0x280. */
    const char *want = "F@1:0x248 s=3\nF@1:0x280 s=3\nS b=2 k=0 t=3 f=2 a=0 r=0 e=0 w=0\n";
    dl_expect(NULL, file.p, file.len, want, want);
    struct dlog l = {0};
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    dl_run(&l, &o, file.p, file.len, DL_ONE_FEED, 0);
    assert_int_equal(l.nev, 2);
    assert_example_event(&l.ev[0], ETWHF_HDR_SYSTEM64, 8, 0x1D2C4A50000, 0x1D2C4A5F3A0);
    assert_example_event(&l.ev[1], ETWHF_HDR_SYSTEM32, 4, 0x00A50000, 0x00A5F3A0);
    assert_int_equal(l.ev[0].cpu, 1); /* ProcessorIndex with PROC_INDEX */
    assert_int_equal(l.ev[0].buffer, 1);
    dl_free(&l);
    tb_free(&body);
    tb_free(&file);
}

static void every_header_form_carries_heap_free(void **state)
{
    (void)state;
    for (int hdr = 0; hdr < ETWHF_HDR_FORMS; hdr++) {
        const unsigned width = (hdr % 2) ? 8 : 4;
        const uint64_t handle = width == 8 ? 0x00007FF612340000 : 0x00A50000;
        const uint64_t address = handle + 0x1230 + (uint64_t)hdr;
        struct tb b;
        tb_init(&b);
        tb_free_record(&b, hdr, handle, address, 2);
        struct dlog l = {0};
        assert_int_equal(dl_run(&l, record_input(), b.p, b.len, DL_ONE_FEED, 0), ETWHF_OK);
        assert_string_equal(dl_brief(&l), "F@-:0x0 s=2\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n");
        const struct etwhf_event *e = &l.ev[0];
        const int perfinfo = hdr == ETWHF_HDR_PERFINFO32 || hdr == ETWHF_HDR_PERFINFO64;
        assert_int_equal(e->header, hdr);
        assert_int_equal(e->pointer_size, width);
        assert_int_equal(e->version, 2);
        assert_int_equal(e->has_pid_tid, !perfinfo);
        assert_int_equal(e->pid, perfinfo ? 0 : TB_PID);
        assert_int_equal(e->tid, perfinfo ? 0 : TB_TID);
        assert_int_equal(e->timestamp, TB_TIME);
        assert_int_equal(e->heap_handle, handle);
        assert_int_equal(e->address, address);
        assert_int_equal(e->source, 2);

        /* The same form without heap identity is walked and skipped. */
        tb_reset(&b);
        struct tb_rec r = {.hdr = hdr,
                           .heap = 0,
                           .group = 0x05,
                           .type = ETWHF_HEAP_FREE,
                           .version = 2,
                           .payload = (const uint8_t *)"0123456789abcdefghij",
                           .payload_len = 20};
        tb_record(&b, &r);
        dl_run(&l, record_input(), b.p, b.len, DL_ONE_FEED, 0);
        assert_string_equal(dl_brief(&l), "S b=0 k=0 t=1 f=0 a=0 r=0 e=0 w=0\n");
        dl_free(&l);
        tb_free(&b);
    }
}

/* One record `rec` decoded alone (record input: the decoder's record at a
 * time) and inside a buffer of a trace (file input: its walk over a
 * region), each with an event callback and without one (counting): one
 * diagnostic `code` (0: none), `total` records past R5 and `heap` events
 * (the trace adds its logfile record to the total). */
static void expect_record(const struct tb *rec, int code, uint64_t total, uint64_t heap)
{
    struct tb file;
    tb_init(&file);
    tb_trace(&file, 0x200, NULL, rec, 1);
    const struct etwhf_decode_options file_opts = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    for (int input = 0; input < 2; input++) {
        for (int counting = 0; counting < 2; counting++) {
            struct dlog l = {0};
            l.counting = counting;
            if (input)
                dl_run(&l, &file_opts, file.p, file.len, DL_ONE_FEED, 0);
            else
                dl_run(&l, record_input(), rec->p, rec->len, DL_ONE_FEED, 0);
            if (l.ndg != (code ? 1u : 0u) || (code && l.dg[0].code != code) ||
                l.sum.events_total != total + (uint64_t)input ||
                l.sum.heap_free + l.sum.heap_alloc + l.sum.heap_realloc != heap)
                print_error("%s input%s: want code %d, %" PRIu64 " records, %" PRIu64 " heap events; decoded\n%s",
                            input ? "file" : "record", counting ? ", counting" : "", code, total, heap, dl_full(&l));
            assert_int_equal(l.ndg, code ? 1 : 0);
            if (code)
                assert_int_equal(l.dg[0].code, code);
            assert_int_equal(l.sum.events_total, total + (uint64_t)input);
            assert_int_equal(l.sum.heap_free + l.sum.heap_alloc + l.sum.heap_realloc, heap);
            dl_free(&l);
        }
    }
    tb_free(&file);
}

/* The walk reads a record's form from a table of its own by HeaderType byte
 * (decoder/record.c); for every byte it must say what etwhf_header_from_type()
 * and etwhf_header_info() say (R4.1, R4.2, R5.1). A record with byte 3 0xC0,
 * HeaderType T and a u16 of H at +0 and of H − 2 at +4 (H, the form's fixed
 * size; even, so an event form's Flags at +4 claim no extended items), zeros
 * elsewhere, and H bytes long: a form that reads Size at +0 passes R5 (one
 * record, no heap identity), one that reads it at +4 fails R5.1 (RECORD_SIZE),
 * a byte of no form is HEADER_TYPE. The same with the two u16s swapped turns
 * the outcomes of the two kinds of forms round. */
static void every_header_type_byte(void **state)
{
    (void)state;
    for (unsigned t = 0; t < 256; t++) {
        const int hdr = etwhf_header_from_type((uint8_t)t);
        const struct etwhf_header_info *hi = hdr < 0 ? NULL : etwhf_header_info(hdr);
        const size_t fixed = hi ? hi->fixed_size : 0x20;
        for (int swap = 0; swap < 2; swap++) {
            struct tb b;
            tb_init(&b);
            tb_fill(&b, 0, fixed);
            tb_set_u16(&b, swap ? 4 : 0, (uint16_t)fixed);
            tb_set_u16(&b, swap ? 0 : 4, (uint16_t)(fixed - 2));
            tb_set_u8(&b, 2, (uint8_t)t);
            tb_set_u8(&b, 3, 0xC0);
            const int size_ok = hi && (hi->size_at == 4) == swap;
            if (!hi)
                expect_record(&b, ETWHF_DIAG_HEADER_TYPE, 0, 0);
            else
                expect_record(&b, size_ok ? 0 : ETWHF_DIAG_RECORD_SIZE, size_ok ? 1 : 0, 0);
            tb_free(&b);
        }
    }
}

/* R9.3's minimum by form, type and width, from the walk's table of forms:
 * a payload one byte short is HEAP_PAYLOAD_SHORT (no event), the minimum is
 * silent, one byte over is HEAP_PAYLOAD_LONG (and the event), for every
 * heap-carrying form and the three decoded types. */
static void payload_minimum_per_form(void **state)
{
    (void)state;
    static const uint8_t types[] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};
    uint8_t payload[64];
    for (int hdr = 0; hdr < ETWHF_HDR_FORMS; hdr++) {
        const unsigned width = etwhf_header_info(hdr)->pointer_size;
        for (size_t t = 0; t < sizeof types; t++) {
            const size_t min = etwhf_heap_payload_min(types[t], width);
            memset(payload, 0, sizeof payload);
            payload[min - 4] = 3; /* Source MAINPATH */
            for (int delta = -1; delta <= 1; delta++) {
                struct tb b;
                tb_init(&b);
                struct tb_rec r = {.hdr = hdr,
                                   .heap = 1,
                                   .type = types[t],
                                   .version = 2,
                                   .payload = payload,
                                   .payload_len = (size_t)((ptrdiff_t)min + delta)};
                tb_record(&b, &r);
                expect_record(&b,
                              delta < 0   ? ETWHF_DIAG_HEAP_PAYLOAD_SHORT
                              : delta > 0 ? ETWHF_DIAG_HEAP_PAYLOAD_LONG
                                          : 0,
                              1, delta >= 0);
                tb_free(&b);
            }
        }
    }
}

/* Payload offsets past the PERFINFO extension and the EVENT_HEADER items. */
static void payload_follows_extensions(void **state)
{
    (void)state;
    struct tb pay, b;
    tb_init(&pay);
    tb_init(&b);
    tb_free_payload(&pay, 8, 0x1111, 0x2222, 4);
    struct tb_rec pi = {.hdr = ETWHF_HDR_PERFINFO64,
                        .heap = 1,
                        .type = ETWHF_HEAP_FREE,
                        .version = 2,
                        .pmc = 3,
                        .pebs = 1,
                        .payload = pay.p,
                        .payload_len = pay.len};
    tb_record(&b, &pi);             /* Size 0x10 + 0x20 + 20 = 0x44, next at 0x48 */
    static const uint8_t items[] = {/* ItemSize 16, ExtType 1, Linkage 1, DataSize 8 */
                                    0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
                                    /* ItemSize 8, ExtType 2, Linkage 0, DataSize 0 */
                                    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct tb_rec ev = {.hdr = ETWHF_HDR_EVENT64,
                        .heap = 1,
                        .type = ETWHF_HEAP_FREE,
                        .version = 2,
                        .ext = items,
                        .ext_len = sizeof items,
                        .payload = pay.p,
                        .payload_len = pay.len};
    tb_record(&b, &ev);
    const char *want = "F@-:0x0 s=4\nF@-:0x48 s=4\nS b=0 k=0 t=2 f=2 a=0 r=0 e=0 w=0\n";
    dl_expect(record_input(), b.p, b.len, want, want);
    struct dlog l = {0};
    dl_run(&l, record_input(), b.p, b.len, DL_ONE_FEED, 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l.ev[i].heap_handle, 0x1111);
        assert_int_equal(l.ev[i].address, 0x2222);
    }
    dl_free(&l);
    tb_free(&pay);
    tb_free(&b);
}

static void source_values_and_warnings(void **state)
{
    (void)state;
    static const struct {
        uint32_t source;
        const char *want;
    } cases[] = {
        {0, "W28@-:0x0\nF@-:0x0 s=0\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=1\n"},
        {1, "F@-:0x0 s=1\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n"},
        {2, "F@-:0x0 s=2\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n"},
        {3, "F@-:0x0 s=3\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n"},
        {4, "F@-:0x0 s=4\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n"},
        {5, "F@-:0x0 s=5\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n"},
        {6, "W27@-:0x0\nF@-:0x0 s=6\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=1\n"},
        {7, "W28@-:0x0\nF@-:0x0 s=7\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=1\n"},
        {0x80000000u, "W28@-:0x0\nF@-:0x0 s=2147483648\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=1\n"},
        {0xFFFFFFFFu, "W28@-:0x0\nF@-:0x0 s=4294967295\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=1\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tb b;
        tb_init(&b);
        tb_free_record(&b, ETWHF_HDR_SYSTEM64, 0x10000, 0x10010, cases[i].source);
        dl_expect(record_input(), b.p, b.len, cases[i].want, cases[i].want);
        /* The same as a bare payload, 32-bit. */
        tb_reset(&b);
        tb_free_payload(&b, 4, 0x10000, 0x10010, cases[i].source);
        struct etwhf_decode_options o = dl_options(ETWHF_INPUT_PAYLOAD, ETWHF_MODE_RECOVER);
        o.pointer_size = 4;
        struct dlog l = {0};
        dl_run(&l, &o, b.p, b.len, DL_ONE_FEED, 0);
        assert_int_equal(l.nev, 1);
        assert_int_equal(l.ev[0].source, cases[i].source);
        assert_int_equal(l.sum.warnings, cases[i].source >= 1 && cases[i].source <= 5 ? 0 : 1);
        dl_free(&l);
        tb_free(&b);
    }
}

static void alloc_and_realloc_both_widths(void **state)
{
    (void)state;
    for (unsigned width = 4; width <= 8; width += 4) {
        const uint64_t hi = width == 8 ? UINT64_C(0x00007FF600000000) : 0;
        struct tb pay, b;
        tb_init(&pay);
        tb_init(&b);
        tb_alloc_payload(&pay, width, hi | 0xA0000, hi | 0x40, hi | 0xA1230, 3);
        struct tb_rec ra = {.hdr = width == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32,
                            .heap = 1,
                            .type = ETWHF_HEAP_ALLOC,
                            .version = 2,
                            .payload = pay.p,
                            .payload_len = pay.len};
        tb_record(&b, &ra);
        tb_reset(&pay);
        tb_realloc_payload(&pay, width, hi | 0xA0000, hi | 0xB0000, hi | 0xA1230, hi | 0x80, hi | 0x40, 1);
        struct tb_rec rr = ra;
        rr.type = ETWHF_HEAP_REALLOC;
        rr.payload = pay.p;
        rr.payload_len = pay.len;
        const size_t second = tb_record(&b, &rr);
        struct dlog l = {0};
        assert_int_equal(dl_run(&l, record_input(), b.p, b.len, DL_ONE_FEED, 0), ETWHF_OK);
        char want[128];
        snprintf(want, sizeof want, "A@-:0x0 s=3\nR@-:0x%zx s=1\nS b=0 k=0 t=2 f=0 a=1 r=1 e=0 w=0\n", second);
        assert_string_equal(dl_brief(&l), want);
        assert_int_equal(l.ev[0].heap_handle, hi | 0xA0000);
        assert_int_equal(l.ev[0].size, hi | 0x40);
        assert_int_equal(l.ev[0].address, hi | 0xA1230);
        assert_int_equal(l.ev[1].heap_handle, hi | 0xA0000);
        assert_int_equal(l.ev[1].new_address, hi | 0xB0000);
        assert_int_equal(l.ev[1].old_address, hi | 0xA1230);
        assert_int_equal(l.ev[1].new_size, hi | 0x80);
        assert_int_equal(l.ev[1].old_size, hi | 0x40);
        assert_int_equal(l.ev[1].address, 0);
        assert_int_equal(l.ev[1].pointer_size, width);
        dl_free(&l);

        /* Bare payloads of each type. */
        struct etwhf_decode_options o = dl_options(ETWHF_INPUT_PAYLOAD, ETWHF_MODE_RECOVER);
        o.pointer_size = width;
        o.payload_type = ETWHF_HEAP_REALLOC;
        dl_run(&l, &o, pay.p, pay.len, DL_ONE_FEED, 0);
        assert_string_equal(dl_brief(&l), "R@-:0x0 s=1\nS b=0 k=0 t=0 f=0 a=0 r=1 e=0 w=0\n");
        assert_int_equal(l.ev[0].old_size, hi | 0x40);
        assert_int_equal(l.ev[0].header, ETWHF_EVENT_NO_HEADER);
        assert_int_equal(l.ev[0].has_pid_tid, 0);
        dl_free(&l);
        tb_free(&pay);
        tb_free(&b);
    }
}

static void bare_payload_lengths(void **state)
{
    (void)state;
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_PAYLOAD, ETWHF_MODE_RECOVER);
    o.pointer_size = 8;
    dl_expect(&o, "", 0, "E1@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n",
              "E1@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    struct tb b;
    tb_init(&b);
    tb_free_payload(&b, 8, 1, 2, 3);
    /* 19 of 20 bytes: short, dropped. */
    dl_expect(&o, b.p, 19, "E25@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n",
              "E25@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    /* 20 bytes: exact. */
    dl_expect(&o, b.p, 20, "F@-:0x0 s=3\nS b=0 k=0 t=0 f=1 a=0 r=0 e=0 w=0\n",
              "F@-:0x0 s=3\nS b=0 k=0 t=0 f=1 a=0 r=0 e=0 w=0\n");
    /* Longer: warned, delivered; long enough to span feeds past the kept bytes. */
    tb_fill(&b, 0xEE, 200);
    dl_expect(&o, b.p, b.len, "W26@-:0x0\nF@-:0x0 s=3\nS b=0 k=0 t=0 f=1 a=0 r=0 e=0 w=1\n",
              "W26@-:0x0\nF@-:0x0 s=3\nS b=0 k=0 t=0 f=1 a=0 r=0 e=0 w=1\n");
    /* Alloc, 32-bit: minimum 16. */
    o.pointer_size = 4;
    o.payload_type = ETWHF_HEAP_ALLOC;
    dl_expect(&o, b.p, 15, "E25@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n",
              "E25@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    tb_free(&b);
}

/* The decoder's inlined minimum lengths agree with etwhf_heap_payload_min():
 * one byte short is HEAP_PAYLOAD_SHORT, exact is silent, one byte over is
 * HEAP_PAYLOAD_LONG, for every heap type and both widths. */
static void payload_minimum_per_type_and_width(void **state)
{
    (void)state;
    static const uint8_t types[] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};
    uint8_t bytes[64];
    memset(bytes, 0, sizeof bytes);
    for (size_t t = 0; t < sizeof types; t++) {
        for (unsigned w = 4; w <= 8; w += 4) {
            const size_t min = etwhf_heap_payload_min(types[t], w);
            assert_true(min > 4 && min + 1 <= sizeof bytes);
            bytes[min - 4] = 3; /* Source MAINPATH at the last u32 of the minimum */
            struct etwhf_decode_options o = dl_options(ETWHF_INPUT_PAYLOAD, ETWHF_MODE_RECOVER);
            o.pointer_size = w;
            o.payload_type = types[t];
            struct dlog l;
            memset(&l, 0, sizeof l);
            for (int delta = -1; delta <= 1; delta++) {
                dl_run(&l, &o, bytes, (size_t)((ptrdiff_t)min + delta), DL_ONE_FEED, 0);
                assert_int_equal(l.nev, delta >= 0 ? 1 : 0);
                assert_int_equal(l.ndg, delta == 0 ? 0 : 1);
                if (delta)
                    assert_int_equal(l.dg[0].code,
                                     delta < 0 ? ETWHF_DIAG_HEAP_PAYLOAD_SHORT : ETWHF_DIAG_HEAP_PAYLOAD_LONG);
                if (delta >= 0) {
                    assert_int_equal(l.ev[0].source, 3);
                    assert_int_equal(l.ev[0].type, types[t]);
                    assert_int_equal(l.ev[0].reserved, 0);
                }
            }
            dl_free(&l);
            bytes[min - 4] = 0;
        }
    }
}

static void bare_record_short_inputs(void **state)
{
    (void)state;
    const char *none = "S b=0 k=0 t=0 f=0 a=0 r=0 e=0 w=0\n";
    for (size_t n = 1; n <= 7; n++)
        dl_expect(record_input(), example64, n, none, none);
    dl_expect(record_input(), "", 0, "E1@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n",
              "E1@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    /* Cut inside the record: its Size runs past the input. */
    dl_expect(record_input(), example64, 0x30, "E22@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n",
              "E22@-:0x0\nS b=0 k=0 t=0 f=0 a=0 r=0 e=1 w=0\n");
    /* Filler ends a bare walk too. */
    uint8_t fill[0x40];
    memcpy(fill, example64, sizeof example64);
    memset(fill + 0x38, 0xFF, 8);
    dl_expect(record_input(), fill, sizeof fill, "F@-:0x0 s=3\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n",
              "F@-:0x0 s=3\nS b=0 k=0 t=1 f=1 a=0 r=0 e=0 w=0\n");
}

static void message_records_are_counted_and_skipped(void **state)
{
    (void)state;
    struct tb b;
    tb_init(&b);
    struct tb_rec m = {.hdr = ETWHF_HDR_MESSAGE, .payload = (const uint8_t *)"abcdefghijk", .payload_len = 11};
    tb_record(&b, &m); /* Size 19 → next at 0x18 */
    tb_free_record(&b, ETWHF_HDR_COMPACT64, 5, 6, 1);
    const char *want = "F@-:0x18 s=1\nS b=0 k=0 t=2 f=1 a=0 r=0 e=0 w=0\n";
    dl_expect(record_input(), b.p, b.len, want, want);
    tb_free(&b);
}

static void logfile_of(const struct tb_logfile *lf, struct etwhf_logfile *out, void (*patch)(struct tb *))
{
    struct tb f;
    tb_init(&f);
    tb_trace(&f, 0x1000, lf, NULL, 0);
    if (patch)
        patch(&f);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_int_equal(etwhf_decode_feed(d, f.p, f.len), ETWHF_OK);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_OK);
    assert_non_null(etwhf_decoder_logfile(d));
    *out = *etwhf_decoder_logfile(d);
    etwhf_decoder_free(d);
    tb_free(&f);
}

/* Names start at 0x48 + 0x20 + 0x118 = 0x180 in a 64-bit logfile record. */
static void unicode_name(struct tb *f)
{
    tb_set_u16(f, 0x180, 0x00E9); /* é */
    tb_set_u16(f, 0x182, 0xD83D); /* U+1F600 as a surrogate pair */
    tb_set_u16(f, 0x184, 0xDE00);
    tb_set_u16(f, 0x186, 0xDC00); /* an unpaired low surrogate */
}

static void logfile_names_and_fields(void **state)
{
    (void)state;
    struct tb_logfile lf;
    struct etwhf_logfile out;
    tb_logfile_default(&lf, 0x1000, 1);
    lf.logger_name = "ABCD";
    lf.log_file_name = "C:\\t.etl";
    logfile_of(&lf, &out, unicode_name);
    assert_string_equal(out.logger_name, "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD");
    assert_string_equal(out.log_file_name, "C:\\t.etl");
    assert_int_equal(out.layout_pointer_size, 8);
    assert_int_equal(out.buffer_size, 0x1000);
    assert_int_equal(out.buffers_written, 1);
    assert_int_equal(out.perf_freq, 10000000);
    assert_int_equal(out.start_time, 0x01D659D6F0000000);
    assert_int_equal(out.end_time, 0x01D659D6F5A07AEA);
    assert_int_equal(out.boot_time, 0x01D659D6A1B2C3D4);
    assert_int_equal(out.reserved_flags, 1);
    assert_int_equal(out.header_timestamp, TB_TIME);
    assert_int_equal(out.compressed, 0);

    /* 32-bit layout; the last name lacks its terminator (cut by Size). */
    lf.width = 4;
    lf.logger_name = "logger";
    lf.log_file_name = "file";
    lf.payload_cut = 0x110 + 14 + 8; /* "logger\0" and "file" without NUL */
    logfile_of(&lf, &out, NULL);
    assert_int_equal(out.layout_pointer_size, 4);
    assert_string_equal(out.logger_name, "logger");
    assert_string_equal(out.log_file_name, "file");
    assert_int_equal(out.perf_freq, 10000000);
    assert_int_equal(out.start_time, 0x01D659D6F0000000);

    /* A name longer than the field: cut, still terminated. */
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    lf.width = 8;
    lf.payload_cut = 0;
    lf.logger_name = longname;
    logfile_of(&lf, &out, NULL);
    assert_int_equal(strlen(out.logger_name), sizeof out.logger_name - 1);
    assert_string_equal(out.log_file_name, "file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_examples_decode_exactly),
        cmocka_unit_test(builder_matches_format_examples),
        cmocka_unit_test(examples_inside_a_trace),
        cmocka_unit_test(every_header_form_carries_heap_free),
        cmocka_unit_test(every_header_type_byte),
        cmocka_unit_test(payload_minimum_per_form),
        cmocka_unit_test(payload_follows_extensions),
        cmocka_unit_test(source_values_and_warnings),
        cmocka_unit_test(alloc_and_realloc_both_widths),
        cmocka_unit_test(bare_payload_lengths),
        cmocka_unit_test(payload_minimum_per_type_and_width),
        cmocka_unit_test(bare_record_short_inputs),
        cmocka_unit_test(message_records_are_counted_and_skipped),
        cmocka_unit_test(logfile_names_and_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
