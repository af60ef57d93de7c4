/*
 * gen_from.c — `etwhf gen --from DIR --out CORPUS`: a referee corpus of files
 * etwhf did not generate (a fuzzer's units, a user's traces). Each regular
 * file of DIR becomes CORPUS/cases/P_NAME (a hard link, or a copy across file
 * systems; P the generator's n, w or y for the referee's verdict) and a manifest line whose expectation is etwhf's decoder's
 * reading of it (etwhf_referee_case, docs/spec/conformance.md §1.5), written
 * by the check library like every other manifest.
 *
 * Unlike gen --out it does not syncfs(): a referee corpus is rebuilt from its
 * inputs at any time, and `ci/fuzz --against` writes one per round.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "etwhf/check.h"
#include "gen_cli.h"
#include "gen_outdir.h"
#include "interrupt.h"
#include "untrusted.h"

static int write_fd(void *user, const void *data, size_t len)
{
    return gen_write_all(*(const int *)user, data, len);
}

static int fail(const char *what, const char *path)
{
    etwhf_msg("etwhf gen: %s '%s': %s", what, path, strerror(errno));
    return EXIT_IO;
}

/* The whole of file `name` of dirfd; NULL with errno on failure. */
static unsigned char *slurp(int dirfd, const char *name, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    unsigned char *p = malloc(cap);
    while (p) {
        if (n == cap) {
            unsigned char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
        }
        ssize_t r = read(fd, p + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(p);
            p = NULL;
            errno = e;
        }
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *len = n;
    return p;
}

/* CORPUS/cases/TO (the input NAME): a hard link when DIR and CORPUS share a file system. */
static int place(int fromfd, int casesfd, const char *name, const char *to, const unsigned char *data, size_t len)
{
    if (linkat(fromfd, name, casesfd, to, 0) == 0)
        return 0;
    int fd = openat(casesfd, to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    int rc = gen_write_all(fd, data, len);
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

static int only_files(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int build(const char *from, const char *out, int fromfd, int outfd)
{
    struct dirent **names = NULL;
    int n = scandirat(fromfd, ".", &names, only_files, alphasort);
    if (n < 0)
        return fail("cannot list", from);
    int rc = EXIT_OK, casesfd = -1, man = -1;
    if (mkdirat(outfd, GEN_CASES, 0777) != 0 && errno != EEXIST)
        rc = fail("cannot create the cases folder in", out);
    else if ((casesfd = openat(outfd, GEN_CASES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        rc = fail("cannot open the cases folder in", out);
    else if ((man = openat(outfd, GEN_MANIFEST_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
        rc = fail("cannot create the manifest in", out);
    uint64_t id = 0, count = 0;
    for (int i = 0; rc == EXIT_OK && i < n; i++) {
        struct stat st;
        count += fstatat(fromfd, names[i]->d_name, &st, 0) == 0 && S_ISREG(st.st_mode);
    }
    if (rc == EXIT_OK && etwhf_manifest_write_referee_header(count, write_fd, &man) != ETWHF_OK)
        rc = fail("cannot write the manifest in", out);
    for (int i = 0; rc == EXIT_OK && i < n; i++) {
        const char *name = names[i]->d_name;
        struct stat st;
        if (etwhf_interrupted()) {
            rc = EXIT_INTERRUPTED;
            break;
        }
        if (fstatat(fromfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len = 0;
        unsigned char *data = slurp(fromfd, name, &len);
        if (!data) {
            rc = fail("cannot read", name);
            break;
        }
        struct etwhf_gen_case k;
        char file[NAME_MAX + 16];
        int st2 = etwhf_referee_case(data, len, &k);
        /* The generator's prefixes (n_ an error, w_ warnings only, y_ nothing to report):
         * the folder reads like a corpus, and gen --force knows it for one. */
        const char *prefix = k.expect.error ? "n_" : k.expect.warnings ? "w_" : "y_";
        snprintf(file, sizeof file, "%s/%s%s", GEN_CASES, prefix, name);
        if (st2 != ETWHF_OK) {
            errno = ENOMEM;
            rc = fail("cannot read as a referee case", name);
        } else if (place(fromfd, casesfd, name, file + sizeof GEN_CASES, data, len) != 0) {
            rc = fail("cannot write the case", file);
        } else if (etwhf_manifest_write_case(&k, 0, id++, file, write_fd, &man) != ETWHF_OK) {
            rc = fail("cannot write the manifest in", out);
        }
        etwhf_referee_case_free(&k);
        free(data);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (man >= 0 && close(man) != 0 && rc == EXIT_OK)
        rc = fail("cannot write the manifest in", out);
    if (rc == EXIT_OK && renameat(outfd, GEN_MANIFEST_TMP, outfd, GEN_MANIFEST) != 0)
        rc = fail("cannot write the manifest in", out);
    if (casesfd >= 0)
        close(casesfd);
    return rc;
}

int gen_from(const char *from, const char *out, int force)
{
    int rc = gen_prepare_out(out, force);
    if (rc != EXIT_OK)
        return rc;
    int fromfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fromfd < 0)
        return fail("cannot open the folder", from);
    int outfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (outfd < 0) {
        close(fromfd);
        return fail("cannot open the folder", out);
    }
    etwhf_interrupt_install();
    rc = build(from, out, fromfd, outfd);
    close(fromfd);
    close(outfd);
    return rc;
}
