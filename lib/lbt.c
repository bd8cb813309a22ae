/* ListBatchLoadTasks' own rules: the status enum, TaskId's shape, and the
 * validation of a request's members. */
#include "blt/lbt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NEXT_TOKEN_MAX 8192

static const char *const status_names[LBT_STATUS_COUNT] = {
	"CREATED", "IN_PROGRESS", "FAILED", "SUCCEEDED", "PROGRESS_STOPPED",
	"PENDING_RESUME"};

const char *lbt_status_name(enum lbt_status s)
{
	return (unsigned)s < LBT_STATUS_COUNT ? status_names[s] : NULL;
}

bool lbt_status_parse(const char *s, enum lbt_status *out)
{
	for (int i = 0; s && i < LBT_STATUS_COUNT; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum lbt_status)i;
			return true;
		}
	}
	return false;
}

bool lbt_task_id_ok(const char *id)
{
	size_t n = 0;

	for (; id && id[n]; n++) {
		char c = id[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return n >= LBT_TASK_ID_MIN && n <= LBT_TASK_ID_MAX;
}

/* Fills the failure outputs and returns BLT_EINVAL. */
static blt_status reject(enum awsjson_error *kind, enum awsjson_error what,
			 struct blt_err *err, const char *msg)
{
	*kind = what;
	return blt_fail(err, BLT_EINVAL, "%s", msg);
}

static blt_status parse_max_results(const json_t *v, struct lbt_request *req,
				    enum awsjson_error *kind,
				    struct blt_err *err)
{
	char msg[160];
	long long n;

	if (json_is_real(v) && floor(json_real_value(v)) ==
				       json_real_value(v) &&
	    fabs(json_real_value(v)) < 9.0e15) {
		n = (long long)json_real_value(v);
	} else if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else {
		snprintf(msg, sizeof(msg),
			 "MaxResults: expected an integer from %d to %d, got "
			 "%s", LBT_MAX_RESULTS_MIN, LBT_MAX_RESULTS_MAX,
			 awsjson_type_words(v));
		return reject(kind, AWSJSON_ERR_SERIALIZATION, err, msg);
	}
	if (n > INT32_MAX || n < INT32_MIN) {
		snprintf(msg, sizeof(msg),
			 "MaxResults: %lld does not fit in a 32-bit integer",
			 n);
		return reject(kind, AWSJSON_ERR_SERIALIZATION, err, msg);
	}
	if (n < LBT_MAX_RESULTS_MIN || n > LBT_MAX_RESULTS_MAX) {
		snprintf(msg, sizeof(msg),
			 "MaxResults: %lld is %s the %s of %d (valid range "
			 "%d to %d)", n,
			 n < LBT_MAX_RESULTS_MIN ? "less than" : "greater than",
			 n < LBT_MAX_RESULTS_MIN ? "minimum" : "maximum",
			 n < LBT_MAX_RESULTS_MIN ? LBT_MAX_RESULTS_MIN
						 : LBT_MAX_RESULTS_MAX,
			 LBT_MAX_RESULTS_MIN, LBT_MAX_RESULTS_MAX);
		return reject(kind, AWSJSON_ERR_VALIDATION, err, msg);
	}
	req->has_max_results = true;
	req->max_results = (int)n;
	return BLT_OK;
}

static blt_status parse_task_status(const json_t *v, struct lbt_request *req,
				    enum awsjson_error *kind,
				    struct blt_err *err)
{
	char msg[BLT_ERR_MSG_MAX];

	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg),
			 "TaskStatus: expected a string, got %s",
			 awsjson_type_words(v));
		return reject(kind, AWSJSON_ERR_SERIALIZATION, err, msg);
	}
	if (!lbt_status_parse(json_string_value(v), &req->status)) {
		snprintf(msg, sizeof(msg),
			 "TaskStatus: \"%.64s\" is not one of CREATED, "
			 "IN_PROGRESS, FAILED, SUCCEEDED, PROGRESS_STOPPED, "
			 "PENDING_RESUME", json_string_value(v));
		return reject(kind, AWSJSON_ERR_VALIDATION, err, msg);
	}
	req->has_status = true;
	return BLT_OK;
}

static blt_status parse_next_token(const json_t *v, struct lbt_request *req,
				   enum awsjson_error *kind,
				   struct blt_err *err)
{
	char msg[160];

	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg),
			 "NextToken: expected a string, got %s", awsjson_type_words(v));
		return reject(kind, AWSJSON_ERR_SERIALIZATION, err, msg);
	}
	if (json_string_length(v) > NEXT_TOKEN_MAX) {
		snprintf(msg, sizeof(msg),
			 "NextToken: %zu characters is longer than the "
			 "maximum of %d", json_string_length(v),
			 NEXT_TOKEN_MAX);
		return reject(kind, AWSJSON_ERR_VALIDATION, err, msg);
	}
	req->next_token = json_string_value(v);
	return BLT_OK;
}

/* Parses the body into a JSON object, or says why it is not one. */
static json_t *parse_body(const char *body, size_t len,
			  enum awsjson_error *kind, struct blt_err *err)
{
	json_t *root = awsjson_body_parse(body, len, err);

	if (!root)
		*kind = AWSJSON_ERR_SERIALIZATION;
	return root;
}

blt_status lbt_request_parse(const char *body, size_t len, json_t **root_out,
			     struct lbt_request *req, enum awsjson_error *kind,
			     struct blt_err *err)
{
	json_t *root;
	json_t *v;
	blt_status st = BLT_OK;

	memset(req, 0, sizeof(*req));
	*root_out = NULL;
	root = parse_body(body, len, kind, err);
	if (!root)
		return BLT_EINVAL;
	v = json_object_get(root, "MaxResults");
	if (v && !json_is_null(v))
		st = parse_max_results(v, req, kind, err);
	v = json_object_get(root, "TaskStatus");
	if (!st && v && !json_is_null(v))
		st = parse_task_status(v, req, kind, err);
	v = json_object_get(root, "NextToken");
	if (!st && v && !json_is_null(v))
		st = parse_next_token(v, req, kind, err);
	if (st) {
		json_decref(root);
		memset(req, 0, sizeof(*req));
		return st;
	}
	*root_out = root;
	return BLT_OK;
}
