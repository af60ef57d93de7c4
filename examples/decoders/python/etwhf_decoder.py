#!/usr/bin/env python3
"""etwhf_decoder.py — a decoder of ETW heap events in Python, standard library only.

It prints what `etwhf decode` prints (docs/spec/output.md): one JSON object
per line for every HeapFree, HeapAlloc and HeapReAlloc event and every
diagnostic, in walk order, then a summary with --stats. The walk itself is
etwhf_walk.py (docs/spec/walk.md), the XPRESS decompressor xpress.py.

Two ways to run it (docs/spec/check-protocol.md):

  per process   python3 etwhf_decoder.py [options] FILE...
                one run per input; exit 0 (no error diagnostic), 1 (errors),
                2 (usage), 3 (I/O), 70 (the decoder itself failed)
  batch         python3 etwhf_decoder.py --batch
                one request per line on standard input (§6 of that file;
                `etwhf check --decoder-batch`), answered in turn with the
                lines of that case then {"type":"end","id":N,"status":S}

Options (those of `etwhf decode`; the environment fills in absent ones, as
`etwhf check --decoder` sets it: ETWHF_LAYER, ETWHF_POINTER_SIZE, ETWHF_EVENT,
ETWHF_MODE):

  --input file|record|payload   a whole .etl file (default), a run of event
                                records, or one bare heap payload
  --pointer-size 4|8            payload input: its width (required there)
  --event free|alloc|realloc    payload input: which payload (default free)
  --mode recover|strict         strict stops at the first error diagnostic
  --strict                      same as --mode strict
  --type free|alloc|realloc|all which event lines to print (default all)
  --stats                       a summary line per file, last
  --quiet                       no event lines
  --buffer-limit BYTES          largest buffer accepted (default 16M; K, M, G)
  --batch                       serve requests on standard input (above)
"""

import os
import sys

import etwhf_format
import etwhf_walk

PROG = "etwhf_decoder"
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_IO, EXIT_FAILED = 0, 1, 2, 3, 70

TYPE_LINES = {"free": {"HeapFree"}, "alloc": {"HeapAlloc"}, "realloc": {"HeapReAlloc"},
              "all": {"HeapFree", "HeapAlloc", "HeapReAlloc"}}
# The environment `etwhf check --decoder` sets, and the option each stands for.
ENVIRONMENT = {"ETWHF_LAYER": "--input", "ETWHF_POINTER_SIZE": "--pointer-size",
               "ETWHF_EVENT": "--event", "ETWHF_MODE": "--mode"}
CHOICES = {"--input": ("file", "record", "payload"), "--pointer-size": ("4", "8"),
           "--event": ("free", "alloc", "realloc"), "--mode": ("recover", "strict"),
           "--type": ("free", "alloc", "realloc", "all")}

# Escapes of a JSON string: quote, backslash and control characters; the
# rest (UTF-8 included) is written as it is.
JSON_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x20)}
JSON_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\",
                     ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def json_line(fields):
    """One output line: a compact JSON object with the keys in the order given.

    Values are only None, integers and strings, so this is all of JSON a line
    needs, and a per-process run does not pay for importing json (with re)
    at start-up, which costs more than decoding a case.
    """
    parts = []
    for key, value in fields.items():
        if value is None:
            parts.append(f'"{key}":null')
        elif isinstance(value, str):
            parts.append(f'"{key}":"{value.translate(JSON_ESCAPES)}"')
        else:
            parts.append(f'"{key}":{value}')
    return "{" + ",".join(parts) + "}\n"


class UsageError(Exception):
    pass


class Options:
    def __init__(self):
        self.input = "file"
        self.pointer_size = None
        self.event = "free"
        self.strict = False
        self.types = TYPE_LINES["all"]
        self.stats = False
        self.quiet = False
        self.buffer_limit = etwhf_format.DEFAULT_BUFFER_LIMIT
        self.batch = False
        self.files = []


def parse_byte_count(text):
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale > 1 else text
    value = int(digits, 16) if digits[:2].lower() == "0x" else int(digits, 10)
    return value * scale


def parse_args(argv, environment):
    """Options from argv; `environment` (a dict like os.environ) fills in --input,
    --pointer-size, --event and --mode when they are absent. Raises UsageError."""
    opts = Options()
    given = {}
    args = list(argv)
    only_files = False
    while args:
        arg = args.pop(0)
        if only_files or arg == "-" or not arg.startswith("-"):
            opts.files.append(arg)
            continue
        if arg == "--":
            only_files = True
            continue
        name, eq, value = arg.partition("=")
        if name in ("--strict", "--stats", "--quiet", "--batch", "-h", "--help") and not eq:
            if name in ("-h", "--help"):
                raise UsageError(None)
            if name == "--strict":
                given["--mode"] = "strict"
            else:
                setattr(opts, name[2:], True)
            continue
        if name not in CHOICES and name != "--buffer-limit":
            raise UsageError(f"unknown option '{arg}'")
        if not eq:
            if not args:
                raise UsageError(f"option {name} needs a value")
            value = args.pop(0)
        if name in CHOICES and value not in CHOICES[name]:
            raise UsageError(f"invalid value '{value}' for {name} (expected {', '.join(CHOICES[name])})")
        given[name] = value

    explicit = set(given)
    for variable, name in ENVIRONMENT.items():
        value = environment.get(variable)
        if name not in given and value in CHOICES[name]:
            given[name] = value
    opts.input = given.get("--input", "file")
    opts.strict = given.get("--mode") == "strict"
    opts.types = TYPE_LINES[given.get("--type", "all")]
    if opts.input == "payload":
        if "--pointer-size" not in given:
            raise UsageError("--input payload needs --pointer-size 4 or 8")
        opts.pointer_size = int(given["--pointer-size"])
        opts.event = given.get("--event", "free")
    else:
        for name in ("--pointer-size", "--event"):
            if name in explicit:
                raise UsageError(f"{name} applies only to --input payload")
    if "--buffer-limit" in given:
        try:
            opts.buffer_limit = parse_byte_count(given["--buffer-limit"])
        except ValueError:
            opts.buffer_limit = -1
        if not etwhf_format.BUFFER_HEADER <= opts.buffer_limit <= 1 << 30:
            raise UsageError(f"invalid value '{given['--buffer-limit']}' for --buffer-limit "
                             "(expected a byte count from 72 to 1G, e.g. 65536 or 16M)")
    if not opts.files and not opts.batch:
        raise UsageError("no FILE given (use '-' for standard input)")
    return opts


def read_input(path):
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def decode_one(opts, path, several, write):
    """Decodes one input, writing its lines with write(text). Returns its exit status."""
    try:
        data = read_input(path)
    except OSError as e:
        print(f"{PROG}: cannot read '{path}': {e.strerror or e}", file=sys.stderr)
        return EXIT_IO
    prefix = {"file": path} if several else {}

    def on_event(line):
        if not opts.quiet and line["type"] in opts.types:
            write(json_line({**prefix, **line}))

    def on_diag(line):
        write(json_line({**prefix, **line}))

    walk = etwhf_walk.Walk(on_event, on_diag, strict=opts.strict, buffer_limit=opts.buffer_limit)
    summary = walk.run(data, opts.input, opts.pointer_size, opts.event)
    if opts.stats:
        write(json_line({**prefix, "type": "summary", **summary}))
    return EXIT_ERRORS if summary["errors"] else EXIT_OK


def decode_all(opts, write):
    """Every FILE in turn: 3 if any could not be read, else 1 if any had an error, else 0."""
    several = len(opts.files) > 1
    statuses = [decode_one(opts, path, several, write) for path in opts.files]
    return max(statuses, default=EXIT_OK)


def usage(message):
    if message is None:
        print(__doc__.strip())
        return EXIT_OK
    print(f"{PROG}: {message}\ntry '{PROG}.py --help'", file=sys.stderr)
    return EXIT_USAGE


# ---- batch: one process, many cases ---------------------------------------------

def request_environment(request):
    """A request's layer, pointer_size, event and mode, as the variables they stand for."""
    keys = {"ETWHF_LAYER": "layer", "ETWHF_POINTER_SIZE": "pointer_size", "ETWHF_EVENT": "event",
            "ETWHF_MODE": "mode"}
    return {variable: str(request[key]) for variable, key in keys.items() if request.get(key) is not None}


def answer(request, lines):
    """One request: its lines into `lines`; returns the status per-process would exit with."""
    args = request.get("args") or []
    path = request.get("file")
    if not isinstance(args, list) or not isinstance(path, str) or path == "-":
        print(f"{PROG}: request {request.get('id')}: needs \"file\" (a path) and \"args\" (a list)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        opts = parse_args([str(a) for a in args] + ["--", path], request_environment(request))
    except UsageError as e:
        return usage(e.args[0] or "--help in a batch request")
    return decode_all(opts, lines.append)


def serve_batch(stdin, stdout):
    """Answers requests until end of input. A case that raises is reported with status 70
    and a traceback on stderr; the next request is served as usual."""
    import json  # only here: reading requests
    import traceback
    for text in stdin:
        if not text.strip():
            continue
        lines = []
        request_id = None
        try:
            request = json.loads(text)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
            request_id = request.get("id")
            if not isinstance(request_id, (int, str)):
                request_id = None
            status = answer(request, lines)
        except ValueError as e:
            print(f"{PROG}: unreadable request: {e}", file=sys.stderr)
            lines, status = [], EXIT_USAGE
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            lines, status = [], EXIT_FAILED
        lines.append(json_line({"type": "end", "id": request_id, "status": status}))
        stdout.write("".join(lines))
        stdout.flush()
    return EXIT_OK


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # Our own buffered writer: lines go out in large writes (and UTF-8) whatever
    # PYTHONUNBUFFERED or the locale say.
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", errors="surrogateescape",
               buffering=1 << 16, closefd=False)
    try:
        opts = parse_args(argv, os.environ)
        if opts.batch:
            if opts.files:
                raise UsageError("--batch takes its cases on standard input, not as FILEs")
            return serve_batch(sys.stdin, out)
        status = decode_all(opts, out.write)
        out.flush()
        return status
    except UsageError as e:
        return usage(e.args[0])
    except BrokenPipeError:
        # Whoever read our output went away: a write failure, like etwhf decode's.
        # Standard output goes to /dev/null so the exit does not fail again flushing it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_IO
    except KeyboardInterrupt:
        return 130
    except Exception:
        # A bug of this decoder, not a finding about the input: exit 1 would
        # make the checker read the lines printed so far as a verdict.
        import traceback
        traceback.print_exc()
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
