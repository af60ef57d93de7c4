/* The counting, failing allocator; see hook.h. */
#include "hook.h"

#include <stdio.h>
#include <stdlib.h>

static void *hook_alloc(void *user, size_t size)
{
    struct hook *h = user;
    if (++h->calls == h->fail_at)
        return NULL;
    void *p = malloc(size);
    if (!p) {
        fputs("hook: the test itself is out of memory\n", stderr);
        abort();
    }
    h->held++;
    return p;
}

static void hook_free(void *user, void *p)
{
    struct hook *h = user;
    if (h->held == 0) {
        fputs("hook: a free without an allocation\n", stderr);
        abort();
    }
    h->held--;
    free(p);
}

void hook_init(struct hook *h, uint64_t fail_at)
{
    h->calls = h->held = 0;
    h->fail_at = fail_at;
    h->a.alloc = hook_alloc;
    h->a.free = hook_free;
    h->a.user = h;
}
