/* Unit tests for lib/header.c: the lookup of a header field by name. */
#include <criterion/criterion.h>

#include "blt/header.h"

Test(header, first_match_letter_case_aside)
{
	const struct blt_header h[] = {{"Content-Type", "a"},
				       {"x-amz-target", "b"},
				       {"content-type", "c"}};

	cr_expect_str_eq(header_find(h, 3, "content-type"), "a");
	cr_expect_str_eq(header_find(h, 3, "CONTENT-TYPE"), "a");
	cr_expect_str_eq(header_find(h, 3, "X-Amz-Target"), "b");
	cr_expect_null(header_find(h, 3, "x-amz-date"));
	cr_expect_null(header_find(h, 3, "content-typ"));
	cr_expect_null(header_find(h, 0, "content-type"));
	cr_expect_str_eq(header_find(h + 2, 1, "Content-Type"), "c");
}
