/*
 * gen_corpus.c — `etwhf gen --out DIR`: cases in DIR/cases/ and
 * DIR/manifest.jsonl (docs/spec/manifest.md).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "etwhf/check.h"
#include "gen_cli.h"
#include "gen_outdir.h"
#include "interrupt.h"
#include "untrusted.h"

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
    etwhf_msg("etwhf gen: %s '%s': %s", what, path, strerror(errno));
    return EXIT_IO;
}

/* The manifest's lines are written by the check library (etwhf/check.h),
 * which also reads them; this is where they go. */
static int write_fd(void *user, const void *data, size_t len)
{
    return gen_write_all(*(const int *)user, data, len);
}

/* A manifest line's status as errno, for io_error. */
static int line_written(int status)
{
    if (status == ETWHF_ENOMEM)
        errno = ENOMEM;
    return status == ETWHF_OK ? 0 : -1;
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
        rc = line_written(etwhf_manifest_write_case(&k, c->seed, id, file, write_fd, &r->manifest));
    etwhf_gen_case_free(&k);
    return rc;
}

/* The line is erased after the last case: it is progress, not a result. */
static void progress(uint64_t done, uint64_t total, int last)
{
    if (last)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, "\retwhf gen: %llu/%llu cases", (unsigned long long)done, (unsigned long long)total);
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
    /* Before anything is written: a signal must never leave a temporary. */
    etwhf_interrupt_install();
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
    uint64_t total = c->exhaustive ? etwhf_gen_exhaustive_count(&c->opts) : c->count;
    int tty = isatty(2);
    int st = etwhf_manifest_write_header(&c->opts, c->seed, total, c->exhaustive, write_fd, &r.manifest);
    if (line_written(st) != 0) {
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
