/* Reading one heap event from JSON; see check_heap.h. */
#include "check_heap.h"

#include <string.h>

#include "args.h"
#include "etwhf/format.h"

int check_heap_type(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "HeapFree") == 0)
        return ETWHF_HEAP_FREE;
    if (strcmp(name, "HeapAlloc") == 0)
        return ETWHF_HEAP_ALLOC;
    if (strcmp(name, "HeapReAlloc") == 0)
        return ETWHF_HEAP_REALLOC;
    return 0;
}

const char *check_heap_type_name(int type)
{
    return type == ETWHF_HEAP_FREE      ? "HeapFree"
           : type == ETWHF_HEAP_ALLOC   ? "HeapAlloc"
           : type == ETWHF_HEAP_REALLOC ? "HeapReAlloc"
                                        : "?";
}

int check_json_number(json_t *v, uint64_t *out)
{
    if (json_is_string(v))
        return etwhf_parse_u64(json_string_value(v), out);
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    return -1;
}

static int number(json_t *o, const char *key, uint64_t *out)
{
    return check_json_number(json_object_get(o, key), out);
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

int check_heap_read(json_t *o, int read_header, struct check_heap_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->header = -1;
    uint64_t ps, src;
    ev->type = (uint8_t)check_heap_type(json_string_value(json_object_get(o, "type")));
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
