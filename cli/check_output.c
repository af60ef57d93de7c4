/* Reading an external decoder's JSON lines; see check_output.h. */
#include "check_output.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "etwhf/format.h"

/* Pointers as numbers: "0x…" hex strings (§4), decimal strings or integers. */
static int get_number(json_t *v, uint64_t *out)
{
    if (json_is_string(v))
        return etwhf_parse_u64(json_string_value(v), out);
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    return -1;
}

static void bad_line(struct check_diff *d, int mode, size_t lineno, const char *what, const char *line,
                     size_t len)
{
    char field[40], got[160];
    snprintf(field, sizeof field, "output line %zu", lineno);
    snprintf(got, sizeof got, "%.*s", (int)(len > 100 ? 100 : len), line);
    check_diff_add(d, CHECK_K_OUTPUT, mode, field, what, got);
}

static void take_event(json_t *o, int mode, size_t lineno, const char *line, size_t len,
                       struct check_observed *obs, struct check_diff *d)
{
    struct check_event ev;
    uint64_t src, ps;
    if (get_number(json_object_get(o, "heap_handle"), &ev.heap_handle) != 0 ||
        get_number(json_object_get(o, "address"), &ev.address) != 0 ||
        get_number(json_object_get(o, "source"), &src) != 0 || src > UINT32_MAX ||
        get_number(json_object_get(o, "pointer_size"), &ps) != 0 || ps > 255) {
        bad_line(d, mode, lineno, "an event with heap_handle, address, source, pointer_size", line, len);
        return;
    }
    ev.source = (uint32_t)src;
    ev.pointer_size = (uint8_t)ps;
    check_observed_add_event(obs, &ev);
}

static void take_diag(json_t *o, int strict_codes, int mode, size_t lineno, const char *line, size_t len,
                      struct check_observed *obs, struct check_diff *d)
{
    const char *sev = json_string_value(json_object_get(o, "severity"));
    if (!sev || (strcmp(sev, "error") != 0 && strcmp(sev, "warning") != 0)) {
        bad_line(d, mode, lineno, "a diag with severity error or warning", line, len);
        return;
    }
    const char *name = strict_codes ? json_string_value(json_object_get(o, "code")) : NULL;
    int code = name ? etwhf_diag_from_name(name) : 0;
    check_observed_add_diag(obs, sev[0] == 'e', code, name, 0, 0);
}

void check_output_parse(const char *out, size_t len, int mode, int strict_codes,
                        struct check_observed *obs, struct check_diff *d)
{
    check_observed_reset(obs);
    obs->codes_known = strict_codes;
    size_t lineno = 0;
    for (const char *p = out, *end = out + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        lineno++;
        json_t *o = n ? json_loadb(p, n, 0, NULL) : NULL;
        const char *type = json_string_value(json_object_get(o, "type"));
        if (n && (!o || !type))
            bad_line(d, mode, lineno, "a JSON object with a \"type\"", p, n);
        else if (type && strcmp(type, "diag") == 0)
            take_diag(o, strict_codes, mode, lineno, p, n, obs, d);
        else if (type && strcmp(type, "HeapFree") == 0)
            take_event(o, mode, lineno, p, n, obs, d);
        else if (type && strcmp(type, "HeapAlloc") == 0)
            obs->heap_alloc++;
        else if (type && strcmp(type, "HeapReAlloc") == 0)
            obs->heap_realloc++;
        json_decref(o);
        p = stop + 1;
    }
}
