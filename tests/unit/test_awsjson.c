/* Unit tests for the AWS JSON 1.0 protocol module. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
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

/* The Address that DescribeEndpoints gives a reader for url. */
static void expect_address(const char *url, enum awsjson_address_reader rd,
			   const char *want)
{
	struct blt_buf b;
	char body[256];

	buf_init(&b, 1024);
	cr_assert_eq(awsjson_endpoints_body(url, rd, &b, NULL), BLT_OK);
	snprintf(body, sizeof(body),
		 "{\"Endpoints\":[{\"Address\":\"%s\","
		 "\"CachePeriodInMinutes\":1440}]}",
		 want);
	cr_expect_str_eq(b.data, body, "for %s", url);
	buf_free(&b);
}

/* botocore (and the AWS CLI) and Go v2 take an Address with a scheme as a
 * URL and put "https://" before one without, so a plain-HTTP server must
 * name its scheme; behind TLS the host alone is what they expect. */
Test(awsjson, endpoints_body_for_url_readers)
{
	const enum awsjson_address_reader u = AWSJSON_ADDRESS_URL;

	expect_address("http://127.0.0.1:8080", u, "http://127.0.0.1:8080");
	expect_address("http://127.0.0.1:8080/", u, "http://127.0.0.1:8080");
	expect_address("HTTP://10.0.0.5:9000", u, "HTTP://10.0.0.5:9000");
	expect_address("http://[::1]:9", u, "http://[::1]:9");
	expect_address("https://blt.example.com", u, "blt.example.com");
	expect_address("https://blt.example.com:8443/", u,
		       "blt.example.com:8443");
	expect_address("HTTPS://blt.example.com", u, "blt.example.com");
	expect_address("[::1]:9", u, "[::1]:9");
	expect_address("ingest-cell1.timestream.us-east-1.amazonaws.com", u,
		       "ingest-cell1.timestream.us-east-1.amazonaws.com");
}

/* The JS SDK v3 puts the Address in place of its endpoint's host name and
 * keeps the scheme and port it was configured with. */
Test(awsjson, endpoints_body_for_host_readers)
{
	const enum awsjson_address_reader h = AWSJSON_ADDRESS_HOST;

	expect_address("http://127.0.0.1:8080", h, "127.0.0.1");
	expect_address("http://127.0.0.1:8080/", h, "127.0.0.1");
	expect_address("http://[::1]:9", h, "[::1]");
	expect_address("https://blt.example.com:8443/", h, "blt.example.com");
	expect_address("https://blt.example.com", h, "blt.example.com");
	expect_address("blt.example.com:8443", h, "blt.example.com");
}

Test(awsjson, address_reader_of_the_user_agent)
{
	static const char js[] =
	    "aws-sdk-js/3.943.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2 "
	    "api/timestream-write#3.943.0 m/E,g";
	static const char boto[] =
	    "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1 "
	    "lang/python#3.11.7 Botocore/1.43.11";
	static const char cli[] = "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1";

	cr_expect_eq(awsjson_address_reader_of(js, NULL), AWSJSON_ADDRESS_HOST);
	cr_expect_eq(awsjson_address_reader_of(NULL, "aws-sdk-js/3.943.0"),
		     AWSJSON_ADDRESS_HOST);
	cr_expect_eq(awsjson_address_reader_of("MyApp/1 aws-sdk-js/4.0.1",
					       NULL),
		     AWSJSON_ADDRESS_HOST);
	cr_expect_eq(awsjson_address_reader_of(boto, NULL),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of(cli, NULL), AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of("aws-sdk-go-v2/1.36.3", NULL),
		     AWSJSON_ADDRESS_URL);
	/* Version 2 of the JS SDK parses the Address as a URL. */
	cr_expect_eq(awsjson_address_reader_of(NULL, "aws-sdk-js/2.1692.0"),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of("aws-sdk-nodejs/2.1692.0",
					       NULL),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of("my-aws-sdk-js/3.0", NULL),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of("aws-sdk-js/", NULL),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of("curl/7.88.1", NULL),
		     AWSJSON_ADDRESS_URL);
	cr_expect_eq(awsjson_address_reader_of(NULL, NULL),
		     AWSJSON_ADDRESS_URL);
}

Test(awsjson, advertise_check_takes_a_scheme_a_host_and_a_port)
{
	static const char *const good[] = {
	    "http://127.0.0.1:8080", "http://10.0.0.5:9000/",
	    "https://blt.example.com", "https://blt.example.com:8443",
	    "http://[::1]:9", "http://blt-proxy:8080", "HTTPS://Example.COM"};
	static const struct {
		const char *url;
		const char *says;
	} bad[] = {
	    {"127.0.0.1:8080", "http:// or https://"},
	    {"ftp://example.com", "http:// or https://"},
	    {"", "http:// or https://"},
	    {"http://", "no host"},
	    {"http://:8080", "no host"},
	    {"http://example.com/v1", "path"},
	    {"http://user@example.com", "user"},
	    {"http://example.com?x=1", "query"},
	    {"http://example.com#top", "fragment"},
	    {"http://example.com:", "port"},
	    {"http://example.com:80x", "port"},
	    {"http://example.com:65536", "port"},
	    {"http://example.com:0", "port"},
	    {"http://exa mple.com", "host"},
	    {"http://[::1", "host"},
	    {"http://ex\"ample.com", "host"}};
	struct blt_err err;
	char longest[AWSJSON_ADVERTISE_MAX + 2];

	memcpy(longest, "http://", 7);
	memset(longest + 7, 'a', sizeof(longest) - 8);
	longest[sizeof(longest) - 2] = '\0';
	cr_expect_eq(awsjson_advertise_check(longest, &err), BLT_OK, "%s",
		     err.msg);
	longest[sizeof(longest) - 2] = 'a';
	longest[sizeof(longest) - 1] = '\0';
	cr_expect_eq(awsjson_advertise_check(longest, &err), BLT_EUSAGE);
	cr_expect(strstr(err.msg, "longer than 255") != NULL, "%s", err.msg);
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		cr_expect_eq(awsjson_advertise_check(good[i], &err), BLT_OK,
			     "%s: %s", good[i], err.msg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err.msg[0] = '\0';
		cr_expect_eq(awsjson_advertise_check(bad[i].url, &err),
			     BLT_EUSAGE, "%s accepted", bad[i].url);
		cr_expect(strstr(err.msg, bad[i].says) != NULL,
			  "%s: '%s' does not say '%s'", bad[i].url, err.msg,
			  bad[i].says);
	}
}

/* n members ("m0":0,...) in one object: n - 1 commas and one bracket. */
static char *members(size_t n)
{
	char *s = malloc(n * 16 + 8);
	size_t at = 0;

	cr_assert_not_null(s);
	s[at++] = '{';
	for (size_t i = 0; i < n; i++)
		at += (size_t)sprintf(s + at, "%s\"m%zu\":0", i ? "," : "", i);
	s[at++] = '}';
	s[at] = '\0';
	return s;
}

static bool beyond_both(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	bool bytes = awsjson_body_beyond(AWSJSON_OP_LIST_BATCH_LOAD_TASKS, text,
					 strlen(text), NULL, 0);

	cr_assert_not_null(v, "%.80s", text);
	cr_expect_eq(awsjson_json_beyond(AWSJSON_OP_LIST_BATCH_LOAD_TASKS, v),
		     bytes, "bytes and parsed agree on %.80s", text);
	json_decref(v);
	return bytes;
}

Test(awsjson, body_beyond_counts_items_and_depth)
{
	char *at_max = members(AWSJSON_BODY_ITEMS_MAX);
	char *over = members(AWSJSON_BODY_ITEMS_MAX + 1);
	char deep[64] = "", why[300] = "";
	char *long_string = malloc(1 << 20);

	cr_expect(!beyond_both("{\"MaxResults\":1,\"TaskStatus\":\"CREATED\","
			       "\"NextToken\":\"a,b,[c]\"}"));
	/* 256 members are one bracket and 255 commas: within. */
	cr_expect(!beyond_both(at_max));
	cr_expect(beyond_both(over));
	cr_expect(awsjson_body_beyond(AWSJSON_OP_LIST_BATCH_LOAD_TASKS, over,
				      strlen(over), why, sizeof(why)));
	cr_expect(strstr(why, "more than 256 members"), "%s", why);
	/* Other operations: never judged. */
	cr_expect(!awsjson_body_beyond(AWSJSON_OP_UNKNOWN, over, strlen(over),
				       NULL, 0));
	/* Depth 16 within, 17 beyond. */
	for (int i = 0; i < AWSJSON_BODY_DEPTH_MAX; i++)
		strcat(deep, "[");
	strcat(deep, "1");
	for (int i = 0; i < AWSJSON_BODY_DEPTH_MAX; i++)
		strcat(deep, "]");
	cr_expect(!beyond_both(deep));
	memmove(deep + 1, deep, strlen(deep) + 1);
	deep[0] = '[';
	strcat(deep, "]");
	cr_expect(beyond_both(deep));
	/* Commas and brackets inside a string (escaped quotes too) are text,
	 * whatever the size. */
	cr_assert_not_null(long_string);
	strcpy(long_string, "{\"Note\":\"\\\"");
	for (size_t n = strlen(long_string); n < (1 << 20) - 8; n++)
		long_string[n] = ",[{"[n % 3];
	strcpy(long_string + (1 << 20) - 8, "\"}");
	cr_expect(!beyond_both(long_string));
	free(at_max);
	free(over);
	free(long_string);
}
