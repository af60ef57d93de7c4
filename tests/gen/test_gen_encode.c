/*
 * test_gen_encode.c — the encoders: docs/spec/format.md §8's two HeapFree examples
 * byte for byte, payload layouts of §6.3, and every one of the 12 header
 * forms (with extensions and extra payload) read back by the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/decode.h"
#include "gtest.h"
#include "decode_once.h"

static struct etwhf_gen_heap_event example(void)
{
    struct etwhf_gen_heap_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = ETWHF_HEAP_FREE;
    ev.version = 2;
    ev.tid = 0x1A2C;
    ev.pid = 0x0F10;
    ev.timestamp = UINT64_C(0x1234567890);
    ev.source = 3;
    return ev;
}

static void test_format_examples(void **state)
{
    (void)state;
    static const uint8_t want64[0x38] = {0x02, 0x00, 0x02, 0xC0, 0x34, 0x00, 0x24, 0x10, 0x2C, 0x1A, 0x00, 0x00,
                                         0x10, 0x0F, 0x00, 0x00, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA5, 0xC4,
                                         0xD2, 0x01, 0x00, 0x00, 0xA0, 0xF3, 0xA5, 0xC4, 0xD2, 0x01, 0x00, 0x00,
                                         0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t want32[0x30] = {0x02, 0x00, 0x01, 0xC0, 0x2C, 0x00, 0x24, 0x10, 0x2C, 0x1A, 0x00, 0x00,
                                         0x10, 0x0F, 0x00, 0x00, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA5, 0x00,
                                         0xA0, 0xF3, 0xA5, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    uint8_t out[0x40];
    struct etwhf_gen_heap_event ev = example();
    ev.heap_handle = UINT64_C(0x1D2C4A50000);
    ev.address = UINT64_C(0x1D2C4A5F3A0);
    memset(out, 0xEE, sizeof out);
    assert_int_equal(etwhf_gen_encode_record(ETWHF_HDR_SYSTEM64, &ev, NULL, out, sizeof out), 0x34);
    assert_memory_equal(out, want64, sizeof want64);
    ev.heap_handle = 0x00A50000;
    ev.address = 0x00A5F3A0;
    memset(out, 0xEE, sizeof out);
    assert_int_equal(etwhf_gen_encode_record(ETWHF_HDR_SYSTEM32, &ev, NULL, out, sizeof out), 0x2C);
    assert_memory_equal(out, want32, sizeof want32);
    /* Too small a buffer: nothing written. */
    memset(out, 0xEE, sizeof out);
    assert_int_equal(etwhf_gen_encode_record(ETWHF_HDR_SYSTEM32, &ev, NULL, out, 0x2F), 0);
    assert_int_equal(out[0], 0xEE);
}

static void test_payloads(void **state)
{
    (void)state;
    struct etwhf_gen_heap_event ev;
    memset(&ev, 0, sizeof ev);
    uint8_t out[64];
    ev.heap_handle = 0x1111111122222222u;
    ev.address = 0x3333333344444444u;
    ev.size = 0x5555555566666666u;
    ev.new_address = 0x77;
    ev.old_address = 0x88;
    ev.new_size = 0x99;
    ev.old_size = 0xAA;
    ev.source = 0xDDCCBBAAu;
    ev.type = ETWHF_HEAP_FREE;
    assert_int_equal(etwhf_gen_encode_payload(&ev, 8, out, sizeof out), 20);
    assert_true(rd64(out) == ev.heap_handle && rd64(out + 8) == ev.address && rd32(out + 16) == ev.source);
    assert_int_equal(etwhf_gen_encode_payload(&ev, 4, out, sizeof out), 12);
    assert_true(rd32(out) == 0x22222222u && rd32(out + 4) == 0x44444444u && rd32(out + 8) == ev.source);
    ev.type = ETWHF_HEAP_ALLOC; /* HeapHandle, Size, Address, Source */
    assert_int_equal(etwhf_gen_encode_payload(&ev, 8, out, sizeof out), 28);
    assert_true(rd64(out + 8) == ev.size && rd64(out + 16) == ev.address && rd32(out + 24) == ev.source);
    assert_int_equal(etwhf_gen_encode_payload(&ev, 4, out, sizeof out), 16);
    ev.type = ETWHF_HEAP_REALLOC; /* HeapHandle, NewAddress, OldAddress, NewSize, OldSize, Source */
    assert_int_equal(etwhf_gen_encode_payload(&ev, 8, out, sizeof out), 44);
    assert_true(rd64(out + 8) == 0x77 && rd64(out + 16) == 0x88 && rd64(out + 24) == 0x99 && rd64(out + 32) == 0xAA);
    assert_true(rd32(out + 40) == ev.source);
    assert_int_equal(etwhf_gen_encode_payload(&ev, 4, out, sizeof out), 24);
    assert_int_equal(etwhf_gen_encode_payload(&ev, 4, out, 23), 0);
    assert_int_equal(etwhf_gen_encode_payload(&ev, 6, out, sizeof out), 0);
    ev.type = ETWHF_HEAP_CREATE;
    assert_int_equal(etwhf_gen_encode_payload(&ev, 8, out, sizeof out), 0);
}

struct got {
    struct etwhf_event ev[4];
    size_t n;
    int diag[8];
    size_t nd;
};

static int on_event(void *user, const struct etwhf_event *e)
{
    struct got *g = user;
    if (g->n < 4)
        g->ev[g->n++] = *e;
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct got *g = user;
    if (g->nd < 8)
        g->diag[g->nd++] = d->code;
    return 0;
}

/* Every form × type × shape, decoded as a bare record. */
static void test_forms_round_trip(void **state)
{
    (void)state;
    static const uint8_t types[] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};
    static const struct etwhf_gen_record_shape shapes[] = {{0, 0, 0, 0}, {2, 1, 2, 0}, {7, 0, 4, 5}, {0, 1, 1, 3}};
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        for (size_t t = 0; t < 3; t++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                const struct etwhf_header_info *hi = etwhf_header_info(h);
                struct etwhf_gen_heap_event ev = example();
                ev.type = types[t];
                ev.heap_handle = UINT64_C(0x000001D2C4A50000);
                ev.address = UINT64_C(0x000001D2C4A5F3A0);
                ev.size = 0x40;
                ev.new_address = ev.address + 0x100;
                ev.old_address = ev.address;
                ev.new_size = 0x80;
                ev.old_size = 0x40;
                uint8_t out[512];
                size_t size = etwhf_gen_encode_record(h, &ev, &shapes[s], out, sizeof out);
                assert_int_equal(size, etwhf_gen_record_size(h, &ev, &shapes[s]));
                assert_true(size > hi->fixed_size);
                assert_int_equal(rd16(out + hi->size_at), size);
                assert_int_equal(out[2], hi->type);
                assert_int_equal(out[3], 0xC0);
                struct got g;
                memset(&g, 0, sizeof g);
                struct etwhf_decode_options o;
                etwhf_decode_options_init(&o);
                o.input = ETWHF_INPUT_RECORD;
                o.on_event = on_event;
                o.on_diag = on_diag;
                o.user = &g;
                struct etwhf_summary sum;
                assert_int_equal(decode_once_memory(&o, out, (size + 7) & ~(size_t)7, &sum), ETWHF_OK);
                assert_int_equal(g.n, 1);
                assert_int_equal(g.nd, shapes[s].extra ? 1 : 0);
                if (shapes[s].extra)
                    assert_int_equal(g.diag[0], ETWHF_DIAG_HEAP_PAYLOAD_LONG);
                const struct etwhf_event *e = &g.ev[0];
                uint64_t mask = hi->pointer_size == 8 ? UINT64_MAX : UINT32_MAX;
                assert_int_equal(e->type, ev.type);
                assert_int_equal(e->header, h);
                assert_int_equal(e->version, 2);
                assert_int_equal(e->pointer_size, hi->pointer_size);
                assert_true(e->timestamp == ev.timestamp);
                assert_true(e->heap_handle == (ev.heap_handle & mask));
                assert_int_equal(e->source, 3);
                if (hi->family != ETWHF_FAM_PERFINFO)
                    assert_true(e->pid == ev.pid && e->tid == ev.tid);
                if (ev.type == ETWHF_HEAP_FREE)
                    assert_true(e->address == (ev.address & mask));
                if (ev.type == ETWHF_HEAP_ALLOC)
                    assert_true(e->size == 0x40 && e->address == (ev.address & mask));
                if (ev.type == ETWHF_HEAP_REALLOC)
                    assert_true(e->new_address == (ev.new_address & mask) && e->old_size == 0x40);
            }
}

static void test_invalid_requests(void **state)
{
    (void)state;
    struct etwhf_gen_heap_event ev = example();
    struct etwhf_gen_record_shape too_many = {8, 0, 0, 0}, too_long = {0, 0, 0, 0x10000};
    uint8_t out[64];
    assert_int_equal(etwhf_gen_record_size(ETWHF_HDR_MESSAGE, &ev, NULL), 0);
    assert_int_equal(etwhf_gen_record_size(-1, &ev, NULL), 0);
    assert_int_equal(etwhf_gen_record_size(ETWHF_HDR_PERFINFO64, &ev, &too_many), 0);
    assert_int_equal(etwhf_gen_record_size(ETWHF_HDR_SYSTEM64, &ev, &too_long), 0);
    ev.type = ETWHF_HEAP_DESTROY;
    assert_int_equal(etwhf_gen_encode_record(ETWHF_HDR_SYSTEM64, &ev, NULL, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_examples),
        cmocka_unit_test(test_payloads),
        cmocka_unit_test(test_forms_round_trip),
        cmocka_unit_test(test_invalid_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
