"""Helpers of the hostile-condition Python tests: waits on a state the
process reaches by itself, each bounded (ETWHF_WAIT_LIMIT, default 120 s, as
tests/proc_wait.sh), and the checks' bookkeeping. Never a duration asserted."""
import os
import platform
import sys
import time

LIMIT = float(os.environ.get("ETWHF_WAIT_LIMIT", "120"))
WRITE_NR = {"aarch64": 64, "riscv64": 64}.get(platform.machine(), 1)  # write(2)


class Checks:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what):
        self.n += 1
        if not ok:
            self.failed += 1
            print("FAIL: " + what, file=sys.stderr)
        return ok

    def finish(self):
        if self.n == 0:
            sys.exit("FAIL: no check ran")
        if self.failed:
            sys.exit(f"{self.failed} of {self.n} checks failed")
        print(f"all {self.n} checks passed")
        sys.exit(0)


def wait_until(what, pred):
    """True once pred() holds; False (with a message) past the limit."""
    start = time.monotonic()
    while not pred():
        if time.monotonic() - start > LIMIT:
            print(f"wait: gave up after {LIMIT:.0f}s waiting for: {what}", file=sys.stderr)
            return False
        time.sleep(0.05)
    return True


def fd_position(pid, path):
    """The file position of pid's descriptor open on path, or None."""
    fds = f"/proc/{pid}/fd"
    try:
        for fd in os.listdir(fds):
            if os.readlink(os.path.join(fds, fd)) == path:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("pos:"):
                            return int(line.split()[1])
    except OSError:
        return None
    return None


def blocked_writing(pid, fd):
    """pid is blocked in write(2) on descriptor fd."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            parts = f.read().split()
    except OSError:
        return False
    return len(parts) > 1 and parts[0] == str(WRITE_NR) and int(parts[1], 16) == fd


def sanitizer_clean(checks, stderr, what):
    text = stderr.decode(errors="replace")
    checks.check(not any(s in text for s in ("AddressSanitizer", "runtime error:", "LeakSanitizer")),
                 f"sanitizer report: {what}: {text[:2000]}")


def ended(checks, p, what):
    """Standard output and error of p once it ends; past the limit it is
    killed and the run fails (never a hang)."""
    import subprocess
    try:
        return p.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        checks.check(False, f"{what}: did not end (killed after {LIMIT:.0f}s)")
        p.kill()
        return p.communicate()
