/* Opening and reading inputs; see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interrupt.h"
#include "untrusted.h"

int etwhf_input_open(struct etwhf_input_file *f, const char *cmd, const char *path)
{
    f->path = path;
    if (strcmp(path, "-") == 0) {
        f->fd = STDIN_FILENO;
        f->owned = 0;
        f->label = "standard input";
    } else {
        f->owned = 1;
        f->label = path;
        /* Opening a FIFO waits for its writer: a signal there is the user
         * giving up (exit 130), not an unreadable file. */
        while ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
            if (etwhf_interrupted())
                return ETWHF_OPEN_INTERRUPTED;
        if (f->fd < 0) {
            etwhf_msg("etwhf %s: cannot read '%s': %s", cmd, path, strerror(errno));
            return -1;
        }
    }
    struct stat st;
    /* open() succeeds on a directory; say so now rather than fail on read(). */
    if (fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        etwhf_msg("etwhf %s: cannot read '%s': %s", cmd, f->label, strerror(EISDIR));
        etwhf_input_close(f);
        return -1;
    }
    return 0;
}

void etwhf_input_close(struct etwhf_input_file *f)
{
    if (f->owned && f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

ssize_t etwhf_input_read(struct etwhf_input_file *f, const char *cmd, void *buf, size_t cap)
{
    for (;;) {
        if (etwhf_interrupted())
            return ETWHF_READ_INTERRUPTED;
        ssize_t n = read(f->fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue; /* the loop head tells a SIGINT from other signals */
        etwhf_msg("etwhf %s: cannot read '%s': %s", cmd, f->label, strerror(errno));
        return ETWHF_READ_ERROR;
    }
}
