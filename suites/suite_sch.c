/* SCH-*: every 200 body against the response schema, and the order of the
 * two timestamps. */
#include <criterion/criterion.h>

#include "blt/schema.h"
#include "conform.h"

static void schema_fn(struct check *ck, const struct creq *rq,
		      const struct cresp *rs, void *arg)
{
	const struct schema *s = schema_builtin(SCHEMA_RESPONSE);
	struct schema_violation v[3];
	size_t n;
	unsigned *count = arg;

	if (rs->status != 200)
		return;
	(*count)++;
	if (!rs->json) {
		check_fail(ck, rq, rs, "the 200 body is not JSON");
		return;
	}
	n = schema_validate(s, rs->json, v, 3);
	if (n)
		check_fail(ck, rq, rs,
			   "the body breaks the response schema in %zu "
			   "place%s; first at '%s': %s",
			   n, n == 1 ? "" : "s", v[0].pointer, v[0].message);
}

Test(SCH, RESP)
{
	struct check ck;
	unsigned count = 0;

	check_begin(&ck, "SCH-RESP");
	if (!schema_builtin(SCHEMA_RESPONSE))
		cr_assert_fail("the built-in response schema does not compile");
	battery_valid(&ck, schema_fn, &count);
	if (!count)
		check_skip(&ck, "the target answered no request with 200");
	check_end(&ck);
}

static void time_fn(struct check *ck, const struct creq *rq,
		    const struct cresp *rs, void *arg)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	unsigned *both = arg;
	size_t i;
	json_t *t;

	if (rs->status != 200)
		return;
	json_array_foreach(tasks, i, t) {
		const json_t *c = json_object_get(t, "CreationTime");
		const json_t *u = json_object_get(t, "LastUpdatedTime");
		if (!json_is_number(c) || !json_is_number(u))
			continue;
		(*both)++;
		if (json_number_value(c) > json_number_value(u)) {
			const char *id = json_string_value(
				json_object_get(t, "TaskId"));
			check_fail(ck, rq, rs,
				   "task '%s' has CreationTime %.3f after "
				   "LastUpdatedTime %.3f",
				   id ? id : "?", json_number_value(c),
				   json_number_value(u));
			return;
		}
	}
}

Test(SCH, TIME)
{
	struct check ck;
	unsigned both = 0;

	check_begin(&ck, "SCH-TIME");
	battery_valid(&ck, time_fn, &both);
	if (!both)
		check_skip(&ck, "no task carried both CreationTime and "
				"LastUpdatedTime");
	check_end(&ck);
}
