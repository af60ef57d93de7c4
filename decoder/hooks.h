/*
 * hooks.h — the one place where benchmark builds reach into the decoder.
 *
 * testing/planted.c plants realistic bugs (the fuzzing benchmark's canaries) at
 * the sites marked ETWHF_PLANT. In every normal build the macro is the
 * constant 0: its arguments are dropped by the preprocessor, so the planted
 * condition is never compiled, the guarded line is dead code the compiler
 * removes, and the library gains no symbol and no state (a ctest checks the
 * library with nm). Only a build configured with -DETWHF_PLANTED_BUGS=ON,
 * which cmake refuses to install, links the runtime from testing/.
 *
 *   ETWHF_PLANT(id, cond)         1 when planted bug `id` is switched on and
 *                                 its trigger `cond` holds (the caller then
 *                                 misbehaves); counts the site as reached.
 *   ETWHF_PLANT_VALUE(id, v, alt) v, or in a planted build alt when bug `id`
 *                                 is switched on; triggered when they differ.
 *
 * The same builds carry the rule mutants of testing/ (mutant_list.h),
 * one per branch of a walk rule, switched on one at a time by ETWHF_MUTANT.
 * In normal builds these too are the plain expression or the constant 0, and
 * their arguments are dropped:
 *   ETWHF_MUTANT(id, cond)          1 when mutant `id` is on and `cond` holds
 *                                   (`cond` is evaluated only then).
 *   ETWHF_MUTANT_VALUE(id, v, alt)  v, or alt when mutant `id` is on (alt is
 *                                   evaluated only then).
 *   ETWHF_MUTANT_SEVERITY(code, s)  s, or inverted when the mutant on flips
 *                                   `code`'s severity.
 */
#ifndef ETWHF_HOOKS_H
#define ETWHF_HOOKS_H

#if ETWHF_PLANTED_BUGS
#include "planted.h" /* testing/: the ids and the runtime */
#define ETWHF_PLANT(id, cond) etwhf__planted_hit((id), (cond))
#define ETWHF_PLANT_VALUE(id, v, alt) ((__typeof__(v))etwhf__planted_value((id), (uint64_t)(v), (uint64_t)(alt)))
#include "mutants.h" /* testing/: the rule mutants */
#define ETWHF_MUTANT(id, cond) (etwhf__mutant_on(id) && (cond))
#define ETWHF_MUTANT_VALUE(id, v, alt) (etwhf__mutant_on(id) ? (__typeof__(v))(alt) : (v))
#define ETWHF_MUTANT_SEVERITY(code, s) etwhf__mutant_severity((code), (s))
#else
#define ETWHF_PLANT(id, cond) 0
#define ETWHF_PLANT_VALUE(id, v, alt) (v)
#define ETWHF_MUTANT(id, cond) 0
#define ETWHF_MUTANT_VALUE(id, v, alt) (v)
#define ETWHF_MUTANT_SEVERITY(code, s) (s)
#endif

#endif
