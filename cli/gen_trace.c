/*
 * gen_trace.c — `etwhf gen --etl FILE|-`: one large intact trace, streamed.
 * A regular file is written as a dot-temporary in the same folder, fsynced
 * and renamed; standard output, pipes and devices (/dev/null) directly. An
 * existing file is replaced only with --force; a signal (interrupt.h) or a
 * failure removes the temporary and keeps it.
 */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "gen_cli.h"
#include "interrupt.h"
#include "untrusted.h"

struct sink {
    int fd;
    int err;
};

static int sink_write(void *user, const void *data, size_t len)
{
    struct sink *s = user;
    if (gen_write_all(s->fd, data, len) != 0) {
        s->err = errno;
        return -1;
    }
    return 0;
}

static int stop_requested(void *user)
{
    (void)user;
    return etwhf_interrupted();
}

/* Temporary name next to path: "dir/.base.tmp". */
static void temp_name(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(out, cap, "%.*s.%s.tmp", (int)dir, path, path + dir);
}

/* Puts the finished temporary in place. Without --force the name must still
 * be free (another process may have made it meanwhile): RENAME_NOREPLACE,
 * or on a filesystem without it a fresh look just before rename(). */
static int put_in_place(const char *tmp, const char *path, int force)
{
    if (force)
        return rename(tmp, path);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    struct stat st;
    if (lstat(path, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, path);
}

/* Opens FILE (or its temporary); -1 with errno, -2 when a signal came while
 * open() waited (a FIFO nobody reads). */
static int open_sink(const char *path, int create)
{
    int fd;
    while ((fd = open(path, create ? O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC : O_WRONLY | O_CLOEXEC, 0666)) < 0 &&
           errno == EINTR)
        if (etwhf_interrupted())
            return -2;
    return fd;
}

int gen_trace(const struct gen_cli *c)
{
    struct stat st;
    const int to_stdout = !strcmp(c->etl, "-");
    /* Devices and pipes (/dev/null, a FIFO) are written directly; a regular
     * FILE, or a link to one, is replaced only with --force. */
    const int direct = to_stdout || (stat(c->etl, &st) == 0 && !S_ISREG(st.st_mode));
    if (!direct && !c->force && lstat(c->etl, &st) == 0) {
        etwhf_msg("etwhf gen: '%s' exists (use --force to replace it)", c->etl);
        return EXIT_IO;
    }
    /* Before the temporary exists: a signal must never leave it behind. */
    etwhf_interrupt_install();
    char tmp[4096];
    struct sink s = {1, 0};
    if (!direct) {
        temp_name(c->etl, tmp, sizeof tmp);
        s.fd = open_sink(tmp, 1);
    } else if (!to_stdout) {
        s.fd = open_sink(c->etl, 0);
    }
    if (s.fd == -2) {
        fputs("etwhf gen: interrupted\n", stderr);
        return EXIT_INTERRUPTED;
    }
    if (s.fd < 0) {
        /* The file the user named may be fine: say which file could not be made. */
        if (!direct)
            etwhf_msg("etwhf gen: cannot write '%s': %s (creating its temporary file '%s')", c->etl, strerror(errno),
                      tmp);
        else
            etwhf_msg("etwhf gen: cannot write '%s': %s", c->etl, strerror(errno));
        return EXIT_IO;
    }
    struct etwhf_gen_trace_options o;
    etwhf_gen_trace_options_init(&o);
    o.seed = c->seed;
    o.events = c->events;
    o.pointer_size = (unsigned)c->etl_width;
    o.pure = c->pure;
    o.buffer_size = (uint32_t)c->buffer_size;
    o.write = sink_write;
    o.user = &s;
    o.should_stop = stop_requested;
    int rc = etwhf_gen_trace(&o, NULL);
    int exit_code = EXIT_OK;
    if (rc == ETWHF_EABORTED || etwhf_interrupted()) {
        exit_code = EXIT_INTERRUPTED;
    } else if (rc != ETWHF_OK) {
        if (s.fd == 1)
            fprintf(stderr, "etwhf gen: cannot write to standard output: %s\n",
                    rc == ETWHF_EIO ? strerror(s.err) : etwhf_strerror(rc));
        else
            etwhf_msg("etwhf gen: cannot write '%s': %s", c->etl,
                      rc == ETWHF_EIO ? strerror(s.err) : etwhf_strerror(rc));
        exit_code = EXIT_IO;
    }
    if (!direct && exit_code == EXIT_OK && (fsync(s.fd) != 0 || put_in_place(tmp, c->etl, c->force) != 0)) {
        if (errno == EEXIST)
            etwhf_msg("etwhf gen: '%s' appeared while it was written; kept it (use --force to replace it)", c->etl);
        else
            etwhf_msg("etwhf gen: cannot complete '%s': %s", c->etl, strerror(errno));
        exit_code = EXIT_IO;
    }
    if (s.fd != 1 && close(s.fd) != 0 && exit_code == EXIT_OK) {
        etwhf_msg("etwhf gen: cannot write '%s': %s", c->etl, strerror(errno));
        exit_code = EXIT_IO;
    }
    if (!direct && exit_code != EXIT_OK)
        unlink(tmp);
    if (exit_code == EXIT_INTERRUPTED)
        fputs("etwhf gen: interrupted\n", stderr);
    return exit_code;
}
