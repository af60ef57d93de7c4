/*
 * check_manifest.h — reading DIR/manifest.jsonl (CONTRACT.md §6) into a
 * check_corpus (internal).
 *
 * Every problem is an I/O failure of `etwhf check` (exit 3): a missing or
 * unreadable folder or manifest, a manifest of another version, or a line
 * that is not a case; the message names the file and the line.
 */
#ifndef ETWHF_CHECK_MANIFEST_H
#define ETWHF_CHECK_MANIFEST_H

#include <stddef.h>

#include "check_case.h"

/* 0 on success; -1 with a one-line reason in err (no trailing newline). */
int check_manifest_load(const char *dir, struct check_corpus *out, char *err, size_t errlen);
void check_corpus_free(struct check_corpus *c);

#endif
