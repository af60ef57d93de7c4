# shellcheck shell=bash
# proc_wait.sh — sourced by the shell tests that signal a running etwhf. They
# wait for a state the process reaches by itself (a SIGINT handler installed,
# a read() blocked on a FIFO, a temporary file written, a process gone)
# instead of sleeping a guessed time, so a loaded machine only makes them
# wait longer, never fail. An honest run reaches the state in milliseconds;
# the limit (ETWHF_WAIT_LIMIT seconds, default 120) only turns a program that
# never gets there into a failure rather than a hang.
#
#   proc_wait_until WHAT CMD...      polls CMD until it succeeds; 1 past the limit
#   proc_sigint_caught PID           SIGINT has a handler (SigCgt bit 2)
#   proc_signal_caught PID SIG       signal number SIG has a handler
#   proc_reading PID PATH            blocked in read() on a descriptor open on PATH
#   proc_opening PID                 blocked in open() (openat), e.g. of a FIFO
#                                    nobody writes to
#   proc_interruptible_read PID PATH both of the above
#   proc_wrote PID                   has written at least one byte (/proc/PID/io)
#   proc_any PATTERN                 some process's command line matches PATTERN
#   proc_none PATTERN                none does
# Each returns 0 when it holds now, 1 when it does not.

proc_wait_until() {
    local what=$1 limit=${ETWHF_WAIT_LIMIT:-120} start=$SECONDS
    shift
    until "$@"; do
        if [ $((SECONDS - start)) -ge "$limit" ]; then
            echo "proc_wait: gave up after ${limit}s waiting for: $what" >&2
            return 1
        fi
        sleep 0.05
    done
}

proc_sigint_caught() {
    proc_signal_caught "$1" 2
}

proc_signal_caught() {
    local mask
    mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$mask" ] && (( (16#$mask >> ($2 - 1)) & 1 ))
}

proc_opening() {
    local call nr=257 # openat(2) on x86-64
    case $(uname -m) in aarch64 | riscv64) nr=56 ;; esac
    read -r call _ <"/proc/$1/syscall" 2>/dev/null || return 1
    [ "$call" = "$nr" ]
}

proc_reading() {
    local call fd nr=0
    # /proc/PID/syscall: "NR ARG1 ..." while blocked, "running" otherwise.
    case $(uname -m) in aarch64 | riscv64) nr=63 ;; esac # read(2): 0 on x86-64
    read -r call fd _ <"/proc/$1/syscall" 2>/dev/null || return 1
    [ "$call" = "$nr" ] || return 1
    [ "$(readlink "/proc/$1/fd/$((fd))" 2>/dev/null)" = "$(readlink -f "$2")" ]
}

proc_interruptible_read() {
    proc_sigint_caught "$1" && proc_reading "$1" "$2"
}

proc_wrote() {
    local wchar
    wchar=$(sed -n 's/^wchar:[[:space:]]*//p' "/proc/$1/io" 2>/dev/null) || return 1
    [ "${wchar:-0}" -gt 0 ]
}

proc_any() {
    pgrep -f -- "$1" >/dev/null
}

proc_none() {
    ! proc_any "$1"
}
