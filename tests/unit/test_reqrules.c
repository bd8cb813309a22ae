/* Unit tests for lib/reqrules.c: the client request rules, one request at a
 * time, with signatures made by lib/sigv4.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "blt/lbt.h"
#include "blt/reqrules.h"
#include "blt/sigv4.h"

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFETEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define DATE "20250301T120000Z"
#define LBT "Timestream_20181101.ListBatchLoadTasks"

/* A request with the protocol's headers, signed for service in region
 * (NULL: not signed). */
struct signed_req {
	struct blt_header h[6];
	char auth[1024];
	struct httpd_request req;
};

static void make(struct signed_req *s, const char *method, const char *ctype,
		 const char *target, const char *body, const char *service,
		 const char *region)
{
	struct sigv4_header sh[4];
	struct sigv4_creds creds = {AKID, SECRET, NULL};
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->h[n++] = (struct blt_header){"Host", "127.0.0.1:8080"};
	s->h[n++] = (struct blt_header){"X-Amz-Date", DATE};
	if (ctype)
		s->h[n++] = (struct blt_header){"Content-Type", ctype};
	if (target)
		s->h[n++] = (struct blt_header){"X-Amz-Target", target};
	for (size_t i = 0; i < n; i++)
		sh[i] = (struct sigv4_header){s->h[i].name, s->h[i].value};
	if (service) {
		struct sigv4_request r = {method, "/",	NULL,	     sh,
					  n,	  body, strlen(body)};
		cr_assert_eq(sigv4_sign(&r, &creds, region, service, DATE,
					s->auth, sizeof(s->auth), NULL),
			     BLT_OK);
		s->h[n++] = (struct blt_header){"Authorization", s->auth};
	}
	s->req.method = method;
	s->req.path = "/";
	s->req.headers = s->h;
	s->req.nheaders = n;
	s->req.body = body;
	s->req.body_len = strlen(body);
}

/* The one rule broken in f, or -1 when none is, -2 when several are. */
static int only_broken(const struct reqrule_findings *f)
{
	int which = -1;

	for (int r = 0; r < REQRULE_COUNT; r++)
		if (reqrule_broken(f, (enum reqrule)r))
			which = which == -1 ? r : -2;
	return which;
}

static int envelope(const struct signed_req *s, const char *akid,
		    const char *region, struct reqrule_findings *f)
{
	reqrule_findings_init(f);
	reqrules_envelope(
	    &s->req,
	    awsjson_target_parse(httpd_request_header(&s->req, "x-amz-target")),
	    akid, akid ? SECRET : NULL, region, f);
	return only_broken(f);
}

Test(reqrules, a_good_request_keeps_every_rule)
{
	struct signed_req s;
	struct reqrule_findings f;

	make(&s, "POST", "application/x-amz-json-1.0", LBT, "{}", "timestream",
	     "us-east-1");
	cr_expect_eq(envelope(&s, AKID, "us-east-1", &f), -1, "%s",
		     f.msg[REQRULE_SIGV4]);
	cr_expect_not(reqrule_any(&f));
}

Test(reqrules, each_envelope_rule_on_its_own)
{
	struct signed_req s;
	struct reqrule_findings f;

	make(&s, "PUT", "application/x-amz-json-1.0", LBT, "{}", "timestream",
	     "us-east-1");
	cr_expect_eq(envelope(&s, AKID, NULL, &f), REQRULE_METHOD);
	cr_expect(strstr(f.msg[REQRULE_METHOD], "PUT"));
	make(&s, "POST", "application/json", LBT, "{}", "timestream",
	     "us-east-1");
	cr_expect_eq(envelope(&s, AKID, NULL, &f), REQRULE_CTYPE);
	make(&s, "POST", "application/x-amz-json-1.0",
	     "Timestream_20181101.ListTasks", "{}", "timestream", "us-east-1");
	cr_expect_eq(envelope(&s, AKID, NULL, &f), REQRULE_TARGET);
	make(&s, "POST", "application/x-amz-json-1.0", LBT, "{}", NULL, NULL);
	cr_expect_eq(envelope(&s, NULL, NULL, &f), REQRULE_SIGV4);
	cr_expect_str_eq(f.msg[REQRULE_SIGV4], "no Authorization header");
	make(&s, "POST", "application/x-amz-json-1.0", LBT, "{}", "dynamodb",
	     "us-east-1");
	cr_expect_eq(envelope(&s, NULL, NULL, &f), REQRULE_SIGV4);
	cr_expect(strstr(f.msg[REQRULE_SIGV4], "'dynamodb'"));
}

Test(reqrules, signature_verified_with_the_key_and_region_when_given)
{
	struct signed_req s;
	struct reqrule_findings f;

	make(&s, "POST", "application/x-amz-json-1.0", LBT, "{}", "timestream",
	     "eu-west-1");
	cr_expect_eq(envelope(&s, NULL, NULL, &f), -1, "any region");
	cr_expect_eq(envelope(&s, AKID, "us-east-1", &f), REQRULE_SIGV4);
	cr_expect(strstr(f.msg[REQRULE_SIGV4], "'eu-west-1'"), "%s",
		  f.msg[REQRULE_SIGV4]);
	/* the body changed after signing */
	s.req.body = "{\"MaxResults\":5}";
	s.req.body_len = strlen(s.req.body);
	cr_expect_eq(envelope(&s, NULL, NULL, &f), -1, "form only");
	cr_expect_eq(envelope(&s, AKID, NULL, &f), REQRULE_SIGV4);
	cr_expect(strstr(f.msg[REQRULE_SIGV4], "does not verify"), "%s",
		  f.msg[REQRULE_SIGV4]);
}

static int body_rule(const char *body, int *live)
{
	struct httpd_request req = {.method = "POST",
				    .path = "/",
				    .body = body,
				    .body_len = strlen(body)};
	struct reqrule_findings f;
	json_t *v;

	reqrule_findings_init(&f);
	v = reqrules_body(&req, AWSJSON_OP_LIST_BATCH_LOAD_TASKS, live, &f);
	cr_expect_eq(v == NULL, reqrule_broken(&f, REQRULE_JSON), "%s", body);
	json_decref(v);
	return only_broken(&f);
}

Test(reqrules, body_members)
{
	int live;

	cr_expect_eq(body_rule("", &live), -1, "an empty body is {}");
	cr_expect_eq(live, -1);
	cr_expect_eq(body_rule("[1]", &live), REQRULE_JSON);
	cr_expect_eq(body_rule("{\"MaxResults\":0}", &live),
		     REQRULE_MAXRESULTS);
	cr_expect_eq(body_rule("{\"MaxResults\":\"5\"}", &live),
		     REQRULE_MAXRESULTS);
	cr_expect_eq(body_rule("{\"MaxResults\":5.0}", &live),
		     REQRULE_MAXRESULTS);
	cr_expect_eq(body_rule("{\"MaxResults\":100}", &live), -1);
	cr_expect_eq(body_rule("{\"TaskStatus\":\"RUNNING\"}", &live),
		     REQRULE_STATUS);
	cr_expect_eq(live, -2);
	cr_expect_eq(body_rule("{\"TaskStatus\":\"FAILED\"}", &live), -1);
	cr_expect_eq(live, LBT_FAILED);
	cr_expect_eq(body_rule("{\"NextToken\":7}", &live), REQRULE_TOKEN);
}

Test(reqrules, tokens_and_walks)
{
	struct reqrule_findings f;

	reqrule_findings_init(&f);
	reqrules_token("", REQRULE_TOKEN_UNKNOWN, -1, -1, "me", "kept", &f);
	cr_expect_not(reqrule_any(&f), "an empty token is a first page");
	reqrules_token("abc", REQRULE_TOKEN_UNKNOWN, -1, -1, "this server",
		       "kept", &f);
	cr_expect_str_eq(f.msg[REQRULE_TOKEN],
			 "NextToken 'abc' was never issued by this server");
	reqrule_findings_init(&f);
	reqrules_token("abc", REQRULE_TOKEN_NOT_YET, -1, -1, "this replay",
		       "recorded", &f);
	cr_expect_str_eq(f.msg[REQRULE_TOKEN],
			 "NextToken 'abc' was recorded but not yet issued by "
			 "this replay");
	reqrule_findings_init(&f);
	reqrules_token("abc", REQRULE_TOKEN_ISSUED, LBT_FAILED, -1, "x", "y",
		       &f);
	cr_expect_eq(only_broken(&f), REQRULE_WALK);
	cr_expect_str_eq(f.msg[REQRULE_WALK],
			 "TaskStatus is absent, but the walk that issued this "
			 "NextToken had FAILED");
	reqrule_findings_init(&f);
	reqrules_token("abc", REQRULE_TOKEN_ISSUED, LBT_FAILED, LBT_FAILED, "x",
		       "y", &f);
	cr_expect_not(reqrule_any(&f));
	cr_expect_str_eq(reqrule_id(REQRULE_WALK), "CLIENT-WALK");
}
