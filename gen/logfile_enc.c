/*
 * logfile_enc.c — the header buffer's logfile record (docs/spec/format.md §4) and the
 * WMI_BUFFER_HEADER (§3), as Windows writes them (checked against the samples).
 */
#include "internal.h"

#define TZ_SIZE 172u
#define FILETIME_2024 UINT64_C(133485408000000000) /* 2024-01-01T00:00:00Z */

/* Names are UTF-8 with surrogates allowed as 3-byte sequences (the generator's
 * own way of writing the lone surrogates hostile traces carry); each code
 * point becomes one UTF-16 unit, or a surrogate pair above U+FFFF. */
static const char *next_cp(const char *s, uint32_t *u)
{
    const uint8_t *b = (const uint8_t *)s;
    size_t n = b[0] < 0x80 ? 1 : b[0] < 0xE0 ? 2 : b[0] < 0xF0 ? 3 : 4;
    static const uint8_t lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    *u = b[0] & lead_mask[n];
    for (size_t i = 1; i < n; i++)
        *u = *u << 6 | (b[i] & 0x3Fu);
    return s + n;
}

static size_t wlen(const char *s)
{
    size_t units = 1;
    for (uint32_t u; *s; units += u > 0xFFFF ? 2 : 1)
        s = next_cp(s, &u);
    return units * 2;
}

static size_t full_payload(const struct gen_logfile *lf)
{
    size_t layout = lf->layout == 8 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32;
    return layout + wlen(lf->logger_name) + wlen(lf->log_file_name);
}

size_t etwhf__gen_logfile_size(const struct gen_logfile *lf)
{
    size_t p = full_payload(lf);
    if (lf->payload_cut && lf->payload_cut - 1 < p)
        p = lf->payload_cut - 1;
    return 0x20 + p;
}

static uint8_t *put_wstr(uint8_t *p, const char *s)
{
    for (uint32_t u; *s; p += 2) {
        s = next_cp(s, &u);
        if (u > 0xFFFF) {
            put16(p, (uint16_t)(0xD800 + ((u - 0x10000) >> 10)));
            p += 2;
            u = 0xDC00 + ((u - 0x10000) & 0x3FF);
        }
        put16(p, (uint16_t)u);
    }
    put16(p, 0);
    return p + 2;
}

static void put_time_zone(uint8_t *tz)
{
    /* UTC: Bias 0, names as Windows stores them (resource references). */
    memset(tz, 0, TZ_SIZE);
    put_wstr(tz + 4, "@tzres.dll,-932");
    put_wstr(tz + 4 + 64 + 16 + 4, "@tzres.dll,-931");
}

size_t etwhf__gen_logfile_write(const struct gen_logfile *lf, uint8_t *out)
{
    size_t size = etwhf__gen_logfile_size(lf);
    uint8_t tmp[ETWHF_LOGFILE_SIZE64 + 2 * GEN_LOGFILE_NAME_UNITS];
    uint8_t *pl = tmp;
    unsigned p = lf->layout == 8 ? 8 : 4;
    memset(tmp, 0, sizeof tmp);
    put32(pl + ETWHF_LF_BUFFER_SIZE, lf->buffer_size);
    put32(pl + ETWHF_LF_VERSION, lf->version);
    put32(pl + ETWHF_LF_PROVIDER_VERSION, lf->provider_version);
    put32(pl + ETWHF_LF_NUMBER_OF_PROCESSORS, lf->processors);
    put64(pl + ETWHF_LF_END_TIME, lf->end_time);
    put32(pl + ETWHF_LF_TIMER_RESOLUTION, lf->timer_resolution);
    put32(pl + ETWHF_LF_MAXIMUM_FILE_SIZE, lf->max_file_size);
    put32(pl + ETWHF_LF_LOG_FILE_MODE, lf->log_file_mode);
    put32(pl + ETWHF_LF_BUFFERS_WRITTEN, lf->buffers_written);
    put32(pl + ETWHF_LF_START_BUFFERS, 1);
    put32(pl + ETWHF_LF_POINTER_SIZE, lf->pointer_size);
    put32(pl + ETWHF_LF_EVENTS_LOST, lf->events_lost);
    put32(pl + ETWHF_LF_CPU_SPEED, lf->cpu_mhz);
    putptr(pl + ETWHF_LF_LOGGER_NAME, 10, p); /* small enum values since Windows 7 */
    putptr(pl + ETWHF_LF_LOGGER_NAME + p, 7, p);
    put_time_zone(pl + ETWHF_LF_TIME_ZONE(p));
    put64(pl + ETWHF_LF_BOOT_TIME(p), lf->boot_time);
    put64(pl + ETWHF_LF_PERF_FREQ(p), lf->perf_freq);
    put64(pl + ETWHF_LF_START_TIME(p), lf->start_time);
    put32(pl + ETWHF_LF_RESERVED_FLAGS(p), lf->reserved_flags);
    put32(pl + ETWHF_LF_BUFFERS_LOST(p), lf->buffers_lost);
    uint8_t *s = put_wstr(pl + (p == 8 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32), lf->logger_name);
    put_wstr(s, lf->log_file_name);

    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.form = p == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
    r.version = 2;
    r.hook = ETWHF_HOOK_LOGFILE;
    r.pid = lf->pid;
    r.tid = lf->tid;
    r.timestamp = lf->timestamp;
    r.payload = tmp;
    r.payload_len = size - 0x20;
    return etwhf__gen_rec_write(&r, out);
}

void etwhf__gen_logfile_default(struct gen_logfile *lf, unsigned layout, uint32_t buffer_size, uint32_t buffers,
                                unsigned cpus)
{
    memset(lf, 0, sizeof *lf);
    lf->layout = layout == 4 ? 4 : 8;
    lf->buffer_size = buffer_size;
    lf->version = 0x0501000Au; /* bytes 0A 00 01 05, as in Windows 10 traces */
    lf->provider_version = 19041;
    lf->processors = cpus;
    lf->timer_resolution = 156250;
    lf->max_file_size = 0;
    lf->log_file_mode = 0x00000001u; /* EVENT_TRACE_FILE_MODE_SEQUENTIAL */
    lf->buffers_written = buffers;
    lf->pointer_size = lf->layout;
    lf->cpu_mhz = 2904;
    lf->perf_freq = 10000000u;
    lf->reserved_flags = 1; /* QPC clock */
    lf->boot_time = FILETIME_2024;
    lf->start_time = FILETIME_2024 + UINT64_C(36000000000); /* one hour after boot */
    lf->end_time = lf->start_time + UINT64_C(600000000);    /* a minute later */
    lf->tid = 0x103C;
    lf->pid = 4;
    lf->timestamp = 0x2146u;
    lf->logger_name = "Heap Trace Session";
    lf->log_file_name = "C:\\traces\\heap.etl";
}

/* A CJK run, 10 code points in 30 UTF-8 bytes. */
#define CJK10                                                                                                          \
    "\xE5\xA0\x86\xE8\xB7\x9F\xE8\xB8\xAA\xE5\xA0\x86\xE8\xB7\x9F\xE8\xB8\xAA\xE5\xA0\x86\xE8\xB7\x9F\xE8\xB8\xAA\xE5\xA0\x86"
#define CJK50 CJK10 CJK10 CJK10 CJK10 CJK10

/* Names as localized systems write them: umlauts (2-byte UTF-8), CJK (3-byte),
 * an emoji (a surrogate pair in UTF-16). */
static const char *const names[][2] = {
    {"Heap Trace Session", "C:\\traces\\heap.etl"},
    {"Ablaufverfolgung Heap \xC3\x9C"
     "berpr\xC3\xBC"
     "fung",
     "C:\\Benutzer\\J\xC3\xBCrgen\\Ablaufverfolgung\\heap.etl"},
    {"\xE3\x83\x92\xE3\x83\xBC\xE3\x83\x97 \xE8\xB7\x9F\xE8\xB8\xAA", "D:\\\xE8\xB7\x9F\xE8\xB8\xAA\\\xE5\xA0\x86.etl"},
    {"Heap \xF0\x9F\x94\xA5 Trace", "C:\\traces\\\xF0\x9F\x94\xA5heap.etl"},
};

/* Hostile names: lone high and low surrogates, a logger name past the 256-byte
 * UTF-8 field, a log-file name past the 1024-byte one (needs a 0x800 buffer). */
static const char *const evil_names[][2] = {
    {"Heap \xED\xA0\xBD Trace", "C:\\traces\\heap\xED\xA0\xBD"},
    {CJK50 CJK10 CJK10 CJK10 CJK10, "C:\\traces\\\xED\xB4\xA5heap.etl"},
    {"Heap Trace Session", "C:\\" CJK50 CJK50 CJK50 CJK50 CJK50 CJK50 CJK50},
};

_Static_assert(sizeof names / sizeof names[0] == GEN_LOGFILE_NAMES, "name table");
_Static_assert(sizeof evil_names / sizeof evil_names[0] == GEN_LOGFILE_EVIL_NAMES, "evil name table");

void etwhf__gen_logfile_names(struct gen_logfile *lf, size_t pick, int evil)
{
    const char *const *pair = evil ? evil_names[pick % GEN_LOGFILE_EVIL_NAMES] : names[pick % GEN_LOGFILE_NAMES];
    lf->logger_name = pair[0];
    lf->log_file_name = pair[1];
}

void etwhf__gen_bufhdr_write(const struct gen_bufhdr *h, uint8_t *out)
{
    memset(out, 0, ETWHF_BUFFER_HEADER_SIZE);
    put32(out + ETWHF_BH_BUFFER_SIZE, h->buffer_size);
    put32(out + ETWHF_BH_SAVED_OFFSET, h->saved_offset);
    put32(out + ETWHF_BH_CURRENT_OFFSET, h->current_offset);
    put64(out + ETWHF_BH_TIMESTAMP, h->timestamp);
    put64(out + ETWHF_BH_SEQUENCE, h->sequence);
    put16(out + ETWHF_BH_PROCESSOR, h->cpu);
    put16(out + ETWHF_BH_LOGGER_ID, h->logger_id);
    put32(out + ETWHF_BH_STATE, h->state);
    put32(out + ETWHF_BH_OFFSET, h->offset);
    put16(out + ETWHF_BH_FLAGS, h->flags);
    put16(out + ETWHF_BH_TYPE, h->type);
}

uint64_t etwhf__gen_heap_base(struct etwhf_dstream *ds, unsigned width, unsigned index)
{
    /* 64 KiB-aligned heap bases in user space; the first heap is the process heap. */
    if (width == 8)
        return (UINT64_C(0x100) + etwhf_dstream_below(ds, 0x700)) << 32 | (etwhf_dstream_below(ds, 0xFFF0) + index)
                                                                              << 16;
    return (uint64_t)(0x10u + etwhf_dstream_below(ds, 0x7E00)) << 16;
}
