/* `etwhf decode`: streams each FILE through the decoder and prints its events,
 * diagnostics and summary (docs/spec/output.md §2, §6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "batch_request.h"
#include "commands.h"
#include "decode_output.h"
#include "etwhf/decode.h"
#include "etwhf/layout.h"
#include "fileio.h"
#include "interrupt.h"
#include "outbuf.h"
#include "untrusted.h"
#include "wallclock.h"

static const char help[] =
    "usage: etwhf decode [options] FILE...\n"
    "\n"
    "Decodes HeapFree, HeapAlloc and HeapReAlloc events from ETW traces (.etl),\n"
    "bare event records or bare payloads, and reports every defect it meets as a\n"
    "diagnostic (see docs/diagnostics.md). FILE may be '-' for standard input;\n"
    "with several FILEs every output line names its file.\n"
    "\n"
    "What to read:\n"
    "  --input file|record|payload  file: a whole .etl trace (default); record: a\n"
    "                               sequence of event records; payload: one bare\n"
    "                               heap event payload\n"
    "  --pointer-size 4|8           payload input only (required there)\n"
    "  --event free|alloc|realloc   payload input only: which payload (default free)\n"
    "  --mode recover|strict        recover (default) decodes past errors; strict\n"
    "                               stops a file at its first error diagnostic\n"
    "  --strict                     same as --mode strict\n"
    "  --buffer-limit BYTES         largest buffer accepted (default 16M; suffix K,\n"
    "                               M or G; at most 1G)\n"
    "\n"
    "What to print:\n"
    "  --format jsonl|csv|text      jsonl (default): one JSON object per line, events\n"
    "                               and diagnostics in walk order; csv: a header row\n"
    "                               and one row per event, diagnostics and summary as\n"
    "                               JSON lines on stderr; text: one aligned line per\n"
    "                               event, diagnostics and summary on stderr\n"
    "  --type free|alloc|realloc|all  which events to print (default all); give it\n"
    "                               again for several (--type free --type alloc)\n"
    "  --pid N, --tid N             only events of this process / thread (events\n"
    "                               without ids, e.g. perfinfo headers, never match)\n"
    "  --heap HANDLE                only events of this heap (hex 0x... or decimal)\n"
    "  --wall-clock                 timestamps as UTC ISO-8601 times computed from\n"
    "                               the trace's logfile header instead of raw clock\n"
    "                               values; without a logfile record they stay raw\n"
    "                               (said once on stderr)\n"
    "  --stats                      a summary line per file, after its other lines\n"
    "  --quiet                      no event lines (with --stats: counting mode)\n"
    "  --batch                      no FILE: read requests on standard input, one\n"
    "                               JSON object a line naming a case (file, layer,\n"
    "                               pointer_size, event, mode), and answer each with\n"
    "                               its lines and {\"type\":\"end\",\"id\":N,\"status\":S}\n"
    "                               (the batch protocol of etwhf check,\n"
    "                               docs/spec/check-protocol.md §6; jsonl only)\n"
    "  -h, --help                   this help\n"
    "\n"
    "Filters choose event lines only: diagnostics and summary counts are those of\n"
    "the whole input. Every other option is given at most once.\n"
    "\n"
    "Output is flushed whenever the input stalls (a pipe or FIFO whose writer\n"
    "waits), so lines already decoded never wait for more input. SIGINT, SIGTERM\n"
    "and SIGHUP stop at once, whatever the input, after writing the whole lines\n"
    "decoded so far. In strict mode nothing after the first error is read (but a\n"
    "regular file's length still counts in the summary's bytes).\n"
    "\n"
    "Exit status: 0 no error diagnostic (warnings allowed); 1 at least one error\n"
    "diagnostic (including input that is not a trace); 2 usage; 3 I/O (missing,\n"
    "unreadable or a directory, write failure, out of memory); 130 interrupted\n"
    "(SIGINT; 143 SIGTERM, 129 SIGHUP).\n"
    "With several FILEs: 3 if any had an I/O failure, else 1 if any had an error.\n"
    "\n"
    "Examples:\n"
    "  etwhf decode trace.etl\n"
    "  etwhf decode --stats --quiet a.etl b.etl\n"
    "  etwhf decode --format text --type free --pid 3856 --wall-clock trace.etl\n"
    "  xxd -r -p payload.hex | etwhf decode --input payload --pointer-size 8 -\n";

#define TYPE_FREE 1u
#define TYPE_ALLOC 2u
#define TYPE_REALLOC 4u

struct decode_cli {
    struct etwhf_decode_options opts;
    unsigned types; /* TYPE_* mask of event lines to print */
    int quiet, stats, wall_clock, batch;
    int has_pid, has_tid, has_heap;
    uint32_t pid, tid;
    uint64_t heap;
    int format;
    const char **files;
    int nfiles;
};

/* Per-run state the callbacks see. */
struct decode_run {
    const struct decode_cli *cli;
    struct etwhf_out out, err;
    struct etwhf_decode_output lines;
    struct etwhf_decoder *ctx;
    int clock_state; /* 0 not looked at yet, 1 converting, -1 raw */
    struct etwhf_wallclock clock;
    int diag_pending; /* a diagnostic was printed since the last read */
};

static const char *const type_choices[] = {"free", "alloc", "realloc", "all", NULL};
static const char *const mode_choices[] = {"recover", "strict", NULL};
static const char *const format_choices[] = {"jsonl", "csv", "text", NULL};
static const char *const input_choices[] = {"file", "record", "payload", NULL};
static const char *const event_choices[] = {"free", "alloc", "realloc", NULL};
static const char *const width_choices[] = {"4", "8", NULL};
static const uint8_t event_types[] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};

static int bad_value(const char *option, const char *value, const char *expected)
{
    return etwhf_usage_error("decode", "invalid value '%s' for %s (expected %s)", value, option, expected);
}

static int parse_u32_option(const char *option, const char *value, uint32_t *out)
{
    uint64_t v;
    if (etwhf_parse_u64(value, &v) != 0 || v > UINT32_MAX)
        return bad_value(option, value, "a number from 0 to 4294967295");
    *out = (uint32_t)v;
    return 0;
}

/* Options that take one value, each given at most once (docs/spec/output.md
 * §1); --strict is --mode strict. --type is a union when repeated. */
enum once_bit {
    ONCE_MODE = 1u << 0,
    ONCE_FORMAT = 1u << 1,
    ONCE_INPUT = 1u << 2,
    ONCE_POINTER_SIZE = 1u << 3,
    ONCE_EVENT = 1u << 4,
    ONCE_PID = 1u << 5,
    ONCE_TID = 1u << 6,
    ONCE_HEAP = 1u << 7,
    ONCE_BUFFER_LIMIT = 1u << 8,
    TYPE_GIVEN = 1u << 9, /* not a single-value option: a --type was seen */
};

/* Choices: 1 when arg was the option (applied), 0 when it was not, -1 on a
 * usage error (already printed). */
static int parse_choice_option(struct decode_cli *cli, struct etwhf_args *a, const char *arg, unsigned *seen)
{
    int r, choice = 0;
    if ((r = etwhf_args_choice(a, arg, "--type", type_choices, &choice)) > 0) {
        /* the first --type replaces the default; each further one adds to it */
        cli->types = (*seen & TYPE_GIVEN ? cli->types : 0) |
                     (choice == 3 ? (TYPE_FREE | TYPE_ALLOC | TYPE_REALLOC) : 1u << choice);
        *seen |= TYPE_GIVEN;
    } else if (r == 0 && (r = etwhf_args_choice(a, arg, "--mode", mode_choices, &choice)) > 0) {
        if (etwhf_args_once("decode", seen, ONCE_MODE, "--mode (or --strict)") != 0)
            return -1;
        cli->opts.mode = choice == 1 ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
    } else if (r == 0 && (r = etwhf_args_choice(a, arg, "--format", format_choices, &choice)) > 0) {
        if (etwhf_args_once("decode", seen, ONCE_FORMAT, "--format") != 0)
            return -1;
        cli->format = choice;
    } else if (r == 0 && (r = etwhf_args_choice(a, arg, "--input", input_choices, &choice)) > 0) {
        if (etwhf_args_once("decode", seen, ONCE_INPUT, "--input") != 0)
            return -1;
        cli->opts.input = choice == 0 ? ETWHF_INPUT_FILE : choice == 1 ? ETWHF_INPUT_RECORD : ETWHF_INPUT_PAYLOAD;
    } else if (r == 0 && (r = etwhf_args_choice(a, arg, "--pointer-size", width_choices, &choice)) > 0) {
        if (etwhf_args_once("decode", seen, ONCE_POINTER_SIZE, "--pointer-size") != 0)
            return -1;
        cli->opts.pointer_size = choice == 0 ? 4 : 8;
    } else if (r == 0 && (r = etwhf_args_choice(a, arg, "--event", event_choices, &choice)) > 0) {
        if (etwhf_args_once("decode", seen, ONCE_EVENT, "--event") != 0)
            return -1;
        cli->opts.payload_type = event_types[choice];
    }
    return r;
}

/* Options with a number: as parse_choice_option. */
static int parse_number_option(struct decode_cli *cli, struct etwhf_args *a, const char *arg, unsigned *seen)
{
    const char *v;
    int r;
    if ((r = etwhf_args_value(a, arg, "--pid", &v)) != 0) {
        if (r < 0 || etwhf_args_once("decode", seen, ONCE_PID, "--pid") != 0 ||
            parse_u32_option("--pid", v, &cli->pid) != 0)
            return -1;
        cli->has_pid = 1;
    } else if ((r = etwhf_args_value(a, arg, "--tid", &v)) != 0) {
        if (r < 0 || etwhf_args_once("decode", seen, ONCE_TID, "--tid") != 0 ||
            parse_u32_option("--tid", v, &cli->tid) != 0)
            return -1;
        cli->has_tid = 1;
    } else if ((r = etwhf_args_value(a, arg, "--heap", &v)) != 0) {
        if (r < 0 || etwhf_args_once("decode", seen, ONCE_HEAP, "--heap") != 0)
            return -1;
        if (etwhf_parse_u64(v, &cli->heap) != 0)
            return bad_value("--heap", v, "a handle in hex (0x...) or decimal"), -1;
        cli->has_heap = 1;
    } else if ((r = etwhf_args_value(a, arg, "--buffer-limit", &v)) != 0) {
        if (r < 0 || etwhf_args_once("decode", seen, ONCE_BUFFER_LIMIT, "--buffer-limit") != 0)
            return -1;
        uint64_t limit;
        if (etwhf_parse_bytes(v, &limit) != 0 || limit < ETWHF_BUFFER_HEADER_SIZE || limit > (1u << 30))
            return bad_value("--buffer-limit", v, "a byte count from 72 to 1G, e.g. 65536 or 16M"), -1;
        cli->opts.buffer_limit = limit;
    }
    return r;
}

/* What the options say together; 0 or the usage error. */
static int check_args(const struct decode_cli *cli, unsigned seen, int stdin_operands)
{
    if (cli->batch && cli->nfiles)
        return etwhf_usage_error("decode", "--batch takes its cases on standard input, not as FILEs");
    if (cli->batch && cli->format != ETWHF_LINES_JSONL)
        return etwhf_usage_error("decode", "--batch answers in JSON lines only (--format jsonl)");
    if (cli->batch && (seen & (ONCE_MODE | ONCE_INPUT | ONCE_POINTER_SIZE | ONCE_EVENT)))
        return etwhf_usage_error("decode", "%s comes with each request in --batch mode, not on the command line",
                                 seen & ONCE_MODE           ? "--mode (or --strict)"
                                 : seen & ONCE_INPUT        ? "--input"
                                 : seen & ONCE_POINTER_SIZE ? "--pointer-size"
                                                            : "--event");
    if (cli->nfiles == 0 && !cli->batch)
        return etwhf_usage_error("decode", "no FILE given (use '-' for standard input)");
    if (stdin_operands > 1) /* the first would read it all; the second would only see its end */
        return etwhf_usage_error("decode", "'-' (standard input) given %d times; it can be read once", stdin_operands);
    if (cli->batch)
        return 0;
    if (cli->opts.input == ETWHF_INPUT_PAYLOAD && !(seen & ONCE_POINTER_SIZE))
        return etwhf_usage_error("decode", "--input payload needs --pointer-size 4 or 8");
    if (cli->opts.input != ETWHF_INPUT_PAYLOAD && (seen & (ONCE_POINTER_SIZE | ONCE_EVENT)))
        return etwhf_usage_error("decode", "%s applies only to --input payload",
                                 seen & ONCE_POINTER_SIZE ? "--pointer-size" : "--event");
    return 0;
}

/* 0 when parsed, else the exit code (help: EXIT_OK after printing it). */
static int parse_args(struct decode_cli *cli, int argc, char **argv, int *done)
{
    struct etwhf_args a;
    const char *arg;
    unsigned seen = 0;
    int stdin_operands = 0, r;
    etwhf_args_init(&a, "decode", argc, argv);
    etwhf_decode_options_init(&cli->opts);
    cli->types = TYPE_FREE | TYPE_ALLOC | TYPE_REALLOC;
    cli->files = calloc((size_t)argc, sizeof *cli->files);
    if (!cli->files) {
        fputs("etwhf decode: out of memory\n", stderr);
        return EXIT_IO;
    }
    *done = 0;
    while ((arg = etwhf_args_next(&a)) != NULL) {
        int kind = etwhf_args_is_option(&a, arg);
        if (kind < 0)
            continue;
        if (kind == 0) {
            stdin_operands += strcmp(arg, "-") == 0;
            cli->files[cli->nfiles++] = arg;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            *done = 1;
            return etwhf_print_out("decode", help);
        }
        if (!strcmp(arg, "--quiet")) {
            cli->quiet = 1;
            continue;
        }
        if (!strcmp(arg, "--stats")) {
            cli->stats = 1;
            continue;
        }
        if (!strcmp(arg, "--batch")) {
            cli->batch = 1;
            continue;
        }
        if (!strcmp(arg, "--wall-clock")) {
            cli->wall_clock = 1;
            continue;
        }
        if (!strcmp(arg, "--strict")) {
            if (etwhf_args_once("decode", &seen, ONCE_MODE, "--mode (or --strict)") != 0)
                return EXIT_USAGE;
            cli->opts.mode = ETWHF_MODE_STRICT;
            continue;
        }
        if ((r = parse_choice_option(cli, &a, arg, &seen)) == 0)
            r = parse_number_option(cli, &a, arg, &seen);
        if (r < 0)
            return EXIT_USAGE;
        if (r == 0)
            return etwhf_usage_error("decode", "unknown option '%s'", arg);
    }
    return check_args(cli, seen, stdin_operands);
}

/* ---- callbacks ------------------------------------------------------------- */

/* Nonzero stops the decoder: SIGINT, or a write that failed. */
static int should_stop(const struct decode_run *run)
{
    return etwhf_interrupted() || etwhf_out_failed(&run->out) || etwhf_out_failed(&run->err);
}

/* The library's reader polls this between reads and after a signal. */
static int reader_should_stop(void *user)
{
    /* A diagnostic goes out after the read that found it, not when the
     * output buffer fills or the input ends (a long trace read with --quiet
     * would hold it for minutes). Events alone fill the buffer soon enough. */
    struct decode_run *run = user;
    if (run->diag_pending) {
        run->diag_pending = 0;
        etwhf_out_flush(&run->out);
        etwhf_out_flush(&run->err);
    }
    return should_stop(run);
}

/* The reader is about to wait on a stalled input (or only counts the rest
 * of one): what was decoded goes out now, whole lines only (every callback
 * has returned), rather than when the input moves or ends. */
static void reader_waits(void *user)
{
    struct decode_run *run = user;
    etwhf_out_flush(&run->out);
    etwhf_out_flush(&run->err);
}

/* The wall clock needs the logfile record, which precedes every event of a
 * file: look it up at the first event. */
static void start_wall_clock(struct decode_run *run)
{
    const struct etwhf_logfile *lf = etwhf_decoder_logfile(run->ctx);
    const char *why = "the input has no logfile record";
    if (run->cli->opts.input == ETWHF_INPUT_FILE && lf)
        why = etwhf_wallclock_init(&run->clock, lf);
    if (!why) {
        run->clock_state = 1;
        run->lines.clock = &run->clock;
        return;
    }
    run->clock_state = -1;
    etwhf_out_flush(&run->out); /* keep the note near the lines it concerns */
    etwhf_out_flush(&run->err);
    fprintf(stderr, "etwhf decode: %s: --wall-clock: %s; timestamps stay raw clock values\n", run->lines.label,
            why); /* label: escaped in decode_one */
}

static int on_event(void *user, const struct etwhf_event *ev)
{
    struct decode_run *run = user;
    const struct decode_cli *cli = run->cli;
    unsigned bit = ev->type == ETWHF_HEAP_FREE ? TYPE_FREE : ev->type == ETWHF_HEAP_ALLOC ? TYPE_ALLOC : TYPE_REALLOC;
    if (cli->quiet || !(cli->types & bit))
        return should_stop(run);
    if ((cli->has_pid && (!ev->has_pid_tid || ev->pid != cli->pid)) ||
        (cli->has_tid && (!ev->has_pid_tid || ev->tid != cli->tid)) || (cli->has_heap && ev->heap_handle != cli->heap))
        return should_stop(run);
    if (cli->wall_clock && run->clock_state == 0)
        start_wall_clock(run);
    etwhf_decode_output_event(&run->lines, ev);
    return should_stop(run);
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct decode_run *run = user;
    etwhf_decode_output_diag(&run->lines, d);
    run->diag_pending = 1;
    return should_stop(run);
}

/* ---- one file ---------------------------------------------------------------- */

enum file_result { FILE_OK, FILE_ERRORS, FILE_IO, STOP_INTERRUPTED, STOP_WRITE };

/* run->lines.label: the file's name for people, escaped (untrusted.h). */

/* The library's reader does the reading (one reader loop for every caller),
 * so `bytes` in the summary is the input's length however it arrives. */
static enum file_result decode_fd(struct decode_run *run, struct etwhf_input_file *in)
{
    int st = etwhf_decode_fd(run->ctx, in->fd);
    const int read_errno = errno;
    if (etwhf_interrupted())
        return STOP_INTERRUPTED;
    if (etwhf_out_failed(&run->out) || etwhf_out_failed(&run->err))
        return STOP_WRITE;
    if (st == ETWHF_EIO) {
        etwhf_out_flush(&run->err);
        fprintf(stderr, "etwhf decode: cannot read '%s': %s\n", run->lines.label, strerror(read_errno));
        return FILE_IO;
    }
    if (st != ETWHF_OK) {
        etwhf_out_flush(&run->err);
        fprintf(stderr, "etwhf decode: %s: decoder failed: %s%s\n", run->lines.label, etwhf_strerror(st),
                st == ETWHF_ENOMEM ? " (a smaller --buffer-limit may help)" : "");
        return FILE_IO;
    }
    const struct etwhf_summary *s = etwhf_decoder_summary(run->ctx);
    if (run->cli->stats)
        etwhf_decode_output_summary(&run->lines, s);
    return s->errors ? FILE_ERRORS : FILE_OK;
}

static enum file_result decode_one(struct decode_run *run, const char *path)
{
    struct etwhf_input_file in;
    int opened = etwhf_input_open(&in, "decode", path);
    if (opened != 0)
        return opened == ETWHF_OPEN_INTERRUPTED ? STOP_INTERRUPTED : FILE_IO;
    enum file_result res = FILE_IO;
    char *label = etwhf_escape_dup(in.label);
    if (!label || etwhf_decode_output_file(&run->lines, path, label, run->cli->nfiles > 1) != 0) {
        fputs("etwhf decode: out of memory\n", stderr);
        goto out;
    }
    run->lines.clock = NULL;
    run->clock_state = 0;
    struct etwhf_decode_options opts = run->cli->opts;
    /* Counting mode needs no event callback: the summary counts them, and
     * interrupts are seen between the reader's reads. */
    opts.on_event = run->cli->quiet ? NULL : on_event;
    opts.on_diag = on_diag;
    opts.should_stop = reader_should_stop;
    opts.on_wait = reader_waits;
    opts.user = run;
    int st;
    run->ctx = etwhf_decoder_new(&opts, &st);
    if (!run->ctx) {
        fprintf(stderr, "etwhf decode: %s: cannot start the decoder: %s\n", label, etwhf_strerror(st));
        goto out;
    }
    res = decode_fd(run, &in);
    etwhf_decoder_free(run->ctx);
    run->ctx = NULL;
out:
    run->lines.label = NULL;
    free(label);
    etwhf_input_close(&in);
    /* diagnostics on stderr go out per file so they stay near their file */
    etwhf_out_flush(&run->err);
    if (res < STOP_INTERRUPTED && (etwhf_out_failed(&run->out) || etwhf_out_failed(&run->err)))
        res = STOP_WRITE;
    return res;
}

/* ---- command ----------------------------------------------------------------- */

static int report_write_failure(struct decode_run *run)
{
    const struct etwhf_out *o = etwhf_out_failed(&run->out) ? &run->out : &run->err;
    fprintf(stderr, "etwhf decode: cannot write to %s: %s\n", o->name, strerror(etwhf_out_failed(o)));
    return EXIT_IO;
}

static int run_files(struct decode_run *run)
{
    const struct decode_cli *cli = run->cli;
    int any_io = 0, any_error = 0, code = -1;
    etwhf_decode_output_header(&run->lines);
    for (int i = 0; i < cli->nfiles && code < 0; i++) {
        /* The next FILE may keep us waiting (a FIFO's open() waits for its
         * writer): what the previous ones gave goes out first. */
        if (i > 0)
            etwhf_out_flush(&run->out);
        switch (decode_one(run, cli->files[i])) {
        case FILE_OK: break;
        case FILE_ERRORS: any_error = 1; break;
        case FILE_IO: any_io = 1; break;
        case STOP_INTERRUPTED: code = EXIT_INTERRUPTED; break;
        case STOP_WRITE: code = EXIT_IO; break;
        }
    }
    if (code == EXIT_IO)
        return report_write_failure(run);
    if (etwhf_out_flush(&run->out) != 0 || etwhf_out_flush(&run->err) != 0)
        return report_write_failure(run);
    if (code == EXIT_INTERRUPTED) {
        fputs("etwhf decode: interrupted\n", stderr);
        return EXIT_INTERRUPTED;
    }
    return any_io ? EXIT_IO : any_error ? EXIT_FINDING : EXIT_OK;
}

/* ---- batch: requests on standard input ---------------------------------------- */

/* The end line of a request (docs/spec/check-protocol.md §6.3). */
static void end_line(struct decode_run *run, const struct etwhf_batch_request *req, int status)
{
    char *q = etwhf_out_room(&run->out, 64);
    ETWHF_PUT(q, "{\"type\":\"end\",\"id\":");
    if (!req->has_id)
        ETWHF_PUT(q, "null");
    else if (req->id < 0)
        *q++ = '-', q = etwhf_fmt_u64(q, -(uint64_t)req->id);
    else
        q = etwhf_fmt_u64(q, (uint64_t)req->id);
    ETWHF_PUT(q, ",\"status\":");
    q = etwhf_fmt_u64(q, (uint64_t)status);
    ETWHF_PUT(q, "}\n");
    etwhf_out_commit(&run->out, q);
}

/* Each request decoded as `etwhf decode` would decode its file with the
 * request's --input, --pointer-size, --event and --mode (the other options
 * of the command line hold for every request); a request that cannot be
 * read is answered with status 2 and a line on stderr. Exit 0 at end of
 * input. */
static int run_batch(struct decode_run *run)
{
    const struct decode_cli *base = run->cli;
    struct etwhf_batch_reader rd;
    struct etwhf_batch_request req;
    char why[256];
    int code = -1;
    etwhf_batch_reader_init(&rd, STDIN_FILENO);
    while (code < 0) {
        int got = etwhf_batch_next(&rd, &req, why, sizeof why);
        int status = EXIT_USAGE;
        if (got == ETWHF_BATCH_END) {
            code = EXIT_OK;
            break;
        }
        if (got == ETWHF_BATCH_READ) {
            if (etwhf_interrupted())
                code = EXIT_INTERRUPTED;
            else if (errno == ENOMEM)
                fputs("etwhf decode: out of memory reading a request\n", stderr), code = EXIT_IO;
            else
                fprintf(stderr, "etwhf decode: cannot read requests: %s\n", strerror(errno)), code = EXIT_IO;
            break;
        }
        if (got == ETWHF_BATCH_BAD) {
            etwhf_msg("etwhf decode: request: %s", why); /* may quote the line's bytes */
        } else {
            struct decode_cli cli = *base;
            const char *files[1] = {req.file};
            cli.opts.input = req.input;
            cli.opts.mode = req.mode;
            cli.opts.pointer_size = req.pointer_size;
            cli.opts.payload_type = req.payload_type;
            cli.files = files;
            cli.nfiles = 1;
            run->cli = &cli;
            switch (decode_one(run, req.file)) {
            case FILE_OK: status = EXIT_OK; break;
            case FILE_ERRORS: status = EXIT_FINDING; break;
            case FILE_IO: status = EXIT_IO; break;
            case STOP_INTERRUPTED: code = EXIT_INTERRUPTED; break;
            case STOP_WRITE: code = EXIT_IO; break;
            }
            run->cli = base;
        }
        free(req.file);
        if (code < 0) {
            end_line(run, &req, status);
            if (etwhf_out_flush(&run->out) != 0)
                code = EXIT_IO;
        }
    }
    etwhf_batch_reader_free(&rd);
    if (code == EXIT_IO && (etwhf_out_failed(&run->out) || etwhf_out_failed(&run->err)))
        return report_write_failure(run);
    if (code == EXIT_INTERRUPTED)
        fputs("etwhf decode: interrupted\n", stderr);
    return code;
}

int etwhf_cmd_decode(int argc, char **argv)
{
    struct decode_cli cli;
    struct decode_run run;
    int done;
    memset(&cli, 0, sizeof cli);
    memset(&run, 0, sizeof run);
    int code = parse_args(&cli, argc, argv, &done);
    if (code != 0 || done) {
        free(cli.files);
        return code;
    }
    run.cli = &cli;
    if (etwhf_out_init(&run.out, STDOUT_FILENO, 0, "standard output") != 0 ||
        etwhf_out_init(&run.err, STDERR_FILENO, 64u << 10, "standard error") != 0) {
        fputs("etwhf decode: out of memory\n", stderr);
        code = EXIT_IO;
    } else {
        etwhf_decode_output_init(&run.lines, cli.format, &run.out, &run.err);
        etwhf_interrupt_install();
        code = cli.batch ? run_batch(&run) : run_files(&run);
        etwhf_decode_output_free(&run.lines);
    }
    etwhf_out_free(&run.out);
    etwhf_out_free(&run.err);
    free(cli.files);
    return code;
}
