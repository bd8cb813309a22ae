/* blt-proxy replay as a real process on a free port: matching, token links,
 * --strict, misses, every client rule broken and kept, reports, command
 * mode and fault injection. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/httpc.h"
#include "blt/sigv4.h"
#include "blt_test.h"

#define TARGET_LBT "Timestream_20181101.ListBatchLoadTasks"
#define CT "application/x-amz-json-1.0"
#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

#define REQ(body)                                                          \
	"{\"method\":\"POST\",\"path\":\"/\",\"operation\":"                 \
	"\"ListBatchLoadTasks\",\"headers\":{\"x-amz-target\":\"" TARGET_LBT \
	"\",\"content-type\":\"" CT "\"},\"body\":" body "}"
#define RESP(status, body)                                                 \
	"{\"status\":" #status ",\"headers\":{\"content-type\":\"" CT         \
	"\"},\"body\":" body "}"
#define IA(id, req, resp, from)                                            \
	"{\"id\":" #id ",\"request\":" req ",\"response\":" resp               \
	",\"token_from\":" #from "}"
#define CASSETTE(items)                                                    \
	"{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"                  \
	"\"2026-01-01T00:00:00.000Z\",\"upstream\":\"http://127.0.0.1:1\","   \
	"\"tool\":\"hand\"},\"interactions\":[" items "]}"
#define PAGE(marker, tok)                                                  \
	"{\"BatchLoadTasks\":[{\"TaskId\":\"" marker "\"}]" tok "}"

/* Two pages of a walk: 1 issues tok-A, 2 answers it (recorded with a stale
 * literal token, so only the link can match it). 3 and 4: identical
 * requests with different answers. 5: a recorded ValidationException. */
static const char *walk_cassette = CASSETTE(
	IA(1, REQ("{\"MaxResults\":1,\"TaskStatus\":\"CREATED\"}"),
	   RESP(200, PAGE("PAGE1", ",\"NextToken\":\"tok-A\"")), null) ","
	IA(2, REQ("{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		  "\"NextToken\":\"stale-literal\"}"),
	   RESP(200, PAGE("PAGE2", "")), 1) ","
	IA(3, REQ("{\"MaxResults\":5}"), RESP(200, PAGE("FIRST", "")),
	   null) ","
	IA(4, REQ("{\"MaxResults\":5}"), RESP(200, PAGE("SECOND", "")),
	   null) ","
	IA(5, REQ("{\"MaxResults\":0}"),
	   RESP(400, "{\"__type\":\"com.amazonaws.timestreamwrite#"
		     "ValidationException\",\"message\":\"MaxResults: 0\"}"),
	   null));

struct rig {
	char dir[64];
	char cassette[128];
	char report[128];
	char junit[128];
	struct test_proc proc;
	struct httpc *http;
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void rig_files(struct rig *r, const char *cassette)
{
	snprintf(r->dir, sizeof(r->dir), "/tmp/blt-replay-test.XXXXXX");
	cr_assert(mkdtemp(r->dir));
	snprintf(r->cassette, sizeof(r->cassette), "%s/c.json", r->dir);
	snprintf(r->report, sizeof(r->report), "%s/report.json", r->dir);
	snprintf(r->junit, sizeof(r->junit), "%s/junit.xml", r->dir);
	write_text(r->cassette, cassette);
}

/* Starts blt-proxy replay on the rig's cassette with extra arguments (up to
 * 8, NULL-terminated list). */
static void rig_start(struct rig *r, const char *cassette, const char *a1,
		      const char *a2, const char *a3)
{
	char *argv[16];
	int n = 0;
	struct blt_err err = {0};

	rig_files(r, cassette);
	argv[n++] = strdup(test_bin("blt-proxy"));
	argv[n++] = "replay";
	argv[n++] = "--cassette";
	argv[n++] = r->cassette;
	argv[n++] = "--report";
	argv[n++] = r->report;
	argv[n++] = "--junit";
	argv[n++] = r->junit;
	if (a1)
		argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	if (a3)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	cr_assert(test_proc_start(&r->proc, argv, 5000), "replay did not start");
	free(argv[0]);
	cr_assert_eq(httpc_new(NULL, &r->http, &err), BLT_OK, "%s", err.msg);
}

/* Stops the replay with SIGTERM; returns its exit code and loads the
 * report. */
static int rig_stop(struct rig *r, json_t **report)
{
	int status = test_proc_stop(&r->proc, SIGTERM);
	json_error_t jerr;

	httpc_free(r->http);
	r->http = NULL;
	if (report) {
		*report = json_load_file(r->report, 0, &jerr);
		cr_assert(*report, "report: %s", jerr.text);
	}
	cr_assert(WIFEXITED(status), "replay died");
	return WEXITSTATUS(status);
}

static void rig_clean(struct rig *r)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
}

/* Sends a request; sign 0 sends no Authorization, 1 a valid SigV4 with the
 * test secret, 2 one signed with another secret, 3 one scoped to s3. */
static void send_full(struct rig *r, const char *method, const char *path,
		      const char *ctype, const char *target, const char *body,
		      int sign, struct httpc_response *resp)
{
	char host[64], date[17], auth[1024], url[128];
	char hct[160], htarget[160], hhost[80], hdate[64], hauth[1100];
	const char *hdrs[5];
	struct sigv4_header sh[4];
	struct sigv4_request sr = {0};
	struct sigv4_creds creds = {AKID, sign == 2 ? "other-secret" : SECRET,
				    NULL};
	struct blt_err err = {0};
	size_t n = 0;

	snprintf(host, sizeof(host), "127.0.0.1:%u", r->proc.port);
	snprintf(url, sizeof(url), "%s%s", r->proc.url, path);
	sigv4_amz_date_now(date);
	snprintf(hct, sizeof(hct), "Content-Type: %s", ctype);
	snprintf(htarget, sizeof(htarget), "X-Amz-Target: %s", target);
	snprintf(hhost, sizeof(hhost), "Host: %s", host);
	snprintf(hdate, sizeof(hdate), "X-Amz-Date: %s", date);
	hdrs[n++] = hct;
	hdrs[n++] = htarget;
	hdrs[n++] = hhost;
	hdrs[n++] = hdate;
	if (sign) {
		sh[0] = (struct sigv4_header){"content-type", ctype};
		sh[1] = (struct sigv4_header){"x-amz-target", target};
		sh[2] = (struct sigv4_header){"host", host};
		sh[3] = (struct sigv4_header){"x-amz-date", date};
		sr = (struct sigv4_request){method, path, NULL, sh, 4, body,
					    strlen(body)};
		cr_assert_eq(sigv4_sign(&sr, &creds, "us-east-1",
					sign == 3 ? "s3" : "timestream", date,
					auth, sizeof(auth), &err),
			     BLT_OK, "%s", err.msg);
		snprintf(hauth, sizeof(hauth), "Authorization: %s", auth);
		hdrs[n++] = hauth;
	}
	cr_assert_eq(httpc_send(r->http, method, url, hdrs, n, body,
				strlen(body), resp, &err),
		     BLT_OK, "%s", err.msg);
}

/* A signed, well-formed ListBatchLoadTasks request. */
static void send_lbt(struct rig *r, const char *body,
		     struct httpc_response *resp)
{
	send_full(r, "POST", "/", CT, TARGET_LBT, body, 1, resp);
}

static bool body_has(const struct httpc_response *resp, const char *s)
{
	return resp->body.data && strstr(resp->body.data, s);
}

/* The violation count of rule in a report. */
static long rule_count(json_t *report, const char *rule)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(report, "rules"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "rule")),
			   rule) == 0)
			return (long)json_integer_value(
				json_object_get(v, "violations"));
	}
	cr_assert_fail("rule %s missing from the report", rule);
	return -1;
}

static long total(json_t *report)
{
	return (long)json_integer_value(
		json_object_get(report, "violation_count"));
}

TestSuite(integration, .timeout = 60);

Test(integration, replay_identical_requests_in_order_then_repeat_last)
{
	struct rig r;
	struct httpc_response a, b, c;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"MaxResults\":5}", &a);
	send_lbt(&r, "{ \"MaxResults\" : 5.0 }", &b);
	send_lbt(&r, "{\"MaxResults\":5}", &c);
	cr_expect(body_has(&a, "FIRST"), "got %s", a.body.data);
	cr_expect(body_has(&b, "SECOND"), "got %s", b.body.data);
	cr_expect(body_has(&c, "SECOND"), "repeat-last, got %s", c.body.data);
	cr_expect_eq(c.status, 200);
	httpc_response_free(&a);
	httpc_response_free(&b);
	httpc_response_free(&c);
	cr_expect_eq(rig_stop(&r, &rep), 1, "the 5.0 is a violation");
	cr_expect_eq(rule_count(rep, "CLIENT-MAXRESULTS"), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-EXHAUSTED"), 0);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_strict_answers_error_when_used_up)
{
	struct rig r;
	struct httpc_response a, b, c;
	json_t *rep;

	rig_start(&r, walk_cassette, "--strict", NULL, NULL);
	send_lbt(&r, "{\"MaxResults\":5}", &a);
	send_lbt(&r, "{\"MaxResults\":5}", &b);
	send_lbt(&r, "{\"MaxResults\":5}", &c);
	cr_expect(body_has(&a, "FIRST") && body_has(&b, "SECOND"));
	cr_expect_eq(c.status, 404);
	cr_expect_str_eq(httpc_response_header(&c, "x-amzn-errortype"),
			 "NoMatchingInteraction");
	cr_expect(body_has(&c, "used up"), "got %s", c.body.data);
	httpc_response_free(&a);
	httpc_response_free(&b);
	httpc_response_free(&c);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-EXHAUSTED"), 1);
	cr_expect_eq(total(rep), 1);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_unmatched_names_closest_and_difference)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"MaxResults\":6}", &a);
	cr_expect_eq(a.status, 404);
	cr_expect_str_eq(httpc_response_header(&a, "x-amzn-errortype"),
			 "NoMatchingInteraction");
	cr_expect(body_has(&a, "closest: interaction 3 of"), "%s", a.body.data);
	cr_expect(body_has(&a, "MaxResults: recorded 5, got 6"), "%s",
		  a.body.data);
	httpc_response_free(&a);
	send_lbt(&r, "{\"MaxResults\":1,\"TaskStatus\":\"FAILED\"}", &a);
	cr_expect(body_has(&a, "interaction 1 of"), "%s", a.body.data);
	cr_expect(body_has(&a, "TaskStatus: recorded \\\"CREATED\\\", got "
			       "\\\"FAILED\\\""),
		  "%s", a.body.data);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-NOMATCH"), 2);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_maps_next_token_through_links)
{
	struct rig r;
	struct httpc_response a, b, c;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"TaskStatus\":\"CREATED\",\"MaxResults\":1}", &a);
	cr_expect(body_has(&a, "tok-A"), "%s", a.body.data);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"tok-A\"}",
		 &b);
	cr_expect(body_has(&b, "PAGE2"), "linked page: %s", b.body.data);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"stale-literal\"}",
		 &c);
	cr_expect_eq(c.status, 404, "the literal token is not the link");
	httpc_response_free(&a);
	httpc_response_free(&b);
	httpc_response_free(&c);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-TOKEN"), 1, "stale-literal");
	cr_expect_eq(rule_count(rep, "REPLAY-NOMATCH"), 1);
	cr_expect_eq(total(rep), 2);
	json_decref(rep);
	rig_clean(&r);
}

/* A NextToken that is not a string is not a token: it does not match the
 * first page recorded without one. */
Test(integration, replay_next_token_of_another_type_does_not_match)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"TaskStatus\":\"CREATED\",\"MaxResults\":1,"
		     "\"NextToken\":5}", &a);
	cr_expect_eq(a.status, 404, "%s", a.body.data);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-NOMATCH"), 1);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_clean_walk_has_no_violation_and_exit_0)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep, *c0;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"TaskStatus\":\"CREATED\",\"MaxResults\":1}", &a);
	httpc_response_free(&a);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"tok-A\"}",
		 &a);
	httpc_response_free(&a);
	send_full(&r, "POST", "/", "application/x-amz-json-1.0; charset=utf-8",
		  TARGET_LBT, "{\"MaxResults\":5}", 1, &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 0);
	cr_expect_eq(total(rep), 0);
	c0 = json_array_get(json_object_get(rep, "cassettes"), 0);
	cr_expect_eq(json_array_size(json_object_get(c0, "used")), 3);
	cr_expect_eq(json_array_size(json_object_get(c0, "unused")), 2);
	cr_expect_eq(json_integer_value(
			     json_array_get(json_object_get(c0, "unused"), 0)),
		     4);
	cr_expect_eq(json_integer_value(json_object_get(rep, "requests")), 3);
	json_decref(rep);
	rig_clean(&r);
}

/* Sends one request breaking (or keeping) a rule and checks the report
 * counts exactly `want` violations, all of that rule. */
static void one_rule(const char *rule, const char *method, const char *path,
		     const char *ctype, const char *target, const char *body,
		     int sign, long want, const char *opt)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, opt, NULL, NULL);
	send_full(&r, method, path, ctype, target, body, sign, &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), want ? 1 : 0, "%s", rule);
	cr_expect_eq(rule_count(rep, rule), want, "%s", rule);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_rule_method)
{
	one_rule("CLIENT-METHOD", "PUT", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 1, NULL);
	one_rule("CLIENT-METHOD", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 0, NULL);
}

Test(integration, replay_rule_path)
{
	one_rule("CLIENT-PATH", "POST", "/v1", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 1, NULL);
	one_rule("CLIENT-PATH", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 0, NULL);
}

Test(integration, replay_rule_ctype)
{
	one_rule("CLIENT-CTYPE", "POST", "/", "application/json", TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 1, NULL);
	one_rule("CLIENT-CTYPE", "POST", "/", "Application/X-Amz-Json-1.0",
		 TARGET_LBT, "{\"MaxResults\":5}", 1, 0, NULL);
}

Test(integration, replay_rule_target)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;
	char want[128];

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_full(&r, "POST", "/", CT, "Timestream_20181101.ListBatchLoadTask",
		  "{\"MaxResults\":5}", 1, &a);
	cr_expect_eq(a.status, 404, "no such operation was recorded");
	httpc_response_free(&a);
	send_full(&r, "POST", "/", CT, "Timestream_20181101.DescribeEndpoints",
		  "{}", 1, &a);
	cr_expect_eq(a.status, 200);
	snprintf(want, sizeof(want), "\"Address\":\"%s\"", r.proc.url);
	cr_expect(strstr(a.body.data, want) != NULL,
		  "DescribeEndpoints answers the replay's URL (%s): %s",
		  r.proc.url, a.body.data);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-TARGET"), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-NOMATCH"), 1);
	cr_expect_eq(total(rep), 2);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_rule_json)
{
	one_rule("CLIENT-JSON", "POST", "/", CT, TARGET_LBT, "[5]", 1, 1, NULL);
	one_rule("CLIENT-JSON", "POST", "/", CT, TARGET_LBT, "{\"MaxResults\":5",
		 1, 1, NULL);
	one_rule("CLIENT-JSON", "POST", "/", CT, TARGET_LBT, "{\"MaxResults\":5}",
		 1, 0, NULL);
}

Test(integration, replay_rule_maxresults)
{
	static const char *const bad[] = {
		"{\"MaxResults\":0}",     "{\"MaxResults\":101}",
		"{\"MaxResults\":-1}",    "{\"MaxResults\":\"10\"}",
		"{\"MaxResults\":1.5}",   "{\"MaxResults\":true}",
		"{\"MaxResults\":2147483648}"};
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_lbt(&r, bad[i], &a);
		if (i == 0) {
			cr_expect_eq(a.status, 400,
				     "a violating request is still answered "
				     "from the cassette");
			cr_expect(body_has(&a, "ValidationException"));
		}
		httpc_response_free(&a);
	}
	send_lbt(&r, "{\"MaxResults\":1}", &a);
	httpc_response_free(&a);
	send_lbt(&r, "{\"MaxResults\":100}", &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-MAXRESULTS"), 7);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_rule_status)
{
	one_rule("CLIENT-STATUS", "POST", "/", CT, TARGET_LBT,
		 "{\"TaskStatus\":\"RUNNING\"}", 1, 1, NULL);
	one_rule("CLIENT-STATUS", "POST", "/", CT, TARGET_LBT,
		 "{\"TaskStatus\":\"created\"}", 1, 1, NULL);
	one_rule("CLIENT-STATUS", "POST", "/", CT, TARGET_LBT,
		 "{\"TaskStatus\":\"CREATED\",\"MaxResults\":1}", 1, 0, NULL);
}

Test(integration, replay_rule_token)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	/* tok-A is in the cassette but not yet issued by this replay. */
	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"tok-A\"}",
		 &a);
	cr_expect(body_has(&a, "PAGE2"), "still answered: %s", a.body.data);
	httpc_response_free(&a);
	send_lbt(&r, "{\"NextToken\":\"garbage\"}", &a);
	httpc_response_free(&a);
	send_lbt(&r, "{\"NextToken\":7}", &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-TOKEN"), 3);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_rule_walk)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\"}", &a);
	httpc_response_free(&a);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"FAILED\","
		 "\"NextToken\":\"tok-A\"}",
		 &a);
	httpc_response_free(&a);
	send_lbt(&r, "{\"MaxResults\":1,\"NextToken\":\"tok-A\"}", &a);
	httpc_response_free(&a);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"tok-A\"}",
		 &a);
	cr_expect(body_has(&a, "PAGE2"));
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-WALK"), 2);
	cr_expect_eq(rule_count(rep, "CLIENT-TOKEN"), 0);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_rule_sigv4)
{
	one_rule("CLIENT-SIGV4", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 0, 1, NULL);
	one_rule("CLIENT-SIGV4", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 3, 1, NULL);
	/* Without --verify-sigv4 only the form is checked. */
	one_rule("CLIENT-SIGV4", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 2, 0, NULL);
	one_rule("CLIENT-SIGV4", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 0, NULL);
}

Test(integration, replay_rule_sigv4_verified)
{
	one_rule("CLIENT-SIGV4", "POST", "/", CT, TARGET_LBT,
		 "{\"MaxResults\":5}", 1, 0,
		 "--verify-sigv4=" AKID ":" SECRET);
}

Test(integration, replay_rule_sigv4_verify_rejects_other_secret)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep;

	rig_start(&r, walk_cassette, "--verify-sigv4", AKID ":" SECRET, NULL);
	send_full(&r, "POST", "/", CT, TARGET_LBT, "{\"MaxResults\":5}", 2,
		  &a);
	httpc_response_free(&a);
	send_full(&r, "POST", "/", CT, TARGET_LBT, "{\"MaxResults\":5}", 1,
		  &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-SIGV4"), 1);
	cr_expect(strstr(json_string_value(json_object_get(
				 json_array_get(json_object_get(rep,
								"violations"),
						0),
				 "message")),
			 "signature") != NULL);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_junit_lists_rules_and_unused)
{
	struct rig r;
	struct httpc_response a;
	char *xml;
	int cases = 0;

	rig_start(&r, walk_cassette, "--fail-on-unused", NULL, NULL);
	send_lbt(&r, "{\"MaxResults\":0}", &a);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, NULL), 1);
	xml = test_slurp(r.junit, NULL);
	cr_assert(xml);
	for (const char *p = xml; (p = strstr(p, "<testcase ")); p++)
		cases++;
	cr_expect_eq(cases, 12 + 4, "12 rules and 4 unused: %s", xml);
	cr_expect(strstr(xml, "<failure type=\"CLIENT-MAXRESULTS\"") != NULL);
	cr_expect(strstr(xml, "c.json#3\"") != NULL, "%s", xml);
	cr_expect(strstr(xml, "failures=\"5\"") != NULL, "%s", xml);
	cr_expect(strstr(xml, "</testsuites>") != NULL);
	free(xml);
	rig_clean(&r);
}

/* Runs blt-proxy replay -- sh -c SCRIPT; returns the exit code. */
static int run_cmd(struct rig *r, const char *opt, const char *script,
		   char **out)
{
	char *argv[12];
	int n = 0;
	int rc;

	rig_files(r, walk_cassette);
	argv[n++] = strdup(test_bin("blt-proxy"));
	argv[n++] = "replay";
	argv[n++] = "--cassette";
	argv[n++] = r->cassette;
	argv[n++] = "--report";
	argv[n++] = r->report;
	if (opt)
		argv[n++] = (char *)opt;
	argv[n++] = "--";
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = (char *)script;
	argv[n] = NULL;
	rc = test_run(argv, out, 30000);
	free(argv[0]);
	return rc;
}

#define CURL_LBT(body)                                                     \
	"curl -sf -H 'Content-Type: " CT "' -H 'X-Amz-Target: " TARGET_LBT   \
	"' --aws-sigv4 aws:amz:$AWS_REGION:timestream "                      \
	"--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" "              \
	"-d '" body "' \"$AWS_ENDPOINT_URL_TIMESTREAM_WRITE\" >/dev/null"

Test(integration, replay_command_mode_exit_status)
{
	struct rig r;
	char *out = NULL;

	cr_expect_eq(run_cmd(&r, NULL, "exit 3", &out), 1, "%s", out);
	free(out);
	rig_clean(&r);
	cr_expect_eq(run_cmd(&r, NULL, "true", &out), 0, "%s", out);
	free(out);
	rig_clean(&r);
	cr_expect_eq(run_cmd(&r, "--fail-on-unused", "true", &out), 1, "%s",
		     out);
	cr_expect(strstr(out, "unused: interaction 1 of") != NULL, "%s", out);
	free(out);
	rig_clean(&r);
	/* A violation seen during the command fails the run. */
	cr_expect_eq(run_cmd(&r, NULL, CURL_LBT("{\"MaxResults\":0}") " || true",
			     &out),
		     1, "%s", out);
	free(out);
	rig_clean(&r);
}

/* Counts the lines of text that contain needle. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)) != NULL;
	     p += strlen(needle))
		n++;
	return n;
}

/* Without --fail-on-unused or --verbose, unused interactions are one
 * summary line that says how to see them; either flag lists them. */
Test(integration, replay_unused_summary_and_list)
{
	struct rig r;
	char *out = NULL;

	cr_expect_eq(run_cmd(&r, NULL, "true", &out), 0, "%s", out);
	cr_expect_eq(lines_with(out, "unused: interaction"), 0,
		     "listed without --verbose: %s", out);
	cr_expect_eq(lines_with(out, "5 of 5 interactions unused (--verbose "
				     "lists them, --report FILE has them "
				     "all)\n"),
		     1, "no summary line: %s", out);
	free(out);
	rig_clean(&r);
	cr_expect_eq(run_cmd(&r, "--verbose", "true", &out), 0, "%s", out);
	cr_expect_eq(lines_with(out, "unused: interaction"), 5, "%s", out);
	free(out);
	rig_clean(&r);
	cr_expect_eq(run_cmd(&r, "--fail-on-unused", "true", &out), 1, "%s",
		     out);
	cr_expect_eq(lines_with(out, "unused: interaction"), 5, "%s", out);
	free(out);
	rig_clean(&r);
}

Test(integration, replay_command_mode_environment_and_full_use)
{
	struct rig r;
	char *out = NULL;
	json_t *rep;
	json_error_t jerr;

	cr_expect_eq(
		run_cmd(&r, "--fail-on-unused",
			"set -e; test \"$AWS_ENDPOINT_URL\" = "
			"\"$AWS_ENDPOINT_URL_TIMESTREAM_WRITE\"; "
			"test \"$AWS_ACCESS_KEY_ID\" = AKIDEXAMPLE; "
			"test \"$AWS_REGION\" = us-east-1; " CURL_LBT(
				"{\"MaxResults\":1,\"TaskStatus\":\"CREATED\"}") "; " CURL_LBT("{\"MaxResults\":1,\"TaskStatus\":\"CREATED\",\"NextToken\":\"tok-A\"}") "; " CURL_LBT("{\"MaxResults\":5}") "; " CURL_LBT("{\"MaxResults\":5}") "; " CURL_LBT("{\"MaxResults\":0}") " || true",
			&out),
		1, "MaxResults 0 is a violation: %s", out);
	free(out);
	rep = json_load_file(r.report, 0, &jerr);
	cr_assert(rep, "%s", jerr.text);
	cr_expect_eq(json_integer_value(json_object_get(rep, "unused_count")),
		     0);
	cr_expect_eq(total(rep), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-MAXRESULTS"), 1);
	cr_expect_eq(rule_count(rep, "CLIENT-SIGV4"), 0, "curl signs");
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_advertise_sets_the_address)
{
	struct rig r;
	struct httpc_response a;

	rig_start(&r, walk_cassette, "--advertise=https://replay.example.com",
		  NULL, NULL);
	send_full(&r, "POST", "/", CT, "Timestream_20181101.DescribeEndpoints",
		  "{}", 1, &a);
	cr_expect_eq(a.status, 200);
	cr_expect(body_has(&a, "\"Address\":\"replay.example.com\""), "%s",
		  a.body.data);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, NULL), 0);
	rig_clean(&r);
}

/* In command mode stdout belongs to the command: the listening line goes
 * to stderr, so "replay -- COMMAND > out.json" holds only what COMMAND
 * printed. */
Test(integration, replay_command_mode_leaves_stdout_to_the_command)
{
	struct rig r;
	char cmd[1024];
	char out_path[160];
	char err_path[160];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	char *out = NULL;
	char *err = NULL;
	char want[160];
	const char *prefix = "{\"url\": \"http://127.0.0.1:";

	rig_files(&r, walk_cassette);
	snprintf(out_path, sizeof(out_path), "%s/stdout", r.dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", r.dir);
	snprintf(cmd, sizeof(cmd),
		 "'%s' replay --cassette '%s' -- sh -c "
		 "'echo \"{\\\"url\\\": \\\"$BLT_REPLAY_URL\\\"}\"' "
		 ">'%s' 2>'%s'",
		 test_bin("blt-proxy"), r.cassette, out_path, err_path);
	cr_assert_eq(test_run(argv, NULL, 30000), 0, "%s", cmd);
	out = test_slurp(out_path, NULL);
	err = test_slurp(err_path, NULL);
	cr_assert(out && err);
	cr_expect(strncmp(out, prefix, strlen(prefix)) == 0 &&
		      strchr(out, '\n') == out + strlen(out) - 1,
		  "stdout is the command's one line: '%s'", out);
	cr_expect(strstr(out, "listening on") == NULL, "stdout: %s", out);
	const char *url = strstr(out, "http://");

	cr_assert(url, "%s", out);
	snprintf(want, sizeof(want), "listening on %.*s\n",
		 (int)strcspn(url, "\""), url);
	cr_expect(strstr(err, want) != NULL,
		  "stderr names the URL the command got (%s): %s", want, err);
	free(out);
	free(err);
	rig_clean(&r);
}

Test(integration, replay_usage_and_cassette_errors)
{
	char *out = NULL;
	char *argv1[] = {strdup(test_bin("blt-proxy")), "replay", NULL};
	char *argv2[] = {strdup(test_bin("blt-proxy")), "replay", "--cassette",
			 "/nonexistent/c.json", NULL};
	char *argv3[] = {strdup(test_bin("blt-proxy")), "replay", "--cassette",
			 "x.json", "--inject", "throttle=2", NULL};
	char *argv4[] = {strdup(test_bin("blt-proxy")), "replay", "--cassette",
			 "x.json", "--advertise", "replay.example.com", NULL};

	cr_expect_eq(test_run(argv1, &out, 10000), 2);
	cr_expect(strstr(out, "--cassette") != NULL, "%s", out);
	free(out);
	cr_expect_eq(test_run(argv2, &out, 10000), 2);
	cr_expect(strstr(out, "/nonexistent/c.json") != NULL, "%s", out);
	free(out);
	cr_expect_eq(test_run(argv3, &out, 10000), 2);
	cr_expect(strstr(out, "throttle") != NULL, "%s", out);
	free(out);
	cr_expect_eq(test_run(argv4, &out, 10000), 2);
	cr_expect(strstr(out, "--advertise") != NULL &&
		      strstr(out, "http:// or https://") != NULL,
		  "%s", out);
	free(out);
	free(argv4[0]);
	free(argv1[0]);
	free(argv2[0]);
	free(argv3[0]);
}

/* Sends 1000 requests and counts what came back, by fault. Each on a new
 * connection: libcurl silently retries a request whose reused connection
 * was closed, which would hide resets. */
static void count_faults(const char *spec, long counts[4], char **seq)
{
	struct rig r;
	struct httpc_response a;
	json_t *rep, *faults;
	struct blt_err err = {0};
	char *s = calloc(1001, 1);

	rig_start(&r, walk_cassette, "--inject", spec, NULL);
	memset(counts, 0, 4 * sizeof(long));
	for (int i = 0; i < 1000; i++) {
		if (httpc_send(r.http, "POST", r.proc.url,
			       (const char *[]){"Content-Type: " CT,
						"X-Amz-Target: " TARGET_LBT,
						"Connection: close"},
			       3, "{\"MaxResults\":5}", 16, &a, &err)) {
			counts[3]++;
			s[i] = 'R';
			continue;
		}
		if (a.status == 200) {
			s[i] = '.';
			counts[0]++;
		} else if (body_has(&a, "ThrottlingException")) {
			s[i] = 'T';
			counts[1]++;
		} else if (a.status == 500) {
			s[i] = 'I';
			counts[2]++;
		}
		httpc_response_free(&a);
	}
	rig_stop(&r, &rep);
	faults = json_object_get(rep, "faults");
	cr_expect_eq(json_integer_value(json_object_get(faults, "throttle")),
		     counts[1]);
	cr_expect_eq(json_integer_value(json_object_get(faults, "internal")),
		     counts[2]);
	cr_expect_eq(json_integer_value(json_object_get(faults, "reset")),
		     counts[3]);
	json_decref(rep);
	rig_clean(&r);
	*seq = s;
}

Test(integration, replay_inject_rates_and_determinism, .timeout = 120)
{
	const char *spec = "throttle=0.2,internal=0.1,reset=0.05,seed=42";
	long c1[4], c2[4];
	char *s1, *s2;

	count_faults(spec, c1, &s1);
	cr_expect(c1[1] >= 170 && c1[1] <= 230, "throttle %ld", c1[1]);
	cr_expect(c1[2] >= 70 && c1[2] <= 130, "internal %ld", c1[2]);
	cr_expect(c1[3] >= 25 && c1[3] <= 75, "reset %ld", c1[3]);
	cr_expect_eq(c1[0] + c1[1] + c1[2] + c1[3], 1000);
	count_faults(spec, c2, &s2);
	cr_expect_arr_eq(c1, c2, sizeof(c1), "a rerun injects the same");
	cr_expect_str_eq(s1, s2, "in the same places");
	free(s1);
	free(s2);
}

/* A body of about 800 KB whose canonical text is over REPLAY_KEY_MAX
 * (each 1e9 is written out as 1000000000). New string. */
static char *huge_maxresults_body(void)
{
	size_t n = 200000;
	char *s = malloc(16 + n * 4 + 4);
	size_t len = 0;

	cr_assert(s);
	len += (size_t)sprintf(s, "{\"MaxResults\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s1e9", i ? "," : "");
	strcpy(s + len, "]}");
	return s;
}

/* A body 2 bytes under the 1 MiB body cap that is almost all NextToken:
 * with the operation's name its match key is over REPLAY_KEY_MAX (1 MiB).
 * New string. */
static char *huge_token_body(void)
{
	size_t tok = 1024 * 1024 - 18;
	char *s = malloc(tok + 64);

	cr_assert(s);
	strcpy(s, "{\"NextToken\":\"");
	memset(s + strlen(s), 'T', tok);
	strcpy(s + 14 + tok, "\"}");
	return s;
}

Test(integration, replay_oversized_match_key_is_a_recorded_miss)
{
	struct rig r;
	struct httpc_response a, b;
	json_t *rep;
	char *mr = huge_maxresults_body();
	char *tok = huge_token_body();

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r, mr, &a);
	send_lbt(&r, tok, &b);
	cr_expect_eq(a.status, 404, "got %ld: %.200s", a.status,
		     a.body.data ? a.body.data : "");
	cr_expect_eq(b.status, 404, "got %ld: %.200s", b.status,
		     b.body.data ? b.body.data : "");
	cr_expect_str_eq(httpc_response_header(&a, "x-amzn-errortype"),
			 "NoMatchingInteraction");
	cr_expect_str_eq(httpc_response_header(&b, "x-amzn-errortype"),
			 "NoMatchingInteraction");
	cr_expect(body_has(&a, "match key"), "the message says why: %.300s",
		  a.body.data ? a.body.data : "");
	httpc_response_free(&a);
	httpc_response_free(&b);
	cr_expect_eq(rig_stop(&r, &rep), 1);
	cr_expect_eq(rule_count(rep, "REPLAY-NOMATCH"), 2);
	cr_expect_eq(rule_count(rep, "CLIENT-MAXRESULTS"), 1,
		     "the body checks still run");
	cr_expect_eq(rule_count(rep, "CLIENT-TOKEN"), 1);
	cr_expect_eq(total(rep), 4);
	json_decref(rep);
	rig_clean(&r);
	free(mr);
	free(tok);
}

Test(integration, replay_empty_next_token_is_a_first_page)
{
	struct rig r;
	struct httpc_response a, b;
	json_t *rep;

	rig_start(&r, walk_cassette, NULL, NULL, NULL);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"\"}",
		 &a);
	cr_expect(body_has(&a, "PAGE1"), "got %s", a.body.data);
	send_lbt(&r,
		 "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
		 "\"NextToken\":\"tok-A\"}",
		 &b);
	cr_expect(body_has(&b, "PAGE2"), "got %s", b.body.data);
	httpc_response_free(&a);
	httpc_response_free(&b);
	cr_expect_eq(rig_stop(&r, &rep), 0);
	cr_expect_eq(rule_count(rep, "CLIENT-TOKEN"), 0);
	cr_expect_eq(rule_count(rep, "CLIENT-WALK"), 0);
	cr_expect_eq(total(rep), 0);
	json_decref(rep);
	rig_clean(&r);
}

Test(integration, replay_value_options_take_the_joined_form)
{
	struct rig r;
	struct httpc_response a;
	struct blt_err err = {0};
	char opt[160];
	char *out = NULL;
	char *argv[] = {strdup(test_bin("blt-proxy")), "replay", opt,
			"--listen=127.0.0.1:0", NULL};
	char *empty[] = {strdup(test_bin("blt-proxy")), "replay",
			 "--cassette=", NULL};

	rig_files(&r, walk_cassette);
	snprintf(opt, sizeof(opt), "--cassette=%s", r.cassette);
	cr_assert(test_proc_start(&r.proc, argv, 5000), "replay did not start");
	cr_assert_eq(httpc_new(NULL, &r.http, &err), BLT_OK, "%s", err.msg);
	send_lbt(&r, "{\"MaxResults\":5}", &a);
	cr_expect(body_has(&a, "FIRST"), "got %s", a.body.data);
	httpc_response_free(&a);
	cr_expect_eq(rig_stop(&r, NULL), 0);
	cr_expect_eq(test_run(empty, &out, 10000), 2);
	cr_expect(strstr(out, "--cassette") != NULL, "%s", out);
	free(out);
	free(argv[0]);
	free(empty[0]);
	rig_clean(&r);
}

/* Runs blt-proxy replay -- COMMAND... on the walk cassette with extra
 * options; returns the exit code. */
static int run_argv(struct rig *r, const char *const *opts,
		    const char *const *command, char **out)
{
	char *argv[24];
	int n = 0;
	int rc;

	rig_files(r, walk_cassette);
	argv[n++] = strdup(test_bin("blt-proxy"));
	argv[n++] = "replay";
	argv[n++] = "--cassette";
	argv[n++] = r->cassette;
	for (size_t i = 0; opts[i]; i++)
		argv[n++] = (char *)opts[i];
	argv[n++] = "--";
	for (size_t i = 0; command[i]; i++)
		argv[n++] = (char *)command[i];
	argv[n] = NULL;
	rc = test_run(argv, out, 30000);
	free(argv[0]);
	return rc;
}

Test(integration, replay_command_gets_the_documented_environment)
{
	static const char script[] =
		"set -e; "
		"case \"$BLT_REPLAY_URL\" in http://127.0.0.1:*) ;; "
		"*) exit 9;; esac; "
		"test \"$AWS_ENDPOINT_URL\" = \"$BLT_REPLAY_URL\"; "
		"test \"$AWS_ENDPOINT_URL_TIMESTREAM_WRITE\" = "
		"\"$BLT_REPLAY_URL\"; "
		"test \"$AWS_ACCESS_KEY_ID\" = AKIAIOSFODNN7EXAMPLE; "
		"test \"$AWS_SECRET_ACCESS_KEY\" = "
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY; "
		"test \"$AWS_REGION\" = eu-west-2; "
		"test \"$AWS_DEFAULT_REGION\" = eu-west-2; "
		"test \"$AWS_EC2_METADATA_DISABLED\" = true; "
		"test -z \"${AWS_SESSION_TOKEN+set}\"; "
		"test -z \"${AWS_PROFILE+set}\"; "
		"test \"$BLT_TEST_UNRELATED\" = kept; "
		"test \"$(env | grep -c '^AWS_REGION=')\" = 1";
	const char *opts[] = {"--region=eu-west-2", "--verify-sigv4",
			      "AKIAIOSFODNN7EXAMPLE:"
			      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			      NULL};
	const char *cmd[] = {"sh", "-c", script, NULL};
	struct rig r;
	char *out = NULL;

	setenv("AWS_SESSION_TOKEN", "a-session-token", 1);
	setenv("AWS_PROFILE", "a-profile", 1);
	setenv("AWS_REGION", "us-west-1", 1);
	setenv("BLT_TEST_UNRELATED", "kept", 1);
	cr_expect_eq(run_argv(&r, opts, cmd, &out), 0, "%s", out);
	free(out);
	rig_clean(&r);
}

Test(integration, replay_command_not_found_and_script_without_interpreter)
{
	const char *none[] = {NULL};
	const char *missing[] = {"/nonexistent/blt-command", NULL};
	const char *unknown[] = {"blt-no-such-command-anywhere", NULL};
	const char *script[2] = {NULL, NULL};
	char sdir[] = "/tmp/blt-replay-script.XXXXXX";
	char path[160];
	struct rig r;
	char *out = NULL;
	FILE *f;

	cr_expect_eq(run_argv(&r, none, missing, &out), 1, "%s", out);
	cr_expect(strstr(out, "cannot run '/nonexistent/blt-command'") &&
			  strstr(out, "No such file"),
		  "%s", out);
	free(out);
	rig_clean(&r);
	cr_expect_eq(run_argv(&r, none, unknown, &out), 1, "%s", out);
	cr_expect(strstr(out, "cannot run 'blt-no-such-command-anywhere'"),
		  "%s", out);
	free(out);
	rig_clean(&r);
	/* A script without "#!" runs with /bin/sh, as execvp does. */
	cr_assert(mkdtemp(sdir));
	snprintf(path, sizeof(path), "%s/script", sdir);
	f = fopen(path, "w");
	cr_assert(f);
	fputs("test -n \"$BLT_REPLAY_URL\" && exit 0\nexit 5\n", f);
	fclose(f);
	cr_assert_eq(chmod(path, 0700), 0);
	script[0] = path;
	cr_expect_eq(run_argv(&r, none, script, &out), 0, "%s", out);
	free(out);
	rig_clean(&r);
	unlink(path);
	rmdir(sdir);
}
