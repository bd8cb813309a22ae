/* Unit tests for ListBatchLoadTasks' request rules. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "blt/lbt.h"

Test(lbt, status_names_round_trip)
{
	enum lbt_status s;

	for (int i = 0; i < LBT_STATUS_COUNT; i++) {
		cr_assert(lbt_status_parse(lbt_status_name(i), &s));
		cr_assert_eq((int)s, i);
	}
	cr_assert_not(lbt_status_parse("created", &s));
	cr_assert_not(lbt_status_parse(" CREATED", &s));
	cr_assert_not(lbt_status_parse("", &s));
	cr_assert_null(lbt_status_name(LBT_STATUS_COUNT));
}

Test(lbt, task_id_shape)
{
	cr_assert(lbt_task_id_ok("ABC"));
	cr_assert(lbt_task_id_ok("0123456789ABCDEFGHIJKLMNOPQRSTUV"));
	cr_assert_not(lbt_task_id_ok("AB"));
	cr_assert_not(lbt_task_id_ok("0123456789ABCDEFGHIJKLMNOPQRSTUVW"));
	cr_assert_not(lbt_task_id_ok("abc"));
	cr_assert_not(lbt_task_id_ok("AB-C"));
	cr_assert_not(lbt_task_id_ok(NULL));
}

static blt_status parse(const char *body, struct lbt_request *req,
			enum awsjson_error *kind, struct blt_err *err,
			json_t **root)
{
	return lbt_request_parse(body, strlen(body), root, req, kind, err);
}

Test(lbt, valid_requests)
{
	struct lbt_request req;
	enum awsjson_error kind;
	struct blt_err err;
	json_t *root;

	cr_assert_eq(lbt_request_parse("", 0, &root, &req, &kind, &err),
		     BLT_OK);
	cr_assert_not(req.has_max_results);
	json_decref(root);
	cr_assert_eq(parse("{\"MaxResults\":100,\"TaskStatus\":"
			   "\"PENDING_RESUME\",\"NextToken\":\"abc\","
			   "\"Unknown\":1}", &req, &kind, &err, &root),
		     BLT_OK, "%s", err.msg);
	cr_assert(req.has_max_results && req.max_results == 100);
	cr_assert(req.has_status && req.status == LBT_PENDING_RESUME);
	cr_assert_str_eq(req.next_token, "abc");
	json_decref(root);
	cr_assert_eq(parse("{\"MaxResults\":1.0,\"TaskStatus\":null}", &req,
			   &kind, &err, &root), BLT_OK, "%s", err.msg);
	cr_assert_eq(req.max_results, 1);
	cr_assert_not(req.has_status);
	json_decref(root);
}

struct bad_case {
	const char *body;
	enum awsjson_error kind;
	const char *fragment; /* must appear in the message */
};

static struct bad_case bad_cases[] = {
	{"{\"MaxResults\":0}", AWSJSON_ERR_VALIDATION,
	 "MaxResults: 0 is less than the minimum of 1"},
	{"{\"MaxResults\":-1}", AWSJSON_ERR_VALIDATION, "MaxResults: -1"},
	{"{\"MaxResults\":101}", AWSJSON_ERR_VALIDATION,
	 "101 is greater than the maximum of 100"},
	{"{\"MaxResults\":2147483647}", AWSJSON_ERR_VALIDATION, "maximum"},
	{"{\"MaxResults\":2147483648}", AWSJSON_ERR_SERIALIZATION,
	 "does not fit in a 32-bit integer"},
	{"{\"MaxResults\":1.5}", AWSJSON_ERR_SERIALIZATION,
	 "got a number with a fraction"},
	{"{\"MaxResults\":\"10\"}", AWSJSON_ERR_SERIALIZATION, "got a string"},
	{"{\"MaxResults\":true}", AWSJSON_ERR_SERIALIZATION, "got a boolean"},
	{"{\"MaxResults\":[]}", AWSJSON_ERR_SERIALIZATION, "got an array"},
	{"{\"MaxResults\":{}}", AWSJSON_ERR_SERIALIZATION, "got an object"},
	{"{\"MaxResults\":99999999999999999999999}", AWSJSON_ERR_SERIALIZATION,
	 "not valid JSON"},
	{"{\"TaskStatus\":\"RUNNING\"}", AWSJSON_ERR_VALIDATION,
	 "TaskStatus: \"RUNNING\" is not one of"},
	{"{\"TaskStatus\":\"created\"}", AWSJSON_ERR_VALIDATION, "\"created\""},
	{"{\"TaskStatus\":\"\"}", AWSJSON_ERR_VALIDATION, "TaskStatus: \"\""},
	{"{\"TaskStatus\":5}", AWSJSON_ERR_SERIALIZATION,
	 "TaskStatus: expected a string, got an integer"},
	{"{\"NextToken\":7}", AWSJSON_ERR_SERIALIZATION, "NextToken"},
	{"{\"MaxResults\":", AWSJSON_ERR_SERIALIZATION,
	 "not valid JSON: line 1"},
	{"{\"MaxResults\":\n", AWSJSON_ERR_SERIALIZATION,
	 "not valid JSON: line 2, column 1: "},
	{"[]", AWSJSON_ERR_SERIALIZATION, "expected a JSON object, got an "
					  "array"},
	{"\"text\"", AWSJSON_ERR_SERIALIZATION, "got a string"},
	{"{\"MaxResults\":1,\"MaxResults\":2}", AWSJSON_ERR_SERIALIZATION,
	 "duplicate"},
};

/* Criterion may run each case in a freshly executed process, where the
 * addresses of string literals differ: the parameter is an index. */
static size_t bad_cases_index[sizeof(bad_cases) / sizeof(bad_cases[0])];

ParameterizedTestParameters(lbt, bad_requests)
{
	for (size_t i = 0; i < sizeof(bad_cases_index) / sizeof(bad_cases_index[0]); i++)
		bad_cases_index[i] = i;
	return cr_make_param_array(size_t, bad_cases_index,
				   sizeof(bad_cases_index) / sizeof(bad_cases_index[0]));
}

ParameterizedTest(size_t *index, lbt, bad_requests)
{
	const struct bad_case *c = &bad_cases[*index];
	struct lbt_request req;
	enum awsjson_error kind = AWSJSON_ERR_COUNT;
	struct blt_err err = {0};
	json_t *root = (json_t *)1;

	cr_assert_eq(parse(c->body, &req, &kind, &err, &root), BLT_EINVAL,
		     "%s was accepted", c->body);
	cr_assert_null(root);
	cr_assert_eq(kind, c->kind, "%s: got %s", c->body,
		     awsjson_error_name(kind));
	cr_assert(strstr(err.msg, c->fragment), "%s: message '%s' lacks '%s'",
		  c->body, err.msg, c->fragment);
}

Test(lbt, overlong_token_is_a_validation_error)
{
	static char body[9000];
	struct lbt_request req;
	enum awsjson_error kind;
	struct blt_err err;
	json_t *root;

	strcpy(body, "{\"NextToken\":\"");
	memset(body + strlen(body), 'A', 8200);
	strcat(body, "\"}");
	cr_assert_eq(parse(body, &req, &kind, &err, &root), BLT_EINVAL);
	cr_assert_eq(kind, AWSJSON_ERR_VALIDATION);
	cr_assert(strstr(err.msg, "NextToken: 8200 characters"), "%s",
		  err.msg);
}

Test(lbt, raw_nul_is_a_serialization_error)
{
	static const char body[] = "{\"MaxResults\":1\0}";
	struct lbt_request req;
	enum awsjson_error kind;
	struct blt_err err;
	json_t *root;

	cr_assert_eq(lbt_request_parse(body, sizeof(body) - 1, &root, &req,
				       &kind, &err),
		     BLT_EINVAL, "a body with a NUL byte was accepted");
	cr_assert_eq(kind, AWSJSON_ERR_SERIALIZATION);
	cr_assert(strstr(err.msg, "byte 16 is a NUL"), "%s", err.msg);
}
