/* blt-fake's error paths over real HTTP, under both status profiles: the
 * type (read by SPEC section 2's rules), the status, and a message naming
 * the member, the value and the constraint. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/rng.h"
#include "fake_rig.h"

static struct fake_rig rig;

static void start_documented(void)
{
	static const char *const a[] = {"--profile", "documented", NULL};

	fake_rig_start(&rig, a);
}

static void start_smithy(void)
{
	static const char *const a[] = {"--profile", "smithy", NULL};

	fake_rig_start(&rig, a);
}

static void stop(void)
{
	fake_rig_stop(&rig);
}

TestSuite(fake_errors_documented, .init = start_documented, .fini = stop,
	  .timeout = 60);
TestSuite(fake_errors_smithy, .init = start_smithy, .fini = stop,
	  .timeout = 60);

/* Sends a ListBatchLoadTasks body and checks the error. */
static void expect(const char *body, const char *type, long status,
		   const char *n1, const char *n2)
{
	const char *needles[] = {n1, n2, NULL};
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, body,
		  strlen(body), &resp);
	fake_assert_error(&resp, type, status, needles);
	httpc_response_free(&resp);
}

static void bad_json(void)
{
	expect("{\"MaxResults\":", "SerializationException", 400, "JSON", NULL);
	expect("{'MaxResults':1}", "SerializationException", 400, "JSON", NULL);
	expect("[1]", "SerializationException", 400, "object", NULL);
	expect("\"text\"", "SerializationException", 400, "object", NULL);
	expect("null", "SerializationException", 400, "object", NULL);
}

static void max_results_out_of_range(void)
{
	expect("{\"MaxResults\":0}", "ValidationException", 400, "MaxResults",
	       "minimum of 1");
	expect("{\"MaxResults\":-1}", "ValidationException", 400,
	       "MaxResults: -1", "minimum of 1");
	expect("{\"MaxResults\":101}", "ValidationException", 400,
	       "MaxResults: 101", "maximum of 100");
	expect("{\"MaxResults\":2147483648}", "SerializationException", 400,
	       "MaxResults", "2147483648");
}

static void max_results_of_the_wrong_type(void)
{
	static const char *const bodies[] = {
	    "{\"MaxResults\":1.5}",  "{\"MaxResults\":\"10\"}",
	    "{\"MaxResults\":true}", "{\"MaxResults\":[]}",
	    "{\"MaxResults\":{}}",
	};

	for (size_t i = 0; i < 5; i++)
		expect(bodies[i], "SerializationException", 400, "MaxResults",
		       "integer");
}

static void bad_task_status(void)
{
	static const char *const values[] = {"RUNNING", "created", "",
					     " CREATED", "CREATED "};

	for (size_t i = 0; i < 5; i++) {
		char body[64];
		char quoted[32];

		snprintf(body, sizeof(body), "{\"TaskStatus\":\"%s\"}",
			 values[i]);
		snprintf(quoted, sizeof(quoted), "\"%s\"", values[i]);
		expect(body, "ValidationException", 400, "TaskStatus", quoted);
	}
	expect("{\"TaskStatus\":5}", "SerializationException", 400,
	       "TaskStatus", "string");
}

/* A token from the first page of a walk with the given filter. */
static char *first_token(struct fake_rig *r, const char *filter)
{
	char body[128];
	long code;
	json_t *doc;
	char *tok;

	snprintf(body, sizeof(body), "{\"MaxResults\":1%s%s%s}",
		 filter ? ",\"TaskStatus\":\"" : "", filter ? filter : "",
		 filter ? "\"" : "");
	doc = fake_list(r, body, &code);
	cr_assert_eq(code, 200);
	cr_assert(json_string_value(json_object_get(doc, "NextToken")));
	tok = strdup(json_string_value(json_object_get(doc, "NextToken")));
	json_decref(doc);
	return tok;
}

static void with_token(const char *tok, const char *filter, const char *n2)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"MaxResults\":1,\"NextToken\":\"%s\"%s%s%s}", tok,
		 filter ? ",\"TaskStatus\":\"" : "", filter ? filter : "",
		 filter ? "\"" : "");
	expect(body, "ValidationException", 400, "NextToken", n2);
}

static void bad_tokens(void)
{
	char *tok = first_token(&rig, NULL);
	size_t len = strlen(tok);

	with_token("garbage", NULL, NULL);
	with_token("!!!!", NULL, NULL);
	for (size_t i = 0; i < len; i += 7) {
		char altered[128];

		snprintf(altered, sizeof(altered), "%s", tok);
		altered[i] = altered[i] == 'A' ? 'B' : 'A';
		with_token(altered, NULL, NULL);
	}
	tok[len - 1] = '\0';
	with_token(tok, NULL, "truncated");
	tok[len / 2] = '\0';
	with_token(tok, NULL, "truncated");
	free(tok);
	expect("{\"NextToken\":42}", "SerializationException", 400, "NextToken",
	       "string");
}

static void token_reused_with_another_filter(void)
{
	char *created = first_token(&rig, "CREATED");
	char *none = first_token(&rig, NULL);

	with_token(created, "FAILED", "CREATED");
	with_token(created, NULL, "CREATED");
	with_token(none, "SUCCEEDED", "SUCCEEDED");
	free(created);
	free(none);
}

/* Sends with the given target and content type and checks the error. */
static void expect_route(const char *method, const char *path,
			 const char *target, const char *ctype,
			 const char *needle)
{
	const char *needles[] = {needle, NULL};
	struct httpc_response resp;

	fake_send(&rig, method, path, target, ctype, "{}", 2, &resp);
	fake_assert_error(&resp, "UnknownOperationException", 400, needles);
	httpc_response_free(&resp);
}

static void routing(void)
{
	expect_route("POST", "/", "Timestream_20181101.CreateTable", FAKE_CT,
		     "X-Amz-Target");
	expect_route("POST", "/", "ListBatchLoadTasks", FAKE_CT,
		     "X-Amz-Target");
	expect_route("POST", "/", NULL, FAKE_CT, "X-Amz-Target");
	expect_route("POST", "/", FAKE_TARGET_LBT, "application/json",
		     "Content-Type");
	expect_route("POST", "/", FAKE_TARGET_LBT, NULL, "Content-Type");
	expect_route("GET", "/", FAKE_TARGET_LBT, FAKE_CT, "GET");
	expect_route("PUT", "/", FAKE_TARGET_LBT, FAKE_CT, "PUT");
	expect_route("POST", "/other", FAKE_TARGET_LBT, FAKE_CT, "/other");
}

static void content_type_parameters_are_accepted(void)
{
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT,
		  "application/x-amz-json-1.0; charset=utf-8", "{}", 2, &resp);
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	httpc_response_free(&resp);
	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, "", 0, &resp);
	cr_assert_eq(resp.status, 200, "empty body: %s", resp.body.data);
	httpc_response_free(&resp);
}

static void body_over_one_mebibyte(void)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n);
	struct httpc_response resp;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, big, n, &resp);
	cr_assert_eq(resp.status, 413, "%ld", resp.status);
	httpc_response_free(&resp);
	/* Exactly 1 MiB is still read. */
	big[n - 2] = '}';
	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, big, n - 1,
		  &resp);
	cr_assert_eq(resp.status, 200, "%ld", resp.status);
	httpc_response_free(&resp);
	free(big);
}

/* Client bytes that are not UTF-8, or a raw NUL, still get a proper JSON
 * error (the message escapes what it quotes). */
static void hostile_bytes(void)
{
	const char *nul[] = {"NUL", NULL};
	const char *esc[] = {"\\xff", NULL};
	const char *euro[] = {"\xe2\x82\xac\xe2\x82\xac", NULL};
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT,
		  "{\"MaxResults\":1\0}", 17, &resp);
	fake_assert_error(&resp, "SerializationException", 400, nul);
	httpc_response_free(&resp);
	fake_send(&rig, "POST", "/", "Timestream_20181101.\xff\xfe\xc0\xaf",
		  FAKE_CT, "{}", 2, &resp);
	fake_assert_error(&resp, "UnknownOperationException", 400, esc);
	httpc_response_free(&resp);
	fake_send(&rig, "POST", "/",
		  "Timestream_20181101.\xe2\x82\xac\xe2\x82\xac", FAKE_CT, "{}",
		  2, &resp);
	fake_assert_error(&resp, "UnknownOperationException", 400, euro);
	httpc_response_free(&resp);
	fake_send(&rig, "POST", "/", FAKE_TARGET_DE, FAKE_CT, "{}\0", 3, &resp);
	fake_assert_error(&resp, "SerializationException", 400, nul);
	httpc_response_free(&resp);
}

/* Seeded junk bodies: never a 5xx, and the server stays up. */
static void junk_never_gets_a_5xx(void)
{
	static const char *const pieces[] = {
	    "{",
	    "}",
	    "[",
	    "]",
	    "\"MaxResults\"",
	    "\"TaskStatus\"",
	    "\"NextToken\"",
	    ":",
	    ",",
	    "1",
	    "-0",
	    "1e999",
	    "null",
	    "true",
	    "\"CREATED\"",
	    "\"\\u0000\"",
	    "\"\\ud800\"",
	    "100",
	    "0.5",
	    "99999999999999999999",
	    "\xff",
	    " ",
	    "\"A\"",
	};
	struct blt_rng r;

	rng_seed(&r, 4242);
	for (int i = 0; i < 600; i++) {
		char body[512] = "";
		size_t n = 1 + rng_below(&r, 12);
		struct httpc_response resp;

		for (size_t k = 0; k < n; k++)
			strcat(body,
			       pieces[rng_below(&r, sizeof(pieces) /
							sizeof(pieces[0]))]);
		fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, body,
			  strlen(body), &resp);
		cr_assert(resp.status == 200 ||
			      (resp.status >= 400 && resp.status < 500),
			  "%ld for %s", resp.status, body);
		httpc_response_free(&resp);
	}
}

#define BOTH(name)                                                             \
	Test(fake_errors_documented, name)                                     \
	{                                                                      \
		name();                                                        \
	}                                                                      \
	Test(fake_errors_smithy, name)                                         \
	{                                                                      \
		name();                                                        \
	}

BOTH(bad_json)
BOTH(max_results_out_of_range)
BOTH(max_results_of_the_wrong_type)
BOTH(bad_task_status)
BOTH(bad_tokens)
BOTH(token_reused_with_another_filter)
BOTH(routing)
BOTH(content_type_parameters_are_accepted)
BOTH(body_over_one_mebibyte)
BOTH(junk_never_gets_a_5xx)
BOTH(hostile_bytes)

/* ---- expiry: two servers with the same data and key, clocks apart ---- */

static char *token_at(const char *now, const char *ttl)
{
	const char *args[] = {"--token-ttl", ttl, NULL};
	struct fake_rig r;
	char *tok;

	setenv("BLT_FAKE_TIME", now, 1);
	fake_rig_start(&r, args);
	tok = first_token(&r, NULL);
	fake_rig_stop(&r);
	return tok;
}

static void use_at(const char *now, const char *ttl, const char *tok, bool ok)
{
	const char *args[] = {"--token-ttl", ttl, NULL};
	char body[256];
	long code;
	json_t *doc;

	setenv("BLT_FAKE_TIME", now, 1);
	fake_rig_start(&rig, args);
	snprintf(body, sizeof(body), "{\"NextToken\":\"%s\"}", tok);
	if (ok) {
		doc = fake_list(&rig, body, &code);
		cr_assert_eq(code, 200, "token should still be valid at %s",
			     now);
		json_decref(doc);
	} else {
		expect(body, "ValidationException", 400, "NextToken",
		       "expired");
	}
	fake_rig_stop(&rig);
}

Test(fake_token_expiry, default_ttl_is_a_day, .timeout = 30)
{
	char *tok = token_at("1800000000", "24h");

	use_at("1800086400", "24h", tok, true);
	use_at("1800086401", "24h", tok, false);
	free(tok);
}

Test(fake_token_expiry, short_ttl, .timeout = 30)
{
	char *tok = token_at("1800000000.5", "90s");

	use_at("1800000089", "90s", tok, true);
	use_at("1800000091", "90s", tok, false);
	free(tok);
}

/* ---- injected faults: statuses by profile ---------------------------- */

static void injected(const char *profile, const char *spec, const char *type,
		     long status)
{
	const char *args[] = {"--profile", profile, "--inject", spec, NULL};
	struct httpc_response resp;

	fake_rig_start(&rig, args);
	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, "{}", 2, &resp);
	fake_assert_error(&resp, type, status, NULL);
	httpc_response_free(&resp);
	fake_rig_stop(&rig);
}

Test(fake_inject, throttling_and_internal_errors_by_profile, .timeout = 30)
{
	injected("documented", "throttle=1", "ThrottlingException", 400);
	injected("smithy", "throttle=1", "ThrottlingException", 429);
	injected("documented", "internal=1", "InternalServerException", 500);
	injected("smithy", "internal=1", "InternalServerException", 500);
}

Test(fake_inject, reset_closes_the_connection, .timeout = 30)
{
	const char *args[] = {"--inject", "reset=1", NULL};
	struct httpc_response resp;
	struct blt_err err;
	char url[96];
	const char *hs[] = {"X-Amz-Target: " FAKE_TARGET_LBT,
			    "Content-Type: " FAKE_CT};

	fake_rig_start(&rig, args);
	snprintf(url, sizeof(url), "%s/", rig.proc.url);
	cr_assert_neq(
	    httpc_send(rig.http, "POST", url, hs, 2, "{}", 2, &resp, &err),
	    BLT_OK, "a reset request got an answer");
	fake_rig_stop(&rig);
}

Test(fake_inject, faults_are_seeded, .timeout = 30)
{
	const char *args[] = {"--inject", "throttle=0.5,seed=3", NULL};
	char first[64] = "";

	for (int run = 0; run < 2; run++) {
		char pattern[64];

		fake_rig_start(&rig, args);
		for (int i = 0; i < 40; i++) {
			struct httpc_response resp;

			fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT,
				  "{}", 2, &resp);
			pattern[i] = resp.status == 200 ? '.' : 'T';
			httpc_response_free(&resp);
		}
		pattern[40] = '\0';
		fake_rig_stop(&rig);
		cr_assert(strchr(pattern, 'T') && strchr(pattern, '.'), "%s",
			  pattern);
		if (run == 0)
			strcpy(first, pattern);
		else
			cr_assert_str_eq(pattern, first);
	}
}
