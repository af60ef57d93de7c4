/*
 * fuzz_empty_linked — does nothing with its input, like fuzz_empty, but links
 * what fuzz_file and fuzz_record link (the decoder and the harness's checks),
 * so the engine runs it with their coverage map and PC tables: the baseline
 * that separates "the engine scans a bigger map" from "the target runs code"
 * (bench/analysis.md). Built only with -DETWHF_FUZZ_BASELINES=ON.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_observe.h"

/* Taken, never called: external and `used`, so neither the compiler nor the
 * archive linker can drop the objects behind them. */
__attribute__((used)) void (*const fuzz_empty_linked_keep[])(void) = {
    (void (*)(void))fuzz_target_both_modes,
    (void (*)(void))fuzz_decode,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    fuzz_stats_exec("fuzz_empty_linked", 0);
    return 0;
}
