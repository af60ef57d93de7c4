/*
 * etl-census — counts what real .etl files hold, for the "observed" column of
 * docs/spec/evidence.md (how to reproduce it is there).
 *
 *   etl-census [--json] [--total] DIR|FILE...
 *
 * A DIR is searched recursively for files named *.etl (any case; links to
 * folders are not followed); a FILE is read whatever its name. Files are
 * taken in path order. For each file, then for all of them together, it
 * prints:
 *
 *   logfile       the record at 0x48: HeaderType (layout), BufferSize,
 *                 PointerSize, LogFileMode, Version, BuffersWritten minus the
 *                 buffer positions found, EventsLost / BuffersLost, the bytes
 *                 after the names, and each name's encoding (empty, ASCII,
 *                 non-ASCII, lone surrogate, unterminated)
 *   buffers       positions, buffers walked, BufferFlag / BufferType /
 *                 State / BufferSize values, plain buffers whose Offset field
 *                 equals SavedOffset, unusable SavedOffsets
 *   filler        plain buffers with room after SavedOffset, and whether all
 *                 of it is 0xFF
 *   compressed    compression format, buffers expanded or not, whether each
 *                 stream holds exactly SavedOffset − 0x48 bytes of output or
 *                 more, whether it then ends as MS-XCA ends a stream (a match
 *                 flag bit where the input ends), the input bytes left after
 *                 that output, BufferSizes,
 *                 EVENTS_LOST / BUFFER_LOST flags on compressed buffers
 *   region_ends   how each buffer's records end (exactly at SavedOffset, at
 *                 the 0xFFFFFFFF filler, or where the walk would stop)
 *   records       per header form, byte 3 per form, width-4 records in 64-bit
 *                 traces, Size mod 8, non-zero alignment pads
 *   message       MESSAGE records and their OptionFlags
 *   perfinfo      PMC counter counts (Version bits 8–10), PEBS (bit 15)
 *   event_header  Flags, extended items: ItemSize values, how many are
 *                 multiples of 8, ItemSize = align8(8 + DataSize) or
 *                 8 + DataSize, ExtType values
 *   system_groups HookId high bytes of system / compact / perfinfo records;
 *                 the HookIds of group 0x00 (logfile and header events);
 *                 stack walks (HookId 0x1820) per form
 *   heap          records of group 0x10 or with the heap provider GUID
 *   notes         what etwhf's walk would not accept, and other unusual
 *                 things (filler that is not 0xFF): how many, and the first
 *                 few of each file with their offsets
 *
 * --json prints one JSON document {"files": [...], "total": {...}} with the
 * same keys; --total prints the total only. The census never trusts a byte:
 * every read is bounds-checked (decoder/cursor.h), so damaged or hostile
 * files are counted, not crashed on. Exit status: 0; 1 when a path could not
 * be read or no file was found; 2 on a usage error.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "census.h"

struct paths {
    char **v;
    size_t n, cap;
    int failed;
};

static struct paths found; /* nftw's callback has no user pointer */

static int add_path(struct paths *ps, const char *p)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        char **v = realloc(ps->v, cap * sizeof *v);
        if (!v)
            return -1;
        ps->v = v;
        ps->cap = cap;
    }
    if (!(ps->v[ps->n] = strdup(p)))
        return -1;
    ps->n++;
    return 0;
}

static int is_etl(const char *p)
{
    size_t n = strlen(p);
    return n >= 4 && strcasecmp(p + n - 4, ".etl") == 0;
}

static int visit(const char *p, const struct stat *st, int kind, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (kind == FTW_DNR || kind == FTW_NS) {
        fprintf(stderr, "etl-census: cannot read %s\n", p);
        found.failed = 1;
        return 0;
    }
    if (kind == FTW_F && is_etl(p) && add_path(&found, p) != 0)
        return -1;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file in memory (the largest public trace is 26 MB). */
static uint8_t *slurp(const char *p, size_t *len)
{
    FILE *fp = fopen(p, "rb");
    struct stat st;
    if (!fp)
        return NULL;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SIZE_MAX - 1) {
        fclose(fp);
        errno = EINVAL;
        return NULL;
    }
    uint8_t *data = malloc((size_t)st.st_size + 1);
    size_t n = data ? fread(data, 1, (size_t)st.st_size, fp) : 0;
    int bad = !data || ferror(fp) || n != (size_t)st.st_size;
    fclose(fp);
    if (bad) {
        free(data);
        errno = data ? EIO : ENOMEM;
        return NULL;
    }
    *len = n;
    return data;
}

static void census_file(struct census *cs, const uint8_t *data, size_t n)
{
    struct cur file = cur_make(data, n);
    struct census_file f = {cs, 0};
    struct census_logfile lf = {0, 0, 0};
    cs->files = 1;
    cs->bytes = n;
    const int have_lf = etwhf__census_logfile(&f, &file, &lf);
    etwhf__census_buffers(&f, &file, &lf, have_lf);
}

static int usage(FILE *out, int rc)
{
    fputs(
        "usage: etl-census [--json] [--total] DIR|FILE...\n"
        "Counts header forms, byte-3 values, MESSAGE options, extended items, PMC/PEBS bits,\n"
        "compressed streams, fillers, logfile fields and names in real .etl files\n"
        "(DIR: every *.etl below it). See docs/spec/evidence.md.\n",
        out);
    return rc;
}

int main(int argc, char **argv)
{
    enum census_format fmt = CENSUS_TEXT;
    int total_only = 0, i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--json") == 0)
            fmt = CENSUS_JSON;
        else if (strcmp(argv[i], "--total") == 0)
            total_only = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout, 0);
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "etl-census: unknown option %s\n", argv[i]);
            return usage(stderr, 2);
        }
    }
    if (i == argc)
        return usage(stderr, 2);

    for (; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "etl-census: %s: %s\n", argv[i], strerror(errno));
            found.failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (nftw(argv[i], visit, 16, FTW_PHYS) != 0) {
                fprintf(stderr, "etl-census: %s: cannot walk the folder\n", argv[i]);
                found.failed = 1;
            }
        } else if (add_path(&found, argv[i]) != 0) {
            fprintf(stderr, "etl-census: out of memory\n");
            return 1;
        }
    }
    if (found.n > 1)
        qsort(found.v, found.n, sizeof found.v[0], by_name);
    if (found.n == 0) {
        fprintf(stderr, "etl-census: no .etl file found\n");
        return 1;
    }

    struct census *total = malloc(sizeof *total), *one = malloc(sizeof *one);
    struct census_report *r = etwhf__report_open(fmt);
    if (!total || !one || !r) {
        fprintf(stderr, "etl-census: out of memory\n");
        return 1;
    }
    etwhf__census_init(total);
    for (size_t k = 0; k < found.n; k++) {
        size_t n = 0;
        uint8_t *data = slurp(found.v[k], &n);
        etwhf__census_init(one);
        if (!data) {
            fprintf(stderr, "etl-census: %s: %s\n", found.v[k], strerror(errno));
            found.failed = 1;
            one->unreadable = 1;
        } else {
            census_file(one, data, n);
            free(data);
        }
        if (!total_only)
            etwhf__report_file(r, found.v[k], one);
        etwhf__census_merge(total, one);
        free(found.v[k]);
    }
    etwhf__report_total(r, total);
    etwhf__report_close(r);
    free(found.v);
    free(total);
    free(one);
    return fflush(stdout) != 0 || found.failed ? 1 : 0;
}
