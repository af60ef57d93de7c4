/*
 * check_heap.h — one heap event of any type read from a JSON object: a
 * `heap_events` entry of the manifest or an event line an external decoder
 * printed (CONTRACT.md §4 keys), so both sides read the same keys the same
 * way (internal).
 */
#ifndef ETWHF_CHECK_HEAP_H
#define ETWHF_CHECK_HEAP_H

#include <jansson.h>

#include "check_case.h"

/* A number as the JSON lines write pointers: a "0x…" or decimal string, or a
 * non-negative integer. 0 or -1. */
int check_json_number(json_t *v, uint64_t *out);

/* ETWHF_HEAP_FREE/_ALLOC/_REALLOC for "HeapFree"/"HeapAlloc"/"HeapReAlloc", else 0. */
int check_heap_type(const char *name);
/* "HeapFree", "HeapAlloc", "HeapReAlloc" ("?" otherwise). */
const char *check_heap_type_name(int type);

/* Reads o's `type`, `pointer_size`, `heap_handle`, `source` and the keys
 * its type has (`address`; `size`; `new_address`, `old_address`,
 * `new_size`, `old_size`); with read_header also `header` (a form name or
 * null). Numbers may be "0x…" or decimal strings or integers. 0, or -1 when
 * a key is missing or malformed (*ev then holds nothing useful). */
int check_heap_read(json_t *o, int read_header, struct check_heap_event *ev);

#endif
