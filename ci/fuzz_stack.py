"""Reading a sanitizer / libFuzzer report: what kind of failure, and where.

The dedup key is the failure's category and kind plus the top three frames of
the first stack that belong to the program (runtime, libc and driver frames
skipped), by function name only: the same bug reached through inputs of
different sizes keeps its key, two bugs in different functions do not.
"""
import re

TOP_FRAMES = 3

# Frames that say where the runtime caught the failure, not where the bug is.
_RUNTIME_PREFIXES = (
    "__sanitizer", "__asan", "__ubsan", "__lsan", "__msan", "__interceptor", "__interception",
    "fuzzer::", "__GI_", "__libc_", "__pthread_", "___interceptor", "__cxa_", "std::",
    "__afl", "afl_",
)
_RUNTIME_NAMES = {
    "raise", "abort", "gsignal", "_start", "malloc", "calloc", "realloc", "free", "memcpy",
    "memmove", "memset", "strlen", "__assert_fail", "__assert_fail_base", "pthread_kill",
    # the standalone driver's own frames (fuzz/standalone_driver.c)
    "main", "run_file", "run_path", "run_dir", "on_alarm",
}

_FRAME = re.compile(r"^\s*#(\d+)\s+0x[0-9a-fA-F]+(?:\s+in\s+(\S+))?")

_MARKERS = (  # (regex, category, kind) — first match wins
    (re.compile(r"ERROR: libFuzzer: timeout|standalone driver: timeout|ALARM: working on the last Unit"),
     "timeout", "timeout"),
    (re.compile(r"ERROR: libFuzzer: out-of-memory \(malloc"), "oom", "malloc-limit"),
    (re.compile(r"ERROR: libFuzzer: out-of-memory"), "oom", "rss-limit"),
    (re.compile(r"AddressSanitizer: (?:requested allocation size|allocation-size-too-big)|"
                r"AddressSanitizer: out of memory|AddressSanitizer failed to allocate"), "oom", "allocation"),
    (re.compile(r"fuzz invariant failed"), "crash", "invariant"),
    (re.compile(r"ERROR: LeakSanitizer: detected memory leaks"), "crash", "leak"),
    (re.compile(r"ERROR: AddressSanitizer: ([A-Za-z][\w-]*)"), "crash", None),
    (re.compile(r"ERROR: MemorySanitizer: ([A-Za-z][\w-]*)"), "crash", None),
    (re.compile(r"runtime error: ([a-z][a-z -]*[a-z])"), "crash", None),
    (re.compile(r"ERROR: libFuzzer: deadly signal"), "crash", "signal"),
)


def classify(text, returncode=0, killed=False):
    """(category, kind) or None when the output shows no failure."""
    for rx, category, kind in _MARKERS:
        m = rx.search(text)
        if m:
            if kind is None:
                kind = _normalize_kind(m.group(1))
                if "runtime error" in rx.pattern:
                    kind = "ubsan-" + kind
            return category, kind
    if killed:
        return "timeout", "timeout"
    if returncode is not None and returncode < 0:
        return "crash", "signal-%d" % -returncode
    return None


def _normalize_kind(text):
    text = text.strip().lower()
    # UBSan messages carry values ("signed integer overflow: 7 + 9"); keep the words.
    text = re.sub(r"[^a-z-]+", "-", text).strip("-")
    return {"abrt": "abort"}.get(text, text)


def is_runtime_frame(func):
    if not func:
        return True
    if func in _RUNTIME_NAMES:
        return True
    return func.startswith(_RUNTIME_PREFIXES)


def first_stack(text):
    """Function names of the first stack trace in text (None for unnamed frames)."""
    frames, started = [], False
    for line in text.splitlines():
        m = _FRAME.match(line)
        if m:
            n = int(m.group(1))
            if n == 0 and started:
                break
            started = True
            func = m.group(2)
            if func and "(" in func:
                func = func.split("(", 1)[0]
            frames.append(func)
        elif started and line.strip() and not line.lstrip().startswith("#"):
            # a blank or prose line ends the first stack
            break
    return frames


def program_frames(text, top=TOP_FRAMES):
    return [f for f in first_stack(text) if not is_runtime_frame(f)][:top]


def dedup_key(category, kind, frames):
    return "%s:%s:%s" % (category, kind, ">".join(frames) if frames else "?")


def summary_line(text):
    m = re.search(r"^SUMMARY: (.*)$", text, re.M)
    return m.group(1).strip() if m else ""
