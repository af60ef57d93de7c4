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
    (void)size;
    fuzz_stats_exec("fuzz_empty", 0); /* no sink: the fraction is 0 by design */
    return 0;
}
