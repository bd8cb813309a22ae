/* Every planted defect of blt-fake visibly changes its behaviour: one quick
 * assertion per defect that the deviation is present (whether blt-conform
 * catches it is the mutation tests' business). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "fake_rig.h"

static struct fake_rig rig;

static void with_defect(const char *name)
{
	const char *args[] = {"--defect", name, NULL};

	fake_rig_start(&rig, args);
}

static json_t *list(const char *body, long want_status)
{
	long code;
	json_t *doc = fake_list(&rig, body, &code);

	cr_assert_eq(code, want_status, "%s: status %ld", body, code);
	return doc;
}

static size_t page_size(const char *body)
{
	json_t *doc = list(body, 200);
	size_t n = json_array_size(json_object_get(doc, "BatchLoadTasks"));

	json_decref(doc);
	return n;
}

/* The error type of the answer to body, "" when it has none. */
static void error_of(const char *target, const char *body, long want_status,
		     char *type, size_t n, struct httpc_response *resp)
{
	json_t *doc;

	fake_send(&rig, "POST", "/", target, FAKE_CT, body, strlen(body), resp);
	cr_assert_eq(resp->status, want_status, "%s: %ld %s", body,
		     resp->status, resp->body.data);
	doc = json_loadb(resp->body.data, resp->body.len, 0, NULL);
	if (!awsjson_error_read_type(
		httpc_response_header(resp, "x-amzn-errortype"), doc, type, n))
		type[0] = '\0';
	json_decref(doc);
}

static void expect_error(const char *body, long status, const char *type)
{
	struct httpc_response resp;
	char got[128];

	error_of(FAKE_TARGET_LBT, body, status, got, sizeof(got), &resp);
	cr_assert_str_eq(got, type, "%s", body);
	httpc_response_free(&resp);
}

static char *token_after(const char *body)
{
	json_t *doc = list(body, 200);
	const char *t = json_string_value(json_object_get(doc, "NextToken"));
	char *tok;

	cr_assert(t, "%s gave no token", body);
	tok = strdup(t);
	json_decref(doc);
	return tok;
}

static json_t *ids_of(const char *body)
{
	json_t *doc = list(body, 200);
	json_t *ids = fake_ids(json_object_get(doc, "BatchLoadTasks"));

	json_decref(doc);
	return ids;
}

/* The ids of the page after the one body asked for, asked with
 * MaxResults max. */
static json_t *next_ids(const char *body, int max)
{
	char *tok = token_after(body);
	char next[512];
	json_t *ids;

	snprintf(next, sizeof(next), "{\"MaxResults\":%d,\"NextToken\":\"%s\"}",
		 max, tok);
	ids = ids_of(next);
	free(tok);
	return ids;
}

static size_t walk_count(int max)
{
	json_t *ids = fake_walk(&rig, &max, 1, NULL, NULL);
	size_t n = json_array_size(ids);

	json_decref(ids);
	return n;
}

static void stop(void)
{
	fake_rig_stop(&rig);
}

TestSuite(fake_defects, .fini = stop, .timeout = 60);

#define DEFECT(slug, name)                                                     \
	static void check_##slug(void);                                        \
	Test(fake_defects, slug)                                               \
	{                                                                      \
		with_defect(name);                                             \
		check_##slug();                                                \
	}                                                                      \
	static void check_##slug(void)

DEFECT(page_overflow, "page-overflow")
{
	cr_assert_eq(page_size("{\"MaxResults\":5}"), 6);
}

DEFECT(token_cycle, "token-cycle")
{
	json_t *first = ids_of("{\"MaxResults\":100}");
	char *tok = token_after("{\"MaxResults\":100}");
	char body[256];
	json_t *doc;
	json_t *ids;

	for (int page = 1; page < 3; page++) {
		snprintf(body, sizeof(body),
			 "{\"MaxResults\":100,\"NextToken\":\"%s\"}", tok);
		free(tok);
		tok = token_after(body);
	}
	/* The last page (the third of 250 tasks) still carries a token,
	 * and it leads back to the first page. */
	snprintf(body, sizeof(body),
		 "{\"MaxResults\":100,\"NextToken\":\"%s\"}", tok);
	doc = list(body, 200);
	ids = fake_ids(json_object_get(doc, "BatchLoadTasks"));
	cr_assert(json_equal(ids, first));
	free(tok);
	json_decref(doc);
	json_decref(ids);
	json_decref(first);
}

DEFECT(dup_across_pages, "dup-across-pages")
{
	json_t *a = ids_of("{\"MaxResults\":5}");
	json_t *b = next_ids("{\"MaxResults\":5}", 5);

	cr_assert(json_equal(json_array_get(a, 4), json_array_get(b, 0)));
	json_decref(a);
	json_decref(b);
}

DEFECT(drop_on_odd, "drop-on-odd")
{
	cr_assert_lt(walk_count(7), 250);
	cr_assert_eq(walk_count(8), 250);
}

DEFECT(filter_leak, "filter-leak")
{
	json_t *doc = list("{\"TaskStatus\":\"CREATED\"}", 200);
	size_t i;
	json_t *t;
	size_t leaked = 0;

	json_array_foreach (json_object_get(doc, "BatchLoadTasks"), i, t)
		leaked +=
		    !strcmp(json_string_value(json_object_get(t, "TaskStatus")),
			    "IN_PROGRESS");
	cr_assert_gt(leaked, 0);
	json_decref(doc);
}

DEFECT(resize_loss, "resize-loss")
{
	json_t *all = ids_of("{\"MaxResults\":100}");
	json_t *b = next_ids("{\"MaxResults\":10}", 20);

	/* Page 1 at size 20 starts at item 20, not 10. */
	cr_assert(json_equal(json_array_get(b, 0), json_array_get(all, 20)));
	json_decref(all);
	json_decref(b);
}

DEFECT(badtoken_restart, "badtoken-restart")
{
	json_t *first = ids_of("{\"MaxResults\":3}");
	json_t *again = ids_of("{\"MaxResults\":3,\"NextToken\":\"garbage\"}");

	cr_assert(json_equal(first, again));
	json_decref(first);
	json_decref(again);
}

DEFECT(reject_100, "reject-100")
{
	expect_error("{\"MaxResults\":100}", 400, "ValidationException");
	cr_assert_eq(page_size("{\"MaxResults\":99}"), 99);
}

DEFECT(accept_101, "accept-101")
{
	cr_assert_eq(page_size("{\"MaxResults\":101}"), 100);
	cr_assert_eq(page_size("{\"MaxResults\":1000}"), 100);
	expect_error("{\"MaxResults\":1001}", 400, "ValidationException");
}

DEFECT(coerce_string, "coerce-string")
{
	cr_assert_eq(page_size("{\"MaxResults\":\"10\"}"), 10);
}

DEFECT(paused_status, "paused-status")
{
	json_t *doc = list("{\"MaxResults\":100}", 200);
	size_t i;
	json_t *t;
	size_t paused = 0;

	json_array_foreach (json_object_get(doc, "BatchLoadTasks"), i, t) {
		const char *s =
		    json_string_value(json_object_get(t, "TaskStatus"));

		cr_assert_str_neq(s, "PENDING_RESUME");
		paused += !strcmp(s, "PAUSED");
	}
	cr_assert_gt(paused, 0);
	json_decref(doc);
}

DEFECT(reject_filter, "reject-filter")
{
	expect_error("{\"TaskStatus\":\"PENDING_RESUME\"}", 400,
		     "ValidationException");
	cr_assert_gt(page_size("{\"TaskStatus\":\"FAILED\"}"), 0);
}

DEFECT(loose_enum, "loose-enum")
{
	json_t *doc = list("{\"TaskStatus\":\" created \"}", 200);
	json_t *t = json_array_get(json_object_get(doc, "BatchLoadTasks"), 0);

	cr_assert_str_eq(json_string_value(json_object_get(t, "TaskStatus")),
			 "CREATED");
	json_decref(doc);
}

DEFECT(untyped_errors, "untyped-errors")
{
	struct httpc_response resp;
	char type[128];
	json_t *doc;

	error_of(FAKE_TARGET_LBT, "{\"MaxResults\":0}", 400, type, sizeof(type),
		 &resp);
	cr_assert_str_eq(type, "");
	cr_assert_null(httpc_response_header(&resp, "x-amzn-errortype"));
	doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	cr_assert_null(json_object_get(doc, "__type"));
	cr_assert_null(json_object_get(doc, "code"));
	cr_assert(json_object_get(doc, "message"));
	json_decref(doc);
	httpc_response_free(&resp);
}

DEFECT(status_422, "status-422")
{
	expect_error("{\"MaxResults\":0}", 422, "ValidationException");
}

DEFECT(json_500, "json-500")
{
	expect_error("{\"MaxResults\":", 500, "InternalServerException");
	expect_error("{\"MaxResults\":true}", 400, "SerializationException");
}

DEFECT(target_ignored, "target-ignored")
{
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", "Timestream_20181101.Bogus", FAKE_CT, "{}",
		  2, &resp);
	cr_assert_eq(resp.status, 200);
	cr_assert(strstr(resp.body.data, "\"BatchLoadTasks\""));
	httpc_response_free(&resp);
}

DEFECT(type_500, "type-500")
{
	expect_error("{\"TaskStatus\":5}", 500, "InternalServerException");
}

DEFECT(lowercase_ids, "lowercase-ids")
{
	json_t *ids = ids_of("{\"MaxResults\":10}");
	size_t i;
	json_t *id;
	size_t lower = 0;

	json_array_foreach (ids, i, id)
		for (const char *p = json_string_value(id); *p; p++)
			lower += islower((unsigned char)*p) != 0;
	cr_assert_gt(lower, 0);
	json_decref(ids);
}

DEFECT(json_ctype, "json-ctype")
{
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, "{}", 2, &resp);
	cr_assert_str_eq(httpc_response_header(&resp, "content-type"),
			 "application/json");
	httpc_response_free(&resp);
}

DEFECT(enum_as_serialization, "enum-as-serialization")
{
	expect_error("{\"TaskStatus\":\"RUNNING\"}", 400,
		     "SerializationException");
}

/* The first task's LastUpdatedTime from a server with args. */
static double first_updated(const char *defect)
{
	const char *args[] = {"--defect", defect, NULL};
	struct fake_rig r;
	long code;
	json_t *doc;
	double t;

	fake_rig_start(&r, defect ? args : NULL);
	doc = fake_list(&r, "{\"MaxResults\":1}", &code);
	t = json_number_value(json_object_get(
	    json_array_get(json_object_get(doc, "BatchLoadTasks"), 0),
	    "LastUpdatedTime"));
	json_decref(doc);
	fake_rig_stop(&r);
	return t;
}

DEFECT(drift_times, "drift-times")
{
	cr_assert_eq(first_updated("drift-times"), first_updated(NULL) + 1.0);
}

DEFECT(mid_range_500, "mid-range-500")
{
	expect_error("{\"MaxResults\":50}", 500, "InternalServerException");
	cr_assert_eq(page_size("{\"MaxResults\":40}"), 40);
	cr_assert_eq(page_size("{\"MaxResults\":60}"), 60);
}

DEFECT(accept_huge, "accept-huge")
{
	cr_assert_eq(page_size("{\"MaxResults\":2147483647}"), 100);
	cr_assert_eq(page_size("{\"MaxResults\":200}"), 100);
	expect_error("{\"MaxResults\":150}", 400, "ValidationException");
}

DEFECT(unstable_order, "unstable-order")
{
	int one = 1;
	int two = 2;
	json_t *a = fake_walk(&rig, &one, 1, NULL, NULL);
	json_t *b = fake_walk(&rig, &two, 1, NULL, NULL);

	cr_assert_eq(json_array_size(a), json_array_size(b));
	cr_assert(!json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

DEFECT(repeat_differs, "repeat-differs")
{
	char *tok = token_after("{\"MaxResults\":5}");
	char body[256];
	json_t *a;
	json_t *b;

	snprintf(body, sizeof(body), "{\"MaxResults\":5,\"NextToken\":\"%s\"}",
		 tok);
	a = ids_of(body);
	b = ids_of(body);
	cr_assert(!json_equal(a, b));
	free(tok);
	json_decref(a);
	json_decref(b);
}

DEFECT(filter_token_reuse, "filter-token-reuse")
{
	char *tok =
	    token_after("{\"MaxResults\":1,\"TaskStatus\":\"CREATED\"}");
	char body[256];
	json_t *doc;

	snprintf(body, sizeof(body),
		 "{\"MaxResults\":1,\"TaskStatus\":\"FAILED\","
		 "\"NextToken\":\"%s\"}",
		 tok);
	doc = list(body, 200);
	json_decref(doc);
	free(tok);
}

DEFECT(no_message, "no-message")
{
	struct httpc_response resp;
	char type[128];
	json_t *doc;

	error_of(FAKE_TARGET_LBT, "{\"MaxResults\":0}", 400, type, sizeof(type),
		 &resp);
	cr_assert_str_eq(type, "ValidationException");
	doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	cr_assert_null(awsjson_error_read_message(doc));
	json_decref(doc);
	httpc_response_free(&resp);
}

DEFECT(time_inversion, "time-inversion")
{
	json_t *doc = list("{\"MaxResults\":20}", 200);
	size_t i;
	json_t *t;

	json_array_foreach (json_object_get(doc, "BatchLoadTasks"), i, t)
		cr_assert_gt(
		    json_number_value(json_object_get(t, "CreationTime")),
		    json_number_value(json_object_get(t, "LastUpdatedTime")));
	json_decref(doc);
}

DEFECT(no_request_id, "no-request-id")
{
	struct httpc_response resp;

	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, "{}", 2, &resp);
	cr_assert_null(httpc_response_header(&resp, "x-amzn-requestid"));
	httpc_response_free(&resp);
}

/* The body of a later page: MaxResults max (0 leaves it out) with tok. */
static void later_body(char *out, size_t n, int max, const char *status,
		       const char *tok)
{
	char mr[32] = "", st[64] = "";

	if (max)
		snprintf(mr, sizeof(mr), "\"MaxResults\":%d,", max);
	if (status)
		snprintf(st, sizeof(st), "\"TaskStatus\":\"%s\",", status);
	snprintf(out, n, "{%s%s\"NextToken\":\"%s\"}", mr, st, tok);
}

DEFECT(later_page_range, "later-page-range")
{
	static const int bad[] = {0, -1, 101};
	char body[256];

	/* first pages are still judged */
	expect_error("{\"MaxResults\":0}", 400, "ValidationException");
	expect_error("{\"MaxResults\":101}", 400, "ValidationException");
	for (size_t i = 0; i < 3; i++) {
		char *tok = token_after("{\"MaxResults\":2}");
		snprintf(body, sizeof(body),
			 "{\"MaxResults\":%d,\"NextToken\":\"%s\"}", bad[i],
			 tok);
		cr_assert_eq(page_size(body), bad[i] == 101 ? 100 : 1, "%s",
			     body);
		free(tok);
	}
}

DEFECT(sticky_max, "sticky-max")
{
	char *tok = token_after("{\"MaxResults\":5}");
	char body[256];

	later_body(body, sizeof(body), 2, NULL, tok);
	cr_assert_eq(page_size(body), 5);
	later_body(body, sizeof(body), 9, NULL, tok);
	cr_assert_eq(page_size(body), 5);
	free(tok);
	/* a first page is served with its own MaxResults */
	cr_assert_eq(page_size("{\"MaxResults\":3}"), 3);
}

DEFECT(missing_target, "missing-target")
{
	struct httpc_response resp;
	char got[128];

	fake_send(&rig, "POST", "/", NULL, FAKE_CT, "{}", 2, &resp);
	cr_assert_eq(resp.status, 200, "no target: %ld", resp.status);
	httpc_response_free(&resp);
	/* an unknown target is still refused */
	error_of("Timestream_20181101.NoSuchOperation", "{}", 400, got,
		 sizeof(got), &resp);
	cr_assert_str_eq(got, "UnknownOperationException");
	httpc_response_free(&resp);
}

DEFECT(filtered_cycle, "filtered-cycle")
{
	const char *first = "{\"MaxResults\":100,\"TaskStatus\":\"FAILED\"}";
	json_t *ids = ids_of(first);
	char *tok = token_after(first);
	char body[256];
	json_t *again;

	/* 250 tasks hold fewer than 100 FAILED ones: the one page of the
	 * walk carries a token, and it leads back to the same page */
	cr_assert_lt(json_array_size(ids), 100);
	later_body(body, sizeof(body), 100, "FAILED", tok);
	again = ids_of(body);
	cr_assert(json_equal(ids, again));
	/* the unfiltered walk ends */
	cr_assert_eq(walk_count(100), 250);
	free(tok);
	json_decref(ids);
	json_decref(again);
}

DEFECT(single_use_tokens, "single-use-tokens")
{
	char *tok = token_after("{\"MaxResults\":5}");
	char *same = token_after("{\"MaxResults\":5}");
	char body[256];
	json_t *doc;

	cr_assert_str_eq(tok, same, "two walks were issued different tokens");
	later_body(body, sizeof(body), 5, NULL, tok);
	cr_assert_eq(page_size(body), 5);
	expect_error(body, 400, "ValidationException");
	free(tok);
	free(same);
	/* a token never used before is served */
	tok = token_after("{\"MaxResults\":6}");
	later_body(body, sizeof(body), 6, NULL, tok);
	doc = list(body, 200);
	json_decref(doc);
	free(tok);
}

DEFECT(shifted_repeat, "shifted-repeat")
{
	char *tok = token_after("{\"MaxResults\":5}");
	char *same = token_after("{\"MaxResults\":5}");
	json_t *page2 = ids_of("{\"MaxResults\":10}");
	char body[256];
	json_t *a;
	json_t *b;

	cr_assert_str_eq(tok, same, "two walks were issued different tokens");
	later_body(body, sizeof(body), 5, NULL, tok);
	a = ids_of(body);
	b = ids_of(body);
	/* the first use answers items 6-10, the second the page after */
	cr_assert_str_eq(json_string_value(json_array_get(a, 0)),
			 json_string_value(json_array_get(page2, 5)));
	cr_assert(!json_equal(a, b));
	free(tok);
	free(same);
	json_decref(a);
	json_decref(b);
	json_decref(page2);
}

/* Every defect blt-fake lists has a test above. */
static const char *const tested[] = {
    "page-overflow",	"token-cycle",	  "dup-across-pages",
    "drop-on-odd",	"filter-leak",	  "resize-loss",
    "badtoken-restart", "reject-100",	  "accept-101",
    "coerce-string",	"paused-status",  "reject-filter",
    "loose-enum",	"untyped-errors", "status-422",
    "json-500",		"target-ignored", "type-500",
    "lowercase-ids",	"json-ctype",	  "enum-as-serialization",
    "drift-times",	"mid-range-500",  "accept-huge",
    "unstable-order",	"repeat-differs", "filter-token-reuse",
    "no-message",	"time-inversion", "no-request-id",
    "later-page-range", "sticky-max",	  "missing-target",
    "filtered-cycle",	"single-use-tokens", "shifted-repeat",
};

Test(fake_defect_list, every_listed_defect_is_tested, .timeout = 30)
{
	char *argv[] = {strdup(test_bin("blt-fake")), "--defect", "list", NULL};
	char *out = NULL;
	size_t rows = 0;
	char *save = NULL;

	cr_assert_eq(test_run(argv, &out, 10000), 0);
	for (char *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		bool found = false;

		if (sscanf(line, "%63s", name) != 1 || !strcmp(name, "DEFECT"))
			continue;
		for (size_t i = 0; i < sizeof(tested) / sizeof(tested[0]); i++)
			found |= !strcmp(tested[i], name);
		cr_assert(found, "defect %s has no test", name);
		rows++;
	}
	cr_assert_eq(rows, sizeof(tested) / sizeof(tested[0]));
	free(out);
	free(argv[0]);
}

Test(fake_defect_list, defects_combine, .timeout = 30)
{
	const char *args[] = {"--defect", "status-422,no-request-id",
			      "--defect", "page-overflow", NULL};
	struct httpc_response resp;

	fake_rig_start(&rig, args);
	cr_assert_eq(page_size("{\"MaxResults\":3}"), 4);
	fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT,
		  "{\"MaxResults\":0}", 16, &resp);
	cr_assert_eq(resp.status, 422);
	cr_assert_null(httpc_response_header(&resp, "x-amzn-requestid"));
	httpc_response_free(&resp);
	fake_rig_stop(&rig);
}
