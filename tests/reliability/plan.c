/* What a damaged trace must deliver; see plan.h. */
#include "plan.h"
#include "etwhf/layout.h"

#include <stdio.h>
#include <string.h>

/* With the logfile record intact an uncompressed file's positions sit at
 * multiples of S whatever else is damaged, and each is walked on its own
 * (B1–B7): a position we did not touch delivers all it held, one we touched
 * once follows the damage's rule (intact bases only), positions past a cut
 * are gone. A compressed file chains its positions by their own BufferSize:
 * only those before the first damage are certain. */
void plan_damage(struct plan *p, const struct layout *l, const struct damage *d, size_t nd, int exact_rules)
{
    memset(p, 0, sizeof *p);
    const struct damage *cut = NULL, *by[DMG_MAX_BUFS] = {0};
    int logfile_touched = 0, hits[DMG_MAX_BUFS] = {0};
    size_t first_touched = l->n;
    for (size_t i = 0; i < nd; i++) {
        size_t b = d[i].buffer;
        first_touched = b < first_touched ? b : first_touched;
        if (d[i].kind == DK_TRUNCATE) {
            cut = &d[i];
            continue;
        }
        hits[b]++;
        by[b] = &d[i];
        logfile_touched |= d[i].lo < l->lf_end && d[i].hi > ETWHF_BUFFER_HEADER_SIZE;
    }
    size_t last = cut ? cut->buffer : l->n - 1;
    p->eligible = !l->compressed && !logfile_touched && (!cut || cut->cut >= l->lf_end);
    p->errors_known = exact_rules && !l->compressed && !logfile_touched;
    for (size_t j = 0; j < l->n; j++) {
        int n_hits = hits[j] + (cut && j == last);
        const struct damage *own = cut && j == last ? cut : by[j];
        if (n_hits == 0 && j < last + 1 && (l->compressed ? j < first_touched : !logfile_touched)) {
            p->expect[j] = BX_ALL;
            p->untouched |= UINT64_C(1) << j;
        } else if (l->compressed || logfile_touched) {
            p->expect[j] = BX_UNKNOWN;
        } else if (j > last) {
            p->expect[j] = BX_NONE;
        } else if (!exact_rules || n_hits > 1 || own->rule.expect == BX_UNKNOWN) {
            p->expect[j] = BX_UNKNOWN;
            p->errors_known = 0;
        } else {
            p->expect[j] = own->rule.expect;
            p->limit[j] = own->rule.limit;
            p->errors |= own->rule.errors;
            p->errors_known &= own->rule.errors_known;
        }
    }
}

/* Is base event e of buffer j among those the rule keeps? */
static int kept(const struct plan *p, size_t j, const struct layout *l, const uint8_t *base_bytes,
                const struct oc_event *e)
{
    uint64_t rel = e->offset - l->off[j];
    switch (p->expect[j]) {
    case BX_ALL: return 1;
    case BX_BEFORE: return rel < p->limit[j];
    case BX_UPTO: {
        const uint8_t *sz = base_bytes + e->offset + etwhf_header_info(e->header)->size_at;
        return rel + (uint64_t)(sz[0] | sz[1] << 8) <= p->limit[j];
    }
    default: return 0;
    }
}

static const char *const expect_names[] = {"all", "none", "up to", "before", "unknown"};

/* Compares buffer j; counts the expected events. The message names the
 * buffer, its rule and the first event that differs. */
const char *plan_compare_buffer(const struct plan *p, size_t j, const struct layout *l, const uint8_t *base_bytes,
                                const struct outcome *base, const struct outcome *got, uint64_t *want_n)
{
    static char why[256];
    size_t bf, gf, bn = oc_buffer_events(base, j, &bf), gn = oc_buffer_events(got, j, &gf), k = 0;
    for (size_t i = 0; i < bn; i++) {
        const struct oc_event *e = &base->ev[bf + i];
        if (!kept(p, j, l, base_bytes, e))
            continue;
        if (k >= gn || memcmp(e, &got->ev[gf + k], sizeof *e) != 0) {
            snprintf(why, sizeof why,
                     "buffer %zu (rule: %s 0x%llx): expected event %zu at offset 0x%llx; got %s 0x%llx", j,
                     expect_names[p->expect[j]], (unsigned long long)p->limit[j], k, (unsigned long long)e->offset,
                     k < gn ? "one at" : "none, events", (unsigned long long)(k < gn ? got->ev[gf + k].offset : gn));
            return why;
        }
        k++;
    }
    *want_n = k;
    if (k == gn)
        return NULL;
    snprintf(why, sizeof why,
             "buffer %zu (rule: %s 0x%llx): %zu events expected, %zu delivered, the first extra at 0x%llx", j,
             expect_names[p->expect[j]], (unsigned long long)p->limit[j], k, gn,
             (unsigned long long)got->ev[gf + k].offset);
    return why;
}
