/*
 * mutant_list.h — the rule mutants, one line each (docs/rule-coverage.md says
 * which the corpus kills).
 *
 *   MUTANT(ENUM, id, rule, flip, breaks, how, codes)
 *
 * id     the mutant's run-time name: the walk rule branch it breaks
 *        (docs/spec/walk.md) and a word for the mistake;
 * rule   the branch ids it breaks, as the spec cites them;
 * flip   a diagnostic code whose severity the mutant inverts (error <->
 *        warning) wherever it is raised, or 0; the only mutants that act in
 *        etwhf__dec_diag rather than at a hook of their own;
 * breaks what the rule says, in a few words;
 * how    what the mutant does instead: a mistake a third-party decoder
 *        plausibly makes;
 * codes  1 when, by design, the mutant changes only diagnostic codes or
 *        offsets, never the events, the verdict or the counts: only a check
 *        that compares codes (`etwhf check --strict-codes`, or in-process)
 *        can catch it; 2 when it is equivalent under the corpus's limits:
 *        it differs from the rule only on inputs no corpus case can be
 *        (above 16 MiB), so ci/rule-coverage runs it but leaves it out of
 *        the score and shows why (ci/rule_coverage_notes.py).
 *
 * The id strings are stable (docs/rule-coverage.md names mutants by them;
 * the enum order is not): a mutant that changes meaning gets a new id. Only builds configured with ETWHF_PLANTED_BUGS=ON read
 * this file.
 */
/* F: file */
MUTANT(MU_F1_1_EMPTY_SILENT, "F1.1.empty_silent", "F1.1", 0, "n = 0 raises FILE_EMPTY", "an empty file ends without a diagnostic", 0)
MUTANT(MU_F1_2_THRESHOLD_64, "F1.2.threshold_off8", "F1.2", 0, "FILE_TOO_SHORT below 0x48 bytes", "the test is n < 0x40 (off by 8): 64-71 byte files are probed and walked", 1)
MUTANT(MU_F2_2_FLAGS_IGNORED, "F2.2.flags_ignored", "F2.2", 0, "byte 0x4B must hold 0xC0", "the logfile's byte 3 is not tested", 0)
MUTANT(MU_F2_3_TYPE_ANY, "F2.3.type_any", "F2.3", 0, "HeaderType at 0x4A must be 1 or 2", "any HeaderType is taken, with the 32-bit layout unless it is 2", 0)
MUTANT(MU_F2_4_HOOK_IGNORED, "F2.4.hook_ignored", "F2.4", 0, "HookId at 0x4E must be 0", "the HookId is not tested", 0)
MUTANT(MU_F2_5_SIZE_TRUSTED, "F2.5.size_trusted", "F2.5", 0, "0x48 + Size > n is LOGFILE_MISSING", "a logfile Size past the input is trusted; missing fields read as 0", 0)
MUTANT(MU_F2_6_LAYOUT32, "F2.6.layout32_always", "F2.6", 0, "the 64-bit layout needs 0x118 payload bytes", "LOGFILE_SHORT only below the 32-bit layout's 0x110 bytes", 0)
MUTANT(MU_F2_8_PTRSIZE_ERROR, "F2.8.pointer_size_error", "F2.8", 5, "LOGFILE_POINTER_SIZE is a warning", "raised as an error", 0)
MUTANT(MU_F2_8_PTRSIZE_SILENT, "F2.8.pointer_size_silent", "F2.8", 0, "PointerSize not 4 or 8 raises LOGFILE_POINTER_SIZE", "not raised", 1)
MUTANT(MU_F2_9_LOST_STOPS, "F2.9.events_lost_stops", "F2.9", 0, "logfile EVENTS_LOST, then go on", "the walk ends after the logfile's EVENTS_LOST", 0)
MUTANT(MU_F3_1_MODE_IGNORED, "F3.1.mode_ignored", "F3.1", 0, "LogFileMode 0x04000000 makes the file compressed", "the mode bit is ignored: every file is walked with a stride", 0)
MUTANT(MU_F3_2_STRIDE_B0, "F3.2.stride_from_buffer0", "F3.2 F3.3", 0, "the stride is the logfile's BufferSize when usable", "the stride is always buffer 0's BufferSize (LB never read)", 0)
MUTANT(MU_F3_2_ALIGN8, "F3.2.align8_unchecked", "F3.2", 0, "LB must be a multiple of 8", "any LB in [0x48, L] is the stride", 0)
MUTANT(MU_F3_2_LIMIT, "F3.2.limit_unchecked", "F3.2", 0, "LB must not exceed L", "LB above the buffer limit is the stride", 0)
MUTANT(MU_F3_3_FATAL, "F3.3.lb_fatal", "F3.3", 0, "an unusable LB falls back to buffer 0's BufferSize", "the walk ends at LOGFILE_BUFFER_SIZE (no position visited)", 0)
MUTANT(MU_F3_3_ERROR, "F3.3.lb_error", "F3.3", 6, "LOGFILE_BUFFER_SIZE is a warning", "raised as an error", 0)
MUTANT(MU_F3_4_ALIGN8, "F3.4.b0_align8", "F3.4", 0, "B0 needs no multiple-of-8 test", "B0 not a multiple of 8 is no stride (F3.5)", 0)
MUTANT(MU_F3_5_SILENT, "F3.5.silent", "F3.5", 0, "no usable stride raises BUFFER_SIZE", "the file ends without a diagnostic", 0)
MUTANT(MU_F5_2_NEVER, "F5.2.never", "F5.2", 0, "a cut at a buffer boundary short of BuffersWritten raises TRUNCATED_TAIL", "no error: only BUFFERS_WRITTEN's warning", 0)
MUTANT(MU_F5_2_CIRCULAR, "F5.2.circular_too", "F5.2", 0, "a circular log is exempt from F5.2", "the circular flag ignored: TRUNCATED_TAIL for a circular log's count", 0)
MUTANT(MU_F5_2_ANY_END, "F5.2.any_end", "F5.2", 0, "F5.2 only when the walk ran out of input at a boundary", "also after a step ended the file early", 0)
MUTANT(MU_F5_1_NEVER, "F5.1.never", "F5.1", 0, "BuffersWritten != positions raises BUFFERS_WRITTEN", "BUFFERS_WRITTEN is never emitted", 1)
MUTANT(MU_F5_1_ERROR, "F5.1.error", "F5.1", 7, "BUFFERS_WRITTEN is a warning", "raised as an error", 0)
MUTANT(MU_F5_1_UNREAD, "F5.1.without_logfile", "F5.1", 0, "F5.1 only when the logfile was read", "BuffersWritten (0) compared even without a read logfile", 1)
/* B: buffers of an uncompressed file */
MUTANT(MU_B1_1_SILENT, "B1.1.silent", "B1.1 C1.1", 0, "fewer than 0x48 bytes at a position raise TRUNCATED_TAIL", "the cut header is ignored: no diagnostic, not visited", 0)
MUTANT(MU_B3_1_TRUSTED, "B3.1.bsize_trusted", "B3.1", 0, "B != S skips the position", "the position is walked whatever its BufferSize says", 0)
MUTANT(MU_B3_1_STOPS, "B3.1.stops", "B3.1", 0, "B != S: skip by the stride, next position", "BUFFER_SIZE ends the file", 0)
MUTANT(MU_B3_1_TRUNC_TOO, "B3.1.truncated_too", "B3.1 B4.1", 0, "a B3 skip raises no TRUNCATED_TAIL when also cut", "TRUNCATED_TAIL first, then BUFFER_SIZE", 1)
MUTANT(MU_B4_1_SILENT, "B4.1.silent", "B4.1", 0, "a position cut inside its data raises TRUNCATED_TAIL", "no diagnostic; the records present are walked", 0)
MUTANT(MU_B4_1_DROP, "B4.1.drop_buffer", "B4.1", 0, "the records present in a cut buffer are walked", "TRUNCATED_TAIL, then the file ends at once: the buffer is neither walked nor counted", 0)
MUTANT(MU_B5_1_IGNORED, "B5.1.flag_ignored", "B5.1", 0, "flag 0x40 in an uncompressed file skips the position", "the flag is ignored and the bytes walked as records", 0)
MUTANT(MU_B6_0_NEVER, "B6.0.never", "B6.0 C5.0", 0, "SavedOffset 0 takes the data end from Offset", "SavedOffset 0 is SAVED_OFFSET whatever Offset says", 0)
MUTANT(MU_B6_0_UNCHECKED, "B6.0.unchecked", "B6.0 C5.0", 0, "Offset only when 0x48 <= Offset <= B", "Offset taken whatever it is (an unusable one too)", 0)
MUTANT(MU_B6_1_STOPS, "B6.1.stops", "B6.1", 0, "SavedOffset < 0x48: skip", "SAVED_OFFSET ends the file (not counted as skipped)", 0)
MUTANT(MU_B6_2_STOPS, "B6.2.stops", "B6.2", 0, "SavedOffset > B: skip", "SAVED_OFFSET ends the file (not counted as skipped)", 0)
MUTANT(MU_B6_2_CLAMP, "B6.2.clamp", "B6.2", 0, "SavedOffset > B skips the position", "SavedOffset clamped to B and the buffer accepted, without a diagnostic", 0)
MUTANT(MU_B7_2_ERROR, "B7.2.events_lost_error", "B7.2 C5.4 F2.9", 8, "EVENTS_LOST is a warning", "raised as an error", 0)
MUTANT(MU_B7_2_SKIP, "B7.2.lossy_skipped", "B7.2", 0, "a buffer with lost-event flags is walked", "EVENTS_LOST, then its records are not walked", 0)
MUTANT(MU_B7_2_SILENT, "B7.2.silent", "B7.2 C5.4", 0, "flags 0x0006 raise EVENTS_LOST", "not raised", 1)
MUTANT(MU_B7_2_LOST_ONLY, "B7.2.events_lost_bit_only", "B7.2 C5.4", 0, "0x0002 or 0x0004 raise EVENTS_LOST", "only 0x0002 is tested (BUFFER_LOST 0x0004 ignored)", 1)
MUTANT(MU_B7_3_REGION_B, "B7.3.region_to_bsize", "B7.3 R5.2", 0, "records end at SavedOffset", "a record past SavedOffset but inside BufferSize ends the walk silently (region end = B)", 0)
MUTANT(MU_K1_HEADER_BUFFER, "K1.header_buffer_uncounted", "K1 B7.1 C5.3", 0, "the header buffer counts in buffers", "buffer 0 is not counted", 0)
MUTANT(MU_K2_B3_UNCOUNTED, "K2.b3_skip_uncounted", "K2 B3.1", 0, "a B3 skip counts in buffers_skipped", "not counted", 0)
/* C: compressed files */
MUTANT(MU_C3_1_SILENT, "C3.1.silent", "C3.1", 0, "off + B > n raises TRUNCATED_TAIL", "the file ends without a diagnostic", 0)
MUTANT(MU_C3_2_SKIP, "C3.2.skip", "C3.2", 0, "B < 0x48 ends the file", "BUFFER_SIZE, then the walk goes on 0x48 bytes further", 0)
MUTANT(MU_C3_3_UNCHECKED, "C3.3.limit_unchecked", "C3.3", 0, "B > L ends the file", "no limit test: a huge BufferSize is cut by the end of the input", 2)
MUTANT(MU_C4_1_STOPS, "C4.1.stops", "C4.1", 0, "compressed SavedOffset < 0x48: skip", "SAVED_OFFSET ends the file", 0)
MUTANT(MU_C4_2_BY_BSIZE, "C4.2.bound_by_bsize", "C4.2", 0, "a compressed buffer's SavedOffset is bounded by L", "bounded by BufferSize as for a plain buffer (C5.2)", 0)
MUTANT(MU_C4_3_IGNORED, "C4.3.format_ignored", "C4.3", 0, "Z != 3 skips every compressed buffer", "the format is not tested: XPRESS is assumed", 0)
MUTANT(MU_C4_5_STOPS, "C4.5.stops", "C4.5", 0, "DECOMPRESS skips the buffer", "DECOMPRESS ends the file", 0)
MUTANT(MU_C4_5_UNCOUNTED, "K2.decompress_uncounted", "K2 C4.5", 0, "a DECOMPRESS skip counts in buffers_skipped", "not counted", 0)
MUTANT(MU_C4_6_LOST, "C4.6.events_lost_from_flags", "C4.6", 0, "no EVENTS_LOST for an expanded buffer", "EVENTS_LOST from the flags of an expanded buffer too", 1)
MUTANT(MU_C4_6_PLAIN_OFFSETS, "O4.plain_offsets", "O4 C4.6", 0, "records of an expanded buffer carry offset = off, inner offset p", "offset = off + p, as in a plain buffer", 1)
MUTANT(MU_C6_ALIGN8, "C6.align8", "C6", 0, "compressed positions follow each other at off + B", "off += align8(B)", 0)
/* X: XPRESS */
MUTANT(MU_X3_FLAGS31, "X3.flag_bits31", "X3", 0, "a flag word gives 32 flag bits", "31 bits are taken (bit 0 dropped)", 0)
MUTANT(MU_X4_1_ZERO, "X4.1.cut_literal_ok", "X4.1", 0, "a literal past the input fails", "a cut literal run is taken as it reads (zeros) and the expansion goes on", 0)
MUTANT(MU_X5_1_ZERO, "X5.1.cut_match_ok", "X5.1", 0, "a match word past the input fails", "a cut match word reads 0 (offset 1, length 3) and the expansion goes on", 0)
MUTANT(MU_X6_1_LEN2, "X6.1.len_plus2", "X6.1", 0, "3-bit form: length c + 3", "length c + 2", 0)
MUTANT(MU_X6_2_NO_SHARE, "X6.2.no_sharing", "X6.2", 0, "two matches share one length byte", "every nibble takes a new byte", 0)
MUTANT(MU_X6_3_LEN7, "X6.3.len_plus7", "X6.3", 0, "nibble form: length h + 10", "length h + 7 (the 3 of the minimum forgotten)", 0)
MUTANT(MU_X6_4_LEN22, "X6.4.len_plus22", "X6.4", 0, "byte form: length b + 25", "length b + 22", 0)
MUTANT(MU_X6_5_NO3, "X6.5.no_plus3", "X6.5 X6.6", 0, "u16/u32 form: length v + 3", "length v", 0)
MUTANT(MU_X6_5A_NO_MIN, "X6.5a.no_min", "X6.5a X6.6a", 0, "a u16/u32 length below 22 fails (BAD_LENGTH)", "no minimum", 0)
MUTANT(MU_X6_6_NO_U32, "X6.6.no_u32_form", "X6.6", 0, "v = 0 announces a u32 length", "v = 0 is taken as a length (then BAD_LENGTH)", 0)
MUTANT(MU_X7_1_GE, "X7.1.offset_ge", "X7.1", 0, "offset > op fails", "offset >= op fails", 0)
MUTANT(MU_X7_2_CLIP, "X7.2.clip", "X7.2", 0, "a match past N fails (OVERRUN)", "the match is clipped at N and the expansion succeeds", 0)
MUTANT(MU_X8_TRAILING, "X8.trailing_input_error", "X8", 0, "input left over when op = N is ignored", "left-over input bytes fail the expansion", 0)
MUTANT(MU_X8_SHORT_OK, "X8.short_output_ok", "X2 X8", 0, "the expansion must fill exactly N bytes", "a stream that ends early is accepted; the rest of the output is zero", 0)
/* R: records */
MUTANT(MU_R1_1_NEED16, "R1.1.need16", "R1.1", 0, "a record needs 8 bytes before E", "16 bytes (an 8-byte record at the end is not walked)", 0)
MUTANT(MU_R2_FILLER_ERROR, "R2.filler_error", "R2.1", 0, "0xFFFFFFFF ends the region silently", "filler is an unknown header: HEADER_TYPE, region abandoned", 0)
MUTANT(MU_R2_FILLER_SKIP, "R2.filler_skip", "R2.1", 0, "0xFFFFFFFF ends the region", "8 filler bytes are skipped and the walk goes on", 0)
MUTANT(MU_R3_1_IGNORED, "R3.1.marker_ignored", "R3.1", 0, "byte 3 without 0x80 raises MARKER", "the flag is not tested", 0)
MUTANT(MU_R4_1_SIZE_AT0, "R4.1.size_at0", "R4.1", 0, "Size at +4 for system, compact, perfinfo forms", "Size at +0 for every form", 0)
MUTANT(MU_R4_1_SIZE_AT4, "R4.1.size_at4", "R4.1", 0, "Size at +0 for full, instance, event forms", "Size at +4 for every form", 0)
MUTANT(MU_R4_1_MESSAGE_FIRST, "R4.1.message_bit_first", "R4.1 R4.3", 0, "0x40 decides the form whatever 0x10 says", "0x10 tested first: byte 3 0xD0 is a MESSAGE", 0)
MUTANT(MU_R4_2_AS_MESSAGE, "R4.2.as_message", "R4.2", 0, "an unknown HeaderType raises HEADER_TYPE", "skipped like a MESSAGE (Size at +0)", 0)
MUTANT(MU_R4_3_UNKNOWN, "R4.3.message_unknown", "R4.3", 0, "byte 3 with 0x10 and no 0x40 is a MESSAGE", "HEADER_TYPE (no MESSAGE support)", 0)
MUTANT(MU_R4_4_AS_MESSAGE, "R4.4.as_message", "R4.4", 0, "neither 0x40 nor 0x10 raises HEADER_TYPE", "taken as a MESSAGE", 0)
MUTANT(MU_R5_1_CODE, "R5.1.header_type_code", "R5.1", 0, "Size < H raises RECORD_SIZE", "raises HEADER_TYPE", 1)
MUTANT(MU_R5_2_SILENT, "R5.2.end_silently", "R5.2", 0, "p + Size > V raises RECORD_SIZE", "the region ends silently, as for a cut input (R5.3)", 0)
MUTANT(MU_R6_1_MESSAGE, "R6.1.message_uncounted", "R6.1 K3", 0, "every record that passed R5 counts", "MESSAGE records are not counted", 0)
MUTANT(MU_R6_2_NO_ALIGN, "R6.2.no_align8", "R6.2", 0, "next record at p + align8(Size)", "at p + Size", 0)
MUTANT(MU_R7_1_PEBS, "R7.1.pebs_ignored", "R7.1", 0, "s = 0x10 + 8 pmc + 8 pebs", "the PEBS bit is ignored", 0)
MUTANT(MU_R7_1_PMC, "R7.1.pmc_ignored", "R7.1", 0, "s = 0x10 + 8 pmc + 8 pebs", "s = 0x10: the extension is ignored", 0)
MUTANT(MU_R7_2_WARNING, "R7.2.warning", "R7.2", 23, "PERFINFO_EXT is an error", "raised as a warning", 0)
MUTANT(MU_R8_1_IGNORED, "R8.1.items_ignored", "R8.1", 0, "EXTENDED_INFO: the payload starts after the items", "s = 0x50 always", 0)
MUTANT(MU_R8_3_MIN4, "R8.3.itemsize_min4", "R8.3", 0, "ItemSize < 8 raises EXT_ITEM", "ItemSize < 4", 0)
MUTANT(MU_R8_4_GE, "R8.4.ge", "R8.4", 0, "q + I > Size raises EXT_ITEM", "q + I >= Size (an item ending at Size is rejected)", 0)
MUTANT(MU_R8_5_ALIGN8, "R8.5.align8", "R8.5", 0, "q += ItemSize as written", "q += align8(ItemSize)", 0)
MUTANT(MU_R8_5_LINK, "R8.5.link_ignored", "R8.5", 0, "a Linkage bit chains the next item", "only the first item is read", 0)
MUTANT(MU_R8_HEAP_ONLY, "R8.heap_only", "R8.2 R8.3 R8.4", 0, "items are checked in every EVENT_HEADER record", "items of other providers are not checked", 0)
MUTANT(MU_R8_WARNING, "R8.ext_item_warning", "R8.2 R8.3 R8.4", 24, "EXT_ITEM is an error", "raised as a warning", 0)
MUTANT(MU_R9_1_FULL_SWAP, "R9.1.full_type_version_swapped", "R9.1", 0, "full/instance: type at +4, version at +6", "type read at +6", 0)
MUTANT(MU_R9_1_PERFINFO, "R9.1.perfinfo_not_heap", "R9.1", 0, "perfinfo records of the heap group are heap records", "perfinfo records are never heap events", 0)
MUTANT(MU_R9_1_COMPACT20, "R9.1.compact_start_0x20", "R9.1", 0, "compact payload at +0x18", "at +0x20, as in the system form", 0)
MUTANT(MU_R9_2_REALLOC, "R9.2.realloc_ignored", "R9.2", 0, "ReAlloc (0x22) is decoded", "skipped like Create or Destroy", 0)
MUTANT(MU_R9_3_PADDED8, "R9.3.source_padded8", "R9.3 R9.6", 0, "min = kW+4: Source is a packed u32 after the pointers", "at width 8 Source is taken as padded to 8 bytes: min = kW+8, Source read 4 bytes later", 0)
MUTANT(MU_R9_3_WIDTH_LOGFILE, "R9.3.width_from_logfile", "R9.3 F2.8", 0, "W is the record form's width", "W is the logfile's PointerSize when it is 4 or 8", 0)
MUTANT(MU_R9_4_SILENT, "R9.4.silent_drop", "R9.4 P2.1", 0, "a short payload raises HEAP_PAYLOAD_SHORT", "dropped without a diagnostic", 0)
MUTANT(MU_R9_4_WARNING, "R9.4.warning", "R9.4 P2.1", 25, "HEAP_PAYLOAD_SHORT is an error", "raised as a warning", 0)
MUTANT(MU_R9_5_ERROR, "R9.5.long_error", "R9.5 P2.2", 26, "HEAP_PAYLOAD_LONG is a warning", "raised as an error", 0)
MUTANT(MU_R9_5_REJECT, "R9.5.long_dropped", "R9.5 P2.2", 0, "a long payload is delivered", "HEAP_PAYLOAD_LONG, and the event is dropped", 0)
MUTANT(MU_R9_5_SILENT, "R9.5.silent", "R9.5 P2.2", 0, "len > min raises HEAP_PAYLOAD_LONG", "not raised", 1)
MUTANT(MU_R9_6_SIGN, "R9.6.sign_extend32", "R9.6", 0, "4-byte values are zero-extended", "the heap handle of a 4-byte payload is sign-extended", 0)
MUTANT(MU_R9_6_ALLOC_SWAP, "R9.6.alloc_size_address_swapped", "R9.6", 0, "Alloc: Size then Address", "Address then Size", 0)
MUTANT(MU_R9_7_ERROR, "R9.7.reserved_error", "R9.7", 27, "SOURCE_RESERVED is a warning", "raised as an error", 0)
MUTANT(MU_R9_7_SILENT, "R9.7.reserved_valid", "R9.7", 0, "Source 6 raises SOURCE_RESERVED", "Source 6 taken as valid", 1)
MUTANT(MU_R9_8_ERROR, "R9.8.unknown_error", "R9.8", 28, "SOURCE_UNKNOWN is a warning", "raised as an error", 0)
MUTANT(MU_R9_8_ZERO, "R9.8.zero_valid", "R9.8", 0, "Source 0 raises SOURCE_UNKNOWN", "Source 0 taken as valid", 1)
MUTANT(MU_R9_8_HIGH, "R9.8.high_valid", "R9.8", 0, "Source > 6 raises SOURCE_UNKNOWN", "no upper bound", 1)
/* P, Q: bare inputs */
MUTANT(MU_P1_1_SILENT, "P1.1.empty_silent", "P1.1", 0, "an empty payload raises FILE_EMPTY", "no diagnostic", 0)
MUTANT(MU_Q1_1_SILENT, "Q1.1.empty_silent", "Q1.1", 0, "an empty record input raises FILE_EMPTY", "no diagnostic", 0)
/* M, O: strict mode, offsets */
MUTANT(MU_M1_WARNING_STOPS, "M1.warning_stops", "M1", 0, "strict mode stops at the first error", "at the first diagnostic, warnings too", 0)
MUTANT(MU_M1_NO_STOP, "M1.no_stop", "M1", 0, "strict mode stops at the first error", "strict mode goes on like recover mode", 0)
MUTANT(MU_O3_BUFFER_RELATIVE, "O3.buffer_relative", "O3", 0, "record offsets are file offsets", "offsets from the start of the buffer", 1)
