/* blt-proxy record against blt-fake and misbehaving upstreams: recorded
 * walks lint and replay equal, re-signing, secrets, concurrency, failures,
 * discovery. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/canon.h"
#include "record_test.h"

static char dir[64];
static char cpath[128];

static void setup(void)
{
	rt_tmpdir(dir, sizeof(dir));
	snprintf(cpath, sizeof(cpath), "%s/rec.json", dir);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_REGION");
}

static void teardown(void)
{
	rt_rmdir(dir);
}

TestSuite(record, .init = setup, .fini = teardown, .timeout = 120);

/* The body text with NextToken set to tok. New string. */
static char *with_token(const char *base, const char *tok)
{
	json_t *b = json_loads(base, 0, NULL);
	char *s;

	cr_assert_not_null(b);
	if (tok)
		json_object_set_new(b, "NextToken", json_string(tok));
	s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return s;
}

/* Walks every page of base through url; returns the number of requests. */
static int walk(struct httpc *c, const char *url, const char *base)
{
	char *tok = NULL;
	int n = 0;

	do {
		struct httpc_response resp;
		struct blt_err err;
		char *body = with_token(base, tok);
		json_t *doc;

		cr_assert_eq(rt_list(c, url, body, NULL, 0, &resp, &err),
			     BLT_OK, "%s", err.msg);
		cr_assert_eq(resp.status, 200, "%s", resp.body.data);
		doc = rt_body_json(&resp);
		free(tok);
		tok = json_string_value(json_object_get(doc, "NextToken"))
			  ? strdup(json_string_value(
				json_object_get(doc, "NextToken")))
			  : NULL;
		json_decref(doc);
		httpc_response_free(&resp);
		free(body);
		n++;
	} while (tok && n < 100);
	cr_assert_null(tok, "the walk did not end");
	return n;
}

/* Body without NextToken, canonical. */
static char *canon_without_token(json_t *body)
{
	json_t *copy = json_deep_copy(body);
	char *s;

	json_object_del(copy, "NextToken");
	s = canon_text(copy);
	json_decref(copy);
	return s;
}

/* Sends every recorded request to url with live tokens threaded and
 * compares each answer with the recorded one. */
static void replay_equal(struct cassette *cas, const char *url)
{
	struct httpc *c = rt_client();
	size_t n = cassette_count(cas);
	char **live = calloc(n + 2, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		const struct cassette_interaction *it = cassette_at(cas, i);
		json_t *req = json_deep_copy(cassette_body_json(it->request));
		json_t *want = cassette_body_json(it->response);
		struct httpc_response resp;
		struct blt_err err;
		json_t *got;
		char *body;

		cr_assert(it->id >= 1 && (size_t)it->id <= n);
		if (it->token_from) {
			cr_assert_not_null(live[it->token_from]);
			json_object_set_new(req, "NextToken",
					    json_string(live[it->token_from]));
		}
		body = json_dumps(req, JSON_COMPACT);
		cr_assert_eq(rt_list(c, url, body, NULL, 0, &resp, &err),
			     BLT_OK, "%s", err.msg);
		cr_assert_eq(resp.status, it->status);
		got = rt_body_json(&resp);
		char *a = canon_without_token(want);
		char *b = canon_without_token(got);
		cr_assert_str_eq(b, a, "interaction %ld differs", it->id);
		cr_assert_eq(json_object_get(got, "NextToken") != NULL,
			     json_object_get(want, "NextToken") != NULL);
		if (json_string_value(json_object_get(got, "NextToken")))
			live[it->id] = strdup(json_string_value(
			    json_object_get(got, "NextToken")));
		free(a);
		free(b);
		free(body);
		json_decref(got);
		json_decref(req);
		httpc_response_free(&resp);
	}
	for (size_t i = 0; i < n + 2; i++)
		free(live[i]);
	free(live);
	httpc_free(c);
}

Test(record, walk_lints_and_replays_equal)
{
	const char *fake_args[] = {"--generate", "40", "--seed", "7", NULL};
	const char *walks[] = {
	    "{\"MaxResults\":7}",
	    "{\"MaxResults\":3,\"TaskStatus\":\"SUCCEEDED\"}", "{}",
	    "{\"MaxResults\":100}"};
	struct test_proc fake, proxy, fake2;
	struct httpc *c = rt_client();
	int sent = 0;

	rt_start_fake(&fake, fake_args);
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	for (size_t i = 0; i < 4; i++)
		sent += walk(c, proxy.url, walks[i]);
	cr_assert_gt(sent, 8, "the walks have several pages");
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	cr_assert_eq(access(cpath, F_OK), 0);

	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), (size_t)sent);
	for (size_t i = 0; i < cassette_count(cas); i++) {
		const struct cassette_interaction *it = cassette_at(cas, i);
		bool has_token =
		    json_object_get(cassette_body_json(it->request),
				    "NextToken") != NULL;

		cr_assert_eq(it->id, (long)i + 1);
		cr_assert_eq(it->token_from, has_token ? it->id - 1 : 0,
			     "interaction %ld: token_from %ld", it->id,
			     it->token_from);
	}
	const char *fake2_args[] = {"--from-cassette", cpath, NULL};
	rt_start_fake(&fake2, fake2_args);
	replay_equal(cas, fake2.url);
	test_proc_stop(&fake2, SIGTERM);
	cassette_free(cas);
	httpc_free(c);
	char journal[160];
	snprintf(journal, sizeof(journal), "%s.journal", cpath);
	cr_assert_eq(access(journal, F_OK), -1, "the journal is removed");
}

/* Sends one list request with extra headers; returns the status. */
static long list_status(const char *url, const char *const *h, size_t n,
			char *type, size_t typesz)
{
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;
	long status;

	cr_assert_eq(rt_list(c, url, "{\"MaxResults\":2}", h, n, &resp, &err),
		     BLT_OK, "%s", err.msg);
	status = resp.status;
	if (type) {
		const char *t =
		    httpc_response_header(&resp, "x-amzn-errortype");
		snprintf(type, typesz, "%s", t ? t : "");
	}
	httpc_response_free(&resp);
	httpc_free(c);
	return status;
}

#define WRONG_AUTH                                                             \
	"Authorization: AWS4-HMAC-SHA256 Credential=" RT_AKID                  \
	"/20150830/us-east-1/timestream/aws4_request, "                        \
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, "            \
	"Signature="                                                           \
	"0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de"

Test(record, resigned_requests_pass_verify_sigv4)
{
	const char *fake_args[] = {"--generate", "10", "--verify-sigv4",
				   RT_AKID ":" RT_SECRET, NULL};
	const char *wrong[] = {WRONG_AUTH, "X-Amz-Date: 20150830T123600Z"};
	const char *no_resign[] = {"--no-resign", NULL};
	struct test_proc fake, proxy, plain;
	char type[128];

	setenv("AWS_ACCESS_KEY_ID", RT_AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", RT_SECRET, 1);
	setenv("AWS_SESSION_TOKEN", RT_SESSION, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	rt_start_fake(&fake, fake_args);
	/* The upstream really checks: unsigned and wrongly signed requests
	 * sent as they are fail there. */
	rt_start_proxy(&plain, fake.url, cpath, no_resign);
	cr_assert_geq(list_status(plain.url, NULL, 0, type, sizeof(type)), 400);
	cr_assert_geq(list_status(plain.url, wrong, 2, type, sizeof(type)),
		      400);
	cr_assert(strstr(type, "Signature") || strstr(type, "Token"), "%s",
		  type);
	rt_stop_proxy(&plain);
	/* Re-signed by the proxy, both are accepted. */
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	cr_assert_eq(list_status(proxy.url, NULL, 0, NULL, 0), 200);
	cr_assert_eq(list_status(proxy.url, wrong, 2, NULL, 0), 200);
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), 2);
	cassette_free(cas);
}

/* Fails the test when needle occurs in the n bytes at hay. */
static void assert_absent(const char *what, const char *hay, size_t n,
			  const char *needle)
{
	size_t len = strlen(needle);

	cr_assert_gt(len, 8, "a meaningful needle");
	for (size_t i = 0; i + len <= n; i++)
		cr_assert(memcmp(hay + i, needle, len) != 0,
			  "%s contains '%s' at byte %zu", what, needle, i);
}

Test(record, no_credential_or_signature_reaches_the_cassette)
{
	const char *sig1 = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
			   "c0ffee00c0ffee00";
	char auth[512];
	/* The cookie's name is in mixed case: redaction compares names in
	 * any letter case. */
	const char *cookie = "blt-cookie-value-7f3a9c2e51d04b68";
	const char *h[5] = {auth, "X-Amz-Security-Token: " RT_SESSION,
			    "X-Client-Debug: key=" RT_SECRET,
			    "X-Amz-Date: 20150830T123600Z",
			    "CoOkIe: session="
			    "blt-cookie-value-7f3a9c2e51d04b68"};
	const char *escaped = "wJalrXUtnFEMI\\/K7MDENG+bPxRfiCYEXAMPLEKEY";
	struct rt_raw raw;
	struct test_proc proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;
	char up[64], journal[160];

	snprintf(auth, sizeof(auth),
		 "Authorization: AWS4-HMAC-SHA256 Credential=" RT_AKID
		 "/20150830/us-east-1/timestream/aws4_request, "
		 "SignedHeaders=host;x-amz-date, Signature=%s",
		 sig1);
	setenv("AWS_ACCESS_KEY_ID", RT_AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", RT_SECRET, 1);
	setenv("AWS_SESSION_TOKEN", RT_SESSION, 1);
	rt_raw_start(&raw, RT_RAW_ECHO_AUTH);
	snprintf(up, sizeof(up), "http://127.0.0.1:%u", raw.port);
	rt_start_proxy(&proxy, up, cpath, NULL);
	for (int i = 0; i < 3; i++) {
		char body[256];

		snprintf(body, sizeof(body),
			 "{\"MaxResults\":%d,\"Note\":\"%s\",\"N2\":\"%s\"}",
			 i + 1, i == 1 ? escaped : RT_SECRET, RT_SESSION);
		cr_assert_eq(rt_list(c, proxy.url, body, h, 5, &resp, &err),
			     BLT_OK, "%s", err.msg);
		cr_assert_eq(resp.status, 200);
		/* The client itself gets the upstream's answer unchanged. */
		cr_assert_not_null(strstr(resp.body.data, "Signature="));
		httpc_response_free(&resp);
	}
	snprintf(journal, sizeof(journal), "%s.journal", cpath);
	size_t jlen, llen, clen;
	char *jtext = test_slurp(journal, &jlen);
	char *log = test_slurp(proxy.log_path, &llen);
	cr_assert_not_null(jtext);
	cr_assert_not_null(log);
	rt_stop_proxy(&proxy);
	rt_raw_stop(&raw);
	char *ctext = test_slurp(cpath, &clen);
	cr_assert_not_null(ctext);
	cr_assert_eq(raw.nauth, 3);
	const char *what[] = {"cassette", "journal", "log"};
	const char *text[] = {ctext, jtext, log};
	size_t len[] = {clen, jlen, llen};
	for (int k = 0; k < 3; k++) {
		assert_absent(what[k], text[k], len[k], RT_SECRET);
		assert_absent(what[k], text[k], len[k], escaped);
		assert_absent(what[k], text[k], len[k], RT_SESSION);
		assert_absent(what[k], text[k], len[k], sig1);
		assert_absent(what[k], text[k], len[k], cookie);
		for (size_t i = 0; i < raw.nauth; i++) {
			const char *s = strstr(raw.auth[i], "Signature=");
			cr_assert_not_null(s, "the proxy signed: %s",
					   raw.auth[i]);
			assert_absent(what[k], text[k], len[k], s + 10);
		}
	}
	/* The credential headers stay, redacted, so readers see them. */
	struct cassette *cas = rt_load_checked(cpath);
	json_t *hdrs = json_object_get(cassette_at(cas, 0)->request, "headers");
	cr_assert_str_eq(
	    json_string_value(json_object_get(hdrs, "authorization")),
	    "REDACTED");
	cr_assert_str_eq(
	    json_string_value(json_object_get(hdrs, "x-amz-security-token")),
	    "REDACTED");
	cr_assert_str_eq(json_string_value(json_object_get(hdrs, "cookie")),
			 "REDACTED", "the mixed-case Cookie is kept, redacted");
	cr_assert_str_eq(json_string_value(json_object_get(hdrs, "x-amz-date")),
			 "20150830T123600Z", "dates are not secret");
	cassette_free(cas);
	free(ctext);
	free(jtext);
	free(log);
	httpc_free(c);
}

Test(record, redact_rules_from_the_command_line)
{
	const char *fake_args[] = {"--generate", "10", NULL};
	const char *args[] = {"--redact",
			      "json:/BatchLoadTasks/*/DatabaseName",
			      "--redact=header:X-Tenant",
			      "--redact",
			      "json:/MaxResults",
			      NULL};
	const char *h[] = {"X-Tenant: acme-corp"};
	struct test_proc fake, proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;

	rt_start_fake(&fake, fake_args);
	rt_start_proxy(&proxy, fake.url, cpath, args);
	cr_assert_eq(
	    rt_list(c, proxy.url, "{\"MaxResults\":3}", h, 1, &resp, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 200);
	cr_assert_null(strstr(resp.body.data, "REDACTED"),
		       "the client's answer is not redacted");
	httpc_response_free(&resp);
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	const struct cassette_interaction *it = cassette_at(cas, 0);
	json_t *tasks =
	    json_object_get(cassette_body_json(it->response), "BatchLoadTasks");
	cr_assert_eq(json_array_size(tasks), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *t = json_array_get(tasks, i);
		cr_assert_str_eq(
		    json_string_value(json_object_get(t, "DatabaseName")),
		    "REDACTED");
		cr_assert_neq(
		    strcmp(json_string_value(json_object_get(t, "TaskId")),
			   "REDACTED"),
		    0);
	}
	cr_assert_str_eq(json_string_value(json_object_get(
			     cassette_body_json(it->request), "MaxResults")),
			 "REDACTED");
	cr_assert_str_eq(
	    json_string_value(json_object_get(
		json_object_get(it->request, "headers"), "x-tenant")),
	    "REDACTED");
	cassette_free(cas);
	httpc_free(c);
}

/* ---- 32 parallel clients x 50 requests ---- */

#define CLIENTS 32
#define PER_CLIENT 50

static const char *const statuses[] = {"CREATED",	   "IN_PROGRESS",
				       "FAILED",	   "SUCCEEDED",
				       "PROGRESS_STOPPED", "PENDING_RESUME"};

struct client_job {
	const char *url;
	int client;
	char *seen[PER_CLIENT]; /* canonical response bodies */
	int failures;
};

static int max_results_of(int client, int n)
{
	return (client * PER_CLIENT + n) % 100 + 1;
}

static void *client_main(void *arg)
{
	struct client_job *job = arg;
	struct httpc_opts o = {.timeout_ms = 60000};
	struct httpc *c = NULL;

	if (httpc_new(&o, &c, NULL))
		return NULL;
	for (int n = 0; n < PER_CLIENT; n++) {
		char body[128], marker[64];
		const char *h[] = {marker};
		struct httpc_response resp;
		json_t *doc;

		snprintf(marker, sizeof(marker), "X-Blt-Marker: %d-%d",
			 job->client, n);
		snprintf(body, sizeof(body),
			 "{\"MaxResults\":%d,\"TaskStatus\":\"%s\"}",
			 max_results_of(job->client, n),
			 statuses[(job->client + n) % 6]);
		if (rt_list(c, job->url, body, h, 1, &resp, NULL) ||
		    resp.status != 200) {
			job->failures++;
			continue;
		}
		doc = rt_body_json(&resp);
		job->seen[n] = doc ? canon_text(doc) : NULL;
		json_decref(doc);
		httpc_response_free(&resp);
	}
	httpc_free(c);
	return NULL;
}

Test(record, parallel_clients_are_all_recorded_unmixed, .timeout = 300)
{
	const char *fake_args[] = {"--generate", "300", "--threads", "4", NULL};
	static struct client_job jobs[CLIENTS];
	pthread_t threads[CLIENTS];
	struct test_proc fake, proxy;
	static bool id_seen[CLIENTS * PER_CLIENT + 1];
	static bool marker_seen[CLIENTS][PER_CLIENT];

	rt_start_fake(&fake, fake_args);
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	httpc_global_init();
	for (int i = 0; i < CLIENTS; i++) {
		jobs[i] = (struct client_job){.url = proxy.url, .client = i};
		cr_assert_eq(
		    pthread_create(&threads[i], NULL, client_main, &jobs[i]),
		    0);
	}
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(threads[i], NULL);
		cr_assert_eq(jobs[i].failures, 0, "client %d", i);
	}
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), CLIENTS * PER_CLIENT);
	for (size_t i = 0; i < cassette_count(cas); i++) {
		const struct cassette_interaction *it = cassette_at(cas, i);
		const char *m = json_string_value(json_object_get(
		    json_object_get(it->request, "headers"), "x-blt-marker"));
		json_t *req = cassette_body_json(it->request);
		int cl = -1, n = -1;

		cr_assert(it->id >= 1 && it->id <= CLIENTS * PER_CLIENT);
		cr_assert_not(id_seen[it->id], "id %ld twice", it->id);
		id_seen[it->id] = true;
		cr_assert(m && sscanf(m, "%d-%d", &cl, &n) == 2, "marker");
		cr_assert(cl >= 0 && cl < CLIENTS && n >= 0 && n < PER_CLIENT);
		cr_assert_not(marker_seen[cl][n], "marker %s twice", m);
		marker_seen[cl][n] = true;
		cr_assert_eq(
		    json_integer_value(json_object_get(req, "MaxResults")),
		    max_results_of(cl, n));
		cr_assert_str_eq(
		    json_string_value(json_object_get(req, "TaskStatus")),
		    statuses[(cl + n) % 6]);
		char *got = canon_text(cassette_body_json(it->response));
		cr_assert_not_null(jobs[cl].seen[n]);
		cr_assert_str_eq(got, jobs[cl].seen[n],
				 "marker %s: recorded response is not the one "
				 "the client got",
				 m);
		free(got);
	}
	for (int i = 0; i < CLIENTS; i++)
		for (int n = 0; n < PER_CLIENT; n++)
			free(jobs[i].seen[n]);
	cassette_free(cas);
}

/* ---- upstream failures ---- */

/* Sends a request through url and checks the clear error. */
static void expect_upstream_error(const char *url, long status,
				  const char *cause, const char *upstream)
{
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;
	json_t *doc;
	const char *msg;

	cr_assert_eq(
	    rt_list(c, url, "{\"MaxResults\":5}", NULL, 0, &resp, &err), BLT_OK,
	    "%s", err.msg);
	cr_assert_eq(resp.status, status, "%s", resp.body.data);
	cr_assert_str_eq(httpc_response_header(&resp, "x-amzn-errortype"),
			 "UpstreamError");
	doc = rt_body_json(&resp);
	msg = json_string_value(json_object_get(doc, "message"));
	cr_assert_not_null(msg, "%s", resp.body.data);
	cr_assert_not_null(strstr(msg, cause), "'%s' lacks '%s'", msg, cause);
	cr_assert_not_null(strstr(msg, upstream), "'%s' lacks '%s'", msg,
			   upstream);
	json_decref(doc);
	httpc_response_free(&resp);
	httpc_free(c);
}

/* The proxy recorded nothing. */
static void expect_nothing_recorded(void)
{
	struct cassette *cas = rt_load_checked(cpath);

	cr_assert_eq(cassette_count(cas), 0);
	cassette_free(cas);
}

Test(record, refused_upstream_is_a_clear_502)
{
	struct test_proc proxy;
	char up[64];

	snprintf(up, sizeof(up), "http://127.0.0.1:%u", rt_closed_port());
	rt_start_proxy(&proxy, up, cpath, NULL);
	expect_upstream_error(proxy.url, 502, "refused", up);
	rt_stop_proxy(&proxy);
	expect_nothing_recorded();
}

Test(record, silent_upstream_is_a_clear_504)
{
	const char *args[] = {"--timeout", "800", NULL};
	struct test_proc proxy;
	struct rt_raw raw;
	char up[64];

	rt_raw_start(&raw, RT_RAW_SILENT);
	snprintf(up, sizeof(up), "http://127.0.0.1:%u", raw.port);
	rt_start_proxy(&proxy, up, cpath, args);
	expect_upstream_error(proxy.url, 504, "timed out", up);
	rt_stop_proxy(&proxy);
	rt_raw_stop(&raw);
	expect_nothing_recorded();
}

Test(record, reset_mid_body_is_a_clear_502)
{
	struct test_proc proxy;
	struct rt_raw raw;
	char up[64];

	rt_raw_start(&raw, RT_RAW_HALF);
	snprintf(up, sizeof(up), "http://127.0.0.1:%u", raw.port);
	rt_start_proxy(&proxy, up, cpath, NULL);
	expect_upstream_error(proxy.url, 502, "response body", up);
	rt_stop_proxy(&proxy);
	rt_raw_stop(&raw);
	expect_nothing_recorded();
}

Test(record, failed_discovery_is_a_clear_502)
{
	struct test_proc proxy;
	char disc[64];
	char url_arg[80];
	const char *args[] = {"--discovery-url", url_arg, NULL};

	snprintf(disc, sizeof(disc), "http://127.0.0.1:%u", rt_closed_port());
	snprintf(url_arg, sizeof(url_arg), "%s", disc);
	rt_start_proxy(&proxy, "aws:us-east-1", cpath, args);
	expect_upstream_error(proxy.url, 502, "endpoint discovery", disc);
	rt_stop_proxy(&proxy);
	expect_nothing_recorded();
}

Test(record, discovery_and_the_clients_own_describe_endpoints)
{
	const char *fake_args[] = {"--generate", "10", NULL};
	struct test_proc fake, proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;
	const char *h[] = {
	    "Content-Type: application/x-amz-json-1.0",
	    "X-Amz-Target: Timestream_20181101.DescribeEndpoints"};
	char want[64];

	rt_start_fake(&fake, fake_args);
	const char *args[] = {"--discovery-url", fake.url, NULL};
	rt_start_proxy(&proxy, "aws:eu-west-1", cpath, args);
	cr_assert_eq(
	    rt_list(c, proxy.url, "{\"MaxResults\":4}", NULL, 0, &resp, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	httpc_response_free(&resp);
	cr_assert_eq(
	    httpc_send(c, "POST", proxy.url, h, 2, "{}", 2, &resp, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 200);
	json_t *doc = rt_body_json(&resp);
	/* Its own address, never the upstream's, with its scheme. */
	snprintf(want, sizeof(want), "http://127.0.0.1:%u", proxy.port);
	cr_assert_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "Endpoints"), 0),
		"Address")),
	    want);
	json_decref(doc);
	httpc_response_free(&resp);
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), 1,
		     "the client's DescribeEndpoints is not recorded");
	cr_assert_str_eq(cassette_at(cas, 0)->operation, "ListBatchLoadTasks");
	cr_assert_str_eq(
	    json_string_value(json_object_get(cassette_meta(cas), "upstream")),
	    "aws:eu-west-1");
	cassette_free(cas);
	httpc_free(c);
}

/* The number of tasks in the answer to {"MaxResults":100} through url. */
static size_t tasks_through(struct httpc *c, const char *url)
{
	struct httpc_response resp;
	struct blt_err err;
	json_t *doc;
	size_t n;

	cr_assert_eq(rt_list(c, url, "{\"MaxResults\":100}", NULL, 0, &resp,
			     &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	doc = rt_body_json(&resp);
	n = json_array_size(json_object_get(doc, "BatchLoadTasks"));
	json_decref(doc);
	httpc_response_free(&resp);
	return n;
}

/* aws:REGION goes where the discovery answer points: an Address with a
 * scheme as written, a bare host:port with the discovery URL's scheme. The
 * discovery server (3 tasks) advertises the data server (10 tasks), so the
 * count of tasks shows which one answered. */
Test(record, discovery_follows_the_address_with_or_without_scheme)
{
	const char *data_args[] = {"--generate", "10", NULL};
	static const char *const schemes[] = {"http://", "https://"};
	struct test_proc data, disc, proxy;
	struct httpc *c = rt_client();
	char advertise[64];

	rt_start_fake(&data, data_args);
	for (size_t i = 0; i < 2; i++) {
		const char *disc_args[] = {"--generate", "3", "--advertise",
					   advertise, NULL};

		snprintf(advertise, sizeof(advertise), "%s127.0.0.1:%u",
			 schemes[i], data.port);
		rt_start_fake(&disc, disc_args);
		const char *args[] = {"--discovery-url", disc.url, NULL};

		rt_start_proxy(&proxy, "aws:eu-west-1", cpath, args);
		cr_expect_eq(tasks_through(c, proxy.url), 10,
			     "the discovered endpoint for %s answers",
			     advertise);
		rt_stop_proxy(&proxy);
		test_proc_stop(&disc, SIGTERM);
	}
	test_proc_stop(&data, SIGTERM);
	httpc_free(c);
}

Test(record, advertise_sets_the_address_it_answers)
{
	const char *args[] = {"--advertise", "https://rec.example.com:8443",
			      NULL};
	const char *h[] = {
	    "Content-Type: application/x-amz-json-1.0",
	    "X-Amz-Target: Timestream_20181101.DescribeEndpoints"};
	struct test_proc proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;

	rt_start_proxy(&proxy, "http://127.0.0.1:1", cpath, args);
	cr_assert_eq(
	    httpc_send(c, "POST", proxy.url, h, 2, "{}", 2, &resp, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 200);
	cr_expect(strstr(resp.body.data,
			 "\"Address\":\"rec.example.com:8443\"") != NULL,
		  "%s", resp.body.data);
	httpc_response_free(&resp);
	rt_stop_proxy(&proxy);
	httpc_free(c);
}

/* ---- an answer the cassette refuses ---- */

/* An upstream that answers every request with status 999, which libcurl
 * passes on but a cassette refuses (100..599). */
struct odd_upstream {
	int fd;
	unsigned short port;
	pthread_t thread;
};

static void *odd_main(void *arg)
{
	static const char answer[] =
	    "HTTP/1.1 999 Odd\r\nContent-Type: application/x-amz-json-1.0"
	    "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
	struct odd_upstream *u = arg;
	int fd;

	while ((fd = accept(u->fd, NULL, NULL)) >= 0) {
		char buf[8192];
		size_t got = 0;
		ssize_t n;

		/* The request is small: headers and a short body. */
		while (got < sizeof(buf) - 1 &&
		       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
			const char *end;

			got += (size_t)n;
			buf[got] = '\0';
			end = strstr(buf, "\r\n\r\n");
			if (end && strchr(end, '}'))
				break;
		}
		if (write(fd, answer, sizeof(answer) - 1) < 0)
			perror("odd upstream: write");
		close(fd);
	}
	return NULL;
}

static void odd_start(struct odd_upstream *u)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	u->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(u->fd >= 0 &&
		  bind(u->fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  getsockname(u->fd, (struct sockaddr *)&a, &len) == 0 &&
		  listen(u->fd, 16) == 0);
	u->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&u->thread, NULL, odd_main, u), 0);
}

static void odd_stop(struct odd_upstream *u)
{
	shutdown(u->fd, SHUT_RDWR);
	pthread_join(u->thread, NULL);
	close(u->fd);
}

/* The number of lines in a file. */
static size_t count_lines(const char *path)
{
	char *text = test_slurp(path, NULL);
	size_t n = 0;

	cr_assert_not_null(text, "cannot read %s", path);
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

Test(record, refused_interaction_never_reaches_the_journal)
{
	struct odd_upstream odd;
	struct test_proc proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;
	char up[64];
	char jpath[160];
	json_t *doc;
	const char *msg;

	odd_start(&odd);
	snprintf(up, sizeof(up), "http://127.0.0.1:%u", odd.port);
	snprintf(jpath, sizeof(jpath), "%s.journal", cpath);
	rt_start_proxy(&proxy, up, cpath, NULL);
	cr_assert_eq(
	    rt_list(c, proxy.url, "{\"MaxResults\":5}", NULL, 0, &resp, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(resp.status, 500, "%s", resp.body.data);
	doc = rt_body_json(&resp);
	msg = json_string_value(json_object_get(doc, "message"));
	cr_assert(msg && strstr(msg, "could not record"), "%s",
		  resp.body.data);
	json_decref(doc);
	httpc_response_free(&resp);
	/* Withheld from the client, so not journaled either: only the
	 * journal's header line, nothing that recovery would bring back. */
	cr_assert_eq(count_lines(jpath), 1,
		     "the refused interaction is in the journal");
	rt_stop_proxy(&proxy);
	odd_stop(&odd);
	expect_nothing_recorded();
	httpc_free(c);
}

/* Runs blt-proxy record with args and returns its exit code and output. */
static int run_proxy(const char *const *args, char **out)
{
	char bin[1024];
	char *argv[16] = {bin, "record"};
	size_t n = 2;

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-proxy"));
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	return test_run(argv, out, 10000);
}

Test(record, usage_errors_exit_2_and_name_the_flag)
{
	const char *missing[] = {"--cassette", "x.json", NULL};
	const char *bad_rule[] = {"--upstream", "http://127.0.0.1:1",
				  "--cassette", "x.json",
				  "--redact",	"body:/x",
				  NULL};
	const char *bad_url[] = {"--upstream", "ftp://h", "--cassette",
				 "x.json", NULL};
	const char *bad_timeout[] = {"--upstream", "http://127.0.0.1:1",
				     "--cassette", "x.json",
				     "--timeout",  "0",
				     NULL};
	const char *bad_advertise[] = {"--upstream", "http://127.0.0.1:1",
				       "--cassette", "x.json",
				       "--advertise", "127.0.0.1:8080",
				       NULL};
	const char *help[] = {"--help", NULL};
	char *out = NULL;

	cr_assert_eq(run_proxy(missing, &out), 2);
	cr_assert_not_null(strstr(out, "--upstream"), "%s", out);
	free(out);
	cr_assert_eq(run_proxy(bad_rule, &out), 2);
	cr_assert_not_null(strstr(out, "header:NAME"), "%s", out);
	free(out);
	cr_assert_eq(run_proxy(bad_url, &out), 2);
	cr_assert_not_null(strstr(out, "ftp://h"), "%s", out);
	free(out);
	cr_assert_eq(run_proxy(bad_timeout, &out), 2);
	cr_assert_not_null(strstr(out, "--timeout"), "%s", out);
	free(out);
	cr_assert_eq(run_proxy(bad_advertise, &out), 2);
	cr_assert_not_null(strstr(out, "--advertise"), "%s", out);
	cr_assert_not_null(strstr(out, "http:// or https://"), "%s", out);
	free(out);
	cr_assert_eq(run_proxy(help, &out), 0);
	cr_assert_not_null(strstr(out, "--discovery-url"), "%s", out);
	cr_assert_not_null(strstr(out, "--advertise"), "%s", out);
	free(out);
}

Test(record, listen_address_in_use_exits_2)
{
	struct odd_upstream busy;
	char listen_at[64];
	const char *args[] = {"--upstream", "http://127.0.0.1:1", "--cassette",
			      cpath,	    "--listen",		  listen_at,
			      NULL};
	char *out = NULL;

	odd_start(&busy);
	snprintf(listen_at, sizeof(listen_at), "127.0.0.1:%u", busy.port);
	cr_expect_eq(run_proxy(args, &out), 2, "%s", out);
	cr_expect_not_null(strstr(out, listen_at), "%s", out);
	free(out);
	odd_stop(&busy);
}
