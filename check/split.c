/* Shell-like splitting and placeholder expansion; see split.h. */
#include "split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"

struct strbuf {
    char *s;
    size_t len, cap;
};

static int sb_put(struct strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return ETWHF_ENOMEM;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return ETWHF_OK;
}

static int push_word(struct check_cmd *c, struct strbuf *w)
{
    char **p = realloc(c->words, (c->nwords + 2) * sizeof *p);
    if (!p)
        return ETWHF_ENOMEM;
    c->words = p;
    c->words[c->nwords++] = w->s ? w->s : strdup("");
    c->words[c->nwords] = NULL;
    memset(w, 0, sizeof *w);
    return c->words[c->nwords - 1] ? ETWHF_OK : ETWHF_ENOMEM;
}

/* Scans one double-quoted span starting after the opening quote; returns the
 * position after the closing quote, or NULL when it is not closed. */
static const char *double_quoted(const char *p, struct strbuf *w, int *oom)
{
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
            p++;
            if (*p == '\n')
                continue;
        }
        *oom |= sb_put(w, p, 1) != ETWHF_OK;
    }
    return *p == '"' ? p + 1 : NULL;
}

int etwhf__check_cmd_split(const char *cmd, struct check_cmd *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct strbuf w = {0};
    int in_word = 0, oom = 0;
    const char *p = cmd;
    const char *problem = NULL;
    while (!problem && *p) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            if (in_word && push_word(out, &w) != ETWHF_OK)
                oom = 1;
            in_word = 0;
            p++;
        } else if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end)
                problem = "unterminated single quote";
            else
                oom |= sb_put(&w, p + 1, (size_t)(end - p - 1)) != ETWHF_OK || sb_put(&w, "", 0) != ETWHF_OK;
            in_word = 1;
            p = end ? end + 1 : p;
        } else if (*p == '"') {
            const char *end = double_quoted(p + 1, &w, &oom);
            oom |= sb_put(&w, "", 0) != ETWHF_OK;
            if (!end)
                problem = "unterminated double quote";
            in_word = 1;
            p = end ? end : p;
        } else if (*p == '\\') {
            if (!p[1]) {
                problem = "backslash at the end";
                break;
            }
            if (p[1] != '\n') { /* backslash-newline joins lines */
                oom |= sb_put(&w, p + 1, 1) != ETWHF_OK;
                in_word = 1;
            }
            p += 2;
        } else {
            oom |= sb_put(&w, p++, 1) != ETWHF_OK;
            in_word = 1;
        }
    }
    if (!problem && in_word && push_word(out, &w) != ETWHF_OK)
        oom = 1;
    free(w.s);
    if (!problem && !oom && out->nwords == 0)
        problem = "empty command";
    if (problem || oom) {
        snprintf(err, errlen, "%s", oom ? "out of memory" : problem);
        etwhf__check_cmd_free(out);
        return oom ? ETWHF_ENOMEM : ETWHF_EINVAL;
    }
    for (size_t i = 0; i < out->nwords; i++)
        if (strstr(out->words[i], "{file}"))
            out->has_file = 1;
    return ETWHF_OK;
}

void etwhf__check_cmd_free(struct check_cmd *c)
{
    for (size_t i = 0; i < c->nwords; i++)
        free(c->words[i]);
    free(c->words);
    memset(c, 0, sizeof *c);
}

/* Copies word into b with {file} and {args} replaced. */
static int substitute(struct strbuf *b, const char *word, const char *joined_args, const char *file)
{
    const char *p = word;
    while (*p) {
        if (strncmp(p, "{file}", 6) == 0) {
            if (sb_put(b, file, strlen(file)) != ETWHF_OK)
                return ETWHF_ENOMEM;
            p += 6;
        } else if (strncmp(p, "{args}", 6) == 0) {
            if (sb_put(b, joined_args, strlen(joined_args)) != ETWHF_OK)
                return ETWHF_ENOMEM;
            p += 6;
        } else if (sb_put(b, p++, 1) != ETWHF_OK) {
            return ETWHF_ENOMEM;
        }
    }
    return sb_put(b, "", 0);
}

char **etwhf__check_cmd_argv(const struct check_cmd *c, const char *const *args, size_t nargs, const char *file)
{
    struct strbuf joined = {0};
    int bad = sb_put(&joined, "", 0) != ETWHF_OK;
    for (size_t i = 0; i < nargs && !bad; i++)
        bad = (i && sb_put(&joined, " ", 1) != ETWHF_OK) || sb_put(&joined, args[i], strlen(args[i])) != ETWHF_OK;
    size_t max = c->nwords + nargs + 2, n = 0;
    char **argv = bad ? NULL : calloc(max, sizeof *argv);
    for (size_t i = 0; argv && i < c->nwords; i++) {
        if (strcmp(c->words[i], "{args}") == 0) {
            for (size_t j = 0; j < nargs && !bad; j++)
                bad = !(argv[n++] = strdup(args[j]));
        } else {
            struct strbuf w = {0};
            bad = substitute(&w, c->words[i], joined.s, file) != ETWHF_OK;
            argv[n++] = w.s;
        }
        if (bad)
            break;
    }
    if (argv && !bad && !c->has_file)
        bad = !(argv[n++] = strdup(file));
    free(joined.s);
    if (bad) {
        etwhf__check_argv_free(argv);
        return NULL;
    }
    return argv;
}

void etwhf__check_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}
