/* The sanitizer-report scanner of a child's standard error; see errscan.h. */
#include "errscan.h"

#include <string.h>

/* What the sanitizers print first (docs/spec/check-protocol.md §3.5 lists them). */
static const char *const sanitizer_marks[] = {
    "ERROR: AddressSanitizer",  "runtime error:",
    "ERROR: LeakSanitizer",     "WARNING: MemorySanitizer",
    "ERROR: MemorySanitizer",   "ERROR: HWAddressSanitizer",
    "WARNING: ThreadSanitizer", "AddressSanitizer:DEADLYSIGNAL",
    "ERROR: libFuzzer",
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
