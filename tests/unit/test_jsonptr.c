/* Unit tests for lib/jsonptr.c: RFC 6901 escaping and truncation. */
#include <criterion/criterion.h>
#include <string.h>

#include "blt/jsonptr.h"

Test(jsonptr, escapes_tilde_and_slash)
{
	char p[64] = "";
	size_t n = 0;

	n = jsonptr_push(p, n, sizeof(p), "headers");
	n = jsonptr_push(p, n, sizeof(p), "a/b~c");
	n = jsonptr_push_index(p, n, sizeof(p), 12);
	n = jsonptr_push(p, n, sizeof(p), "");
	cr_assert_str_eq(p, "/headers/a~1b~0c/12/");
	cr_assert_eq(n, strlen(p));
}

Test(jsonptr, never_cuts_an_escape_in_half)
{
	char p[5] = "";
	size_t n = jsonptr_push(p, 0, sizeof(p), "ab~");

	cr_assert_str_eq(p, "/ab", "'~0' does not fit in the 1 byte left");
	cr_assert_eq(n, 3);
	n = jsonptr_push(p, n, sizeof(p), "xyz");
	cr_assert_str_eq(p, "/ab/");
	cr_assert_eq(n, 4);
	n = jsonptr_push(p, n, sizeof(p), "q");
	cr_assert_str_eq(p, "/ab/", "a full buffer stays as it was");
	cr_assert_eq(n, 4);
}
