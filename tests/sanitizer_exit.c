/* A deliberate sanitizer report, to check its exit status (ctest
 * sanitizer_exit_*): 86 in every executable of a sanitized build
 * (cmake/sanitizer_options.c), never 1 like a failed check.
 * Usage: sanitizer_exit asan|ubsan|leak */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	volatile int shift = 40;
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "asan")) {
		char *volatile p = malloc(8);
		p[8] = 1; /* heap-buffer-overflow */
		free(p);
	} else if (!strcmp(argv[1], "ubsan")) {
		volatile int x = 1 << shift; /* shift exponent too large */
		printf("%d\n", x);
	} else if (!strcmp(argv[1], "leak")) {
		void *volatile p = malloc(64);
		p = NULL; /* lost */
		(void)p;
	}
	return 0;
}
