/* ENU-*: the TaskStatus enum in responses (judged by the observer on every
 * response of the run) and as a filter, on first and later pages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

Test(ENU, RESP)
{
	struct check ck;

	check_begin(&ck, "ENU-RESP");
	battery_valid(&ck, NULL, NULL);
	check_coverage(&ck, "%u TaskStatus values judged here",
		       ck.obs.t[OBS_ENU_RESP].judged);
	check_end(&ck);
}

Test(ENU, FILTER)
{
	struct check ck;
	unsigned later = 0;
	char what[96];

	check_begin(&ck, "ENU-FILTER");
	for (size_t i = 0; i < CONFORM_NSTATUSES; i++) {
		char *body = conform_list_body(0, conform_statuses[i], NULL);
		expect_ok_body(&ck, body, "a TaskStatus filter of the enum");
		free(body);
	}
	for (size_t i = 0; i < CONFORM_NSTATUSES && check_can_send(&ck); i++) {
		if (ck.cfg.facts.per_status[i] < 2)
			continue;
		char *tok = walk_fresh_token(&ck, conform_statuses[i]);
		char *body = tok ? conform_list_body(1, conform_statuses[i],
						     tok)
				 : NULL;
		snprintf(what, sizeof(what),
			 "TaskStatus %s on a later page (with a NextToken)",
			 conform_statuses[i]);
		if (body) {
			expect_ok_body(&ck, body, what);
			later++;
		}
		free(body);
		free(tok);
	}
	if (ck.cfg.facts.unlisted[0])
		check_coverage(&ck, "the six values on first pages; later "
				    "pages untested: the survey could not "
				    "list the tasks (%s)",
			       ck.cfg.facts.unlisted);
	else
		check_coverage(&ck, "the six values on first pages; %u of "
				    "them on later pages too (those with two "
				    "tasks or more)",
			       later);
	check_end(&ck);
}

Test(ENU, BAD)
{
	static const char *const bad[] = {"RUNNING", "created", "",
					  " CREATED"};
	struct check ck;
	enum later_verdict later = LATER_JUDGED, v;

	check_begin(&ck, "ENU-BAD");
	for (size_t i = 0; i < 4; i++) {
		char *body = conform_list_body(0, bad[i], NULL);
		expect_error_body(&ck, body, EXPECT_VALIDATION,
				  "a TaskStatus filter outside the enum");
		free(body);
	}
	for (size_t i = 0;
	     i < 4 && later != LATER_NO_TOKEN && check_can_send(&ck); i++) {
		char *body = conform_list_body(0, bad[i], NULL);
		v = expect_error_later(&ck, body, EXPECT_VALIDATION,
				       "a TaskStatus filter outside the enum");
		later = v == LATER_JUDGED ? later : v;
		free(body);
	}
	expect_pages_coverage(&ck, "\"RUNNING\", \"created\", \"\" and "
				   "\" CREATED\"",
			      later);
	check_end(&ck);
}
