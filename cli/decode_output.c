/* Output lines of `etwhf decode`; see decode_output.h. */
#include "decode_output.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PUT ETWHF_PUT

/* Room for one line without its file prefix: the longest event line is a
 * text ReAlloc line of about 250 bytes. */
#define LINE_ROOM 1024u

/* Names are copied with one fixed 16-byte memcpy (inlined; the line buffer
 * always has room past the end) and the end then set back to their length. */
#define NAME_COPY 16
struct name {
    char s[NAME_COPY];
    size_t len;
};

static struct name header_names[ETWHF_HDR_COUNT];
static struct name source_names[ETWHF_SOURCE_SEGMENT_HEAP + 1];

static const struct name unknown_name = {"unknown", 7};

static const struct name *header_name(uint8_t hdr)
{
    return hdr < ETWHF_HDR_COUNT ? &header_names[hdr] : &unknown_name;
}

static void set_name(struct name *n, const char *s)
{
    memset(n->s, 0, sizeof n->s);
    n->len = s ? strlen(s) : 0;
    if (n->len >= sizeof n->s) /* never for the names of format.h; keep the copy in bounds anyway */
        n->len = sizeof n->s - 1;
    if (s)
        memcpy(n->s, s, n->len);
}

void etwhf_decode_output_init(struct etwhf_decode_output *o, int format, struct etwhf_out *out, struct etwhf_out *err)
{
    memset(o, 0, sizeof *o);
    o->format = format;
    o->out = out;
    o->err = err;
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        set_name(&header_names[h], etwhf_header_info(h)->name);
    for (uint32_t v = 0; v <= ETWHF_SOURCE_SEGMENT_HEAP; v++)
        set_name(&source_names[v], etwhf_source_name(v));
}

void etwhf_decode_output_free(struct etwhf_decode_output *o)
{
    free(o->json_prefix);
    free(o->csv_file);
    o->json_prefix = o->csv_file = NULL;
}

int etwhf_decode_output_file(struct etwhf_decode_output *o, const char *name, const char *label, int several)
{
    etwhf_decode_output_free(o);
    o->label = label;
    o->several = several;
    size_t name_len = several ? strlen(name) : 0;
    size_t quoted = several ? etwhf_json_string(NULL, 0, name, name_len) : 0;
    o->json_prefix = malloc(quoted + 16);
    o->csv_file = malloc(2 * name_len + 3);
    if (!o->json_prefix || !o->csv_file)
        return -1;
    char *q = o->json_prefix;
    *q++ = '{';
    if (several) {
        PUT(q, "\"file\":");
        q += etwhf_json_string(q, quoted, name, name_len);
        *q++ = ',';
    }
    o->json_prefix_len = (size_t)(q - o->json_prefix);
    /* the CSV cell, quoted as RFC 4180 wants when it holds , " CR or LF */
    q = o->csv_file;
    int quote = several && strpbrk(name, ",\"\r\n") != NULL;
    if (quote)
        *q++ = '"';
    for (size_t i = 0; i < name_len; i++) {
        if (name[i] == '"')
            *q++ = '"';
        *q++ = name[i];
    }
    if (quote)
        *q++ = '"';
    o->csv_file_len = (size_t)(q - o->csv_file);
    return 0;
}

/* ---- shared pieces --------------------------------------------------------- */

static char *put_hex_ptr(char *q, uint64_t v)
{
    *q++ = '0';
    *q++ = 'x';
    return etwhf_fmt_hex(q, v);
}

static char *put_timestamp(const struct etwhf_decode_output *o, char *q, uint64_t ts)
{
    uint64_t ft;
    if (o->clock && etwhf_wallclock_filetime(o->clock, ts, &ft) == 0)
        return etwhf_fmt_filetime(q, ft);
    return etwhf_fmt_u64(q, ts);
}

static char *put_name(char *q, const struct name *n)
{
    memcpy(q, n->s, NAME_COPY);
    return q + n->len;
}

/* Starts a line on o: the prefix (which may be long) then room for the rest. */
static char *begin_line(struct etwhf_out *o, const char *prefix, size_t len)
{
    if (len <= 1) { /* one FILE: "{" or an empty CSV cell */
        char *q = etwhf_out_room(o, LINE_ROOM + 1);
        if (len)
            *q = *prefix;
        return q + len;
    }
    etwhf_out_write(o, prefix, len);
    return etwhf_out_room(o, LINE_ROOM);
}

/* ---- JSON Lines ------------------------------------------------------------ */

static char *json_u64_or_null(char *q, int present, uint64_t v)
{
    if (!present)
        return PUT(q, "null");
    return etwhf_fmt_u64(q, v);
}

static char *json_ptr(char *q, uint64_t v)
{
    *q++ = '"';
    q = put_hex_ptr(q, v);
    *q++ = '"';
    return q;
}

static void json_event(struct etwhf_decode_output *o, const struct etwhf_event *ev)
{
    char *q = begin_line(o->out, o->json_prefix, o->json_prefix_len);
    switch (ev->type) {
    case ETWHF_HEAP_FREE: PUT(q, "\"type\":\"HeapFree\",\"buffer\":"); break;
    case ETWHF_HEAP_ALLOC: PUT(q, "\"type\":\"HeapAlloc\",\"buffer\":"); break;
    default: PUT(q, "\"type\":\"HeapReAlloc\",\"buffer\":"); break;
    }
    q = json_u64_or_null(q, ev->buffer != ETWHF_NO_BUFFER, ev->buffer);
    PUT(q, ",\"offset\":");
    q = etwhf_fmt_u64(q, ev->offset);
    if (ev->has_inner) {
        PUT(q, ",\"inner_offset\":");
        q = etwhf_fmt_u64(q, ev->inner_offset);
    }
    if (ev->header == ETWHF_EVENT_NO_HEADER) { /* a bare payload has neither */
        PUT(q, ",\"header\":null,\"version\":null,\"pointer_size\":");
    } else {
        PUT(q, ",\"header\":\"");
        q = put_name(q, header_name(ev->header));
        PUT(q, "\",\"version\":");
        q = etwhf_fmt_u64(q, ev->version);
        PUT(q, ",\"pointer_size\":");
    }
    q = etwhf_fmt_u64(q, ev->pointer_size);
    PUT(q, ",\"cpu\":");
    q = etwhf_fmt_u64(q, ev->cpu);
    PUT(q, ",\"pid\":");
    q = json_u64_or_null(q, ev->has_pid_tid, ev->pid);
    PUT(q, ",\"tid\":");
    q = json_u64_or_null(q, ev->has_pid_tid, ev->tid);
    PUT(q, ",\"timestamp\":\"");
    q = put_timestamp(o, q, ev->timestamp);
    PUT(q, "\",\"heap_handle\":");
    q = json_ptr(q, ev->heap_handle);
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        PUT(q, ",\"address\":");
        q = json_ptr(q, ev->address);
        break;
    case ETWHF_HEAP_ALLOC:
        PUT(q, ",\"size\":");
        q = json_ptr(q, ev->size);
        PUT(q, ",\"address\":");
        q = json_ptr(q, ev->address);
        break;
    default:
        PUT(q, ",\"new_address\":");
        q = json_ptr(q, ev->new_address);
        PUT(q, ",\"old_address\":");
        q = json_ptr(q, ev->old_address);
        PUT(q, ",\"new_size\":");
        q = json_ptr(q, ev->new_size);
        PUT(q, ",\"old_size\":");
        q = json_ptr(q, ev->old_size);
        break;
    }
    PUT(q, ",\"source\":");
    q = etwhf_fmt_u64(q, ev->source);
    if (ev->source <= ETWHF_SOURCE_SEGMENT_HEAP && source_names[ev->source].len) {
        PUT(q, ",\"source_name\":\"");
        q = put_name(q, &source_names[ev->source]);
        PUT(q, "\"}\n");
    } else {
        PUT(q, ",\"source_name\":null}\n");
    }
    etwhf_out_commit(o->out, q);
}

static void json_diag(struct etwhf_decode_output *o, struct etwhf_out *to, const struct etwhf_diag *d)
{
    const struct etwhf_diag_info *info = etwhf_diag_info(d->code);
    char *q = begin_line(to, o->json_prefix, o->json_prefix_len);
    PUT(q, "\"type\":\"diag\",\"severity\":\"");
    if (d->severity == ETWHF_SEV_ERROR)
        PUT(q, "error");
    else
        PUT(q, "warning");
    PUT(q, "\",\"code\":\"");
    const char *code = info ? info->name : "UNKNOWN";
    size_t code_len = strlen(code);
    memcpy(q, code, code_len);
    q += code_len;
    PUT(q, "\",\"code_num\":");
    q = etwhf_fmt_u64(q, (uint64_t)(d->code < 0 ? 0 : d->code));
    PUT(q, ",\"buffer\":");
    q = json_u64_or_null(q, d->buffer != ETWHF_NO_BUFFER, d->buffer);
    PUT(q, ",\"offset\":");
    q = etwhf_fmt_u64(q, d->offset);
    if (d->has_inner) {
        PUT(q, ",\"inner_offset\":");
        q = etwhf_fmt_u64(q, d->inner_offset);
    }
    PUT(q, ",\"message\":");
    etwhf_out_commit(to, q);
    etwhf_out_json_string(to, d->message, strnlen(d->message, sizeof d->message));
    etwhf_out_write(to, "}\n", 2);
}

/* The summary's fields in docs/spec/output.md §2 order, with the words of its text form. */
static const struct {
    const char *json; /* ,"key": */
    const char *text; /* text form: what precedes the number */
    size_t off;
} summary_fields[] = {
    {",\"buffers\":", ": ", offsetof(struct etwhf_summary, buffers)},
    {",\"buffers_skipped\":", " buffers (", offsetof(struct etwhf_summary, buffers_skipped)},
    {",\"events_total\":", " skipped), ", offsetof(struct etwhf_summary, events_total)},
    {",\"heap_free\":", " records; HeapFree ", offsetof(struct etwhf_summary, heap_free)},
    {",\"heap_alloc\":", ", HeapAlloc ", offsetof(struct etwhf_summary, heap_alloc)},
    {",\"heap_realloc\":", ", HeapReAlloc ", offsetof(struct etwhf_summary, heap_realloc)},
    {",\"errors\":", "; ", offsetof(struct etwhf_summary, errors)},
    {",\"warnings\":", " errors, ", offsetof(struct etwhf_summary, warnings)},
    {",\"bytes\":", " warnings; ", offsetof(struct etwhf_summary, bytes)},
};
#define SUMMARY_FIELD(s, i) (*(const uint64_t *)((const char *)(s) + summary_fields[i].off))

static void json_summary(struct etwhf_decode_output *o, struct etwhf_out *to, const struct etwhf_summary *s)
{
    char *q = begin_line(to, o->json_prefix, o->json_prefix_len);
    PUT(q, "\"type\":\"summary\"");
    for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
        size_t n = strlen(summary_fields[i].json);
        memcpy(q, summary_fields[i].json, n);
        q = etwhf_fmt_u64(q + n, SUMMARY_FIELD(s, i));
    }
    PUT(q, "}\n");
    etwhf_out_commit(to, q);
}

/* ---- CSV ----------------------------------------------------------------- */

static const char csv_header[] =
    "file,type,buffer,offset,inner_offset,header,version,pointer_size,cpu,pid,tid,"
    "timestamp,heap_handle,address,size,new_address,old_address,new_size,old_size,"
    "source,source_name\n";

static char *csv_ptr(char *q, uint64_t v)
{
    q = put_hex_ptr(q, v);
    *q++ = ',';
    return q;
}

static void csv_event(struct etwhf_decode_output *o, const struct etwhf_event *ev)
{
    char *q = begin_line(o->out, o->csv_file, o->csv_file_len);
    *q++ = ',';
    const char *type = etwhf_heap_type_name(ev->type);
    size_t type_len = type ? strlen(type) : 0;
    memcpy(q, type, type_len);
    q += type_len;
    *q++ = ',';
    if (ev->buffer != ETWHF_NO_BUFFER)
        q = etwhf_fmt_u64(q, ev->buffer);
    *q++ = ',';
    q = etwhf_fmt_u64(q, ev->offset);
    *q++ = ',';
    if (ev->has_inner)
        q = etwhf_fmt_u64(q, ev->inner_offset);
    *q++ = ',';
    if (ev->header != ETWHF_EVENT_NO_HEADER) {
        q = put_name(q, header_name(ev->header));
        *q++ = ',';
        q = etwhf_fmt_u64(q, ev->version);
    } else {
        *q++ = ',';
    }
    *q++ = ',';
    q = etwhf_fmt_u64(q, ev->pointer_size);
    *q++ = ',';
    q = etwhf_fmt_u64(q, ev->cpu);
    *q++ = ',';
    if (ev->has_pid_tid)
        q = etwhf_fmt_u64(q, ev->pid);
    *q++ = ',';
    if (ev->has_pid_tid)
        q = etwhf_fmt_u64(q, ev->tid);
    *q++ = ',';
    q = put_timestamp(o, q, ev->timestamp);
    *q++ = ',';
    q = csv_ptr(q, ev->heap_handle);
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        q = csv_ptr(q, ev->address);
        PUT(q, ",,,,,");
        break;
    case ETWHF_HEAP_ALLOC:
        q = csv_ptr(q, ev->address);
        q = csv_ptr(q, ev->size);
        PUT(q, ",,,,");
        break;
    default:
        PUT(q, ",,");
        q = csv_ptr(q, ev->new_address);
        q = csv_ptr(q, ev->old_address);
        q = csv_ptr(q, ev->new_size);
        q = csv_ptr(q, ev->old_size);
        break;
    }
    q = etwhf_fmt_u64(q, ev->source);
    *q++ = ',';
    if (ev->source <= ETWHF_SOURCE_SEGMENT_HEAP && source_names[ev->source].len)
        q = put_name(q, &source_names[ev->source]);
    *q++ = '\n';
    etwhf_out_commit(o->out, q);
}

/* ---- text for people ------------------------------------------------------- */

/* Pointers at their event's width, so columns line up within a trace. */
static char *text_ptr(char *q, const char *label, size_t label_len, uint64_t v, unsigned pointer_size)
{
    memcpy(q, label, label_len);
    q += label_len;
    *q++ = '0';
    *q++ = 'x';
    unsigned digits = pointer_size == 4 && v <= UINT32_MAX ? 8 : 16;
    return etwhf_fmt_hex_fixed(q, v, digits);
}
#define TEXT_PTR(q, lit, v, ps) text_ptr((q), (lit), sizeof(lit) - 1, (v), (ps))

static char *text_size(char *q, const char *label, size_t label_len, uint64_t v)
{
    memcpy(q, label, label_len);
    q += label_len;
    return etwhf_fmt_u64_padded(q, v, 10);
}
#define TEXT_SIZE(q, lit, v) text_size((q), (lit), sizeof(lit) - 1, (v))

static void text_event(struct etwhf_decode_output *o, const struct etwhf_event *ev)
{
    if (o->several) {
        etwhf_out_str(o->out, o->label);
        etwhf_out_write(o->out, ": ", 2);
    }
    char *q = etwhf_out_room(o->out, LINE_ROOM);
    const char *type = etwhf_heap_type_name(ev->type);
    q = etwhf_fmt_padded(q, type, strlen(type), 11, 0);
    PUT(q, " buf ");
    if (ev->buffer != ETWHF_NO_BUFFER)
        q = etwhf_fmt_u64_padded(q, ev->buffer, 5);
    else
        PUT(q, "    -");
    PUT(q, " off ");
    char off[48], *e = etwhf_fmt_u64(off, ev->offset);
    if (ev->has_inner) {
        *e++ = '+';
        e = etwhf_fmt_u64(e, ev->inner_offset);
    }
    q = etwhf_fmt_padded(q, off, (size_t)(e - off), 10, 1);
    *q++ = ' ';
    if (ev->header != ETWHF_EVENT_NO_HEADER) {
        const struct name *h = header_name(ev->header);
        q = etwhf_fmt_padded(q, h->s, h->len, 10, 0);
        PUT(q, " v");
        q = etwhf_fmt_u64(q, ev->version);
    } else {
        PUT(q, "-          v-");
    }
    PUT(q, " cpu ");
    q = etwhf_fmt_u64_padded(q, ev->cpu, 3);
    if (ev->has_pid_tid) {
        PUT(q, " pid ");
        q = etwhf_fmt_u64_padded(q, ev->pid, 6);
        PUT(q, " tid ");
        q = etwhf_fmt_u64_padded(q, ev->tid, 6);
    } else {
        PUT(q, " pid      - tid      -");
    }
    PUT(q, " time ");
    char ts[ETWHF_ISO_TIME_MAX];
    e = put_timestamp(o, ts, ev->timestamp);
    q = etwhf_fmt_padded(q, ts, (size_t)(e - ts), 20, 1);
    q = TEXT_PTR(q, " heap ", ev->heap_handle, ev->pointer_size);
    switch (ev->type) {
    case ETWHF_HEAP_FREE: q = TEXT_PTR(q, " address ", ev->address, ev->pointer_size); break;
    case ETWHF_HEAP_ALLOC:
        q = TEXT_PTR(q, " address ", ev->address, ev->pointer_size);
        q = TEXT_SIZE(q, " size ", ev->size);
        break;
    default:
        q = TEXT_PTR(q, " new ", ev->new_address, ev->pointer_size);
        q = TEXT_PTR(q, " old ", ev->old_address, ev->pointer_size);
        q = TEXT_SIZE(q, " new size ", ev->new_size);
        q = TEXT_SIZE(q, " old size ", ev->old_size);
        break;
    }
    PUT(q, " source ");
    q = etwhf_fmt_u64(q, ev->source);
    if (ev->source <= ETWHF_SOURCE_SEGMENT_HEAP && source_names[ev->source].len) {
        PUT(q, " (");
        q = put_name(q, &source_names[ev->source]);
        *q++ = ')';
    }
    *q++ = '\n';
    etwhf_out_commit(o->out, q);
}

static void text_diag(struct etwhf_decode_output *o, const struct etwhf_diag *d)
{
    const struct etwhf_diag_info *info = etwhf_diag_info(d->code);
    struct etwhf_out *to = o->err;
    etwhf_out_str(to, "etwhf decode: ");
    etwhf_out_str(to, o->label);
    etwhf_out_str(to, d->severity == ETWHF_SEV_ERROR ? ": error " : ": warning ");
    etwhf_out_str(to, info ? info->name : "UNKNOWN");
    char *q = etwhf_out_room(to, LINE_ROOM);
    *q++ = ' ';
    *q++ = '(';
    q = etwhf_fmt_u64(q, (uint64_t)(d->code < 0 ? 0 : d->code));
    *q++ = ')';
    if (d->buffer != ETWHF_NO_BUFFER) {
        PUT(q, " in buffer ");
        q = etwhf_fmt_u64(q, d->buffer);
    }
    PUT(q, " at offset ");
    q = etwhf_fmt_u64(q, d->offset);
    if (d->has_inner) {
        PUT(q, " (expanded offset ");
        q = etwhf_fmt_u64(q, d->inner_offset);
        *q++ = ')';
    }
    PUT(q, ": ");
    etwhf_out_commit(to, q);
    etwhf_out_write(to, d->message, strnlen(d->message, sizeof d->message));
    etwhf_out_write(to, "\n", 1);
}

static void text_summary(struct etwhf_decode_output *o, const struct etwhf_summary *s)
{
    struct etwhf_out *to = o->err;
    etwhf_out_str(to, "etwhf decode: ");
    etwhf_out_str(to, o->label);
    char *q = etwhf_out_room(to, LINE_ROOM);
    for (size_t i = 0; i < sizeof summary_fields / sizeof summary_fields[0]; i++) {
        size_t n = strlen(summary_fields[i].text);
        memcpy(q, summary_fields[i].text, n);
        q = etwhf_fmt_u64(q + n, SUMMARY_FIELD(s, i));
    }
    PUT(q, " bytes\n");
    etwhf_out_commit(to, q);
}

/* ---- dispatch -------------------------------------------------------------- */

void etwhf_decode_output_header(struct etwhf_decode_output *o)
{
    if (o->format == ETWHF_LINES_CSV)
        etwhf_out_write(o->out, csv_header, sizeof csv_header - 1);
}

void etwhf_decode_output_event(struct etwhf_decode_output *o, const struct etwhf_event *ev)
{
    if (!etwhf_heap_type_name(ev->type))
        return; /* the decoder delivers only the three types; never print a malformed line */
    switch (o->format) {
    case ETWHF_LINES_JSONL: json_event(o, ev); break;
    case ETWHF_LINES_CSV: csv_event(o, ev); break;
    default: text_event(o, ev); break;
    }
}

void etwhf_decode_output_diag(struct etwhf_decode_output *o, const struct etwhf_diag *d)
{
    switch (o->format) {
    case ETWHF_LINES_JSONL: json_diag(o, o->out, d); break;
    case ETWHF_LINES_CSV: json_diag(o, o->err, d); break;
    default: text_diag(o, d); break;
    }
}

void etwhf_decode_output_summary(struct etwhf_decode_output *o, const struct etwhf_summary *s)
{
    switch (o->format) {
    case ETWHF_LINES_JSONL: json_summary(o, o->out, s); break;
    case ETWHF_LINES_CSV: json_summary(o, o->err, s); break;
    default: text_summary(o, s); break;
    }
}
