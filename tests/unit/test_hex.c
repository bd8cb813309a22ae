/* Unit tests for lib/hex.c. */
#include <criterion/criterion.h>
#include <ctype.h>

#include "blt/hex.h"

Test(hex, encodes_bytes_lower_case)
{
	const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
	char out[9];

	hex_encode(bytes, sizeof(bytes), out);
	cr_assert_str_eq(out, "000fa5ff");
	hex_encode(bytes, 0, out);
	cr_assert_str_eq(out, "");
}

Test(hex, fixed_width_numbers_and_digits)
{
	char out[17] = {0};

	hex_put_uint(out, 0x1234abcdULL, 4);
	cr_assert_str_eq(out, "abcd", "only the low digits");
	hex_put_uint(out, 0xa, 4);
	cr_assert_str_eq(out, "000a");
	hex_put_uint(out, UINT64_MAX, 16);
	cr_assert_str_eq(out, "ffffffffffffffff");
	cr_assert_eq(hex_digit(0xab, true), 'B');
	cr_assert_eq(hex_digit(10, false), 'a');
}

Test(hex, digit_values)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		cr_expect_eq(hex_value((unsigned char)digits[i]), i, "'%c'",
			     digits[i]);
		cr_expect_eq(hex_value((unsigned char)toupper(digits[i])), i,
			     "'%c'", toupper(digits[i]));
	}
	cr_expect_eq(hex_value('g'), -1);
	cr_expect_eq(hex_value('/'), -1);
	cr_expect_eq(hex_value(':'), -1);
	cr_expect_eq(hex_value('G'), -1);
	cr_expect_eq(hex_value(0xC3), -1);
	cr_expect_eq(hex_value(0), -1);
}
