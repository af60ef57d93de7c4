/* Reproduce lines of the report; see repro.h. */
#define _GNU_SOURCE /* open_memstream */
#include "repro.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "external.h"
#include "result.h"
#include "split.h"

/* One word for sh: as is when it is plain, else in single quotes. */
static void put_word(FILE *f, const char *w)
{
    static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
    if (*w && strspn(w, plain) == strlen(w)) {
        fputs(w, f);
        return;
    }
    fputc('\'', f);
    for (; *w; w++)
        if (*w == '\'')
            fputs("'\\''", f);
        else
            fputc(*w, f);
    fputc('\'', f);
}

static void put_words(FILE *f, char **words)
{
    for (size_t i = 0; words[i]; i++) {
        fputc(' ', f);
        put_word(f, words[i]);
    }
}

/* The command's words for the run, and `env` with its variables before them. */
static int put_external(FILE *f, const struct etwhf_check_result *r, const struct check_case *k, int mode,
                        const char *path, const char **args, size_t nargs)
{
    struct check_cmd cmd;
    char why[200], *env[5] = {0};
    if (etwhf__check_cmd_split(r->decoder, &cmd, why, sizeof why) != 0)
        return -1;
    char **argv = etwhf__check_cmd_argv(&cmd, args, nargs, path);
    int rc = argv && etwhf__check_case_env(k, mode, path, env) == 0 ? 0 : -1;
    if (rc == 0) {
        /* The checker removes every ETWHF_ variable it sets; ETWHF_EVENT is set for payload cases only. */
        fputs("env", f);
        if (!env[4])
            fputs(" -u ETWHF_EVENT", f);
        for (size_t i = 0; i < 5; i++)
            if (env[i]) {
                fputc(' ', f);
                put_word(f, env[i]);
            }
        put_words(f, argv);
    }
    for (size_t i = 0; i < 5; i++)
        free(env[i]);
    etwhf__check_argv_free(argv);
    etwhf__check_cmd_free(&cmd);
    return rc;
}

char *etwhf__check_repro(const struct etwhf_check_result *r, const struct check_case *k, int mode)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != 0)
        return NULL;
    size_t nargs = etwhf__check_decode_args(k, mode, args);
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    int rc = 0;
    if (r->cwd) {
        fputs("(cd ", f);
        put_word(f, r->cwd);
        fputs(" && ", f);
    }
    if (r->external) {
        rc = put_external(f, r, k, mode, path, args, nargs);
    } else {
        put_word(f, r->etwhf_command);
        fputs(" decode", f);
        for (size_t i = 0; i < nargs; i++) {
            fputc(' ', f);
            put_word(f, args[i]);
        }
        fputc(' ', f);
        put_word(f, path);
    }
    if (r->cwd)
        fputc(')', f);
    if (fclose(f) != 0 || rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}
