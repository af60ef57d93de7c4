/*
 * runner_command.h — checking another decoder, a command run once per case
 * and mode: the per-process protocol of docs/spec/check-protocol.md §3
 * (`etwhf check --decoder CMD`) (internal).
 *
 * A kind of pool worker (pool.h): each run is a process of its own, up to
 * `jobs` at once, with standard input from /dev/null, standard output kept
 * and read as JSON lines once it exits, standard error scanned for
 * sanitizer reports. A run past the timeout or past 256 MiB of output is
 * killed with its process group. The commands are started with posix_spawn
 * (vfork speed: a corpus means ~100,000 of them).
 */
#ifndef ETWHF_CHECK_RUNNER_COMMAND_H
#define ETWHF_CHECK_RUNNER_COMMAND_H

#include "runner.h"

/* Every selected case run (or skipped: the command cannot take it); as the
 * runners return (runner.h). */
int etwhf__check_run_command(struct check_run *r);

/* The ETWHF_* variables of that run ("NAME=value", env[4] NULL unless a
 * payload case): ETWHF_OK or ETWHF_ENOMEM; free each. */
int etwhf__check_case_env(const struct check_case *k, int mode, const char *path, char *env[5]);
/* etwhf decode's own flags for case k in `mode`, the words of {args}
 * (docs/spec/check-protocol.md §3.1): their count, at most 8. */
size_t etwhf__check_case_args(const struct check_case *k, int mode, const char *args[8]);
/* The checker's environment without the ETWHF_* variables the per-process
 * protocol sets per run (§3.2; batch workers get it too, §6.1): a
 * NULL-ended array of environ's own strings (free the array only), its
 * length in *n; NULL when memory runs out. */
char **etwhf__check_base_env(size_t *n);

#endif
