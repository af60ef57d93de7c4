/*
 * test_samples.c — the real traces of ../shared/samples (README there):
 * buffer and record counts, no diagnostics, no heap events; the compressed
 * file with and without decompression; the logfile record; the fd reader.
 * A missing sample skips visibly, and fails when CI=true.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlog.h"
#include "decode_once.h"
#include "etwhf/layout.h"

static void decode_sample(const char *name, int no_decompress, const char *want)
{
    size_t len = 0;
    uint8_t *data = dl_read_sample(name, &len);
    if (!data) {
        skip();
        return;
    }
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    o.no_decompress = no_decompress;
    struct dlog l = {0};
    assert_int_equal(dl_run(&l, &o, data, len, DL_ONE_FEED, 0), ETWHF_OK);
    assert_string_equal(dl_brief(&l), want);
    assert_int_equal(l.sum.bytes, len);

    /* The fd reader gives the same, from a file and from a pipe. */
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ETWHF_SAMPLES_DIR, name);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct etwhf_summary s;
    assert_int_equal(decode_once_fd(&o, fd, &s), ETWHF_OK);
    close(fd);
    assert_memory_equal(&s, &l.sum, sizeof s);
    assert_int_equal(dl_decode_pipe(&o, data, len, &s), ETWHF_OK);
    assert_memory_equal(&s, &l.sum, sizeof s);
    dl_free(&l);
    free(data);
}

static void lxcore_kernel(void **state)
{
    (void)state;
    decode_sample("lxcore_kernel.etl", 0, "S b=3 k=0 t=4 f=0 a=0 r=0 e=0 w=0\n");
}

static void shutdown_perf_diag_logger(void **state)
{
    (void)state;
    decode_sample("ShutdownPerfDiagLogger.etl", 0, "S b=49 k=0 t=17078 f=0 a=0 r=0 e=0 w=0\n");
}

static void self_describing_compressed(void **state)
{
    (void)state;
    decode_sample("SelfDescribingSingleEvent.etl", 0, "S b=3 k=0 t=22 f=0 a=0 r=0 e=0 w=0\n");
}

static void self_describing_without_decompressor(void **state)
{
    (void)state;
    /* Buffers at 0x400 and 0x1C09 (BufferSize 0x1809). */
    decode_sample("SelfDescribingSingleEvent.etl", 1, "E12@1:0x400\nE12@2:0x1c09\nS b=1 k=2 t=1 f=0 a=0 r=0 e=2 w=0\n");
}

static void logfile_of(const char *name, struct etwhf_logfile *lf, int *ok)
{
    size_t len = 0;
    uint8_t *data = dl_read_sample(name, &len);
    *ok = data != NULL;
    if (!data)
        return;
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    assert_non_null(d);
    assert_null(etwhf_decoder_logfile(d)); /* nothing read yet */
    /* Fed in two pieces that split the logfile record. */
    assert_int_equal(etwhf_decode_feed(d, data, 0x100), ETWHF_OK);
    assert_int_equal(etwhf_decode_feed(d, data + 0x100, len - 0x100), ETWHF_OK);
    assert_non_null(etwhf_decoder_logfile(d));
    *lf = *etwhf_decoder_logfile(d);
    assert_int_equal(etwhf_decode_finish(d), ETWHF_OK);
    etwhf_decoder_free(d);
    free(data);
}

static void logfile_records(void **state)
{
    (void)state;
    struct etwhf_logfile lf;
    int ok;
    logfile_of("lxcore_kernel.etl", &lf, &ok);
    if (ok) {
        assert_int_equal(lf.layout_pointer_size, 8);
        assert_int_equal(lf.buffer_size, 0x2000);
        assert_int_equal(lf.version, 0x0501000A);
        assert_int_equal(lf.buffers_written, 3);
        assert_int_equal(lf.pointer_size, 8);
        assert_int_equal(lf.compressed, 0);
        assert_int_equal(lf.perf_freq, 10000000);
        assert_string_equal(lf.logger_name, "lxcore_kernel");
        assert_string_equal(lf.log_file_name, "C:\\Prog\\lxcore_kernel.etl");
    }
    logfile_of("SelfDescribingSingleEvent.etl", &lf, &ok);
    if (ok) {
        assert_int_equal(lf.buffer_size, 0x10000);
        assert_int_equal(lf.log_file_mode & ETWHF_LOGFILE_MODE_COMPRESSED, ETWHF_LOGFILE_MODE_COMPRESSED);
        assert_int_equal(lf.compressed, 1);
        assert_int_equal(lf.buffers_written, 3);
        assert_string_equal(lf.logger_name, "Relogger");
        assert_string_equal(lf.log_file_name, "[multiple files]");
    }
    logfile_of("ShutdownPerfDiagLogger.etl", &lf, &ok);
    if (ok) {
        assert_int_equal(lf.buffer_size, 0x10000);
        assert_int_equal(lf.buffers_written, 49);
        assert_non_null(strstr(lf.log_file_name, "\\ShutdownPerfDiagLogger.etl"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lxcore_kernel),
        cmocka_unit_test(shutdown_perf_diag_logger),
        cmocka_unit_test(self_describing_compressed),
        cmocka_unit_test(self_describing_without_decompressor),
        cmocka_unit_test(logfile_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
