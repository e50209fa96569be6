/* The one form a mutant of src/mutants.def takes in the engine's C code:
 *
 *     PV_MUTANT(name, mutated, normal)   the mutated expression in a build
 *                                        with -DPVFUZZ_MUTANT=name, else
 *                                        the normal one
 *     PV_MUTANT_ON(name)                 1 in that build, else 0: for a
 *                                        mutant that adds or drops a step
 *
 * Both are constant expressions, so the compiler keeps only one side and
 * the unmutated engine is the same code as without them (scripts/
 * mutant-objects.sh compares). CMake defines PVFUZZ_MUTANT_<name>=1 for
 * the one mutant of a build; src/templates.S has its own .ifdef form. */
#ifndef PV_MUTANT_H
#define PV_MUTANT_H

/* PV_MUTANT_ON_(PVFUZZ_MUTANT_x): 1 when that macro is defined as 1, else
 * 0, found by what its expansion pastes onto PV_MUTANT_IS_ */
#define PV_MUTANT_IS_1 ~, 1
#define PV_MUTANT_SECOND_(a, b, ...) b
#define PV_MUTANT_PICK_(x) PV_MUTANT_SECOND_(x, 0, 0)
#define PV_MUTANT_PASTE_(v) PV_MUTANT_PICK_(PV_MUTANT_IS_##v)
#define PV_MUTANT_ON_(v) PV_MUTANT_PASTE_(v)

#define PV_MUTANT_ON(name) PV_MUTANT_ON_(PVFUZZ_MUTANT_##name)
#define PV_MUTANT(name, mutated, normal) (PV_MUTANT_ON(name) ? (mutated) : (normal))

#endif
