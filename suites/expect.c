/* Judging the answers to client mistakes and to valid requests. */
#include <string.h>

#include "conform.h"

static bool is_type(const struct cresp *rs, const char *name)
{
	return rs->has_type && strcmp(rs->type, name) == 0;
}

bool expect_judge(struct check *ck, const struct creq *rq,
		  const struct cresp *rs, enum expect_kind k, const char *what)
{
	enum awsjson_error e = AWSJSON_ERR_VALIDATION;

	if (rs->status == 200) {
		check_fail(ck, rq, rs, "%s was accepted (200)", what);
		return false;
	}
	if (rs->status < 400 || rs->status >= 500) {
		check_fail(ck, rq, rs, "%s was answered %ld, not a 4xx", what,
			   rs->status);
		return false;
	}
	switch (k) {
	case EXPECT_4XX:
		return true;
	case EXPECT_VALIDATION:
		if (!is_type(rs, "ValidationException"))
			break;
		if (awsjson_error_status_ok(e, ck->cfg.profile,
					    (int)rs->status))
			return true;
		check_fail(ck, rq, rs,
			   "%s: ValidationException with status %ld; the %s "
			   "profile says %d",
			   what, rs->status,
			   awsjson_profile_name(ck->cfg.profile),
			   awsjson_error_status(e, ck->cfg.profile));
		return false;
	case EXPECT_VAL_OR_SER:
		if (is_type(rs, "ValidationException") ||
		    is_type(rs, "SerializationException"))
			return true;
		break;
	case EXPECT_SERIALIZATION:
		if (is_type(rs, "SerializationException"))
			return true;
		break;
	case EXPECT_UNKNOWN_OP:
		if (is_type(rs, "UnknownOperationException"))
			return true;
		break;
	}
	static const char *const want[] = {
		"", "ValidationException",
		"ValidationException or SerializationException",
		"SerializationException", "UnknownOperationException"};
	check_fail(ck, rq, rs, "%s: the error type is %s, not %s", what,
		   rs->has_type ? rs->type : "unreadable", want[k]);
	return false;
}

void expect_error(struct check *ck, const struct creq *rq,
		  enum expect_kind k, const char *what)
{
	struct cresp rs;

	if (!check_send(ck, rq, &rs))
		return;
	expect_judge(ck, rq, &rs, k, what);
	cresp_free(&rs);
}

void expect_error_body(struct check *ck, const char *body,
		       enum expect_kind k, const char *what)
{
	struct creq rq = {.body = body, .len = strlen(body)};

	expect_error(ck, &rq, k, what);
}

void expect_ok_body(struct check *ck, const char *body, const char *what)
{
	struct creq rq = {.body = body, .len = strlen(body)};
	struct cresp rs;

	if (!check_send(ck, &rq, &rs))
		return;
	if (rs.status != 200 || !json_is_object(rs.json))
		check_fail(ck, &rq, &rs, "%s was not answered 200 with a JSON "
				       "object",
			   what);
	cresp_free(&rs);
}
