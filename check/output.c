/* Reading an external decoder's JSON lines; see output.h. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"
#include "heap_json.h"
#include "json_in.h"
#include "manifest.h"
#include "errscan.h"

/* The item says what was wanted and what is wrong; the report echoes the
 * whole line from the output it kept (report.c), so nothing here is cut. */
static void bad_line(struct check_diff *d, int mode, size_t lineno, const char *what, const char *why)
{
    char field[40];
    snprintf(field, sizeof field, "output line %zu", lineno);
    etwhf__check_diff_add(d, CHECK_K_OUTPUT, mode, field, what, why);
}

/* Names the first key of a `type` line that cannot be read, and why:
 * "source: -1 is not a u32", "address: missing". */
static void why_bad(const cJSON *o, int type, char *buf, size_t len)
{
    static const struct {
        const char *key;
        uint64_t max;
        const char *what;
        uint8_t types;
    } keys[] = {
        {MK_HEAP_HANDLE, UINT64_MAX, "a number", 7},
        {MK_ADDRESS, UINT64_MAX, "a number", 3},
        {MK_SIZE, UINT64_MAX, "a number", 2},
        {MK_NEW_ADDRESS, UINT64_MAX, "a number", 4},
        {MK_OLD_ADDRESS, UINT64_MAX, "a number", 4},
        {MK_NEW_SIZE, UINT64_MAX, "a number", 4},
        {MK_OLD_SIZE, UINT64_MAX, "a number", 4},
        {MK_SOURCE, UINT32_MAX, "a u32", 7},
        {MK_POINTER_SIZE, 255, "a pointer size (4 or 8)", 7},
    };
    uint8_t bit = type == ETWHF_HEAP_ALLOC ? 2 : type == ETWHF_HEAP_REALLOC ? 4 : 1;
    snprintf(buf, len, "a key cannot be read");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!(keys[i].types & bit))
            continue;
        const cJSON *v = etwhf__json_in_get(o, keys[i].key);
        uint64_t x;
        if (!v) {
            snprintf(buf, len, "%s: missing", keys[i].key);
            return;
        }
        if (etwhf__json_u64(v, &x) == ETWHF_OK && x <= keys[i].max)
            continue;
        char *text = etwhf__json_in_text(v);
        if (etwhf__json_in_too_big(v))
            snprintf(buf, len, "%s: %.30s is beyond 2^53 - 1, write it as a \"0x...\" string", keys[i].key,
                     text ? text : "?");
        else
            snprintf(buf, len, "%s: %.60s is not %s", keys[i].key, text ? text : "?", keys[i].what);
        free(text);
        return;
    }
}

static void take_event(const cJSON *o, int mode, size_t lineno, struct check_observed *obs, struct check_diff *d)
{
    struct etwhf_gen_event ev;
    uint64_t src, ps;
    if (etwhf__json_u64(etwhf__json_in_get(o, MK_HEAP_HANDLE), &ev.heap_handle) != ETWHF_OK ||
        etwhf__json_u64(etwhf__json_in_get(o, MK_ADDRESS), &ev.address) != ETWHF_OK ||
        etwhf__json_u64(etwhf__json_in_get(o, MK_SOURCE), &src) != ETWHF_OK || src > UINT32_MAX ||
        etwhf__json_u64(etwhf__json_in_get(o, MK_POINTER_SIZE), &ps) != ETWHF_OK || ps > 255) {
        char why[120];
        why_bad(o, ETWHF_HEAP_FREE, why, sizeof why);
        bad_line(d, mode, lineno, "a HeapFree with heap_handle, address, source, pointer_size", why);
        obs->lines_bad++;
        return;
    }
    ev.source = (uint32_t)src;
    ev.pointer_size = (uint8_t)ps;
    etwhf__check_observed_add_event(obs, &ev);
    if (obs->other_known) { /* the same keys, nothing more read */
        struct etwhf_gen_heap_expect h = {.type = ETWHF_HEAP_FREE,
                                          .pointer_size = ev.pointer_size,
                                          .header = -1,
                                          .source = ev.source,
                                          .heap_handle = ev.heap_handle,
                                          .address = ev.address};
        etwhf__check_observed_add_heap(obs, &h);
    }
}

/* all_heap (--all-heap-events): a HeapAlloc or HeapReAlloc line with the keys of its type. */
static void take_other(const cJSON *o, int mode, size_t lineno, struct check_observed *obs, struct check_diff *d)
{
    struct etwhf_gen_heap_expect h;
    if (etwhf__heap_json_read(o, 0, &h) != ETWHF_OK) {
        char why[120];
        why_bad(o, h.type, why, sizeof why);
        bad_line(d, mode, lineno,
                 h.type == ETWHF_HEAP_ALLOC ? "a HeapAlloc with heap_handle, size, address, source, pointer_size"
                                            : "a HeapReAlloc with heap_handle, new_address, old_address, new_size, "
                                              "old_size, source, pointer_size",
                 why);
        return;
    }
    etwhf__check_observed_add_heap(obs, &h);
}

static void take_diag(const cJSON *o, int strict_codes, int mode, size_t lineno, struct check_observed *obs,
                      struct check_diff *d)
{
    const char *sev = etwhf__json_in_string(etwhf__json_in_get(o, "severity"));
    int is_error = sev && strcmp(sev, etwhf_severity_name(ETWHF_SEV_ERROR)) == 0;
    if (!sev || (!is_error && strcmp(sev, etwhf_severity_name(ETWHF_SEV_WARNING)) != 0)) {
        bad_line(d, mode, lineno, "a diag with severity error or warning",
                 sev ? "severity: neither error nor warning" : "severity: missing");
        obs->lines_bad++;
        return;
    }
    const char *name = strict_codes ? etwhf__json_in_string(etwhf__json_in_get(o, MK_CODE)) : NULL;
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
        cJSON *o = n ? etwhf__json_in_parse(p, n, NULL) : NULL;
        const char *type = etwhf__json_in_string(etwhf__json_in_get(o, MK_TYPE));
        int heap = etwhf__heap_json_type(type);
        if (n && (!o || !type)) {
            bad_line(d, mode, lineno, "a JSON object with a \"type\"",
                     !o                   ? "not JSON"
                     : !cJSON_IsObject(o) ? "not an object"
                                          : "type: missing or not a string");
            obs->lines_bad++;
        } else if (type && strcmp(type, "diag") == 0)
            take_diag(o, strict_codes, mode, lineno, obs, d);
        else if (heap == ETWHF_HEAP_FREE)
            take_event(o, mode, lineno, obs, d);
        else if (heap) {
            *(heap == ETWHF_HEAP_ALLOC ? &obs->heap_alloc : &obs->heap_realloc) += 1;
            if (all_heap)
                take_other(o, mode, lineno, obs, d);
        }
        cJSON_Delete(o);
        p = stop + 1;
    }
}

int etwhf__check_output_blank(const char *out, size_t len)
{
    for (size_t i = 0; out && i < len; i++)
        if (out[i] != ' ' && out[i] != '\t' && out[i] != '\r' && out[i] != '\n')
            return 0;
    return 1;
}

void etwhf__check_exit1_blank(struct check_diff *d, int mode, const struct check_errscan *scan)
{
    char last[120], got[160];
    etwhf__check_errscan_last_line(scan, last, sizeof last);
    snprintf(got, sizeof got, "1 and no output%s%s", last[0] ? "; stderr ends: " : ", nothing on stderr", last);
    etwhf__check_diff_add(d, CHECK_K_EXIT, mode, "exit_status", "0, or 1 with the diag lines of its errors", got);
}
