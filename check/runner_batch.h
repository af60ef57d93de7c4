/*
 * runner_batch.h — checking a decoder that keeps running: the batch protocol of
 * docs/spec/check-protocol.md §6 (`etwhf check --decoder-batch CMD`)
 * (internal).
 *
 * Up to `jobs` workers, each CMD started once in a process group of its
 * own, take requests on standard input (a JSON line naming the case and
 * mode; a few are queued ahead so a worker never waits between cases) and
 * answer each in turn with the case's JSON lines and an end line. The
 * answer is judged as a per-process run's output is (output.h, compare.h).
 * A worker that dies, hangs past the timeout, writes a sanitizer report or
 * breaks the framing costs the case in progress only: it is killed with its
 * group and the requests it held go to a fresh worker. Every pipe is
 * non-blocking and read while requests are written, so a decoder that
 * writes before it reads never deadlocks the checker. SIGPIPE is ignored while workers run
 * (a worker that died must not take the checker with it).
 */
#ifndef ETWHF_CHECK_RUNNER_BATCH_H
#define ETWHF_CHECK_RUNNER_BATCH_H

#include "runner.h"

/* 0 when every selected case was run, CHECK_RUN_IO (a worker could not be
 * started) or CHECK_RUN_INTERRUPTED. */
int etwhf__check_run_batch(struct check_run *r);

#endif
