#!/usr/bin/env bash
# etl-census reads untrusted bytes: it must answer, never crash, on every
# case of a generated corpus (all layers, faults included), on cut and
# byte-flipped copies of them, on empty and tiny files; and it must see the
# shapes the generator draws (a census that misses byte 3 = 0xD0, MESSAGE
# records or heap records would make "never observed" meaningless).
# Args: ETL_CENSUS ETWHF.
# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh" "$1"
GEN=$2

"$GEN" gen --out "$TMP/c" --count 400 --seed 19 >/dev/null || fail "etwhf gen"
"$GEN" gen --out "$TMP/f" --count 300 --seed 7 --layer file --faults none >/dev/null || fail "etwhf gen (intact files)"

# Every case file, whatever its name (payload and record cases too).
run --json "$TMP"/c/cases/*
expect_rc 0 "every case of a drawn corpus"
expect_eq "$(jqo '.total.files')" "400" "400 files read"

# The intact file corpus: the positive controls.
run --json --total "$TMP/f"
expect_rc 0 "intact file cases"
T=.total
expect_eq "$(jqo "$T.files")" "300" "a folder: every *.etl below it"
expect_eq "$(jqo "$T.notes")" "0" "an intact corpus gives no note"
expect_match "$(jqo "$T.records.byte3_all | keys | join(\",\")")" "0x90.*0xc0.*0xd0" "sees byte 3 = 0x90 (MESSAGE) and 0xD0"
expect_match "$(jqo "$T.message.records")" '^[1-9]' "sees MESSAGE records"
expect_match "$(jqo "$T.perfinfo.pebs")" '^[1-9]' "sees PEBS indexes"
expect_match "$(jqo "$T.perfinfo.pmc_counters | keys | join(\",\")")" '^0,1' "sees PMC counters"
expect_match "$(jqo "$T.event_header.items - $T.event_header.item_size_multiple_of_8")" '^[1-9]' "sees ItemSizes that are not multiples of 8"
expect_match "$(jqo "$T.heap.group_0x10.system64")" '^[1-9]' "sees heap records (group 0x10)"
expect_match "$(jqo "$T.heap.heap_guid.event64")" '^[1-9]' "sees heap records (HeapGuid)"
expect_match "$(jqo "$T.heap.types[\"0x24\"]")" '^[1-9]' "sees HeapFree"
expect_match "$(jqo "$T.compressed.expanded")" '^[1-9]' "expands compressed buffers"
expect_eq "$(jqo "$T.compressed.failed")" "0" "and every one of them"
expect_match "$(jqo "$T.logfile.logger_name.non_ascii")" '^[1-9]' "sees non-ASCII names"

# Cut and flipped copies: every 7th length of a few files, and seeded byte
# flips (values 0x00, 0xFF, 0x80, random) at random places.
mkdir -p "$TMP/m"
python3 - "$TMP/f/cases" "$TMP/m" <<'PY'
import os, random, sys
src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(19)
files = sorted(f for f in os.listdir(src) if f.endswith(".etl"))[:12]
for i, name in enumerate(files):
    data = open(os.path.join(src, name), "rb").read()
    step = max(1, len(data) // 40)
    for cut in range(0, len(data), step):
        open(os.path.join(dst, "cut_%02d_%06d.etl" % (i, cut)), "wb").write(data[:cut])
    for k in range(60):
        b = bytearray(data)
        for _ in range(rng.choice((1, 2, 8))):
            b[rng.randrange(len(b))] = rng.choice((0, 0xFF, 0x80, rng.randrange(256)))
        open(os.path.join(dst, "flip_%02d_%02d.etl" % (i, k)), "wb").write(bytes(b))
PY
N=$(find "$TMP/m" -name '*.etl' | wc -l)
run --json "$TMP/m"
expect_rc 0 "cut and flipped files"
expect_eq "$(jqo '.total.files')" "$N" "every mutated file read"
run "$TMP/m"
expect_rc 0 "the same as text"

# Small and odd inputs.
: >"$TMP/empty.etl"
printf 'x' >"$TMP/one.etl"
run --total "$TMP/empty.etl" "$TMP/one.etl"
expect_rc 0 "empty and 1-byte files"
expect_match "$OUT" "notes: [1-9]" "noted, not crashed on"

# Usage.
run
expect_rc 2 "no argument"
run --frobnicate "$TMP/empty.etl"
expect_rc 2 "unknown option"
run "$TMP/no-such-file.etl"
expect_rc 1 "a missing file"
mkdir "$TMP/none"
run "$TMP/none"
expect_rc 1 "a folder without .etl files"

finish
