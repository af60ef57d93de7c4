/*
 * mutants.c — the rule-mutant table (mutant_list.h) and the switches behind
 * decoder/hooks.h's ETWHF_MUTANT_ON and ETWHF_MUTANT_FLIPS. Built only when
 * ETWHF_PLANTED_BUGS is on (testing/CMakeLists.txt builds it into etwhf_testing).
 */
#include "mutants.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct etwhf_mutant table[MU_COUNT] = {
#define MUTANT(e, id, rule, flip, breaks, how, codes) [e] = {id, rule, flip, codes, breaks, how},
#include "mutant_list.h"
#undef MUTANT
};

/* Written once, before decoding starts (first hook or etwhf__mutant_select),
 * then only read, from any thread. */
static int selected;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int find(const char *name)
{
    for (int i = 1; i < MU_COUNT; i++)
        if (strcmp(table[i].id, name) == 0)
            return i;
    return 0;
}

static void init_from_env(void)
{
    const char *name = getenv("ETWHF_MUTANT");
    if (!name || !*name)
        return;
    selected = find(name);
    if (!selected)
        fprintf(stderr, "etwhf: ETWHF_MUTANT names no rule mutant (%s); none switched on\n", name);
}

int etwhf__mutant_on(int id)
{
    pthread_once(&once, init_from_env);
    return selected == id;
}

int etwhf__mutant_flips(int code)
{
    pthread_once(&once, init_from_env);
    return selected && table[selected].flip == code;
}

int etwhf__mutant_count(void)
{
    return MU_COUNT - 1;
}

const struct etwhf_mutant *etwhf__mutant(int id)
{
    return id > MU_NONE && id < MU_COUNT ? &table[id] : NULL;
}

int etwhf__mutant_select(const char *name)
{
    pthread_once(&once, init_from_env);
    selected = name && *name ? find(name) : 0;
    return name && *name && !selected ? -1 : 0;
}
