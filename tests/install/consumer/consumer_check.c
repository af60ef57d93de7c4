/* Writes a small corpus with the installed generator and the check
 * library's manifest writer, reads it back and checks etwhf's decoder
 * against it in-process, the way a program that links etwhf_check would:
 * every case agrees, and the report is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <etwhf/check.h>

#define CASES 30

static int put(void *user, const void *data, size_t len)
{
    return fwrite(data, 1, len, user) == len ? 0 : -1;
}

/* dir/cases/ and dir/manifest.jsonl as `etwhf gen --out dir --count CASES --seed 3` writes them. */
static int write_corpus(const char *dir)
{
    char path[512], name[256], file[300];
    snprintf(path, sizeof path, "%s/cases", dir);
    if (mkdir(path, 0755) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    FILE *m = fopen(path, "w");
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    int rc = m ? etwhf_manifest_write_header(&o, 3, CASES, 0, put, m) : ETWHF_EIO;
    for (uint64_t id = 0; id < CASES && rc == ETWHF_OK; id++) {
        struct etwhf_dstream ds;
        struct etwhf_gen_case k;
        etwhf_dstream_init_seed(&ds, 3, id);
        if ((rc = etwhf_gen_case(&o, &ds, &k)) != ETWHF_OK)
            break;
        etwhf_gen_case_name(&k, id, name, sizeof name);
        snprintf(file, sizeof file, "cases/%s", name);
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *f = fopen(path, "wb");
        rc = f && fwrite(k.bytes, 1, k.len, f) == k.len && fclose(f) == 0 ? ETWHF_OK : ETWHF_EIO;
        if (rc == ETWHF_OK)
            rc = etwhf_manifest_write_case(&k, 3, id, file, put, m);
        etwhf_gen_case_free(&k);
    }
    if (m && fclose(m) != 0)
        rc = ETWHF_EIO;
    if (rc != ETWHF_OK)
        printf("writing the corpus: %s\n", etwhf_strerror(rc));
    return rc == ETWHF_OK ? 0 : -1;
}

int main(void)
{
    char dir[] = "/tmp/etwhf_consumer_check_XXXXXX", err[512], cmd[600];
    if (!mkdtemp(dir) || write_corpus(dir) != 0)
        return 1;
    int st, ok = 0;
    struct etwhf_corpus *corpus = etwhf_corpus_load(dir, &st, err, sizeof err);
    struct etwhf_check_options opts;
    etwhf_check_options_init(&opts);
    opts.jobs = 2;
    struct etwhf_check *chk = corpus ? etwhf_check_new(&opts, &st, err, sizeof err) : NULL;
    struct etwhf_check_result *res = chk ? etwhf_check_run(chk, corpus, &st, err, sizeof err) : NULL;
    if (!res) {
        printf("etwhf_check: %s (%s)\n", etwhf_strerror(st), err);
    } else {
        FILE *null = fopen("/dev/null", "w");
        uint64_t agree = etwhf_check_result_count(res, ETWHF_CHECK_AGREE);
        ok = etwhf_corpus_count(corpus) == CASES && etwhf_check_result_cases(res) == CASES && agree == CASES && null &&
             etwhf_check_report_json(null, res) == 0;
        printf("check: %zu cases, %llu agree\n", etwhf_check_result_cases(res), (unsigned long long)agree);
        if (null)
            fclose(null);
    }
    etwhf_check_result_free(res);
    etwhf_check_free(chk);
    etwhf_corpus_free(corpus);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        ok = 0;
    return ok ? 0 : 1;
}
