/* The in-process runner with a stand-in decoder that crashes, hangs, prints
 * a sanitizer report or disagrees on chosen cases: each costs exactly its
 * own case, every other case (the rest of the crashed worker's chunk
 * included) still runs and agrees. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/wait.h>

#include "corpus.h"
#include "runner_inproc.h"

/* Stand-in for etwhf's decoder (runner.h's decode hook): the case file's first
 * byte says what to do. */
static int stand_in(const struct check_case *k, int mode, const void *data, size_t len, struct check_observed *o,
                    char *why, size_t whylen)
{
    (void)k;
    (void)why;
    (void)whylen;
    const char *b = data;
    etwhf__check_observed_reset(o);
    o->codes_known = 1;
    switch (len ? b[0] : 'O') {
    case 'S':
        signal(SIGSEGV, SIG_DFL); /* cmocka's handler would carry on in the worker */
        raise(SIGSEGV);
        break;
    case 'H':
        for (;;)
            pause();
    case 'A': fputs("==7==ERROR: AddressSanitizer: stack-use-after-return (stand-in)\n", stderr); _exit(1);
    case 'T': /* strict mode only crashes */
        if (mode == ETWHF_MODE_STRICT) {
            signal(SIGABRT, SIG_DFL);
            abort();
        }
        break;
    case 'W': {
        struct etwhf_gen_event ev = {1, 2, 3, 8};
        etwhf__check_observed_add_event(o, &ev);
        break;
    }
    default: break;
    }
    return 0;
}

#define NCASES 40
static const char mixed[NCASES + 1] = "OOOSSOOOOOHOOOOOOAOOWOOOOXOOOTOOOOOOOOOS";

static char dir[sizeof "/tmp/etwhf_check_inproc_XXXXXX"];

static void write_corpus(const char *plan)
{
    char path[512];
    strcpy(dir, "/tmp/etwhf_check_inproc_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cases", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    FILE *m = fopen(path, "w");
    assert_non_null(m);
    fputs("{\"manifest\":1,\"generator_version\":\"test\",\"options\":{}}\n", m);
    for (int i = 0; i < NCASES; i++) {
        fprintf(m,
                "{\"id\":%d,\"file\":\"cases/c%02d\",\"layer\":\"record\",\"pointer_size\":8,"
                "\"faults\":[\"%c\"],\"expect\":{\"verdict\":\"ok\",\"first_error\":null,\"errors\":[],"
                "\"warnings\":[],\"events\":[]}}\n",
                i, i, plan[i]);
        snprintf(path, sizeof path, "%s/cases/c%02d", dir, i);
        if (plan[i] == 'X') { /* unreadable: a folder */
            assert_int_equal(mkdir(path, 0755), 0);
            continue;
        }
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputc(plan[i], f);
        fclose(f);
    }
    fclose(m);
}

/* SIGINT as the CLI handles it: a flag the run polls through should_stop. */
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

static int interrupted(void *user)
{
    (void)user;
    return got_sigint != 0;
}

static size_t sel[NCASES];

static void setup_run(const char *plan, struct etwhf_corpus *c, struct check_tally *t, struct check_run *r,
                      uint64_t timeout_ms)
{
    char err[512];
    write_corpus(plan);
    assert_int_equal(etwhf__manifest_read(dir, c, err, sizeof err), ETWHF_OK);
    for (size_t i = 0; i < NCASES; i++)
        sel[i] = i;
    assert_int_equal(etwhf__check_tally_init(t, NCASES, NCASES), ETWHF_OK);
    *r = (struct check_run){.corpus = c,
                            .tally = t,
                            .selected = sel,
                            .nselected = NCASES,
                            .modes = 3,
                            .jobs = 2,
                            .timeout_ms = timeout_ms,
                            .decode = stand_in,
                            .should_stop = interrupted};
}

static void teardown_run(struct etwhf_corpus *c, struct check_tally *t)
{
    etwhf__check_tally_free(t);
    etwhf__corpus_clear(c);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_workers_survive(void **state)
{
    (void)state;
    struct etwhf_corpus c;
    struct check_tally t;
    struct check_run r;
    /* 'H' never returns; every other stand-in returns in microseconds, so
     * the timeout only has to outlast a worker descheduled on a loaded
     * machine (300 ms did not always). */
    setup_run(mixed, &c, &t, &r, 5000);
    assert_int_equal(etwhf__check_run_inproc(&r), ETWHF_OK);
    for (int i = 0; i < NCASES; i++) {
        int want = mixed[i] == 'S' || mixed[i] == 'A' || mixed[i] == 'T' ? ETWHF_CHECK_CRASH
                   : mixed[i] == 'H'                                     ? ETWHF_CHECK_TIMEOUT
                   : mixed[i] == 'W'                                     ? ETWHF_CHECK_DISAGREE
                   : mixed[i] == 'X'                                     ? ETWHF_CHECK_IO
                                                                         : ETWHF_CHECK_AGREE;
        if (t.outcome[i] != want) {
            fprintf(stderr, "case %d (%c): %s, expected %s\n", i, mixed[i], etwhf_check_outcome_name(t.outcome[i]),
                    etwhf_check_outcome_name(want));
            for (size_t s = 0; s < t.nshown; s++)
                if (t.shown[s].idx == (size_t)i)
                    fprintf(stderr, "  %s: %s\n", t.shown[s].diff.items[0].field, t.shown[s].diff.items[0].got);
            fail();
        }
    }
    /* The details say what happened, and in which mode. */
    for (size_t s = 0; s < t.nshown; s++) {
        const struct check_shown *sh = &t.shown[s];
        const struct check_item *it = &sh->diff.items[0];
        switch (mixed[sh->idx]) {
        case 'A': assert_non_null(strstr(it->got, "ERROR: AddressSanitizer: stack-use-after-return")); break;
        case 'T': assert_int_equal(it->mode, ETWHF_MODE_STRICT); break;
        case 'H': assert_string_equal(it->field, "timeout"); break;
        case 'S': assert_int_equal(it->mode, ETWHF_MODE_RECOVER); break;
        default: break;
        }
    }
    teardown_run(&c, &t);
}

/* SIGINT while every worker hangs: the run returns at once and no worker is left. */
static void test_interrupt(void **state)
{
    (void)state;
    static const char hangs[NCASES + 1] = "HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH";
    struct etwhf_corpus c;
    struct check_tally t;
    struct check_run r;
    setup_run(hangs, &c, &t, &r, 60000);
    signal(SIGINT, on_sigint);
    pid_t me = getpid(), helper = fork();
    assert_true(helper >= 0);
    if (helper == 0) {
        usleep(300 * 1000);
        kill(me, SIGINT);
        _exit(0);
    }
    assert_int_equal(etwhf__check_run_inproc(&r), ETWHF_EABORTED);
    assert_int_equal(waitpid(helper, NULL, 0), helper);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no worker left to reap */
    assert_int_equal(errno, ECHILD);
    teardown_run(&c, &t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_survive),
        cmocka_unit_test(test_interrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
