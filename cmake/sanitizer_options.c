/* The sanitizers' own exit status (docs/reliability.md): a report from
 * AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer ends the
 * program with 86, never with 1 (a failed check) or 2 (bad input), so that
 * a script can tell a bug in the tool from a finding. Linked into every
 * executable of a sanitized build; inert in others (nothing calls these). */
#define PVFUZZ_SANITIZER_EXIT "86"

const char *__asan_default_options(void);
const char *__lsan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void) { return "exitcode=" PVFUZZ_SANITIZER_EXIT; }
const char *__lsan_default_options(void) { return "exitcode=" PVFUZZ_SANITIZER_EXIT; }
const char *__ubsan_default_options(void) { return "exitcode=" PVFUZZ_SANITIZER_EXIT ":print_stacktrace=1"; }
