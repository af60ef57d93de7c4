/*
 * fuzz_record — a bare sequence of records (`--input record`): R1–R9 over the
 * whole input as one region, in recover and in strict mode.
 */
#include "fuzz_observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_target_both_modes("fuzz_record", ETWHF_INPUT_RECORD, data, size);
    return 0;
}
