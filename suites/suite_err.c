/* ERR-*: error responses: their type, status and message, malformed JSON,
 * unknown targets, and no 5xx for any client mistake. */
#include <criterion/criterion.h>
#include <string.h>

#include "conform.h"

struct err_tally {
	unsigned errors; /* error responses seen */
	unsigned typed;  /* of which with a known type */
};

static void type_fn(struct check *ck, const struct creq *rq,
		    const struct cresp *rs, void *arg)
{
	struct err_tally *t = arg;
	enum awsjson_error e;

	if (rs->status < 400)
		return;
	t->errors++;
	if (!rs->has_type)
		check_fail(ck, rq, rs, "the error carries no readable type "
				       "(x-amzn-ErrorType, __type or code)");
	else if (!awsjson_error_lookup(rs->type, &e) ||
		 !awsjson_error_is_known(e))
		check_fail(ck, rq, rs,
			   "the error type '%s' is neither one of the "
			   "operation's errors nor a common one",
			   rs->type);
}

Test(ERR, TYPE)
{
	struct check ck;
	struct err_tally t = {0};

	check_begin(&ck, "ERR-TYPE");
	battery_mistakes(&ck, type_fn, &t);
	if (!t.errors)
		check_skip(&ck, "the target answered no request with an error");
	check_end(&ck);
}

static void status_fn(struct check *ck, const struct creq *rq,
		      const struct cresp *rs, void *arg)
{
	struct err_tally *t = arg;
	enum awsjson_error e;

	if (rs->status < 400 || !rs->has_type ||
	    !awsjson_error_lookup(rs->type, &e) || !awsjson_error_is_known(e))
		return;
	t->typed++;
	if (!awsjson_error_status_ok(e, ck->cfg.profile, (int)rs->status))
		check_fail(ck, rq, rs, "%s was sent with status %ld; the %s "
				       "profile says %d",
			   rs->type, rs->status,
			   awsjson_profile_name(ck->cfg.profile),
			   awsjson_error_status(e, ck->cfg.profile));
}

Test(ERR, STATUS)
{
	struct check ck;
	struct err_tally t = {0};

	check_begin(&ck, "ERR-STATUS");
	battery_mistakes(&ck, status_fn, &t);
	if (!t.typed)
		check_skip(&ck, "no error response carried a known type "
				"(see ERR-TYPE)");
	check_end(&ck);
}

static void msg_fn(struct check *ck, const struct creq *rq,
		   const struct cresp *rs, void *arg)
{
	struct err_tally *t = arg;

	if (rs->status < 400)
		return;
	t->errors++;
	if (!rs->message || !*rs->message)
		check_fail(ck, rq, rs, "the error has no message (\"message\" "
				       "or \"Message\")");
}

Test(ERR, MSG)
{
	struct check ck;
	struct err_tally t = {0};

	check_begin(&ck, "ERR-MSG");
	battery_mistakes(&ck, msg_fn, &t);
	if (!t.errors)
		check_skip(&ck, "the target answered no request with an error");
	check_end(&ck);
}

Test(ERR, JSON)
{
	static const char *const bodies[] = {
		"{", "{\"MaxResults\":", "not json", "{\"MaxResults\": 5,}",
		"{\"MaxResults\":1}}", "{'MaxResults':1}"};
	struct check ck;

	check_begin(&ck, "ERR-JSON");
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		expect_error_body(&ck, bodies[i], EXPECT_SERIALIZATION,
				  "a malformed JSON body");
	check_end(&ck);
}

Test(ERR, TARGET)
{
	static const char *const targets[] = {
		AWSJSON_TARGET_PREFIX "NoSuchOperation",
		"NoSuchService_20181101.ListBatchLoadTasks"};
	struct check ck;

	check_begin(&ck, "ERR-TARGET");
	for (size_t i = 0; i < 2; i++) {
		struct creq rq = {.target = targets[i], .body = "{}", .len = 2};
		expect_error(&ck, &rq, EXPECT_UNKNOWN_OP,
			     "an unknown X-Amz-Target");
	}
	check_end(&ck);
}

static void no5xx_fn(struct check *ck, const struct creq *rq,
		     const struct cresp *rs, void *arg)
{
	unsigned *n = arg;

	(*n)++;
	if (rs->status >= 500)
		check_fail(ck, rq, rs, "a client mistake was answered %ld",
			   rs->status);
}

Test(ERR, NO5XX)
{
	struct check ck;
	unsigned n = 0;

	check_begin(&ck, "ERR-NO5XX");
	battery_mistakes(&ck, no5xx_fn, &n);
	check_note(&ck, "%u client mistakes sent", n);
	if (!n)
		check_skip(&ck, "the target answered no client mistake");
	check_end(&ck);
}
