/* Reproduce lines of the report; see repro_line.h. */
#define _GNU_SOURCE /* open_memstream */
#include "repro_line.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compare.h"
#include "runner_command.h"
#include "manifest.h"
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
    int rc = etwhf__check_cmd_split(r->decoder, &cmd, why, sizeof why);
    if (rc != ETWHF_OK)
        return rc;
    char **argv = etwhf__check_cmd_argv(&cmd, args, nargs, path);
    rc = argv ? etwhf__check_case_env(k, mode, path, env) : ETWHF_ENOMEM;
    if (rc == ETWHF_OK) {
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

/* A batch decoder reruns one case from one request on its standard input
 * (check-protocol.md §6.2): the request the checker sent, piped to the
 * command's words. The request is JSON, so it is quoted as one word. */
static int put_batch(FILE *f, const struct etwhf_check_result *r, const struct check_case *k, int mode,
                     const char *path, const char **args, size_t nargs)
{
    json_t *a = json_array(), *q = json_object();
    for (size_t i = 0; i < nargs; i++)
        json_array_append_new(a, json_string(args[i]));
    json_object_set_new(q, "id", json_integer((json_int_t)k->info.id));
    json_object_set_new(q, "file", json_string(path));
    json_object_set_new(q, "layer", json_string(etwhf__layer_name(k->info.layer)));
    json_object_set_new(q, "pointer_size",
                        k->info.pointer_size ? json_integer(k->info.pointer_size) : json_string(etwhf__width_name(0)));
    json_object_set_new(q, "event",
                        k->info.layer == ETWHF_GEN_PAYLOAD ? json_string(etwhf_heap_event_name(k->info.event))
                                                           : json_null());
    json_object_set_new(q, "mode", json_string(etwhf__check_mode_name(mode)));
    json_object_set_new(q, "args", a);
    char *req = json_dumps(q, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(q);
    if (!req)
        return ETWHF_ENOMEM;
    fputs("printf '%s\\n' ", f);
    put_word(f, req);
    fputs(" |", f);
    free(req);
    struct check_cmd cmd;
    char why[200];
    int rc = etwhf__check_cmd_split(r->decoder, &cmd, why, sizeof why);
    if (rc != ETWHF_OK)
        return rc;
    for (size_t i = 0; i < cmd.nwords; i++) { /* the words as given: nothing expands in a batch command */
        fputc(' ', f);
        put_word(f, cmd.words[i]);
    }
    etwhf__check_cmd_free(&cmd);
    return ETWHF_OK;
}

char *etwhf__check_repro(const struct etwhf_check_result *r, const struct check_case *k, int mode)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    const char *args[8];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != ETWHF_OK)
        return NULL;
    size_t nargs = etwhf__check_case_args(k, mode, args);
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    int rc = ETWHF_OK;
    if (r->cwd) {
        fputs("(cd ", f);
        put_word(f, r->cwd);
        fputs(" && ", f);
    }
    if (r->batch) {
        rc = put_batch(f, r, k, mode, path, args, nargs);
    } else if (r->external) {
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
    if (fclose(f) != 0 || rc != ETWHF_OK) {
        free(text);
        return NULL;
    }
    return text;
}
