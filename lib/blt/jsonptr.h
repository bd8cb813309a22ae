/* JSON pointers (RFC 6901) built one reference token at a time, for the
 * messages that say where in a document something is wrong.
 *
 * Concurrency: the functions touch only the buffer they are given and may
 * run in any number of threads at once. */
#ifndef BLT_JSONPTR_H
#define BLT_JSONPTR_H

#include <stddef.h>

/* Appends "/" and token, escaped as RFC 6901 says ('~' as "~0", '/' as
 * "~1"), to the pointer ptr[0..len) in a buffer of cap bytes (cap >= 1,
 * len < cap). What does not fit is dropped, never half an escape; ptr stays
 * NUL-terminated. Returns the new length. */
size_t jsonptr_push(char *ptr, size_t len, size_t cap, const char *token);

/* Appends "/" and the decimal index i the same way. */
size_t jsonptr_push_index(char *ptr, size_t len, size_t cap, size_t i);

#endif
