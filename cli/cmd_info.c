/* `etwhf info FILE`: the logfile record (F2) of a trace as one JSON object
 * (docs/spec/output.md §2). Reads only as far as that record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "etwhf/decode.h"
#include "etwhf/layout.h"
#include "fileio.h"
#include "interrupt.h"
#include "outbuf.h"
#include "untrusted.h"
#include "wallclock.h"

static const char help[] =
    "usage: etwhf info FILE\n"
    "\n"
    "Prints the trace's logfile header (the first record of its first buffer) as\n"
    "one JSON object: logger_name, log_file_name, buffer_size, buffers_written,\n"
    "pointer_size, number_of_processors, events_lost, buffers_lost, log_file_mode\n"
    "(hex), compressed, provider_version (the OS build), cpu_speed_mhz,\n"
    "timer_resolution (100 ns units), perf_freq, clock_type (1 QPC, 2 system time,\n"
    "3 CPU cycles), and start_time, end_time, boot_time as UTC ISO-8601 times with\n"
    "100 ns precision. Only the bytes up to that record are read. FILE may be '-'\n"
    "for standard input. Diagnostics about the header (docs/diagnostics.md) go to\n"
    "stderr.\n"
    "\n"
    "Options:\n"
    "  -h, --help   this help\n"
    "\n"
    "Exit status: 0 printed; 1 no readable logfile record (not a trace; the\n"
    "diagnostics say why); 2 usage; 3 I/O (missing, unreadable, a directory, write\n"
    "failure); 130 interrupted (SIGINT; 143 SIGTERM, 129 SIGHUP).\n"
    "\n"
    "Example:\n"
    "  etwhf info trace.etl | jq -r .start_time\n";

/* Diagnostics worth showing with the header: those of F1–F3 (the logfile's
 * own EVENTS_LOST sits at 0x48; a buffer's would not). */
static int is_header_diag(const struct etwhf_diag *d)
{
    if (d->code >= ETWHF_DIAG_FILE_EMPTY && d->code <= ETWHF_DIAG_LOGFILE_BUFFER_SIZE)
        return 1;
    return d->code == ETWHF_DIAG_EVENTS_LOST && d->buffer == 0 && d->offset == ETWHF_BUFFER_HEADER_SIZE;
}

struct info_run {
    const char *label; /* escaped (untrusted.h) */
    int fatal;         /* a diagnostic that rules the logfile out was seen */
};

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct info_run *run = user;
    if (!is_header_diag(d))
        return etwhf_interrupted();
    const struct etwhf_diag_info *info = etwhf_diag_info(d->code);
    fprintf(stderr, "etwhf info: %s: %s %s (%d) at offset %llu: %.*s\n", run->label, etwhf_severity_name(d->severity),
            info ? info->name : "UNKNOWN", d->code, (unsigned long long)d->offset, (int)sizeof d->message, d->message);
    if (d->severity == ETWHF_SEV_ERROR && d->code <= ETWHF_DIAG_LOGFILE_SHORT)
        run->fatal = 1;
    return etwhf_interrupted();
}

#define PUT ETWHF_PUT

static void put_key_u64(struct etwhf_out *o, const char *key, uint64_t v)
{
    etwhf_out_str(o, key);
    char *q = etwhf_out_room(o, 24);
    etwhf_out_commit(o, etwhf_fmt_u64(q, v));
}

static void put_key_time(struct etwhf_out *o, const char *key, uint64_t filetime)
{
    etwhf_out_str(o, key);
    char *q = etwhf_out_room(o, ETWHF_ISO_TIME_MAX + 2);
    *q++ = '"';
    q = etwhf_fmt_filetime(q, filetime);
    *q++ = '"';
    etwhf_out_commit(o, q);
}

static void put_u64_keys(struct etwhf_out *o, const char *const *keys, const uint64_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_key_u64(o, keys[i], values[i]);
}

static void print_logfile(struct etwhf_out *o, const struct etwhf_logfile *lf)
{
    static const char *const counts[] = {",\"buffer_size\":",          ",\"buffers_written\":", ",\"pointer_size\":",
                                         ",\"number_of_processors\":", ",\"events_lost\":",     ",\"buffers_lost\":"};
    static const char *const more[] = {",\"provider_version\":", ",\"cpu_speed_mhz\":", ",\"timer_resolution\":",
                                       ",\"perf_freq\":", ",\"clock_type\":"};
    static const char *const times[] = {",\"start_time\":", ",\"end_time\":", ",\"boot_time\":"};
    const uint64_t count_values[] = {lf->buffer_size,          lf->buffers_written, lf->pointer_size,
                                     lf->number_of_processors, lf->events_lost,     lf->buffers_lost};
    const uint64_t more_values[] = {lf->provider_version, lf->cpu_speed_mhz, lf->timer_resolution, lf->perf_freq,
                                    lf->reserved_flags};
    const uint64_t time_values[] = {lf->start_time, lf->end_time, lf->boot_time};

    etwhf_out_str(o, "{\"logger_name\":");
    etwhf_out_json_string(o, lf->logger_name, strnlen(lf->logger_name, sizeof lf->logger_name));
    etwhf_out_str(o, ",\"log_file_name\":");
    etwhf_out_json_string(o, lf->log_file_name, strnlen(lf->log_file_name, sizeof lf->log_file_name));
    put_u64_keys(o, counts, count_values, sizeof count_values / sizeof count_values[0]);
    char *q = etwhf_out_room(o, 64);
    PUT(q, ",\"log_file_mode\":\"0x");
    q = etwhf_fmt_hex_fixed(q, lf->log_file_mode, 8);
    if (lf->compressed)
        PUT(q, "\",\"compressed\":true");
    else
        PUT(q, "\",\"compressed\":false");
    etwhf_out_commit(o, q);
    put_u64_keys(o, more, more_values, sizeof more_values / sizeof more_values[0]);
    for (size_t i = 0; i < sizeof time_values / sizeof time_values[0]; i++)
        put_key_time(o, times[i], time_values[i]);
    etwhf_out_str(o, "}\n");
}

/* The logfile record ends before 0x48 + 0xFFFF: small reads stop soon after it. */
#define INFO_CHUNK 4096u

/* EXIT_OK once the context holds the logfile record, or the exit code. Not
 * the library's reader: that one reads a whole input, this one stops at the
 * end of the logfile record (in small reads), which is all `info` needs. */
static int read_logfile(struct etwhf_input_file *in, struct etwhf_decoder *ctx, struct info_run *run)
{
    char chunk[INFO_CHUNK];
    int st = ETWHF_OK;
    for (;;) {
        ssize_t n = etwhf_input_read(in, "info", chunk, sizeof chunk);
        if (n == ETWHF_READ_INTERRUPTED)
            return EXIT_INTERRUPTED;
        if (n == ETWHF_READ_ERROR)
            return EXIT_IO;
        if (n == 0) {
            st = etwhf_decode_finish(ctx);
            break;
        }
        st = etwhf_decode_feed(ctx, chunk, (size_t)n);
        if (st != ETWHF_OK || etwhf_decoder_logfile(ctx) || run->fatal || etwhf_decoder_done(ctx))
            break;
    }
    if (etwhf_interrupted())
        return EXIT_INTERRUPTED;
    if (etwhf_decoder_logfile(ctx))
        return EXIT_OK;
    if (st != ETWHF_OK && st != ETWHF_EABORTED) {
        fprintf(stderr, "etwhf info: %s: decoder failed: %s\n", run->label, etwhf_strerror(st));
        return EXIT_IO;
    }
    if (!run->fatal) /* every path without a logfile raises a diagnostic; be explicit anyway */
        fprintf(stderr, "etwhf info: %s: no logfile record\n", run->label);
    return EXIT_FINDING;
}

int etwhf_cmd_info(int argc, char **argv)
{
    struct etwhf_args a;
    const char *arg, *file = NULL;
    etwhf_args_init(&a, "info", argc, argv);
    while ((arg = etwhf_args_next(&a)) != NULL) {
        int kind = etwhf_args_is_option(&a, arg);
        if (kind < 0)
            continue;
        if (kind > 0) {
            if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
                return etwhf_print_out("info", help);
            return etwhf_usage_error("info", "unknown option '%s'", arg);
        }
        if (file)
            return etwhf_usage_error("info", "one FILE at a time ('%s' and '%s' given)", file, arg);
        file = arg;
    }
    if (!file)
        return etwhf_usage_error("info", "no FILE given (use '-' for standard input)");

    struct etwhf_input_file in;
    etwhf_interrupt_install(); /* before open(): a FIFO waits there for its writer */
    int opened = etwhf_input_open(&in, "info", file);
    if (opened != 0) {
        if (opened == ETWHF_OPEN_INTERRUPTED)
            fputs("etwhf info: interrupted\n", stderr);
        return opened == ETWHF_OPEN_INTERRUPTED ? EXIT_INTERRUPTED : EXIT_IO;
    }
    char *label = etwhf_escape_dup(in.label);
    if (!label) {
        fputs("etwhf info: out of memory\n", stderr);
        etwhf_input_close(&in);
        return EXIT_IO;
    }
    struct info_run run = {label, 0};
    struct etwhf_decode_options opts;
    etwhf_decode_options_init(&opts);
    opts.on_diag = on_diag;
    opts.user = &run;
    int st;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&opts, &st);
    int code = EXIT_IO;
    struct etwhf_logfile lf;
    if (!ctx) {
        fprintf(stderr, "etwhf info: cannot start the decoder: %s\n", etwhf_strerror(st));
    } else {
        code = read_logfile(&in, ctx, &run);
        if (code == EXIT_OK)
            lf = *etwhf_decoder_logfile(ctx);
        etwhf_decoder_free(ctx);
    }
    etwhf_input_close(&in);
    free(label);
    if (code == EXIT_INTERRUPTED)
        fputs("etwhf info: interrupted\n", stderr);
    if (code != EXIT_OK)
        return code;

    struct etwhf_out out;
    if (etwhf_out_init(&out, STDOUT_FILENO, 1u << 16, "standard output") != 0) {
        fputs("etwhf info: out of memory\n", stderr);
        return EXIT_IO;
    }
    print_logfile(&out, &lf);
    int err = etwhf_out_flush(&out);
    etwhf_out_free(&out);
    if (err) {
        fprintf(stderr, "etwhf info: cannot write to standard output: %s\n", strerror(err));
        return EXIT_IO;
    }
    return EXIT_OK;
}
