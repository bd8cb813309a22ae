/* blt-conform against targets that misbehave (silent, garbage, slow), bad
 * configuration, and checks that must be reported skipped. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
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

enum mode { SILENT, GARBAGE, NOT_JSON, SLOW };

struct bad_server {
	int fd;
	enum mode mode;
	char url[64];
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct bad_server *s = arg;
	static const char *const answers[] = {
		"", "garbage that is not HTTP\r\n\r\n",
		("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		 "Content-Length: 14\r\nConnection: close\r\n\r\n"
		 "<html>hi</html"),
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"};

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
		if (write(c, answers[s->mode], strlen(answers[s->mode])) < 0) {
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
	char *argv[302] = {strdup(test_bin("blt-conform"))};
	size_t n = 1;
	int rc;

	while (args[n - 1] && n < 301) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	rc = conform_run(argv, out, RUN_MS);
	free(argv[0]);
	return rc;
}

/* Starts blt-fake with --generate tasks and extra arguments (up to 2). */
static void fake_with(struct test_proc *p, const char *tasks,
		      const char *a1, const char *a2)
{
	char *fargv[] = {strdup(test_bin("blt-fake")), "--listen",
			 "127.0.0.1:0", "--generate", (char *)tasks, "--seed",
			 "1", (char *)a1, (char *)a2, NULL};

	cr_assert(test_proc_start(p, fargv, 10000), "blt-fake did not start");
	free(fargv[0]);
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

	fake_with(&p, "0", NULL, NULL);
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

	fake_with(&p, "0", "--defect", "badtoken-restart");
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
