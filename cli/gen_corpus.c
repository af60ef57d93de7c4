/*
 * gen_corpus.c — `etwhf gen --out DIR`: cases in DIR/cases/ and
 * DIR/manifest.jsonl (CONTRACT.md §6).
 *
 * Crash safety: each case is written to a dot-temporary and renamed; the
 * manifest grows in DIR/.manifest.jsonl.tmp and is renamed into place only
 * after syncfs() has made every case durable, so a run that is interrupted,
 * killed or out of disk leaves no manifest.jsonl: nothing that looks complete.
 * (One syncfs per run instead of one fsync per case: a 100,000-case corpus
 * is written in seconds, not minutes.)
 */
#define _GNU_SOURCE /* syncfs */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "gen_cli.h"
#include "gen_outdir.h"
#include "interrupt.h"

#define MANIFEST GEN_MANIFEST
#define MANIFEST_TMP GEN_MANIFEST_TMP

int gen_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR && !etwhf_interrupted())
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int io_error(const char *what, const char *path)
{
    fprintf(stderr, "etwhf gen: %s '%s': %s\n", what, path, strerror(errno));
    return EXIT_IO;
}

/* ---- manifest lines ------------------------------------------------------------ */

static json_t *hex(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return json_string(buf);
}

static json_t *codes(uint32_t mask)
{
    json_t *a = json_array();
    for (int code = 1; code <= ETWHF_DIAG_MAX; code++)
        if (mask >> code & 1u)
            json_array_append_new(a, json_string(etwhf_diag_info(code)->name));
    return a;
}

/* heap_events: every delivered heap event with the keys its `etwhf decode`
 * line has (CONTRACT.md §4) — a project extension beyond §6, whose `events`
 * lists HeapFree only, so `etwhf check` can judge Alloc and ReAlloc fields. */
static json_t *heap_events_json(const struct etwhf_gen_expect *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->n_heap_events; i++) {
        const struct etwhf_gen_heap_expect *v = &x->heap_events[i];
        json_t *o = json_object();
        int realloc_ = v->type == ETWHF_HEAP_REALLOC;
        json_object_set_new(o, "type", json_string(v->type == ETWHF_HEAP_ALLOC ? "HeapAlloc"
                                                   : realloc_                  ? "HeapReAlloc"
                                                                               : "HeapFree"));
        json_object_set_new(o, "header", v->header >= 0 ? json_string(etwhf_header_info(v->header)->name)
                                                        : json_null());
        json_object_set_new(o, "pointer_size", json_integer(v->pointer_size));
        json_object_set_new(o, "heap_handle", hex(v->heap_handle));
        if (v->type == ETWHF_HEAP_ALLOC)
            json_object_set_new(o, "size", hex(v->size));
        if (realloc_) {
            json_object_set_new(o, "new_address", hex(v->new_address));
            json_object_set_new(o, "old_address", hex(v->old_address));
            json_object_set_new(o, "new_size", hex(v->new_size));
            json_object_set_new(o, "old_size", hex(v->old_size));
        } else {
            json_object_set_new(o, "address", hex(v->address));
        }
        json_object_set_new(o, "source", json_integer(v->source));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *expect_json(const struct etwhf_gen_case *k)
{
    const struct etwhf_gen_expect *x = &k->expect;
    json_t *e = json_object();
    json_object_set_new(e, "verdict", json_string(x->error ? "error" : "ok"));
    if (x->first_error_code) {
        json_t *fe = json_object();
        json_object_set_new(fe, "code", json_string(etwhf_diag_info(x->first_error_code)->name));
        json_object_set_new(fe, "offset", json_integer((json_int_t)x->first_error_offset));
        json_object_set_new(e, "first_error", fe);
    } else {
        json_object_set_new(e, "first_error", json_null());
    }
    json_object_set_new(e, "errors", codes(x->errors));
    json_object_set_new(e, "warnings", codes(x->warnings));
    json_t *evs = json_array();
    for (size_t i = 0; i < x->n_events; i++) {
        const struct etwhf_gen_event *v = &x->events[i];
        json_t *o = json_object();
        json_object_set_new(o, "heap_handle", hex(v->heap_handle));
        json_object_set_new(o, "address", hex(v->address));
        json_object_set_new(o, "source", json_integer(v->source));
        json_object_set_new(o, "pointer_size", json_integer(v->pointer_size));
        json_array_append_new(evs, o);
    }
    json_object_set_new(e, "events", evs);
    if (k->layer == ETWHF_GEN_FILE) {
        json_object_set_new(e, "buffers", json_integer((json_int_t)x->buffers));
        json_object_set_new(e, "buffers_skipped", json_integer((json_int_t)x->buffers_skipped));
        json_object_set_new(e, "events_total", json_integer((json_int_t)x->events_total));
    }
    json_object_set_new(e, "heap_alloc", json_integer((json_int_t)x->heap_alloc));
    json_object_set_new(e, "heap_realloc", json_integer((json_int_t)x->heap_realloc));
    json_object_set_new(e, "heap_events", heap_events_json(x));
    return e;
}

static const char *const layer_names[] = {"payload", "record", "file"};

static json_t *case_json(const struct gen_cli *c, const struct etwhf_gen_case *k, uint64_t id, const char *file)
{
    json_t *o = json_object();
    char seed[48];
    json_object_set_new(o, "id", json_integer((json_int_t)id));
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "layer", json_string(layer_names[k->layer]));
    json_object_set_new(o, "pointer_size", k->pointer_size ? json_integer(k->pointer_size) : json_string("mixed"));
    json_t *hs = json_array();
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if (k->headers >> h & 1u)
            json_array_append_new(hs, json_string(etwhf_header_info(h)->name));
    json_object_set_new(o, "headers", hs);
    json_object_set_new(o, "compressed", json_boolean(k->compressed));
    if (k->layer == ETWHF_GEN_PAYLOAD)
        json_object_set_new(o, "event", json_string(k->event == ETWHF_HEAP_ALLOC     ? "alloc"
                                                    : k->event == ETWHF_HEAP_REALLOC ? "realloc"
                                                                                     : "free"));
    json_t *fs = json_array();
    for (size_t i = 0; i < k->n_faults; i++)
        json_array_append_new(fs, json_string(etwhf_fault_info(k->faults[i])->name));
    json_object_set_new(o, "faults", fs);
    snprintf(seed, sizeof seed, "%llu/%llu", (unsigned long long)c->seed, (unsigned long long)id);
    json_object_set_new(o, "seed", json_string(seed));
    json_object_set_new(o, "expect", expect_json(k));
    return o;
}

static json_t *name_list(unsigned mask, const char *const *names, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        if (mask >> i & 1u)
            json_array_append_new(a, json_string(names[i]));
    return a;
}

static json_t *first_line(const struct gen_cli *c, uint64_t count)
{
    static const char *const widths[] = {"4", "8", "mixed"};
    const struct etwhf_gen_options *g = &c->opts;
    char seed[24];
    json_t *o = json_object(), *opt = json_object();
    json_object_set_new(o, "manifest", json_integer(ETWHF_MANIFEST_VERSION));
    json_object_set_new(o, "generator_version", json_string(ETWHF_GEN_VERSION));
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)c->seed);
    json_object_set_new(opt, "seed", json_string(seed));
    json_object_set_new(opt, "count", json_integer((json_int_t)count));
    json_object_set_new(opt, "exhaustive", json_boolean(c->exhaustive));
    json_object_set_new(opt, "layer", name_list(g->layers ? g->layers : ETWHF_GEN_ALL_LAYERS, layer_names, 3));
    json_object_set_new(opt, "pointer_size", name_list(g->widths ? g->widths : ETWHF_GEN_ALL_WIDTHS, widths, 3));
    json_t *src = json_array();
    static const uint32_t defaults[] = {1, 2, 3, 4, 5, 6, 0, 7, 0x80000000u, 0xFFFFFFFFu};
    for (size_t i = 0; i < (g->n_sources ? g->n_sources : 10); i++)
        json_array_append_new(src, json_integer(g->n_sources ? g->sources[i] : defaults[i]));
    json_object_set_new(opt, "source", src);
    json_t *hs = json_array();
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if ((g->headers ? g->headers : ETWHF_GEN_ALL_HEADERS) >> h & 1u)
            json_array_append_new(hs, json_string(etwhf_header_info(h)->name));
    json_object_set_new(opt, "header", hs);
    if (g->fault_mode == ETWHF_GEN_FAULTS_LIST) {
        json_t *fs = json_array();
        for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
            if (g->fault_set >> f & 1u)
                json_array_append_new(fs, json_string(etwhf_fault_info(f)->name));
        json_object_set_new(opt, "faults", fs);
    } else {
        json_object_set_new(opt, "faults", json_string(g->fault_mode == ETWHF_GEN_FAULTS_NONE ? "none" : "all"));
    }
    json_object_set_new(opt, "fault_rate", json_integer(g->fault_rate));
    json_object_set_new(opt, "max_faults", json_integer(g->max_faults));
    json_object_set_new(opt, "compressed_rate", json_integer(g->compressed_rate));
    json_object_set_new(o, "options", opt);
    return o;
}

/* Appends one JSON line; 0 or -1 (errno). */
static int put_line(int fd, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps leaves the NUL: room for the newline */
    int rc = gen_write_all(fd, s, n + 1);
    free(s);
    return rc;
}

/* ---- the run ----------------------------------------------------------------------- */

struct run {
    const struct gen_cli *c;
    int dirfd, casesfd, manifest;
    char path[4096];
};

static int write_case(struct run *r, const struct etwhf_gen_case *k, const char *name)
{
    char tmp[300];
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    int fd = openat(r->casesfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    int rc = gen_write_all(fd, k->bytes, k->len);
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && renameat(r->casesfd, tmp, r->casesfd, name) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0)
        unlinkat(r->casesfd, tmp, 0);
    errno = saved;
    return rc;
}

static int one_case(struct run *r, uint64_t id, int *status)
{
    const struct gen_cli *c = r->c;
    struct etwhf_dstream ds;
    struct etwhf_gen_pin pin;
    struct etwhf_gen_case k;
    etwhf_dstream_init_seed(&ds, c->seed, id);
    etwhf_gen_pin_init(&pin);
    if (c->exhaustive && etwhf_gen_exhaustive_pin(&c->opts, id, &pin) != ETWHF_OK) {
        *status = ETWHF_EINVAL;
        return -1;
    }
    *status = etwhf_gen_case_pinned(&c->opts, &pin, &ds, &k);
    if (*status != ETWHF_OK)
        return -1;
    char name[256], file[280];
    etwhf_gen_case_name(&k, id, name, sizeof name);
    snprintf(file, sizeof file, "cases/%s", name);
    int rc = write_case(r, &k, name);
    if (rc == 0)
        rc = put_line(r->manifest, case_json(c, &k, id, file));
    etwhf_gen_case_free(&k);
    return rc;
}

static void progress(uint64_t done, uint64_t total, int last)
{
    fprintf(stderr, "\retwhf gen: %llu/%llu cases%s", (unsigned long long)done, (unsigned long long)total,
            last ? "\n" : "");
}

static int finish(struct run *r)
{
    if (fsync(r->manifest) != 0 || syncfs(r->dirfd) != 0)
        return -1;
    if (renameat(r->dirfd, MANIFEST_TMP, r->dirfd, MANIFEST) != 0)
        return -1;
    return fsync(r->dirfd);
}

int gen_corpus(const struct gen_cli *c)
{
    int rc = gen_prepare_out(c->out, c->force);
    if (rc != EXIT_OK)
        return rc;
    struct run r = {c, -1, -1, -1, {0}};
    r.dirfd = open(c->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r.dirfd < 0)
        return io_error("cannot open", c->out);
    if ((mkdirat(r.dirfd, "cases", 0777) != 0 && errno != EEXIST) ||
        (r.casesfd = openat(r.dirfd, "cases", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        (r.manifest = openat(r.dirfd, MANIFEST_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
        rc = io_error("cannot write in", c->out);
        goto out;
    }
    etwhf_interrupt_install();
    uint64_t total = c->exhaustive ? etwhf_gen_exhaustive_count(&c->opts) : c->count;
    int tty = isatty(2);
    if (put_line(r.manifest, first_line(c, total)) != 0) {
        rc = io_error("cannot write", MANIFEST_TMP);
        goto out;
    }
    for (uint64_t id = 0; id < total; id++) {
        if (etwhf_interrupted()) {
            rc = EXIT_INTERRUPTED;
            break;
        }
        int status = ETWHF_OK;
        if (one_case(&r, id, &status) != 0) {
            if (etwhf_interrupted())
                rc = EXIT_INTERRUPTED;
            else if (status != ETWHF_OK)
                fprintf(stderr, "etwhf gen: case %llu: %s\n", (unsigned long long)id, etwhf_strerror(status));
            else
                io_error("cannot write a case in", c->out);
            if (rc == EXIT_OK)
                rc = EXIT_IO;
            break;
        }
        if (tty && (id % 997 == 0 || id + 1 == total))
            progress(id + 1, total, id + 1 == total);
    }
    if (rc == EXIT_OK && finish(&r) != 0)
        rc = io_error("cannot complete", MANIFEST);
out:
    if (rc != EXIT_OK && r.dirfd >= 0)
        unlinkat(r.dirfd, MANIFEST_TMP, 0);
    if (rc == EXIT_INTERRUPTED)
        fputs("\netwhf gen: interrupted; no manifest written\n", stderr);
    if (r.manifest >= 0)
        close(r.manifest);
    if (r.casesfd >= 0)
        close(r.casesfd);
    close(r.dirfd);
    return rc;
}
