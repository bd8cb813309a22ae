/* blt-fake over real HTTP: pagination at every page size, filters, resized
 * walks, repeated pages, deterministic data, --tasks and --from-cassette. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt/lbt.h"
#include "fake_rig.h"

#define TASKS 250

static const char *const statuses[] = {"CREATED",	   "IN_PROGRESS",
				       "FAILED",	   "SUCCEEDED",
				       "PROGRESS_STOPPED", "PENDING_RESUME"};

static struct fake_rig rig;

static void start_default(void)
{
	static const char *const args[] = {"--generate", "250", "--seed", "7",
					   NULL};

	fake_rig_start(&rig, args);
}

static void stop(void)
{
	fake_rig_stop(&rig);
}

TestSuite(fake_walk, .init = start_default, .fini = stop, .timeout = 120);

/* Asserts that ids holds n distinct strings. */
static void assert_distinct(const json_t *ids, size_t n, const char *what)
{
	json_t *set = json_object();
	size_t i;
	json_t *id;

	cr_assert_eq(json_array_size(ids), n, "%s: %zu items, want %zu", what,
		     json_array_size(ids), n);
	json_array_foreach (ids, i, id) {
		cr_assert(json_is_string(id), "%s: item %zu has no TaskId",
			  what, i);
		cr_assert_null(json_object_get(set, json_string_value(id)),
			       "%s: %s twice", what, json_string_value(id));
		json_object_set_new(set, json_string_value(id), json_true());
	}
	json_decref(set);
}

Test(fake_walk, every_page_size_returns_each_task_once)
{
	int full = 100;
	json_t *ref = fake_walk(&rig, &full, 1, NULL, NULL);

	assert_distinct(ref, TASKS, "MaxResults 100");
	for (int max = 1; max <= 100; max++) {
		size_t pages;
		json_t *ids = fake_walk(&rig, &max, 1, NULL, &pages);
		char what[32];

		snprintf(what, sizeof(what), "MaxResults %d", max);
		assert_distinct(ids, TASKS, what);
		cr_assert(json_equal(ids, ref), "%s: another order", what);
		cr_assert_eq(pages, (size_t)(TASKS + max - 1) / (size_t)max,
			     "%s: %zu pages", what, pages);
		json_decref(ids);
	}
	json_decref(ref);
}

Test(fake_walk, absent_max_results_pages_by_100)
{
	int absent = 0;
	size_t pages;
	json_t *ids = fake_walk(&rig, &absent, 1, NULL, &pages);

	assert_distinct(ids, TASKS, "MaxResults absent");
	cr_assert_eq(pages, 3);
	json_decref(ids);
}

Test(fake_walk, each_filter_returns_exactly_its_tasks)
{
	int full = 100;
	json_t *all = fake_walk(&rig, &full, 1, NULL, NULL);
	json_t *status_of = json_object();
	size_t total = 0;
	long code;
	json_t *doc;
	size_t i;
	json_t *t;

	/* The status of every task, from one unfiltered walk of raw pages. */
	for (char *tok = NULL;;) {
		json_t *req = json_object();
		char *body;
		const char *next;

		if (tok)
			json_object_set_new(req, "NextToken", json_string(tok));
		body = json_dumps(req, JSON_COMPACT);
		doc = fake_list(&rig, body, &code);
		cr_assert_eq(code, 200);
		json_array_foreach (json_object_get(doc, "BatchLoadTasks"), i,
				    t)
			json_object_set(
			    status_of,
			    json_string_value(json_object_get(t, "TaskId")),
			    json_object_get(t, "TaskStatus"));
		next = json_string_value(json_object_get(doc, "NextToken"));
		free(tok);
		tok = next ? strdup(next) : NULL;
		free(body);
		json_decref(req);
		json_decref(doc);
		if (!tok)
			break;
	}
	cr_assert_eq(json_object_size(status_of), TASKS);
	for (size_t s = 0; s < 6; s++) {
		int sizes[] = {3, 17, 100};
		json_t *ids = fake_walk(&rig, sizes, 3, statuses[s], NULL);
		size_t expect = 0;
		const char *key;
		json_t *v;

		json_object_foreach (status_of, key, v)
			if (!strcmp(json_string_value(v), statuses[s]))
				expect++;
		cr_assert_gt(expect, 0, "no %s task in the data", statuses[s]);
		assert_distinct(ids, expect, statuses[s]);
		json_array_foreach (ids, i, t)
			cr_assert_str_eq(json_string_value(json_object_get(
					     status_of, json_string_value(t))),
					 statuses[s]);
		total += expect;
		json_decref(ids);
	}
	cr_assert_eq(total, TASKS);
	json_decref(all);
	json_decref(status_of);
}

Test(fake_walk, changing_max_results_between_pages_loses_nothing)
{
	static const int patterns[][6] = {
	    {1, 100, 2, 50, 7, 3},
	    {100, 1, 1, 1, 99, 13},
	    {7, 7, 2, 100, 100, 1},
	    {33, 1, 66, 4, 5, 100},
	};
	int full = 100;
	json_t *ref = fake_walk(&rig, &full, 1, NULL, NULL);

	for (size_t p = 0; p < 4; p++) {
		json_t *ids = fake_walk(&rig, patterns[p], 6, NULL, NULL);

		assert_distinct(ids, TASKS, "resized walk");
		cr_assert(json_equal(ids, ref), "pattern %zu: another order",
			  p);
		json_decref(ids);
	}
	for (size_t s = 0; s < 6; s++) {
		int sizes[] = {1, 2, 3, 100};
		json_t *a = fake_walk(&rig, sizes, 4, statuses[s], NULL);
		int one = 1;
		json_t *b = fake_walk(&rig, &one, 1, statuses[s], NULL);

		cr_assert(json_equal(a, b), "%s resized", statuses[s]);
		json_decref(a);
		json_decref(b);
	}
	json_decref(ref);
}

Test(fake_walk, resending_a_token_returns_the_same_page)
{
	long code;
	json_t *first = fake_list(&rig, "{\"MaxResults\":5}", &code);
	const char *tok =
	    json_string_value(json_object_get(first, "NextToken"));
	char body[256];
	json_t *a;
	json_t *b;

	cr_assert(tok);
	snprintf(body, sizeof(body), "{\"MaxResults\":5,\"NextToken\":\"%s\"}",
		 tok);
	a = fake_list(&rig, body, &code);
	cr_assert_eq(code, 200);
	b = fake_list(&rig, body, &code);
	cr_assert_eq(code, 200);
	cr_assert(json_equal(json_object_get(a, "BatchLoadTasks"),
			     json_object_get(b, "BatchLoadTasks")));
	cr_assert_eq(json_array_size(json_object_get(a, "BatchLoadTasks")), 5);
	cr_assert(!json_equal(json_object_get(a, "BatchLoadTasks"),
			      json_object_get(first, "BatchLoadTasks")));
	json_decref(first);
	json_decref(a);
	json_decref(b);
}

Test(fake_walk, empty_next_token_starts_a_walk)
{
	long code;
	json_t *a = fake_list(&rig, "{\"MaxResults\":4}", &code);
	json_t *b =
	    fake_list(&rig, "{\"MaxResults\":4,\"NextToken\":\"\"}", &code);

	cr_assert_eq(code, 200);
	cr_assert(json_equal(json_object_get(a, "BatchLoadTasks"),
			     json_object_get(b, "BatchLoadTasks")));
	json_decref(a);
	json_decref(b);
}

/* ---- data sources ---------------------------------------------------- */

/* All raw bodies of a walk with MaxResults 9, concatenated. */
static char *walk_bodies(struct fake_rig *r, const char *filter)
{
	char *out = strdup("");
	char *tok = NULL;

	for (;;) {
		struct httpc_response resp;
		json_t *req;
		char *body;
		json_t *doc;
		char *next;
		const char *t;

		req = json_pack("{s:i}", "MaxResults", 9);
		if (filter)
			json_object_set_new(req, "TaskStatus",
					    json_string(filter));
		if (tok)
			json_object_set_new(req, "NextToken", json_string(tok));
		body = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		fake_send(r, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, body,
			  strlen(body), &resp);
		cr_assert_eq(resp.status, 200, "%s", resp.body.data);
		next = malloc(strlen(out) + resp.body.len + 2);
		sprintf(next, "%s%s\n", out, resp.body.data);
		free(out);
		out = next;
		doc = json_loads(resp.body.data, 0, NULL);
		t = json_string_value(json_object_get(doc, "NextToken"));
		free(tok);
		tok = t ? strdup(t) : NULL;
		json_decref(doc);
		httpc_response_free(&resp);
		free(body);
		if (!tok)
			return out;
	}
}

Test(fake_data, same_seed_same_bodies_other_seed_other_bodies, .timeout = 60)
{
	static const char *const seed1[] = {"--generate", "40", "--seed", "11",
					    NULL};
	static const char *const seed2[] = {"--generate", "40", "--seed", "12",
					    NULL};
	struct fake_rig a;
	struct fake_rig b;
	struct fake_rig c;
	char *ba;
	char *bb;
	char *bc;

	setenv("BLT_FAKE_TIME", "1800000000", 1);
	fake_rig_start(&a, seed1);
	fake_rig_start(&b, seed1);
	fake_rig_start(&c, seed2);
	ba = walk_bodies(&a, NULL);
	bb = walk_bodies(&b, NULL);
	bc = walk_bodies(&c, NULL);
	cr_assert_str_eq(ba, bb, "same seed, same bytes (tokens included)");
	cr_assert_str_neq(ba, bc);
	free(ba);
	free(bb);
	free(bc);
	fake_rig_stop(&a);
	fake_rig_stop(&b);
	fake_rig_stop(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

Test(fake_data, tasks_file_is_served_in_file_order, .timeout = 30)
{
	char path[] = "/tmp/blt-fake-tasks.XXXXXX";
	int fd = mkstemp(path);
	const char *args[] = {"--tasks", path, NULL};
	struct fake_rig r;
	long code;
	json_t *doc;
	json_t *list;

	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, "[{\"TaskId\":\"ZZZ1\",\"TaskStatus\":\"CREATED\","
			 "\"CreationTime\":1700000000.5},"
			 "{\"TaskId\":\"AAA2\",\"TaskStatus\":\"FAILED\","
			 "\"DatabaseName\":\"db\",\"TableName\":\"t\"},"
			 "{\"TaskId\":\"MMM3\",\"TaskStatus\":\"CREATED\"}]");
	fake_rig_start(&r, args);
	doc = fake_list(&r, "{}", &code);
	list = json_object_get(doc, "BatchLoadTasks");
	cr_assert_eq(json_array_size(list), 3);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(list, 0), "TaskId")),
			 "ZZZ1");
	cr_assert_eq(json_real_value(json_object_get(json_array_get(list, 0),
						     "CreationTime")),
		     1700000000.5);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(list, 1), "DatabaseName")),
			 "db");
	json_decref(doc);
	doc = fake_list(&r, "{\"TaskStatus\":\"CREATED\"}", &code);
	list = json_object_get(doc, "BatchLoadTasks");
	cr_assert_eq(json_array_size(list), 2);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(list, 1), "TaskId")),
			 "MMM3");
	json_decref(doc);
	fake_rig_stop(&r);
	unlink(path);
}

/* One recorded page as a cassette interaction. */
static json_t *interaction(long id, const char *req, const char *resp,
			   long token_from)
{
	json_t *o = json_pack(
	    "{s:I, s:{s:s, s:s, s:s, s:{s:s, s:s}, s:o}, "
	    "s:{s:i, s:{s:s}, s:o}, s:o}",
	    "id", (json_int_t)id, "request", "method", "POST", "path", "/",
	    "operation", "ListBatchLoadTasks", "headers", "x-amz-target",
	    FAKE_TARGET_LBT, "content-type", FAKE_CT, "body",
	    json_loads(req, 0, NULL), "response", "status", 200, "headers",
	    "content-type", FAKE_CT, "body", json_loads(resp, 0, NULL),
	    "token_from", token_from ? json_integer(token_from) : json_null());

	cr_assert(o);
	return o;
}

/* Records walks against a generated blt-fake into a cassette, serves the
 * cassette with --from-cassette, and replays the same requests: every
 * page's tasks must come back as recorded. The filtered walk is recorded
 * first, so only a merge of the walks' orders gets the unfiltered one
 * right. */
Test(fake_data, from_cassette_reproduces_the_recorded_pages, .timeout = 60)
{
	static const char *const gen[] = {"--generate", "30", "--seed", "5",
					  NULL};
	static const struct {
		const char *filter;
		int max;
	} walks[] = {{"FAILED", 2}, {"SUCCEEDED", 3}, {NULL, 4}};
	char path[] = "/tmp/blt-fake-cassette.XXXXXX";
	const char *args[] = {"--from-cassette", path, NULL};
	json_t *pages = json_array(); /* [request body, response tasks] */
	json_t *list = json_array();
	json_t *cassette;
	struct fake_rig a;
	struct fake_rig b;
	long id = 0;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	fake_rig_start(&a, gen);
	for (size_t w = 0; w < 3; w++) {
		char *tok = NULL;
		long prev = 0;

		do {
			json_t *req =
			    json_pack("{s:i}", "MaxResults", walks[w].max);
			char *rq;
			char *rs;
			long code;
			json_t *doc;
			const char *t;

			if (walks[w].filter)
				json_object_set_new(
				    req, "TaskStatus",
				    json_string(walks[w].filter));
			if (tok)
				json_object_set_new(req, "NextToken",
						    json_string(tok));
			rq = json_dumps(req, JSON_COMPACT);
			doc = fake_list(&a, rq, &code);
			cr_assert_eq(code, 200);
			rs = json_dumps(doc, JSON_COMPACT);
			json_array_append_new(list,
					      interaction(++id, rq, rs, prev));
			json_object_del(req, "NextToken");
			json_array_append_new(
			    pages,
			    json_pack("[o, O, b]", req,
				      json_object_get(doc, "BatchLoadTasks"),
				      tok != NULL));
			t = json_string_value(
			    json_object_get(doc, "NextToken"));
			free(tok);
			tok = t ? strdup(t) : NULL;
			prev = id;
			free(rq);
			free(rs);
			json_decref(doc);
		} while (tok);
	}
	fake_rig_stop(&a);
	cassette = json_pack("{s:i, s:{s:s, s:s, s:s}, s:o}", "blt_cassette", 1,
			     "meta", "recorded_at", "2026-01-01T00:00:00.000Z",
			     "upstream", "http://127.0.0.1:1", "tool", "test",
			     "interactions", list);
	cr_assert_eq(json_dump_file(cassette, path, JSON_INDENT(2)), 0);
	json_decref(cassette);

	fake_rig_start(&b, args);
	{
		char *tok = NULL;
		size_t i;
		json_t *p;

		json_array_foreach (pages, i, p) {
			json_t *req = json_deep_copy(json_array_get(p, 0));
			char *rq;
			long code;
			json_t *doc;
			const char *t;

			if (json_is_true(json_array_get(p, 2)))
				json_object_set_new(req, "NextToken",
						    json_string(tok));
			rq = json_dumps(req, JSON_COMPACT);
			doc = fake_list(&b, rq, &code);
			cr_assert_eq(code, 200);
			cr_assert(
			    json_equal(json_object_get(doc, "BatchLoadTasks"),
				       json_array_get(p, 1)),
			    "page %zu differs: %s", i, rq);
			t = json_string_value(
			    json_object_get(doc, "NextToken"));
			free(tok);
			tok = t ? strdup(t) : NULL;
			free(rq);
			json_decref(req);
			json_decref(doc);
		}
		free(tok);
	}
	fake_rig_stop(&b);
	json_decref(pages);
	unlink(path);
}

/* ---- several clients at once ---------------------------------------- */

struct walker {
	const char *url;
	int max;
	size_t items;  /* items seen */
	size_t unique; /* distinct TaskIds seen */
	int failures;  /* non-200 answers or transport errors */
};

/* A whole walk on its own connection; no Criterion asserts off the main
 * thread, so it only counts. */
static void *walk_thread(void *arg)
{
	struct walker *w = arg;
	struct httpc *http = NULL;
	json_t *seen = json_object();
	char *tok = NULL;
	const char *hs[] = {"X-Amz-Target: " FAKE_TARGET_LBT,
			    "Content-Type: " FAKE_CT};
	char url[96];

	snprintf(url, sizeof(url), "%s/", w->url);
	if (httpc_new(NULL, &http, NULL) != BLT_OK) {
		w->failures++;
		return NULL;
	}
	for (int page = 0; page < 1000; page++) {
		json_t *req = json_pack("{s:i}", "MaxResults", w->max);
		struct httpc_response resp;
		char *body;
		json_t *doc = NULL;
		const char *next;
		size_t i;
		json_t *t;

		if (tok)
			json_object_set_new(req, "NextToken", json_string(tok));
		body = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		if (httpc_send(http, "POST", url, hs, 2, body, strlen(body),
			       &resp, NULL) != BLT_OK) {
			w->failures++;
			free(body);
			break;
		}
		free(body);
		if (resp.status == 200)
			doc =
			    json_loadb(resp.body.data, resp.body.len, 0, NULL);
		httpc_response_free(&resp);
		if (!doc) {
			w->failures++;
			break;
		}
		json_array_foreach (json_object_get(doc, "BatchLoadTasks"), i,
				    t) {
			w->items++;
			json_object_set(
			    seen,
			    json_string_value(json_object_get(t, "TaskId")),
			    json_true());
		}
		next = json_string_value(json_object_get(doc, "NextToken"));
		free(tok);
		tok = next ? strdup(next) : NULL;
		json_decref(doc);
		if (!tok)
			break;
	}
	w->unique = json_object_size(seen);
	json_decref(seen);
	free(tok);
	httpc_free(http);
	return NULL;
}

Test(fake_threads, concurrent_walks_each_see_every_task_once, .timeout = 120)
{
	static const char *const args[] = {"--threads", "4", NULL};
	struct walker w[8];
	pthread_t th[8];
	struct fake_rig r;

	fake_rig_start(&r, args);
	for (int i = 0; i < 8; i++) {
		w[i] = (struct walker){r.proc.url, 1 + i * 13, 0, 0, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, walk_thread, &w[i]),
			     0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(w[i].failures, 0, "walker %d", i);
		cr_assert_eq(w[i].items, 250, "walker %d (MaxResults %d)", i,
			     w[i].max);
		cr_assert_eq(w[i].unique, 250, "walker %d", i);
	}
	fake_rig_stop(&r);
}
