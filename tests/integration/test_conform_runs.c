/* Whole blt-conform runs against blt-fake: targets of 0 to 250 tasks (every
 * check that can run does, with its coverage in the summary), a throttling
 * target (the same verdicts as a quiet one), a request budget counted by a
 * recording proxy, expectation files, the report files (JUnit, TAP, JSON),
 * a filter that selects nothing, fail fast, and progress on a terminal. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

#define RUN_MS 240000

/* Runs blt-conform with args (NULL-terminated, at most 300). */
static int conform_args(char **out, const char *const *args)
{
	int rc = conform_run_args(out, args, RUN_MS);

	cr_assert_not_null(*out);
	return rc;
}

/* Starts blt-fake with --generate tasks and extra arguments (up to 4). */
static void fake_with(struct test_proc *p, const char *tasks,
		      const char *const *extra)
{
	cr_assert(conform_fake_start(p, tasks, extra),
		  "blt-fake did not start");
}

/* The outcome word of check id in the summary ("pass", "fail", ...), and
 * the rest of its line in detail (may be NULL). */
static void outcome(const char *out, const char *id, char *word, size_t n,
		    char *detail, size_t dn)
{
	char line[1400], sid[32], level[16];
	int used = 0;

	cr_assert(conform_summary_line(out, id, line, sizeof(line)),
		  "no summary line for %s\n%s", id, out);
	cr_assert(sscanf(line, " %31s %15s %15s %n", sid, level, word,
			 &used) == 3,
		  "'%s'", line);
	(void)n;
	if (detail)
		snprintf(detail, dn, "%s", line + used);
}

static const char *const catalogue[] = {
	"PAG-SIZE",  "PAG-END",	    "PAG-DUP",	    "PAG-COMPLETE",
	"PAG-ORDER", "PAG-FILTER",  "PAG-RESIZE",   "PAG-REPEAT",
	"PAG-BADTOKEN", "PAG-FILTERTOKEN", "RNG-EDGE", "RNG-OUT",
	"RNG-TYPE",  "ENU-RESP",    "ENU-FILTER",   "ENU-BAD",
	"ERR-TYPE",  "ERR-STATUS",  "ERR-MSG",	    "ERR-JSON",
	"ERR-TARGET", "ERR-NO5XX",  "SCH-RESP",	    "SCH-TIME",
	"HDR-CTYPE", "HDR-REQID",   "REP-STATUS",   "REP-BODY",
	"GEN-VALID", "GEN-INVALID"};
#define NCHECKS (sizeof(catalogue) / sizeof(catalogue[0]))

struct size_case {
	char tasks[8];
	char skipped[400]; /* the checks that cannot run, space-separated */
};

ParameterizedTestParameters(conform_runs, task_counts)
{
	static struct size_case cases[] = {
		{"0", "PAG-SIZE PAG-END PAG-DUP PAG-COMPLETE PAG-ORDER "
		      "PAG-FILTER PAG-RESIZE PAG-REPEAT PAG-FILTERTOKEN "
		      "ENU-RESP SCH-TIME"},
		{"1", "PAG-SIZE PAG-END PAG-DUP PAG-COMPLETE PAG-ORDER "
		      "PAG-RESIZE PAG-REPEAT PAG-FILTERTOKEN"},
		{"2", "PAG-FILTERTOKEN"},
		{"7", ""},
		{"60", ""},
		{"250", ""},
	};
	/* under the sanitizers: 0, 2 and 7 (first, third and fourth) */
	static struct size_case subset[3];

	if (!test_subset())
		return cr_make_param_array(struct size_case, cases,
					   sizeof(cases) / sizeof(cases[0]));
	subset[0] = cases[0];
	subset[1] = cases[2];
	subset[2] = cases[3];
	return cr_make_param_array(struct size_case, subset, 3);
}

/* Against each size, with a cassette recorded from the same target: exit
 * 0, every check passes with its coverage in the summary, and exactly the
 * checks that cannot run are skipped, each with its reason. */
ParameterizedTest(struct size_case *c, conform_runs, task_counts,
		  .timeout = 300)
{
	char cassette[] = "/tmp/blt-conform-size-XXXXXX";
	int fd = mkstemp(cassette);
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400], padded[420];
	int rc;

	cr_assert(fd >= 0);
	close(fd);
	fake_with(&p, c->tasks, NULL);
	cr_assert(conform_record_cassette(p.url, cassette));
	const char *args[] = {"--target", p.url, "--cassettes", cassette,
			      NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	unlink(cassette);
	cr_expect_eq(rc, 0, "%s tasks: exit %d\n%s", c->tasks, rc, out);
	snprintf(padded, sizeof(padded), " %s ", c->skipped);
	for (size_t i = 0; i < NCHECKS; i++) {
		char key[40];
		bool skip;

		snprintf(key, sizeof(key), " %s ", catalogue[i]);
		skip = strstr(padded, key) != NULL;
		outcome(out, catalogue[i], word, sizeof(word), detail,
			sizeof(detail));
		cr_expect_str_eq(word, skip ? "skipped" : "pass",
				 "%s tasks, %s: %s %s", c->tasks,
				 catalogue[i], word, detail);
		cr_expect(strlen(detail) > 10,
			  "%s tasks, %s: no coverage or reason: '%s'",
			  c->tasks, catalogue[i], detail);
	}
	free(out);
}

/* The words of every summary line: "PAG-SIZE=pass PAG-END=pass ...". */
static void verdicts(const char *out, char *v, size_t n)
{
	char word[16];
	size_t len = 0;

	v[0] = '\0';
	for (size_t i = 0; i < NCHECKS && len < n; i++) {
		outcome(out, catalogue[i], word, sizeof(word), NULL, 0);
		len += (size_t)snprintf(v + len, n - len, "%s=%s ",
					catalogue[i], word);
	}
}

/* The throttled retries the totals line reports. */
static unsigned long throttled(const char *out)
{
	const char *p = strstr(out, " retries: ");
	unsigned long n = 0;

	cr_assert(p, "no request line\n%s", out);
	cr_assert(sscanf(p, " retries: %lu throttled", &n) == 1, "%s", p);
	return n;
}

/* A target that throttles 30% of requests (as the real service does
 * under load) gets the same verdict for every check as a quiet one, and
 * the report counts the retries. */
Test(conform_runs, throttled_target_same_verdicts, .timeout = 300)
{
	static const char *const inject[] = {"--inject",
					     "throttle=0.3,seed=5", NULL};
	struct test_proc quiet, busy;
	char *a = NULL, *b = NULL;
	char va[2048], vb[2048];
	int ra, rb;

	fake_with(&quiet, "250", NULL);
	fake_with(&busy, "250", inject);
	const char *qa[] = {"--target", quiet.url, NULL};
	const char *ba[] = {"--target", busy.url, "--backoff", "2",
			    "--retries", "12", NULL};
	ra = conform_args(&a, qa);
	rb = conform_args(&b, ba);
	test_proc_stop(&quiet, SIGTERM);
	test_proc_stop(&busy, SIGTERM);
	cr_expect_eq(ra, 0, "quiet: exit %d\n%s", ra, a);
	cr_expect_eq(rb, 0, "throttling: exit %d\n%s", rb, b);
	verdicts(a, va, sizeof(va));
	verdicts(b, vb, sizeof(vb));
	cr_expect_str_eq(vb, va, "throttling:\n%s\nquiet:\n%s", b, a);
	cr_expect_eq(throttled(a), 0);
	cr_expect_gt(throttled(b), 100, "%s", b);
	free(a);
	free(b);
}

/* A client mistake answered 500 fails ERR-NO5XX even though 5xx answers
 * to valid requests are retried: retries never hide a verdict. */
Test(conform_runs, retries_never_hide_no5xx, .timeout = 120)
{
	static const char *const defect[] = {"--defect", "type-500", NULL};
	struct test_proc p;
	char *out = NULL;
	char word[16];
	int rc;

	fake_with(&p, "20", defect);
	const char *args[] = {"--target", p.url, "--filter", "ERR/*",
			      "--backoff", "1", NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	outcome(out, "ERR-NO5XX", word, sizeof(word), NULL, 0);
	cr_expect_str_eq(word, "fail", "%s", out);
	cr_expect(strstr(out, "0 server errors") != NULL,
		  "a 5xx to a mistake was retried:\n%s", out);
	free(out);
}

/* Interactions in a recorded cassette. */
static size_t interactions(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	size_t n;

	cr_assert_not_null(doc, "cassette %s does not load", path);
	n = json_array_size(json_object_get(doc, "interactions"));
	json_decref(doc);
	return n;
}

/* --max-requests 300 against 250 tasks: a recording proxy counts at most
 * 300 requests; the run exits 0 and names the checks that did not fit. */
Test(conform_runs, max_requests_counted_by_proxy, .timeout = 300)
{
	char dir[] = "/tmp/blt-conform-budget-XXXXXX";
	char cassette[256];
	struct test_proc fake, proxy;
	char *out = NULL;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cassette, sizeof(cassette), "%s/budget.json", dir);
	fake_with(&fake, "250", NULL);
	char *pargv[] = {strdup(test_bin("blt-proxy")), "record",
			 "--upstream", fake.url, "--cassette", cassette,
			 "--listen", "127.0.0.1:0", NULL};
	cr_assert(test_proc_start(&proxy, pargv, 10000));
	const char *args[] = {"--target", proxy.url, "--max-requests", "300",
			      NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&proxy, SIGTERM);
	test_proc_stop(&fake, SIGTERM);
	free(pargv[0]);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	size_t sent = interactions(cassette);
	cr_expect_leq(sent, 300, "%zu requests\n%s", sent, out);
	cr_expect_geq(sent, 150, "only %zu requests: the budget was not used",
		      sent);
	cr_expect(strstr(out, "does not fit in the request budget "
			      "(--max-requests 300)") != NULL,
		  "no check named as not fitting\n%s", out);
	unsigned checks = 0, counts[4] = {0};
	cr_assert(conform_totals(out, &checks, counts), "%s", out);
	cr_expect_eq(counts[1], 0, "%s", out);
	cr_expect_geq(counts[0], 10, "fewer than 10 checks ran\n%s", out);
	unlink(cassette);
	rmdir(dir);
	free(out);
}

/* --write-expect lists the failures; --expect with that file passes the
 * run, each listed failure "expected"; against a target where a listed
 * check passes, the run fails and says to remove the line. Whole runs,
 * or under the sanitizers (test_subset()) runs of the two checks the
 * defects fail. */
Test(conform_runs, expectation_files, .timeout = 300)
{
	const char *some = test_subset() ? "--filter" : NULL;
	const char *which = "@(PAG/SIZE|ERR/MSG)";
	static const char *const defects[] = {"--defect",
					      "page-overflow,no-message", NULL};
	char dir[] = "/tmp/blt-conform-expect-XXXXXX";
	char file[256];
	struct test_proc bad, good;
	char *out = NULL, *text;
	char word[16], detail[1400];
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/known.txt", dir);
	fake_with(&bad, "60", defects);
	const char *w[] = {"--target", bad.url, "--strict", "--write-expect",
			   file, some, which, NULL};
	rc = conform_args(&out, w);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	free(out);
	text = test_slurp(file, NULL);
	cr_assert_not_null(text, "--write-expect wrote nothing");
	cr_expect(strstr(text, "\nPAG-SIZE ") && strstr(text, "\nERR-MSG "),
		  "%s", text);
	free(text);
	const char *e[] = {"--target", bad.url, "--strict", "--expect", file,
			   some, which, NULL};
	rc = conform_args(&out, e);
	test_proc_stop(&bad, SIGTERM);
	cr_expect_eq(rc, 0, "with --expect: exit %d\n%s", rc, out);
	outcome(out, "PAG-SIZE", word, sizeof(word), NULL, 0);
	cr_expect_str_eq(word, "expected", "%s", out);
	free(out);
	fake_with(&good, "60", NULL);
	const char *g[] = {"--target", good.url, "--strict", "--expect", file,
			   some, which, NULL};
	rc = conform_args(&out, g);
	test_proc_stop(&good, SIGTERM);
	cr_expect_eq(rc, 1, "unexpected pass: exit %d\n%s", rc, out);
	outcome(out, "PAG-SIZE", word, sizeof(word), detail, sizeof(detail));
	cr_expect_str_eq(word, "fail", "%s", out);
	cr_expect(strstr(detail, "remove that line") != NULL, "%s", detail);
	free(out);
	/* a line that names no check is a usage error */
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("# a comment\nPAG-SIZE known\nPAG-NOPE\n", f);
	fclose(f);
	const char *u[] = {"--expect", file, "--filter", "RNG/EDGE", NULL};
	rc = conform_args(&out, u);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "line 3") && strstr(out, "PAG-NOPE"), "%s", out);
	free(out);
	unlink(file);
	rmdir(dir);
}

/* Counts the occurrences of needle in hay. */
static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The report files: JUnit testcases carry the group as classname and a
 * unique name, skipped ones their reason; TAP and JSON hold every check. */
Test(conform_runs, report_files, .timeout = 300)
{
	static const char *const defect[] = {"--defect", "page-overflow",
					     NULL};
	char dir[] = "/tmp/blt-conform-reports-XXXXXX";
	char xml[256], tap[256], js[256], x[300], y[300], z[300];
	struct test_proc p;
	char *out = NULL, *text;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(xml, sizeof(xml), "%s/r.xml", dir);
	snprintf(tap, sizeof(tap), "%s/r.tap", dir);
	snprintf(js, sizeof(js), "%s/r.json", dir);
	snprintf(x, sizeof(x), "--xml=%s", xml);
	snprintf(y, sizeof(y), "--tap=%s", tap);
	snprintf(z, sizeof(z), "--json=%s", js);
	fake_with(&p, "30", defect);
	const char *args[] = {"--target", p.url, x, y, z, NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	text = test_slurp(xml, NULL);
	cr_assert_not_null(text);
	for (size_t i = 0; i < NCHECKS; i++) {
		char name[64], group[16];
		snprintf(name, sizeof(name), "name=\"%s\"", catalogue[i]);
		snprintf(group, sizeof(group), "%.3s", catalogue[i]);
		cr_expect_eq(count_of(text, name), 1, "%s\n%s", name, text);
		char both[96];
		snprintf(both, sizeof(both), "classname=\"%s\" %s", group,
			 name);
		cr_expect(strstr(text, both), "%s", both);
	}
	cr_expect(strstr(text, "<skipped message=\"no cassettes given"),
		  "%s", text);
	cr_expect(strstr(text, "name=\"PAG-SIZE\" time=\"0\">\n      "
			       "<failure"),
		  "%s", text);
	free(text);
	text = test_slurp(tap, NULL);
	cr_assert_not_null(text);
	cr_expect(strstr(text, "1..30\n") &&
		      strstr(text, "not ok 1 - PAG-SIZE") &&
		      strstr(text, "# SKIP no cassettes given"),
		  "%s", text);
	free(text);
	json_t *doc = json_load_file(js, 0, NULL);
	cr_assert_not_null(doc);
	cr_expect_eq(json_array_size(json_object_get(doc, "checks")), 30);
	cr_expect_eq(json_integer_value(json_object_get(doc, "exit_status")),
		     1);
	json_decref(doc);
	unlink(xml);
	unlink(tap);
	unlink(js);
	rmdir(dir);
	free(out);
}

/* A run that cannot start (the target refuses connections) still writes
 * its report files: one failing testcase that says why. */
Test(conform_runs, cannot_start_writes_reports, .timeout = 120)
{
	char dir[] = "/tmp/blt-conform-down-XXXXXX";
	char xml[256], js[256], x[300], z[300];
	char *out = NULL, *text;
	struct test_proc p;
	char url[64];
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(xml, sizeof(xml), "%s/r.xml", dir);
	snprintf(js, sizeof(js), "%s/r.json", dir);
	snprintf(x, sizeof(x), "--xml=%s", xml);
	snprintf(z, sizeof(z), "--json=%s", js);
	/* a port that was just free */
	fake_with(&p, "1", NULL);
	snprintf(url, sizeof(url), "%s", p.url);
	test_proc_stop(&p, SIGTERM);
	const char *args[] = {"--target", url, x, z, NULL};
	rc = conform_args(&out, args);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	text = test_slurp(xml, NULL);
	cr_assert_not_null(text, "no JUnit file\n%s", out);
	cr_expect_eq(count_of(text, "<testcase "), 1, "%s", text);
	cr_expect(strstr(text, "<failure message=\"cannot reach"), "%s", text);
	free(text);
	json_t *doc = json_load_file(js, 0, NULL);
	cr_assert_not_null(doc);
	cr_expect(strstr(json_string_value(json_object_get(doc, "aborted")),
			 "cannot reach"));
	json_decref(doc);
	unlink(xml);
	unlink(js);
	rmdir(dir);
	free(out);
}

/* A filter that selects no check is a usage error, before any request. */
Test(conform_runs, filter_selecting_nothing, .timeout = 60)
{
	char *out = NULL;
	const char *args[] = {"--target", "http://127.0.0.1:9", "--filter",
			      "NOPE/*", NULL};
	int rc = conform_args(&out, args);

	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "selects no check"), "%s", out);
	free(out);
}

/* -f stops starting checks after a failure, and still prints the report:
 * the failure in full, the summary and the totals. */
Test(conform_runs, fail_fast_prints_report, .timeout = 120)
{
	static const char *const defect[] = {"--defect", "page-overflow",
					     NULL};
	struct test_proc p;
	char *out = NULL;
	unsigned checks = 0, counts[4];
	int rc;

	fake_with(&p, "30", defect);
	const char *args[] = {"--target", p.url, "-f", "-j1", NULL};
	rc = conform_args(&out, args);
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "FAIL PAG-SIZE") != NULL, "%s", out);
	cr_assert(conform_totals(out, &checks, counts), "%s", out);
	cr_expect_eq(checks, 30);
	cr_expect(strstr(out, "not run: -f (fail fast)") != NULL, "%s", out);
	free(out);
}

/* While a run is long, a terminal on stderr shows its progress; a pipe
 * does not. */
Test(conform_runs, progress_on_terminal, .timeout = 120)
{
	char cmd[1024];
	char *out = NULL;
	int rc;

	if (access("/usr/bin/script", X_OK) != 0)
		cr_skip_test("script(1) (util-linux) is not installed: no "
			     "pseudo-terminal to run blt-conform on");
	snprintf(cmd, sizeof(cmd),
		 "%s --filter GEN/VALID --rate 60 2>&1 >/dev/null",
		 test_bin("blt-conform"));
	char *argv[] = {"/usr/bin/script", "-qec", cmd, "/dev/null", NULL};
	rc = conform_run(argv, &out, RUN_MS);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "checks done") != NULL, "%s", out);
	free(out);
	const char *args[] = {"--filter", "GEN/VALID", "--rate", "60", NULL};
	rc = conform_args(&out, args);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_expect_null(strstr(out, "checks done"), "%s", out);
	free(out);
}

/* The survey counts the tasks with MaxResults absent when MaxResults 100
 * is refused, so the checks sized by it still run; and a target that
 * refuses every valid request is never said to hold no task: the checks
 * that need the count are skipped with what the survey was answered. */
Test(conform_runs, survey_failure_named, .timeout = 120)
{
	static const char *const reject[] = {"--defect", "reject-100", NULL};
	static const char *const fail[] = {"--inject", "internal=1", NULL};
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400];
	int rc;

	fake_with(&p, "20", reject);
	const char *a[] = {"--target", p.url, "--filter",
			   "@(PAG/REPEAT|PAG/FILTERTOKEN|ENU/FILTER)", NULL};
	rc = conform_args(&out, a);
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	for (size_t i = 0; i < 2; i++) {
		const char *id = i ? "PAG-FILTERTOKEN" : "PAG-REPEAT";
		outcome(out, id, word, sizeof(word), detail, sizeof(detail));
		cr_expect_str_eq(word, "pass", "%s: %s %s\n%s", id, word,
				 detail, out);
	}
	outcome(out, "ENU-FILTER", word, sizeof(word), detail,
		sizeof(detail));
	cr_expect(strstr(detail, "6 of them on later pages"), "%s", detail);
	cr_expect(strstr(out, "tasks 20)"), "%s", out);
	free(out);

	fake_with(&p, "20", fail);
	const char *b[] = {"--target", p.url, "--filter",
			   "@(PAG/REPEAT|PAG/FILTERTOKEN)", "--backoff", "1",
			   NULL};
	rc = conform_args(&out, b);
	test_proc_stop(&p, SIGTERM);
	for (size_t i = 0; i < 2; i++) {
		const char *id = i ? "PAG-FILTERTOKEN" : "PAG-REPEAT";
		outcome(out, id, word, sizeof(word), detail, sizeof(detail));
		cr_expect_str_eq(word, "skipped", "%s: %s %s", id, word,
				 detail);
		cr_expect(strstr(detail, "could not list the tasks") &&
				  strstr(detail, "HTTP 500") &&
				  !strstr(detail, "no task") &&
				  !strstr(detail, "no status has"),
			  "%s: %s", id, detail);
	}
	cr_expect(strstr(out, "tasks unknown"), "%s", out);
	free(out);
}

/* Under --max-requests, a check that sends nothing (REP-* without
 * cassettes) keeps its own reason: it is not "out of the budget". */
Test(conform_runs, budget_keeps_other_skip_reasons, .timeout = 60)
{
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400];
	int rc;

	fake_with(&p, "20", NULL);
	const char *a[] = {"--target", p.url, "--max-requests", "100",
			   "--filter", "REP/*", NULL};
	rc = conform_args(&out, a);
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	for (size_t i = 0; i < 2; i++) {
		const char *id = i ? "REP-BODY" : "REP-STATUS";
		outcome(out, id, word, sizeof(word), detail, sizeof(detail));
		cr_expect_str_eq(word, "skipped", "%s", out);
		cr_expect(strstr(detail, "no cassettes given"), "%s: %s", id,
			  detail);
	}
	free(out);
}

/* An expectation file cannot hide what it does not describe: a check
 * listed twice is a usage error naming both lines (the second line would
 * otherwise turn the first one's unexpected pass into "expected"), found
 * before any request; and a listed check that did not run is still a
 * failure, not an expected one. */
Test(conform_runs, expectation_cannot_hide, .timeout = 120)
{
	char dir[] = "/tmp/blt-conform-expect2-XXXXXX";
	char file[256];
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400];
	FILE *f;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/known.txt", dir);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("PAG-SIZE known\n# again\nPAG-SIZE known again\n", f);
	fclose(f);
	/* read before any request: nothing listens on port 9 */
	const char *d[] = {"--target", "http://127.0.0.1:9", "--expect", file,
			   NULL};
	rc = conform_args(&out, d);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "line 3") && strstr(out, "line 1") &&
			  strstr(out, "PAG-SIZE"),
		  "%s", out);
	free(out);
	fake_with(&p, "20", NULL);
	const char *a[] = {"--target", p.url, "--filter", "PAG/SIZE",
			   "--expect", file, NULL};
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("PAG-SIZE known\n", f);
	fclose(f);
	setenv("BLT_CONFORM_FAULT", "PAG-SIZE:exit", 1);
	rc = conform_args(&out, a);
	unsetenv("BLT_CONFORM_FAULT");
	test_proc_stop(&p, SIGTERM);
	cr_expect_eq(rc, 1, "exit %d\n%s", rc, out);
	outcome(out, "PAG-SIZE", word, sizeof(word), detail, sizeof(detail));
	cr_expect_str_eq(word, "fail", "%s", out);
	cr_expect(strstr(detail, "did not run"), "%s", detail);
	free(out);
	unlink(file);
	rmdir(dir);
}

/* Against a target whose NextTokens work once (the same token for every
 * walk that reaches the same place), a mistake sent on a later page may
 * be refused for its token, not for the mistake: such a refusal judges
 * nothing. Here RNG-EDGE (run first, -j1) uses the token RNG-OUT gets
 * next, and the target checks MaxResults on first pages only: RNG-OUT
 * must not pass "on first and later pages". */
Test(conform_runs, later_page_refusal_of_used_token, .timeout = 120)
{
	static const char *const defects[] = {
		"--defect", "single-use-tokens,later-page-range", NULL};
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400];

	fake_with(&p, "20", defects);
	const char *a[] = {"--target", p.url, "--filter",
			   "@(RNG/EDGE|RNG/OUT)", "-j1", NULL};
	conform_args(&out, a);
	test_proc_stop(&p, SIGTERM);
	outcome(out, "RNG-OUT", word, sizeof(word), detail, sizeof(detail));
	cr_expect_null(strstr(detail, "first and later pages"), "%s %s\n%s",
		       word, detail, out);
	cr_expect(strcmp(word, "fail") == 0 || strstr(detail, "not judged"),
		  "%s %s\n%s", word, detail, out);
	free(out);
}

/* The same for PAG-FILTERTOKEN: ENU-FILTER (run first, -j1) uses the
 * CREATED token PAG-FILTERTOKEN gets next, and the target accepts a token
 * with any TaskStatus; a refusal of the used token must not pass it. */
Test(conform_runs, filtertoken_refusal_of_used_token, .timeout = 120)
{
	static const char *const defects[] = {
		"--defect", "single-use-tokens,filter-token-reuse", NULL};
	struct test_proc p;
	char *out = NULL;
	char word[16], detail[1400];

	fake_with(&p, "20", defects);
	const char *a[] = {"--target", p.url, "--filter",
			   "@(ENU/FILTER|PAG/FILTERTOKEN)", "-j1", "--strict",
			   NULL};
	conform_args(&out, a);
	test_proc_stop(&p, SIGTERM);
	outcome(out, "PAG-FILTERTOKEN", word, sizeof(word), detail,
		sizeof(detail));
	cr_expect(strcmp(word, "fail") == 0 ||
			  (strcmp(word, "skipped") == 0 &&
			   strstr(detail, "depends on PAG-REPEAT")),
		  "%s %s\n%s", word, detail, out);
	free(out);
}
