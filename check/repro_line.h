/*
 * repro_line.h — the shell command that reruns one case in one mode exactly as
 * a check ran it (internal): for a command, its words as expanded for the
 * case with the ETWHF_* variables it got; in-process, the `etwhf decode`
 * line with the same flags. Both run in the checker's working directory
 * (the case path is relative to it), so the line starts with a `cd` in a
 * subshell. Words are quoted for sh.
 */
#ifndef ETWHF_CHECK_REPRO_LINE_H
#define ETWHF_CHECK_REPRO_LINE_H

#include "corpus.h"
#include "etwhf/check.h"

/* malloc'd, or NULL when memory ran out (the command split once already). */
char *etwhf__check_repro(const struct etwhf_check_result *r, const struct check_case *k, int mode);

#endif
