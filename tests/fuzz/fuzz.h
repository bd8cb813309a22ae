/* Helpers shared by the libFuzzer targets: copies of the input with exact
 * bounds, and a loud abort for a broken invariant. */
#ifndef BLT_FUZZ_H
#define BLT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry point, declared so that -Wmissing-prototypes is
 * satisfied; every target defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy of n bytes with no terminator after them, so that AddressSan-
 * itizer catches any read past n. Never NULL (aborts on ENOMEM). A zero
 * length gives a one-byte allocation so the pointer is still valid. */
static inline char *fuzz_bytes(const void *p, size_t n)
{
	char *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* A NUL-terminated heap copy of n bytes (the caller frees it). An embedded
 * NUL simply ends the string early, as it would in a C header value. */
static inline char *fuzz_str(const void *p, size_t n)
{
	char *c = malloc(n + 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

/* Reports a broken invariant with what was being checked, then aborts so
 * that libFuzzer saves the input. */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz invariant failed: %s\n  ",       \
				#cond);                                        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
