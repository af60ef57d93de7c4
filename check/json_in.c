/* Reading JSON lines with cJSON; see json_in.h. */
#define _GNU_SOURCE /* strdup */
#include "json_in.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"

static int space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* cJSON returns NULL both for text that is not JSON and for an allocation
 * that failed; a reader must tell them apart ("out of memory" is not a
 * malformed line). Its allocations go through note_malloc, which calls
 * malloc as cJSON's default does and notes a failure for this thread. */
static _Thread_local int alloc_failed;

static void *note_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        alloc_failed = 1;
    return p;
}

static void install_hooks(void)
{
    cJSON_Hooks h = {.malloc_fn = note_malloc, .free_fn = free};
    cJSON_InitHooks(&h);
}

int etwhf__json_in_out_of_memory(void)
{
    return alloc_failed;
}

cJSON *etwhf__json_in_parse(const char *p, size_t n, size_t *where)
{
    static pthread_once_t hooks = PTHREAD_ONCE_INIT;
    pthread_once(&hooks, install_hooks);
    alloc_failed = 0;
    const char *end = NULL;
    cJSON *v = n ? cJSON_ParseWithLengthOpts(p, n, &end, 0) : NULL;
    /* cJSON stops after the first value: what follows must be blank. */
    size_t at = end && end >= p && end <= p + n ? (size_t)(end - p) : 0;
    while (v && at < n && space(p[at]))
        at++;
    if (v && at < n) {
        cJSON_Delete(v);
        v = NULL;
    }
    if (where)
        *where = at;
    return v;
}

const cJSON *etwhf__json_in_get(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *etwhf__json_in_string(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int etwhf__json_in_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return ETWHF_EINVAL;
    double d = v->valuedouble;
    /* !(…) also refuses NaN; the bound keeps the conversion exact. */
    if (!(d >= 0 && d <= (double)ETWHF_JSON_IN_MAX_INT) || floor(d) != d)
        return ETWHF_EINVAL;
    *out = (uint64_t)d;
    return ETWHF_OK;
}

char *etwhf__json_in_text(const cJSON *v)
{
    if (!cJSON_IsNumber(v))
        return v ? cJSON_PrintUnformatted(v) : NULL;
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v->valuedouble);
    if (strtod(buf, NULL) != v->valuedouble)
        snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
    return strdup(buf);
}

int etwhf__json_in_too_big(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble > (double)ETWHF_JSON_IN_MAX_INT &&
           floor(v->valuedouble) == v->valuedouble;
}
