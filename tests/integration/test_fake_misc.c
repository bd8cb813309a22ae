/* blt-fake over real HTTP and as a command: DescribeEndpoints, SigV4
 * verification (signed by libblt and by curl), request ids, headers, exit
 * statuses for bad data and bad flags, clean shutdown on signals. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/sigv4.h"
#include "fake_rig.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define CURL_BIN "/usr/bin/curl"

static struct fake_rig rig;

Test(fake_misc, describe_endpoints_answers_its_own_address, .timeout = 30)
{
	struct httpc_response resp;
	char want[64];
	json_t *doc;
	json_t *ep;

	fake_rig_start(&rig, NULL);
	fake_send(&rig, "POST", "/", FAKE_TARGET_DE, FAKE_CT, "{}", 2, &resp);
	cr_assert_eq(resp.status, 200);
	doc = json_loads(resp.body.data, 0, NULL);
	ep = json_array_get(json_object_get(doc, "Endpoints"), 0);
	/* With its scheme: botocore prefixes "https://" to an Address that
	 * does not start with "http". */
	snprintf(want, sizeof(want), "http://127.0.0.1:%u", rig.proc.port);
	cr_assert_str_eq(json_string_value(json_object_get(ep, "Address")),
			 want);
	cr_assert_eq(
	    json_integer_value(json_object_get(ep, "CachePeriodInMinutes")),
	    1440);
	cr_assert_eq(json_array_size(json_object_get(doc, "Endpoints")), 1);
	cr_assert_str_eq(httpc_response_header(&resp, "content-type"), FAKE_CT);
	json_decref(doc);
	httpc_response_free(&resp);
	fake_send(&rig, "POST", "/", FAKE_TARGET_DE, FAKE_CT, "{", 1, &resp);
	fake_assert_error(&resp, "SerializationException", 400, NULL);
	httpc_response_free(&resp);
	fake_rig_stop(&rig);
}

/* The Address of a DescribeEndpoints answer from a blt-fake started with
 * --advertise url. */
static void expect_advertised(const char *url, const char *want)
{
	const char *args[] = {"--advertise", url, NULL};
	struct httpc_response resp;
	json_t *doc;

	fake_rig_start(&rig, args);
	fake_send(&rig, "POST", "/", FAKE_TARGET_DE, FAKE_CT, "{}", 2, &resp);
	cr_assert_eq(resp.status, 200);
	doc = json_loads(resp.body.data, 0, NULL);
	cr_expect_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "Endpoints"), 0),
		"Address")),
	    want, "--advertise %s", url);
	json_decref(doc);
	httpc_response_free(&resp);
	fake_rig_stop(&rig);
}

/* The JS SDK v3 puts the Address in place of its endpoint's host name and
 * keeps that endpoint's scheme and port: it gets the host alone. */
Test(fake_misc, describe_endpoints_gives_the_js_sdk_the_host, .timeout = 30)
{
	const char *h[] = {
	    "Content-Type: " FAKE_CT, "X-Amz-Target: " FAKE_TARGET_DE,
	    "User-Agent: aws-sdk-js/3.943.0 ua/2.1 os/linux lang/js "
	    "md/nodejs#20.20.2 api/timestream-write#3.943.0"};
	struct httpc_response resp;
	struct blt_err err;

	fake_rig_start(&rig, NULL);
	cr_assert_eq(httpc_send(rig.http, "POST", rig.proc.url, h, 3, "{}", 2,
				&resp, &err),
		     BLT_OK, "%s", err.msg);
	cr_expect_eq(resp.status, 200);
	cr_expect(strstr(resp.body.data, "\"Address\":\"127.0.0.1\"") != NULL,
		  "%s", resp.body.data);
	httpc_response_free(&resp);
	fake_rig_stop(&rig);
}

Test(fake_misc, advertise_sets_the_address, .timeout = 30)
{
	expect_advertised("http://10.1.2.3:9000", "http://10.1.2.3:9000");
	expect_advertised("http://blt-fake:8080/", "http://blt-fake:8080");
	expect_advertised("https://blt.example.com", "blt.example.com");
	expect_advertised("https://blt.example.com:8443",
			  "blt.example.com:8443");
}

Test(fake_misc, request_ids_are_unique_and_reproducible, .timeout = 30)
{
	char ids[2][50][40];

	for (int run = 0; run < 2; run++) {
		fake_rig_start(&rig, NULL);
		for (int i = 0; i < 50; i++) {
			struct httpc_response resp;
			const char *id;

			/* Errors carry one as well as pages. */
			fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT,
				  i % 2 ? "{}" : "{\"MaxResults\":0}",
				  i % 2 ? 2 : 16, &resp);
			id = httpc_response_header(&resp, "x-amzn-requestid");
			cr_assert(id, "answer %d has no x-amzn-RequestId", i);
			cr_assert_eq(strlen(id), 36, "%s", id);
			snprintf(ids[run][i], sizeof(ids[run][i]), "%s", id);
			for (int k = 0; k < i; k++)
				cr_assert_str_neq(ids[run][k], id);
			httpc_response_free(&resp);
		}
		fake_rig_stop(&rig);
	}
	for (int i = 0; i < 50; i++)
		cr_assert_str_eq(ids[0][i], ids[1][i]);
}

/* ---- SigV4 ----------------------------------------------------------- */

static void start_verifying(void)
{
	static const char *const a[] = {"--verify-sigv4", AKID ":" SECRET,
					NULL};

	fake_rig_start(&rig, a);
}

static void stop(void)
{
	fake_rig_stop(&rig);
}

TestSuite(fake_sigv4, .init = start_verifying, .fini = stop, .timeout = 30);

/* Sends body signed with secret (NULL: unsigned); extra is one more raw
 * header or NULL; tamper changes the body after signing. */
static void send_signed(const char *akid, const char *secret, const char *body,
			bool tamper, struct httpc_response *resp)
{
	char host[64];
	char authz[512];
	char url[96];
	char lines[5][600];
	const char *hs[5];
	size_t n = 0;
	struct sigv4_header sh[] = {
	    {"Host", host},
	    {"X-Amz-Date", "20260101T120000Z"},
	    {"Content-Type", FAKE_CT},
	    {"X-Amz-Target", FAKE_TARGET_LBT},
	};
	struct sigv4_request r = {"POST", "/", NULL, sh, 4, body, strlen(body)};
	struct sigv4_creds creds = {akid, secret, NULL};
	struct blt_err err;

	snprintf(host, sizeof(host), "127.0.0.1:%u", rig.proc.port);
	snprintf(url, sizeof(url), "%s/", rig.proc.url);
	for (size_t i = 0; i < 4; i++) {
		snprintf(lines[n], sizeof(lines[n]), "%s: %s", sh[i].name,
			 sh[i].value);
		hs[n] = lines[n];
		n++;
	}
	if (secret) {
		cr_assert_eq(sigv4_sign(&r, &creds, "us-east-1", "timestream",
					"20260101T120000Z", authz,
					sizeof(authz), &err),
			     BLT_OK, "%s", err.msg);
		snprintf(lines[n], sizeof(lines[n]), "Authorization: %s",
			 authz);
		hs[n] = lines[n];
		n++;
	}
	if (tamper)
		body = "{\"MaxResults\":3}";
	cr_assert_eq(httpc_send(rig.http, "POST", url, hs, n, body,
				strlen(body), resp, &err),
		     BLT_OK, "%s", err.msg);
}

Test(fake_sigv4, a_correct_signature_is_accepted)
{
	struct httpc_response resp;

	send_signed(AKID, SECRET, "{\"MaxResults\":2}", false, &resp);
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	httpc_response_free(&resp);
}

Test(fake_sigv4, unsigned_wrong_and_malformed_are_rejected)
{
	const char *missing[] = {"Authorization", NULL};
	struct httpc_response resp;
	struct httpc_response bad;
	const char *hs[] = {"X-Amz-Target: " FAKE_TARGET_LBT,
			    "Content-Type: " FAKE_CT,
			    "X-Amz-Date: 20260101T120000Z",
			    "Authorization: AWS4-HMAC-SHA256 Credential=x"};
	char url[96];

	send_signed(AKID, NULL, "{}", false, &resp);
	fake_assert_error(&resp, "MissingAuthenticationTokenException", 403,
			  missing);
	httpc_response_free(&resp);
	send_signed(AKID, "wrongsecret", "{}", false, &resp);
	fake_assert_error(&resp, "InvalidSignatureException", 403, NULL);
	httpc_response_free(&resp);
	send_signed("AKIAIOSFODNN7EXAMPLE", SECRET, "{}", false, &resp);
	fake_assert_error(&resp, "InvalidSignatureException", 403, NULL);
	httpc_response_free(&resp);
	send_signed(AKID, SECRET, "{}", true, &resp);
	fake_assert_error(&resp, "InvalidSignatureException", 403, NULL);
	httpc_response_free(&resp);
	snprintf(url, sizeof(url), "%s/", rig.proc.url);
	cr_assert_eq(
	    httpc_send(rig.http, "POST", url, hs, 4, "{}", 2, &bad, NULL),
	    BLT_OK);
	fake_assert_error(&bad, "IncompleteSignatureException", 403, NULL);
	httpc_response_free(&bad);
}

/* curl --aws-sigv4 signs on its own: an independent signer. It stamps
 * X-Amz-Date itself (given one with -H it would send the header twice, see
 * docs/sigv4.md). */
static int curl_signed(const char *user, char **out)
{
	char url[96];
	char *argv[] = {CURL_BIN,
			"-sS",
			"-w",
			"\n%{http_code}",
			"--aws-sigv4",
			"aws:amz:us-east-1:timestream",
			"--user",
			(char *)user,
			"-H",
			"Content-Type: " FAKE_CT,
			"-H",
			"X-Amz-Target: " FAKE_TARGET_LBT,
			"--data-binary",
			"{\"MaxResults\":3}",
			url,
			NULL};

	snprintf(url, sizeof(url), "%s/", rig.proc.url);
	return test_run(argv, out, 20000);
}

Test(fake_sigv4, curl_signed_requests)
{
	char *out = NULL;

	cr_assert_eq(curl_signed(AKID ":" SECRET, &out), 0);
	cr_assert(strstr(out, "\"BatchLoadTasks\"") && strstr(out, "\n200"),
		  "%s", out);
	free(out);
	cr_assert_eq(curl_signed(AKID ":notthesecret", &out), 0);
	cr_assert(strstr(out, "InvalidSignatureException") &&
		      strstr(out, "\n403"),
		  "%s", out);
	free(out);
}

/* ---- the command line ------------------------------------------------ */

static int run_fake(const char *const *args, char **out)
{
	char *argv[16];
	int n = 0;

	argv[n++] = strdup(test_bin("blt-fake"));
	for (; args[n - 1] && n < 15; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	n = test_run(argv, out, 20000);
	free(argv[0]);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

Test(fake_cli, bad_tasks_file_exits_2_naming_index_and_pointer, .timeout = 30)
{
	char path[] = "/tmp/blt-fake-bad.XXXXXX";
	int fd = mkstemp(path);
	const char *args[] = {"--tasks", path, "--listen", "127.0.0.1:0", NULL};
	char *out = NULL;

	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, "[{\"TaskId\":\"GOOD1\",\"TaskStatus\":\"CREATED\"},"
			 "{\"TaskId\":\"GOOD2\",\"TaskStatus\":\"FAILED\"},"
			 "{\"TaskId\":\"GOOD3\",\"TaskStatus\":\"FAILED\","
			 "\"LastUpdatedTime\":\"noon\"}]");
	cr_assert_eq(run_fake(args, &out), 2, "%s", out);
	cr_assert(strstr(out, "task 2") && strstr(out, "/2/LastUpdatedTime"),
		  "%s", out);
	free(out);
	write_file(path, "[{\"TaskId\":\"GOOD1\",\"TaskStatus\":\"CREATED\"}");
	cr_assert_eq(run_fake(args, &out), 2, "%s", out);
	cr_assert(strstr(out, path), "%s", out);
	free(out);
	unlink(path);
	cr_assert_eq(run_fake(args, &out), 2, "%s", out);
	cr_assert(strstr(out, path), "missing file: %s", out);
	free(out);
}

Test(fake_cli, usage_errors_exit_2, .timeout = 30)
{
	static const char *const cases[][4] = {
	    {"--bogus", NULL},
	    {"--defect", "no-such-defect", NULL},
	    {"--generate", "many", NULL},
	    {"--token-ttl", "forever", NULL},
	    {"--profile", "strict", NULL},
	    {"--inject", "throttle=7", NULL},
	    {"--verify-sigv4", "no-colon", NULL},
	    {"--tasks", "a.json", "--generate", "5"},
	    {"--listen", "not-an-address", NULL},
	    {"--advertise", "127.0.0.1:8080", NULL},
	    {"--advertise", "http://example.com/v1", NULL},
	    {"--advertise", NULL},
	};
	char *out = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[6] = {cases[i][0], cases[i][1], cases[i][2],
				       cases[i][3], NULL,	 NULL};

		cr_assert_eq(run_fake(args, &out), 2, "%s: %s", cases[i][0],
			     out);
		cr_assert(strlen(out) > 10, "%s: no message", cases[i][0]);
		free(out);
	}
	{
		const char *args[] = {"--advertise", "ftp://example.com",
				      NULL};

		cr_assert_eq(run_fake(args, &out), 2, "%s", out);
		cr_assert(strstr(out, "--advertise") &&
			      strstr(out, "http:// or https://"),
			  "the message names the option and the rule: %s",
			  out);
		free(out);
	}
	{
		const char *args[] = {"--defect", "no-such-defect", NULL};

		run_fake(args, &out);
		cr_assert(strstr(out, "page-overflow") &&
			      strstr(out, "no-request-id"),
			  "valid names listed: %s", out);
		free(out);
	}
}

Test(fake_cli, help_version_and_defect_list_exit_0, .timeout = 30)
{
	const char *help[] = {"--help", NULL};
	const char *version[] = {"--version", NULL};
	const char *list[] = {"--defect", "list", NULL};
	char *out = NULL;

	cr_assert_eq(run_fake(help, &out), 0);
	cr_assert(strstr(out, "--token-ttl") && strstr(out, "--defect"));
	free(out);
	cr_assert_eq(run_fake(version, &out), 0);
	cr_assert(strstr(out, "blt-fake "), "%s", out);
	free(out);
	cr_assert_eq(run_fake(list, &out), 0);
	cr_assert(strstr(out, "page-overflow") && strstr(out, "PAG-SIZE") &&
		  strstr(out, "no-request-id") && strstr(out, "should"));
	free(out);
}

Test(fake_cli, sigint_and_sigterm_exit_cleanly, .timeout = 30)
{
	int sigs[] = {SIGINT, SIGTERM};

	for (int i = 0; i < 2; i++) {
		struct httpc_response resp;
		int status;

		fake_rig_start(&rig, NULL);
		fake_send(&rig, "POST", "/", FAKE_TARGET_LBT, FAKE_CT, "{}", 2,
			  &resp);
		cr_assert_eq(resp.status, 200);
		httpc_response_free(&resp);
		httpc_free(rig.http);
		status = test_proc_stop(&rig.proc, sigs[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "signal %d: status %d", sigs[i], status);
	}
}

Test(fake_cli, port_in_use_exits_1, .timeout = 30)
{
	char listen[32];
	const char *args[] = {"--listen", listen, NULL};
	char *out = NULL;

	fake_rig_start(&rig, NULL);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", rig.proc.port);
	cr_assert_eq(run_fake(args, &out), 1, "%s", out);
	cr_assert(strstr(out, "--listen"), "%s", out);
	free(out);
	fake_rig_stop(&rig);
}

Test(fake_cli, bad_cassettes_exit_2, .timeout = 30)
{
	char path[] = "/tmp/blt-fake-cas.XXXXXX";
	int fd = mkstemp(path);
	const char *args[] = {"--from-cassette", path, "--listen",
			      "127.0.0.1:0", NULL};
	char *out = NULL;

	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path,
		   "{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
		   "\"2026-01-01T00:00:00.000Z\",\"upstream\":\"x\","
		   "\"tool\":\"t\"},\"interactions\":[{\"id\":7,\"request\":"
		   "{\"method\":\"POST\",\"path\":\"/\",\"operation\":"
		   "\"ListBatchLoadTasks\",\"headers\":{},\"body\":{}},"
		   "\"response\":{\"status\":200,\"headers\":{},\"body\":"
		   "{\"BatchLoadTasks\":[{\"TaskId\":\"ABC\"}]}},"
		   "\"token_from\":null}]}");
	cr_assert_eq(run_fake(args, &out), 2, "%s", out);
	cr_assert(strstr(out, "interaction 7, task 0") &&
		      strstr(out, "/interactions/0/response/body/"
				  "BatchLoadTasks/0/TaskStatus"),
		  "%s", out);
	free(out);
	write_file(path, "{\"blt_cassette\":1}");
	cr_assert_eq(run_fake(args, &out), 2, "%s", out);
	cr_assert(strstr(out, path), "%s", out);
	free(out);
	unlink(path);
	cr_assert_eq(run_fake(args, &out), 2, "missing file: %s", out);
	free(out);
}
