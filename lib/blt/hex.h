/* Hexadecimal digits: byte strings as hex (SHA-256 digests), fixed-width
 * numbers (request ids, \u escapes) and percent-escapes.
 *
 * Concurrency: the functions touch only the buffers they are given and may
 * run in any number of threads at once. */
#ifndef BLT_HEX_H
#define BLT_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hex digit of v & 15, lower-case unless upper. */
char hex_digit(unsigned v, bool upper);

/* The value of the hex digit c (either case), or -1 when c is not one. */
int hex_value(unsigned char c);

/* Writes n bytes at p as lower-case hex into out, which holds 2n + 1
 * characters with the NUL. */
void hex_encode(const void *p, size_t n, char *out);

/* Writes the low `digits` hex digits of v into out, most significant
 * first, lower-case, without a NUL. */
void hex_put_uint(char *out, uint64_t v, int digits);

#endif
