/* Reading an external decoder's JSON lines; see output.h. */
#include "output.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "etwhf/format.h"
#include "heap_json.h"
#include "manifest.h"

static void bad_line(struct check_diff *d, int mode, size_t lineno, const char *what, const char *line,
                     size_t len)
{
    char field[40], got[160];
    snprintf(field, sizeof field, "output line %zu", lineno);
    snprintf(got, sizeof got, "%.*s", (int)(len > 100 ? 100 : len), line);
    etwhf__check_diff_add(d, CHECK_K_OUTPUT, mode, field, what, got);
}

static void take_event(json_t *o, int mode, size_t lineno, const char *line, size_t len,
                       struct check_observed *obs, struct check_diff *d)
{
    struct etwhf_gen_event ev;
    uint64_t src, ps;
    if (etwhf__json_u64(json_object_get(o, MK_HEAP_HANDLE), &ev.heap_handle) != 0 ||
        etwhf__json_u64(json_object_get(o, MK_ADDRESS), &ev.address) != 0 ||
        etwhf__json_u64(json_object_get(o, MK_SOURCE), &src) != 0 || src > UINT32_MAX ||
        etwhf__json_u64(json_object_get(o, MK_POINTER_SIZE), &ps) != 0 || ps > 255) {
        bad_line(d, mode, lineno, "an event with heap_handle, address, source, pointer_size", line, len);
        return;
    }
    ev.source = (uint32_t)src;
    ev.pointer_size = (uint8_t)ps;
    etwhf__check_observed_add_event(obs, &ev);
    if (obs->other_known) { /* the same keys, nothing more read */
        struct etwhf_gen_heap_expect h = {.type = ETWHF_HEAP_FREE, .pointer_size = ev.pointer_size, .header = -1,
                                     .source = ev.source, .heap_handle = ev.heap_handle, .address = ev.address};
        etwhf__check_observed_add_heap(obs, &h);
    }
}

/* all_heap (--all-heap-events): a HeapAlloc or HeapReAlloc line with the keys of its type. */
static void take_other(json_t *o, int mode, size_t lineno, const char *line, size_t len,
                       struct check_observed *obs, struct check_diff *d)
{
    struct etwhf_gen_heap_expect h;
    if (etwhf__heap_json_read(o, 0, &h) != 0) {
        bad_line(d, mode, lineno, h.type == ETWHF_HEAP_ALLOC
                                      ? "a HeapAlloc with heap_handle, size, address, source, pointer_size"
                                      : "a HeapReAlloc with heap_handle, new_address, old_address, new_size, "
                                        "old_size, source, pointer_size",
                 line, len);
        return;
    }
    etwhf__check_observed_add_heap(obs, &h);
}

static void take_diag(json_t *o, int strict_codes, int mode, size_t lineno, const char *line, size_t len,
                      struct check_observed *obs, struct check_diff *d)
{
    const char *sev = json_string_value(json_object_get(o, "severity"));
    int is_error = sev && strcmp(sev, etwhf_severity_name(ETWHF_SEV_ERROR)) == 0;
    if (!sev || (!is_error && strcmp(sev, etwhf_severity_name(ETWHF_SEV_WARNING)) != 0)) {
        bad_line(d, mode, lineno, "a diag with severity error or warning", line, len);
        return;
    }
    const char *name = strict_codes ? json_string_value(json_object_get(o, MK_CODE)) : NULL;
    int code = name ? etwhf_diag_from_name(name) : 0;
    etwhf__check_observed_add_diag(obs, is_error, code, name, 0, 0);
}

void etwhf__check_output_parse(const char *out, size_t len, int mode, int strict_codes, int all_heap,
                               struct check_observed *obs, struct check_diff *d)
{
    etwhf__check_observed_reset(obs);
    obs->codes_known = strict_codes;
    obs->other_known = all_heap;
    size_t lineno = 0;
    for (const char *p = out, *end = out + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        lineno++;
        json_t *o = n ? json_loadb(p, n, 0, NULL) : NULL;
        const char *type = json_string_value(json_object_get(o, MK_TYPE));
        int heap = etwhf__heap_json_type(type);
        if (n && (!o || !type))
            bad_line(d, mode, lineno, "a JSON object with a \"type\"", p, n);
        else if (type && strcmp(type, "diag") == 0)
            take_diag(o, strict_codes, mode, lineno, p, n, obs, d);
        else if (heap == ETWHF_HEAP_FREE)
            take_event(o, mode, lineno, p, n, obs, d);
        else if (heap) {
            *(heap == ETWHF_HEAP_ALLOC ? &obs->heap_alloc : &obs->heap_realloc) += 1;
            if (all_heap)
                take_other(o, mode, lineno, p, n, obs, d);
        }
        json_decref(o);
        p = stop + 1;
    }
}
