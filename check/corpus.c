/* A loaded corpus: the public accessors and the helpers on top of corpus.h. */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

struct etwhf_corpus *etwhf_corpus_load(const char *dir, int *status, char *err, size_t errlen)
{
    struct etwhf_corpus *c = malloc(sizeof *c);
    int st = ETWHF_ENOMEM;
    uint64_t t0 = etwhf__check_now_ms();
    if (!c)
        snprintf(err, errlen, "out of memory");
    else if ((st = etwhf__manifest_read(dir, c, err, errlen)) != ETWHF_OK) {
        free(c);
        c = NULL;
    } else {
        c->load_seconds = (double)(etwhf__check_now_ms() - t0) / 1000.0;
    }
    if (status)
        *status = st;
    return c;
}

void etwhf__corpus_clear(struct etwhf_corpus *c)
{
    for (size_t i = 0; i < c->ncases; i++)
        free((char *)c->cases[i].info.file);
    for (size_t i = 0; i < c->nfaults; i++)
        free(c->fault_names[i]);
    free(c->cases);
    free(c->events);
    free(c->heap_events);
    free(c->case_faults);
    free(c->fault_names);
    free(c->locations);
    free(c->generator_version);
    free(c->dir);
    memset(c, 0, sizeof *c);
}

void etwhf_corpus_free(struct etwhf_corpus *c)
{
    if (!c)
        return;
    etwhf__corpus_clear(c);
    free(c);
}

size_t etwhf_corpus_count(const struct etwhf_corpus *c)
{
    return c ? c->ncases : 0;
}

const struct etwhf_corpus_case *etwhf_corpus_case(const struct etwhf_corpus *c, size_t i)
{
    return c && i < c->ncases ? &c->cases[i].info : NULL;
}

int etwhf_corpus_case_path(const struct etwhf_corpus *c, size_t i, char *buf, size_t len)
{
    return !c || i >= c->ncases ? ETWHF_EINVAL : etwhf__corpus_case_path(c, &c->cases[i], buf, len);
}

int etwhf__corpus_case_path(const struct etwhf_corpus *c, const struct check_case *k, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", c->dir, k->info.file);
    return n < 0 || (size_t)n >= len ? ETWHF_EINVAL : ETWHF_OK;
}

const char *etwhf__corpus_fault(const struct etwhf_corpus *c, const struct check_case *k, size_t j)
{
    return c->fault_names[c->case_faults[k->fault_start + j]];
}
