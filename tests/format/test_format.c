/* The shared table must say exactly what docs/spec/diagnostics.md §2 and walk.md R9 say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"

/* The version the headers announce is the one the build (and the SONAME) has. */
static void version_string_is_the_project_version(void **state)
{
    (void)state;
    assert_string_equal(ETWHF_VERSION_STRING, ETWHF_PROJECT_VERSION);
}

/* One table names the decoded heap types, in both spellings. */
static void heap_type_names(void **state)
{
    (void)state;
    static const struct {
        int type;
        const char *line, *option;
    } want[] = {{ETWHF_HEAP_FREE, "HeapFree", "free"},
                {ETWHF_HEAP_ALLOC, "HeapAlloc", "alloc"},
                {ETWHF_HEAP_REALLOC, "HeapReAlloc", "realloc"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(etwhf_heap_type_name(want[i].type), want[i].line);
        assert_string_equal(etwhf_heap_event_name(want[i].type), want[i].option);
        assert_int_equal(etwhf_heap_type_from_name(want[i].line), want[i].type);
        assert_int_equal(etwhf_heap_type_from_name(want[i].option), want[i].type);
    }
    assert_null(etwhf_heap_type_name(ETWHF_HEAP_DESTROY));
    assert_null(etwhf_heap_event_name(0));
    assert_int_equal(etwhf_heap_type_from_name("HeapDestroy"), 0);
    assert_int_equal(etwhf_heap_type_from_name(NULL), 0);
}

static void diag_table_matches_contract(void **state)
{
    (void)state;
    /* Transcribed by hand from docs/spec/diagnostics.md §2. */
    static const struct {
        int code;
        const char *name;
        int sev;
    } want[] = {
        {1, "FILE_EMPTY", ETWHF_SEV_ERROR},
        {2, "FILE_TOO_SHORT", ETWHF_SEV_ERROR},
        {3, "LOGFILE_MISSING", ETWHF_SEV_ERROR},
        {4, "LOGFILE_SHORT", ETWHF_SEV_ERROR},
        {5, "LOGFILE_POINTER_SIZE", ETWHF_SEV_WARNING},
        {6, "LOGFILE_BUFFER_SIZE", ETWHF_SEV_WARNING},
        {7, "BUFFERS_WRITTEN", ETWHF_SEV_WARNING},
        {8, "EVENTS_LOST", ETWHF_SEV_WARNING},
        {9, "TRUNCATED_TAIL", ETWHF_SEV_ERROR},
        {10, "BUFFER_SIZE", ETWHF_SEV_ERROR},
        {11, "SAVED_OFFSET", ETWHF_SEV_ERROR},
        {12, "COMPRESSED_UNSUPPORTED", ETWHF_SEV_ERROR},
        {13, "DECOMPRESS", ETWHF_SEV_ERROR},
        {20, "MARKER", ETWHF_SEV_ERROR},
        {21, "HEADER_TYPE", ETWHF_SEV_ERROR},
        {22, "RECORD_SIZE", ETWHF_SEV_ERROR},
        {23, "PERFINFO_EXT", ETWHF_SEV_ERROR},
        {24, "EXT_ITEM", ETWHF_SEV_ERROR},
        {25, "HEAP_PAYLOAD_SHORT", ETWHF_SEV_ERROR},
        {26, "HEAP_PAYLOAD_LONG", ETWHF_SEV_WARNING},
        {27, "SOURCE_RESERVED", ETWHF_SEV_WARNING},
        {28, "SOURCE_UNKNOWN", ETWHF_SEV_WARNING},
        {29, "INPUT_SHRANK", ETWHF_SEV_ERROR},
    };
    size_t n;
    const struct etwhf_diag_info *t = etwhf_diag_table(&n);
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].code, want[i].code);
        assert_string_equal(t[i].name, want[i].name);
        assert_int_equal(t[i].severity, want[i].sev);
        assert_ptr_equal(etwhf_diag_info(want[i].code), &t[i]);
        assert_int_equal(etwhf_diag_from_name(want[i].name), want[i].code);
        assert_true(t[i].code <= ETWHF_DIAG_MAX);
    }
    assert_null(etwhf_diag_info(0));
    assert_null(etwhf_diag_info(14));
    assert_int_equal(etwhf_diag_from_name("NOPE"), 0);
}

static void header_forms_match_format(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint8_t type;
        uint8_t h;
        uint8_t at;
        uint8_t w;
    } want[] = {
        {"system32", 0x01, 0x20, 4, 4},   {"system64", 0x02, 0x20, 4, 8},   {"compact32", 0x03, 0x18, 4, 4},
        {"compact64", 0x04, 0x18, 4, 8},  {"perfinfo32", 0x10, 0x10, 4, 4}, {"perfinfo64", 0x11, 0x10, 4, 8},
        {"full32", 0x0A, 0x30, 0, 4},     {"full64", 0x14, 0x30, 0, 8},     {"instance32", 0x0B, 0x48, 0, 4},
        {"instance64", 0x15, 0x48, 0, 8}, {"event32", 0x12, 0x50, 0, 4},    {"event64", 0x13, 0x50, 0, 8},
    };
    for (int i = 0; i < ETWHF_HDR_FORMS; i++) {
        const struct etwhf_header_info *h = etwhf_header_info(i);
        assert_non_null(h);
        assert_string_equal(h->name, want[i].name);
        assert_int_equal(h->type, want[i].type);
        assert_int_equal(h->fixed_size, want[i].h);
        assert_int_equal(h->size_at, want[i].at);
        assert_int_equal(h->pointer_size, want[i].w);
        assert_int_equal(etwhf_header_from_type(want[i].type), i);
        assert_int_equal(etwhf_header_from_name(want[i].name), i);
    }
    /* TIMED, ERROR, WNODE and anything else are not forms (docs/spec/format.md §5.2). */
    assert_int_equal(etwhf_header_from_type(0x0C), -1);
    assert_int_equal(etwhf_header_from_type(0x0D), -1);
    assert_int_equal(etwhf_header_from_type(0x0E), -1);
    assert_int_equal(etwhf_header_from_type(0x00), -1);
    assert_int_equal(etwhf_header_from_name("message"), ETWHF_HDR_MESSAGE);
    assert_null(etwhf_header_info(ETWHF_HDR_COUNT));
    assert_null(etwhf_header_info(-1));
}

static void payload_minimums_and_sources(void **state)
{
    (void)state;
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_FREE, 4), 12);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_FREE, 8), 20);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_ALLOC, 4), 16);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_ALLOC, 8), 28);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_REALLOC, 4), 24);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_REALLOC, 8), 44);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_DESTROY, 8), 0);
    assert_int_equal(etwhf_heap_payload_min(ETWHF_HEAP_FREE, 5), 0);

    assert_string_equal(etwhf_source_name(3), "MAINPATH");
    assert_string_equal(etwhf_source_name(6), "SEGMENT_HEAP");
    assert_null(etwhf_source_name(0));
    assert_null(etwhf_source_name(7));
    assert_null(etwhf_source_name(0xFFFFFFFFu));
    static const uint32_t unknown[] = {0, 7, 0x80000000u, 0xFFFFFFFFu};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(etwhf_source_diag(unknown[i]), ETWHF_DIAG_SOURCE_UNKNOWN);
    assert_int_equal(etwhf_source_diag(6), ETWHF_DIAG_SOURCE_RESERVED);
    for (uint32_t s = 1; s <= 5; s++)
        assert_int_equal(etwhf_source_diag(s), 0);

    static const uint8_t guid[16] = {0xAB, 0x62, 0x29, 0x22, 0x80, 0x61, 0x88, 0x4B,
                                     0xA8, 0x25, 0x34, 0x6B, 0x75, 0xF2, 0xA2, 0x4A};
    assert_memory_equal(etwhf_heap_guid, guid, 16);
    assert_string_equal(etwhf_strerror(ETWHF_ENOMEM), "out of memory");
    assert_string_equal(etwhf_strerror(999), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_string_is_the_project_version), cmocka_unit_test(heap_type_names),
        cmocka_unit_test(diag_table_matches_contract),           cmocka_unit_test(header_forms_match_format),
        cmocka_unit_test(payload_minimums_and_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
