"""Why each mutant that misses the goal survives, and which case would kill
it: written by hand from the survivors ci/rule-coverage finds, printed into
docs/rule-coverage.md; also why a mutant marked equivalent (mutant_list.h
codes 2) cannot be killed by any corpus. Keyed by mutant id. A note goes
when its mutant meets the goal again (generator version 6 added the cases
the earlier notes asked for)."""

NOTES = {
    "F1.2.threshold_off8": "caught (codes) in the exhaustive corpus by 28 `file_too_short` cases of 64–71 "
                           "bytes; `file_too_short` draws its length from 1–71 bytes, so the 1000 drawn cases "
                           "(2 `file_too_short` cases in generator 6) hold one in that range only by luck.",
    "C3.3.limit_unchecked": "equivalent on every input below 16 MiB: a BufferSize above L = 0x1000000 always "
                            "runs past the end of such an input, and C3.1 (TRUNCATED_TAIL, the file ends) "
                            "comes first. Killed only by a compressed file over 16 MiB holding such a "
                            "position, or by a check with a smaller `--buffer-limit` (check always uses L). "
                            "The generator writes no such file (a corpus of 16 MiB cases is not worth one "
                            "branch), so mutant_list.h marks it equivalent and the totals leave it out; the "
                            "decoder's own tests reach C3.3 with a lowered limit "
                            "(tests/decoder/test_hostile.c, buffer_limit 0x1000).",
    "X7.2.clip": "killed in the exhaustive corpus by 38 `decompress_corrupt` cases (the raw variant whose final "
                 "match runs past the output: X7.2 OVERRUN, the mutant clips it and accepts the buffer); the "
                 "1000 drawn cases hold `decompress_corrupt` 7 times and that variant (one raw draw in four) "
                 "not at all. A larger drawn corpus kills it.",
}
