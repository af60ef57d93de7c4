/*
 * logfile.c — the fields of the logfile record at 0x48 (F2, docs/spec/format.md §4) for
 * etwhf_decoder_logfile(): the layout the HeaderType names, then the logger
 * and log-file names, UTF-16LE bounded by the record's Size (a terminator is
 * optional in hostile input), converted to UTF-8.
 */
#include <string.h>

#include "context.h"

/* Appends code point u to out (cap bytes, NUL kept); 0 when it did not fit. */
static int put_utf8(char *out, size_t cap, size_t *len, uint32_t u)
{
    uint8_t b[4];
    size_t n;
    if (u < 0x80) {
        b[0] = (uint8_t)u, n = 1;
    } else if (u < 0x800) {
        b[0] = (uint8_t)(0xC0 | u >> 6), b[1] = (uint8_t)(0x80 | (u & 0x3F)), n = 2;
    } else if (u < 0x10000) {
        b[0] = (uint8_t)(0xE0 | u >> 12), b[1] = (uint8_t)(0x80 | (u >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (u & 0x3F)), n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | u >> 18), b[1] = (uint8_t)(0x80 | (u >> 12 & 0x3F));
        b[2] = (uint8_t)(0x80 | (u >> 6 & 0x3F)), b[3] = (uint8_t)(0x80 | (u & 0x3F)), n = 4;
    }
    if (cap - 1 - *len < n)
        return 0;
    memcpy(out + *len, b, n);
    *len += n;
    out[*len] = '\0';
    return 1;
}

/* UTF-16LE from [off, end) up to a NUL unit, into UTF-8 (truncated on a code
 * point, unpaired surrogates as U+FFFD). Returns where the next string starts. */
static size_t utf16_string(struct cur *c, size_t off, size_t end, char *out, size_t cap)
{
    size_t len = 0;
    int room = 1;
    out[0] = '\0';
    while (off + 2 <= end) {
        uint32_t u = cur_u16(c, off);
        off += 2;
        if (u == 0)
            break;
        if (u >= 0xD800 && u < 0xDC00 && off + 2 <= end) {
            uint32_t lo = cur_u16(c, off);
            if (lo >= 0xDC00 && lo < 0xE000) {
                off += 2;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
        }
        if (u >= 0xD800 && u < 0xE000)
            u = 0xFFFD;
        if (room)
            room = put_utf8(out, cap, &len, u);
    }
    return off;
}

void etwhf__logfile_read(struct etwhf_decoder *d, struct cur *c, unsigned width, size_t size)
{
    struct etwhf_logfile *lf = &d->logfile;
    const size_t base = HDR_BYTES + 0x20; /* the payload after the SYSTEM header */
    memset(lf, 0, sizeof *lf);
    lf->layout_pointer_size = width;
    lf->header_timestamp = cur_u64(c, HDR_BYTES + ETWHF_SYS_TIME);
    lf->buffer_size = cur_u32(c, base + ETWHF_LF_BUFFER_SIZE);
    lf->version = cur_u32(c, base + ETWHF_LF_VERSION);
    lf->provider_version = cur_u32(c, base + ETWHF_LF_PROVIDER_VERSION);
    lf->number_of_processors = cur_u32(c, base + ETWHF_LF_NUMBER_OF_PROCESSORS);
    lf->end_time = cur_u64(c, base + ETWHF_LF_END_TIME);
    lf->timer_resolution = cur_u32(c, base + ETWHF_LF_TIMER_RESOLUTION);
    lf->maximum_file_size = cur_u32(c, base + ETWHF_LF_MAXIMUM_FILE_SIZE);
    lf->log_file_mode = cur_u32(c, base + ETWHF_LF_LOG_FILE_MODE);
    lf->buffers_written = cur_u32(c, base + ETWHF_LF_BUFFERS_WRITTEN);
    lf->pointer_size = cur_u32(c, base + ETWHF_LF_POINTER_SIZE);
    lf->events_lost = cur_u32(c, base + ETWHF_LF_EVENTS_LOST);
    lf->cpu_speed_mhz = cur_u32(c, base + ETWHF_LF_CPU_SPEED);
    lf->boot_time = cur_u64(c, base + ETWHF_LF_BOOT_TIME(width));
    lf->perf_freq = cur_u64(c, base + ETWHF_LF_PERF_FREQ(width));
    lf->start_time = cur_u64(c, base + ETWHF_LF_START_TIME(width));
    lf->reserved_flags = cur_u32(c, base + ETWHF_LF_RESERVED_FLAGS(width));
    lf->buffers_lost = cur_u32(c, base + ETWHF_LF_BUFFERS_LOST(width));
    const size_t end = HDR_BYTES + size;
    size_t s = base + (width == 8 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32);
    s = utf16_string(c, s, end, lf->logger_name, sizeof lf->logger_name);
    utf16_string(c, s, end, lf->log_file_name, sizeof lf->log_file_name);
    d->have_logfile = 1;
    CUR_DONE(c); /* the caller proved the layout and Size in view */
}
