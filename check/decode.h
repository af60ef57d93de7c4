/*
 * decode.h — one case decoded by etwhf's decoder (etwhf/decode.h), collected
 * as a check_observed: the events of the case's compared type, every
 * diagnostic's code and severity, the first error's offset, the file
 * counts (internal).
 */
#ifndef ETWHF_CHECK_DECODE_H
#define ETWHF_CHECK_DECODE_H

#include <stddef.h>

#include "corpus.h"
#include "compare.h"

/* A check_decode_fn (runner.h). */
int etwhf__check_decode_case(const struct check_case *k, int mode, const void *data, size_t len,
                             struct check_observed *o, char *why, size_t whylen);

#endif
