/* RNG-*: the range and the JSON type of MaxResults. */
#include <criterion/criterion.h>

#include "conform.h"

Test(RNG, EDGE)
{
	struct check ck;

	check_begin(&ck, "RNG-EDGE");
	expect_ok_body(&ck, "{\"MaxResults\":1}", "MaxResults 1");
	expect_ok_body(&ck, "{\"MaxResults\":100}", "MaxResults 100");
	check_end(&ck);
}

Test(RNG, OUT)
{
	struct check ck;

	check_begin(&ck, "RNG-OUT");
	expect_error_body(&ck, "{\"MaxResults\":0}", EXPECT_VALIDATION,
			  "MaxResults 0");
	expect_error_body(&ck, "{\"MaxResults\":-1}", EXPECT_VALIDATION,
			  "MaxResults -1");
	expect_error_body(&ck, "{\"MaxResults\":101}", EXPECT_VALIDATION,
			  "MaxResults 101");
	expect_error_body(&ck, "{\"MaxResults\":2147483648}",
			  EXPECT_VAL_OR_SER, "MaxResults 2147483648");
	check_end(&ck);
}

Test(RNG, TYPE)
{
	static const char *const bodies[] = {
		"{\"MaxResults\":1.5}", "{\"MaxResults\":\"10\"}",
		"{\"MaxResults\":true}", "{\"MaxResults\":[]}",
		"{\"MaxResults\":{}}"};
	struct check ck;

	check_begin(&ck, "RNG-TYPE");
	for (size_t i = 0; i < 5; i++)
		expect_error_body(&ck, bodies[i], EXPECT_4XX,
				  "a MaxResults of the wrong type");
	check_end(&ck);
}
