/*
 * standalone_driver.c — runs a fuzz target without any fuzz engine, for
 * ctest replays and for reproducing what a campaign found.
 *
 *   fuzz_<name> FILE|DIR...
 *
 * Each file (directories are walked recursively, in name order) is copied
 * into a malloc of exactly its size, so ASan sees a read one byte past the
 * end. A per-input alarm (ETWHF_FUZZ_TIMEOUT seconds, default 10, 0 = none)
 * aborts with a "timeout" line naming the input. Files named README*, *.md,
 * *.expect and dot-files are not inputs. When `<input>.expect` exists, the
 * outcome the target recorded is compared with it (corpus/regressions/README.md).
 * ETWHF_FUZZ_MIN_INPUTS=N fails the run when fewer than N inputs were found
 * (so a replay of a corpus that went missing cannot pass).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etwhf/format.h"
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The structure-aware targets call this for raw byte changes; libFuzzer
 * provides it, here a small deterministic stand-in keeps them runnable. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    static uint32_t state = 0x9E3779B9u;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    if (size == 0 && max_size > 0) {
        data[0] = (uint8_t)state;
        return 1;
    }
    if (size > 0)
        data[state % size] ^= (uint8_t)(1u << (state >> 29));
    return size;
}

static const char *current_input = "(none)";
static unsigned timeout_secs = 10;

static void on_alarm(int sig)
{
    (void)sig;
    /* async-signal-safe writes only */
    static const char pre[] = "standalone driver: timeout after ETWHF_FUZZ_TIMEOUT seconds on ";
    if (write(2, pre, sizeof pre - 1) < 0 || write(2, current_input, strlen(current_input)) < 0 ||
        write(2, "\n", 1) < 0) {
        /* nothing more can be said */
    }
    abort();
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int is_input_name(const char *base)
{
    return base[0] != '.' && strncmp(base, "README", 6) != 0 && !has_suffix(base, ".md") &&
           !has_suffix(base, ".expect");
}

static uint8_t *read_exact(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    /* malloc(0) may return NULL; a 1-byte block still traps reads of data[0] */
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ---- `.expect` sidecars ---------------------------------------------------- */

/* A sidecar is not a manifest case line, and the check library's manifest
 * reader (etwhf/check.h) does not read it, for three reasons:
 *  - this driver is built where that library is not: the MSan preset builds
 *    the decoder and the fuzz targets only, and MSan needs every linked
 *    library instrumented (Debian's jansson is not); every fuzz target
 *    would carry a JSON parser for a handful of files;
 *  - a sidecar is a partial verdict written by hand from the spec for one
 *    recover-mode decode (a missing line is not checked; `events` counts
 *    heap events of every type), where a manifest case is the generator's
 *    whole expectation (every event with its fields, the first error and
 *    its offset, the buffer counts), which a person cannot write for a
 *    minimised crash input;
 *  - it starts with comments saying why the input is kept; JSON has none.
 * Its keys keep the manifest's names where they mean the same (verdict,
 * errors, warnings) and its format is corpus/regressions/README.md's. */

static int parse_codes(char *list, uint32_t *mask)
{
    for (char *tok = strtok(list, " \t,"); tok; tok = strtok(NULL, " \t,")) {
        int code = etwhf_diag_from_name(tok);
        if (!code)
            return -1;
        *mask |= 1u << code;
    }
    return 0;
}

/* Returns 0 when the outcome matches, 1 when not, -1 when the sidecar is broken. */
static int check_expect(const char *input, const char *expect_path)
{
    FILE *f = fopen(expect_path, "r");
    if (!f)
        return 0;
    const struct fuzz_outcome *o = fuzz_outcome_get();
    char line[1024];
    int bad = 0, broken = 0, have_verdict = 0;
    uint32_t want_err = 0, want_warn = 0;
    int check_err = 0, check_warn = 0;
    long long want_events = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *val = strchr(line, ':');
        if (!val) {
            broken = 1;
            continue;
        }
        *val++ = '\0';
        if (!strcmp(line, "verdict")) {
            while (*val == ' ')
                val++;
            have_verdict = !strcmp(val, "error") ? 2 : !strcmp(val, "ok") ? 1 : (broken = 1, 0);
        } else if (!strcmp(line, "errors")) {
            check_err = 1;
            broken |= parse_codes(val, &want_err) != 0;
        } else if (!strcmp(line, "warnings")) {
            check_warn = 1;
            broken |= parse_codes(val, &want_warn) != 0;
        } else if (!strcmp(line, "events")) {
            want_events = strtoll(val, NULL, 10);
        } else {
            broken = 1;
        }
    }
    fclose(f);
    if (broken || !have_verdict) {
        fprintf(stderr, "%s: unreadable sidecar (see corpus/regressions/README.md)\n", expect_path);
        return -1;
    }
    if (!o->valid) {
        fprintf(stderr, "%s: the target recorded no outcome to compare\n", input);
        return 1;
    }
    int got_error = o->error_mask != 0;
    if ((have_verdict == 2) != got_error) {
        fprintf(stderr, "%s: verdict %s, expected %s\n", input, got_error ? "error" : "ok",
                have_verdict == 2 ? "error" : "ok");
        bad = 1;
    }
    if (check_err && o->error_mask != want_err) {
        fprintf(stderr, "%s: error codes mask 0x%08x, expected 0x%08x\n", input, o->error_mask, want_err);
        bad = 1;
    }
    if (check_warn && o->warning_mask != want_warn) {
        fprintf(stderr, "%s: warning codes mask 0x%08x, expected 0x%08x\n", input, o->warning_mask, want_warn);
        bad = 1;
    }
    if (want_events >= 0 && o->events != (uint64_t)want_events) {
        fprintf(stderr, "%s: %llu events, expected %lld\n", input, (unsigned long long)o->events, want_events);
        bad = 1;
    }
    return bad;
}

/* ---- running inputs ---------------------------------------------------------- */

static unsigned long n_run, n_failed;

static void run_file(const char *path)
{
    size_t len = 0;
    uint8_t *buf = read_exact(path, &len);
    if (!buf) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno ? errno : EIO));
        n_failed++;
        return;
    }
    current_input = path;
    fuzz_outcome_clear();
    alarm(timeout_secs);
    LLVMFuzzerTestOneInput(buf, len);
    alarm(0);
    free(buf);
    n_run++;

    char expect[4096];
    if ((size_t)snprintf(expect, sizeof expect, "%s.expect", path) < sizeof expect && check_expect(path, expect) != 0)
        n_failed++;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path);

static void run_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        n_failed++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_input_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, cap * sizeof *names);
            if (!p)
                abort();
            names = p;
        }
        if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
            abort();
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        run_path(names[i]);
        free(names[i]);
    }
    free(names);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        n_failed++;
    } else if (S_ISDIR(st.st_mode)) {
        run_dir(path);
    } else {
        run_file(path);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...  (ETWHF_FUZZ_TIMEOUT=seconds per input, default 10)\n", argv[0]);
        return 2;
    }
    const char *t = getenv("ETWHF_FUZZ_TIMEOUT");
    if (t && *t)
        timeout_secs = (unsigned)strtoul(t, NULL, 10);
    signal(SIGALRM, on_alarm);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++)
        run_path(argv[i]);
    fprintf(stderr, "%s: %lu inputs run, %lu failed\n", argv[0], n_run, n_failed);
    const char *min = getenv("ETWHF_FUZZ_MIN_INPUTS");
    if (min && *min && n_run < strtoul(min, NULL, 10)) {
        fprintf(stderr, "%s: fewer inputs than ETWHF_FUZZ_MIN_INPUTS=%s\n", argv[0], min);
        return 1;
    }
    return n_failed ? 1 : 0;
}
