/*
 * census_record.c — the records of one buffer region (docs/spec/format.md §5,
 * §6.1): header form and byte 3, Size and alignment pad, MESSAGE OptionFlags,
 * PERFINFO PMC / PEBS bits, EVENT_HEADER flags and extended items, system
 * groups and heap records. Records are framed as walk.md R1–R6 frame them;
 * a record the walk would abandon ends the census of its region, with the
 * reason counted.
 */
#include "census.h"

static const char *const end_names[END_COUNT] = {"exact",          "filler",      "short tail",
                                                 "no 0x80 marker", "header type", "record size"};

static uint64_t align8(uint64_t x)
{
    return (x + 7) & ~(uint64_t)7;
}

/* EVENT_HEADER extended items (R8), counted one by one. */
static void items(struct census *cs, struct cur *r, unsigned size)
{
    unsigned q = ETWHF_EVT_EXT_START, n = 0;
    cs->evt_with_items++;
    for (;;) {
        if (q + 8 > size) {
            cs->item_anomalies++;
            break;
        }
        const unsigned item = cur_u16(r, q), type = cur_u16(r, q + 2), link = cur_u16(r, q + 4) & 1u,
                       data = cur_u16(r, q + 6);
        n++;
        cs->items++;
        etwhf__tally_add(&cs->item_size, item, 1);
        etwhf__tally_add(&cs->item_type, type, 1);
        if (item % 8 == 0)
            cs->items_mult8++;
        if (item == align8(8u + data))
            cs->items_eq_align8++;
        if (item == 8u + data)
            cs->items_eq_exact++;
        if (item < 8 || q + item > size) {
            cs->item_anomalies++;
            break;
        }
        q += item;
        if (!link)
            break;
    }
    cur_failed(r); /* every read above is below Size, in view */
    etwhf__tally_add(&cs->items_per_record, n, 1);
}

/* HookId of a system-family record: its group, and heap records (group 0x10). */
static void hook(struct census *cs, int hdr, struct cur *r)
{
    const unsigned hook = cur_u16(r, ETWHF_SYS_HOOK_ID);
    etwhf__tally_add(&cs->sys_group, hook >> 8, 1);
    if (hook >> 8 == 0)
        etwhf__tally_add(&cs->header_hooks, hook, 1);
    if (hook == ETWHF_HOOK_STACKWALK)
        cs->stackwalk[hdr]++;
    if (hook >> 8 == ETWHF_HEAP_GROUP) {
        cs->heap_group[hdr]++;
        etwhf__tally_add(&cs->heap_hook, hook & 0xFFu, 1);
    }
}

/* What one framed record holds, by family. `r` views exactly its Size bytes. */
static void record(struct census_file *f, int hdr, struct cur *r)
{
    struct census *cs = f->cs;
    const struct etwhf_header_info *hi = &etwhf_header_table[hdr];
    const unsigned size = (unsigned)r->len;
    switch (hi->family) {
    case ETWHF_FAM_MESSAGE: etwhf__tally_add(&cs->msg_options, cur_u16(r, ETWHF_MSG_OPTION_FLAGS), 1); break;
    case ETWHF_FAM_PERFINFO: {
        const unsigned v = cur_u16(r, 0), pmc = (v >> 8) & 7u, pebs = v >> 15;
        etwhf__tally_add(&cs->perf_pmc, pmc, 1);
        etwhf__tally_add(&cs->perf_version, v & 0xFFu, 1);
        cs->perf_pebs += pebs;
        if (v & 0x7800u)
            cs->perf_other_bits++;
        if (ETWHF_PERFINFO_EXT_START + 8u * (pmc + pebs) > size)
            cs->perf_ext_past_size++;
        hook(cs, hdr, r); /* PERFINFO is of the system family too */
        break;
    }
    case ETWHF_FAM_SYSTEM:
    case ETWHF_FAM_COMPACT: hook(cs, hdr, r); break;
    case ETWHF_FAM_FULL:
    case ETWHF_FAM_INSTANCE:
        if (cur_eq(r, ETWHF_FULL_GUID, etwhf_heap_guid, 16)) {
            cs->heap_guid[hdr]++;
            etwhf__tally_add(&cs->heap_hook, cur_u8(r, ETWHF_FULL_CLASS_TYPE), 1);
        }
        break;
    case ETWHF_FAM_EVENT: {
        const unsigned flags = cur_u16(r, ETWHF_EVT_FLAGS);
        etwhf__tally_add(&cs->evt_flags, flags, 1);
        if (cur_eq(r, ETWHF_EVT_PROVIDER, etwhf_heap_guid, 16)) {
            cs->heap_guid[hdr]++;
            etwhf__tally_add(&cs->heap_hook, cur_u8(r, ETWHF_EVT_DESC_OPCODE), 1);
        }
        if (flags & ETWHF_EVT_FLAG_EXTENDED_INFO)
            items(cs, r, size);
        break;
    }
    default: break;
    }
    cur_failed(r); /* every fixed field lies inside the form's H ≤ Size bytes */
    if (f->lf_pointer_size == 8 && hi->pointer_size == 4)
        cs->narrow_in_wide++;
    if (f->lf_pointer_size == 4 && hi->pointer_size == 8)
        cs->wide_in_narrow++;
}

/* The form of the record at p (R3–R4), or -1 with the reason in *why. */
static int form(struct census *cs, uint8_t b3, uint8_t type, enum census_end *why)
{
    if (!(b3 & ETWHF_TRACE_HEADER_FLAG)) {
        *why = END_NO_MARKER;
        return -1;
    }
    if (b3 & ETWHF_TRACE_HEADER_EVENT) {
        const int hdr = etwhf_header_from_type(type);
        if (hdr < 0) {
            etwhf__tally_add(&cs->unknown_header_type, type, 1);
            *why = END_HEADER_TYPE;
        }
        return hdr;
    }
    if (b3 & ETWHF_TRACE_MESSAGE)
        return ETWHF_HDR_MESSAGE;
    *why = END_HEADER_TYPE;
    return -1;
}

static void pad(struct census *cs, struct cur *buf, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (cur_u8(buf, i) != 0) {
            cs->nonzero_pad++;
            break;
        }
    cur_failed(buf); /* a pad past the region's end reads as zero: not counted */
}

void etwhf__census_region(struct census_file *f, struct cur *buf, size_t end, uint64_t where)
{
    struct census *cs = f->cs;
    enum census_end why = END_EXACT;
    size_t p = ETWHF_BUFFER_HEADER_SIZE, last_end = p;
    for (;;) {
        if (p >= end) { /* past it only by the last record's pad */
            why = last_end == end || p == end ? END_EXACT : END_SHORT_TAIL;
            break;
        }
        if (end - p < 8) {
            why = END_SHORT_TAIL;
            break;
        }
        if (cur_u32(buf, p) == ETWHF_FILLER_DWORD) {
            why = END_FILLER;
            break;
        }
        const uint8_t b3 = cur_u8(buf, p + 3), type = cur_u8(buf, p + 2);
        etwhf__tally_add(&cs->byte3_all, b3, 1);
        const int hdr = form(cs, b3, type, &why);
        if (hdr < 0)
            break;
        const struct etwhf_header_info *hi = &etwhf_header_table[hdr];
        const unsigned size = cur_u16(buf, p + hi->size_at);
        cur_failed(buf); /* p + 8 ≤ end ≤ the view's length */
        if (size < hi->fixed_size || size > end - p) {
            why = END_SIZE;
            break;
        }
        cs->records++;
        cs->form[hdr]++;
        etwhf__tally_add(&cs->byte3[hdr], b3, 1);
        etwhf__tally_add(&cs->size_mod8, size % 8u, 1);
        if (size < cs->size_min)
            cs->size_min = size;
        if (size > cs->size_max)
            cs->size_max = size;
        struct cur r = cur_sub(buf, p, size);
        cur_failed(buf);
        record(f, hdr, &r);
        const size_t next = p + align8(size);
        last_end = p + size;
        pad(cs, buf, p + size, next < end ? next : end);
        p = next;
    }
    cs->ends[why]++;
    if (why != END_EXACT && why != END_FILLER)
        etwhf__census_note(cs, "buffer at 0x%llx: records end at 0x%zx of 0x%zx (%s)", (unsigned long long)where, p,
                           end, end_names[why]);
}
