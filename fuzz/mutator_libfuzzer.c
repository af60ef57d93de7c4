/*
 * mutator_libfuzzer.c — libFuzzer entry layer of the structure-aware mutator,
 * linked into the fuzz_<name>_sa binaries. FUZZ_MUT_LAYOUT (a compile
 * definition) says which input shape the target reads.
 *
 * A custom mutator replaces libFuzzer's own mutators, so raw byte changes
 * are asked from LLVMFuzzerMutate here (mutator.c keeps a share of them).
 */
#include <stddef.h>
#include <stdint.h>

#include "mutator.h"

#ifndef FUZZ_MUT_LAYOUT
#error "FUZZ_MUT_LAYOUT must name the input layout (FUZZ_LAYOUT_FILE, _RECORD or _STREAM)"
#endif

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2, uint8_t *out,
                                 size_t max_out_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    return fuzz_mutate(FUZZ_MUT_LAYOUT, data, size, max_size, seed, LLVMFuzzerMutate);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2, uint8_t *out,
                                 size_t max_out_size, unsigned int seed)
{
    return fuzz_crossover(FUZZ_MUT_LAYOUT, data1, size1, data2, size2, out, max_out_size, seed);
}
