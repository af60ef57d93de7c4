/*
 * mutator.h — the structure-aware mutator, shared by the libFuzzer entry
 * layer (mutator_libfuzzer.c, linked into fuzz_<name>_sa) and the AFL++
 * custom-mutator .so (afl_mutator.c).
 *
 * It parses an input leniently into buffers and records (its own parser: it
 * must survive any bytes, and must not share the decoder's bugs), changes the
 * fields the walk branches on, moves records and buffers around or between
 * two inputs, and leaves a share of changes to a raw byte mutator.
 * Every write stays inside [0, max_size); the result is never empty when
 * max_size > 0.
 */
#ifndef ETWHF_FUZZ_MUTATOR_H
#define ETWHF_FUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

enum fuzz_layout {
    FUZZ_LAYOUT_FILE = 0,   /* a whole trace (fuzz_file) */
    FUZZ_LAYOUT_RECORD = 1, /* a sequence of records (fuzz_record) */
    FUZZ_LAYOUT_STREAM = 2  /* fuzz_stream's chunk plan, then a whole trace */
};

/* A raw mutator with libFuzzer's LLVMFuzzerMutate contract: changes
 * data[0, size) in place, may grow it up to max_size, returns the new size. */
typedef size_t (*fuzz_raw_fn)(uint8_t *data, size_t size, size_t max_size);

/* Mutates data[0, size) in place (capacity max_size); returns the new size. */
size_t fuzz_mutate(int layout, uint8_t *data, size_t size, size_t max_size, uint32_t seed, fuzz_raw_fn raw);

/* Writes a mix of a and b to out (capacity max_out); returns its size. */
size_t fuzz_crossover(int layout, const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
                      size_t max_out, uint32_t seed);

/* A small raw mutator (bit flips, interesting values, block copy/erase), for
 * AFL++ and the standalone driver, where LLVMFuzzerMutate does not exist. */
size_t fuzz_havoc(uint8_t *data, size_t size, size_t max_size);

/* "file", "record", "stream" → layout; -1 otherwise. */
int fuzz_layout_from_name(const char *name);

#endif
