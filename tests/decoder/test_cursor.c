/*
 * test_cursor.c — the checked reader (decoder/cursor.h): reads outside the
 * view fault and return 0, offsets near SIZE_MAX do not wrap, a tested fault
 * is handled once; in builds with ETWHF_CURSOR_VERIFY a proven-range read
 * outside the view aborts, and so does a layer's exit (CUR_DONE) with a
 * fault nobody tested, while a layer that tests and handles its faults
 * (XPRESS on a cut stream) returns normally.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cursor.h"
#include "etwhf/xpress.h"

static const uint8_t bytes[12] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C};

static void checked_reads_fault_outside(void **state)
{
    (void)state;
    struct cur c = cur_make(bytes, sizeof bytes);
    assert_int_equal(cur_u32(&c, 8), 0x0C0B0A09u);
    assert_int_equal(c.fault, 0);
    assert_int_equal(cur_u32(&c, 9), 0);
    assert_int_equal(c.fault, 1);
    c.fault = 0;
    assert_int_equal(cur_u64(&c, SIZE_MAX - 2), 0);
    assert_int_equal(c.fault, 1);
    c.fault = 0;
    struct cur sub = cur_sub(&c, 4, 9);
    assert_int_equal(sub.len, 0);
    assert_int_equal(c.fault, 1);
}

static void proven_reads_equal_checked_reads(void **state)
{
    (void)state;
    struct cur c = cur_make(bytes, sizeof bytes);
    for (size_t off = 0; off + 8 <= sizeof bytes; off++) {
        assert_int_equal(cur_u16p(&c, off), cur_u16(&c, off));
        assert_int_equal(cur_u32p(&c, off), cur_u32(&c, off));
        assert_true(cur_u64p(&c, off) == cur_u64(&c, off));
        assert_true(cur_ptrp(&c, off, 4) == cur_ptr(&c, off, 4));
        assert_true(cur_ptrp(&c, off, 8) == cur_ptr(&c, off, 8));
        assert_int_equal(cur_u8p(&c, off), cur_u8(&c, off));
    }
    assert_int_equal(c.fault, 0);
    struct cur sub = cur_subp(&c, 2, 4);
    assert_int_equal(cur_u32p(&sub, 0), 0x06050403u);
}

static void a_tested_fault_is_handled_once(void **state)
{
    (void)state;
    struct cur c = cur_make(bytes, 4);
    assert_int_equal(cur_u32(&c, 0), 0x04030201u);
    assert_false(cur_failed(&c));
    assert_int_equal(cur_u16(&c, 3), 0);
    assert_int_equal(cur_u32(&c, 1), 0); /* a group of reads, one test */
    assert_true(cur_failed(&c));
    assert_int_equal(c.fault, 0);
    assert_false(cur_failed(&c));
    CUR_DONE(&c); /* handled: the exit check passes in every build */
}

#ifdef ETWHF_CURSOR_VERIFY
/* What a child does before it exits 0, unless it aborts first. */
enum child_act { PROVEN_READ_PAST_VIEW, UNTESTED_FAULT_AT_EXIT, TESTED_FAULT_AT_EXIT };

/* Runs `act` in a child; returns its wait status. */
static int child(enum child_act act)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct cur c = cur_make(bytes, 4);
        volatile uint32_t v = 0;
        switch (act) {
        case PROVEN_READ_PAST_VIEW: v = cur_u32p(&c, 2); break;
        case UNTESTED_FAULT_AT_EXIT:
            v = cur_u32(&c, 2);
            CUR_DONE(&c);
            break;
        case TESTED_FAULT_AT_EXIT:
            v = cur_u32(&c, 2);
            if (cur_failed(&c))
                v = 1;
            CUR_DONE(&c);
            break;
        }
        (void)v;
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void assert_aborted(int status)
{
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}
#endif

static void verify_build_aborts_on_a_broken_proof(void **state)
{
    (void)state;
#ifdef ETWHF_CURSOR_VERIFY
    assert_aborted(child(PROVEN_READ_PAST_VIEW));
#else
    skip(); /* release-type build: proven reads are not re-checked */
#endif
}

static void verify_build_aborts_on_an_untested_fault(void **state)
{
    (void)state;
#ifdef ETWHF_CURSOR_VERIFY
    assert_aborted(child(UNTESTED_FAULT_AT_EXIT));
    const int status = child(TESTED_FAULT_AT_EXIT);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
#else
    skip(); /* release-type build: CUR_DONE checks nothing */
#endif
}

/* XPRESS is the layer that meets cut input by design: it tests every fault
 * and returns TRUNCATED, so its CUR_DONE passes (a verify build would abort
 * this test binary otherwise). Each cut is in a different read: the flag
 * word, a literal, a match word, a length nibble, the byte, u16 and u32
 * lengths. */
static void a_layer_that_handles_its_faults_returns(void **state)
{
    (void)state;
    static const uint8_t flags_lit[] = {0x00, 0x00, 0x00, 0x00, 'a'};
    static const uint8_t match_word[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x00};
    static const uint8_t nibble[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00};
    static const uint8_t byte_len[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F};
    static const uint8_t u16_len[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00};
    static const uint8_t u32_len[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x01};
    const struct {
        const uint8_t *in;
        size_t len;
    } cut[] = {
        {flags_lit, 2},
        {flags_lit, 4},
        {match_word, sizeof match_word},
        {nibble, sizeof nibble},
        {byte_len, sizeof byte_len},
        {u16_len, sizeof u16_len},
        {u32_len, sizeof u32_len},
    };
    uint8_t out[64];
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
        assert_int_equal(etwhf_xpress_decompress(cut[i].in, cut[i].len, out, sizeof out), ETWHF_XPRESS_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checked_reads_fault_outside),
        cmocka_unit_test(proven_reads_equal_checked_reads),
        cmocka_unit_test(a_tested_fault_is_handled_once),
        cmocka_unit_test(verify_build_aborts_on_a_broken_proof),
        cmocka_unit_test(verify_build_aborts_on_an_untested_fault),
        cmocka_unit_test(a_layer_that_handles_its_faults_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
