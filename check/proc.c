/* Process helpers of the check runners; see proc.h. */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t etwhf__check_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *etwhf__check_signal_name(int sig, char *buf, size_t len)
{
    static const struct { int sig; const char *name; } names[] = {
        {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
        {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},
        {SIGTRAP, "SIGTRAP"}, {SIGPIPE, "SIGPIPE"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    snprintf(buf, len, "signal %d", sig);
    return buf;
}

/* What the sanitizers print first (docs/spec/check-protocol.md names the first two). */
static const char *const sanitizer_marks[] = {
    "ERROR: AddressSanitizer",  "runtime error:",          "ERROR: LeakSanitizer",
    "WARNING: MemorySanitizer", "ERROR: MemorySanitizer",  "ERROR: HWAddressSanitizer",
    "WARNING: ThreadSanitizer", "AddressSanitizer:DEADLYSIGNAL", "ERROR: libFuzzer",
};

void etwhf__check_errscan_reset(struct check_errscan *s)
{
    memset(s, 0, sizeof *s);
}

static void copy_line(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void scan_line(struct check_errscan *s)
{
    s->line[s->len < sizeof s->line ? s->len : sizeof s->line - 1] = '\0';
    if (!s->first[0] && s->len)
        copy_line(s->first, sizeof s->first, s->line, strlen(s->line));
    for (size_t i = 0; !s->found && i < sizeof sanitizer_marks / sizeof sanitizer_marks[0]; i++) {
        const char *hit = strstr(s->line, sanitizer_marks[i]);
        if (hit) {
            s->found = 1;
            /* From the mark on: a long source path before it says less. */
            const char *from = hit - s->line > 60 ? hit - 60 : s->line;
            copy_line(s->report, sizeof s->report, from, strlen(from));
        }
    }
    s->len = 0;
}

/* Keeps the last sizeof tail - 1 bytes: a traceback's last lines say most. */
static void keep_tail(struct check_errscan *s, const char *buf, size_t n)
{
    size_t cap = sizeof s->tail - 1;
    if (n >= cap) {
        s->tail_cut |= s->tail_len > 0 || n > cap;
        memcpy(s->tail, buf + n - cap, cap);
        s->tail_len = cap;
    } else {
        if (s->tail_len + n > cap) {
            size_t drop = s->tail_len + n - cap;
            memmove(s->tail, s->tail + drop, s->tail_len - drop);
            s->tail_len -= drop;
            s->tail_cut = 1;
        }
        memcpy(s->tail + s->tail_len, buf, n);
        s->tail_len += n;
    }
    s->tail[s->tail_len] = '\0';
    for (size_t i = 0; i < s->tail_len; i++)
        if (!s->tail[i])
            s->tail[i] = ' ';
}

void etwhf__check_errscan_last_line(const struct check_errscan *s, char *buf, size_t len)
{
    size_t end = s->tail_len;
    while (end && (s->tail[end - 1] == '\n' || s->tail[end - 1] == '\r' || s->tail[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start && s->tail[start - 1] != '\n')
        start--;
    copy_line(buf, len, s->tail + start, end - start);
}

void etwhf__check_errscan_feed(struct check_errscan *s, const char *buf, size_t n)
{
    keep_tail(s, buf, n);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            scan_line(s);
            continue;
        }
        if (s->len < sizeof s->line - 1)
            s->line[s->len] = buf[i] ? buf[i] : ' ';
        s->len++;
    }
}

void etwhf__check_errscan_end(struct check_errscan *s)
{
    if (s->len)
        scan_line(s);
}

long etwhf__check_pipe_read(int *fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(*fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0; /* EAGAIN: nothing now */
        if (n == 0) {
            close(*fd);
            *fd = -1;
            return -1;
        }
        return (long)n;
    }
}

void etwhf__check_errscan_drain(int *fd, struct check_errscan *s)
{
    char tmp[4096];
    long n;
    while ((n = etwhf__check_pipe_read(fd, tmp, sizeof tmp)) > 0)
        etwhf__check_errscan_feed(s, tmp, (size_t)n);
    if (n < 0)
        etwhf__check_errscan_end(s);
}

extern char **environ;

static const char *const case_vars[] = {"ETWHF_FILE=", "ETWHF_LAYER=", "ETWHF_POINTER_SIZE=", "ETWHF_EVENT=",
                                        "ETWHF_MODE="};

char **etwhf__check_base_env(size_t *n)
{
    size_t all = 0;
    while (environ[all])
        all++;
    char **env = calloc(all + 1, sizeof *env);
    if (!env)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < all; i++) {
        int ours = 0;
        for (size_t v = 0; v < sizeof case_vars / sizeof case_vars[0]; v++)
            ours |= strncmp(environ[i], case_vars[v], strlen(case_vars[v])) == 0;
        if (!ours)
            env[(*n)++] = environ[i];
    }
    return env;
}

int etwhf__check_spawn(char **argv, char **envp, int in_r, int out_w, int err_w, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGQUIT);
    posix_spawn_file_actions_init(&fa);
    if (in_r < 0)
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&fa, in_r, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    int e = posix_spawnp(pid, argv[0], &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return e;
}

/* Waiting a fixed slice instead of waking on SIGCHLD costs more than a
 * decode: a corpus means ~100,000 exits. */
static int chld_pipe[2] = {-1, -1};

static void on_sigchld(int sig)
{
    (void)sig;
    int e = errno;
    ssize_t n = write(chld_pipe[1], "", 1);
    (void)n; /* a full pipe already holds a wake-up */
    errno = e;
}

int etwhf__check_chld_install(struct sigaction *old)
{
    sigaction(SIGCHLD, NULL, old); /* what remove puts back, whatever fails below */
    if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    return sigaction(SIGCHLD, &sa, old);
}

void etwhf__check_chld_remove(const struct sigaction *old)
{
    sigaction(SIGCHLD, old, NULL);
    for (int i = 0; i < 2; i++)
        if (chld_pipe[i] >= 0)
            close(chld_pipe[i]);
    chld_pipe[0] = chld_pipe[1] = -1;
}

int etwhf__check_chld_fd(void)
{
    return chld_pipe[0];
}

void etwhf__check_chld_clear(void)
{
    char sink[64];
    while (read(chld_pipe[0], sink, sizeof sink) > 0)
        ;
}
