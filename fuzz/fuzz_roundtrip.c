/*
 * fuzz_roundtrip — decode a trace in recover mode, write every delivered
 * event again with the generator's record encoder (same header form, same
 * fields), decode that record sequence, and require the same events: what
 * the decoder reads, the encoder can write, and the decoder reads it back.
 * The first PAYLOAD_CHECKS events also go through the payload encoder and a
 * bare-payload decode (a decoder per event: kept few for speed).
 */
#include <string.h>

#include "etwhf/gen.h"
#include "fuzz_observe.h"

static void to_gen_event(const struct etwhf_event *ev, struct etwhf_gen_heap_event *g)
{
    memset(g, 0, sizeof *g);
    g->type = ev->type;
    g->version = ev->version;
    g->pid = ev->pid;
    g->tid = ev->tid;
    g->timestamp = ev->timestamp;
    g->heap_handle = ev->heap_handle;
    g->address = ev->address;
    g->size = ev->size;
    g->new_address = ev->new_address;
    g->old_address = ev->old_address;
    g->new_size = ev->new_size;
    g->old_size = ev->old_size;
    g->source = ev->source;
}

#define PAYLOAD_CHECKS 4

static void payload_roundtrip(const struct etwhf_event *ev)
{
    static struct fuzz_run bare;
    struct etwhf_gen_heap_event g;
    uint8_t buf[64];
    to_gen_event(ev, &g);
    size_t n = etwhf_gen_encode_payload(&g, ev->pointer_size, buf, sizeof buf);
    FUZZ_ASSERT_MSG(n == etwhf_heap_payload_min(ev->type, ev->pointer_size), "payload encoder wrote another length");
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_PAYLOAD;
    o.pointer_size = ev->pointer_size;
    o.payload_type = ev->type;
    fuzz_decode(&bare, &o, buf, n);
    FUZZ_ASSERT_MSG(bare.n_err == 0 && bare.n_ev == 1, "re-encoded payload does not decode to one event");
    const struct etwhf_event *b = &bare.ev[0];
    FUZZ_ASSERT_MSG(b->heap_handle == ev->heap_handle && b->address == ev->address && b->size == ev->size &&
                        b->new_address == ev->new_address && b->old_address == ev->old_address &&
                        b->new_size == ev->new_size && b->old_size == ev->old_size && b->source == ev->source,
                    "re-encoded payload decodes differently");
}

/* The fields an event carries from its record, not from where it sits. */
static int same_content(const struct etwhf_event *a, const struct etwhf_event *b)
{
    return a->type == b->type && a->header == b->header && a->version == b->version &&
           a->pointer_size == b->pointer_size && a->has_pid_tid == b->has_pid_tid &&
           (!a->has_pid_tid || (a->pid == b->pid && a->tid == b->tid)) && a->timestamp == b->timestamp &&
           a->heap_handle == b->heap_handle && a->address == b->address && a->size == b->size &&
           a->new_address == b->new_address && a->old_address == b->old_address && a->new_size == b->new_size &&
           a->old_size == b->old_size && a->source == b->source;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run first, again;
    static uint8_t *records;
    static size_t cap;

    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_FILE;
    fuzz_decode(&first, &o, data, size);
    fuzz_note_outcome(&first);

    size_t len = 0;
    for (size_t i = 0; i < first.n_ev; i++) {
        struct etwhf_gen_heap_event g;
        to_gen_event(&first.ev[i], &g);
        size_t need = (etwhf_gen_record_size(first.ev[i].header, &g, NULL) + 7) & ~(size_t)7;
        FUZZ_ASSERT_MSG(need > 0, "the encoder cannot write an event the decoder delivered");
        if (cap - len < need) {
            size_t n = cap ? 2 * cap : 4096;
            while (n - len < need)
                n *= 2;
            uint8_t *p = realloc(records, n);
            FUZZ_ASSERT_MSG(p != NULL, "out of memory in the harness");
            records = p;
            cap = n;
        }
        size_t wrote = etwhf_gen_encode_record(first.ev[i].header, &g, NULL, records + len, cap - len);
        FUZZ_ASSERT_MSG(wrote > 0 && ((wrote + 7) & ~(size_t)7) == need, "encoder wrote another size");
        len += need;
    }

    if (len == 0) {
        fuzz_stats_exec("fuzz_roundtrip", 0);
        return 0;
    }
    o.input = ETWHF_INPUT_RECORD;
    fuzz_decode(&again, &o, records, len);
    FUZZ_ASSERT_MSG(again.n_err == 0, "re-encoded events decode with errors");
    FUZZ_ASSERT_MSG(again.n_ev == first.n_ev, "re-encoded events: another count");
    for (size_t i = 0; i < first.n_ev; i++)
        FUZZ_ASSERT_MSG(same_content(&first.ev[i], &again.ev[i]), "re-encoded event decodes differently");
    for (size_t i = 0; i < first.n_ev && i < PAYLOAD_CHECKS; i++)
        payload_roundtrip(&first.ev[i]);
    fuzz_stats_exec("fuzz_roundtrip", first.n_ev > 0);
    return 0;
}
