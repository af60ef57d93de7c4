/* Reading `etwhf decode --batch` requests; see batch_request.h. */
#include "batch_request.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A request is a path and a few words; a line past this is not one. */
#define LINE_MAX_BYTES (1u << 20)

void etwhf_batch_reader_init(struct etwhf_batch_reader *rd, int fd)
{
    memset(rd, 0, sizeof *rd);
    rd->fd = fd;
}

void etwhf_batch_reader_free(struct etwhf_batch_reader *rd)
{
    free(rd->buf);
    memset(rd, 0, sizeof *rd);
}

/* The next line into [*line, *line + *n) without its newline: 1, 0 at end
 * of input, -1 when reading failed, -2 for a line past LINE_MAX_BYTES
 * (skipped). */
static int next_line(struct etwhf_batch_reader *rd, char **line, size_t *n)
{
    size_t scanned = rd->start;
    int too_long = 0;
    for (;;) {
        char *nl = rd->len > scanned ? memchr(rd->buf + scanned, '\n', rd->len - scanned) : NULL;
        if (nl || (rd->eof && rd->len > rd->start)) {
            size_t end = nl ? (size_t)(nl - rd->buf) : rd->len;
            *line = rd->buf + rd->start;
            *n = end - rd->start;
            rd->start = nl ? end + 1 : end;
            return too_long ? -2 : 1;
        }
        if (rd->eof)
            return too_long ? -2 : 0;
        if (rd->start) { /* what was read already goes to the front */
            memmove(rd->buf, rd->buf + rd->start, rd->len - rd->start);
            rd->len -= rd->start;
            rd->start = 0;
        }
        if (rd->len >= LINE_MAX_BYTES) { /* dropped, and the rest of it as it comes */
            too_long = 1;
            rd->len = 0;
        }
        scanned = rd->len;
        if (rd->cap - rd->len < 4096) {
            size_t cap = rd->cap ? rd->cap * 2 : 1 << 16;
            char *p = realloc(rd->buf, cap);
            if (!p) {
                errno = ENOMEM;
                return -1;
            }
            rd->buf = p;
            rd->cap = cap;
        }
        ssize_t r = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
        if (r < 0)
            return -1; /* EINTR included: SIGINT stops the batch */
        if (r == 0)
            rd->eof = 1;
        rd->len += (size_t)r;
    }
}

static int choice(const char *s, const char *const *names)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int parse(json_t *o, struct etwhf_batch_request *req, char *why, size_t whylen)
{
    static const char *const layers[] = {"payload", "record", "file", NULL};
    static const int inputs[] = {ETWHF_INPUT_PAYLOAD, ETWHF_INPUT_RECORD, ETWHF_INPUT_FILE};
    static const char *const modes[] = {"recover", "strict", NULL};
    static const char *const events[] = {"free", "alloc", "realloc", NULL};
    static const uint8_t types[] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};
    json_t *id = json_object_get(o, "id");
    req->has_id = json_is_integer(id);
    req->id = req->has_id ? (int64_t)json_integer_value(id) : 0;
    const char *file = json_string_value(json_object_get(o, "file"));
    int layer = choice(json_string_value(json_object_get(o, "layer")), layers);
    int mode = choice(json_string_value(json_object_get(o, "mode")), modes);
    if (!file || !*file || strcmp(file, "-") == 0)
        return snprintf(why, whylen, "\"file\" must be a path"), -1;
    if (layer < 0)
        return snprintf(why, whylen, "\"layer\" must be payload, record or file"), -1;
    if (mode < 0)
        return snprintf(why, whylen, "\"mode\" must be recover or strict"), -1;
    req->input = inputs[layer];
    req->mode = mode ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
    req->pointer_size = 0;
    req->payload_type = ETWHF_HEAP_FREE;
    if (req->input == ETWHF_INPUT_PAYLOAD) {
        json_t *ps = json_object_get(o, "pointer_size");
        int event = choice(json_string_value(json_object_get(o, "event")), events);
        if (!json_is_integer(ps) || (json_integer_value(ps) != 4 && json_integer_value(ps) != 8))
            return snprintf(why, whylen, "a payload needs \"pointer_size\" 4 or 8"), -1;
        if (event < 0)
            return snprintf(why, whylen, "a payload needs \"event\" free, alloc or realloc"), -1;
        req->pointer_size = (unsigned)json_integer_value(ps);
        req->payload_type = types[event];
    }
    if (!(req->file = strdup(file)))
        return snprintf(why, whylen, "out of memory"), -1;
    return 0;
}

int etwhf_batch_next(struct etwhf_batch_reader *rd, struct etwhf_batch_request *req, char *why, size_t whylen)
{
    memset(req, 0, sizeof *req);
    for (;;) {
        char *line;
        size_t n;
        int got = next_line(rd, &line, &n);
        if (got == 0)
            return ETWHF_BATCH_END;
        if (got == -1)
            return ETWHF_BATCH_READ;
        if (got == -2) {
            snprintf(why, whylen, "a request line longer than %u bytes", LINE_MAX_BYTES);
            return ETWHF_BATCH_BAD;
        }
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        if (!n)
            continue;
        json_error_t e;
        json_t *o = json_loadb(line, n, 0, &e);
        int rc = ETWHF_BATCH_BAD;
        if (!json_is_object(o))
            snprintf(why, whylen, "not a JSON object: %s", o ? "another JSON value" : e.text);
        else if (parse(o, req, why, whylen) == 0)
            rc = ETWHF_BATCH_REQUEST;
        json_decref(o);
        return rc;
    }
}
