/*
 * heap_json.h — one heap event of any type read from a JSON object: a
 * `heap_events` entry of the manifest or an event line an external decoder
 * printed (the keys of `etwhf decode`'s lines), so both sides read the same
 * keys the same way (internal).
 */
#ifndef ETWHF_CHECK_HEAP_JSON_H
#define ETWHF_CHECK_HEAP_JSON_H

#include "json_in.h"

#include "corpus.h"

/* A number as the JSON lines write pointers: a "0x…" (any case) or decimal
 * string, or a JSON number as etwhf__json_in_uint reads it. ETWHF_OK, or
 * ETWHF_EINVAL when v is none of these. */
int etwhf__json_u64(const cJSON *v, uint64_t *out);

/* ETWHF_HEAP_FREE, _ALLOC or _REALLOC for an event line's `type`
 * ("HeapFree", …; not the option spelling "free"), else 0. */
int etwhf__heap_json_type(const char *name);

/* Reads o's `type`, `pointer_size`, `heap_handle`, `source` and the keys
 * its type has (`address`; `size`; `new_address`, `old_address`,
 * `new_size`, `old_size`); with read_header also `header` (a form name or
 * null). Numbers as etwhf__json_u64 reads them. ETWHF_OK, or ETWHF_EINVAL
 * when a key is missing or malformed (*ev then holds nothing useful but
 * its type). */
int etwhf__heap_json_read(const cJSON *o, int read_header, struct etwhf_gen_heap_expect *ev);

#endif
