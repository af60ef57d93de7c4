/* Reading a manifest into a corpus; see corpus.h. */
#define _GNU_SOURCE /* asprintf */
#include "corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etwhf/format.h"
#include "heap_json.h"
#include "json_in.h"
#include "manifest.h"

/* The longest manifest line read, its newline not counted
 * (docs/spec/manifest.md §3). etwhf writes lines of a few KiB (7 KiB for
 * the longest of a 3,000-case corpus); 16 MiB holds a case of some 70,000
 * heap events and bounds what one line costs: its text, then its parse. */
#define MANIFEST_LINE_MAX ((size_t)16 << 20)
#define READ_CHUNK ((size_t)64 << 10)

struct loader {
    struct etwhf_corpus *c;
    size_t case_cap, event_cap, fault_cap, name_cap, heap_cap, loc_cap;
    const char *path;
    size_t line;
    char *err;
    size_t errlen;
    int has_count;          /* the first line's options.count was read: */
    uint64_t count;         /*   the case lines hold ids 0 … count − 1, in order */
    int dirfd;              /* the corpus folder (O_PATH), for case paths */
    char *root;             /* its real path: where symlinks may lead */
    char checked[PATH_MAX]; /* the last folder of a case path found free of symlinks */
    size_t checked_len;     /* (most cases share "cases"), or 0 */
};

/* The manifest's bytes, handed out a line at a time. */
struct lines {
    int fd;
    char *buf;
    size_t cap, start, end, scan; /* unread bytes [start, end); no newline in [start, scan) */
    int eof;
};

__attribute__((format(printf, 2, 3))) static int fail(struct loader *ld, const char *fmt, ...)
{
    int n = snprintf(ld->err, ld->errlen, "%s line %zu: ", ld->path, ld->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < ld->errlen)
        vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return ETWHF_EIO;
}

static int no_memory(struct loader *ld)
{
    fail(ld, "out of memory");
    return ETWHF_ENOMEM;
}

/* Grows *arr (elements of size sz) so that index `need` fits. */
static int grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need < *cap)
        return ETWHF_OK;
    size_t n = *cap ? *cap * 2 : 256;
    while (n <= need)
        n *= 2;
    void *p = realloc(*arr, n * sz);
    if (!p)
        return ETWHF_ENOMEM;
    *arr = p;
    *cap = n;
    return ETWHF_OK;
}

static int get_u64(const cJSON *v, uint64_t *out)
{
    return etwhf__json_in_uint(v, out);
}

static int intern_fault(struct loader *ld, const char *name, uint32_t *idx)
{
    struct etwhf_corpus *c = ld->c;
    for (size_t i = 0; i < c->nfaults; i++)
        if (strcmp(c->fault_names[i], name) == 0) {
            *idx = (uint32_t)i;
            return ETWHF_OK;
        }
    if (grow((void **)&c->fault_names, &ld->name_cap, c->nfaults, sizeof *c->fault_names) != ETWHF_OK ||
        !(c->fault_names[c->nfaults] = strdup(name)))
        return ETWHF_ENOMEM;
    *idx = (uint32_t)c->nfaults++;
    return ETWHF_OK;
}

static int parse_codes(struct loader *ld, const cJSON *arr, const char *key, uint32_t *mask)
{
    if (!cJSON_IsArray(arr))
        return fail(ld, "expect.%s is not an array", key);
    *mask = 0;
    size_t i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        int code = cJSON_IsString(v) ? etwhf_diag_from_name(etwhf__json_in_string(v)) : 0;
        if (code <= 0 || code > ETWHF_DIAG_MAX)
            return fail(ld, "expect.%s[%zu] is not a diagnostic code name", key, i);
        *mask |= 1u << code;
    }
    return ETWHF_OK;
}

static int parse_events(struct loader *ld, const cJSON *arr, struct etwhf_gen_expect *e)
{
    struct etwhf_corpus *c = ld->c;
    if (!cJSON_IsArray(arr))
        return fail(ld, "expect.events is not an array");
    size_t start = c->nevents, i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        if (grow((void **)&c->events, &ld->event_cap, c->nevents, sizeof *c->events) != ETWHF_OK)
            return no_memory(ld);
        struct etwhf_gen_event *ev = &c->events[c->nevents];
        uint64_t src, ps;
        if (!cJSON_IsObject(v) ||
            etwhf__json_u64(etwhf__json_in_get(v, MK_HEAP_HANDLE), &ev->heap_handle) != ETWHF_OK ||
            etwhf__json_u64(etwhf__json_in_get(v, MK_ADDRESS), &ev->address) != ETWHF_OK ||
            get_u64(etwhf__json_in_get(v, MK_SOURCE), &src) != ETWHF_OK || src > UINT32_MAX ||
            get_u64(etwhf__json_in_get(v, MK_POINTER_SIZE), &ps) != ETWHF_OK || (ps != 4 && ps != 8))
            return fail(ld,
                        "expect.events[%zu] needs heap_handle, address (hex strings), source and "
                        "pointer_size (4 or 8)",
                        i);
        ev->source = (uint32_t)src;
        ev->pointer_size = (uint8_t)ps;
        c->nevents++;
    }
    e->n_events = c->nevents - start;
    return ETWHF_OK;
}

static int parse_first_error(struct loader *ld, const cJSON *v, struct etwhf_gen_expect *e)
{
    if (!v || cJSON_IsNull(v)) {
        if (e->error)
            return fail(ld, "expect.first_error is null but the verdict is error");
        return ETWHF_OK;
    }
    const cJSON *code = etwhf__json_in_get(v, MK_CODE);
    e->first_error_code = cJSON_IsString(code) ? etwhf_diag_from_name(etwhf__json_in_string(code)) : 0;
    if (e->first_error_code <= 0 || get_u64(etwhf__json_in_get(v, MK_OFFSET), &e->first_error_offset) != ETWHF_OK)
        return fail(ld, "expect.first_error needs a code name and an offset");
    return ETWHF_OK;
}

static int parse_counts(struct loader *ld, const cJSON *x, struct check_case *k, int required)
{
    struct etwhf_gen_expect *e = &k->expect;
    const cJSON *b = etwhf__json_in_get(x, MK_BUFFERS), *s = etwhf__json_in_get(x, MK_BUFFERS_SKIPPED),
                *t = etwhf__json_in_get(x, MK_EVENTS_TOTAL);
    if (!b && !s && !t && !required)
        return ETWHF_OK;
    if (get_u64(b, &e->buffers) != ETWHF_OK || get_u64(s, &e->buffers_skipped) != ETWHF_OK ||
        get_u64(t, &e->events_total) != ETWHF_OK)
        return fail(ld, "a file case needs expect.buffers, expect.buffers_skipped and expect.events_total");
    k->has_counts = 1;
    return ETWHF_OK;
}

/* heap_alloc / heap_realloc: counts a manifest may add for Alloc and
 * ReAlloc events, which `events` (HeapFree only) does not list. */
static int parse_other_counts(struct loader *ld, const cJSON *x, struct check_case *k)
{
    struct etwhf_gen_expect *e = &k->expect;
    const cJSON *a = etwhf__json_in_get(x, MK_HEAP_ALLOC), *r = etwhf__json_in_get(x, MK_HEAP_REALLOC);
    if (!a && !r)
        return ETWHF_OK;
    if (get_u64(a, &e->heap_alloc) != ETWHF_OK || get_u64(r, &e->heap_realloc) != ETWHF_OK)
        return fail(ld, "expect.heap_alloc and expect.heap_realloc go together, as counts");
    k->has_other_counts = 1;
    return ETWHF_OK;
}

/* heap_events: every heap event of any type with its fields, a project
 * extension (generator version 4 on, docs/check.md); absent in older
 * manifests, which are checked as before. */
static int parse_heap_events(struct loader *ld, const cJSON *arr, struct check_case *k)
{
    struct etwhf_corpus *c = ld->c;
    if (!arr)
        return ETWHF_OK;
    if (!cJSON_IsArray(arr))
        return fail(ld, "expect.heap_events is not an array");
    size_t start = c->nheap_events, i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        if (grow((void **)&c->heap_events, &ld->heap_cap, c->nheap_events, sizeof *c->heap_events) != ETWHF_OK)
            return no_memory(ld);
        struct etwhf_gen_heap_expect *ev = &c->heap_events[c->nheap_events];
        if (!cJSON_IsObject(v) || etwhf__heap_json_read(v, 1, ev) != ETWHF_OK ||
            (ev->pointer_size != 4 && ev->pointer_size != 8))
            return fail(ld,
                        "expect.heap_events[%zu] needs type, header, pointer_size (4 or 8), heap_handle, "
                        "source and the fields of its type",
                        i);
        c->nheap_events++;
    }
    k->expect.n_heap_events = c->nheap_events - start;
    k->has_heap_events = 1;
    return ETWHF_OK;
}

/* intact_prefix: faulted cases of generator version 7 on; how many of the
 * expected events precede the first fault's damage (conformance level L2). */
static int parse_prefix(struct loader *ld, const cJSON *v, struct etwhf_gen_expect *e)
{
    if (!v)
        return ETWHF_OK;
    uint64_t ev, he;
    if (!cJSON_IsObject(v) || get_u64(etwhf__json_in_get(v, MK_EVENTS), &ev) != ETWHF_OK ||
        get_u64(etwhf__json_in_get(v, MK_HEAP_EVENTS), &he) != ETWHF_OK || ev > e->n_events ||
        (e->n_heap_events && he > e->n_heap_events))
        return fail(ld, "expect.intact_prefix needs events and heap_events, counts no larger than the lists");
    e->has_prefix = 1;
    e->prefix_events = (size_t)ev;
    e->prefix_heap_events = (size_t)he;
    return ETWHF_OK;
}

static int parse_expect(struct loader *ld, const cJSON *x, struct check_case *k)
{
    struct etwhf_gen_expect *e = &k->expect;
    if (!cJSON_IsObject(x))
        return fail(ld, "no \"expect\" object");
    const char *verdict = etwhf__json_in_string(etwhf__json_in_get(x, MK_VERDICT));
    if (!verdict || (strcmp(verdict, MV_VERDICT_OK) != 0 && strcmp(verdict, MV_VERDICT_ERROR) != 0))
        return fail(ld, "expect.verdict is not \"ok\" or \"error\"");
    e->error = strcmp(verdict, MV_VERDICT_ERROR) == 0;
    int st;
    if ((st = parse_first_error(ld, etwhf__json_in_get(x, MK_FIRST_ERROR), e)) != ETWHF_OK ||
        (st = parse_codes(ld, etwhf__json_in_get(x, MK_ERRORS), MK_ERRORS, &e->errors)) != ETWHF_OK ||
        (st = parse_codes(ld, etwhf__json_in_get(x, MK_WARNINGS), MK_WARNINGS, &e->warnings)) != ETWHF_OK ||
        (st = parse_events(ld, etwhf__json_in_get(x, MK_EVENTS), e)) != ETWHF_OK ||
        (st = parse_other_counts(ld, x, k)) != ETWHF_OK ||
        (st = parse_heap_events(ld, etwhf__json_in_get(x, MK_HEAP_EVENTS), k)) != ETWHF_OK ||
        (st = parse_prefix(ld, etwhf__json_in_get(x, MK_INTACT_PREFIX), e)) != ETWHF_OK)
        return st;
    return parse_counts(ld, x, k, k->info.layer == ETWHF_GEN_FILE);
}

static int parse_headers(struct loader *ld, const cJSON *arr, struct etwhf_corpus_case *k)
{
    if (!arr)
        return ETWHF_OK;
    if (!cJSON_IsArray(arr))
        return fail(ld, "\"headers\" is not an array");
    size_t i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        int h = cJSON_IsString(v) ? etwhf_header_from_name(etwhf__json_in_string(v)) : -1;
        if (h < 0 || h >= ETWHF_HDR_FORMS)
            return fail(ld, "headers[%zu] is not a header form name", i);
        k->headers |= 1u << h;
    }
    return ETWHF_OK;
}

static int parse_faults(struct loader *ld, const cJSON *arr, struct check_case *k)
{
    struct etwhf_corpus *c = ld->c;
    k->fault_start = c->ncase_faults;
    if (!arr)
        return ETWHF_OK;
    if (!cJSON_IsArray(arr))
        return fail(ld, "\"faults\" is not an array");
    size_t i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v) || !*etwhf__json_in_string(v))
            return fail(ld, "faults[%zu] is not a name", i);
        if (grow((void **)&c->case_faults, &ld->fault_cap, c->ncase_faults, sizeof *c->case_faults) != ETWHF_OK ||
            intern_fault(ld, etwhf__json_in_string(v), &c->case_faults[c->ncase_faults]) != ETWHF_OK)
            return no_memory(ld);
        c->ncase_faults++;
        k->fault_count++;
    }
    return ETWHF_OK;
}

/* locations: optional (manifests before generator version 5 lack it), one
 * object per fault; read so that --explain can say where each fault is. */
static int parse_locations(struct loader *ld, const cJSON *arr, struct check_case *k)
{
    struct etwhf_corpus *c = ld->c;
    k->loc_start = c->nlocations;
    if (!arr)
        return ETWHF_OK;
    if (!cJSON_IsArray(arr))
        return fail(ld, "\"locations\" is not an array");
    size_t i = 0;
    const cJSON *v;
    for (v = arr->child; v; v = v->next, i++) {
        if (grow((void **)&c->locations, &ld->loc_cap, c->nlocations, sizeof *c->locations) != ETWHF_OK)
            return no_memory(ld);
        struct check_location *l = &c->locations[c->nlocations];
        const char *name = etwhf__json_in_string(etwhf__json_in_get(v, MK_FAULT));
        const cJSON *b = etwhf__json_in_get(v, MK_BUFFER), *in = etwhf__json_in_get(v, MK_INNER_OFFSET);
        memset(l, 0, sizeof *l);
        if (!name || !*name || (b && !cJSON_IsNull(b) && get_u64(b, &l->buffer) != ETWHF_OK) ||
            get_u64(etwhf__json_in_get(v, MK_OFFSET), &l->offset) != ETWHF_OK ||
            (in && get_u64(in, &l->inner_offset) != ETWHF_OK))
            return fail(ld, "locations[%zu] needs a fault name, a buffer (or null) and an offset", i);
        if (intern_fault(ld, name, &l->fault) != ETWHF_OK)
            return no_memory(ld);
        l->has_buffer = b && !cJSON_IsNull(b);
        l->has_inner = in != NULL;
        c->nlocations++;
        k->loc_count++;
    }
    return ETWHF_OK;
}

/* shapes and evidence: generator version 7 on. Shape names this library
 * does not know (a newer generator's) are skipped; evidence alone decides
 * which conformance levels judge the case. */
static int parse_evidence(struct loader *ld, const cJSON *o, struct check_case *k)
{
    const cJSON *arr = etwhf__json_in_get(o, MK_SHAPES), *ev = etwhf__json_in_get(o, MK_EVIDENCE);
    if (arr) {
        if (!cJSON_IsArray(arr))
            return fail(ld, "\"shapes\" is not an array");
        size_t i = 0;
        for (const cJSON *v = arr->child; v; v = v->next, i++) {
            if (!cJSON_IsString(v) || !*etwhf__json_in_string(v))
                return fail(ld, "shapes[%zu] is not a name", i);
            int s = etwhf_gen_shape_from_name(etwhf__json_in_string(v));
            if (s >= 0)
                k->shapes |= UINT64_C(1) << s;
        }
    }
    if (!ev)
        return ETWHF_OK;
    int e = cJSON_IsString(ev) ? etwhf_evidence_from_name(etwhf__json_in_string(ev)) : -1;
    if (e < 0)
        return fail(ld, "\"evidence\" is not observed, documented or chosen");
    k->has_evidence = 1;
    k->evidence = (uint8_t)e;
    return ETWHF_OK;
}

static int parse_shape(struct loader *ld, const cJSON *o, struct etwhf_corpus_case *k)
{
    const char *layer = etwhf__json_in_string(etwhf__json_in_get(o, MK_LAYER));
    int li = layer ? etwhf__layer_from_name(layer) : -1;
    if (li < 0)
        return fail(ld, "\"layer\" is not payload, record or file");
    k->layer = li;
    const cJSON *ps = etwhf__json_in_get(o, MK_POINTER_SIZE);
    uint64_t p = 0;
    if (cJSON_IsString(ps) && strcmp(etwhf__json_in_string(ps), MV_MIXED) == 0)
        k->pointer_size = 0;
    else if (get_u64(ps, &p) == ETWHF_OK && (p == 4 || p == 8))
        k->pointer_size = (unsigned)p;
    else
        return fail(ld, "\"pointer_size\" is not 4, 8 or \"mixed\"");
    k->event = ETWHF_HEAP_FREE;
    if (k->layer != ETWHF_GEN_PAYLOAD)
        return ETWHF_OK;
    /* The option spelling only ("free"), not the event line's ("HeapFree"). */
    const char *ev = etwhf__json_in_string(etwhf__json_in_get(o, MK_EVENT));
    int type = etwhf_heap_type_from_name(ev);
    if (!type || strcmp(etwhf_heap_event_name(type), ev) != 0 || k->pointer_size == 0)
        return fail(ld, "a payload case needs \"event\" (free, alloc, realloc) and a pointer_size of 4 or 8");
    k->event = (uint8_t)type;
    return ETWHF_OK;
}

/* Case lines come in id order, each id once; under a first line that
 * gives options.count, the ids are exactly 0 … count − 1 (manifest.md §2):
 * a manifest cut short, or with lines repeated or spliced in, is refused
 * instead of judging fewer or more cases than it was written with. */
static int check_id(struct loader *ld, uint64_t id)
{
    const struct etwhf_corpus *c = ld->c;
    if (c->ncases) {
        const struct etwhf_corpus_case *prev = &c->cases[c->ncases - 1].info;
        if (id == prev->id)
            return fail(ld, "id %llu again (line %zu has it): each case line has its own id", (unsigned long long)id,
                        prev->line);
        if (id < prev->id)
            return fail(ld, "id %llu after id %llu (line %zu): case lines come in id order", (unsigned long long)id,
                        (unsigned long long)prev->id, prev->line);
    }
    if (!ld->has_count)
        return ETWHF_OK;
    if (c->ncases >= ld->count)
        return fail(ld, "one case line more than the first line's options.count (%llu)", (unsigned long long)ld->count);
    if (id != c->ncases)
        return fail(ld,
                    "id %llu where id %zu is due: the case lines hold ids 0 to %llu (options.count %llu), "
                    "each once, in order",
                    (unsigned long long)id, c->ncases, (unsigned long long)ld->count - 1,
                    (unsigned long long)ld->count);
    return ETWHF_OK;
}

/* Where `path` (the case's "file" or its part up to a symlink) really
 * leads: inside the corpus folder or not. */
static int check_link(struct loader *ld, const char *file, const char *path)
{
    char *full, *real;
    if (asprintf(&full, "%s/%s", ld->root, path) < 0)
        return no_memory(ld);
    real = realpath(full, NULL);
    int e = errno;
    free(full);
    if (!real)
        return e == ENOMEM ? no_memory(ld)
                           : fail(ld,
                                  "\"file\" '%.512s' goes through a symlink that does not resolve (%s); a case "
                                  "file lies inside the corpus folder",
                                  file, strerror(e));
    size_t n = strlen(ld->root);
    int inside = strcmp(ld->root, "/") == 0 || (strncmp(real, ld->root, n) == 0 && (real[n] == '/' || !real[n]));
    free(real);
    return inside ? ETWHF_OK
                  : fail(ld,
                         "\"file\" '%.512s' leads out of the corpus folder through a symlink; a case file lies "
                         "inside it",
                         file);
}

/* A manifest from elsewhere must not make check read any file of the
 * machine (manifest.md §3): "file" is refused when it is absolute, has a
 * ".." component or reaches through a symlink that leads out of the corpus
 * folder (symlinks that stay inside are followed). Each component is looked
 * at without following it; the walk ends at one that does not exist: a
 * selected case whose file is missing is reported before any run. */
static int check_inside(struct loader *ld, const char *file)
{
    size_t len = strlen(file);
    if (file[0] == '/')
        return fail(ld, "\"file\" '%.512s' is an absolute path; a case file lies inside the corpus folder", file);
    for (const char *s = file; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return fail(ld, "\"file\" '%.512s' goes up with '..'; a case file lies inside the corpus folder", file);
        s += n;
        s += *s == '/';
    }
    if (len >= PATH_MAX)
        return fail(ld, "\"file\" is longer than %d bytes", PATH_MAX - 1);
    const char *slash = strrchr(file, '/');
    size_t dirlen = slash ? (size_t)(slash - file) : 0, from = 0;
    if (dirlen && dirlen == ld->checked_len && memcmp(file, ld->checked, dirlen) == 0)
        from = dirlen + 1; /* its folder was looked at for an earlier case */
    char part[PATH_MAX];
    for (size_t i = from; i <= len; i++) {
        if ((i < len && file[i] != '/') || i == 0 || file[i - 1] == '/')
            continue;
        memcpy(part, file, i);
        part[i] = '\0';
        struct stat st;
        if (fstatat(ld->dirfd, part, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return ETWHF_OK;
        /* The symlink first (the clearer message), then all the path: more may follow. */
        int rc;
        if (S_ISLNK(st.st_mode))
            return (rc = check_link(ld, file, part)) != ETWHF_OK ? rc : check_link(ld, file, file);
        if (i == dirlen) {
            memcpy(ld->checked, file, dirlen);
            ld->checked_len = dirlen;
        }
    }
    return ETWHF_OK;
}

static int parse_case(struct loader *ld, const cJSON *o)
{
    struct etwhf_corpus *c = ld->c;
    if (grow((void **)&c->cases, &ld->case_cap, c->ncases, sizeof *c->cases) != ETWHF_OK)
        return no_memory(ld);
    struct check_case *k = &c->cases[c->ncases];
    memset(k, 0, sizeof *k);
    k->info.line = ld->line;
    const char *file = etwhf__json_in_string(etwhf__json_in_get(o, MK_FILE));
    if (get_u64(etwhf__json_in_get(o, MK_ID), &k->info.id) != ETWHF_OK)
        return fail(ld, "no integer \"id\"");
    if (!file || !*file)
        return fail(ld, "no \"file\"");
    int st;
    if ((st = check_id(ld, k->info.id)) != ETWHF_OK || (st = check_inside(ld, file)) != ETWHF_OK ||
        (st = parse_shape(ld, o, &k->info)) != ETWHF_OK ||
        (st = parse_headers(ld, etwhf__json_in_get(o, MK_HEADERS), &k->info)) != ETWHF_OK ||
        (st = parse_faults(ld, etwhf__json_in_get(o, MK_FAULTS), k)) != ETWHF_OK ||
        (st = parse_locations(ld, etwhf__json_in_get(o, MK_LOCATIONS), k)) != ETWHF_OK ||
        (st = parse_evidence(ld, o, k)) != ETWHF_OK ||
        (st = parse_expect(ld, etwhf__json_in_get(o, MK_EXPECT), k)) != ETWHF_OK)
        return st;
    k->compressed = cJSON_IsTrue(etwhf__json_in_get(o, MK_COMPRESSED));
    if (!(k->info.file = strdup(file)))
        return no_memory(ld);
    c->ncases++;
    return ETWHF_OK;
}

static int parse_first_line(struct loader *ld, const cJSON *o)
{
    const cJSON *v = etwhf__json_in_get(o, MK_MANIFEST);
    uint64_t version;
    if (get_u64(v, &version) != ETWHF_OK)
        return fail(ld, "not a manifest header (no \"manifest\" key)");
    if (version != ETWHF_MANIFEST_VERSION)
        return fail(ld, "manifest version %llu, this etwhf reads version %d", (unsigned long long)version,
                    ETWHF_MANIFEST_VERSION);
    const char *gv = etwhf__json_in_string(etwhf__json_in_get(o, MK_GENERATOR_VERSION));
    if (gv && !(ld->c->generator_version = strdup(gv)))
        return no_memory(ld);
    /* options.count: how many case lines follow (hand-written manifests may leave it out). */
    const cJSON *count = etwhf__json_in_get(etwhf__json_in_get(o, MK_OPTIONS), MK_COUNT);
    if (count && get_u64(count, &ld->count) != ETWHF_OK)
        return fail(ld, "options.count is not an integer");
    ld->has_count = count != NULL;
    return ETWHF_OK;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* The expectations' event lists are slices of the corpus's flat arrays,
 * which moved while they grew: point them there once every line is in. A
 * case's events follow the previous case's, in manifest order. */
static void link_slices(struct etwhf_corpus *c)
{
    size_t ev = 0, he = 0;
    for (size_t i = 0; i < c->ncases; i++) {
        struct etwhf_gen_expect *e = &c->cases[i].expect;
        e->events = e->n_events ? c->events + ev : NULL;
        e->heap_events = e->n_heap_events ? c->heap_events + he : NULL;
        ev += e->n_events;
        he += e->n_heap_events;
    }
}

/* The next line at *p, *n bytes (its newline included when it has one): 1;
 * 0 at the end; ETWHF_EIO or ETWHF_ENOMEM (negated) with the message set,
 * for a line longer than MANIFEST_LINE_MAX, a read error or no memory. The
 * buffer never holds more than one line and a chunk. */
static int next_line(struct loader *ld, struct lines *r, const char **p, size_t *n)
{
    for (;;) {
        char *nl = r->end > r->scan ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL; /* buf NULL at first */
        size_t len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
        if (len > MANIFEST_LINE_MAX) {
            ld->line++;
            return -fail(ld, "longer than %zu bytes, the limit of a manifest line", MANIFEST_LINE_MAX);
        }
        if (nl || (r->eof && len)) {
            *p = r->buf + r->start;
            *n = nl ? len + 1 : len;
            r->start = r->scan = r->start + *n;
            return 1;
        }
        if (r->eof)
            return 0;
        r->scan = r->end;
        if (r->start) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->scan -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : READ_CHUNK;
            if (cap > MANIFEST_LINE_MAX + READ_CHUNK)
                cap = MANIFEST_LINE_MAX + READ_CHUNK;
            char *b = realloc(r->buf, cap);
            if (!b) {
                ld->line++;
                return -no_memory(ld);
            }
            r->buf = b;
            r->cap = cap;
        }
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(ld->err, ld->errlen, "cannot read %s: %s", ld->path, strerror(errno));
            return -ETWHF_EIO;
        }
        r->eof = got == 0;
        r->end += (size_t)got;
    }
}

static int read_lines(struct loader *ld, int fd)
{
    struct lines r = {.fd = fd};
    const char *line = NULL;
    size_t n = 0;
    int rc = ETWHF_OK, have_header = 0, got = 0;
    while (rc == ETWHF_OK && (got = next_line(ld, &r, &line, &n)) > 0) {
        ld->line++;
        if (blank(line, n))
            continue;
        size_t at;
        cJSON *o = etwhf__json_in_parse(line, n, &at);
        if (!o && etwhf__json_in_out_of_memory())
            rc = no_memory(ld);
        else if (!o)
            rc = fail(ld, "not a JSON object: not JSON from column %zu", at + 1);
        else if (!cJSON_IsObject(o))
            rc = fail(ld, "not a JSON object");
        else if (!have_header++)
            rc = parse_first_line(ld, o);
        else
            rc = parse_case(ld, o);
        cJSON_Delete(o);
    }
    if (rc == ETWHF_OK && got < 0)
        rc = -got;
    if (rc == ETWHF_OK && !have_header) {
        snprintf(ld->err, ld->errlen, "%s is empty", ld->path);
        rc = ETWHF_EIO;
    }
    if (rc == ETWHF_OK && ld->has_count && ld->c->ncases < ld->count) {
        snprintf(ld->err, ld->errlen,
                 "%s: %zu case lines, but its first line's options.count is %llu: the "
                 "manifest ends early (cut short?)",
                 ld->path, ld->c->ncases, (unsigned long long)ld->count);
        rc = ETWHF_EIO;
    }
    free(r.buf);
    return rc;
}

/* What a non-regular file is, for the message that refuses it. */
static const char *file_kind(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

/* The manifest, opened for reading: a regular file only (manifest.md §3).
 * A FIFO would block the check until a writer comes, a device may never
 * end (/dev/zero); neither is a corpus. stat() first, so that no device is
 * opened at all; fstat() after, for what was opened. O_NONBLOCK keeps the
 * open itself from waiting. -1 with the message set. */
static int open_manifest(struct loader *ld)
{
    struct stat st;
    if (stat(ld->path, &st) != 0) {
        snprintf(ld->err, ld->errlen, "cannot read '%s': %s", ld->path, strerror(errno));
        return -1;
    }
    int fd = S_ISREG(st.st_mode) ? open(ld->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    if (fd < 0 && S_ISREG(st.st_mode)) {
        snprintf(ld->err, ld->errlen, "cannot read '%s': %s", ld->path, strerror(errno));
        return -1;
    }
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) != 0)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        snprintf(ld->err, ld->errlen, "'%s' is %s, not a regular file as a manifest is", ld->path,
                 file_kind(st.st_mode));
    return fd;
}

int etwhf__manifest_read(const char *dir, struct etwhf_corpus *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    const char *why = stat(dir, &st) != 0 ? strerror(errno) : !S_ISDIR(st.st_mode) ? "not a folder" : NULL;
    if (why) {
        snprintf(err, errlen, "cannot read corpus folder '%s': %s", dir, why);
        return ETWHF_EIO;
    }
    char *path;
    if (asprintf(&path, "%s/" MANIFEST_FILE, dir) < 0)
        path = NULL;
    if (!path || !(out->dir = strdup(dir))) {
        free(path);
        snprintf(err, errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    struct loader ld = {.c = out, .path = path, .err = err, .errlen = errlen, .dirfd = -1};
    int rc = ETWHF_EIO, fd = open_manifest(&ld);
    if (fd >= 0 && ((ld.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || !(ld.root = realpath(dir, NULL))))
        snprintf(err, errlen, "cannot read corpus folder '%s': %s", dir, strerror(errno));
    else if (fd >= 0)
        rc = read_lines(&ld, fd);
    if (rc == ETWHF_OK)
        link_slices(out);
    if (fd >= 0)
        close(fd);
    if (ld.dirfd >= 0)
        close(ld.dirfd);
    free(ld.root);
    free(path);
    if (rc != ETWHF_OK)
        etwhf__corpus_clear(out);
    return rc;
}
