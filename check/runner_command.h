/*
 * runner_command.h — checking another decoder, a command run once per case and
 * mode (docs/spec/check-protocol.md) (internal).
 *
 * Up to `jobs` commands run at once, each in its own process group (a
 * timeout or SIGINT kills the whole group), with standard input from
 * /dev/null, standard output read as JSON lines and standard error scanned
 * for sanitizer reports. The commands are started with posix_spawn (vfork
 * speed: a corpus means ~100,000 of them).
 */
#ifndef ETWHF_CHECK_RUNNER_COMMAND_H
#define ETWHF_CHECK_RUNNER_COMMAND_H

#include "runner.h"

/* 0 when every selected case was run or skipped, CHECK_RUN_IO (a command
 * could not be started) or CHECK_RUN_INTERRUPTED. */
int etwhf__check_run_external(struct check_run *r);

/* The ETWHF_* variables of that run ("NAME=value", env[4] NULL unless a
 * payload case): 0, or -1 when memory ran out; free each. */
int etwhf__check_case_env(const struct check_case *k, int mode, const char *path, char *env[5]);
/* etwhf decode's own flags for case k in `mode`, the words of {args}
 * (docs/spec/check-protocol.md §3.1): their count, at most 8. */
size_t etwhf__check_case_args(const struct check_case *k, int mode, const char *args[8]);

#endif
