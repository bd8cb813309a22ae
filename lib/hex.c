/* Hexadecimal digits for digests, fixed-width numbers and escapes. */
#include "blt/hex.h"

#include <assert.h>

char hex_digit(unsigned v, bool upper)
{
	static const char lower_digits[] = "0123456789abcdef";
	static const char upper_digits[] = "0123456789ABCDEF";

	return (upper ? upper_digits : lower_digits)[v & 15];
}

int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hex_encode(const void *p, size_t n, char *out)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digit(b[i] >> 4, false);
		out[2 * i + 1] = hex_digit(b[i], false);
	}
	out[2 * n] = '\0';
}

void hex_put_uint(char *out, uint64_t v, int digits)
{
	assert(digits >= 0 && digits <= 16);
	for (int i = digits - 1; i >= 0; i--) {
		out[i] = hex_digit((unsigned)v, false);
		v >>= 4;
	}
}
