/*
 * hooks.h — the switches of the decoder's test builds: the rule mutants and
 * the planted benchmark bugs, whose runtime is testing/.
 *
 * Each switch is the condition of a statement of its own, written beside the
 * rule it breaks; the rule's own lines read the same with every switch on or
 * off. Two shapes, nothing else. A rule that computes a value, then the
 * mutant's override:
 *
 *   y = rule(x);
 *   if (ETWHF_MUTANT_ON(MU_R6_2_NO_ALIGN))
 *       y = mutant(x);
 *
 * A rule that acts: its verdict first, the mutant's override, then the act:
 *
 *   int bad = rule(x);
 *   if (ETWHF_MUTANT_ON(MU_R3_1_IGNORED))
 *       bad = 0;
 *   if (bad)
 *       return diagnose(...);
 *
 * In every normal build the switches are the constant 0 and their arguments
 * are dropped by the preprocessor: each such statement is dead code the
 * compiler removes (a release build's decoder compiles to the same code as
 * without them), nothing of testing/ is included, and the library gains no
 * symbol and no state (tests/bench/planted_absent.cmake checks with nm). Only
 * a build configured with -DETWHF_PLANTED_BUGS=ON, which cmake refuses to
 * install, links the runtime (testing/CMakeLists.txt). tests/lint checks that
 * no switch sits inside an expression of the rule's.
 *
 *   ETWHF_MUTANT_ON(id)       1 when rule mutant `id` (testing/mutant_list.h)
 *                             is the one switched on: ETWHF_MUTANT=<rule id>.
 *   ETWHF_MUTANT_FLIPS(code)  1 when the mutant switched on inverts the
 *                             severity of diagnostic `code`.
 *   ETWHF_PLANT(id, cond)     planted bug `id` (testing/planted.h): counts
 *                             the site as reached, and as triggered when its
 *                             trigger `cond` holds; 1 when it is triggered
 *                             and switched on (ETWHF_PLANTED=...), and the
 *                             statement then misbehaves.
 */
#ifndef ETWHF_HOOKS_H
#define ETWHF_HOOKS_H

#if ETWHF_PLANTED_BUGS
#include "mutants.h" /* testing/: the rule mutants */
#include "planted.h" /* testing/: the planted bugs */
#define ETWHF_MUTANT_ON(id) etwhf__mutant_on(id)
#define ETWHF_MUTANT_FLIPS(code) etwhf__mutant_flips(code)
#define ETWHF_PLANT(id, cond) etwhf__planted_hit((id), (cond))
#else
#define ETWHF_MUTANT_ON(id) 0
#define ETWHF_MUTANT_FLIPS(code) 0
#define ETWHF_PLANT(id, cond) 0
#endif

#endif
