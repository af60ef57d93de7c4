/*
 * etwhf/check.h — a decoder against a generated corpus (docs/check.md), and
 * the corpus manifest that `etwhf gen --out` writes and the check reads.
 *
 * Shape:
 *   corpus = etwhf_corpus_load(dir, &status, err, sizeof err);
 *   etwhf_check_options_init(&opts); …set fields…
 *   chk = etwhf_check_new(&opts, &status, err, sizeof err);
 *   res = etwhf_check_run(chk, corpus, &status, err, sizeof err);
 *   etwhf_check_report_text(stdout, res);   or etwhf_check_report_json
 *   etwhf_check_result_count(res, ETWHF_CHECK_DISAGREE) …
 *   etwhf_check_result_level(res, ETWHF_CHECK_L2, &agree, &total, &reason) …
 *   etwhf_check_result_passed(res)   (what `etwhf check`'s exit status says)
 *   etwhf_check_result_free(res); etwhf_check_free(chk); etwhf_corpus_free(corpus);
 * and, on the generator's side, etwhf_manifest_write_header once and
 * etwhf_manifest_write_case per case (`etwhf gen --out`): the library writes
 * the manifest it reads.
 *
 * Processes: a run decodes in forked worker processes (etwhf's own decoder),
 * starts the decoder command once per case and mode, or (decoder_batch)
 * once per job, each in a process group of its own; a worker's whole group
 * is killed when it times out, when it exits (what its children left) and
 * when the run stops, and every child is gone when etwhf_check_run
 * returns. While the workers run, the library holds SIGCHLD, and while
 * batch workers run it ignores SIGPIPE (the caller's handlers are put back
 * afterwards). One run at a time per process; a corpus may be shared by
 * runs, read only.
 *
 * ABI: the options struct carries its own size, as in etwhf/decode.h, so
 * fields can be added at its end. Corpus, checker and result are opaque;
 * struct etwhf_corpus_case is owned by the library and read through a
 * pointer, so it too may grow at its end.
 *
 * Errors, one rule for every function here and for the library's internal
 * ones (the headers in check/):
 *  - a function that can fail returns an int holding an enum etwhf_status:
 *    ETWHF_OK (0), or a positive code etwhf_strerror names — ETWHF_EINVAL
 *    (an argument or a value that is not what was asked), ETWHF_ENOMEM,
 *    ETWHF_EIO (a file, a pipe, a process: err or errno says which),
 *    ETWHF_EABORTED (should_stop); never -1;
 *  - a function that makes something returns it, or NULL with the status in
 *    *status (internal makers that can only run out of memory return NULL
 *    alone);
 *  - where an err buffer is passed it receives one line saying why (no
 *    trailing newline);
 *  - a function that answers a question — a count, a name, a level, whether
 *    a case agrees — cannot fail and returns no status: its comment says
 *    what it returns when there is no answer (-1, NULL, 0).
 */
#ifndef ETWHF_CHECK_H
#define ETWHF_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "etwhf/decode.h"
#include "etwhf/format.h"
#include "etwhf/gen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the manifest (written by the generator) ------------------------------ */

/* The manifest's first line for a corpus of `count` cases drawn with `opts`
 * and `seed` (exhaustive: the combinations of etwhf_gen_exhaustive_pin),
 * handed to `write` in one call, newline included. ETWHF_OK, ETWHF_EINVAL
 * (a NULL argument), ETWHF_ENOMEM, or ETWHF_EIO when `write` returned
 * nonzero (errno is then as `write` left it). */
ETWHF_API int etwhf_manifest_write_header(const struct etwhf_gen_options *opts, uint64_t seed, uint64_t count,
                                          int exhaustive, etwhf_gen_write_fn write, void *user);
/* The line of case `id` of a corpus seeded with `seed`, whose input is
 * `file` (relative to the corpus folder); the same returns. */
ETWHF_API int etwhf_manifest_write_case(const struct etwhf_gen_case *k, uint64_t seed, uint64_t id, const char *file,
                                        etwhf_gen_write_fn write, void *user);

/* ---- a referee corpus: any input, etwhf's decoder as the oracle ------------- */

/* A case for file-layer input `data` that etwhf did not generate (a mutated
 * input, a user's file): *out's expectation is what etwhf's decoder reports
 * for it in recover mode — verdict, first error (code and offset: strict
 * mode's stop), error and warning codes, HeapFree events, every heap event,
 * the file counts (docs/spec/conformance.md §1.5). No faults, no shapes; its
 * evidence is -1 (unknown), so etwhf_manifest_write_case leaves "evidence"
 * out and levels L1 and L2 do not judge it. out->bytes stays NULL. ETWHF_OK,
 * ETWHF_EINVAL or ETWHF_ENOMEM; free with etwhf_referee_case_free. */
ETWHF_API int etwhf_referee_case(const void *data, size_t len, struct etwhf_gen_case *out);
ETWHF_API void etwhf_referee_case_free(struct etwhf_gen_case *k);
/* The first line of a manifest whose `count` cases are referee cases
 * (generator_version "referee"); the same returns as above. */
ETWHF_API int etwhf_manifest_write_referee_header(uint64_t count, etwhf_gen_write_fn write, void *user);

/* ---- a corpus: a folder and its manifest.jsonl ---------------------------- */

struct etwhf_corpus;

/* One case as the manifest describes it (the expectation stays inside). */
struct etwhf_corpus_case {
    uint64_t id;
    const char *file;      /* as the manifest writes it, relative to the corpus folder */
    int layer;             /* enum etwhf_gen_layer */
    unsigned pointer_size; /* 4, 8, or 0 = mixed */
    uint8_t event;         /* ETWHF_HEAP_FREE, _ALLOC or _REALLOC (payload cases; else FREE) */
    uint32_t headers;      /* bit (1 << enum etwhf_header) of the forms the case uses */
    size_t line;           /* line of the manifest, for messages */
};

/* Reads dir/manifest.jsonl whole. NULL with *status ETWHF_EIO (the folder
 * or manifest cannot be read, another manifest version, a line that is not
 * a case; a manifest refused whole by docs/spec/manifest.md §3.2: not a
 * regular file, a line over 16 MiB, case lines that do not match the first
 * line's count and id order, a case file that leaves dir: err names the
 * file and line) or ETWHF_ENOMEM ("out of memory", with the line). */
ETWHF_API struct etwhf_corpus *etwhf_corpus_load(const char *dir, int *status, char *err, size_t errlen);
/* A corpus of one case without a manifest: the file at `path` (its folder is
 * the corpus folder) as a referee case (etwhf_referee_case): what `etwhf
 * check FILE` runs. NULL with *status ETWHF_EIO (err says why) or ETWHF_ENOMEM. */
ETWHF_API struct etwhf_corpus *etwhf_corpus_from_file(const char *path, int *status, char *err, size_t errlen);
ETWHF_API void etwhf_corpus_free(struct etwhf_corpus *c);
ETWHF_API size_t etwhf_corpus_count(const struct etwhf_corpus *c);
/* Case i in manifest order; NULL when i is out of range. */
ETWHF_API const struct etwhf_corpus_case *etwhf_corpus_case(const struct etwhf_corpus *c, size_t i);
/* The folder joined with case i's file into buf: ETWHF_OK, or ETWHF_EINVAL
 * when i is out of range or the path does not fit. */
ETWHF_API int etwhf_corpus_case_path(const struct etwhf_corpus *c, size_t i, char *buf, size_t len);

/* ---- a check ---------------------------------------------------------------- */

/* Decode modes (bit 1 << enum etwhf_mode). */
#define ETWHF_CHECK_RECOVER (1u << ETWHF_MODE_RECOVER)
#define ETWHF_CHECK_STRICT (1u << ETWHF_MODE_STRICT)

struct etwhf_check_options {
    size_t struct_size;             /* set by etwhf_check_options_init: sizeof as the caller compiled it */
    const char *decoder;            /* NULL: etwhf's decoder in-process; else the command (docs/check.md) */
    unsigned modes;                 /* ETWHF_CHECK_RECOVER | ETWHF_CHECK_STRICT; 0 (default): both
                           * in-process, recover with a command */
    unsigned jobs;                  /* workers or commands at once (at most 256 run); default: processors online */
    uint64_t timeout_ms;            /* one decode of one case in one mode (default 10000) */
    int strict_codes;               /* with a command: compare diagnostic code names too */
    int all_heap_events;            /* with a command: read HeapAlloc and HeapReAlloc lines too */
    uint64_t sample;                /* 0 (default): every case; else that many, spread evenly */
    size_t show;                    /* cases whose differences the report details (default 10) */
    FILE *progress;                 /* NULL (default): quiet; else a progress line redrawn there (a terminal) */
    int (*should_stop)(void *user); /* polled; nonzero stops the run (ETWHF_EABORTED) */
    void *user;
    /* Which cases run (fields added later; all zero: every case). A case
     * runs when it passes every filter that is set; `sample` then applies
     * to those. A set of filters that selects no case fails the run. */
    const uint64_t *ids; /* nids manifest ids (each must be in the manifest) */
    size_t nids;
    const char *fault;     /* a fault name the case holds ("none": intact cases) */
    uint32_t layers;       /* bit (1 << enum etwhf_gen_layer); 0: any */
    uint32_t header_forms; /* bit (1 << enum etwhf_header): the case uses one of them; 0: any */
    int compressed;        /* ETWHF_CHECK_COMPRESSED_YES / _NO; 0: any */
    /* How the report's reproduce lines name etwhf (NULL: "etwhf"). */
    const char *etwhf_command;
    /* Keep the evidence (output, stderr) of agreeing cases too, for
     * etwhf_check_report_explain; only sensible for a handful of cases. */
    int keep_agreeing;
    int decoder_batch; /* with a command: it is started once per job and speaks the batch
                           * protocol (docs/spec/check-protocol.md §6); no placeholder expands */
    /* What etwhf_check_result_passed asks (`--require`): 0, every case that
     * ran agrees with everything the options compare; ETWHF_CHECK_REQUIRE(level),
     * every case that ran agrees at every conformance level up to `level`
     * (below). A level the run cannot judge fails etwhf_check_run with
     * ETWHF_EINVAL, err naming what to add. */
    int require;
};
#define ETWHF_CHECK_COMPRESSED_YES 1
#define ETWHF_CHECK_COMPRESSED_NO 2

/* Conformance levels (docs/spec/conformance.md). A case agrees at a level
 * when it is in the level's set, passes the level's judgement and agrees at
 * every lower level whose set holds it:
 *   L0 robust   every case: no crash, timeout or failed run in any mode;
 *   L1 intact   cases without faults whose shapes are all observed or
 *               documented: recover mode, no error, every HeapFree event exact;
 *   L2 damaged  cases with faults whose shapes are observed or documented:
 *               recover mode, an error where one is expected, the HeapFree
 *               events before the first fault's damage delivered and exact;
 *   L3 etwhf    every case: recover mode, verdict and every HeapFree event
 *               exact (a command checked without options);
 *   L4 full     every case: everything compared with code names, every heap
 *               event and both modes (in-process: offsets and counts too). */
enum etwhf_check_level {
    ETWHF_CHECK_L0 = 0,
    ETWHF_CHECK_L1,
    ETWHF_CHECK_L2,
    ETWHF_CHECK_L3,
    ETWHF_CHECK_L4,
    ETWHF_CHECK_LEVELS
};
#define ETWHF_CHECK_REQUIRE(level) ((level) + 1)
/* "robust", "intact", "damaged", "etwhf", "full"; NULL out of range. */
ETWHF_API const char *etwhf_check_level_name(int level);
/* enum etwhf_check_level for "L0" … "L4" (or "l0" …), -1 otherwise. */
ETWHF_API int etwhf_check_level_from_name(const char *name);

#define etwhf_check_options_init(opts) etwhf_check_options_init_sized((opts), sizeof *(opts))
ETWHF_API void etwhf_check_options_init_sized(struct etwhf_check_options *opts, size_t struct_size);

struct etwhf_check;

/* A checker with these options (the command is split here). NULL with
 * *status ETWHF_EINVAL (err: what is wrong, e.g. "unterminated single
 * quote") or ETWHF_ENOMEM. */
ETWHF_API struct etwhf_check *etwhf_check_new(const struct etwhf_check_options *opts, int *status, char *err,
                                              size_t errlen);
ETWHF_API void etwhf_check_free(struct etwhf_check *chk);

struct etwhf_check_result;

/* Runs the selected cases of `corpus`, which must outlive the result. NULL
 * with *status ETWHF_EIO (a case file missing, a command that cannot be
 * started, workers that keep dying: err says which), ETWHF_EABORTED
 * (should_stop) or ETWHF_ENOMEM. A case file that exists but cannot be read
 * is not a failure of the run: it is the case's outcome. */
ETWHF_API struct etwhf_check_result *etwhf_check_run(struct etwhf_check *chk, const struct etwhf_corpus *corpus,
                                                     int *status, char *err, size_t errlen);
ETWHF_API void etwhf_check_result_free(struct etwhf_check_result *res);

/* A case's outcome: the gravest of its runs, in this order. */
enum etwhf_check_outcome {
    ETWHF_CHECK_AGREE = 0,
    ETWHF_CHECK_SKIPPED, /* the command cannot take it (no {file}, not a file case) */
    ETWHF_CHECK_DISAGREE,
    ETWHF_CHECK_FAILED, /* the command exited with a status other than 0 or 1 */
    ETWHF_CHECK_TIMEOUT,
    ETWHF_CHECK_CRASH,
    ETWHF_CHECK_IO, /* the case file could not be read */
    ETWHF_CHECK_OUTCOMES
};
/* "agree", "skipped", "disagree", "failed", "timeout", "crash", "io"; "not run" otherwise. */
ETWHF_API const char *etwhf_check_outcome_name(int outcome);

/* Cases the run selected; of them, those whose outcome is `outcome`. */
ETWHF_API size_t etwhf_check_result_cases(const struct etwhf_check_result *res);
ETWHF_API uint64_t etwhf_check_result_count(const struct etwhf_check_result *res, int outcome);

/* Level `level` of the run: 1 when the run judged it, *agree of the *total
 * cases in its set agreeing (cases that ran: skipped ones are in no set);
 * 0 when the run could not judge it, *reason saying why and what adds it
 * ("add --strict-codes --mode both"; owned by res); -1 for a level out of
 * range or no result. Any out pointer may be NULL. */
ETWHF_API int etwhf_check_result_level(const struct etwhf_check_result *res, int level, uint64_t *agree,
                                       uint64_t *total, const char **reason);
/* Case i (manifest order, as etwhf_corpus_case) at `level`: 1 it agrees, 0
 * it does not, -1 not judged (the run did not select it, skipped it or
 * cannot judge the level, or the case is not in the level's set). */
ETWHF_API int etwhf_check_result_case_level(const struct etwhf_check_result *res, size_t i, int level);
/* 1 when the run passes what options.require asks (every case that ran agrees
 * up to that level; without require, every case that ran agrees), 0 when
 * not or when no case ran (all skipped, an empty manifest). */
ETWHF_API int etwhf_check_result_passed(const struct etwhf_check_result *res);

/* The report (docs/check.md): text for people, or one JSON object and a
 * newline. ETWHF_OK; ETWHF_EIO when writing failed (errno as the stream
 * left it) or ETWHF_ENOMEM. (Before SONAME 0.3 a failure returned -1.) */
ETWHF_API int etwhf_check_report_text(FILE *f, const struct etwhf_check_result *res);
ETWHF_API int etwhf_check_report_json(FILE *f, const struct etwhf_check_result *res);
/* Everything about one case of the run (`etwhf check --explain`): its
 * expectation, the manifest's fault locations, what the decoder printed
 * and wrote on stderr in each mode, and the records and diagnostics
 * etwhf's decoder finds around the first difference. ETWHF_OK;
 * ETWHF_EINVAL when the run did not select case `id`; ETWHF_EIO when
 * writing failed (before SONAME 0.3: -1). Evidence of an agreeing case is
 * kept only with keep_agreeing. */
ETWHF_API int etwhf_check_report_explain(FILE *f, const struct etwhf_check_result *res, uint64_t id);
/* The ids an earlier etwhf_check_report_json lists under not_agreeing, for
 * etwhf_check_options.ids (`--rerun-failed`): *ids malloc'd (free it),
 * *nids of them, possibly 0. ETWHF_OK, ETWHF_EIO (not such a report: err
 * says why) or ETWHF_ENOMEM. */
ETWHF_API int etwhf_check_report_read_failed(const char *path, uint64_t **ids, size_t *nids, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
