/*
 * xpress_compress.c — MS-XCA plain LZ77 compression (§2.3), written from
 * Microsoft's open specification: a stream writer plus a greedy hash-chain
 * matcher over a window of 8192 bytes.
 */
#include "etwhf/xpress_compress.h"

#include <stdlib.h>

#define WINDOW_MASK (ETWHF_XPRESS_MAX_OFFSET - 1u)
#define HASH_SIZE ((size_t)1 << ETWHF_XPRESS_HASH_BITS)
#define NONE SIZE_MAX

/* ---- writer ---------------------------------------------------------------- */

static void put_byte(struct etwhf_xpress_writer *w, uint8_t b)
{
    if (w->len < w->cap)
        w->out[w->len] = b;
    else
        w->overflow = 1;
    w->len++;
}

static void put_le(struct etwhf_xpress_writer *w, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put_byte(w, (uint8_t)(v >> (8 * i)));
}

static void store_flags(struct etwhf_xpress_writer *w)
{
    for (unsigned i = 0; i < 4; i++) {
        if (w->flag_pos + i < w->cap)
            w->out[w->flag_pos + i] = (uint8_t)(w->flags >> (8 * i));
        else
            w->overflow = 1;
    }
}

void etwhf_xpress_writer_init(struct etwhf_xpress_writer *w, uint8_t *out, size_t cap)
{
    struct etwhf_xpress_writer z = {0};
    *w = z;
    w->out = out;
    w->cap = out ? cap : 0;
    w->nibble_pos = NONE;
    w->len = 4; /* the first flag word's place */
}

/* Starts a token: notes its flag bit, sets it for a match. */
static void begin_token(struct etwhf_xpress_writer *w, int is_match, uint64_t length, uint32_t offset)
{
    struct etwhf_xpress_token *t = &w->token;
    t->is_match = is_match;
    t->data_pos = w->data_pos;
    t->length = length;
    t->offset = offset;
    t->pos = w->len;
    t->flag_pos = w->flag_pos;
    t->flag_bit = 31u - w->flag_count;
    t->nibble_pos = NONE;
    t->nibble_high = 0;
    t->ext_pos = NONE;
    t->ext_len = 0;
    if (is_match)
        w->flags |= UINT32_C(1) << t->flag_bit;
}

/* Ends a token; a full flag word is stored and the next one's place reserved
 * right away, as §2.3 does, so a flag word always precedes its tokens. */
static void end_token(struct etwhf_xpress_writer *w)
{
    w->token.end = w->len;
    w->data_pos += (size_t)w->token.length;
    if (++w->flag_count == 32) {
        store_flags(w);
        w->flags = 0;
        w->flag_count = 0;
        w->flag_pos = w->len;
        w->len += 4;
    }
}

void etwhf_xpress_put_literal(struct etwhf_xpress_writer *w, uint8_t byte)
{
    begin_token(w, 0, 1, 0);
    put_byte(w, byte);
    end_token(w);
}

void etwhf_xpress_put_match(struct etwhf_xpress_writer *w, uint32_t offset, uint64_t length)
{
    etwhf_xpress_put_match_form(w, offset, length, 0);
}

void etwhf_xpress_put_match_form(struct etwhf_xpress_writer *w, uint32_t offset, uint64_t length, unsigned form)
{
    struct etwhf_xpress_token *t = &w->token;
    uint64_t rest = length - ETWHF_XPRESS_MIN_MATCH;
    uint16_t word = (uint16_t)((offset - 1u) << 3);
    /* A long form holds length − 3 ≥ 22 (§2.4): shorter lengths keep the shortest form. */
    int lng = (form == 16 || form == 32) && rest >= 22;

    begin_token(w, 1, length, offset);
    if (rest < 7 && !lng) {
        put_le(w, word | rest, 2);
        end_token(w);
        return;
    }
    put_le(w, word | 7u, 2);
    rest -= 7;
    uint8_t nibble = rest < 15 && !lng ? (uint8_t)rest : 15u;
    if (w->nibble_pos == NONE) {
        w->nibble_pos = w->len;
        t->nibble_pos = w->len;
        put_byte(w, nibble);
    } else {
        /* The second user of a nibble byte takes its high half (§2.3). */
        t->nibble_pos = w->nibble_pos;
        t->nibble_high = 1;
        if (w->nibble_pos < w->cap)
            w->out[w->nibble_pos] |= (uint8_t)(nibble << 4);
        w->nibble_pos = NONE;
    }
    if (rest >= 15 || lng) {
        rest -= 15;
        t->ext_pos = w->len;
        if (rest < 255 && !lng) {
            put_byte(w, (uint8_t)rest);
            t->ext_len = 1;
        } else {
            /* The u16 / u32 forms hold length − 3 whole. */
            put_byte(w, 255);
            rest += 15 + 7;
            if (rest < 0x10000u && form != 32) {
                put_le(w, rest, 2);
                t->ext_len = 3;
            } else {
                put_le(w, 0, 2);
                put_le(w, rest, 4);
                t->ext_len = 7;
            }
        }
    }
    end_token(w);
}

size_t etwhf_xpress_writer_finish(struct etwhf_xpress_writer *w)
{
    /* Unused bits read as matches: the §2.4 decoder stops at end of input. */
    w->flags |= (uint32_t)((UINT64_C(1) << (32u - w->flag_count)) - 1u);
    store_flags(w);
    return w->len;
}

/* ---- matcher --------------------------------------------------------------- */

size_t etwhf_xpress_bound(size_t in_len)
{
    size_t words = in_len / 32u + 1u;
    if (words > (SIZE_MAX - in_len) / 4u)
        return SIZE_MAX;
    return in_len + 4u * words;
}

void etwhf_xpress_params_init(struct etwhf_xpress_params *p)
{
    struct etwhf_xpress_params z = {0};
    *p = z;
    p->max_chain = 16;
}

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * UINT32_C(2654435761)) >> (32u - ETWHF_XPRESS_HASH_BITS);
}

struct matcher {
    const uint8_t *in;
    size_t in_len;
    uint32_t *head; /* per hash: last position + 1, 0 = none */
    uint32_t *prev; /* per window slot: the previous position + 1 with the same hash */
    unsigned max_chain;
    uint32_t max_offset;
    uint64_t max_length;
};

static void insert(struct matcher *m, size_t pos)
{
    if (m->in_len - pos < ETWHF_XPRESS_MIN_MATCH)
        return;
    uint32_t h = hash3(m->in + pos);
    m->prev[pos & WINDOW_MASK] = m->head[h];
    m->head[h] = (uint32_t)pos + 1u;
}

/* Longest match for pos among the chain's candidates; *offset gets its
 * distance. Links are followed only within max_offset ≤ 8192, where the window
 * slot still holds the candidate's own link (pos itself is inserted after). */
static uint64_t find_match(const struct matcher *m, size_t pos, uint32_t *offset)
{
    if (m->in_len - pos < ETWHF_XPRESS_MIN_MATCH)
        return 0;
    uint64_t limit = m->in_len - pos;
    if (limit > m->max_length)
        limit = m->max_length;
    uint64_t best = 0;
    uint32_t cand = m->head[hash3(m->in + pos)];
    for (unsigned n = 0; cand != 0 && n < m->max_chain; n++) {
        size_t c = (size_t)cand - 1u;
        size_t dist = pos - c;
        if (dist > m->max_offset)
            break;
        const uint8_t *a = m->in + c, *b = m->in + pos;
        if (best < limit && a[best] == b[best]) {
            uint64_t l = 0;
            while (l < limit && a[l] == b[l])
                l++;
            if (l > best) {
                best = l;
                *offset = (uint32_t)dist;
                if (l == limit)
                    break;
            }
        }
        cand = m->prev[c & WINDOW_MASK];
    }
    return best >= ETWHF_XPRESS_MIN_MATCH ? best : 0;
}

/* As the decoder does: the hook only when it has both functions. */
static int hooked(const struct etwhf_allocator *a)
{
    return a && a->alloc && a->free;
}

static void *ws_alloc(const struct etwhf_allocator *a, size_t size)
{
    return hooked(a) ? a->alloc(a->user, size) : malloc(size);
}

static void ws_free(const struct etwhf_allocator *a, void *p)
{
    if (hooked(a))
        a->free(a->user, p);
    else
        free(p);
}

static int run(struct matcher *m, struct etwhf_xpress_writer *w, const struct etwhf_xpress_params *p)
{
    size_t pos = 0;
    while (pos < m->in_len) {
        uint32_t offset = 0;
        uint64_t len = m->head ? find_match(m, pos, &offset) : 0;
        if (len) {
            etwhf_xpress_put_match_form(w, offset, len, p->long_form);
            if (m->head)
                for (size_t i = 0; i < len; i++)
                    insert(m, pos + i);
            pos += (size_t)len;
        } else {
            etwhf_xpress_put_literal(w, m->in[pos]);
            if (m->head)
                insert(m, pos);
            pos++;
        }
        if (w->overflow)
            return ETWHF_EINVAL;
        if (p->on_token && p->on_token(p->user, &w->token))
            return ETWHF_EABORTED;
    }
    etwhf_xpress_writer_finish(w);
    return w->overflow ? ETWHF_EINVAL : ETWHF_OK;
}

int etwhf_xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
                          const struct etwhf_xpress_params *params)
{
    if (out_len)
        *out_len = 0;
    if (!out_len || !out || !params || (!in && in_len) || in_len > ETWHF_XPRESS_MAX_INPUT)
        return ETWHF_EINVAL;
    if (params->max_offset > ETWHF_XPRESS_MAX_OFFSET ||
        (params->max_length != 0 && params->max_length < ETWHF_XPRESS_MIN_MATCH))
        return ETWHF_EINVAL;

    struct matcher m = {in,
                        in_len,
                        NULL,
                        NULL,
                        params->max_chain,
                        params->max_offset ? params->max_offset : ETWHF_XPRESS_MAX_OFFSET,
                        params->max_length ? params->max_length : (uint64_t)UINT32_MAX + ETWHF_XPRESS_MIN_MATCH};
    void *ws = NULL;
    if (params->max_chain > 0 && in_len >= ETWHF_XPRESS_MIN_MATCH) {
        ws = ws_alloc(params->allocator, ETWHF_XPRESS_WORKSPACE);
        if (!ws)
            return ETWHF_ENOMEM;
        m.head = ws;
        m.prev = m.head + HASH_SIZE;
        for (size_t i = 0; i < HASH_SIZE; i++)
            m.head[i] = 0;
    }
    struct etwhf_xpress_writer w;
    etwhf_xpress_writer_init(&w, out, out_cap);
    int rc = run(&m, &w, params);
    if (ws)
        ws_free(params->allocator, ws);
    if (rc == ETWHF_OK)
        *out_len = w.len;
    return rc;
}

/* ---- fault helpers ----------------------------------------------------------- */

static void set_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int etwhf_xpress_fault_bad_offset(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t)
{
    if (!stream || !t || !t->is_match || t->data_pos >= ETWHF_XPRESS_MAX_OFFSET || t->pos > len || len - t->pos < 2)
        return 0;
    /* offset − 1 = data_pos: one byte before the output's start. */
    uint16_t word = (uint16_t)((t->data_pos << 3) | (stream[t->pos] & 7u));
    set_le(stream + t->pos, word, 2);
    return 1;
}

int etwhf_xpress_fault_bad_length(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t)
{
    /* Both long forms must hold at least 15 + 7; 1 is below. */
    return etwhf_xpress_fault_set_length(stream, len, t, 1);
}

int etwhf_xpress_fault_set_length(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t, uint32_t value)
{
    if (!stream || !t || !t->is_match || t->ext_len < 3 || t->ext_pos > len || len - t->ext_pos < t->ext_len ||
        value >= 22 || (t->ext_len == 3 && value == 0))
        return 0;
    if (t->ext_len == 3)
        set_le(stream + t->ext_pos + 1, value, 2);
    else
        set_le(stream + t->ext_pos + 3, value, 4);
    return 1;
}

size_t etwhf_xpress_cut_in_token(const struct etwhf_xpress_token *t)
{
    return t->end - 1u;
}

size_t etwhf_xpress_cut_in_flags(const struct etwhf_xpress_token *t)
{
    return t->flag_pos + 2u;
}

size_t etwhf_xpress_short_len(const struct etwhf_xpress_token *t)
{
    return t->is_match ? t->data_pos + 1u : 0u;
}
