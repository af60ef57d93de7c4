/*
 * json_in.h — reading the JSON lines a check is handed: the manifest's and
 * a decoder's answers, one object per line (internal).
 *
 * These lines are parsed with cJSON, not jansson: a check reads about 1 KiB
 * of manifest and a few answer lines per case, and jansson's parse (65 MB/s
 * here) was half of the checker's CPU time, which is what bounds a check's
 * cases/s once the decoder is fast (BENCHMARKS.md, "check protocols").
 * jansson still writes every JSON etwhf prints and reads REPORT.json.
 *
 * Numbers: JSON has one number type, and a reader keeps a double. A count,
 * an id or a pointer given as a JSON number is read when its value is an
 * integer from 0 to 2^53 − 1, the range any JSON reader holds exactly (RFC
 * 8259 §6; 2^53 + 1 would read as 2^53); larger pointers are written as
 * "0x…" strings, as etwhf does.
 */
#ifndef ETWHF_CHECK_JSON_IN_H
#define ETWHF_CHECK_JSON_IN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* The largest integer a JSON number is read as. */
#define ETWHF_JSON_IN_MAX_INT (((uint64_t)1 << 53) - 1)

/* One JSON value filling p[0..n) (whitespace around it allowed), or NULL.
 * *where, when not NULL, gets the offset the parse stopped at. The first
 * call installs cJSON hooks (cJSON_InitHooks: malloc and free, as cJSON's
 * defaults) so that the next function can tell why a parse failed. */
cJSON *etwhf__json_in_parse(const char *p, size_t n, size_t *where);

/* 1 when this thread's last etwhf__json_in_parse returned NULL because an
 * allocation failed, not because the text is not JSON. */
int etwhf__json_in_out_of_memory(void);

/* o's member `key` (the first, if the line repeats it), or NULL when o is
 * not an object or lacks it. */
const cJSON *etwhf__json_in_get(const cJSON *o, const char *key);

/* The text of a string value, else NULL. */
const char *etwhf__json_in_string(const cJSON *v);

/* A number with an integer value from 0 to ETWHF_JSON_IN_MAX_INT: ETWHF_OK,
 * or ETWHF_EINVAL when v is not one. */
int etwhf__json_in_uint(const cJSON *v, uint64_t *out);

/* v as compact JSON text for a message (free it), or NULL; a number with
 * the digits it needs to read back the same. */
char *etwhf__json_in_text(const cJSON *v);

/* A number too large for etwhf__json_in_uint but otherwise a count: one
 * a writer meant as an integer. */
int etwhf__json_in_too_big(const cJSON *v);

#endif
