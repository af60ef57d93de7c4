"""Reading sanitizer reports and dedup keys (ci/fuzz_stack.py), on fake reports
shaped like clang 14's ASan, UBSan, LSan and libFuzzer output."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import fuzz_stack as fs  # noqa: E402

SEGV = """INFO: Seed: 1
Running: crash-0b68
==9552==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x55 bp 0x7f sp 0x7f T0)
==9552==The signal is caused by a WRITE memory access.
    #0 0x55e4b096be63 in planted_bug_a /src/t.c:5:72
    #1 0x55e4b096be9b in planted_on_event /src/t.c:30:9
    #2 0x55e4b096bf00 in dec_event /src/decoder/payload.c:80:5
    #3 0x55e4b096bf10 in dec_payload /src/decoder/payload.c:99:5
    #4 0x55e4b09022f3 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/b/t+0x422f3)

AddressSanitizer can not provide additional info.
SUMMARY: AddressSanitizer: SEGV /src/t.c:5:72 in planted_bug_a
==9552==ABORTING
"""

DEADLY = """==9552== ERROR: libFuzzer: deadly signal
    #0 0x55ee627a8ce1 in __sanitizer_print_stack_trace (/tmp/toy/t_lf+0xe8ce1)
    #1 0x55ee6271b638 in fuzzer::PrintStackTrace() (/tmp/toy/t_lf+0x5b638)
    #2 0x55ee62700f03 in fuzzer::Fuzzer::CrashCallback() (/tmp/toy/t_lf+0x40f03)
    #3 0x7ffa3fd7a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)
    #4 0x7ffa3fdc8eeb in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:43:17
    #5 0x7ffa3fd79fb1 in raise signal/../sysdeps/posix/raise.c:26:13
    #6 0x7ffa3fd64471 in abort stdlib/./stdlib/abort.c:79:7
    #7 0x55ee627d993a in bug_b /tmp/toy/t.c:6:53
    #8 0x55ee627d9e4b in LLVMFuzzerTestOneInput /tmp/toy/t.c:8:90
    #9 0x55ee627022f3 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/tmp/toy/t_lf+0x422f3)
    #12 0x55ee6271be72 in main (/tmp/toy/t_lf+0x5be72)

DEDUP_TOKEN: __sanitizer_print_stack_trace--fuzzer::PrintStackTrace()--fuzzer::Fuzzer::CrashCallback()
SUMMARY: libFuzzer: deadly signal
"""

UBSAN_1 = """/src/decoder/record.c:120:17: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'
    #0 0x4c1 in walk_record /src/decoder/record.c:120:17
    #1 0x4c2 in walk_buffer /src/decoder/buffer.c:50:3
    #2 0x4c3 in LLVMFuzzerTestOneInput /src/fuzz/fuzz_file.c:20:5
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/decoder/record.c:120:17 in
"""
UBSAN_2 = UBSAN_1.replace("2147483647 + 1", "2147483600 + 99")

HEAP_OVERFLOW = """==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602 at pc 0x5 bp 0x7 sp 0x7
READ of size 1 at 0x602 thread T0
    #0 0x5 in cursor_u8 /src/decoder/cursor.h:40:12
    #1 0x5 in walk_record /src/decoder/record.c:70:9
    #2 0x5 in walk_buffer /src/decoder/buffer.c:50:3
    #3 0x5 in walk_file /src/decoder/file.c:10:3

0x602 is located 0 bytes to the right of 20-byte region [0x5f,0x602)
allocated by thread T0 here:
    #0 0x4 in malloc (/b/fuzz_file+0x4)
    #1 0x5 in run_file /src/fuzz/standalone_driver.c:200:5
SUMMARY: AddressSanitizer: heap-buffer-overflow /src/decoder/cursor.h:40:12 in cursor_u8
"""

TIMEOUT = """ALARM: working on the last Unit for 2 seconds
       and the timeout value is 2 (use -timeout=N to change)
==77== ERROR: libFuzzer: timeout after 2 seconds
    #0 0x5 in __sanitizer_print_stack_trace (/b/f+0x5)
    #1 0x5 in fuzzer::PrintStackTrace() (/b/f+0x5)
    #2 0x5 in fuzzer::Fuzzer::AlarmCallback() (/b/f+0x5)
    #3 0x7f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)
    #4 0x5 in walk_chain /src/decoder/file.c:88:3
    #5 0x5 in walk_file /src/decoder/file.c:10:3
SUMMARY: libFuzzer: timeout
"""

OOM_MALLOC = """==5== ERROR: libFuzzer: out-of-memory (malloc(4294967296))
   To change the out-of-memory limit use -rss_limit_mb=<N>
    #0 0x5 in __sanitizer_print_stack_trace (/b/f+0x5)
    #1 0x5 in fuzzer::PrintStackTrace() (/b/f+0x5)
    #2 0x5 in fuzzer::Fuzzer::HandleMalloc(unsigned long) (/b/f+0x5)
    #3 0x5 in malloc (/b/f+0x5)
    #4 0x5 in buffer_alloc /src/decoder/buffer.c:30:9
SUMMARY: libFuzzer: out-of-memory
"""

OOM_RSS = "==5== ERROR: libFuzzer: out-of-memory (used: 2100Mb; exceeds: 2048Mb)\nSUMMARY: libFuzzer: out-of-memory\n"

LEAK = """==9==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 64 byte(s) in 1 object(s) allocated from:
    #0 0x4 in malloc (/b/f+0x4)
    #1 0x5 in decoder_new /src/decoder/decoder.c:40:9
    #2 0x5 in LLVMFuzzerTestOneInput /src/fuzz/fuzz_file.c:20:5

SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).
"""

INVARIANT = """fuzz/fuzz_stream.c:80: fuzz invariant failed: same (chunking must not matter)
==3==ERROR: AddressSanitizer: ABRT on unknown address 0x3 (pc 0x7 bp 0x7 sp 0x7 T0)
    #0 0x7 in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:44:76
    #1 0x7 in raise signal/../sysdeps/posix/raise.c:26:13
    #2 0x7 in abort stdlib/./stdlib/abort.c:79:7
    #3 0x5 in fuzz_assert_same_run /src/fuzz/fuzz_stream.c:80:5
    #4 0x5 in LLVMFuzzerTestOneInput /src/fuzz/fuzz_stream.c:99:5
    #5 0x5 in main /src/fuzz/standalone_driver.c:300:5
SUMMARY: AddressSanitizer: ABRT nptl/./nptl/pthread_kill.c:44:76 in __pthread_kill_implementation
"""

STANDALONE_TIMEOUT = """standalone driver: timeout after ETWHF_FUZZ_TIMEOUT seconds on /t/x
==4==ERROR: AddressSanitizer: ABRT on unknown address 0x4
    #0 0x7 in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:44:76
    #1 0x7 in raise signal/../sysdeps/posix/raise.c:26:13
    #2 0x7 in abort stdlib/./stdlib/abort.c:79:7
    #3 0x5 in on_alarm /src/fuzz/standalone_driver.c:60:5
    #4 0x7f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)
    #5 0x5 in walk_chain /src/decoder/file.c:88:3
"""


class ClassifyTest(unittest.TestCase):
    def test_kinds(self):
        cases = {
            SEGV: ("crash", "segv"), DEADLY: ("crash", "signal"), UBSAN_1: ("crash", "ubsan-signed-integer-overflow"),
            HEAP_OVERFLOW: ("crash", "heap-buffer-overflow"), TIMEOUT: ("timeout", "timeout"),
            OOM_MALLOC: ("oom", "malloc-limit"), OOM_RSS: ("oom", "rss-limit"), LEAK: ("crash", "leak"),
            INVARIANT: ("crash", "invariant"), STANDALONE_TIMEOUT: ("timeout", "timeout"),
        }
        for text, want in cases.items():
            self.assertEqual(fs.classify(text, 1), want, text[:60])

    def test_clean_output_is_no_failure(self):
        self.assertIsNone(fs.classify("INFO: Seed: 1\nExecuted x in 0 ms\n", 0))
        self.assertIsNone(fs.classify("fuzz_x: 3 inputs run, 1 failed\n", 1))  # an .expect mismatch

    def test_signal_and_kill_without_report(self):
        self.assertEqual(fs.classify("", -11), ("crash", "signal-11"))
        self.assertEqual(fs.classify("", None, killed=True), ("timeout", "timeout"))


class FramesTest(unittest.TestCase):
    def test_runtime_frames_skipped(self):
        self.assertEqual(fs.program_frames(DEADLY), ["bug_b", "LLVMFuzzerTestOneInput"])
        self.assertEqual(fs.program_frames(SEGV), ["planted_bug_a", "planted_on_event", "dec_event"])

    def test_only_the_first_stack(self):
        # the "allocated by" stack must not leak into the key
        self.assertEqual(fs.program_frames(HEAP_OVERFLOW), ["cursor_u8", "walk_record", "walk_buffer"])
        self.assertEqual(fs.program_frames(LEAK), ["decoder_new", "LLVMFuzzerTestOneInput"])

    def test_driver_frames_skipped(self):
        self.assertEqual(fs.program_frames(INVARIANT), ["fuzz_assert_same_run", "LLVMFuzzerTestOneInput"])
        self.assertEqual(fs.program_frames(STANDALONE_TIMEOUT), ["walk_chain"])
        self.assertEqual(fs.program_frames(OOM_MALLOC), ["buffer_alloc"])
        self.assertEqual(fs.program_frames(OOM_RSS), [])


class KeyTest(unittest.TestCase):
    def key(self, text):
        category, kind = fs.classify(text, 1)
        return fs.dedup_key(category, kind, fs.program_frames(text))

    def test_values_in_messages_do_not_split_a_bug(self):
        self.assertEqual(self.key(UBSAN_1), self.key(UBSAN_2))

    def test_distinct_bugs_distinct_keys(self):
        keys = {self.key(t) for t in (SEGV, DEADLY, UBSAN_1, HEAP_OVERFLOW, TIMEOUT, OOM_MALLOC, LEAK, INVARIANT)}
        self.assertEqual(len(keys), 8)

    def test_key_shape(self):
        self.assertEqual(self.key(SEGV), "crash:segv:planted_bug_a>planted_on_event>dec_event")
        self.assertEqual(self.key(OOM_RSS), "oom:rss-limit:?")

    def test_summary(self):
        self.assertEqual(fs.summary_line(SEGV), "AddressSanitizer: SEGV /src/t.c:5:72 in planted_bug_a")
        self.assertEqual(fs.summary_line("nothing"), "")


if __name__ == "__main__":
    unittest.main()
