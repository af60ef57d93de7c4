/*
 * fuzz_file — a whole trace in memory (`--input file`), in recover and in
 * strict mode, with the decompressor.
 */
#include "fuzz_observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_target_both_modes("fuzz_file", ETWHF_INPUT_FILE, data, size);
    return 0;
}
