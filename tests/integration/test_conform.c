/* blt-conform against targets that misbehave (silent, garbage, slow), bad
 * configuration, and checks that must be reported skipped. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

#define RUN_MS 90000

enum mode {
	SILENT,
	GARBAGE,
	NOT_JSON,
	SLOW,
	HOSTILE_OK,
	HOSTILE_ERR,
	THROTTLING, /* an empty listing once, then ThrottlingException */
	HUGE_PAGE,  /* every answer one page of HUGE_ITEMS tasks */
	DUP_PAGE    /* every answer one page with the same task twice */
};

#define HUGE_ITEMS 150000

/* Header values and body text a hostile target plants: terminal escapes
 * (ESC, BEL, a C1 CSI), markup, and characters XML 1.0 forbids. */
#define HOSTILE_HEADERS                                                     \
	"Content-Type: application/x-amz-json-1.0\x1b[41m<b>\r\n"         \
	"x-amzn-RequestId: same\x1b[33m\xc2\x9b" "2J\r\n"                \
	"Connection: close\r\n"
#define HOSTILE_OK_BODY                                                     \
	"{\"BatchLoadTasks\":[{\"TaskId\":\"<script>A\\u001b[2J\\uffff\","   \
	"\"TaskStatus\":\"CREATED\",\"CreationTime\":20,"                   \
	"\"LastUpdatedTime\":10}]}"
#define HOSTILE_ERR_BODY                                                    \
	"{\"__type\":\"Evil\\u001b[31m<script>\\ufffe\","                    \
	"\"message\":\"\\u001b]0;owned\\u0007<script>alert(1)</script>\"}"

/* The THROTTLING target's answers, numbered by their request id. */
#define THROTTLE_ANSWER                                                     \
	"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"                  \
	"Content-Type: application/x-amz-json-1.0\r\n"                       \
	"x-amzn-RequestId: %d\r\n\r\n"                                        \
	"{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}"
#define FIRST_PAGE_ANSWER                                                   \
	"HTTP/1.1 200 OK\r\nConnection: close\r\n"                           \
	"Content-Type: application/x-amz-json-1.0\r\n"                       \
	"x-amzn-RequestId: %d\r\n\r\n{\"BatchLoadTasks\":[]}"

struct bad_server {
	int fd;
	enum mode mode;
	char url[64];
	pthread_t thread;
	atomic_int requests; /* answered so far */
};

/* The HUGE_PAGE answer: HUGE_ITEMS tasks with distinct TaskIds (made
 * once, kept for the test's life). */
static const char *huge_page(void)
{
	static const char head[] =
		"HTTP/1.1 200 OK\r\nConnection: close\r\n"
		"Content-Type: application/x-amz-json-1.0\r\n\r\n"
		"{\"BatchLoadTasks\":[";
	static char *page;
	size_t len;

	if (page)
		return page;
	/* {"TaskId":"T000000"}, is 21 bytes */
	page = malloc(sizeof(head) + HUGE_ITEMS * 21 + 4);
	if (!page)
		return "";
	strcpy(page, head);
	len = strlen(page);
	for (int i = 0; i < HUGE_ITEMS; i++)
		len += (size_t)sprintf(page + len, "{\"TaskId\":\"T%06d\"},",
				       i);
	strcpy(page + len - 1, "]}");
	return page;
}

static void *serve(void *arg)
{
	struct bad_server *s = arg;
	static const char *const answers[] = {
		"", "garbage that is not HTTP\r\n\r\n",
		("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		 "Content-Length: 14\r\nConnection: close\r\n\r\n"
		 "<html>hi</html"),
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
		("HTTP/1.1 200 OK\r\n" HOSTILE_HEADERS "\r\n" HOSTILE_OK_BODY),
		("HTTP/1.1 400 Bad Request\r\n" HOSTILE_HEADERS
		 "\r\n" HOSTILE_ERR_BODY),
		"" /* THROTTLING: numbered, below */,
		"" /* HUGE_PAGE: huge_page() */,
		("HTTP/1.1 200 OK\r\nConnection: close\r\n"
		 "Content-Type: application/x-amz-json-1.0\r\n\r\n"
		 "{\"BatchLoadTasks\":[{\"TaskId\":\"ABC\"},"
		 "{\"TaskId\":\"ABC\"}]}")};

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		char buf[4096];
		if (c < 0)
			return NULL;
		if (read(c, buf, sizeof(buf)) < 0) {
			close(c);
			continue;
		}
		if (s->mode == SLOW)
			sleep(4);
		const char *a = s->mode == HUGE_PAGE ? huge_page()
						      : answers[s->mode];
		char numbered[512];
		if (s->mode == THROTTLING) {
			int seq = atomic_fetch_add(&s->requests, 1);
			if (seq)
				snprintf(numbered, sizeof(numbered),
					 THROTTLE_ANSWER, seq);
			else
				snprintf(numbered, sizeof(numbered),
					 FIRST_PAGE_ANSWER, seq);
			a = numbered;
		}
		if (write(c, a, strlen(a)) < 0) {
			close(c);
			continue;
		}
		close(c);
	}
}

static void bad_server_start(struct bad_server *s, enum mode m)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	s->mode = m;
	atomic_init(&s->requests, 0);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(s->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	cr_assert(listen(s->fd, 64) == 0);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u",
		 ntohs(a.sin_port));
	if (m != SILENT)
		pthread_create(&s->thread, NULL, serve, s);
}

static int conform(char **out, const char *a1, const char *a2,
		   const char *a3, const char *a4)
{
	char *argv[] = {strdup(test_bin("blt-conform")), (char *)a1,
			(char *)a2, (char *)a3, (char *)a4, NULL};
	int rc = conform_run(argv, out, RUN_MS);

	free(argv[0]);
	return rc;
}

Test(conform, silent_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, SILENT);
	rc = conform(&out, "--target", s.url, "--timeout", "500");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no usable HTTP answer") != NULL, "%s", out);
	cr_expect(strstr(out, "timed out") != NULL, "%s", out);
	cr_expect(strstr(out, "PAG-SIZE") != NULL, "%s", out);
	free(out);
}

Test(conform, garbage_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, GARBAGE);
	rc = conform(&out, "--target", s.url, "--timeout", "2000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no usable HTTP answer") != NULL, "%s", out);
	free(out);
}

Test(conform, not_json_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, NOT_JSON);
	rc = conform(&out, "--target", s.url, "--timeout", "2000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "not JSON") != NULL, "%s", out);
	free(out);
}

Test(conform, slow_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, SLOW);
	rc = conform(&out, "--target", s.url, "--timeout", "1000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "timed out after 1000 ms") != NULL, "%s", out);
	free(out);
}

/* Whether s holds a byte a terminal acts on: a C0 control other than
 * newline and tab, DEL, or a C1 control (U+0080..U+009F in UTF-8). */
static const char *terminal_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return (const char *)p;
	return NULL;
}

/* Whether s holds a character XML 1.0 forbids (U+FFFE, U+FFFF, a
 * surrogate) or a C0 control other than newline and tab. */
static const char *xml_forbidden(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') ||
		    (p[0] == 0xef && p[1] == 0xbf &&
		     (p[2] == 0xbe || p[2] == 0xbf)) ||
		    (p[0] == 0xed && p[1] >= 0xa0))
			return (const char *)p;
	return NULL;
}

/* A target whose headers, error types, messages and TaskIds carry
 * terminal escapes, markup and characters XML forbids: none of them
 * reaches the terminal raw, the JUnit file stays well-formed and the
 * HTML page shows them as text. */
static void hostile_run(enum mode m, const char *filter)
{
	char dir[] = "/tmp/blt-conform-hostile-XXXXXX";
	char xml[128], html[128], xarg[140];
	struct bad_server s;
	char *out = NULL, *text;
	const char *bad;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(xml, sizeof(xml), "%s/r.xml", dir);
	snprintf(html, sizeof(html), "%s/r.html", dir);
	snprintf(xarg, sizeof(xarg), "--xml=%s", xml);
	bad_server_start(&s, m);
	char *argv[] = {strdup(test_bin("blt-conform")), "--target", s.url,
			"--filter", (char *)filter, xarg, "--html", html,
			NULL};
	rc = conform_run(argv, &out, RUN_MS);
	free(argv[0]);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	bad = terminal_control(out);
	cr_expect_null(bad, "a control byte reached the terminal at '%.40s'",
		       bad);
	cr_expect(strstr(out, "\\x1b") != NULL, "ESC not shown escaped\n%s",
		  out);
	text = test_slurp(xml, NULL);
	cr_assert_not_null(text);
	bad = xml_forbidden(text);
	cr_expect_null(bad, "the JUnit file is not XML at '%.40s'", bad);
	free(text);
	text = test_slurp(html, NULL);
	cr_assert_not_null(text);
	cr_expect_null(strstr(text, "<script"), "markup from the target");
	cr_expect_null(xml_forbidden(text), "a control byte in the HTML");
	free(text);
	free(out);
	unlink(xml);
	unlink(html);
	rmdir(dir);
}

Test(conform, hostile_bytes_escaped, .timeout = 120)
{
	hostile_run(HOSTILE_ERR, "RNG/OUT");
	hostile_run(HOSTILE_OK, "@(SCH|HDR)/*");
}

/* A target that throttles every request from the first one on: the first
 * contact retries it, then stops the run (exit 1, every check failed)
 * with the reason, in the time of one request's retries. */
Test(conform, throttled_from_the_start, .timeout = 120)
{
	struct test_proc p;
	char *fargv[] = {strdup(test_bin("blt-fake")), "--listen",
			 "127.0.0.1:0", "--inject", "throttle=1", NULL};
	char *out = NULL;
	int rc;

	cr_assert(test_proc_start(&p, fargv, 10000));
	char *argv[] = {strdup(test_bin("blt-conform")), "--target", p.url,
			"--retries", "3", "--backoff", "1", NULL};
	rc = conform_run(argv, &out, RUN_MS);
	test_proc_stop(&p, SIGTERM);
	free(fargv[0]);
	free(argv[0]);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "throttled every attempt (3 retries)") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "ThrottlingException") != NULL, "%s", out);
	free(out);
}

/* A target that starts throttling after the first contact and never
 * stops: each check gives up on its first request after its retries and
 * sends nothing more, so the run is as short as a few retries per check;
 * no check passes, each says why. */
Test(conform, throttled_for_ever, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	unsigned counts[4] = {0};
	int rc, sent;

	bad_server_start(&s, THROTTLING);
	char *argv[] = {strdup(test_bin("blt-conform")), "--target", s.url,
			"--retries", "2", "--backoff", "1", NULL};
	rc = conform_run(argv, &out, RUN_MS);
	free(argv[0]);
	cr_assert_not_null(out);
	sent = atomic_load(&s.requests);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_expect_eq(conform_count_lines(out, counts), 30, "%s", out);
	cr_expect_eq(counts[0], 0, "a check passed\n%s", out);
	cr_expect_eq(counts[1] + counts[2], 0, "a check failed\n%s", out);
	cr_expect(strstr(out, "still throttled a request after 2 retries"),
		  "%s", out);
	/* the first contact, the survey's walk, and 28 checks (REP-* send
	 * nothing without cassettes) giving up after 1 + 2 tries each */
	cr_expect_leq(sent, 1 + 3 + 28 * 3, "%d requests\n%s", sent, out);
	free(out);
}

/* A page far larger than any MaxResults: PAG-SIZE fails, and a walk
 * keeps at most WALK_ITEMS_MAX TaskIds (docs/conform.md): past that it
 * stops without a verdict instead of holding whatever the target sends. */
Test(conform, huge_page_capped, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	char line[1400];
	int rc;

	cr_assert_not_null(huge_page());
	bad_server_start(&s, HUGE_PAGE);
	const char *args[] = {"--target", s.url, "--filter",
			      "@(PAG/SIZE|PAG/DUP)", NULL};
	rc = conform_run_args(&out, args, RUN_MS);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)));
	cr_expect(strstr(line, " fail ") != NULL, "%s", line);
	cr_assert(conform_summary_line(out, "PAG-DUP", line, sizeof(line)));
	cr_expect(strstr(line, "skipped") &&
			  strstr(line, "more than 100000 TaskIds"),
		  "%s\n%s", line, out);
	free(out);
}

/* A TaskId twice on one page is a duplicate in its walk as much as one
 * on two pages: PAG-DUP fails, it is not skipped as "one task". */
Test(conform, duplicate_on_one_page, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	char line[1400];
	int rc;

	bad_server_start(&s, DUP_PAGE);
	const char *args[] = {"--target", s.url, "--filter", "PAG/DUP",
			      NULL};
	rc = conform_run_args(&out, args, RUN_MS);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "PAG-DUP", line, sizeof(line)));
	cr_expect(strstr(line, " fail ") != NULL, "%s\n%s", line, out);
	cr_expect(strstr(out, "TaskId 'ABC' is on page 1 and again on page 1"),
		  "%s", out);
	free(out);
}

Test(conform, bad_urls, .timeout = 60)
{
	static const char *const urls[] = {"not-a-url", "http://",
					   "ftp://127.0.0.1:1/",
					   "http://127.0.0.1:99999"};
	for (size_t i = 0; i < 4; i++) {
		char *out = NULL;
		int rc = conform(&out, "--target", urls[i], NULL, NULL);
		cr_expect_eq(rc, 2, "%s: exit %d\n%s", urls[i], rc, out);
		cr_expect(strstr(out, "--target") != NULL, "%s", out);
		free(out);
	}
}

Test(conform, usage_errors, .timeout = 60)
{
	char *out = NULL;
	int rc = conform(&out, "--profile", "strictest", NULL, NULL);

	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "unknown profile") != NULL, "%s", out);
	free(out);
	rc = conform(&out, "--no-such-flag", NULL, NULL, NULL);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "--no-such-flag") != NULL, "%s", out);
	free(out);
}

Test(conform, empty_cassette_dir, .timeout = 60)
{
	char dir[] = "/tmp/blt-conform-empty-XXXXXX";
	char *out = NULL;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	rc = conform(&out, "--cassettes", dir, NULL, NULL);
	rmdir(dir);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no cassette") != NULL, "%s", out);
	free(out);
}

/* With three tasks, the pagination checks run with what there is and
 * pass, saying what they covered; REP-* without cassettes is skipped with
 * the reason, never passed; the run as a whole exits 0. */
Test(conform, small_target_checks_run, .timeout = 120)
{
	struct test_proc p;
	char *fargv[] = {strdup(test_bin("blt-fake")), "--listen",
			 "127.0.0.1:0", "--generate", "3", "--seed", "1", NULL};
	char *out = NULL;
	char line[512];
	int rc;

	cr_assert(test_proc_start(&p, fargv, 10000));
	rc = conform(&out, "--target", p.url, NULL, NULL);
	test_proc_stop(&p, SIGTERM);
	free(fargv[0]);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	static const char *const ids[] = {"PAG-SIZE", "PAG-COMPLETE",
					  "PAG-RESIZE"};
	for (size_t i = 0; i < 3; i++) {
		cr_assert(conform_summary_line(out, ids[i], line,
					       sizeof(line)),
			  "%s missing\n%s", ids[i], out);
		cr_expect(strstr(line, " pass ") && strstr(line, "3 "),
			  "%s: '%s'", ids[i], line);
	}
	cr_assert(conform_summary_line(out, "REP-STATUS", line, sizeof(line)));
	cr_expect(strstr(line, "skipped") && strstr(line, "no cassettes"),
		  "'%s'", line);
	free(out);
}

/* A filter that selects one group reports the others as not selected. */
Test(conform, filter_runs_one_group, .timeout = 120)
{
	char *out = NULL;
	char line[256];
	int rc = conform(&out, "--filter", "RNG/*", NULL, NULL);

	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "RNG-OUT", line, sizeof(line)));
	cr_expect(strstr(line, "pass") != NULL, "%s", line);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)));
	cr_expect(strstr(line, "not selected") != NULL, "%s", line);
	free(out);
}

/* Runs blt-conform with args (NULL-terminated, at most 300). */
static int conform_args(char **out, const char *const *args)
{
	return conform_run_args(out, args, RUN_MS);
}

/* The summary lines agree with the totals line, which covers all checks. */
static void expect_totals(const char *out, unsigned want_fail)
{
	unsigned checks = 0, totals[4] = {0}, lines[4];
	unsigned n = conform_count_lines(out, lines);

	cr_assert(conform_totals(out, &checks, totals), "no totals\n%s", out);
	cr_expect_eq(n, checks, "%u summary lines, %u checks\n%s", n, checks,
		     out);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(lines[i], totals[i],
			     "outcome %d: %u lines, totals say %u\n%s", i,
			     lines[i], totals[i], out);
	cr_expect_eq(totals[1], want_fail, "%u failures, %u expected\n%s",
		     totals[1], want_fail, out);
}

/* Against a target with no task, no check that needs tasks passes: each is
 * skipped with its reason, and the run exits 0 (nothing failed). */
Test(conform, zero_tasks_nothing_passes_unexamined, .timeout = 120)
{
	static const char *const need_tasks[] = {
		"PAG-SIZE", "PAG-END",    "PAG-DUP",      "PAG-COMPLETE",
		"PAG-ORDER", "PAG-FILTER", "PAG-RESIZE",  "PAG-REPEAT",
		"PAG-FILTERTOKEN", "ENU-RESP", "SCH-TIME"};
	struct test_proc p;
	char *out = NULL;
	char line[512];
	int rc;

	cr_assert(conform_fake_start(&p, "0", NULL));
	const char *args[] = {"--target", p.url, NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	for (size_t i = 0; i < sizeof(need_tasks) / sizeof(need_tasks[0]);
	     i++) {
		cr_assert(conform_summary_line(out, need_tasks[i], line,
					       sizeof(line)),
			  "%s missing\n%s", need_tasks[i], out);
		cr_expect(strstr(line, " skipped ") && !strstr(line, " pass"),
			  "%s: '%s'", need_tasks[i], line);
	}
	conform_summary_line(out, "ENU-RESP", line, sizeof(line));
	cr_expect(strstr(line, "TaskStatus") != NULL, "%s", line);
	/* the garbage tokens were sent and judged: it passes, and its
	 * coverage says what could not be tried */
	conform_summary_line(out, "PAG-BADTOKEN", line, sizeof(line));
	cr_expect(strstr(line, " pass ") && strstr(line, "garbage") &&
			  strstr(line, "untested"),
		  "%s", line);
	conform_summary_line(out, "ENU-FILTER", line, sizeof(line));
	cr_expect(strstr(line, " pass") != NULL, "%s", line);
	expect_totals(out, 0);
	free(out);
}

/* A deviation found by the garbage-token cases is never hidden behind the
 * skip of the truncated and altered ones. */
Test(conform, zero_tasks_badtoken_deviation_fails, .timeout = 120)
{
	struct test_proc p;
	char *out = NULL;
	char line[512];
	int rc;

	static const char *const defect[] = {"--defect", "badtoken-restart",
					     NULL};
	cr_assert(conform_fake_start(&p, "0", defect));
	const char *args[] = {"--target", p.url, "--filter", "PAG/BADTOKEN",
			      NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "PAG-BADTOKEN", line,
				       sizeof(line)), "%s", out);
	cr_expect(strstr(line, " fail ") != NULL, "%s", line);
	cr_expect(strstr(out, "garbage token was answered 200") != NULL, "%s",
		  out);
	free(out);
}

/* REP-BODY compares bodies only with --compare exact: with shape it is
 * skipped with that reason, never passed; REP-STATUS still runs. */
Test(conform, compare_shape_skips_rep_body, .timeout = 120)
{
	static const char *const modes[] = {"shape", "exact"};
	char line[512];

	for (size_t m = 0; m < 2; m++) {
		char *out = NULL;
		const char *args[] = {"--compare", modes[m], "--filter",
				      "REP/*", NULL};
		int rc = conform_args(&out, args);

		cr_assert_not_null(out);
		cr_expect_eq(rc, 0, "%s: exit %d\n%s", modes[m], rc, out);
		cr_assert(conform_summary_line(out, "REP-STATUS", line,
					       sizeof(line)), "%s", out);
		cr_expect(strstr(line, " pass") != NULL, "%s", line);
		cr_assert(conform_summary_line(out, "REP-BODY", line,
					       sizeof(line)), "%s", out);
		if (m == 0)
			cr_expect(strstr(line, " skipped ") &&
					  strstr(line, "REP-BODY compares "
						       "bodies only with "
						       "--compare exact"),
				  "shape: '%s'", line);
		else
			cr_expect(strstr(line, " pass") != NULL, "exact: '%s'",
				  line);
		expect_totals(out, 0);
		free(out);
	}
}

/* A check that left no record, without a --filter, did not run: a failure
 * with the reason, and exit 1; never "not selected". */
Test(conform, check_that_never_started_fails, .timeout = 120)
{
	char *out = NULL;
	char line[512];
	int rc;

	setenv("BLT_CONFORM_FAULT", "ENU-RESP:exit", 1);
	const char *args[] = {NULL};
	rc = conform_args(&out, args);
	unsetenv("BLT_CONFORM_FAULT");
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "ENU-RESP", line, sizeof(line)),
		  "%s", out);
	cr_expect(strstr(line, " fail ") && strstr(line, "did not run"), "%s",
		  line);
	cr_expect(strstr(out, "FAIL ENU-RESP") != NULL, "%s", out);
	cr_expect_null(strstr(out, "not selected"), "%s", out);
	expect_totals(out, 1);
	free(out);
}

/* With a filter, a check it selected that left no record did not run
 * either; only the checks it left out are "not selected". */
Test(conform, selected_check_that_never_started_fails, .timeout = 120)
{
	char *out = NULL;
	char line[512];
	int rc;

	setenv("BLT_CONFORM_FAULT", "ENU-RESP:exit", 1);
	const char *args[] = {"--filter", "ENU/*", NULL};
	rc = conform_args(&out, args);
	unsetenv("BLT_CONFORM_FAULT");
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "ENU-RESP", line, sizeof(line)),
		  "%s", out);
	cr_expect(strstr(line, " fail ") && strstr(line, "did not run"), "%s",
		  line);
	cr_assert(conform_summary_line(out, "ENU-BAD", line, sizeof(line)));
	cr_expect(strstr(line, " pass") != NULL, "%s", line);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)));
	cr_expect(strstr(line, "not selected") != NULL, "%s", line);
	expect_totals(out, 1);
	free(out);
}

/* A check whose configuration cannot be read fails with that reason. */
Test(conform, check_that_cannot_start_fails, .timeout = 120)
{
	char *out = NULL;
	char line[512];
	int rc;

	setenv("BLT_CONFORM_FAULT", "RNG-EDGE:config", 1);
	const char *args[] = {NULL};
	rc = conform_args(&out, args);
	unsetenv("BLT_CONFORM_FAULT");
	cr_assert_not_null(out);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "RNG-EDGE", line, sizeof(line)),
		  "%s", out);
	cr_expect(strstr(line, " fail ") && strstr(line, "could not start"),
		  "%s", line);
	cr_expect(strstr(out, "FAIL RNG-EDGE") &&
			  strstr(out, "start blt-conform, not a check"),
		  "%s", out);
	expect_totals(out, 1);
	free(out);
}

/* Criterion's filter in its environment variable is a selection too. */
Test(conform, pattern_variable_selects, .timeout = 120)
{
	char *out = NULL;
	char line[512];
	int rc;

	setenv("CRITERION_TEST_PATTERN", "RNG/*", 1);
	const char *args[] = {NULL};
	rc = conform_args(&out, args);
	unsetenv("CRITERION_TEST_PATTERN");
	cr_assert_not_null(out);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "RNG-OUT", line, sizeof(line)));
	cr_expect(strstr(line, " pass") != NULL, "%s", line);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)));
	cr_expect(strstr(line, "not selected") != NULL, "%s", line);
	expect_totals(out, 0);
	free(out);
}

/* More --cassettes=PATH than the runner holds is a usage error naming the
 * cap, as for separate paths. */
Test(conform, too_many_cassette_options, .timeout = 60)
{
	const char *args[300];
	char *out = NULL;
	int rc;

	for (size_t i = 0; i < 257; i++)
		args[i] = "--cassettes=/nonexistent.json";
	args[257] = "--list";
	args[258] = NULL;
	rc = conform_args(&out, args);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "256") != NULL, "%s", out);
	free(out);
	/* separate paths: the same cap */
	args[0] = "--cassettes";
	for (size_t i = 1; i < 258; i++)
		args[i] = "/nonexistent.json";
	args[258] = NULL;
	rc = conform_args(&out, args);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "256") != NULL, "%s", out);
	free(out);
}

/* Writes n empty cassettes c/0000.json ... into the current directory. */
static void make_cassettes(int n)
{
	static const char one[] =
		"{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
		"\"2026-01-01T00:00:00.000Z\",\"upstream\":\"u\",\"tool\":"
		"\"t\"},\"interactions\":[]}\n";
	char path[64];

	cr_assert(mkdir("c", 0700) == 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "c/%04d.json", i);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(one, f);
		cr_assert(fclose(f) == 0);
	}
}

static void remove_cassettes(int n)
{
	char path[64];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "c/%04d.json", i);
		unlink(path);
	}
	rmdir("c");
}

/* A cassette directory with more files than the runner takes is a
 * configuration error naming the cap, not a silent truncation; as many as
 * the cap are taken. */
Test(conform, too_many_cassettes_in_dir, .timeout = 120)
{
	static const int counts[] = {4097, 4096};
	char dir[] = "/tmp/blt-conform-many-XXXXXX";

	cr_assert_not_null(mkdtemp(dir));
	/* short relative paths keep the list of paths within its own cap */
	cr_assert(chdir(dir) == 0);
	for (size_t k = 0; k < 2; k++) {
		const char *args[] = {"--cassettes", "c", "--list", NULL};
		char *out = NULL;
		int rc;

		make_cassettes(counts[k]);
		rc = conform_args(&out, args);
		remove_cassettes(counts[k]);
		cr_assert_not_null(out);
		if (k == 0) {
			cr_expect_eq(rc, 2, "4097 files: exit %d\n%.2000s", rc,
				     out);
			cr_expect(strstr(out, "4096") != NULL, "%.2000s", out);
		} else {
			cr_expect_eq(rc, 0, "4096 files: exit %d\n%.2000s", rc,
				     out);
		}
		free(out);
	}
	cr_assert(chdir("/") == 0);
	rmdir(dir);
}
