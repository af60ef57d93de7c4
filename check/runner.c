/* What the runners share about a run in progress; see runner.h. */
#include "runner.h"

#include <stdio.h>

#include "etwhf/format.h"
#include "pool.h"

int etwhf__check_stopping(const struct check_run *r)
{
    return r->should_stop && r->should_stop(r->user);
}

static int stopping(void *user)
{
    return etwhf__check_stopping(user);
}

int etwhf__check_run_pool(struct check_run *r, const struct check_pool_kind *kind, void *user, unsigned slots)
{
    struct check_pool_setup s = {
        .kind = kind,
        .user = user,
        .nslots = !slots                   ? 1
                  : slots > CHECK_POOL_MAX ? CHECK_POOL_MAX
                                           : slots,
        .should_stop = stopping,
        .stop_user = r,
        .err = r->err,
        .errlen = sizeof r->err,
    };
    int rc = etwhf__check_pool_run(&s);
    etwhf__check_progress(r, 1);
    return rc;
}

int etwhf__check_next(const struct check_run *r, struct check_cursor *c, size_t *pos, int *mode)
{
    while (c->pos < r->nselected) {
        while (c->mode <= ETWHF_MODE_STRICT && !(r->modes & CHECK_MODE_BIT(c->mode)))
            c->mode++;
        if (c->mode > ETWHF_MODE_STRICT) {
            c->pos++;
            c->mode = 0;
            continue;
        }
        *pos = c->pos;
        *mode = c->mode++;
        return 1;
    }
    return 0;
}

void etwhf__check_progress(struct check_run *r, int force)
{
    if (!r->progress)
        return;
    uint64_t now = etwhf__check_now_ms();
    if (!force && now - r->last_progress_ms < 200)
        return;
    r->last_progress_ms = now;
    unsigned nmodes = (r->modes & 1u) + (r->modes >> 1 & 1u);
    uint64_t total = (uint64_t)r->nselected * (nmodes ? nmodes : 1);
    if (!r->cmd)
        total = r->nselected; /* in-process workers report once per case */
    fprintf(r->progress, "\retwhf check: %llu/%llu runs, %zu case(s) not agreeing ",
            (unsigned long long)r->tally->runs_done, (unsigned long long)total, r->tally->bad_cases);
    fflush(r->progress);
}

void etwhf__check_progress_done(struct check_run *r)
{
    if (r->progress)
        fputs("\r\033[K", r->progress);
}
