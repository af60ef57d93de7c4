#!/usr/bin/env bash
# `etwhf decode` and `etwhf info` on the real third-party traces (samples/README.md):
# buffer and record counts, no diagnostics, the logfile header, and --wall-clock
# against info's start_time on a trace whose header buffer is a real one.
. "$(dirname "$0")/lib.sh" "$@"

need_sample lxcore_kernel.etl
LXCORE=$SAMPLE
need_sample ShutdownPerfDiagLogger.etl
SHUTDOWN=$SAMPLE
need_sample SelfDescribingSingleEvent.etl
SELFDESC=$SAMPLE

counts() { jqo 'select(.type=="summary") | [.buffers, .buffers_skipped, .events_total, .errors, .warnings, .bytes] | @csv'; }

run decode --stats "$LXCORE"
expect_rc 0 "lxcore_kernel.etl"
expect_eq "$(counts)" "3,0,4,0,0,24576" "lxcore_kernel.etl: 3 buffers, 4 records, no diagnostic"
expect_eq "$(jqo .type)" "summary" "lxcore_kernel.etl: only the summary (no heap events, no diagnostics)"

run decode --stats --quiet "$SHUTDOWN"
expect_rc 0 "ShutdownPerfDiagLogger.etl"
expect_eq "$(counts)" "49,0,17078,0,0,3211264" "ShutdownPerfDiagLogger.etl: 49 buffers, 17,078 records"
expect_eq "$(jqo 'select(.type=="diag")' | wc -l)" "0" "ShutdownPerfDiagLogger.etl: no diagnostics"

# The same bytes through a pipe (standard input, odd chunking) give the same lines.
cat "$SHUTDOWN" | "$ETWHF" decode --stats --quiet - >"$TMP/pipe.out" 2>&1
RC=$?
expect_rc 0 "ShutdownPerfDiagLogger.etl from a pipe"
expect_eq "$(cat "$TMP/pipe.out")" "$OUT" "standard input gives the same lines"

run decode --stats "$SELFDESC"
expect_eq "$(counts)" "3,0,22,0,0,7403" "SelfDescribingSingleEvent.etl (compressed): 3 buffers, 22 records"

run decode --format text --stats "$LXCORE" "$SHUTDOWN"
expect_rc 0 "text summaries"
expect_match "$ERR" "lxcore_kernel.etl: 3 buffers \(0 skipped\), 4 records" "text summary on stderr"

# ---- info -----------------------------------------------------------------------------
run info "$LXCORE"
expect_rc 0 "info lxcore_kernel.etl"
expect_eq "$(jqo '[.buffer_size, .buffers_written, .pointer_size, .compressed, .provider_version, .perf_freq] | @csv')" \
    "8192,3,8,false,19041,10000000" "info lxcore_kernel.etl: header fields"
expect_eq "$(jqo 'keys_unsorted | join(",")')" \
    "logger_name,log_file_name,buffer_size,buffers_written,pointer_size,number_of_processors,events_lost,buffers_lost,log_file_mode,compressed,provider_version,cpu_speed_mhz,timer_resolution,perf_freq,clock_type,start_time,end_time,boot_time" \
    "info: keys and their order"
for k in start_time end_time boot_time; do
    expect_match "$(jqo ".$k")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{7}Z$' "info: $k is ISO-8601 with 7 digits"
done
expect_match "$(jqo .log_file_mode)" '^0x[0-9a-f]{8}$' "info: log_file_mode is a hex string"
START_TIME=$(jqo .start_time)
PERF_FREQ=$(jqo .perf_freq)
CLOCK=$(jqo .clock_type)
run info "$SELFDESC"
expect_eq "$(jqo .compressed)" "true" "info SelfDescribingSingleEvent.etl: compressed"

# ---- --wall-clock on a real header ---------------------------------------------------------
# lxcore's header buffer, then a buffer of heap events stamped at the logfile
# record's own clock value and 1.5 s later: the first must print exactly
# info's start_time. (mketl sets BuffersWritten to the 2 buffers written.)
expect_eq "$CLOCK" "1" "lxcore_kernel.etl uses the QPC clock"
python3 "$TESTS_DIR/mketl.py" "$TMP/real.etl" --header-from "$LXCORE" \
    --event free:ts=+0 --event "free:ts=+$((PERF_FREQ * 3 / 2))"
run decode --wall-clock "$TMP/real.etl"
expect_rc 0 "--wall-clock on a real header"
expect_eq "$(jqo 'select(.type=="HeapFree") | .timestamp' | head -n 1)" "$START_TIME" \
    "event at the logfile record's clock value = info's start_time"
LATER=$(python3 -c '
import sys, datetime
t = sys.argv[1]
d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")
ft = (d - datetime.datetime(1601, 1, 1)) // datetime.timedelta(microseconds=1) * 10 + int(t[20:27]) + 15000000
d = datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=ft // 10)
print(d.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d%dZ" % (d.microsecond, ft % 10))' "$START_TIME")
expect_eq "$(jqo 'select(.type=="HeapFree") | .timestamp' | tail -n 1)" "$LATER" "1.5 s of QPC ticks later"
expect_eq "$(jqo 'select(.type=="diag") | .code')" "" "no diagnostic"

finish
