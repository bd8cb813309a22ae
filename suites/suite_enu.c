/* ENU-*: the TaskStatus enum in responses and as a filter. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

static bool known_status(const char *s)
{
	for (size_t i = 0; i < 6; i++)
		if (strcmp(conform_statuses[i], s) == 0)
			return true;
	return false;
}

static void enum_fn(struct check *ck, const struct creq *rq,
		    const struct cresp *rs, void *arg)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	unsigned *seen = arg;
	size_t i;
	json_t *t;

	if (rs->status != 200)
		return;
	json_array_foreach(tasks, i, t) {
		const json_t *st = json_object_get(t, "TaskStatus");
		if (!st)
			continue;
		(*seen)++;
		if (!json_is_string(st) || !known_status(json_string_value(st))) {
			char *v = json_dumps(st, JSON_ENCODE_ANY);
			check_fail(ck, rq, rs,
				   "task %zu has TaskStatus %s, not one of the "
				   "six values",
				   i, v ? v : "?");
			free(v);
			return;
		}
	}
}

Test(ENU, RESP)
{
	struct check ck;
	unsigned seen = 0;

	check_begin(&ck, "ENU-RESP");
	battery_valid(&ck, enum_fn, &seen);
	if (!seen)
		check_skip(&ck, "no task in any response carried a TaskStatus");
	check_end(&ck);
}

Test(ENU, FILTER)
{
	struct check ck;

	check_begin(&ck, "ENU-FILTER");
	for (size_t i = 0; i < 6; i++) {
		char *body = conform_list_body(0, conform_statuses[i], NULL);
		expect_ok_body(&ck, body, "a TaskStatus filter of the enum");
		free(body);
	}
	check_end(&ck);
}

Test(ENU, BAD)
{
	static const char *const bad[] = {"RUNNING", "created", "",
					  " CREATED"};
	struct check ck;

	check_begin(&ck, "ENU-BAD");
	for (size_t i = 0; i < 4; i++) {
		char *body = conform_list_body(0, bad[i], NULL);
		expect_error_body(&ck, body, EXPECT_VALIDATION,
				  "a TaskStatus filter outside the enum");
		free(body);
	}
	check_end(&ck);
}
