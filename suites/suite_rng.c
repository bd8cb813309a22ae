/* RNG-*: the range and the JSON type of MaxResults, on first pages and on
 * later pages (with a NextToken). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "conform.h"

Test(RNG, EDGE)
{
	static const int edges[] = {1, 100};
	struct check ck;
	bool later = true;
	char what[64];

	check_begin(&ck, "RNG-EDGE");
	for (size_t i = 0; i < 2; i++) {
		char *body = conform_list_body(edges[i], NULL, NULL);
		snprintf(what, sizeof(what), "MaxResults %d", edges[i]);
		expect_ok_body(&ck, body, what);
		free(body);
	}
	for (size_t i = 0; i < 2 && later && check_can_send(&ck); i++) {
		char *tok = walk_fresh_token(&ck, NULL);
		char *body =
		    tok ? conform_list_body(edges[i], NULL, tok) : NULL;
		snprintf(what, sizeof(what),
			 "MaxResults %d on a later page (with a NextToken)",
			 edges[i]);
		if (body)
			expect_ok_body(&ck, body, what);
		later = body != NULL;
		free(body);
		free(tok);
	}
	expect_pages_coverage(&ck, "MaxResults 1 and 100",
			      later ? LATER_JUDGED : LATER_NO_TOKEN);
	check_end(&ck);
}

Test(RNG, OUT)
{
	static const long long out[] = {0, -1, 101, 2147483648LL};
	struct check ck;
	enum later_verdict later = LATER_JUDGED, v;
	char what[64];

	check_begin(&ck, "RNG-OUT");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < 4 && check_can_send(&ck); i++) {
			enum expect_kind k = i == 3 ? EXPECT_VAL_OR_SER
						    : EXPECT_VALIDATION;
			char *body = conform_list_body_max(out[i], NULL, NULL);
			snprintf(what, sizeof(what), "MaxResults %lld", out[i]);
			if (pass == 0) {
				expect_error_body(&ck, body, k, what);
			} else if (later != LATER_NO_TOKEN) {
				v = expect_error_later(&ck, body, k, what);
				later = v == LATER_JUDGED ? later : v;
			}
			free(body);
		}
	}
	expect_pages_coverage(&ck, "MaxResults 0, -1, 101 and 2147483648",
			      later);
	check_end(&ck);
}

Test(RNG, TYPE)
{
	static const char *const bodies[] = {
		"{\"MaxResults\":1.5}", "{\"MaxResults\":\"10\"}",
		"{\"MaxResults\":true}", "{\"MaxResults\":[]}",
		"{\"MaxResults\":{}}"};
	struct check ck;
	enum later_verdict later = LATER_JUDGED, v;

	check_begin(&ck, "RNG-TYPE");
	for (size_t i = 0; i < 5; i++)
		expect_error_body(&ck, bodies[i], EXPECT_4XX,
				  "a MaxResults of the wrong type");
	for (size_t i = 0;
	     i < 5 && later != LATER_NO_TOKEN && check_can_send(&ck); i++) {
		v = expect_error_later(&ck, bodies[i], EXPECT_4XX,
				       "a MaxResults of the wrong type");
		later = v == LATER_JUDGED ? later : v;
	}
	expect_pages_coverage(&ck, "MaxResults 1.5, \"10\", true, [] and {}",
			      later);
	check_end(&ck);
}
