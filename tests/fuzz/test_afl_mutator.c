/*
 * test_afl_mutator.c — loads the AFL++ custom mutator .so the way afl-fuzz
 * does (dlopen + dlsym) and drives its three hooks: init, fuzz (with and
 * without a second input for crossover), deinit. fuzz must never return 0
 * or more than max_size, and must hand back its own buffer.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef void *(*init_fn)(void *afl, unsigned int seed);
typedef size_t (*fuzz_fn)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                          size_t add_buf_size, size_t max_size);
typedef void (*deinit_fn)(void *data);

static void drive(const char *layout)
{
    setenv("ETWHF_MUTATOR_LAYOUT", layout, 1);
    void *so = dlopen(ETWHF_AFL_MUTATOR_PATH, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(so);
    init_fn init = (init_fn)dlsym(so, "afl_custom_init");
    fuzz_fn fuzz = (fuzz_fn)dlsym(so, "afl_custom_fuzz");
    deinit_fn deinit = (deinit_fn)dlsym(so, "afl_custom_deinit");
    assert_non_null(init);
    assert_non_null(fuzz);
    assert_non_null(deinit);
    /* all three trimming hooks or none */
    int trims =
        !!dlsym(so, "afl_custom_init_trim") + !!dlsym(so, "afl_custom_trim") + !!dlsym(so, "afl_custom_post_trim");
    assert_true(trims == 0 || trims == 3);

    void *m = init(NULL, 42);
    assert_non_null(m);
    static uint8_t in[8192], add[8192];
    uint32_t s = 99;
    for (int i = 0; i < 5000; i++) {
        s = s * 1664525u + 1013904223u;
        size_t n = s % sizeof in, na = (s >> 8) % sizeof add;
        for (size_t j = 0; j < n; j++)
            in[j] = (uint8_t)(s >> (j % 24));
        for (size_t j = 0; j < na; j++)
            add[j] = (uint8_t)(s >> ((j + 3) % 24));
        size_t max = 1 + (s >> 4) % 16384;
        uint8_t *out = NULL;
        size_t got = fuzz(m, in, n, &out, (i & 1) ? add : NULL, (i & 1) ? na : 0, max);
        assert_true(got >= 1 && got <= max);
        assert_non_null(out);
        assert_ptr_not_equal(out, in);
        out[got - 1] ^= 1; /* the buffer is writable and as long as it says */
    }
    deinit(m);
    dlclose(so);
}

static void file_layout(void **state)
{
    (void)state;
    drive("file");
}

static void record_layout(void **state)
{
    (void)state;
    drive("record");
}

static void stream_layout(void **state)
{
    (void)state;
    drive("stream");
}

static void bad_layout_refused(void **state)
{
    (void)state;
    setenv("ETWHF_MUTATOR_LAYOUT", "nonsense", 1);
    void *so = dlopen(ETWHF_AFL_MUTATOR_PATH, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(so);
    init_fn init = (init_fn)dlsym(so, "afl_custom_init");
    assert_null(init(NULL, 1));
    dlclose(so);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_layout),
        cmocka_unit_test(record_layout),
        cmocka_unit_test(stream_layout),
        cmocka_unit_test(bad_layout_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
