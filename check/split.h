/*
 * split.h — the decoder command of a check (`etwhf check --decoder CMD`):
 * split like a shell would split it, then expanded per run
 * (docs/spec/check-protocol.md) (internal).
 *
 * Splitting follows POSIX sh word rules for quotes and backslashes only:
 * 'single' quotes are literal, "double" quotes honour \" \\ \$ \` and
 * backslash-newline, a backslash outside quotes escapes the next character.
 * No shell is run, so | ; & $ > < * are ordinary characters.
 *
 * Expansion: a word that is exactly {args} becomes etwhf decode's flags for
 * the run, one word each; {file} and {args} inside a longer word are
 * replaced by the text (flags joined by spaces). Without any {file} the
 * case's path is appended as the last word.
 */
#ifndef ETWHF_CHECK_SPLIT_H
#define ETWHF_CHECK_SPLIT_H

#include <stddef.h>

struct check_cmd {
    char **words;
    size_t nwords;
    int has_file; /* some word holds {file} */
};

/* ETWHF_OK; ETWHF_EINVAL (an unterminated quote, a trailing backslash, an
 * empty command) or ETWHF_ENOMEM, with a reason in err. */
int etwhf__check_cmd_split(const char *cmd, struct check_cmd *out, char *err, size_t errlen);
void etwhf__check_cmd_free(struct check_cmd *c);

/* A NULL-terminated argv for one run (free with check_argv_free), or NULL
 * when memory runs out. args: nargs flags for {args}. */
char **etwhf__check_cmd_argv(const struct check_cmd *c, const char *const *args, size_t nargs, const char *file);
void etwhf__check_argv_free(char **argv);

#endif
