"""Why each mutant that misses the goal survives, and which case would kill
it: written by hand from the survivors ci/rule-coverage finds, printed into
docs/rule-coverage.md. Keyed by mutant id. None of these cases exists in the
generator (gen/) today; each names the fault or variant it would need."""

_LOGFILE_COMPRESSED = (
    "its only kills change codes: the `logfile_missing` variant that breaks this branch also makes buffer 0's "
    "record walk raise an error at 0x48, so the verdict stays `error`, and the rest of the logfile record is "
    "intact (LB = B0, BuffersWritten right), so reading it anyway changes nothing else. Killed by "
    "`logfile_missing` in a **compressed** file (LogFileMode 0x04000000): the spec walks it uncompressed with "
    "stride B0 (F3.4; every 0x60 buffer skipped by B5.1), the mutant reads LogFileMode and walks it compressed "
    "(C-steps): counts and events differ. An uncompressed file whose LB differs from B0 would do too.")

NOTES = {
    "F2.2.flags_ignored": _LOGFILE_COMPRESSED,
    "F2.5.size_trusted": "its kills change codes only: a logfile Size past the input (`logfile_missing`, or "
                         "`truncated_tail_data` cutting the header buffer inside the logfile record) makes "
                         "buffer 0's walk raise RECORD_SIZE or TRUNCATED_TAIL anyway, and the fields the "
                         "mutant reads are the intact ones. Killed by `logfile_missing` (Size past the input) "
                         "in a compressed file, as for `F2.2.flags_ignored`.",
    "F2.3.type_any": "killed in the exhaustive corpus by 21 `logfile_missing` cases (HeaderType variant); the "
                     "1000 drawn cases hold that variant only where another error keeps the verdict. A "
                     "larger drawn corpus, or the compressed-file variant above, kills it.",
    "F2.6.layout32_always": "killed only by `logfile_short` cases whose 64-bit logfile payload is 0x110–0x117 "
                            "bytes (3 in the exhaustive corpus, none among 1000 drawn).",
    "F3.4.b0_align8": "no case has an unusable logfile BufferSize together with a buffer 0 BufferSize that is "
                      "not a multiple of 8: the generator's buffers are 0x400, 0x800 or 0x1000. Killed by a "
                      "file with `logfile_buffer_size` (or `logfile_missing`) whose positions are all, say, "
                      "0x404 bytes: F3.4 takes 0x404 as the stride and walks them, the mutant ends the file "
                      "at F3.5.",
    "B3.1.truncated_too": "no case cuts the input inside a position whose BufferSize differs from the stride "
                          "(`buffer_size_mismatch` and `truncated_tail_data` never land on the same, last, "
                          "buffer). Killed (codes) by that pair: B3.1 raises BUFFER_SIZE alone, the mutant "
                          "TRUNCATED_TAIL first (strict mode's first error differs).",
    "B7.2.events_lost_bit_only": "killed in the exhaustive corpus by 68 `events_lost_flag` cases with "
                                 "BUFFER_LOST (0x0004) alone; none of the 1000 drawn cases has that flag "
                                 "without 0x0002.",
    "C3.3.limit_unchecked": "equivalent on every input below 16 MiB: a BufferSize above L = 0x1000000 always "
                            "runs past the end of such an input, and C3.1 (TRUNCATED_TAIL, the file ends) "
                            "comes first. Killed only by a compressed file over 16 MiB holding such a "
                            "position, or by a check with a smaller `--buffer-limit` (check always uses L). "
                            "The generator writes no such file (a corpus of 16 MiB cases is not worth one "
                            "branch), so mutant_list.h marks it equivalent and the totals leave it out; the "
                            "decoder's own tests reach C3.3 with a lowered limit "
                            "(tests/decoder/test_hostile.c, buffer_limit 0x1000).",
    "C4.6.events_lost_from_flags": "no compressed (flag 0x40) buffer carries 0x0002 or 0x0004: "
                                   "`events_lost_flag` lands on plain buffers only. Killed (codes) by "
                                   "`events_lost_flag` on a compressed buffer of a compressed file: C4.6 "
                                   "raises no EVENTS_LOST there, the mutant does.",
    "X4.1.cut_literal_ok": "after a cut literal run the next flag word is cut too (X3.1 fails), so the "
                           "mutant differs only when the stream ends inside the **last** literal run of the "
                           "output. Killed by a `decompress_corrupt` variant that shortens BufferSize so "
                           "the XPRESS stream ends inside its final literal run: DECOMPRESS and a skip "
                           "(C4.5), where the mutant zero-fills and walks the records.",
    "X5.1.cut_match_ok": "killed by 9 exhaustive `decompress_corrupt` cases (a stream cut inside a match "
                         "word); the 1000 drawn cases hold none.",
    "X6.5a.no_min": "no compressed stream holds a u16 or u32 match length below 22. Killed by a "
                    "`decompress_corrupt` variant writing such a length (X6.5a/X6.6a BAD_LENGTH): the "
                    "mutant expands it.",
    "X6.6.no_u32_form": "the compressor never writes the u32 length form (its matches stay below "
                        "0xFFFF + 3 bytes). Killed by an intact compressed buffer that encodes one match "
                        "length as u16 0 followed by a u32 w ≥ 22 (legal for any length, X6.6).",
    "X7.2.clip": "no stream has a match that runs past N. Killed by a `decompress_corrupt` variant whose "
                 "last match is longer than the output left (X7.2 OVERRUN): the mutant clips it and "
                 "accepts the buffer.",
    "R1.1.need16": "killed by one exhaustive case (`n_file_marker_cleared_002009.etl`: a region whose last "
                   "record is 8–15 bytes from E); none among 1000 drawn. A MESSAGE record of 8 bytes at the "
                   "end of a buffer's data kills it reliably.",
    "R4.1.message_bit_first": "no record has byte 3 with both 0x40 and 0x10 (0xD0). Killed by a heap record "
                              "in a system or compact form whose byte 3 is 0xD0 (worked example 3 of "
                              "walk.md): R4.1 takes its form, the mutant a MESSAGE.",
    "R8.5.align8": "every extended item the generator writes has an ItemSize that is a multiple of 8. "
                   "Killed by an EVENT_HEADER heap record with a linked item of ItemSize 12 before the last "
                   "one (worked example 3): R8.5 steps 12 bytes, the mutant 16.",
    "Q1.1.empty_silent": "no bare-record case is empty (`payload_empty` is for payload cases, `file_empty` "
                         "for files). Killed by an empty `--input record` case: Q1.1 FILE_EMPTY.",
}
