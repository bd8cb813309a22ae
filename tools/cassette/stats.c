/* blt-cassette stats: interactions by operation, status and error type;
 * walks and their page sizes; tasks by status. */
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/cassette.h"
#include "blt/lbt.h"
#include "cassette_tool.h"

/* Adds one to counts[key] (a JSON object used as a counter map). */
static void count(json_t *counts, const char *key)
{
	json_t *v = json_object_get(counts, key);

	json_object_set_new(counts, key,
			    json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void print_counts(const char *title, json_t *counts)
{
	const char *key;
	json_t *v;

	printf("%s:\n", title);
	if (json_object_size(counts) == 0)
		printf("  (none)\n");
	json_object_foreach(counts, key, v)
		printf("  %-36s %lld\n", key, (long long)json_integer_value(v));
}

/* The error type of a response, or NULL for a success. */
static const char *error_type(const json_t *resp, char *out, size_t outsz)
{
	json_int_t status = json_integer_value(json_object_get(resp, "status"));

	if (status < 300)
		return NULL;
	if (!tool_error_type(resp, out, outsz))
		snprintf(out, outsz, "(no type, status %lld)",
			 (long long)status);
	return out;
}

/* Follows a walk from interaction i through the token links; prints one
 * line. next maps an id (as text) to the id of the request it fed. */
static void print_walk(const struct cassette *c, size_t i, json_t *next)
{
	const struct cassette_interaction *it = cassette_at(c, i);
	json_t *body = cassette_body_json(it->request);
	json_t *status = json_object_get(body, "TaskStatus");
	json_t *max = json_object_get(body, "MaxResults");
	size_t pages = 0;
	size_t items = 0;
	char key[32];
	char limit[24] = "absent";

	if (json_is_integer(max))
		snprintf(limit, sizeof(limit), "%lld",
			 (long long)json_integer_value(max));
	printf("  from id %ld (TaskStatus %s, MaxResults %s): pages", it->id,
	       json_is_string(status) ? json_string_value(status) : "any",
	       limit);
	while (it && pages < cassette_count(c) + 1) {
		json_t *tasks = json_object_get(cassette_body_json(
			it->response), "BatchLoadTasks");
		json_t *to;

		printf(" %zu", json_array_size(tasks));
		items += json_array_size(tasks);
		pages++;
		snprintf(key, sizeof(key), "%ld", it->id);
		to = json_object_get(next, key);
		it = to ? cassette_find(c, (long)json_integer_value(to)) : NULL;
	}
	printf(" (%zu pages, %zu items)\n", pages, items);
}

static void print_walks(const struct cassette *c)
{
	json_t *next = json_object();
	char key[32];
	size_t walks = 0;

	for (size_t i = 0; i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);

		if (it->token_from) {
			snprintf(key, sizeof(key), "%ld", it->token_from);
			json_object_set_new(next, key, json_integer(it->id));
		}
	}
	printf("walks (first page, then the size of each page):\n");
	for (size_t i = 0; i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);

		if (it->token_from || it->status != 200 ||
		    strcmp(it->operation, "ListBatchLoadTasks") != 0)
			continue;
		print_walk(c, i, next);
		walks++;
	}
	if (!walks)
		printf("  (none)\n");
	json_decref(next);
}

static void note_task(json_t *task, void *seen)
{
	json_t *tid = json_object_get(task, "TaskId");
	json_t *s = json_object_get(task, "TaskStatus");

	if (json_is_string(tid))
		json_object_set(seen, json_string_value(tid),
				json_is_string(s) ? s : json_null());
}

/* Counts each distinct TaskId once, by the status it was last seen with. */
static void count_tasks(const struct cassette *c, json_t *by_status)
{
	json_t *seen = json_object();
	const char *id;
	json_t *st;

	tool_foreach_task(c, note_task, seen);
	json_object_foreach(seen, id, st)
		count(by_status, json_is_string(st) ? json_string_value(st)
						    : "(no status)");
	json_decref(seen);
}

int cmd_stats(int argc, char **argv)
{
	json_t *ops = json_object(), *statuses = json_object();
	json_t *errors = json_object(), *tasks = json_object();
	struct cassette *c = NULL;
	struct blt_err err;
	char type[128], code[16];
	int nargs;
	int rc = tool_parse_files("stats",
				  "usage: blt-cassette stats FILE\nInteractions "
				  "by operation, status and error type; every "
				  "walk and its\npage sizes; distinct TaskIds by "
				  "status.\n",
				  1, 1, argc, argv, &nargs);

	if (rc >= 0)
		goto done;
	rc = 2;
	if (cassette_load(&(struct cassette_load_opts){.path = argv[1]}, &c,
			  &err)) {
		tool_error("stats", "%s", err.msg);
		goto done;
	}
	for (size_t i = 0; i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);
		const char *t = error_type(it->response, type, sizeof(type));

		count(ops, *it->operation ? it->operation : "(none)");
		snprintf(code, sizeof(code), "%d", it->status);
		count(statuses, code);
		if (t)
			count(errors, t);
	}
	count_tasks(c, tasks);
	printf("%s: %zu interactions\n", argv[1], cassette_count(c));
	print_counts("by operation", ops);
	print_counts("by status", statuses);
	print_counts("by error type", errors);
	print_walks(c);
	print_counts("tasks by status (distinct TaskIds)", tasks);
	rc = 0;
done:
	cassette_free(c);
	json_decref(ops);
	json_decref(statuses);
	json_decref(errors);
	json_decref(tasks);
	return rc;
}
