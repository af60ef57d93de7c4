/*
 * decode_files — a decoder-only program (libc and libetwhf, nothing else) so
 * MemorySanitizer can watch the paths the fuzz targets do not take: the fd
 * reader over a file and over a pipe, byte-sized feeds, and the logfile
 * record's fields and UTF-16 names (etwhf_decoder_logfile).
 *
 *   decode_files [--expect BUFFERS RECORDS] FILE...
 *   decode_files --samples DIR     the three samples with their README counts
 *
 * Every file is decoded five ways (memory, fd on the file, fd on a pipe,
 * 1-byte feeds, 4093-byte feeds, each in recover mode, and memory in strict
 * mode) and the recover-mode summaries must agree. --expect checks the
 * summary's buffers and events_total of the next FILE (the sample README's
 * counts). Every byte of every result is printed so MSan sees it used.
 * Exit 0, 1 with a message, or 77 (skipped) when --samples names a folder
 * without them — unless CI=true, where that is a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "etwhf/decode.h"
#include "decode_once.h"

static unsigned long long checksum;

static int on_event(void *user, const struct etwhf_event *e)
{
    (void)user;
    checksum = checksum * 31 + e->heap_handle + e->address + e->source + e->offset + e->timestamp + e->pid + e->tid +
               e->cpu + e->size + e->new_address + e->old_address + e->new_size + e->old_size;
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    (void)user;
    checksum = checksum * 31 + (unsigned)d->code + d->offset + d->buffer + strlen(d->message);
    return 0;
}

static struct etwhf_decode_options options(int mode)
{
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.mode = mode;
    o.on_event = on_event;
    o.on_diag = on_diag;
    return o;
}

static int fail(const char *path, const char *what)
{
    fprintf(stderr, "decode_files: %s: %s\n", path, what);
    return 1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap && !(p = realloc(p, cap = cap ? 2 * cap : 65536)))
            break;
        size_t n = fread(p + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    return p;
}

static int feeds(const uint8_t *p, size_t len, size_t chunk, struct etwhf_summary *s, struct etwhf_logfile *lf)
{
    struct etwhf_decode_options o = options(ETWHF_MODE_RECOVER);
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    if (!d)
        return ETWHF_ENOMEM;
    int rc = ETWHF_OK;
    for (size_t at = 0; at < len && rc == ETWHF_OK; at += chunk < len - at ? chunk : len - at)
        rc = etwhf_decode_feed(d, p + at, chunk < len - at ? chunk : len - at);
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    *s = *etwhf_decoder_summary(d);
    const struct etwhf_logfile *got = etwhf_decoder_logfile(d);
    if (got)
        *lf = *got;
    else
        memset(lf, 0, sizeof *lf);
    etwhf_decoder_free(d);
    return rc;
}

/* etwhf_decode_fd on the read end of a pipe a child fills. */
static int through_pipe(const uint8_t *p, size_t len, struct etwhf_summary *s)
{
    int fds[2];
    if (pipe(fds) != 0)
        return ETWHF_EIO;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (size_t at = 0; at < len;) {
            ssize_t n = write(fds[1], p + at, len - at);
            if (n < 0 && errno != EINTR)
                _exit(1);
            at += n > 0 ? (size_t)n : 0;
        }
        _exit(0);
    }
    close(fds[1]);
    struct etwhf_decode_options o = options(ETWHF_MODE_RECOVER);
    int rc = pid < 0 ? ETWHF_EIO : decode_once_fd(&o, fds[0], s);
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return rc;
}

static int same(const struct etwhf_summary *a, const struct etwhf_summary *b)
{
    return a->buffers == b->buffers && a->buffers_skipped == b->buffers_skipped && a->events_total == b->events_total &&
           a->heap_free == b->heap_free && a->errors == b->errors && a->warnings == b->warnings && a->bytes == b->bytes;
}

static int one_file(const char *path, long long want_buffers, long long want_records)
{
    size_t len;
    uint8_t *p = slurp(path, &len);
    if (!p)
        return fail(path, strerror(errno));
    struct etwhf_summary mem = {0}, fd = {0}, pipe_s = {0}, bytes = {0}, chunks = {0}, strict = {0};
    struct etwhf_logfile lf;
    struct etwhf_decode_options o = options(ETWHF_MODE_RECOVER);
    int bad = decode_once_memory(&o, p, len, &mem) != ETWHF_OK;
    int f = open(path, O_RDONLY);
    bad |= f < 0 || decode_once_fd(&o, f, &fd) != ETWHF_OK;
    if (f >= 0)
        close(f);
    bad |= through_pipe(p, len, &pipe_s) != ETWHF_OK;
    bad |= feeds(p, len, 1, &bytes, &lf) != ETWHF_OK;
    bad |= feeds(p, len, 4093, &chunks, &lf) != ETWHF_OK;
    o = options(ETWHF_MODE_STRICT);
    bad |= decode_once_memory(&o, p, len, &strict) != ETWHF_OK;
    free(p);
    if (bad)
        return fail(path, "a decode did not return ETWHF_OK");
    if (!same(&mem, &fd) || !same(&mem, &pipe_s) || !same(&mem, &bytes) || !same(&mem, &chunks))
        return fail(path, "the ways of reading disagree");
    if (want_buffers >= 0 && ((long long)mem.buffers != want_buffers || (long long)mem.events_total != want_records))
        return fail(path, "buffers or records differ from the expected counts");
    printf(
        "%s: buffers %llu (+%llu skipped), records %llu, heap free %llu, errors %llu, warnings %llu; "
        "strict errors %llu; logger '%s', file '%s', pointer size %u, compressed %d; checksum %llx\n",
        path, (unsigned long long)mem.buffers, (unsigned long long)mem.buffers_skipped,
        (unsigned long long)mem.events_total, (unsigned long long)mem.heap_free, (unsigned long long)mem.errors,
        (unsigned long long)mem.warnings, (unsigned long long)strict.errors, lf.logger_name, lf.log_file_name,
        lf.pointer_size, lf.compressed, checksum);
    return 0;
}

/* The samples README's counts (buffers and records, the logfile record included). */
static const struct {
    const char *name;
    long long buffers, records;
} samples[] = {
    {"lxcore_kernel.etl", 3, 4},
    {"ShutdownPerfDiagLogger.etl", 49, 17078},
    {"SelfDescribingSingleEvent.etl", 3, 22},
};

static int run_samples(const char *dir)
{
    char path[4096];
    int rc = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, samples[i].name);
        if (access(path, R_OK) != 0) {
            const char *ci = getenv("CI");
            fprintf(stderr, "%s: sample %s not found in '%s'\n", ci && !strcmp(ci, "true") ? "FAIL" : "SKIP",
                    samples[i].name, dir);
            return ci && !strcmp(ci, "true") ? 1 : 77;
        }
    }
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, samples[i].name);
        rc |= one_file(path, samples[i].buffers, samples[i].records);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--samples"))
        return run_samples(argv[2]);
    int rc = 0, files = 0;
    long long want_b = -1, want_r = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--expect") && i + 2 < argc) {
            want_b = atoll(argv[++i]);
            want_r = atoll(argv[++i]);
            continue;
        }
        rc |= one_file(argv[i], want_b, want_r);
        want_b = want_r = -1;
        files++;
    }
    if (files == 0) {
        fputs("usage: decode_files [--expect BUFFERS RECORDS] FILE...\n", stderr);
        return 2;
    }
    return rc;
}
