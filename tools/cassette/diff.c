/* blt-cassette diff: a semantic comparison of two recordings for review.
 * Volatile values (request ids, dates, token values, timings, signatures)
 * are ignored; drift is reported: members added or gone, a new enum value,
 * a changed status or error type, a page of another size, a request that
 * differs. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/canon.h"
#include "blt/cassette.h"
#include "cassette_tool.h"

struct diff {
	size_t differences;
	const char *a;
	const char *b;
};

static void differ(struct diff *d, long id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void differ(struct diff *d, long id, const char *fmt, ...)
{
	va_list ap;

	if (id > 0)
		printf("interaction %ld: ", id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	d->differences++;
}

/* The request body's canonical text without NextToken. New string. */
static char *request_key(const json_t *req)
{
	json_t *body = cassette_body_json(req);
	json_t *copy = json_is_object(body) ? json_deep_copy(body) : NULL;
	char *text;

	if (!copy)
		return strdup(body ? "(non-object body)" : "(no body)");
	json_object_del(copy, "NextToken");
	text = canon_text(copy);
	json_decref(copy);
	return text;
}

static void type_of(const json_t *resp, char *out, size_t outsz)
{
	if (!tool_error_type(resp, out, outsz))
		snprintf(out, outsz, "-");
}

/* Collects into names every member name of every task in a body. */
static void task_members(const json_t *body, json_t *names)
{
	json_t *tasks = json_object_get(body, "BatchLoadTasks");
	size_t i;
	json_t *task;

	json_array_foreach(tasks, i, task) {
		const char *k;
		json_t *v;

		json_object_foreach(task, k, v)
			json_object_set_new(names, k, json_true());
	}
}

/* Reports names present in one set and not the other. */
static void compare_sets(struct diff *d, long id, const char *what,
			 json_t *a, json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach(b, k, v)
		if (!json_object_get(a, k))
			differ(d, id, "%s \"%s\" appears in %s", what, k, d->b);
	json_object_foreach(a, k, v)
		if (!json_object_get(b, k))
			differ(d, id, "%s \"%s\" is gone in %s", what, k, d->b);
}

static void compare_bodies(struct diff *d, long id, const json_t *ra,
			   const json_t *rb)
{
	json_t *ba = cassette_body_json(ra), *bb = cassette_body_json(rb);
	json_t *ma = json_object(), *mb = json_object();
	size_t na = json_array_size(json_object_get(ba, "BatchLoadTasks"));
	size_t nb = json_array_size(json_object_get(bb, "BatchLoadTasks"));
	bool ta = json_object_get(ba, "NextToken") != NULL;
	bool tb = json_object_get(bb, "NextToken") != NULL;
	const char *k;
	json_t *v;

	if (na != nb)
		differ(d, id, "page of %zu tasks in %s, %zu in %s", na, d->a,
		       nb, d->b);
	if (ta != tb)
		differ(d, id, "NextToken %s in %s", tb ? "appears" : "is gone",
		       d->b);
	json_object_foreach(ba, k, v)
		json_object_set_new(ma, k, json_true());
	json_object_foreach(bb, k, v)
		json_object_set_new(mb, k, json_true());
	compare_sets(d, id, "response member", ma, mb);
	json_object_clear(ma);
	json_object_clear(mb);
	task_members(ba, ma);
	task_members(bb, mb);
	compare_sets(d, id, "task member", ma, mb);
	json_decref(ma);
	json_decref(mb);
}

static void compare_one(struct diff *d, const struct cassette_interaction *a,
			const struct cassette_interaction *b)
{
	char *ka = request_key(a->request), *kb = request_key(b->request);
	char ta[128], tb[128];

	if (strcmp(a->operation, b->operation) != 0)
		differ(d, a->id, "operation %s in %s, %s in %s", a->operation,
		       d->a, b->operation, d->b);
	if (ka && kb && strcmp(ka, kb) != 0)
		differ(d, a->id, "request %s in %s, %s in %s", ka, d->a, kb,
		       d->b);
	if (a->status != b->status)
		differ(d, a->id, "status %d in %s, %d in %s", a->status, d->a,
		       b->status, d->b);
	type_of(a->response, ta, sizeof(ta));
	type_of(b->response, tb, sizeof(tb));
	if (strcmp(ta, tb) != 0)
		differ(d, a->id, "error type %s in %s, %s in %s", ta, d->a, tb,
		       d->b);
	compare_bodies(d, a->id, a->response, b->response);
	free(ka);
	free(kb);
}

static void add_status(json_t *task, void *set)
{
	json_t *s = json_object_get(task, "TaskStatus");

	if (json_is_string(s))
		json_object_set_new(set, json_string_value(s), json_true());
}

/* Every TaskStatus value seen in a cassette's responses. */
static json_t *enum_values(const struct cassette *c)
{
	json_t *set = json_object();

	tool_foreach_task(c, add_status, set);
	return set;
}

static void compare_all(struct diff *d, const struct cassette *a,
			const struct cassette *b)
{
	size_t na = cassette_count(a), nb = cassette_count(b);
	json_t *ea = enum_values(a), *eb = enum_values(b);

	if (na != nb)
		differ(d, 0, "%zu interactions in %s, %zu in %s", na, d->a, nb,
		       d->b);
	for (size_t i = 0; i < na && i < nb; i++)
		compare_one(d, cassette_at(a, i), cassette_at(b, i));
	compare_sets(d, 0, "TaskStatus value", ea, eb);
	json_decref(ea);
	json_decref(eb);
}

int cmd_diff(int argc, char **argv)
{
	struct cassette *a = NULL, *b = NULL;
	struct diff d = {0};
	struct blt_err err;
	int nargs;
	int rc = tool_parse_files("diff",
				  "usage: blt-cassette diff A B\nReports drift "
				  "between two recordings, ignoring volatile "
				  "values; exit 1\nwhen they differ, 2 when one "
				  "cannot be read.\n",
				  2, 2, argc, argv, &nargs);

	if (rc >= 0)
		return rc;
	rc = 2;
	d.a = argv[1];
	d.b = argv[2];
	if (cassette_load(&(struct cassette_load_opts){.path = argv[1]}, &a,
			  &err) ||
	    cassette_load(&(struct cassette_load_opts){.path = argv[2]}, &b,
			  &err)) {
		tool_error("diff", "%s", err.msg);
		goto done;
	}
	compare_all(&d, a, b);
	if (d.differences)
		printf("%zu difference%s\n", d.differences,
		       d.differences == 1 ? "" : "s");
	else
		printf("no drift\n");
	rc = d.differences ? 1 : 0;
done:
	cassette_free(a);
	cassette_free(b);
	return rc;
}
