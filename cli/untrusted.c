/* Escaping untrusted text for people; see untrusted.h. */
#include "untrusted.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"

/* A message longer than this is cut (with "...") only when memory for it
 * cannot be had. */
#define MSG_STACK 4096

size_t etwhf_escape(char *dst, size_t cap, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t need = 0;
#define EMIT(p, n)                                                                                                     \
    do {                                                                                                               \
        if (need + (n) <= cap)                                                                                         \
            memcpy(dst + need, (p), (n));                                                                              \
        need += (n);                                                                                                   \
    } while (0)
    for (size_t i = 0; i < len;) {
        size_t n = etwhf_utf8_seq(u + i, len - i);
        uint32_t c = n ? etwhf_utf8_code_point(u + i, n) : 0;
        if (n == 0) { /* not UTF-8: the byte, in hex */
            char e[4] = {'\\', 'x', hex[u[i] >> 4], hex[u[i] & 15]};
            EMIT(e, 4);
            i++;
            continue;
        }
        if (c == '\\') {
            EMIT("\\\\", 2);
        } else if (c == '\n' || c == '\t' || c == '\r') {
            char e[2] = {'\\', c == '\n' ? 'n' : c == '\t' ? 't' : 'r'};
            EMIT(e, 2);
        } else if (c < 0x80 && etwhf_hidden_char(c)) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            EMIT(e, 4);
        } else if (etwhf_hidden_char(c)) {
            char e[6] = {'\\', 'u', hex[c >> 12 & 15], hex[c >> 8 & 15], hex[c >> 4 & 15], hex[c & 15]};
            EMIT(e, 6);
        } else {
            EMIT(u + i, n);
        }
        i += n;
    }
#undef EMIT
    return need;
}

char *etwhf_escape_dup(const char *s)
{
    size_t len = strlen(s), need = etwhf_escape(NULL, 0, s, len);
    char *p = malloc(need + 1);
    if (!p)
        return NULL;
    etwhf_escape(p, need, s, len);
    p[need] = '\0';
    return p;
}

void etwhf_msg(const char *fmt, ...)
{
    char small[MSG_STACK];
    char *text = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small && (text = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (!text) { /* no memory for a long message: its start, marked as cut */
        text = small;
        n = (int)sizeof small - 1;
        memcpy(small + sizeof small - 4, "...", 4);
    }
    size_t need = etwhf_escape(NULL, 0, text, (size_t)n);
    char *shown = malloc(need + 1);
    if (shown) {
        etwhf_escape(shown, need, text, (size_t)n);
        shown[need] = '\n';
        fwrite(shown, 1, need + 1, stderr);
        free(shown);
    } else { /* escape in pieces rather than print raw */
        char piece[256];
        for (size_t i = 0; i < (size_t)n; i++) {
            size_t k = etwhf_escape(piece, sizeof piece, text + i, 1);
            fwrite(piece, 1, k, stderr);
        }
        fputc('\n', stderr);
    }
    if (text != small)
        free(text);
}
