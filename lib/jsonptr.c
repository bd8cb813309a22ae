/* JSON pointers (RFC 6901) built one reference token at a time. */
#include "blt/jsonptr.h"

#include <assert.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

/* Runs for every member a schema or cassette check visits, so it copies by
 * hand rather than through snprintf. */
size_t jsonptr_push(char *ptr, size_t len, size_t cap, const char *token)
{
	assert(cap >= 1 && len < cap);
	if (len + 1 < cap)
		ptr[len++] = '/';
	for (; *token; token++) {
		bool esc = *token == '~' || *token == '/';
		size_t n = esc ? 2 : 1;

		if (len + n >= cap)
			break;
		if (esc) {
			ptr[len] = '~';
			ptr[len + 1] = *token == '~' ? '0' : '1';
		} else {
			ptr[len] = *token;
		}
		len += n;
	}
	ptr[len] = '\0';
	return len;
}

size_t jsonptr_push_index(char *ptr, size_t len, size_t cap, size_t i)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%zu", i);
	return jsonptr_push(ptr, len, cap, digits);
}
