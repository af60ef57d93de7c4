/*
 * test_cursor.c — the checked reader (decoder/cursor.h): reads outside the
 * view fault and return 0, offsets near SIZE_MAX do not wrap, and in builds
 * with ETWHF_CURSOR_VERIFY a proven-range read outside the view aborts.
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

#ifdef ETWHF_CURSOR_VERIFY
/* Runs a proven read past the view in a child; returns its wait status. */
static int child_reads_past_view(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct cur c = cur_make(bytes, 4);
        volatile uint32_t v = cur_u32p(&c, 2);
        (void)v;
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}
#endif

static void verify_build_aborts_on_a_broken_proof(void **state)
{
    (void)state;
#ifdef ETWHF_CURSOR_VERIFY
    int status = child_reads_past_view();
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#else
    skip(); /* release-type build: proven reads are not re-checked */
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checked_reads_fault_outside),
        cmocka_unit_test(proven_reads_equal_checked_reads),
        cmocka_unit_test(verify_build_aborts_on_a_broken_proof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
