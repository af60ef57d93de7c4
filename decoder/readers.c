/*
 * readers.c — the memory and file-descriptor readers: thin loops over the
 * push API, so they give what any other chunking gives. The CLI reads its
 * inputs through etwhf_decode_fd too: there is one reader loop, and the
 * caller's hooks (should_stop, on_wait) are how it flushes and stops
 * between reads.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"

/* Large enough that most buffers of a trace lie whole in one read and are
 * walked in place. */
#define READ_CHUNK ((size_t)1 << 20)
/* read() copies into a page-aligned chunk: the kernel's copy (`rep movsb`)
 * into malloc's block, 16 bytes into a page, took 6-12 % longer per byte
 * (bench/analysis.md, "The kernel share"). The allocator interface has no
 * alignment, so the block is one page larger and the chunk starts at its
 * first page boundary. */
#define READ_ALIGN ((uintptr_t)4096)

int etwhf_decode_memory(struct etwhf_decoder *d, const void *data, size_t len)
{
    if (!d || (!data && len))
        return ETWHF_EINVAL;
    int rc = etwhf_decode_feed(d, data, len);
    return rc == ETWHF_OK ? etwhf_decode_finish(d) : rc;
}

static int stop_requested(struct etwhf_decoder *d)
{
    if (d->opts.should_stop && d->opts.should_stop(d->opts.user)) {
        d->halt = HALT_ABORT;
        d->state = CTX_INVALID;
        return 1;
    }
    return 0;
}

/* One read(); retried after a signal unless should_stop says otherwise.
 * -2 when stopped, -1 on a read error (errno kept). */
static ssize_t read_chunk(struct etwhf_decoder *d, int fd, uint8_t *buf)
{
    for (;;) {
        ssize_t r = read(fd, buf, READ_CHUNK);
        if (r >= 0)
            return r;
        if (errno != EINTR)
            return -1;
        if (stop_requested(d))
            return -2;
    }
}

/* Tells the caller the reader is about to wait: nothing of the input is
 * ready (a pipe or terminal whose writer is slow or stalled), so what the
 * caller printed should go out now. Only asked of inputs that can stall, and
 * only when the caller has the hook: a poll() per read costs nothing else. */
static void before_read(struct etwhf_decoder *d, int fd, int regular)
{
    if (regular || !d->opts.on_wait)
        return;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) == 0)
        d->opts.on_wait(d->opts.user);
}

/* After the decoder is done the rest of the input still counts in `bytes`:
 * a regular file's by its length (not read), anything else by reading it.
 * Reads that never block (/dev/zero, a fast writer) are stopped by the
 * should_stop poll after each one, not only by a signal. */
static int count_rest(struct etwhf_decoder *d, int fd, uint8_t *buf)
{
    struct stat st;
    off_t here;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (here = lseek(fd, 0, SEEK_CUR)) >= 0) {
        if (st.st_size > here)
            d->sum.bytes += (uint64_t)(st.st_size - here);
        return ETWHF_OK;
    }
    if (d->opts.on_wait) /* nothing more will be said but the counts: let it out */
        d->opts.on_wait(d->opts.user);
    for (;;) {
        ssize_t r = read_chunk(d, fd, buf);
        if (r == 0)
            return ETWHF_OK;
        if (r == -2)
            return ETWHF_EABORTED;
        if (r < 0)
            return ETWHF_EIO;
        d->sum.bytes += (uint64_t)r;
        if (stop_requested(d))
            return ETWHF_EABORTED;
    }
}

/* F6.1: the input ended before the size the file had when reading began.
 * Raised after finish (after F5); never after a strict-mode stop. */
static int check_size(struct etwhf_decoder *d, uint64_t size)
{
    if (d->halt || d->sum.bytes >= size)
        return ETWHF_OK;
    struct loc at = {ETWHF_NO_BUFFER, d->sum.bytes, 0, 0};
    etwhf__dec_diag(d, ETWHF_DIAG_INPUT_SHRANK, &at,
                    "the file held %llu bytes when reading began but ended after %llu: it shrank while it was read",
                    (unsigned long long)size, (unsigned long long)d->sum.bytes);
    if (d->halt == HALT_ABORT) { /* the caller's on_diag said stop */
        d->state = CTX_INVALID;
        return ETWHF_EABORTED;
    }
    return ETWHF_OK;
}

/* 1 when fd is a regular file, with the size F6 compares the input with:
 * what was fed before plus the file's length from the read position. Any
 * other input has no size and may stall (before_read). */
static int regular_size(const struct etwhf_decoder *d, int fd, uint64_t *size)
{
    struct stat st;
    off_t here;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (here = lseek(fd, 0, SEEK_CUR)) < 0)
        return 0;
    *size = d->sum.bytes + (st.st_size > here ? (uint64_t)(st.st_size - here) : 0);
    return 1;
}

/* Reads and feeds until the input ends or the decoder is done. */
static int read_input(struct etwhf_decoder *d, int fd, uint8_t *buf, int regular)
{
    for (;;) {
        /* Strict mode stops reading at its stop (M1): a pipe or a device may
         * never end. A regular file's rest is counted from its size. */
        if (etwhf_decoder_done(d))
            return d->halt != HALT_STRICT || regular ? count_rest(d, fd, buf) : ETWHF_OK;
        before_read(d, fd, regular);
        ssize_t r = read_chunk(d, fd, buf);
        if (r == 0)
            return ETWHF_OK;
        if (r < 0)
            return r == -2 ? ETWHF_EABORTED : ETWHF_EIO;
        int rc = etwhf_decode_feed(d, buf, (size_t)r);
        if (rc != ETWHF_OK)
            return rc;
        if (stop_requested(d))
            return ETWHF_EABORTED;
    }
}

int etwhf_decode_fd(struct etwhf_decoder *d, int fd)
{
    if (!d || fd < 0)
        return ETWHF_EINVAL;
    if (d->state != CTX_OPEN)
        return ETWHF_EBADSTATE;
    uint64_t size = 0;
    const int regular = regular_size(d, fd, &size);
    uint8_t *block = etwhf__dec_alloc(d, READ_CHUNK + READ_ALIGN - 1);
    if (!block) {
        d->state = CTX_INVALID;
        return ETWHF_ENOMEM;
    }
    int rc = read_input(d, fd, block + (-(uintptr_t)block & (READ_ALIGN - 1)), regular);
    const int saved_errno = errno; /* the caller's message names the failed read's reason */
    etwhf__dec_free(d, block);
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    if (rc == ETWHF_OK && regular)
        rc = check_size(d, size);
    errno = saved_errno;
    return rc;
}
