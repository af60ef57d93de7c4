/*
 * untrusted.h — text from outside the program, made safe to show to people
 * (internal).
 *
 * File names (operands, requests, folder entries), names read from a trace
 * and pieces of request lines may hold any bytes: a newline that forges a
 * second message in a log, an escape sequence that drives the terminal.
 * Before such text reaches standard error or the text format it is escaped:
 * a backslash, C0 controls, DEL, C1 controls (U+0080-U+009F), the Unicode line
 * and paragraph separators and the bidirectional controls, and bytes that
 * are not UTF-8 become `\\`, `\n`, `\t`, `\r`, `\xNN` or `\uNNNN`; everything
 * else, UTF-8 names included, is shown as it is. (JSON output has its own
 * escaping, outbuf.h.)
 */
#ifndef ETWHF_CLI_UNTRUSTED_H
#define ETWHF_CLI_UNTRUSTED_H

#include <stddef.h>

/* Escapes s[0, len) into dst; returns the length needed (no NUL counted)
 * and writes only when it fits in cap. */
size_t etwhf_escape(char *dst, size_t cap, const char *s, size_t len);
/* The escaped form of a NUL-terminated string, malloc'd; NULL when out of
 * memory. */
char *etwhf_escape_dup(const char *s);
/* One line on standard error: printf-formatted, then escaped whole (so any
 * name in it is), then a newline. The format itself holds no newline. */
void etwhf_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
