/*
 * xpress_bench — MS-XCA plain LZ77 decompression throughput (MB/s of output,
 * 1 MB = 10^6 bytes) on the real sample's compressed buffers and on generated
 * event-like buffers, each beside a memcpy of the same output size timed in
 * the same run (the ceiling no decompressor passes). Compression speed and
 * ratio of our compressor are shown for the generated data.
 *
 * Usage: xpress_bench [SAMPLES_DIR] [SECONDS_PER_ROW]   (defaults ../shared/samples, 0.5)
 * A missing sample only drops its rows.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etwhf/xpress.h"
#include "etwhf/xpress_compress.h"
#include "../tests/xpress/xpress_data.h"

static double seconds_per_row = 0.5;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Keeps the compiler from dropping a copy nobody reads. */
static void clobber(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* Runs fn until seconds_per_row has passed; returns output MB/s. */
typedef void (*work_fn)(const void *ctx);
static double rate(work_fn fn, const void *ctx, size_t out_bytes)
{
    fn(ctx); /* warm the caches */
    unsigned long reps = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 16; i++)
            fn(ctx);
        reps += 16;
        t = now() - t0;
    } while (t < seconds_per_row);
    return (double)out_bytes * (double)reps / t / 1e6;
}

struct job {
    const uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len;
};

static void do_decompress(const void *ctx)
{
    const struct job *j = ctx;
    if (etwhf_xpress_decompress(j->in, j->in_len, j->out, j->out_len) != ETWHF_XPRESS_OK)
        abort();
    clobber(j->out);
}

static void do_memcpy(const void *ctx)
{
    const struct job *j = ctx;
    memcpy(j->out, j->in, j->out_len);
    clobber(j->out);
}

static void row(const char *name, const uint8_t *stream, size_t stream_len, size_t out_len)
{
    uint8_t *out = malloc(out_len), *src = malloc(out_len);
    if (!out || !src)
        abort();
    memset(src, 0x5A, out_len);
    struct job d = {stream, stream_len, out, out_len}, m = {src, out_len, out, out_len};
    double dec = rate(do_decompress, &d, out_len);
    double cpy = rate(do_memcpy, &m, out_len);
    printf("%-34s %9zu %9zu %6.3f %10.1f %10.1f %7.3f\n", name, stream_len, out_len,
           (double)stream_len / (double)out_len, dec, cpy, dec / cpy);
    free(out);
    free(src);
}

static void header(void)
{
    printf("%-34s %9s %9s %6s %10s %10s %7s\n", "input", "stream", "output", "ratio", "decomp", "memcpy", "dec/cpy");
    printf("%-34s %9s %9s %6s %10s %10s %7s\n", "", "bytes", "bytes", "", "MB/s", "MB/s", "");
}

static void sample_rows(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/SelfDescribingSingleEvent.etl", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%-34s (absent: %s)\n", "sample buffers", path);
        return;
    }
    static uint8_t d[1 << 16];
    size_t n = fread(d, 1, sizeof d, f);
    fclose(f);
    int k = 0;
    for (size_t off = 0; n - off >= 0x48;) {
        uint32_t size, saved;
        memcpy(&size, d + off, 4); /* little-endian host assumed, as for the bench only */
        memcpy(&saved, d + off + 4, 4);
        if (size < 0x48 || size > n - off)
            break;
        if (d[off + 0x34] & 0x40) {
            char name[64];
            snprintf(name, sizeof name, "sample buffer %d (Windows stream)", ++k);
            row(name, d + off + 0x48, size - 0x48u, saved - 0x48u);
        }
        off += size;
    }
}

/* in → out: data → stream, with out_len the stream's capacity. */
static void do_compress(const void *ctx)
{
    const struct job *c = ctx;
    struct etwhf_xpress_params p;
    etwhf_xpress_params_init(&p);
    size_t len;
    if (etwhf_xpress_compress(c->in, c->in_len, c->out, c->out_len, &len, &p) != ETWHF_OK)
        abort();
    clobber(c->out);
}

static void generated_rows(const char *what, size_t n, int events)
{
    uint8_t *data = malloc(n);
    size_t cap = etwhf_xpress_bound(n), len;
    uint8_t *stream = malloc(cap);
    if (!data || !stream)
        abort();
    if (events)
        xd_events(data, n, 42);
    else
        xd_random(data, n, 42);
    struct etwhf_xpress_params p;
    etwhf_xpress_params_init(&p);
    if (etwhf_xpress_compress(data, n, stream, cap, &len, &p) != ETWHF_OK)
        abort();
    char name[64];
    snprintf(name, sizeof name, "%s %zu KiB (our stream)", what, n >> 10);
    row(name, stream, len, n);
    struct job c = {data, n, stream, cap};
    printf("%-34s %9s %9s %6s %10.1f   (compression, MB/s of input)\n", "", "", "", "", rate(do_compress, &c, n));
    free(data);
    free(stream);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/samples";
    if (argc > 2)
        seconds_per_row = atof(argv[2]);
    if (!(seconds_per_row > 0))
        seconds_per_row = 0.5;
    header();
    sample_rows(dir);
    generated_rows("events", 64 << 10, 1);
    generated_rows("events", 1 << 20, 1);
    generated_rows("random", 64 << 10, 0);
    return 0;
}
