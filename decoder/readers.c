/*
 * readers.c — the memory and file-descriptor readers: thin loops over the
 * push API, so they give what any other chunking gives.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"

/* Large enough that most buffers of a trace lie whole in one read and are
 * walked in place. */
#define READ_CHUNK ((size_t)1 << 20)

static int run_end(struct etwhf_decoder *d, int rc, struct etwhf_summary *summary)
{
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    if (summary)
        *summary = *etwhf_decoder_summary(d);
    etwhf_decoder_free(d);
    return rc;
}

static int open_decoder(const struct etwhf_decode_options *opts, struct etwhf_decoder **out)
{
    int st = dec_options_status(opts);
    if (st != ETWHF_OK)
        return st;
    *out = etwhf_decoder_new(opts);
    return *out ? ETWHF_OK : ETWHF_ENOMEM;
}

int etwhf_decode_memory(const struct etwhf_decode_options *opts, const void *data, size_t len,
                        struct etwhf_summary *summary)
{
    if (!opts || (!data && len))
        return ETWHF_EINVAL;
    struct etwhf_decoder *d;
    int st = open_decoder(opts, &d);
    if (st != ETWHF_OK)
        return st;
    return run_end(d, etwhf_decode_feed(d, data, len), summary);
}

/* After the decoder is done, the rest of a regular file is counted in
 * `bytes` without reading it; other inputs are read to their end. */
static int pass_rest(struct etwhf_decoder *d, int fd, uint8_t *buf)
{
    struct stat st;
    off_t here;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (here = lseek(fd, 0, SEEK_CUR)) >= 0) {
        if (st.st_size > here)
            d->sum.bytes += (uint64_t)(st.st_size - here);
        return ETWHF_OK;
    }
    for (;;) {
        ssize_t r = read(fd, buf, READ_CHUNK);
        if (r == 0)
            return ETWHF_OK;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return ETWHF_EIO;
        }
        d->sum.bytes += (uint64_t)r;
    }
}

int etwhf_decode_fd(const struct etwhf_decode_options *opts, int fd, struct etwhf_summary *summary)
{
    if (!opts || fd < 0)
        return ETWHF_EINVAL;
    struct etwhf_decoder *d;
    int st = open_decoder(opts, &d);
    if (st != ETWHF_OK)
        return st;
    uint8_t *buf = dec_alloc(d, READ_CHUNK);
    if (!buf)
        return run_end(d, ETWHF_ENOMEM, summary);
    int rc = ETWHF_OK;
    for (;;) {
        if (etwhf_decoder_done(d)) {
            rc = pass_rest(d, fd, buf);
            break;
        }
        ssize_t r = read(fd, buf, READ_CHUNK);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = ETWHF_EIO;
            break;
        }
        rc = etwhf_decode_feed(d, buf, (size_t)r);
        if (rc != ETWHF_OK)
            break;
    }
    dec_free(d, buf);
    return run_end(d, rc, summary);
}
