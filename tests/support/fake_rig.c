/* blt-fake integration test helpers: process, requests, errors, walks. */
#include "fake_rig.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "blt/awsjson.h"

#define WALK_PAGES_MAX 100000

void fake_rig_start(struct fake_rig *r, const char *const *args)
{
	char *argv[64];
	int n = 0;

	argv[n++] = strdup(test_bin("blt-fake"));
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	cr_assert(test_proc_start(&r->proc, argv, 10000),
		  "blt-fake did not start");
	free(argv[0]);
	cr_assert_eq(httpc_new(NULL, &r->http, NULL), BLT_OK);
}

void fake_rig_stop(struct fake_rig *r)
{
	int status;

	httpc_free(r->http);
	r->http = NULL;
	status = test_proc_stop(&r->proc, SIGTERM);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "blt-fake did not exit cleanly (status %d)", status);
}

void fake_send(struct fake_rig *r, const char *method, const char *path,
	       const char *target, const char *ctype, const char *body,
	       size_t len, struct httpc_response *resp)
{
	char url[128];
	char th[160];
	char ch[160];
	const char *hs[2];
	size_t n = 0;
	struct blt_err err;

	snprintf(url, sizeof(url), "%s%s", r->proc.url, path);
	if (target) {
		snprintf(th, sizeof(th), "X-Amz-Target: %s", target);
		hs[n++] = th;
	}
	if (ctype) {
		snprintf(ch, sizeof(ch), "Content-Type: %s", ctype);
		hs[n++] = ch;
	}
	cr_assert_eq(
	    httpc_send(r->http, method, url, hs, n, body, len, resp, &err),
	    BLT_OK, "%s %s: %s", method, url, err.msg);
}

json_t *fake_list(struct fake_rig *r, const char *body, long *status)
{
	struct httpc_response resp;
	json_t *doc;

	fake_send(r, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, body, strlen(body),
		  &resp);
	*status = resp.status;
	doc = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0,
			 NULL);
	httpc_response_free(&resp);
	return doc;
}

void fake_assert_error(const struct httpc_response *resp, const char *want,
		       long want_status, const char *const *needles)
{
	json_t *body = json_loadb(resp->body.data ? resp->body.data : "",
				  resp->body.len, 0, NULL);
	const char *ct = httpc_response_header(resp, "content-type");
	char type[128];
	const char *shape;
	const char *msg;

	cr_assert(body, "error body is not JSON: %s", resp->body.data);
	cr_assert(awsjson_error_read_type(
		      httpc_response_header(resp, "x-amzn-errortype"), body,
		      type, sizeof(type)),
		  "no error type in %s", resp->body.data);
	cr_assert_str_eq(type, want, "body %s", resp->body.data);
	shape = json_string_value(json_object_get(body, "__type"));
	cr_assert(shape && strchr(shape, '#'), "__type in %s", resp->body.data);
	cr_assert_str_eq(strchr(shape, '#') + 1, want,
			 "__type and x-amzn-ErrorType agree");
	cr_assert_eq(resp->status, want_status, "%s: status %ld, body %s", want,
		     resp->status, resp->body.data);
	msg = awsjson_error_read_message(body);
	cr_assert(msg && *msg, "no message in %s", resp->body.data);
	for (size_t i = 0; needles && needles[i]; i++)
		cr_assert(strstr(msg, needles[i]), "message '%s' lacks '%s'",
			  msg, needles[i]);
	cr_assert(ct && strcmp(ct, FAKE_CT) == 0, "content type %s",
		  ct ? ct : "(none)");
	cr_assert(httpc_response_header(resp, "x-amzn-requestid"));
	json_decref(body);
}

json_t *fake_ids(const json_t *tasks)
{
	json_t *ids = json_array();
	size_t i;
	json_t *t;

	json_array_foreach (tasks, i, t)
		json_array_append(ids, json_object_get(t, "TaskId"));
	return ids;
}

/* The request body for one page of a walk. */
static char *page_body(int size, const char *filter, const char *token)
{
	json_t *o = json_object();
	char *text;

	if (size)
		json_object_set_new(o, "MaxResults", json_integer(size));
	if (filter)
		json_object_set_new(o, "TaskStatus", json_string(filter));
	if (token)
		json_object_set_new(o, "NextToken", json_string(token));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

json_t *fake_walk(struct fake_rig *r, const int *sizes, size_t nsizes,
		  const char *filter, size_t *pages)
{
	json_t *ids = json_array();
	char *token = NULL;
	size_t page = 0;

	for (;;) {
		int size = sizes[page < nsizes ? page : nsizes - 1];
		char *body = page_body(size, filter, token);
		long status;
		json_t *doc = fake_list(r, body, &status);
		json_t *list = json_object_get(doc, "BatchLoadTasks");
		const char *next =
		    json_string_value(json_object_get(doc, "NextToken"));
		size_t i;
		json_t *t;

		cr_assert_eq(status, 200, "page %zu of %s: %ld", page, body,
			     status);
		cr_assert(json_is_array(list));
		cr_assert_leq(json_array_size(list),
			      (size_t)(size ? size : 100));
		json_array_foreach (list, i, t)
			json_array_append(ids, json_object_get(t, "TaskId"));
		free(body);
		free(token);
		token = next && *next ? strdup(next) : NULL;
		json_decref(doc);
		page++;
		cr_assert_lt(page, WALK_PAGES_MAX, "the walk does not end");
		if (!token)
			break;
	}
	if (pages)
		*pages = page;
	return ids;
}
