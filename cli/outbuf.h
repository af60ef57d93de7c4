/*
 * outbuf.h — one large output buffer over a file descriptor, with the
 * formatting primitives the subcommands need on hot paths (internal).
 *
 * Why not stdio: `etwhf decode` must format ≥10 M events/s, so lines are built
 * with memcpy and digit tables straight into one buffer that is handed to
 * write() in large blocks. A write error is sticky: later writes are dropped
 * and etwhf_out_failed() reports errno, so callers test once per line or file.
 */
#ifndef ETWHF_CLI_OUTBUF_H
#define ETWHF_CLI_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct etwhf_out {
    int fd;
    int err; /* errno of the first failed write, 0 while all is well */
    size_t len, cap;
    char *buf;
    const char *name; /* for messages: "standard output" */
};

/* The longest single put that etwhf_out_room() guarantees without a flush. */
#define ETWHF_OUT_MIN_ROOM 4096u

/* 0, or -1 when the buffer cannot be allocated. cap 0 = a default (1 MiB). */
int etwhf_out_init(struct etwhf_out *o, int fd, size_t cap, const char *name);
void etwhf_out_free(struct etwhf_out *o);
/* Writes everything buffered; returns 0 or the sticky errno. */
int etwhf_out_flush(struct etwhf_out *o);
static inline int etwhf_out_failed(const struct etwhf_out *o)
{
    return o->err;
}

/* Makes at least n bytes free (flushing when needed) and returns where they
 * start; the caller writes and then calls etwhf_out_commit(). n must not
 * exceed cap. */
char *etwhf_out_room_slow(struct etwhf_out *o, size_t n);
static inline char *etwhf_out_room(struct etwhf_out *o, size_t n)
{
    if (o->cap - o->len >= n)
        return o->buf + o->len;
    return etwhf_out_room_slow(o, n);
}
static inline void etwhf_out_commit(struct etwhf_out *o, char *end)
{
    o->len = (size_t)(end - o->buf);
}

/* Appends any amount of bytes (strings longer than the buffer included). */
void etwhf_out_write(struct etwhf_out *o, const void *data, size_t len);
static inline void etwhf_out_str(struct etwhf_out *o, const char *s)
{
    etwhf_out_write(o, s, strlen(s));
}

/* Appends a string literal at char *q and advances q (no bound check: the
 * caller reserved room with etwhf_out_room()). */
#define ETWHF_PUT(q, lit) ((q) = (char *)memcpy((q), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* ---- pointer-level formatters: write at p, return the new end ------------ */
/* Capacity rules: a u64 takes ≤ 20 bytes, "0x" + hex ≤ 18. */
char *etwhf_fmt_u64_slow(char *p, uint64_t v);
extern const char etwhf_digit_pairs[201]; /* "00010203…99" */
static inline char *etwhf_fmt_u64(char *p, uint64_t v)
{
    /* most fields (version, width, cpu, source) are one or two digits */
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    if (v < 100) {
        memcpy(p, etwhf_digit_pairs + 2 * v, 2);
        return p + 2;
    }
    return etwhf_fmt_u64_slow(p, v);
}
/* Lowercase hex without leading zeros and without "0x" ("0" for zero). */
char *etwhf_fmt_hex(char *p, uint64_t v);
/* Lowercase hex, exactly `digits` digits (zero-padded; 1..16). */
char *etwhf_fmt_hex_fixed(char *p, uint64_t v, unsigned digits);
/* Right-aligns in a field of `width` spaces (no truncation when longer). */
char *etwhf_fmt_u64_padded(char *p, uint64_t v, unsigned width);
char *etwhf_fmt_padded(char *p, const char *s, size_t len, unsigned width, int right);

/* ---- text that may need escaping (any length) --------------------------- */
/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid. */
size_t etwhf_utf8_seq(const unsigned char *s, size_t len);
/* The code point of a valid sequence of n bytes. */
uint32_t etwhf_utf8_code_point(const unsigned char *s, size_t n);
/* 1 for a character a terminal or an editor acts on rather than shows: C0,
 * DEL, C1 (U+009B is CSI), the line and paragraph separators, the
 * bidirectional marks, embeddings, overrides and isolates. */
int etwhf_hidden_char(uint32_t c);
/* A JSON string with its quotes: `"`, `\` and every etwhf_hidden_char
 * escaped, invalid UTF-8 replaced by U+FFFD, so the output stays valid JSON
 * and inert on a terminal whatever the bytes. */
void etwhf_out_json_string(struct etwhf_out *o, const char *s, size_t len);
/* A CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
void etwhf_out_csv_field(struct etwhf_out *o, const char *s, size_t len);
/* Same as etwhf_out_json_string into a caller buffer; returns the length
 * needed (the output is written only when it fits in cap). */
size_t etwhf_json_string(char *dst, size_t cap, const char *s, size_t len);

#endif
