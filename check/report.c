/* The check report, text and JSON (etwhf/check.h); docs/check.md shows it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "etwhf/check.h"
#include "etwhf/format.h"
#include "explain.h"
#include "levels.h"
#include "manifest.h"
#include "repro_line.h"
#include "result.h"

struct group {
    const char *name;
    size_t order;
    uint64_t cases;
    uint64_t by[ETWHF_CHECK_OUTCOMES];
};

/* Header groups: the forms, then the CHECK_AT_* values (at_group). */
#define AT_GROUPS 3
static size_t at_group(int at)
{
    return at >= 0 ? (size_t)at : (size_t)(ETWHF_HDR_FORMS + (-at - 1));
}

struct groups {
    struct group *fault, *header, *layer, *compressed;
    size_t nfault, nheader, nlayer, ncompressed;
    uint64_t kinds[CHECK_K_COUNT];
};

static uint64_t bad(const struct group *g)
{
    return g->cases - g->by[ETWHF_CHECK_AGREE] - g->by[ETWHF_CHECK_SKIPPED];
}

static void count(struct group *g, int outcome)
{
    g->cases++;
    g->by[outcome]++;
}

static void free_groups(struct groups *gs);

/* Totals and groups over the cases that ran. */
static int compute(const struct etwhf_check_result *r, uint64_t totals[ETWHF_CHECK_OUTCOMES], struct groups *gs)
{
    const struct etwhf_corpus *c = r->corpus;
    etwhf__check_tally_totals(&r->tally, totals);
    memset(gs, 0, sizeof *gs);
    gs->nfault = c->nfaults + 1;
    gs->nheader = ETWHF_HDR_FORMS + AT_GROUPS;
    gs->nlayer = ETWHF_GEN_FILE + 1;
    gs->ncompressed = 2;
    gs->fault = calloc(gs->nfault, sizeof *gs->fault);
    gs->header = calloc(gs->nheader, sizeof *gs->header);
    gs->layer = calloc(gs->nlayer, sizeof *gs->layer);
    gs->compressed = calloc(gs->ncompressed, sizeof *gs->compressed);
    if (!gs->fault || !gs->header || !gs->layer || !gs->compressed) {
        free_groups(gs);
        return ETWHF_ENOMEM;
    }
    for (size_t i = 0; i < gs->nfault; i++)
        gs->fault[i] = (struct group){.name = i < c->nfaults ? c->fault_names[i] : "(none)", .order = i};
    for (int at = CHECK_AT_UNKNOWN; at < ETWHF_HDR_FORMS; at++)
        gs->header[at_group(at)] = (struct group){.name = etwhf__check_at_name(at), .order = at_group(at)};
    gs->compressed[0] = (struct group){.name = "not compressed", .order = 0};
    gs->compressed[1] = (struct group){.name = "compressed", .order = 1};
    for (size_t l = 0; l < gs->nlayer; l++)
        gs->layer[l] = (struct group){.name = etwhf__layer_name((int)l), .order = l};
    for (size_t s = 0; s < r->nselected; s++) {
        size_t idx = r->selected[s];
        int o = r->tally.outcome[idx];
        if (o >= ETWHF_CHECK_OUTCOMES)
            continue;
        const struct check_case *k = &c->cases[idx];
        for (size_t f = 0; f < k->fault_count; f++)
            count(&gs->fault[c->case_faults[k->fault_start + f]], o);
        if (!k->fault_count)
            count(&gs->fault[c->nfaults], o);
        /* A case counts under the form of its first differing event only:
         * a case holds several forms, and only one of them went wrong. */
        count(&gs->header[at_group(r->tally.at_header[idx])], o);
        count(&gs->layer[k->info.layer], o);
        count(&gs->compressed[k->compressed != 0], o);
        for (int kind = 0; kind < CHECK_K_COUNT; kind++)
            gs->kinds[kind] += r->tally.kinds[idx] >> kind & 1u;
    }
    return ETWHF_OK;
}

static void free_groups(struct groups *gs)
{
    free(gs->fault);
    free(gs->header);
    free(gs->layer);
    free(gs->compressed);
}

/* Most cases not agreeing first; ties keep the manifest's order. */
static int by_bad(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    uint64_t bx = bad(x), by = bad(y);
    if (bx != by)
        return bx > by ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* ---- text ----------------------------------------------------------------- */

static void text_groups(FILE *f, const char *title, struct group *g, size_t n)
{
    qsort(g, n, sizeof *g, by_bad);
    if (!n || !bad(&g[0]))
        return;
    fprintf(f, "\nnot agreeing, by %s:\n", title);
    for (size_t i = 0; i < n && bad(&g[i]); i++) {
        fprintf(f, "  %-32s %6llu of %-6llu (", g[i].name, (unsigned long long)bad(&g[i]),
                (unsigned long long)g[i].cases);
        const char *sep = "";
        for (int o = ETWHF_CHECK_DISAGREE; o < ETWHF_CHECK_OUTCOMES; o++)
            if (g[i].by[o]) {
                fprintf(f, "%s%s %llu", sep, etwhf_check_outcome_name(o), (unsigned long long)g[i].by[o]);
                sep = ", ";
            }
        fputs(")\n", f);
    }
}

/* "L3, L4" for a mask of levels; "none" when empty. */
static void level_list(char *buf, size_t len, unsigned levels)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++)
        if (levels >> l & 1u)
            n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "", etwhf__check_level_id(l));
    if (!levels)
        snprintf(buf, len, "none");
}

static void text_case_line(FILE *f, const struct etwhf_check_result *r, size_t idx)
{
    const struct etwhf_corpus *c = r->corpus;
    const struct check_case *k = &c->cases[idx];
    int outcome = r->tally.outcome[idx];
    fprintf(f, "  %s  (id %llu, %s", k->info.file, (unsigned long long)k->info.id, etwhf__layer_name(k->info.layer));
    if (k->compressed)
        fputs(", compressed", f);
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if (k->info.headers >> h & 1u)
            fprintf(f, ", %s", etwhf_header_info(h)->name);
    for (size_t i = 0; i < k->fault_count; i++)
        fprintf(f, "%s%s", i ? " " : ", faults: ", etwhf__corpus_fault(c, k, i));
    char failed[40];
    level_list(failed, sizeof failed, etwhf__check_case_levels_failed(r, idx));
    fprintf(f, "): %s; levels failed: %s\n", etwhf_check_outcome_name(outcome), failed);
}

/* An output line the run rejected, whole: the item holds only why. */
static void text_rejected_line(FILE *f, const struct check_shown *s, const struct check_item *it)
{
    size_t lineno, n;
    const struct check_evidence *ev = &s->ev[it->mode & 1];
    const char *line;
    if (it->kind != CHECK_K_OUTPUT || sscanf(it->field, "output line %zu", &lineno) != 1 || !ev->present ||
        !(line = etwhf__check_output_line(ev->out, ev->out_len, lineno, &n)))
        return;
    fprintf(f, "      line %zu: %.*s\n", lineno, (int)n, line);
}

/* One shown case: its differences, then per mode the line that reruns it,
 * expected beside got, and the end of stderr when the run did not exit 0. */
static void text_shown(FILE *f, const struct etwhf_check_result *r, const struct check_shown *s)
{
    const struct check_case *k = &r->corpus->cases[s->idx];
    text_case_line(f, r, s->idx);
    for (unsigned j = 0; j < s->diff.n; j++) {
        const struct check_item *it = &s->diff.items[j];
        fprintf(f, "    [%s] %s: expected %s, got %s%s%s%s\n", etwhf__check_mode_name(it->mode), it->field,
                it->expected, it->got, it->where[0] ? " (" : "", it->where, it->where[0] ? ")" : "");
        text_rejected_line(f, s, it);
    }
    if (s->diff.dropped)
        fprintf(f, "    … and %u more difference(s)\n", s->diff.dropped);
    for (int mode = ETWHF_MODE_RECOVER; mode <= ETWHF_MODE_STRICT; mode++) {
        if (!(r->modes & CHECK_MODE_BIT(mode)))
            continue;
        /* A mode that agreed needs no rerun, whatever its exit status (1: errors reported). */
        int differs = (s->diff.modes & CHECK_MODE_BIT(mode)) != 0;
        const struct check_evidence *ev = &s->ev[mode];
        if (!differs)
            continue;
        char *cmd = etwhf__check_repro(r, k, mode);
        fprintf(f, "    [%s] rerun: %s\n", etwhf__check_mode_name(mode), cmd ? cmd : "(cannot be built)");
        free(cmd);
        if (r->tally.outcome[s->idx] == ETWHF_CHECK_DISAGREE)
            etwhf__check_side_by_side(f, r, s->idx, mode);
        if (ev->present && ev->status && ev->err && *ev->err) {
            if (WIFEXITED(ev->status))
                fprintf(f, "    [%s] exit status %d; stderr ends:\n", etwhf__check_mode_name(mode),
                        WEXITSTATUS(ev->status));
            else
                fprintf(f, "    [%s] killed by signal %d; stderr ends:\n", etwhf__check_mode_name(mode),
                        WTERMSIG(ev->status));
            etwhf__check_put_stderr(f, "      | ", ev->err, ev->err_cut, 10);
        }
    }
}

/* One line per level, like a badge: agree/total, or why it is not judged. */
static void text_levels(FILE *f, const struct etwhf_check_result *r)
{
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++) {
        uint64_t agree, total;
        const char *why;
        fprintf(f, "  %s %-8s ", etwhf__check_level_id(l), etwhf_check_level_name(l));
        if (etwhf_check_result_level(r, l, &agree, &total, &why) == 1)
            fprintf(f, "%6llu/%llu agree%s\n", (unsigned long long)agree, (unsigned long long)total,
                    r->require && l < r->require ? "  (required)" : "");
        else
            fprintf(f, "not judged: %s\n", why);
    }
}

/* The cases that ran, and of them those not agreeing at the required levels. */
static void required_counts(const struct etwhf_check_result *r, uint64_t *ran, uint64_t *bad)
{
    unsigned upto = r->require ? (CHECK_LEVEL_BIT(r->require - 1) << 1) - 1u : 0;
    *ran = *bad = 0;
    for (size_t s = 0; s < r->nselected; s++) {
        size_t idx = r->selected[s];
        int o = r->tally.outcome[idx];
        if (o >= ETWHF_CHECK_OUTCOMES || o == ETWHF_CHECK_SKIPPED)
            continue;
        ++*ran;
        *bad += (etwhf__check_case_levels_failed(r, idx) & upto) != 0;
    }
}

int etwhf_check_report_text(FILE *f, const struct etwhf_check_result *r)
{
    const struct etwhf_corpus *c = r->corpus;
    uint64_t t[ETWHF_CHECK_OUTCOMES];
    struct groups gs;
    int st = compute(r, t, &gs);
    if (st != ETWHF_OK)
        return st;
    if (c->generator_version && strcmp(c->generator_version, "referee") == 0 && c->ncases == 1)
        /* etwhf check FILE: name the file, whose expectation is etwhf's reading of it */
        fprintf(f, "etwhf check: %s/%s (referee: etwhf's decoder's reading of the file): %zu cases", c->dir,
                c->cases[0].info.file, r->nselected);
    else
        fprintf(f, "etwhf check: %s (generator %s): %zu cases", c->dir,
                c->generator_version ? c->generator_version : "?", r->nselected);
    if (r->nselected != r->corpus->ncases)
        fprintf(f, " selected from %zu", r->corpus->ncases);
    fprintf(f, "\n  decoder: %s; modes: %s%s%s; jobs: %u; timeout: %.3g s\n", r->decoder,
            r->modes & 1u ? "recover" : "", r->modes == 3u ? "+" : "", r->modes & 2u ? "strict" : "", r->jobs,
            (double)r->timeout_ms / 1000.0);
    fprintf(f, "  agree %llu, disagree %llu, crash %llu, timeout %llu, failed %llu, skipped %llu",
            (unsigned long long)t[ETWHF_CHECK_AGREE], (unsigned long long)t[ETWHF_CHECK_DISAGREE],
            (unsigned long long)t[ETWHF_CHECK_CRASH], (unsigned long long)t[ETWHF_CHECK_TIMEOUT],
            (unsigned long long)t[ETWHF_CHECK_FAILED], (unsigned long long)t[ETWHF_CHECK_SKIPPED]);
    if (t[ETWHF_CHECK_IO])
        fprintf(f, ", unreadable %llu", (unsigned long long)t[ETWHF_CHECK_IO]);
    fputc('\n', f);
    text_levels(f, r);
    /* The rate counts the manifest's reading too: it is part of every run. */
    fprintf(f, "  %.2f s (manifest %.2f s, decoding %.2f s), %.0f cases/s\n", r->seconds, c->load_seconds,
            r->run_seconds, r->seconds > 0 ? (double)r->nselected / r->seconds : 0.0);
    text_groups(f, "fault", gs.fault, gs.nfault);
    text_groups(f, "header form of the first differing event", gs.header, gs.nheader);
    text_groups(f, "layer", gs.layer, gs.nlayer);
    text_groups(f, "compression", gs.compressed, gs.ncompressed);
    int any_kind = 0;
    for (int kind = 0; kind < CHECK_K_COUNT; kind++)
        if (gs.kinds[kind])
            fprintf(f, "%s  %-32s %6llu\n", any_kind++ ? "" : "\nnot agreeing, by field:\n",
                    etwhf__check_kind_name(kind), (unsigned long long)gs.kinds[kind]);
    size_t nshown = 0;
    for (size_t i = 0; i < r->tally.nshown; i++)
        nshown += r->tally.outcome[r->tally.shown[i].idx] > ETWHF_CHECK_SKIPPED;
    const char *req = r->require ? etwhf__check_level_id(r->require - 1) : NULL;
    char upto[8] = "";
    if (req)
        snprintf(upto, sizeof upto, r->require > 1 ? "L0-%s" : "%s", req);
    if (nshown && r->tally.show_levels)
        fprintf(f, "\nfirst %zu case(s) not agreeing at %s:\n", nshown, upto);
    else if (nshown)
        fprintf(f, "\nfirst %zu case(s) not agreeing:\n", nshown);
    for (size_t i = 0; i < r->tally.nshown; i++)
        if (r->tally.outcome[r->tally.shown[i].idx] > ETWHF_CHECK_SKIPPED)
            text_shown(f, r, &r->tally.shown[i]);
    uint64_t nbad = r->nselected - t[ETWHF_CHECK_AGREE] - t[ETWHF_CHECK_SKIPPED];
    uint64_t nrun = r->nselected - t[ETWHF_CHECK_SKIPPED];
    uint64_t ran, req_bad;
    required_counts(r, &ran, &req_bad);

    if (req && ran && req_bad)
        fprintf(f, "\nresult: %llu of %llu case(s) do not agree at %s (--require %s)\n", (unsigned long long)req_bad,
                (unsigned long long)ran, upto, req);
    else if (req && ran && nbad)
        fprintf(f,
                "\nresult: every case agrees at %s (--require %s); %llu of %llu do not agree with everything "
                "compared\n",
                upto, req, (unsigned long long)nbad, (unsigned long long)nrun);
    else if (req && ran)
        fprintf(f, "\nresult: every case agrees at %s (--require %s), and with everything compared\n", upto, req);
    else if (nbad)
        fprintf(f, "\nresult: %llu of %llu case(s) do not agree\n", (unsigned long long)nbad, (unsigned long long)nrun);
    else if (!nrun)
        fprintf(f, "\nresult: no case was checked (%s)\n",
                r->nselected ? "every case was skipped" : "the manifest lists no case");
    else
        fprintf(f, "\nresult: all %llu case(s) agree\n", (unsigned long long)nrun);
    free_groups(&gs);
    return ferror(f) ? ETWHF_EIO : ETWHF_OK;
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *json_outcomes(const uint64_t *by)
{
    json_t *o = json_object();
    for (int i = 0; i < ETWHF_CHECK_OUTCOMES; i++)
        if (i != ETWHF_CHECK_IO || by[i])
            json_object_set_new(o, i == ETWHF_CHECK_IO ? "unreadable" : etwhf_check_outcome_name(i),
                                json_integer((json_int_t)by[i]));
    return o;
}

static json_t *json_groups(struct group *g, size_t n)
{
    json_t *a = json_array();
    qsort(g, n, sizeof *g, by_bad);
    for (size_t i = 0; i < n; i++) {
        if (!g[i].cases)
            continue;
        json_t *o = json_outcomes(g[i].by);
        json_object_set_new(o, "name", json_string(g[i].name));
        json_object_set_new(o, "cases", json_integer((json_int_t)g[i].cases));
        json_array_append_new(a, o);
    }
    return a;
}

/* The line that reruns the case, per mode run. */
static json_t *json_commands(const struct etwhf_check_result *r, const struct check_case *k)
{
    json_t *o = json_object();
    for (int m = ETWHF_MODE_RECOVER; m <= ETWHF_MODE_STRICT; m++) {
        char *cmd = r->modes & CHECK_MODE_BIT(m) ? etwhf__check_repro(r, k, m) : NULL;
        if (cmd)
            json_object_set_new(o, etwhf__check_mode_name(m), json_string(cmd));
        free(cmd);
    }
    return o;
}

static json_t *json_case(const struct etwhf_check_result *r, size_t idx, int outcome, uint32_t kinds)
{
    const struct etwhf_corpus *c = r->corpus;
    const struct check_case *k = &c->cases[idx];
    json_t *o = json_object(), *h = json_array(), *fl = json_array(), *ks = json_array();
    for (int i = 0; i < ETWHF_HDR_FORMS; i++)
        if (k->info.headers >> i & 1u)
            json_array_append_new(h, json_string(etwhf_header_info(i)->name));
    for (size_t i = 0; i < k->fault_count; i++)
        json_array_append_new(fl, json_string(etwhf__corpus_fault(c, k, i)));
    for (int i = 0; i < CHECK_K_COUNT; i++)
        if (kinds >> i & 1u)
            json_array_append_new(ks, json_string(etwhf__check_kind_name(i)));
    json_object_set_new(o, "id", json_integer((json_int_t)k->info.id));
    json_object_set_new(o, "file", json_string(k->info.file));
    json_object_set_new(o, "layer", json_string(etwhf__layer_name(k->info.layer)));
    json_object_set_new(o, "compressed", json_boolean(k->compressed));
    json_object_set_new(o, "headers", h);
    json_object_set_new(o, "faults", fl);
    json_object_set_new(o, "outcome", json_string(etwhf_check_outcome_name(outcome)));
    json_object_set_new(o, "fields", ks);
    json_object_set_new(o, "first_differing_header", json_string(etwhf__check_at_name(r->tally.at_header[idx])));
    json_t *lf = json_array();
    unsigned failed = etwhf__check_case_levels_failed(r, idx);
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++)
        if (failed >> l & 1u)
            json_array_append_new(lf, json_string(etwhf__check_level_id(l)));
    json_object_set_new(o, "levels_failed", lf);
    json_object_set_new(o, "commands", json_commands(r, k));
    return o;
}

static json_t *json_item(const struct check_shown *s, const struct check_item *it)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "mode", etwhf__check_mode_name(it->mode), "field", it->field, "expected",
                          it->expected, "got", it->got);
    size_t lineno, n;
    const struct check_evidence *ev = &s->ev[it->mode & 1];
    const char *line;
    if (it->where[0])
        json_object_set_new(o, "where", json_string(it->where));
    if (it->kind == CHECK_K_OUTPUT && sscanf(it->field, "output line %zu", &lineno) == 1 && ev->present &&
        (line = etwhf__check_output_line(ev->out, ev->out_len, lineno, &n)))
        json_object_set_new(o, "line", json_stringn(line, n));
    return o;
}

static json_t *json_details(const struct etwhf_check_result *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->tally.nshown; i++) {
        const struct check_shown *s = &r->tally.shown[i];
        if (r->tally.outcome[s->idx] <= ETWHF_CHECK_SKIPPED)
            continue;
        json_t *o = json_case(r, s->idx, r->tally.outcome[s->idx], r->tally.kinds[s->idx]);
        json_t *items = json_array(), *runs = json_object();
        for (unsigned j = 0; j < s->diff.n; j++)
            json_array_append_new(items, json_item(s, &s->diff.items[j]));
        for (int m = ETWHF_MODE_RECOVER; m <= ETWHF_MODE_STRICT; m++) {
            const struct check_evidence *ev = &s->ev[m];
            if (!ev->present)
                continue;
            json_object_set_new(runs, etwhf__check_mode_name(m),
                                json_pack("{s:o,s:o,s:s,s:b}", "exit_status",
                                          WIFEXITED(ev->status) ? json_integer(WEXITSTATUS(ev->status)) : json_null(),
                                          "signal",
                                          WIFSIGNALED(ev->status) ? json_integer(WTERMSIG(ev->status)) : json_null(),
                                          "stderr_tail", ev->err ? ev->err : "", "stderr_cut", ev->err_cut));
        }
        json_object_set_new(o, "differences", items);
        json_object_set_new(o, "more_differences", json_integer(s->diff.dropped));
        json_object_set_new(o, "runs", runs);
        json_array_append_new(a, o);
    }
    return a;
}

/* "levels": {"L0": {"name", "judged", "agree", "total"} or {"name", "judged": false, "reason"}, …}. */
static json_t *json_levels(const struct etwhf_check_result *r)
{
    json_t *o = json_object();
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++) {
        uint64_t agree, total;
        const char *why;
        json_t *lv = json_object();
        int judged = etwhf_check_result_level(r, l, &agree, &total, &why) == 1;
        json_object_set_new(lv, "name", json_string(etwhf_check_level_name(l)));
        json_object_set_new(lv, "judged", json_boolean(judged));
        if (judged) {
            json_object_set_new(lv, "agree", json_integer((json_int_t)agree));
            json_object_set_new(lv, "total", json_integer((json_int_t)total));
        } else {
            json_object_set_new(lv, "reason", json_string(why));
        }
        json_object_set_new(o, etwhf__check_level_id(l), lv);
    }
    return o;
}

int etwhf_check_report_json(FILE *f, const struct etwhf_check_result *r)
{
    uint64_t t[ETWHF_CHECK_OUTCOMES];
    struct groups gs;
    int st = compute(r, t, &gs);
    if (st != ETWHF_OK)
        return st;
    json_t *modes = json_array(), *kinds = json_object(), *failing = json_array();
    for (int m = ETWHF_MODE_RECOVER; m <= ETWHF_MODE_STRICT; m++)
        if (r->modes & CHECK_MODE_BIT(m))
            json_array_append_new(modes, json_string(etwhf__check_mode_name(m)));
    for (int k = 0; k < CHECK_K_COUNT; k++)
        if (gs.kinds[k])
            json_object_set_new(kinds, etwhf__check_kind_name(k), json_integer((json_int_t)gs.kinds[k]));
    for (size_t s = 0; s < r->nselected; s++) {
        size_t idx = r->selected[s];
        int o = r->tally.outcome[idx];
        if (o < ETWHF_CHECK_OUTCOMES && o > ETWHF_CHECK_SKIPPED)
            json_array_append_new(failing, json_case(r, idx, o, r->tally.kinds[idx]));
    }
    json_t *root = json_object();
    json_object_set_new(root, "report", json_string("etwhf check"));
    json_object_set_new(root, "dir", json_string(r->corpus->dir));
    json_object_set_new(root, "generator_version",
                        r->corpus->generator_version ? json_string(r->corpus->generator_version) : json_null());
    json_object_set_new(root, "decoder", json_string(r->decoder));
    json_object_set_new(root, "modes", modes);
    json_object_set_new(root, "jobs", json_integer(r->jobs));
    json_object_set_new(root, "timeout_s", json_real((double)r->timeout_ms / 1000.0));
    json_object_set_new(root, "strict_codes", json_boolean(r->strict_codes));
    json_object_set_new(root, "cases", json_integer((json_int_t)r->nselected));
    json_object_set_new(root, "manifest_cases", json_integer((json_int_t)r->corpus->ncases));
    json_object_set_new(root, "totals", json_outcomes(t));
    json_object_set_new(root, "agreed", json_boolean(r->nselected == t[ETWHF_CHECK_AGREE] + t[ETWHF_CHECK_SKIPPED]));
    json_object_set_new(root, "levels", json_levels(r));
    json_object_set_new(root, "require", r->require ? json_string(etwhf__check_level_id(r->require - 1)) : json_null());
    json_object_set_new(root, "passed", json_boolean(etwhf_check_result_passed(r)));
    json_object_set_new(root, "seconds", json_real(r->seconds));
    json_object_set_new(root, "manifest_seconds", json_real(r->corpus->load_seconds));
    json_object_set_new(root, "decode_seconds", json_real(r->run_seconds));
    json_object_set_new(root, "runs", json_integer((json_int_t)r->tally.runs_done));
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    /* CPU time says what a run costs on an idle machine (wall time does not on a shared one). */
    json_object_set_new(root, "cpu_seconds",
                        json_pack("{s:f,s:f}", "checker",
                                  (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                                      (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6,
                                  "children",
                                  (double)(kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
                                      (double)(kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6));
    json_object_set_new(root, "cases_per_second", json_real(r->seconds > 0 ? (double)r->nselected / r->seconds : 0.0));
    json_object_set_new(root, "by_fault", json_groups(gs.fault, gs.nfault));
    json_object_set_new(root, "by_header", json_groups(gs.header, gs.nheader));
    json_object_set_new(root, "by_layer", json_groups(gs.layer, gs.nlayer));
    json_object_set_new(root, "by_compressed", json_groups(gs.compressed, gs.ncompressed));
    json_object_set_new(root, "by_field", kinds);
    json_object_set_new(root, "mismatches", json_details(r));
    json_object_set_new(root, "not_agreeing", failing);
    st = json_dumpf(root, f, JSON_COMPACT) == 0 && fputc('\n', f) != EOF && !ferror(f) ? ETWHF_OK : ETWHF_EIO;
    json_decref(root);
    free_groups(&gs);
    return st;
}
