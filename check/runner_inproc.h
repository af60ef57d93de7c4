/*
 * runner_inproc.h — checking etwhf's decoder (decode.h) against a corpus in
 * forked worker processes (internal).
 *
 * A kind of pool worker (pool.h). Each worker takes small chunks of cases
 * from a counter in shared memory and decodes every case of a chunk in the
 * selected modes, in-process: no fork or exec per case. A worker that dies
 * or overruns the timeout costs one case (reported as crash or timeout with
 * the mode it was in); a new worker carries on with the rest of its chunk.
 */
#ifndef ETWHF_CHECK_RUNNER_INPROC_H
#define ETWHF_CHECK_RUNNER_INPROC_H

#include "runner.h"

/* Every selected case run; as the runners return (runner.h). */
int etwhf__check_run_inproc(struct check_run *r);

#endif
