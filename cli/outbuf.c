/* Buffered output over a file descriptor and fast formatters; see outbuf.h. */
#include "outbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFAULT_CAP (1u << 20)

int etwhf_out_init(struct etwhf_out *o, int fd, size_t cap, const char *name)
{
    if (cap < 2 * ETWHF_OUT_MIN_ROOM)
        cap = cap ? 2 * ETWHF_OUT_MIN_ROOM : DEFAULT_CAP;
    o->fd = fd;
    o->err = 0;
    o->len = 0;
    o->cap = cap;
    o->name = name;
    o->buf = malloc(cap);
    return o->buf ? 0 : -1;
}

void etwhf_out_free(struct etwhf_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

int etwhf_out_flush(struct etwhf_out *o)
{
    size_t done = 0;
    while (!o->err && done < o->len) {
        ssize_t w = write(o->fd, o->buf + done, o->len - done);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue; /* an interrupt is handled by the caller's loop, not here */
        else
            o->err = w < 0 ? errno : EIO;
    }
    o->len = 0; /* after a failure the bytes are dropped: the run ends with exit 3 anyway */
    return o->err;
}

char *etwhf_out_room_slow(struct etwhf_out *o, size_t n)
{
    etwhf_out_flush(o);
    (void)n; /* n ≤ cap by contract; an empty buffer always has room */
    return o->buf;
}

void etwhf_out_write(struct etwhf_out *o, const void *data, size_t len)
{
    const char *s = data;
    while (len) {
        size_t free_bytes = o->cap - o->len;
        if (!free_bytes) {
            etwhf_out_flush(o);
            free_bytes = o->cap;
        }
        size_t n = len < free_bytes ? len : free_bytes;
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        s += n;
        len -= n;
    }
}

/* ---- numbers ------------------------------------------------------------- */

const char etwhf_digit_pairs[201] =
    "00010203040506070809"
    "10111213141516171819"
    "20212223242526272829"
    "30313233343536373839"
    "40414243444546474849"
    "50515253545556575859"
    "60616263646566676869"
    "70717273747576777879"
    "80818283848586878889"
    "90919293949596979899";
static const char hex_digits[16] = "0123456789abcdef";

static const uint64_t pow10[20] = {1ull,
                                   10ull,
                                   100ull,
                                   1000ull,
                                   10000ull,
                                   100000ull,
                                   1000000ull,
                                   10000000ull,
                                   100000000ull,
                                   1000000000ull,
                                   10000000000ull,
                                   100000000000ull,
                                   1000000000000ull,
                                   10000000000000ull,
                                   100000000000000ull,
                                   1000000000000000ull,
                                   10000000000000000ull,
                                   100000000000000000ull,
                                   1000000000000000000ull,
                                   10000000000000000000ull};

/* The digit count from the bit length (log10(2) ≈ 1233/4096), so digits can
 * be written backwards in place, two at a time, with 32-bit division once
 * the value fits. */
char *etwhf_fmt_u64_slow(char *p, uint64_t v)
{
    unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
    unsigned n = t + (v >= pow10[t]);
    n += n == 0; /* v = 0 */
    char *q = p + n;
    while (v > UINT32_MAX) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, etwhf_digit_pairs + 2 * r, 2);
    }
    uint32_t w = (uint32_t)v;
    while (w >= 100) {
        unsigned r = w % 100;
        w /= 100;
        q -= 2;
        memcpy(q, etwhf_digit_pairs + 2 * r, 2);
    }
    if (w >= 10)
        memcpy(q - 2, etwhf_digit_pairs + 2 * w, 2);
    else
        q[-1] = (char)('0' + w);
    return p + n;
}

/* "00" … "ff": two digits per byte halves the loop. */
static const char hex_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

char *etwhf_fmt_hex_fixed(char *p, uint64_t v, unsigned digits)
{
    unsigned i = digits;
    while (i >= 2) {
        i -= 2;
        memcpy(p + i, hex_pairs + 2 * (v & 0xFF), 2);
        v >>= 8;
    }
    if (i)
        p[0] = hex_digits[v & 15];
    return p + digits;
}

char *etwhf_fmt_hex(char *p, uint64_t v)
{
    unsigned digits = v ? (unsigned)(64 - __builtin_clzll(v) + 3) / 4 : 1;
    return etwhf_fmt_hex_fixed(p, v, digits);
}

char *etwhf_fmt_padded(char *p, const char *s, size_t len, unsigned width, int right)
{
    size_t pad = len < width ? width - len : 0;
    if (right) {
        memset(p, ' ', pad);
        p += pad;
    }
    memcpy(p, s, len);
    p += len;
    if (!right) {
        memset(p, ' ', pad);
        p += pad;
    }
    return p;
}

char *etwhf_fmt_u64_padded(char *p, uint64_t v, unsigned width)
{
    char tmp[24];
    size_t len = (size_t)(etwhf_fmt_u64(tmp, v) - tmp);
    return etwhf_fmt_padded(p, tmp, len, width, 1);
}

/* ---- escaped text -------------------------------------------------------- */

size_t etwhf_utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

uint32_t etwhf_utf8_code_point(const unsigned char *s, size_t n)
{
    if (n == 1)
        return s[0];
    if (n == 2)
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (n == 3)
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

int etwhf_hidden_char(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
}

size_t etwhf_json_string(char *dst, size_t cap, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t need = 0;
#define EMIT(str, n)                                                                                                   \
    do {                                                                                                               \
        if (need + (n) <= cap)                                                                                         \
            memcpy(dst + need, (str), (n));                                                                            \
        need += (n);                                                                                                   \
    } while (0)
    EMIT("\"", 1);
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            EMIT(esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
            if (c == '\n' || c == '\t' || c == '\r') {
                esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
                EMIT(esc, 2);
            } else
                EMIT(esc, 6);
            i++;
        } else {
            size_t n = etwhf_utf8_seq(u + i, len - i);
            uint32_t cp = n ? etwhf_utf8_code_point(u + i, n) : 0;
            if (n && etwhf_hidden_char(cp)) {
                /* valid JSON raw, but a terminal or an editor acts on it:
                 * DEL, C1 (U+009B is CSI), line separators, bidi controls */
                char esc[6] = {'\\',
                               'u',
                               hex_digits[cp >> 12 & 15],
                               hex_digits[cp >> 8 & 15],
                               hex_digits[cp >> 4 & 15],
                               hex_digits[cp & 15]};
                EMIT(esc, 6);
                i += n;
            } else if (n) {
                EMIT(u + i, n);
                i += n;
            } else {
                EMIT("\\ufffd", 6);
                i++;
            }
        }
    }
    EMIT("\"", 1);
#undef EMIT
    return need;
}

void etwhf_out_json_string(struct etwhf_out *o, const char *s, size_t len)
{
    size_t need = etwhf_json_string(NULL, 0, s, len);
    if (need <= o->cap) {
        char *p = etwhf_out_room(o, need);
        etwhf_json_string(p, need, s, len);
        etwhf_out_commit(o, p + need);
        return;
    }
    char *tmp = malloc(need);
    if (!tmp) {
        if (!o->err)
            o->err = ENOMEM;
        return;
    }
    etwhf_json_string(tmp, need, s, len);
    etwhf_out_write(o, tmp, need);
    free(tmp);
}

void etwhf_out_csv_field(struct etwhf_out *o, const char *s, size_t len)
{
    if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) && !memchr(s, '\r', len)) {
        etwhf_out_write(o, s, len);
        return;
    }
    etwhf_out_write(o, "\"", 1);
    for (const char *q; (q = memchr(s, '"', len)) != NULL;) {
        size_t n = (size_t)(q - s) + 1;
        etwhf_out_write(o, s, n);
        etwhf_out_write(o, "\"", 1); /* doubled quote */
        s += n;
        len -= n;
    }
    etwhf_out_write(o, s, len);
    etwhf_out_write(o, "\"", 1);
}
