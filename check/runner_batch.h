/*
 * runner_batch.h — checking a decoder that keeps running: the batch protocol
 * of docs/spec/check-protocol.md §6 (`etwhf check --decoder-batch CMD`)
 * (internal).
 *
 * A kind of pool worker (pool.h): up to `jobs` workers, each CMD started
 * once in a process group of its own, take requests on standard input (a
 * JSON line naming the case and mode; a few are queued ahead so a worker
 * never waits between cases) and answer each in turn with the case's JSON
 * lines and an end line. The answer is judged as a per-process run's
 * output is (output.h, compare.h). A worker that dies, hangs past the
 * timeout, writes a sanitizer report or breaks the framing costs the case
 * in progress only: it is killed with its group and the requests it held
 * go to a fresh worker. The pool writes requests without blocking and
 * reads answers while it writes, so a decoder that writes before it reads
 * never deadlocks the checker.
 */
#ifndef ETWHF_CHECK_RUNNER_BATCH_H
#define ETWHF_CHECK_RUNNER_BATCH_H

#include "runner.h"

/* Every selected case run; as the runners return (runner.h). */
int etwhf__check_run_batch(struct check_run *r);

#endif
