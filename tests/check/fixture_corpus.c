/*
 * fixture_corpus OUTDIR — writes a small corpus by hand: case files built
 * byte by byte from docs/spec/format.md §8 and format.md Appendix A, and a manifest whose expectations
 * were worked out by hand from docs/spec/walk.md (not by the generator, not by
 * the decoder). The checker's control tests run on it, so they do not depend
 * on `etwhf gen`.
 *
 * Cases with Source 4 exist on purpose: the wrong-decoder control turns 4
 * into 3 and must be caught on exactly those (ids 2, 8 and 9).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *outdir;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void write_case(const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cases/%s", outdir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fixture_corpus: cannot write %s: %s\n", path, strerror(errno));
        exit(3);
    }
}

/* HeapFree payload (docs/spec/format.md §6.3): HeapHandle, Address, Source. */
static size_t free_payload(uint8_t *p, unsigned ps, uint64_t heap, uint64_t addr, uint32_t source)
{
    if (ps == 8) {
        put64(p, heap);
        put64(p + 8, addr);
        put32(p + 16, source);
        return 20;
    }
    put32(p, (uint32_t)heap);
    put32(p + 4, (uint32_t)addr);
    put32(p + 8, source);
    return 12;
}

/* SYSTEM64 HeapFree record of docs/spec/format.md §8 with a chosen Source; returns
 * the bytes written including the pad (0x38). */
static size_t system64_free(uint8_t *p, uint32_t source)
{
    memset(p, 0, 0x38);
    put16(p, 2); /* Version */
    p[2] = 0x02; /* SYSTEM64 */
    p[3] = 0xC0;
    put16(p + 4, 0x34);    /* Size */
    put16(p + 6, 0x1024);  /* HookId: heap group, Free */
    put32(p + 8, 0x1A2C);  /* TID */
    put32(p + 12, 0x0F10); /* PID */
    put64(p + 16, 0x1234567890ull);
    free_payload(p + 0x20, 8, 0x1D2C4A50000ull, 0x1D2C4A5F3A0ull, source);
    return 0x38;
}

/* A one-buffer 64-bit file (docs/spec/format.md Appendix A): buffer 0 holds the logfile
 * record at 0x48 (Size 0x138) and a HeapFree record at 0x180;
 * SavedOffset 0x1B8; BufferSize 0x200, filler up to it. */
static void one_buffer_file(uint8_t *f, uint32_t source)
{
    memset(f, 0, 0x200);
    put32(f + 0x00, 0x200); /* BufferSize */
    put32(f + 0x04, 0x1B8); /* SavedOffset */
    put32(f + 0x08, 0x1B8); /* CurrentOffset */
    put32(f + 0x2C, 3);     /* State: flush */
    put32(f + 0x30, 0x1B8); /* Offset */
    put16(f + 0x34, 0x21);  /* BufferFlag: flush marker | proc index */
    put16(f + 0x36, 4);     /* BufferType: header */
    uint8_t *lr = f + 0x48;
    put16(lr, 2);
    lr[2] = 0x02; /* SYSTEM64 → 64-bit logfile layout */
    lr[3] = 0xC0;
    put16(lr + 4, 0x138);  /* 0x20 header + 0x118 TRACE_LOGFILE_HEADER */
    put16(lr + 6, 0x0000); /* HookId: logfile */
    uint8_t *lf = lr + 0x20;
    put32(lf + 0x00, 0x200); /* BufferSize */
    put32(lf + 0x04, 0x0501000A);
    put32(lf + 0x0C, 1);         /* NumberOfProcessors */
    put32(lf + 0x24, 1);         /* BuffersWritten */
    put32(lf + 0x2C, 8);         /* PointerSize */
    put64(lf + 0x100, 10000000); /* PerfFreq */
    put32(lf + 0x110, 1);        /* ReservedFlags: QPC */
    system64_free(f + 0x180, source);
    memset(f + 0x1B8, 0xFF, 0x200 - 0x1B8);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: fixture_corpus OUTDIR\n", stderr);
        return 2;
    }
    outdir = argv[1];
    char path[4096];
    snprintf(path, sizeof path, "%s/cases", outdir);
    mkdir(outdir, 0755);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "fixture_corpus: cannot create %s: %s\n", path, strerror(errno));
        return 3;
    }
    uint8_t b[0x200];
    size_t n;

    n = free_payload(b, 8, 0x1D2C4A50000ull, 0x1D2C4A5F3A0ull, 3);
    write_case("y_payload_intact_000001.bin", b, n);
    n = free_payload(b, 4, 0x00A50000u, 0x00A5F3A0u, 4);
    write_case("y_payload_intact_000002.bin", b, n);
    free_payload(b, 8, 0x1D2C4A50000ull, 0x1D2C4A5F3A0ull, 3);
    write_case("n_payload_payload_short_000003.bin", b, 10); /* < 20: HEAP_PAYLOAD_SHORT */
    n = free_payload(b, 8, 0x10000, 0x10010, 0);             /* Source 0: SOURCE_UNKNOWN */
    write_case("i_payload_intact_000004.bin", b, n);
    n = system64_free(b, 3);
    write_case("y_record_intact_000005.bin", b, n);
    memcpy(b, "\x00\x00\x02\x00\x08\x00\x00\x00", 8); /* byte 3 lacks 0x80: MARKER */
    write_case("n_record_marker_cleared_000006.bin", b, 8);
    write_case("y_record_intact_000007.bin", b, 5); /* 1–7 bytes: no record, nothing */
    one_buffer_file(b, 4);
    write_case("y_file_intact_000008.etl", b, 0x200);
    write_case("n_file_truncated_tail_data_000009.etl", b, 0x1C0); /* B4: off + S > n */
    /* Alloc payload, 64-bit: HeapHandle, Size, Address, Source (28 bytes). */
    put64(b, 0x20000);
    put64(b + 8, 0x40);
    put64(b + 16, 0x20100);
    put32(b + 24, 2);
    write_case("y_payload_intact_000010.bin", b, 28);

    snprintf(path, sizeof path, "%s/manifest.jsonl", outdir);
    FILE *m = fopen(path, "w");
    if (!m) {
        fprintf(stderr, "fixture_corpus: cannot write %s: %s\n", path, strerror(errno));
        return 3;
    }
    static const char *const lines[] = {
        "{\"manifest\":1,\"generator_version\":\"hand-written\",\"options\":{}}",
        "{\"id\":1,\"file\":\"cases/y_payload_intact_000001.bin\",\"layer\":\"payload\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"event\":\"free\",\"faults\":[],\"seed\":\"0/1\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],"
        "\"events\":[{\"heap_handle\":\"0x1d2c4a50000\",\"address\":\"0x1d2c4a5f3a0\",\"source\":3,\"pointer_size\":8}]}}",
        "{\"id\":2,\"file\":\"cases/y_payload_intact_000002.bin\",\"layer\":\"payload\",\"pointer_size\":4,"
        "\"headers\":[],\"compressed\":false,\"event\":\"free\",\"faults\":[],\"seed\":\"0/2\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],"
        "\"events\":[{\"heap_handle\":\"0xa50000\",\"address\":\"0xa5f3a0\",\"source\":4,\"pointer_size\":4}]}}",
        "{\"id\":3,\"file\":\"cases/n_payload_payload_short_000003.bin\",\"layer\":\"payload\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"event\":\"free\",\"faults\":[\"payload_short\"],\"seed\":\"0/3\","
        "\"expect\":{\"verdict\":\"error\",\"first_error\":{\"code\":\"HEAP_PAYLOAD_SHORT\",\"offset\":0},"
        "\"errors\":[\"HEAP_PAYLOAD_SHORT\"],\"warnings\":[],\"events\":[]}}",
        "{\"id\":4,\"file\":\"cases/i_payload_intact_000004.bin\",\"layer\":\"payload\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"event\":\"free\",\"faults\":[],\"seed\":\"0/4\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[\"SOURCE_UNKNOWN\"],"
        "\"events\":[{\"heap_handle\":\"0x10000\",\"address\":\"0x10010\",\"source\":0,\"pointer_size\":8}]}}",
        "{\"id\":5,\"file\":\"cases/y_record_intact_000005.bin\",\"layer\":\"record\",\"pointer_size\":8,"
        "\"headers\":[\"system64\"],\"compressed\":false,\"faults\":[],\"seed\":\"0/5\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],"
        "\"events\":[{\"heap_handle\":\"0x1d2c4a50000\",\"address\":\"0x1d2c4a5f3a0\",\"source\":3,\"pointer_size\":8}]}}",
        "{\"id\":6,\"file\":\"cases/n_record_marker_cleared_000006.bin\",\"layer\":\"record\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"faults\":[\"marker_cleared\"],\"seed\":\"0/6\","
        "\"expect\":{\"verdict\":\"error\",\"first_error\":{\"code\":\"MARKER\",\"offset\":0},"
        "\"errors\":[\"MARKER\"],\"warnings\":[],\"events\":[]}}",
        "{\"id\":7,\"file\":\"cases/y_record_intact_000007.bin\",\"layer\":\"record\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"faults\":[],\"seed\":\"0/7\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],\"events\":[]}}",
        "{\"id\":8,\"file\":\"cases/y_file_intact_000008.etl\",\"layer\":\"file\",\"pointer_size\":8,"
        "\"headers\":[\"system64\"],\"compressed\":false,\"faults\":[],\"seed\":\"0/8\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],"
        "\"events\":[{\"heap_handle\":\"0x1d2c4a50000\",\"address\":\"0x1d2c4a5f3a0\",\"source\":4,\"pointer_size\":8}],"
        "\"buffers\":1,\"buffers_skipped\":0,\"events_total\":2}}",
        "{\"id\":9,\"file\":\"cases/n_file_truncated_tail_data_000009.etl\",\"layer\":\"file\",\"pointer_size\":8,"
        "\"headers\":[\"system64\"],\"compressed\":false,\"faults\":[\"truncated_tail_data\"],\"seed\":\"0/9\","
        "\"expect\":{\"verdict\":\"error\",\"first_error\":{\"code\":\"TRUNCATED_TAIL\",\"offset\":0},"
        "\"errors\":[\"TRUNCATED_TAIL\"],\"warnings\":[],"
        "\"events\":[{\"heap_handle\":\"0x1d2c4a50000\",\"address\":\"0x1d2c4a5f3a0\",\"source\":4,\"pointer_size\":8}],"
        "\"buffers\":1,\"buffers_skipped\":0,\"events_total\":2}}",
        "{\"id\":10,\"file\":\"cases/y_payload_intact_000010.bin\",\"layer\":\"payload\",\"pointer_size\":8,"
        "\"headers\":[],\"compressed\":false,\"event\":\"alloc\",\"faults\":[],\"seed\":\"0/10\","
        "\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],\"warnings\":[],\"events\":[],"
        "\"heap_alloc\":1,\"heap_realloc\":0}}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        fprintf(m, "%s\n", lines[i]);
    if (fclose(m) != 0) {
        fprintf(stderr, "fixture_corpus: cannot write %s: %s\n", path, strerror(errno));
        return 3;
    }
    return 0;
}
