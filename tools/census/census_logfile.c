/*
 * census_logfile.c — the logfile record at file offset 0x48
 * (docs/spec/format.md §4): its HeaderType and layout, the fields a decoder
 * reads, and how its two UTF-16LE names are encoded. The probe is the walk's
 * F2.1–F2.6; what it reads is counted, never judged.
 */
#include "census.h"

#define LF_AT 0x48u
#define LF_PAYLOAD (LF_AT + ETWHF_SYSTEM_HEADER_SIZE)

/* Classifies the NUL-terminated UTF-16LE name at *at, bounded by end, and
 * moves *at past its terminator (to end when there is none). */
static enum census_name name_class(struct cur *c, size_t *at, size_t end)
{
    size_t p = *at;
    int non_ascii = 0, lone = 0, units = 0;
    while (p <= end && end - p >= 2) {
        unsigned u = cur_u16(c, p);
        p += 2;
        if (u == 0) {
            *at = p;
            if (lone)
                return NAME_LONE_SURROGATE;
            return units == 0 ? NAME_EMPTY : non_ascii ? NAME_NON_ASCII : NAME_ASCII;
        }
        units++;
        if (u > 0x7F)
            non_ascii = 1;
        if (u >= 0xD800 && u <= 0xDBFF) { /* a high surrogate wants a low one next */
            unsigned next = (end - p >= 2) ? cur_u16(c, p) : 0;
            if (next >= 0xDC00 && next <= 0xDFFF)
                p += 2;
            else
                lone = 1;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            lone = 1;
        }
    }
    cur_failed(c); /* the loop stays inside [*at, end), which the caller proved in view */
    *at = end;
    return NAME_UNTERMINATED;
}

int etwhf__census_logfile(struct census_file *f, struct cur *file, struct census_logfile *lf)
{
    struct census *cs = f->cs;
    const uint8_t b3 = cur_u8(file, LF_AT + 3), type = cur_u8(file, LF_AT + 2);
    const unsigned size = cur_u16(file, LF_AT + 4), hook = cur_u16(file, LF_AT + 6);
    const size_t layout = type == ETWHF_LOGFILE_TYPE64 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32;
    if (cur_failed(file) || (b3 & 0xC0) != 0xC0 || (type != ETWHF_LOGFILE_TYPE32 && type != ETWHF_LOGFILE_TYPE64) ||
        hook != ETWHF_HOOK_LOGFILE || !cur_has(file, LF_AT, size) || size < ETWHF_SYSTEM_HEADER_SIZE + layout) {
        etwhf__tally_add(&cs->lf_header_type, 0, 1);
        etwhf__census_note(cs, "no logfile record at 0x48 (byte 3 0x%02x, HeaderType 0x%02x, HookId 0x%04x, Size %u)",
                           b3, type, hook, size);
        return 0;
    }
    cs->logfile_found++;
    const unsigned width = type == ETWHF_LOGFILE_TYPE64 ? 8 : 4;
    etwhf__tally_add(&cs->lf_header_type, type, 1);
    lf->buffer_size = cur_u32(file, LF_PAYLOAD + ETWHF_LF_BUFFER_SIZE);
    lf->log_file_mode = cur_u32(file, LF_PAYLOAD + ETWHF_LF_LOG_FILE_MODE);
    lf->buffers_written = cur_u32(file, LF_PAYLOAD + ETWHF_LF_BUFFERS_WRITTEN);
    const uint32_t pointer_size = cur_u32(file, LF_PAYLOAD + ETWHF_LF_POINTER_SIZE);
    const uint32_t events_lost = cur_u32(file, LF_PAYLOAD + ETWHF_LF_EVENTS_LOST);
    const uint32_t buffers_lost = cur_u32(file, LF_PAYLOAD + ETWHF_LF_BUFFERS_LOST(width));
    etwhf__tally_add(&cs->lf_buffer_size, lf->buffer_size, 1);
    etwhf__tally_add(&cs->lf_log_file_mode, lf->log_file_mode, 1);
    etwhf__tally_add(&cs->lf_pointer_size, pointer_size, 1);
    etwhf__tally_add(&cs->lf_version, cur_u32(file, LF_PAYLOAD + ETWHF_LF_VERSION), 1);
    etwhf__tally_add(&cs->lf_provider_version, cur_u32(file, LF_PAYLOAD + ETWHF_LF_PROVIDER_VERSION), 1);
    cur_failed(file); /* all inside the Size bytes proven above */
    if (pointer_size != width)
        cs->lf_pointer_vs_type++;
    f->lf_pointer_size = pointer_size == 4 || pointer_size == 8 ? pointer_size : 0;
    if (events_lost) {
        cs->lf_events_lost_files++;
        cs->lf_events_lost += events_lost;
    }
    if (buffers_lost) {
        cs->lf_buffers_lost_files++;
        cs->lf_buffers_lost += buffers_lost;
    }

    size_t at = LF_PAYLOAD + layout;
    const size_t end = LF_AT + size;
    for (int i = 0; i < 2; i++)
        cs->names[i][name_class(file, &at, end)]++;
    etwhf__tally_add(&cs->lf_size_slack, end - at, 1);
    return 1;
}
