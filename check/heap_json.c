/* Reading one heap event from JSON; see heap_json.h. */
#include "heap_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"

int etwhf__json_u64(json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s)
        return -1;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    /* Digits only: no sign, space or second prefix, which strtoull would take. */
    size_t n = strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789");
    if (n == 0 || digits[n] != '\0')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(digits, NULL, hex ? 16 : 10);
    if (errno == ERANGE)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

static int number(json_t *o, const char *key, uint64_t *out)
{
    return etwhf__json_u64(json_object_get(o, key), out);
}

/* The event line's spelling only ("HeapFree"), not the option's ("free"). */
static uint8_t line_type(const char *name)
{
    int type = etwhf_heap_type_from_name(name);
    return type && strcmp(etwhf_heap_type_name(type), name) == 0 ? (uint8_t)type : 0;
}

static int header(json_t *o, int8_t *out)
{
    json_t *v = json_object_get(o, "header");
    if (json_is_null(v)) {
        *out = -1;
        return 0;
    }
    int h = json_is_string(v) ? etwhf_header_from_name(json_string_value(v)) : -1;
    if (h < 0 || h >= ETWHF_HDR_FORMS)
        return -1;
    *out = (int8_t)h;
    return 0;
}

int etwhf__heap_json_read(json_t *o, int read_header, struct check_heap_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->header = -1;
    uint64_t ps, src;
    ev->type = line_type(json_string_value(json_object_get(o, "type")));
    if (!ev->type || number(o, "pointer_size", &ps) != 0 || ps > 255 || number(o, "source", &src) != 0 ||
        src > UINT32_MAX || number(o, "heap_handle", &ev->heap_handle) != 0 ||
        (read_header && header(o, &ev->header) != 0))
        return -1;
    ev->pointer_size = (uint8_t)ps;
    ev->source = (uint32_t)src;
    switch (ev->type) {
    case ETWHF_HEAP_REALLOC:
        return number(o, "new_address", &ev->new_address) | number(o, "old_address", &ev->old_address) |
               number(o, "new_size", &ev->new_size) | number(o, "old_size", &ev->old_size);
    case ETWHF_HEAP_ALLOC:
        return number(o, "address", &ev->address) | number(o, "size", &ev->size);
    default:
        return number(o, "address", &ev->address);
    }
}
