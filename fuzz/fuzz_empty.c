/*
 * fuzz_empty — does nothing with its input: the baseline that the other
 * targets' exec/s are measured against (built with identical flags).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    fuzz_stats_exec("fuzz_empty", size > 0);
    return 0;
}
