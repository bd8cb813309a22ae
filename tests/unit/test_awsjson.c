/* Unit tests for the AWS JSON 1.0 protocol module. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"

Test(awsjson, target_parse)
{
	cr_assert_eq(awsjson_target_parse(
			     "Timestream_20181101.ListBatchLoadTasks"),
		     AWSJSON_OP_LIST_BATCH_LOAD_TASKS);
	cr_assert_eq(awsjson_target_parse(
			     "Timestream_20181101.DescribeEndpoints"),
		     AWSJSON_OP_DESCRIBE_ENDPOINTS);
	cr_assert_eq(awsjson_target_parse("Timestream_20181101.ListTables"),
		     AWSJSON_OP_UNKNOWN);
	cr_assert_eq(awsjson_target_parse(
			     "timestream_20181101.ListBatchLoadTasks"),
		     AWSJSON_OP_UNKNOWN);
	cr_assert_eq(awsjson_target_parse("ListBatchLoadTasks"),
		     AWSJSON_OP_UNKNOWN);
	cr_assert_eq(awsjson_target_parse(NULL), AWSJSON_OP_UNKNOWN);
	cr_assert_str_eq(awsjson_op_name(AWSJSON_OP_DESCRIBE_ENDPOINTS),
			 "DescribeEndpoints");
}

Test(awsjson, content_type_allows_parameters_and_case)
{
	cr_assert(awsjson_content_type_ok("application/x-amz-json-1.0"));
	cr_assert(awsjson_content_type_ok(
		"application/x-amz-json-1.0; charset=utf-8"));
	cr_assert(awsjson_content_type_ok("Application/X-Amz-JSON-1.0"));
	cr_assert(awsjson_content_type_ok(" application/x-amz-json-1.0 ;q"));
	cr_assert_not(awsjson_content_type_ok("application/x-amz-json-1.1"));
	cr_assert_not(awsjson_content_type_ok("application/json"));
	cr_assert_not(awsjson_content_type_ok("application/x-amz-json-1.00"));
	cr_assert_not(awsjson_content_type_ok(""));
	cr_assert_not(awsjson_content_type_ok(NULL));
}

Test(awsjson, status_tables_by_profile)
{
	enum awsjson_profile d = AWSJSON_PROFILE_DOCUMENTED;
	enum awsjson_profile s = AWSJSON_PROFILE_SMITHY;
	enum awsjson_profile l = AWSJSON_PROFILE_LENIENT;

	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_ACCESS_DENIED, d), 400);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_ACCESS_DENIED, s), 403);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_INVALID_ENDPOINT, s),
		     421);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_THROTTLING, d), 400);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_THROTTLING, s), 429);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_INTERNAL_SERVER, s),
		     500);
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_VALIDATION, l), 400);
	cr_assert(awsjson_error_status_ok(AWSJSON_ERR_THROTTLING, l, 429));
	cr_assert(awsjson_error_status_ok(AWSJSON_ERR_THROTTLING, l, 400));
	cr_assert_not(awsjson_error_status_ok(AWSJSON_ERR_THROTTLING, d, 429));
	cr_assert_not(awsjson_error_status_ok(AWSJSON_ERR_THROTTLING, s, 400));
	cr_assert_not(awsjson_error_status_ok(AWSJSON_ERR_VALIDATION, l, 422));
}

/* Every error under every profile, against a table written out here from
 * SPEC section 2 (and blt's own errors): the status sent, and exactly the
 * statuses each profile accepts. */
Test(awsjson, status_table_for_every_error_and_profile)
{
	static const struct {
		enum awsjson_error e;
		const char *name;
		int documented, smithy;
	} want[] = {
		{AWSJSON_ERR_ACCESS_DENIED, "AccessDeniedException", 400, 403},
		{AWSJSON_ERR_INTERNAL_SERVER, "InternalServerException", 500,
		 500},
		{AWSJSON_ERR_INVALID_ENDPOINT, "InvalidEndpointException", 400,
		 421},
		{AWSJSON_ERR_THROTTLING, "ThrottlingException", 400, 429},
		{AWSJSON_ERR_VALIDATION, "ValidationException", 400, 400},
		{AWSJSON_ERR_SERIALIZATION, "SerializationException", 400,
		 400},
		{AWSJSON_ERR_UNKNOWN_OPERATION, "UnknownOperationException",
		 400, 400},
		{AWSJSON_ERR_MISSING_AUTH_TOKEN,
		 "MissingAuthenticationTokenException", 403, 403},
		{AWSJSON_ERR_INVALID_SIGNATURE, "InvalidSignatureException",
		 403, 403},
		{AWSJSON_ERR_INCOMPLETE_SIGNATURE,
		 "IncompleteSignatureException", 403, 403},
		{AWSJSON_ERR_REQUEST_TOO_LARGE, "RequestTooLarge", 413, 413},
		{AWSJSON_ERR_NO_MATCHING_INTERACTION, "NoMatchingInteraction",
		 404, 404},
		{AWSJSON_ERR_UPSTREAM, "UpstreamError", 502, 502},
	};
	static const int statuses[] = {200, 400, 401, 403, 404, 413,
				       421, 422, 429, 500, 502, 503};
	enum awsjson_profile d = AWSJSON_PROFILE_DOCUMENTED;
	enum awsjson_profile sm = AWSJSON_PROFILE_SMITHY;
	enum awsjson_profile l = AWSJSON_PROFILE_LENIENT;
	size_t n = sizeof(want) / sizeof(want[0]);
	bool covered[AWSJSON_ERR_COUNT] = {false};

	cr_assert_eq(n, (size_t)AWSJSON_ERR_COUNT,
		     "a new error needs its row here");
	for (size_t i = 0; i < n; i++) {
		enum awsjson_error e = want[i].e;
		int doc = want[i].documented, smi = want[i].smithy;

		covered[e] = true;
		cr_assert_str_eq(awsjson_error_name(e), want[i].name);
		cr_assert_eq(awsjson_error_status(e, d), doc, "%s documented",
			     want[i].name);
		cr_assert_eq(awsjson_error_status(e, sm), smi, "%s smithy",
			     want[i].name);
		cr_assert_eq(awsjson_error_status(e, l), doc,
			     "%s lenient sends the documented status",
			     want[i].name);
		for (size_t k = 0; k < sizeof(statuses) / sizeof(*statuses);
		     k++) {
			int st = statuses[k];

			cr_assert_eq(awsjson_error_status_ok(e, d, st),
				     st == doc, "%s documented %d",
				     want[i].name, st);
			cr_assert_eq(awsjson_error_status_ok(e, sm, st),
				     st == smi, "%s smithy %d", want[i].name,
				     st);
			cr_assert_eq(awsjson_error_status_ok(e, l, st),
				     st == doc || st == smi, "%s lenient %d",
				     want[i].name, st);
		}
	}
	for (size_t e = 0; e < AWSJSON_ERR_COUNT; e++)
		cr_assert(covered[e], "error %zu has no row", e);
	/* Outside the enumeration: a 500 and no status accepted. */
	cr_assert_eq(awsjson_error_status(AWSJSON_ERR_COUNT, d), 500);
	cr_assert_not(awsjson_error_status_ok(AWSJSON_ERR_COUNT, l, 500));
}

Test(awsjson, profile_names_round_trip)
{
	enum awsjson_profile p;
	struct blt_err err;

	for (int i = 0; i < 3; i++) {
		const char *name = awsjson_profile_name(i);
		cr_assert_eq(awsjson_profile_parse(name, &p, &err), BLT_OK);
		cr_assert_eq((int)p, i);
	}
	cr_assert_eq(awsjson_profile_parse("strict", &p, &err), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "'strict'"), "%s", err.msg);
}

Test(awsjson, error_body_and_lookup)
{
	char *body = awsjson_error_body(AWSJSON_ERR_VALIDATION,
					"MaxResults: \"x\"");
	json_t *doc = json_loads(body, 0, NULL);
	enum awsjson_error e;
	char type[64];

	cr_assert_not_null(doc);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "__type")),
			 "com.amazonaws.timestreamwrite#ValidationException");
	cr_assert_str_eq(awsjson_error_read_message(doc), "MaxResults: \"x\"");
	cr_assert(awsjson_error_read_type(NULL, doc, type, sizeof(type)));
	cr_assert_str_eq(type, "ValidationException");
	cr_assert(awsjson_error_lookup(type, &e));
	cr_assert_eq(e, AWSJSON_ERR_VALIDATION);
	cr_assert(awsjson_error_is_known(e));
	cr_assert(awsjson_error_lookup("NoMatchingInteraction", &e));
	cr_assert_not(awsjson_error_is_known(e));
	cr_assert_not(awsjson_error_lookup("validationexception", &e));
	json_decref(doc);
	free(body);
}

struct type_case {
	const char *header; /* NULL: no header */
	const char *body;   /* JSON text or NULL */
	const char *want;   /* NULL: no type readable */
};

static struct type_case type_cases[] = {
	{"ValidationException", NULL, "ValidationException"},
	{"com.amazonaws.timestreamwrite#ThrottlingException", NULL,
	 "ThrottlingException"},
	{"ValidationException:http://internal.amazon.com/coral/com.amazon."
	 "coral.validate/", NULL, "ValidationException"},
	{"aws.protocoltests#FooError:http://internal.amazon.com/x#y", NULL,
	 "FooError"},
	{NULL, "{\"__type\":\"com.amazon.coral.service#SerializationException"
	       "\"}", "SerializationException"},
	{NULL, "{\"__type\":\"AccessDeniedException:http://x/y\"}",
	 "AccessDeniedException"},
	{NULL, "{\"code\":\"ThrottlingException\"}", "ThrottlingException"},
	{NULL, "{\"__type\":\"A\",\"code\":\"B\"}", "A"},
	{NULL, "{\"__type\":5,\"code\":\"B\"}", "B"},
	{"HeaderWins", "{\"__type\":\"BodyLoses\"}", "HeaderWins"},
	{"", "{\"__type\":\"BodyUsed\"}", "BodyUsed"},
	{NULL, "{\"message\":\"no type\"}", NULL},
	{NULL, "[1,2]", NULL},
	{NULL, NULL, NULL},
	{"#", NULL, NULL},
	{":http://only-a-suffix", NULL, NULL},
};

/* Criterion may run each case in a freshly executed process, where the
 * addresses of string literals differ: the parameter is an index. */
static size_t type_cases_index[sizeof(type_cases) / sizeof(type_cases[0])];

ParameterizedTestParameters(awsjson, read_type)
{
	for (size_t i = 0; i < sizeof(type_cases_index) / sizeof(type_cases_index[0]); i++)
		type_cases_index[i] = i;
	return cr_make_param_array(size_t, type_cases_index,
				   sizeof(type_cases_index) / sizeof(type_cases_index[0]));
}

ParameterizedTest(size_t *index, awsjson, read_type)
{
	const struct type_case *c = &type_cases[*index];
	json_t *body = c->body ? json_loads(c->body, 0, NULL) : NULL;
	char out[64];
	bool got = awsjson_error_read_type(c->header, body, out, sizeof(out));

	if (c->want) {
		cr_assert(got, "no type read from header %s body %s",
			  c->header ? c->header : "(none)",
			  c->body ? c->body : "(none)");
		cr_assert_str_eq(out, c->want);
	} else {
		cr_assert_not(got, "read '%s' where none was expected", out);
	}
	json_decref(body);
}

Test(awsjson, read_type_refuses_names_that_do_not_fit)
{
	char out[8];

	cr_assert_not(awsjson_error_read_type("ValidationException", NULL,
					      out, sizeof(out)));
	cr_assert(awsjson_error_read_type("Short", NULL, out, sizeof(out)));
	cr_assert_str_eq(out, "Short");
}

Test(awsjson, read_message_prefers_lower_case)
{
	json_t *a = json_loads("{\"Message\":\"upper\"}", 0, NULL);
	json_t *b = json_loads("{\"message\":\"lower\",\"Message\":\"u\"}", 0,
			       NULL);
	json_t *c = json_loads("{\"message\":3}", 0, NULL);

	cr_assert_str_eq(awsjson_error_read_message(a), "upper");
	cr_assert_str_eq(awsjson_error_read_message(b), "lower");
	cr_assert_null(awsjson_error_read_message(c));
	cr_assert_null(awsjson_error_read_message(NULL));
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

Test(awsjson, error_body_escapes_bytes_that_are_not_utf8)
{
	/* 0xff alone, a cut two-byte sequence, an overlong '/', a surrogate,
	 * then well-formed two-, three- and four-byte characters. */
	const char msg[] = "a\xff b\xc3 c\xc0\xaf d\xed\xa0\x80 "
			   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	char *body = awsjson_error_body(AWSJSON_ERR_VALIDATION, msg);
	json_t *doc;

	cr_assert_not_null(body, "an error body must always be built");
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	cr_assert_str_eq(awsjson_error_read_message(doc),
			 "a\\xff b\\xc3 c\\xc0\\xaf d\\xed\\xa0\\x80 "
			 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_decref(doc);
	free(body);
	body = awsjson_error_body(AWSJSON_ERR_SERIALIZATION, NULL);
	cr_assert(strstr(body, "\"message\":\"\""), "%s", body);
	free(body);
}

Test(awsjson, endpoints_body_names_the_host_and_port)
{
	struct blt_buf b;

	buf_init(&b, 1024);
	cr_assert_eq(awsjson_endpoints_body("http://127.0.0.1:8080", &b, NULL),
		     BLT_OK);
	cr_assert_str_eq(b.data, "{\"Endpoints\":[{\"Address\":\"127.0.0.1:8080\","
				 "\"CachePeriodInMinutes\":1440}]}");
	buf_reset(&b);
	cr_assert_eq(awsjson_endpoints_body("[::1]:9", &b, NULL), BLT_OK);
	cr_assert(strstr(b.data, "\"Address\":\"[::1]:9\""), "%s", b.data);
	buf_free(&b);
}
