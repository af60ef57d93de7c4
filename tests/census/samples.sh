#!/usr/bin/env bash
# etl-census over the samples folder: the counts of the samples' README and
# the observed numbers docs/spec/evidence.md quotes for these four traces.
# Skips (77) when the folder is absent; fails instead under CI=true
# (tests/cli/lib.sh's need_sample).
# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh" "$@"

for s in lxcore_kernel.etl ShutdownPerfDiagLogger.etl SelfDescribingSingleEvent.etl net452x64.etl; do
    need_sample "$s"
done

run --json "$SAMPLES"
expect_rc 0 "etl-census --json SAMPLES"
per_file() { jqo '.files[] | "\(.path | split("/")[-1]) \(.buffers.positions) \(.buffers.walked) \(.records.total) \(.notes)"'; }
expect_eq "$(per_file)" "SelfDescribingSingleEvent.etl 3 3 22 1
ShutdownPerfDiagLogger.etl 49 49 17078 0
lxcore_kernel.etl 3 3 4 0
net452x64.etl 360 360 179474 0" "per file: positions, buffers walked, records (README), notes"

T=.total
expect_eq "$(jqo "$T.records.total")" "196578" "records in all four"
expect_eq "$(jqo "$T.records.byte3_all | keys | join(\",\")")" "0xc0" "byte 3 is 0xC0 on every record"
expect_eq "$(jqo "$T.records.forms | to_entries | map(\"\(.key)=\(.value)\") | join(\",\")")" \
    "system32=2,system64=11627,perfinfo64=108802,full32=27,full64=7974,event32=33378,event64=34768" "records per header form"
expect_eq "$(jqo "$T.records.narrow_in_64bit_trace")" "33407" "32-bit records in 64-bit traces (net452x64)"
expect_eq "$(jqo "$T.message.records")" "0" "no MESSAGE record"
expect_eq "$(jqo "$T.stackwalk_0x1820 | to_entries | map(\"\(.key)=\(.value)\") | join(\",\")")" "perfinfo64=252" \
    "stack walks (HookId 0x1820): PERFINFO64 records of net452x64"
expect_eq "$(jqo "[($T.perfinfo.pmc_counters | keys[]), $T.perfinfo.pebs] | map(tostring) | join(\",\")")" "0,0" \
    "no PMC counter, no PEBS index"
expect_eq "$(jqo "[$T.event_header.items, $T.event_header.item_size_multiple_of_8, $T.event_header.item_size_is_align8_of_8_plus_data, $T.event_header.item_anomalies] | join(\",\")")" \
    "664,664,664,0" "664 extended items, every ItemSize a multiple of 8 and = align8(8 + DataSize)"
expect_eq "$(jqo "$T.event_header.flags | keys | join(\",\")")" "0x0,0x1" "EVENT_HEADER Flags 0 or EXTENDED_INFO only"
expect_eq "$(jqo "[$T.compressed.buffers, $T.compressed.expanded, $T.compressed.stream_ends_at_saved_offset, $T.compressed.stream_ends_with_end_marker, $T.compressed.stream_longer, $T.compressed.lost_flags] | join(\",\")")" \
    "361,361,361,361,0,0" "361 compressed buffers: each expands to exactly SavedOffset - 0x48 and ends with MS-XCA's end"
expect_eq "$(jqo "$T.compressed.trailing_input_bytes | to_entries | map(\"\(.key)=\(.value)\") | join(\",\")")" "0=350,4=11" \
    "input left after the output: none, or one flag word"
expect_eq "$(jqo "$T.compressed.trailing_word | keys | join(\",\")")" "0xffffffff" "that flag word is 0xFFFFFFFF"
expect_eq "$(jqo "[$T.filler.buffers_with_room, $T.filler.all_ff, $T.filler.other] | join(\",\")")" "51,50,1" \
    "filler: 0xFF in every plain buffer but SelfDescribingSingleEvent.etl's header buffer"
expect_eq "$(jqo "[$T.region_ends.exact, $T.buffers.walked] | join(\",\")")" "415,415" "every region's records end exactly at SavedOffset"
expect_eq "$(jqo "[($T.logfile.header_type | keys[]), ($T.logfile.buffers_written_minus_positions | keys[])] | join(\",\")")" "2,0" \
    "64-bit logfile layouts; BuffersWritten = buffer positions"
expect_eq "$(jqo "[$T.logfile.logger_name.ascii, $T.logfile.log_file_name.ascii] | join(\",\")")" "4,4" "ASCII names"
expect_eq "$(jqo "[$T.heap.group_0x10, $T.heap.heap_guid] | map(length) | join(\",\")")" "0,0" "no heap record"

# The text report says the same.
run --total "$SAMPLES"
expect_rc 0 "etl-census --total SAMPLES"
expect_match "$OUT" "byte3_all: 0xc0 \(196578\)" "text: byte 3"
expect_match "$OUT" "pmc_counters: 0 \(108802\)" "text: PMC counters"

finish
