/*
 * tally.c — the census's counters: value → count tallies, and the whole
 * census's init, merge (a file's census into the total) and notes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "census.h"

void etwhf__tally_add(struct tally *t, uint64_t key, uint64_t count)
{
    unsigned lo = 0, hi = t->n;
    while (lo < hi) { /* first slot whose key is ≥ key */
        unsigned mid = lo + (hi - lo) / 2;
        if (t->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && t->key[lo] == key) {
        t->count[lo] += count;
        return;
    }
    if (t->n == TALLY_MAX) { /* bounded: hostile input cannot grow it */
        t->other += count;
        return;
    }
    memmove(&t->key[lo + 1], &t->key[lo], (t->n - lo) * sizeof t->key[0]);
    memmove(&t->count[lo + 1], &t->count[lo], (t->n - lo) * sizeof t->count[0]);
    t->key[lo] = key;
    t->count[lo] = count;
    t->n++;
}

void etwhf__tally_merge(struct tally *dst, const struct tally *src)
{
    for (unsigned i = 0; i < src->n; i++)
        etwhf__tally_add(dst, src->key[i], src->count[i]);
    dst->other += src->other;
}

uint64_t etwhf__tally_total(const struct tally *t)
{
    uint64_t s = t->other;
    for (unsigned i = 0; i < t->n; i++)
        s += t->count[i];
    return s;
}

uint64_t etwhf__tally_get(const struct tally *t, uint64_t key)
{
    for (unsigned i = 0; i < t->n; i++)
        if (t->key[i] == key)
            return t->count[i];
    return 0;
}

void etwhf__census_init(struct census *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->size_min = UINT64_MAX;
    cs->comp_buf_size_min = UINT64_MAX;
}

static void add_all(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

#define ADD(field) (d->field += s->field)
#define MERGE(field) etwhf__tally_merge(&d->field, &s->field)
#define ADD_ARRAY(field) add_all(d->field, s->field, sizeof s->field / sizeof s->field[0])

void etwhf__census_merge(struct census *d, const struct census *s)
{
    ADD(files), ADD(bytes), ADD(unreadable);
    ADD(logfile_found);
    MERGE(lf_header_type), MERGE(lf_buffer_size), MERGE(lf_pointer_size), MERGE(lf_log_file_mode);
    MERGE(lf_version), MERGE(lf_provider_version), MERGE(lf_size_slack), MERGE(lf_bw_minus_positions);
    ADD(lf_events_lost_files), ADD(lf_events_lost), ADD(lf_buffers_lost_files), ADD(lf_buffers_lost);
    ADD(lf_pointer_vs_type);
    ADD_ARRAY(names[0]), ADD_ARRAY(names[1]);
    ADD(compressed_files);
    MERGE(compression_format);

    ADD(positions), ADD(walked), ADD(plain), ADD(compressed), ADD(saved_offset_bad), ADD(walked_by_offset);
    MERGE(buf_flags), MERGE(buf_type), MERGE(buf_size), MERGE(saved_mod8), MERGE(buf_state), ADD(offset_is_saved);
    ADD(filler_room), ADD(filler_all_ff), ADD(filler_other), ADD(filler_bytes), ADD(full_buffers);

    ADD(comp_expanded), ADD(comp_failed), MERGE(comp_fail), ADD(comp_ends_at_n), ADD(comp_longer);
    ADD(comp_end_marker), MERGE(comp_trailing_word);
    MERGE(comp_trailing), ADD(comp_buf_size_mult8), ADD(comp_lost_flags);
    if (s->comp_buf_size_min < d->comp_buf_size_min)
        d->comp_buf_size_min = s->comp_buf_size_min;
    if (s->comp_buf_size_max > d->comp_buf_size_max)
        d->comp_buf_size_max = s->comp_buf_size_max;

    ADD_ARRAY(ends);

    ADD(records), ADD_ARRAY(form);
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        MERGE(byte3[h]);
    MERGE(byte3_all), ADD(narrow_in_wide), ADD(wide_in_narrow), MERGE(size_mod8), ADD(nonzero_pad);
    if (s->size_min < d->size_min)
        d->size_min = s->size_min;
    if (s->size_max > d->size_max)
        d->size_max = s->size_max;
    MERGE(unknown_header_type);

    MERGE(msg_options);
    MERGE(perf_pmc), ADD(perf_pebs), ADD(perf_other_bits), ADD(perf_ext_past_size), MERGE(perf_version);
    MERGE(evt_flags), ADD(evt_with_items), ADD(items), ADD(items_mult8), ADD(items_eq_align8);
    ADD(items_eq_exact), ADD(item_anomalies), MERGE(item_size), MERGE(item_type), MERGE(items_per_record);
    MERGE(sys_group), MERGE(header_hooks), ADD_ARRAY(stackwalk), ADD_ARRAY(heap_group), ADD_ARRAY(heap_guid),
        MERGE(heap_hook);
    ADD(notes); /* the notes themselves stay with their file */
}

void etwhf__census_note(struct census *cs, const char *fmt, ...)
{
    if (cs->notes < NOTE_KEEP) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cs->note[cs->notes], NOTE_LEN, fmt, ap);
        va_end(ap);
    }
    cs->notes++;
}
