/*
 * xpress_seeds.c — writes the fuzz_xpress seeds (corpus/xpress/) for
 * corpus/regen.sh, from event records the generator wrote.
 *
 *   xpress_seeds OUT_DIR EVENTS_FILE...
 *
 * The EVENTS_FILEs are concatenated into the event data that the seeds
 * compress with the project's compressor (gen/xpress_compress.c). Each seed is
 * fuzz_xpress's input: u16 LE out_len, the compressor selector byte, then the
 * stream. y_ seeds expand to their data; n_ seeds are damaged (one per
 * decoder result). Every seed is checked against decoder/xpress.c before it is
 * written, so a seed that stops covering what its name says fails the
 * regeneration instead of silently drifting. Deterministic: integer code and
 * fixed inputs only.
 *
 * Built by corpus/regen.sh with the host compiler (it needs libc, the
 * compressor and the decompressor only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/xpress.h"
#include "etwhf/xpress_compress.h"

#define SEED_DATA_MAX 65535u /* out_len is a u16 */

struct bytes {
    uint8_t *p;
    size_t len, cap;
};

static void die(const char *what, const char *name)
{
    fprintf(stderr, "xpress_seeds: %s: %s\n", name, what);
    exit(1);
}

static void put(struct bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 64;
        uint8_t *q = realloc(b->p, cap);
        if (!q)
            die("out of memory", "buffer");
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_zeros(struct bytes *b, size_t n)
{
    static const uint8_t z[256];
    for (; n > sizeof z; n -= sizeof z)
        put(b, z, sizeof z);
    put(b, z, n);
}

/* What the compressor reported: the tokens the faults and cuts need. */
struct seen {
    struct etwhf_xpress_token first_match, last, u16_form, u32_form;
    int have_match, have_u16, have_u32;
};

static int note(void *user, const struct etwhf_xpress_token *t)
{
    struct seen *s = user;
    if (t->is_match && !s->have_match) {
        s->first_match = *t;
        s->have_match = 1;
    }
    if (t->ext_len == 3 && !s->have_u16) {
        s->u16_form = *t;
        s->have_u16 = 1;
    }
    if (t->ext_len == 7 && !s->have_u32) {
        s->u32_form = *t;
        s->have_u32 = 1;
    }
    s->last = *t;
    return 0;
}

/* Compresses data; chain 0 = literals only, max_offset/max_length 0 = none. */
static struct bytes compress(const struct bytes *data, unsigned chain, uint32_t max_offset, uint64_t max_length,
                             struct seen *s)
{
    struct etwhf_xpress_params p;
    etwhf_xpress_params_init(&p);
    p.max_chain = chain;
    p.max_offset = max_offset;
    p.max_length = max_length;
    p.on_token = note;
    p.user = s;
    memset(s, 0, sizeof *s);
    struct bytes out = {0};
    size_t cap = etwhf_xpress_bound(data->len);
    out.p = malloc(cap);
    out.cap = cap;
    if (!out.p || etwhf_xpress_compress(data->p, data->len, out.p, cap, &out.len, &p) != ETWHF_OK)
        die("compression failed", "compress");
    return out;
}

static const char *out_dir;

/* Checks the decoder's verdict on (stream, out_len) — and, when `data` is
 * given, that the expansion is it — then writes the seed. `trailer` bytes
 * after the stream are input the decompressor ignores (fuzz_xpress's round
 * trip still compresses them). */
static void seed(const char *name, size_t out_len, uint8_t sel, const uint8_t *stream, size_t len, size_t trailer,
                 int want, const struct bytes *data)
{
    if (out_len > SEED_DATA_MAX)
        die("out_len does not fit the u16 header", name);
    uint8_t *out = malloc(out_len ? out_len : 1);
    if (!out)
        die("out of memory", name);
    int rc = etwhf_xpress_decompress(stream, len, out, out_len);
    if (rc != want) {
        fprintf(stderr, "xpress_seeds: %s: decoder says '%s', the seed is meant to give '%s'\n", name,
                etwhf_xpress_result_name(rc), etwhf_xpress_result_name(want));
        exit(1);
    }
    if (data && (data->len != out_len || (out_len && memcmp(out, data->p, out_len) != 0)))
        die("the expansion differs from the data", name);
    free(out);

    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FILE *f = fopen(path, "wb");
    uint8_t head[3] = {(uint8_t)out_len, (uint8_t)(out_len >> 8), sel};
    int ok = f && fwrite(head, 1, 3, f) == 3 && (len == 0 || fwrite(stream, 1, len, f) == len);
    for (size_t i = 0; ok && i < trailer; i++)
        ok = fputc(0, f) != EOF;
    if (!f || fclose(f) != 0 || !ok)
        die("cannot write", path);
}

/* Selector byte of fuzz_xpress's round trip (see its header comment). */
enum { CHAIN0 = 0, CHAIN1 = 1, CHAIN4 = 2, CHAIN16 = 3, OFFSET64 = 4 };
#define LEN(i) ((uint8_t)((i) << 3)) /* max_length 0, 3, 9, 10, 24, 25, 279, 280 */

static struct bytes slice(const struct bytes *ev, size_t from, size_t n)
{
    struct bytes b = {0};
    if (from + n > ev->len)
        die("not enough event data (generate more records)", "slice");
    put(&b, ev->p + from, n);
    return b;
}

static void valid_seeds(const struct bytes *ev)
{
    struct seen s;
    struct bytes d, z;

    /* Literal runs only: flag words of 32 literals, a partial last word. */
    d = slice(ev, 0, 300);
    z = compress(&d, 0, 0, 0, &s);
    seed("y_literals_only", d.len, CHAIN0, z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);

    /* Matches of 3..9 bytes: the 3-bit length alone. */
    d = slice(ev, 0, 2048);
    z = compress(&d, 4, 0, 9, &s);
    seed("y_short_matches", d.len, CHAIN4 | LEN(2), z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);

    /* 10..24 bytes: shared length nibbles, low and high halves. */
    z = compress(&d, 16, 0, 24, &s);
    seed("y_nibble_matches", d.len, CHAIN16 | LEN(4), z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);

    /* 25..279 bytes: the extra length byte (a repeated block of records). */
    d = slice(ev, 0, 1024);
    put(&d, ev->p, 1024);
    z = compress(&d, 1, 0, 279, &s);
    seed("y_byte_length", d.len, CHAIN1 | LEN(6), z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);

    /* The u16 form: a zero-filled record between events, as in rundown. */
    d = slice(ev, 0, 512);
    put_zeros(&d, 4096);
    put(&d, ev->p + 512, 512);
    z = compress(&d, 16, 0, 0, &s);
    if (!s.have_u16)
        die("no u16 length form", "y_u16_length");
    seed("y_u16_length", d.len, CHAIN16 | LEN(7), z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    struct bytes bad = slice(&z, 0, z.len);
    if (!etwhf_xpress_fault_bad_length(bad.p, bad.len, &s.u16_form))
        die("fault not applied", "n_bad_length_u16");
    seed("n_bad_length_u16", d.len, CHAIN16 | LEN(7), bad.p, bad.len, 0, ETWHF_XPRESS_BAD_LENGTH, NULL);
    free(bad.p);
    free(z.p);
    free(d.p);

    /* The longest match out_len allows (65535 − 256 bytes, u16 form). */
    d = slice(ev, 0, 256);
    put_zeros(&d, SEED_DATA_MAX - 256);
    z = compress(&d, 1, 0, 0, &s);
    seed("y_match_near_64k", d.len, CHAIN1, z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);

    /* Offset 8192, the farthest back-reference: the only match for the
     * second copy of the first records is the first copy. */
    d = slice(ev, 0, 64);
    put_zeros(&d, ETWHF_XPRESS_MAX_OFFSET - 64);
    put(&d, ev->p, 64);
    z = compress(&d, 16, 0, 0, &s);
    if (s.last.offset != ETWHF_XPRESS_MAX_OFFSET)
        die("last match is not at offset 8192", "y_offset_8192");
    seed("y_offset_8192", d.len, CHAIN1 | OFFSET64, z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);

    /* All the event data, default parameters; and its damaged forms. */
    d = slice(ev, 0, ev->len < 12288 ? ev->len : 12288);
    z = compress(&d, 16, 0, 0, &s);
    seed("y_events", d.len, CHAIN4, z.p, z.len, 0, ETWHF_XPRESS_OK, &d);
    seed("n_cut_in_token", d.len, CHAIN4, z.p, etwhf_xpress_cut_in_token(&s.last), 0, ETWHF_XPRESS_TRUNCATED, NULL);
    seed("n_cut_in_flags", d.len, CHAIN4, z.p, etwhf_xpress_cut_in_flags(&s.last), 0, ETWHF_XPRESS_TRUNCATED, NULL);
    seed("n_out_len_longer", d.len + 1, CHAIN4, z.p, z.len, 0, ETWHF_XPRESS_TRUNCATED, NULL);
    seed("n_out_len_in_match", etwhf_xpress_short_len(&s.first_match), CHAIN4, z.p, z.len, 0, ETWHF_XPRESS_OVERRUN,
         NULL);
    bad = slice(&z, 0, z.len);
    if (!etwhf_xpress_fault_bad_offset(bad.p, bad.len, &s.first_match))
        die("fault not applied", "n_bad_offset");
    seed("n_bad_offset", d.len, CHAIN4, bad.p, bad.len, 0, ETWHF_XPRESS_BAD_OFFSET, NULL);
    free(bad.p);
    free(z.p);
    free(d.p);

    /* Nothing to expand. */
    seed("y_empty", 0, CHAIN0, NULL, 0, 0, ETWHF_XPRESS_OK, &(struct bytes){0});
    seed("n_empty_stream", 16, CHAIN0, NULL, 0, 0, ETWHF_XPRESS_TRUNCATED, NULL);
}

/* Matches of 64 KiB and more need the u32 form, and out_len (a u16) cannot
 * hold them: decompressed alone they overrun (or, with the length faulted,
 * are rejected); a trailer of 66 KiB zeros makes the target's round trip
 * compress — and expand — a u32-form match. */
static void u32_seeds(const struct bytes *ev)
{
    uint8_t buf[64];
    struct etwhf_xpress_writer w;
    etwhf_xpress_writer_init(&w, buf, sizeof buf);
    for (size_t i = 0; i < 8; i++)
        etwhf_xpress_put_literal(&w, ev->p[i]);
    etwhf_xpress_put_match(&w, 8, 70000);
    struct etwhf_xpress_token t = w.token;
    size_t len = etwhf_xpress_writer_finish(&w);
    if (w.overflow || t.ext_len != 7)
        die("not a u32 length form", "n_u32_length_overrun");
    seed("n_u32_length_overrun", SEED_DATA_MAX, CHAIN1, buf, len, 0, ETWHF_XPRESS_OVERRUN, NULL);
    if (!etwhf_xpress_fault_bad_length(buf, len, &t))
        die("fault not applied", "n_bad_length_u32");
    seed("n_bad_length_u32", SEED_DATA_MAX, CHAIN1, buf, len, 0, ETWHF_XPRESS_BAD_LENGTH, NULL);

    struct seen s;
    struct bytes d = slice(ev, 0, 200);
    struct bytes z = compress(&d, 16, 0, 0, &s);
    seed("y_trailer_u32_round_trip", d.len, CHAIN1, z.p, z.len, 66 * 1024, ETWHF_XPRESS_OK, &d);
    free(z.p);
    free(d.p);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: xpress_seeds OUT_DIR EVENTS_FILE...\n", stderr);
        return 2;
    }
    out_dir = argv[1];
    struct bytes ev = {0};
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            die("cannot open", argv[i]);
        uint8_t buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            put(&ev, buf, n);
        fclose(f);
    }
    valid_seeds(&ev);
    u32_seeds(&ev);
    free(ev.p);
    return 0;
}
