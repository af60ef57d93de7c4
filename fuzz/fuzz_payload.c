/*
 * fuzz_payload — one bare heap payload (docs/spec/walk.md §8, bare inputs).
 *
 * Input: byte 0 chooses the decode, the rest is the payload.
 *   bit 0     width: 0 → 4, 1 → 8
 *   bits 1–2  event: 0 Free (option left 0 = default), 1 Free, 2 Alloc, 3 ReAlloc
 *   bit 7     strict mode
 * Besides the shared invariants, the fields are read back from the bytes here
 * (docs/spec/format.md §6.3 layouts) and must equal the event's.
 */
#include <string.h>

#include "fuzz_observe.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void check_fields(const struct etwhf_event *ev, const uint8_t *p, unsigned w)
{
    FUZZ_ASSERT(ev->heap_handle == le(p, w));
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        FUZZ_ASSERT(ev->address == le(p + w, w));
        FUZZ_ASSERT(ev->source == le(p + 2 * w, 4));
        break;
    case ETWHF_HEAP_ALLOC:
        FUZZ_ASSERT(ev->size == le(p + w, w));
        FUZZ_ASSERT(ev->address == le(p + 2 * w, w));
        FUZZ_ASSERT(ev->source == le(p + 3 * w, 4));
        break;
    default:
        FUZZ_ASSERT(ev->new_address == le(p + w, w));
        FUZZ_ASSERT(ev->old_address == le(p + 2 * w, w));
        FUZZ_ASSERT(ev->new_size == le(p + 3 * w, w));
        FUZZ_ASSERT(ev->old_size == le(p + 4 * w, w));
        FUZZ_ASSERT(ev->source == le(p + 5 * w, 4));
        break;
    }
}

static const uint8_t type_of[4] = {0, ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run run;
    if (size < 1)
        return 0;
    const uint8_t sel = data[0];
    const uint8_t *payload = data + 1;
    const size_t len = size - 1;

    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_PAYLOAD;
    o.pointer_size = (sel & 1) ? 8 : 4;
    o.payload_type = type_of[(sel >> 1) & 3];
    o.mode = (sel & 0x80) ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
    fuzz_decode(&run, &o, payload, len);

    uint8_t type = o.payload_type ? o.payload_type : ETWHF_HEAP_FREE;
    size_t min = etwhf_heap_payload_min(type, o.pointer_size);
    if (len >= min && len > 0) {
        FUZZ_ASSERT_MSG(run.n_ev == 1, "a long enough payload must give its event");
        check_fields(&run.ev[0], payload, o.pointer_size);
        FUZZ_ASSERT(((run.warning_mask >> ETWHF_DIAG_HEAP_PAYLOAD_LONG) & 1) == (len > min));
        FUZZ_ASSERT(run.n_err == 0);
    } else {
        FUZZ_ASSERT_MSG(run.n_ev == 0 && run.n_err == 1, "a short payload gives one error and no event");
        FUZZ_ASSERT(run.dg[0].code == (len ? ETWHF_DIAG_HEAP_PAYLOAD_SHORT : ETWHF_DIAG_FILE_EMPTY));
    }
    if (o.mode == ETWHF_MODE_RECOVER)
        fuzz_note_outcome(&run);
    fuzz_stats_exec("fuzz_payload", run.n_ev > 0);
    return 0;
}
