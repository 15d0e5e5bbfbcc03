/* check.h — the smallest unit-test harness: CHECK prints PASS/FAIL lines that
 * tests/run.sh counts; a test program exits non-zero when any check failed. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond, name) do { \
	if (cond) printf("PASS: %s\n", name); \
	else { printf("FAIL: %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); check_failures++; } \
} while (0)

#define CHECK_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) printf("PASS: %s\n", name); \
	else { printf("FAIL: %s (%s:%d: got \"%s\", want \"%s\")\n", name, __FILE__, __LINE__, \
	    g_ ? g_ : "(null)", w_ ? w_ : "(null)"); check_failures++; } \
} while (0)

#define CHECK_DONE() (check_failures ? 1 : 0)

#endif
