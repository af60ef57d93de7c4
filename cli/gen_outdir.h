/*
 * gen_outdir.h — `etwhf gen --out DIR`'s folder (internal): created, left as
 * is when empty, emptied by --force only when it is a generator output folder.
 */
#ifndef ETWHF_CLI_GEN_OUTDIR_H
#define ETWHF_CLI_GEN_OUTDIR_H

/* Names gen writes in DIR (gen_corpus.c). */
#define GEN_MANIFEST "manifest.jsonl"
#define GEN_MANIFEST_TMP ".manifest.jsonl.tmp"
#define GEN_CASES "cases"

/* DIR exists and is empty afterwards, or is created. A non-empty DIR without
 * `force` is EXIT_IO (docs/spec/output.md §6). With `force`: EXIT_USAGE, nothing
 * touched, when DIR is `/`, the home directory, the current directory or one
 * of its parents, or does not look like gen's output (gen_outdir.c says what
 * does). Messages go to stderr. Returns enum etwhf_exit. */
int gen_prepare_out(const char *dir, int force);

#endif
