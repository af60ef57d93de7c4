/*
 * gen_trace.c — `etwhf gen --etl FILE|-`: one large intact trace, streamed.
 * A regular file is written as a dot-temporary in the same folder, fsynced
 * and renamed; standard output, pipes and devices (/dev/null) directly.
 */
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

int gen_trace(const struct gen_cli *c)
{
    struct stat st;
    int direct = !strcmp(c->etl, "-") || (stat(c->etl, &st) == 0 && !S_ISREG(st.st_mode));
    char tmp[4096];
    struct sink s = {1, 0};
    if (!strcmp(c->etl, "-")) {
        s.fd = 1;
    } else if (direct) {
        s.fd = open(c->etl, O_WRONLY | O_CLOEXEC);
    } else {
        temp_name(c->etl, tmp, sizeof tmp);
        s.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    if (s.fd < 0) {
        /* The file the user named may be fine: say which file could not be made. */
        if (!direct)
            fprintf(stderr, "etwhf gen: cannot write '%s': %s (creating its temporary file '%s')\n", c->etl,
                    strerror(errno), tmp);
        else
            fprintf(stderr, "etwhf gen: cannot write '%s': %s\n", c->etl, strerror(errno));
        return EXIT_IO;
    }
    etwhf_interrupt_install();
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
            fprintf(stderr, "etwhf gen: cannot write '%s': %s\n", c->etl,
                    rc == ETWHF_EIO ? strerror(s.err) : etwhf_strerror(rc));
        exit_code = EXIT_IO;
    }
    if (!direct && exit_code == EXIT_OK && (fsync(s.fd) != 0 || rename(tmp, c->etl) != 0)) {
        fprintf(stderr, "etwhf gen: cannot complete '%s': %s\n", c->etl, strerror(errno));
        exit_code = EXIT_IO;
    }
    if (s.fd != 1 && close(s.fd) != 0 && exit_code == EXIT_OK) {
        fprintf(stderr, "etwhf gen: cannot write '%s': %s\n", c->etl, strerror(errno));
        exit_code = EXIT_IO;
    }
    if (!direct && exit_code != EXIT_OK)
        unlink(tmp);
    return exit_code;
}
