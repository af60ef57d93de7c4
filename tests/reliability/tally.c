/* The recovery figures; see tally.h. */
#include "tally.h"

#include <string.h>

void tally_catalogue(struct tally_a *a, const struct etwhf_gen_case *c, uint64_t delivered)
{
    a->traces++;
    a->agreed++; /* the caller fails the test on any disagreement first */
    a->damaged += c->n_faults > 0;
    a->compressed += c->compressed != 0;
    a->by_faults[c->n_faults]++;
    for (size_t i = 0; i < c->n_faults; i++)
        a->fault_uses[c->faults[i]]++;
    a->events += delivered;
}

static void out(FILE *json, const char *line)
{
    fputs(line, stdout);
    if (json)
        fputs(line, json);
}

void tally_print_a(const struct tally_a *a, FILE *json)
{
    char line[4096];
    int n = snprintf(line, sizeof line,
                     "{\"figure\":\"a\",\"experiment\":\"catalogue\",\"traces\":%llu,\"faulted\":%llu,"
                     "\"compressed\":%llu,\"agreed\":%llu,\"events\":%llu,\"by_faults\":[",
                     (unsigned long long)a->traces, (unsigned long long)a->damaged, (unsigned long long)a->compressed,
                     (unsigned long long)a->agreed, (unsigned long long)a->events);
    for (int i = 0; i <= ETWHF_GEN_MAX_FAULTS; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s%llu", i ? "," : "", (unsigned long long)a->by_faults[i]);
    int used = 0;
    for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
        used += a->fault_uses[f] > 0;
    snprintf(line + n, sizeof line - (size_t)n, "],\"faults_used\":%d,\"catalogue_faults\":%d}\n", used,
             ETWHF_FAULT_COUNT);
    out(json, line);
}

static void share_add(struct share *s, double v)
{
    if (s->traces == 0 || v < s->min)
        s->min = v;
    s->sum += v;
    s->traces++;
}

void tally_own(struct tally_bc *t, const struct layout *l, const struct damage *d, size_t nd, int eligible,
               uint64_t untouched, uint64_t untouched_want, const struct outcome *base, const struct outcome *got,
               int exact)
{
    t->traces++;
    t->compressed += l->compressed != 0;
    t->damages += nd;
    for (size_t i = 0; i < nd; i++)
        t->by_kind[d[i].kind]++;
    t->exact_traces += exact;
    if (eligible) {
        t->eligible++;
        t->untouched_events += untouched_want;
        for (size_t j = 0; j < l->n; j++)
            if (untouched >> j & 1u) {
                size_t first;
                t->untouched_buffers++;
                t->untouched_delivered += oc_buffer_events(got, j, &first);
            }
    }
    if (base->n == 0)
        return;
    double v = (double)got->n / (double)base->n;
    share_add(&t->all, v);
    share_add(l->compressed ? &t->comp : &t->uncompressed, v);
    if (nd == 1)
        share_add(&t->single[d[0].kind], v);
}

static int share_json(char *p, size_t cap, const char *sep, const char *name, const struct share *s)
{
    return snprintf(p, cap, "%s\"%s\":{\"traces\":%llu,\"mean\":%.4f,\"min\":%.4f}", sep, name,
                    (unsigned long long)s->traces, s->traces ? s->sum / (double)s->traces : 0.0, s->min);
}

void tally_print_bc(const struct tally_bc *t, const char *name, FILE *json)
{
    char line[4096];
    size_t cap = sizeof line;
    int n = snprintf(line, cap,
                     "{\"figure\":\"bc\",\"experiment\":\"%s\",\"traces\":%llu,\"not_framed\":%llu,\"compressed\":%llu,"
                     "\"damages\":%llu,\"buffers_compared\":%llu,\"exact_traces\":%llu,\"eligible_b\":%llu,"
                     "\"untouched_buffers\":%llu,\"untouched_events\":%llu,\"untouched_delivered\":%llu",
                     name, (unsigned long long)t->traces, (unsigned long long)t->unframed,
                     (unsigned long long)t->compressed, (unsigned long long)t->damages,
                     (unsigned long long)t->buffers_compared, (unsigned long long)t->exact_traces,
                     (unsigned long long)t->eligible, (unsigned long long)t->untouched_buffers,
                     (unsigned long long)t->untouched_events, (unsigned long long)t->untouched_delivered);
    n += snprintf(line + n, cap - (size_t)n, ",\"by_kind\":{");
    for (int k = 0; k < DK_KINDS; k++)
        n += snprintf(line + n, cap - (size_t)n, "%s\"%s\":%llu", k ? "," : "", dmg_kind_name(k),
                      (unsigned long long)t->by_kind[k]);
    n += snprintf(line + n, cap - (size_t)n, "},\"share\":{");
    n += share_json(line + n, cap - (size_t)n, "", "all", &t->all);
    n += share_json(line + n, cap - (size_t)n, ",", "uncompressed", &t->uncompressed);
    n += share_json(line + n, cap - (size_t)n, ",", "compressed", &t->comp);
    for (int k = 0; k < DK_KINDS; k++) {
        char key[48];
        snprintf(key, sizeof key, "only_%s", dmg_kind_name(k));
        n += share_json(line + n, cap - (size_t)n, ",", key, &t->single[k]);
    }
    snprintf(line + n, cap - (size_t)n, "}}\n");
    out(json, line);
}
