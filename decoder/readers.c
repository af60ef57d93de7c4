/*
 * readers.c — the memory and file-descriptor readers: thin loops over the
 * push API, so they give what any other chunking gives. The CLI reads its
 * inputs through etwhf_decode_fd too: there is one reader loop.
 */
#include <errno.h>
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

/* After the decoder is done the rest of the input still counts in `bytes`:
 * a regular file's by its length (not read), anything else by reading it. */
static int count_rest(struct etwhf_decoder *d, int fd, uint8_t *buf)
{
    struct stat st;
    off_t here;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (here = lseek(fd, 0, SEEK_CUR)) >= 0) {
        if (st.st_size > here)
            d->sum.bytes += (uint64_t)(st.st_size - here);
        return ETWHF_OK;
    }
    for (;;) {
        ssize_t r = read_chunk(d, fd, buf);
        if (r == 0)
            return ETWHF_OK;
        if (r == -2)
            return ETWHF_EABORTED;
        if (r < 0)
            return ETWHF_EIO;
        d->sum.bytes += (uint64_t)r;
    }
}

int etwhf_decode_fd(struct etwhf_decoder *d, int fd)
{
    if (!d || fd < 0)
        return ETWHF_EINVAL;
    if (d->state != CTX_OPEN)
        return ETWHF_EBADSTATE;
    uint8_t *block = etwhf__dec_alloc(d, READ_CHUNK + READ_ALIGN - 1);
    if (!block) {
        d->state = CTX_INVALID;
        return ETWHF_ENOMEM;
    }
    uint8_t *buf = block + (-(uintptr_t)block & (READ_ALIGN - 1));
    int rc = ETWHF_OK;
    for (;;) {
        if (etwhf_decoder_done(d)) {
            rc = count_rest(d, fd, buf);
            break;
        }
        ssize_t r = read_chunk(d, fd, buf);
        if (r == 0)
            break;
        if (r < 0) {
            rc = r == -2 ? ETWHF_EABORTED : ETWHF_EIO;
            break;
        }
        rc = etwhf_decode_feed(d, buf, (size_t)r);
        if (rc != ETWHF_OK)
            break;
        if (stop_requested(d)) {
            rc = ETWHF_EABORTED;
            break;
        }
    }
    const int saved_errno = errno; /* the caller's message names the failed read's reason */
    etwhf__dec_free(d, block);
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    errno = saved_errno;
    return rc;
}
