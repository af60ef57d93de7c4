/*
 * planted.c — the canary table of the planted benchmark bugs (planted.h)
 * and the runtime behind decoder/hooks.h. Built only when ETWHF_PLANTED_BUGS
 * is on (testing/CMakeLists.txt).
 */
#define _POSIX_C_SOURCE 200809L
#include "planted.h"

#include "etwhf/layout.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

static struct etwhf_planted_bug table[PB_COUNT] = {
    [PB_FREE_SOURCE_OFFSET] = {PB_FREE_SOURCE_OFFSET, "free_source_offset", "payload", 1,
                               "a 64-bit HeapFree payload whose bytes 8-11 differ from its Source",
                               "Source is read at offset 8, the 32-bit layout's", 0, 0},
    [PB_LONG_SLACK] = {PB_LONG_SLACK, "payload_long_slack", "payload", 1,
                       "a heap payload 1-3 bytes longer than its minimum", "HEAP_PAYLOAD_LONG is not reported", 0, 0},
    [PB_REALLOC32_SIZES] = {PB_REALLOC32_SIZES, "realloc32_sizes_swapped", "payload", 2,
                            "a HeapReAlloc payload at width 4 whose two sizes differ",
                            "NewSize and OldSize are swapped", 0, 0},
    [PB_MESSAGE_SIZE_AT4] = {PB_MESSAGE_SIZE_AT4, "message_size_at4", "record", 1,
                             "a MESSAGE record (byte 3 0x90) whose u16 at +4 differs from its Size at +0",
                             "the record is framed by the u16 at +4", 0, 0},
    [PB_FILLER_LOW16] = {PB_FILLER_LOW16, "filler_low16", "record", 1,
                         "a record whose first u16 is 0xFFFF but whose marker is not 0xFFFFFFFF",
                         "the record is taken for filler and the buffer's walk ends", 0, 0},
    [PB_PERFINFO_PMC] = {PB_PERFINFO_PMC, "perfinfo_pmc_unchecked", "record", 3,
                         "a PERFINFO record inside an accepted buffer of a file, with PMC counters "
                         "that run past its Size",
                         "no PERFINFO_EXT; the payload is taken as empty", 0, 0},
    [PB_EXT_DATASIZE] = {PB_EXT_DATASIZE, "ext_item_datasize", "record", 3,
                         "an EVENT_HEADER record of the heap provider with extended items, one of "
                         "whose ItemSize is not align8(8 + DataSize)",
                         "the payload starts where DataSize says", 0, 0},
    [PB_WIDTH_FROM_LOGFILE] = {PB_WIDTH_FROM_LOGFILE, "width_from_logfile", "record", 3,
                               "a 32-bit heap record (Free, Alloc, ReAlloc) in a file whose logfile "
                               "says PointerSize 8",
                               "the payload is read at width 8", 0, 0},
    [PB_STRIDE_AFTER_DAMAGE] = {PB_STRIDE_AFTER_DAMAGE, "stride_after_damage", "buffer", 3,
                                "an uncompressed file with a usable stride and a later buffer whose "
                                "BufferSize differs from it but is at least 0x48",
                                "the walk moves on by the damaged BufferSize, not the stride", 0, 0},
    [PB_TRUNC_RECORD_DIAG] = {PB_TRUNC_RECORD_DIAG, "truncated_record_diag", "buffer", 2,
                              "a file cut inside a buffer, through a record that fits before SavedOffset",
                              "RECORD_SIZE is reported for the cut record", 0, 0},
    [PB_COMPRESSED_ALIGN8] = {PB_COMPRESSED_ALIGN8, "compressed_size_align8", "buffer", 2,
                              "a compressed file (LogFileMode 0x04000000) with a buffer whose "
                              "BufferSize is not a multiple of 8",
                              "BUFFER_SIZE and the file ends there", 0, 0},
    [PB_WRITTEN_VS_ACCEPTED] = {PB_WRITTEN_VS_ACCEPTED, "written_vs_accepted", "file", 2,
                                "a file with a readable logfile record and a buffer position that is "
                                "skipped or not accepted",
                                "BuffersWritten is compared with the accepted buffers", 0, 0},
    [PB_XPRESS_NIBBLE] = {PB_XPRESS_NIBBLE, "xpress_shared_nibble", "xpress", 4,
                          "a compressed file whose compressed buffer holds two long matches sharing a "
                          "length byte with different nibbles",
                          "the second match reads the low nibble again", 0, 0},
};

/* The table's reach and trigger counts, and whether each was logged yet, are
 * updated from any thread with atomic operations. The selection is written
 * once, before decoding starts (first canary or etwhf__planted_select), then
 * only read. */
static unsigned char logged[2][PB_COUNT];
static pthread_once_t init_once_flag = PTHREAD_ONCE_INIT;
static unsigned char selected[PB_COUNT];
static int abort_on_trigger;

static int parse_spec(const char *spec, unsigned char *out)
{
    memset(out, 0, PB_COUNT);
    if (!spec)
        return 0;
    while (*spec) {
        size_t n = strcspn(spec, ",");
        char word[64];
        if (n >= sizeof word)
            return -1;
        memcpy(word, spec, n);
        word[n] = '\0';
        spec += n + (spec[n] == ',');
        if (n == 0)
            continue;
        if (strcmp(word, "all") == 0) {
            memset(out + 1, 1, PB_COUNT - 1);
            continue;
        }
        char *end;
        long id = strtol(word, &end, 10);
        if (*end != '\0') {
            id = 0;
            for (int i = 1; i < PB_COUNT; i++)
                if (strcmp(table[i].name, word) == 0)
                    id = i;
        }
        if (id < 1 || id >= PB_COUNT)
            return -1;
        out[id] = 1;
    }
    return 0;
}

static void init_from_env(void)
{
    const char *a = getenv("ETWHF_PLANTED_ABORT");
    abort_on_trigger = a && *a && strcmp(a, "0") != 0;
    if (parse_spec(getenv("ETWHF_PLANTED"), selected) != 0) {
        fputs("etwhf: ETWHF_PLANTED names no planted bug; none switched on\n", stderr);
        memset(selected, 0, sizeof selected);
    }
}

static void init_once(void)
{
    pthread_once(&init_once_flag, init_from_env);
}

/* One line per first reach / trigger in this process; O_APPEND keeps the
 * lines of parallel writers whole. */
static void log_first(int kind, int id)
{
    if (__atomic_exchange_n(&logged[kind][id], 1, __ATOMIC_RELAXED))
        return;
    const char *path = getenv("ETWHF_PLANTED_LOG");
    if (!path || !*path)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char line[64];
    int n = snprintf(line, sizeof line, "%c %d %lld%09ld\n", kind ? 'T' : 'R', id, (long long)ts.tv_sec, ts.tv_nsec);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t)n) != n) { /* best effort: a lost line is a missed trigger, not a crash */
    }
    close(fd);
}

int etwhf__planted_hit(int id, int triggered)
{
    if (id <= PB_NONE || id >= PB_COUNT)
        return 0;
    init_once();
    __atomic_fetch_add(&table[id].reached, 1, __ATOMIC_RELAXED);
    log_first(0, id);
    if (!triggered)
        return 0;
    __atomic_fetch_add(&table[id].triggered, 1, __ATOMIC_RELAXED);
    log_first(1, id);
    if (abort_on_trigger) {
        fprintf(stderr, "etwhf: planted bug %d (%s) triggered\n", id, table[id].name);
        abort();
    }
    return selected[id];
}

uint64_t etwhf__planted_value(int id, uint64_t v, uint64_t alt)
{
    return etwhf__planted_hit(id, alt != v) ? alt : v;
}

int etwhf__planted_on(int id)
{
    init_once();
    return id > PB_NONE && id < PB_COUNT && selected[id];
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

size_t etwhf__planted_ext_by_datasize(const uint8_t *rec, size_t size)
{
    size_t q = ETWHF_EVT_EXT_START;
    while (q <= size && size - q >= 8) {
        int more = le16(rec + q + 4) & 1u;
        q += 8u + le16(rec + q + 6);
        if (!more)
            break;
    }
    return q < size ? q : size;
}

int etwhf__planted_count(void)
{
    return PB_COUNT - 1;
}

const struct etwhf_planted_bug *etwhf__planted_bug(int id)
{
    return id > PB_NONE && id < PB_COUNT ? &table[id] : NULL;
}

void etwhf__planted_reset(void)
{
    for (int i = 1; i < PB_COUNT; i++) {
        __atomic_store_n(&table[i].reached, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&table[i].triggered, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&logged[0][i], 0, __ATOMIC_RELAXED);
        __atomic_store_n(&logged[1][i], 0, __ATOMIC_RELAXED);
    }
}

int etwhf__planted_select(const char *spec)
{
    init_once();
    return parse_spec(spec, selected);
}
