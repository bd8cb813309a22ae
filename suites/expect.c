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
	struct creq mistake = *rq;
	struct cresp rs;

	mistake.kind = CREQ_MISTAKE;
	if (!check_send(ck, &mistake, &rs))
		return;
	expect_judge(ck, &mistake, &rs, k, what);
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
	struct creq rq = {
	    .body = body, .len = strlen(body), .kind = CREQ_VALID};
	struct cresp rs;

	if (!check_send(ck, &rq, &rs))
		return;
	if (rs.status == 200 && json_is_object(rs.json))
		;
	else if (strstr(body, "\"NextToken\"") && rs.status >= 400 &&
		 rs.status < 500)
		check_fail_dep(ck, &rq, &rs,
			       "%s was refused (its NextToken may have been "
			       "used before)",
			       what);
	else
		check_fail(ck, &rq, &rs,
			   "%s was not answered 200 with a JSON object", what);
	cresp_free(&rs);
}

/* Sends the later-page mistake to a target whose tokens cannot be used
 * twice: a 4xx is not judged (it may be the token's). */
static enum later_verdict error_used_token(struct check *ck,
					   const char *body,
					   enum expect_kind k,
					   const char *what)
{
	struct creq rq = {.body = body,
			  .len = strlen(body),
			  .kind = CREQ_MISTAKE};
	struct cresp rs;
	enum later_verdict v = LATER_JUDGED;

	if (!check_send(ck, &rq, &rs))
		return v;
	if (rs.status >= 400 && rs.status < 500)
		v = LATER_UNJUDGED;
	else
		expect_judge(ck, &rq, &rs, k, what);
	cresp_free(&rs);
	return v;
}

enum later_verdict expect_error_later(struct check *ck, const char *body,
				      enum expect_kind k, const char *what)
{
	json_t *o = json_loads(body, 0, NULL);
	char *tok = json_is_object(o) ? walk_fresh_token(ck, NULL) : NULL;
	enum later_verdict v = LATER_JUDGED;
	char *later;
	char label[256];

	if (!tok) {
		json_decref(o);
		return LATER_NO_TOKEN;
	}
	json_object_set_new(o, "NextToken", json_string(tok));
	later = conform_body(o);
	snprintf(label, sizeof(label), "%s, on a later page (with a "
				       "NextToken)",
		 what);
	if (later && ck->cfg.facts.repeat == REPEAT_NO)
		v = error_used_token(ck, later, k, label);
	else if (later)
		expect_error_body(ck, later, k, label);
	free(later);
	free(tok);
	json_decref(o);
	return v;
}

void expect_pages_coverage(struct check *ck, const char *what,
			   enum later_verdict v)
{
	if (v == LATER_JUDGED)
		check_coverage(ck, "%s, on first and later pages", what);
	else if (v == LATER_NO_TOKEN)
		check_coverage(ck, "%s, on first pages only (the target issued "
				   "no NextToken)",
			       what);
	else
		check_coverage(ck, "%s, on first pages; not judged on later "
				   "pages: the target's NextTokens cannot be "
				   "used twice, so a refusal there may be the "
				   "token's (see PAG-REPEAT)",
			       what);
}
