/* ERR-*: error responses. Their type, status and message (ERR-TYPE,
 * ERR-STATUS, ERR-MSG) and the absence of 5xx answers to client mistakes
 * (ERR-NO5XX) are judged by the observers on every response of the run;
 * the checks here send the mistake battery of their own. Malformed JSON
 * and unknown targets are ERR-JSON's and ERR-TARGET's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

/* The observer checks' own part: the mistake battery. */
static void mistakes(const char *id, enum obs_id o, const char *what)
{
	struct check ck;

	check_begin(&ck, id);
	battery_mistakes(&ck, NULL, NULL);
	check_coverage(&ck, "%u %s judged here", ck.obs.t[o].judged, what);
	check_end(&ck);
}

Test(ERR, TYPE)
{
	mistakes("ERR-TYPE", OBS_ERR_TYPE, "error responses");
}

Test(ERR, STATUS)
{
	mistakes("ERR-STATUS", OBS_ERR_STATUS, "typed error responses");
}

Test(ERR, MSG)
{
	mistakes("ERR-MSG", OBS_ERR_MSG, "error responses");
}

Test(ERR, NO5XX)
{
	mistakes("ERR-NO5XX", OBS_ERR_NO5XX, "answers to client mistakes");
}

Test(ERR, JSON)
{
	static const char *const bodies[] = {
		"{", "{\"MaxResults\":", "not json", "{\"MaxResults\": 5,}",
		"{\"MaxResults\":1}}", "{'MaxResults':1}"};
	struct check ck;
	char *tok;

	check_begin(&ck, "ERR-JSON");
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		expect_error_body(&ck, bodies[i], EXPECT_SERIALIZATION,
				  "a malformed JSON body");
	tok = walk_fresh_token(&ck, NULL);
	if (tok) {
		char *body = conform_list_body(0, NULL, tok);
		/* the object left open: a later page's request cut short */
		body[strlen(body) - 1] = ',';
		expect_error_body(&ck, body, EXPECT_SERIALIZATION,
				  "a malformed JSON body with a NextToken");
		free(body);
	}
	check_coverage(&ck, "6 malformed bodies%s",
		       tok ? " and one with a NextToken" : "");
	free(tok);
	check_end(&ck);
}

Test(ERR, TARGET)
{
	static const struct {
		const char *target;
		bool none;
		const char *what;
	} cases[] = {
		{AWSJSON_TARGET_PREFIX "NoSuchOperation", false,
		 "an unknown operation in X-Amz-Target"},
		{"NoSuchService_20181101.ListBatchLoadTasks", false,
		 "another service's prefix in X-Amz-Target"},
		{NULL, true, "a request without X-Amz-Target"},
		{"", false, "an empty X-Amz-Target"},
		{"timestream_20181101.listbatchloadtasks", false,
		 "X-Amz-Target in the wrong letter case"},
		{AWSJSON_TARGET_PREFIX "listBatchLoadTasks", false,
		 "the operation's name in the wrong letter case"},
	};
	struct check ck;
	char *tok;

	check_begin(&ck, "ERR-TARGET");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct creq rq = {.target = cases[i].target,
				  .no_target = cases[i].none,
				  .body = "{}",
				  .len = 2};
		expect_error(&ck, &rq, EXPECT_UNKNOWN_OP, cases[i].what);
	}
	tok = walk_fresh_token(&ck, NULL);
	if (tok) {
		char *body = conform_list_body(0, NULL, tok);
		struct creq rq = {.no_target = true,
				  .body = body,
				  .len = strlen(body)};
		expect_error(&ck, &rq, EXPECT_UNKNOWN_OP,
			     "a later page's request without X-Amz-Target");
		free(body);
	}
	check_coverage(&ck, "unknown operation, other service, missing, empty "
			    "and wrong-case targets%s",
		       tok ? ", on a first and a later page" : "");
	free(tok);
	check_end(&ck);
}
