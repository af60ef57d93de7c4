/*
 * fuzz_stream — the same trace through the push API in fuzzer-chosen chunks
 * must give exactly what one feed of the whole trace gives (decode.h: any
 * chunking gives identical events and diagnostics).
 *
 * Input: byte 0, then k = (byte 0 & 15) chunk-plan bytes, then the trace.
 *   byte 0 bit 7  strict mode;  bit 6  no_decompress
 *   plan byte c   0 → an empty feed; 1..0xEF → c bytes; 0xF0.. → (c − 0xEF) × 512 bytes
 * The plan repeats until the trace is used up; k = 0 feeds the trace whole.
 * After MAX_FEEDS feeds the rest goes in one: byte-by-byte plans over 64 KiB
 * traces would otherwise make most executions slow, not better.
 * Also: once etwhf_decoder_done says 1, further bytes change nothing.
 */
#include "fuzz_observe.h"

#define PLAN_HEADER 1u
#define MAX_FEEDS 2048u

static size_t chunk_len(uint8_t c)
{
    if (c == 0)
        return 0;
    if (c < 0xF0)
        return c;
    return (size_t)(c - 0xEF) * 512u;
}

static void feed_in_chunks(struct fuzz_run *run, const struct etwhf_decode_options *o, const uint8_t *plan, size_t k,
                           const uint8_t *trace, size_t len)
{
    struct etwhf_decoder *ctx = fuzz_begin(run, o, len);
    size_t off = 0, i = 0, empty_in_a_row = 0, feeds = 0;
    int done_seen = 0;
    size_t done_ev = 0, done_dg = 0;
    while (off < len) {
        size_t want = k && ++feeds < MAX_FEEDS ? chunk_len(plan[i++ % k]) : len;
        if (want == 0 && ++empty_in_a_row > k)
            want = len; /* a plan of only empty feeds would never end */
        if (want)
            empty_in_a_row = 0;
        if (want > len - off)
            want = len - off;
        fuzz_feed(ctx, trace + off, want);
        off += want;
        if (!done_seen && etwhf_decoder_done(ctx)) {
            done_seen = 1;
            done_ev = run->n_ev;
            done_dg = run->n_dg;
        }
    }
    if (done_seen)
        FUZZ_ASSERT_MSG(run->n_ev == done_ev && run->n_dg == done_dg, "output changed after etwhf_decoder_done said 1");
    fuzz_end(run, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run whole, chunked;
    if (size < PLAN_HEADER)
        return 0;
    size_t k = data[0] & 15u;
    if (size < PLAN_HEADER + k)
        return 0;
    const uint8_t *plan = data + PLAN_HEADER;
    const uint8_t *trace = plan + k;
    size_t len = size - PLAN_HEADER - k;

    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_FILE;
    o.mode = (data[0] & 0x80) ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
    o.no_decompress = (data[0] & 0x40) != 0;

    fuzz_decode(&whole, &o, trace, len);
    feed_in_chunks(&chunked, &o, plan, k, trace, len);
    fuzz_assert_same_run(&whole, &chunked, "chunked decode differs from one feed");
    if (o.mode == ETWHF_MODE_RECOVER)
        fuzz_note_outcome(&whole);
    fuzz_stats_exec("fuzz_stream", whole.n_ev > 0);
    return 0;
}
