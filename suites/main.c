/* blt-conform: runs the conformance checks of SPEC section 3 against a
 * ListBatchLoadTasks server (by default an embedded blt-fake) with Criterion
 * as the engine, then prints every deviation and a summary of every check. */
#include <criterion/criterion.h>
#include <criterion/internal/ordered-set.h>
#include <criterion/options.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/httpc.h"
#include "cli.h"
#include "conform.h"
#include "runner.h"

#ifndef BLT_VERSION
#define BLT_VERSION "0"
#endif

static const char usage_text[] =
	"usage: blt-conform [--target URL] [--cassettes PATH...]\n"
	"                   [--profile documented|smithy|lenient]\n"
	"                   [--compare exact|shape] [--strict] [--seed N]\n"
	"                   [--region R] [--timeout MS] [--rate R]\n"
	"                   [--max-requests N] [--retries N] [--backoff MS]\n"
	"                   [--expect FILE] [--write-expect FILE]\n"
	"                   [--xml[=FILE]] [--tap[=FILE]] [--json[=FILE]]\n"
	"                   [--html FILE] [--filter PATTERN] [-f]\n"
	"                   [CRITERION FLAGS]\n"
	"       blt-conform --client [--profile P] [--region R]\n"
	"                   [--timeout MS] [-j N] [--strict] [--expect FILE]\n"
	"                   [--write-expect FILE] [--xml[=FILE]]\n"
	"                   [--tap[=FILE]] [--json[=FILE]] [--html FILE]\n"
	"                   [--filter PATTERN] [-f] [--list]\n"
	"                   -- COMMAND [ARGS...]\n"
	"\n"
	"Runs every conformance check of ListBatchLoadTasks against URL, or\n"
	"against an embedded blt-fake when --target is not given. With\n"
	"--client it judges a client instead: COMMAND runs once per scenario\n"
	"against a scenario server (docs/client-conformance.md).\n"
	"\n"
	"  --target URL        the server under test (http:// or https://)\n"
	"  --cassettes PATH... cassette files, or directories of *.json, to\n"
	"                      replay (REP-*); without --target the shipped\n"
	"                      cassettes are used when present\n"
	"  --profile P         error status table: documented (default),\n"
	"                      smithy or lenient\n"
	"  --compare MODE      REP-BODY: exact (default) or shape\n"
	"  --strict            failed should checks fail the run\n"
	"  --seed N            seed of the generated requests (GEN-*), 1\n"
	"  --region R          SigV4 region (else AWS_REGION, us-east-1)\n"
	"  --timeout MS        per-request timeout, 5000\n"
	"  --rate R            at most R requests per second in all\n"
	"  --max-requests N    at most N requests in all (20 or more): the\n"
	"                      walks shrink to fit, checks that do not fit\n"
	"                      are skipped with the reason\n"
	"  --retries N         retries of a throttled request (5xx: 2 at\n"
	"                      most), 8\n"
	"  --backoff MS        the first retry waits up to MS (jittered,\n"
	"                      doubling each time, 20 s at most), 100\n"
	"  --expect FILE       check IDs (one a line, then an optional\n"
	"                      reason) whose failures are expected\n"
	"  --write-expect FILE writes the failing checks in that form\n"
	"  --xml[=FILE], --tap[=FILE], --json[=FILE]\n"
	"                      JUnit XML, TAP or JSON report (stdout\n"
	"                      without FILE)\n"
	"  --html FILE         a self-contained HTML report\n"
	"  --filter PATTERN    run the checks that match: 'PAG/*',\n"
	"                      'REP/BODY' or 'RNG-OUT'\n"
	"  -f, --fail-fast     start no check after one failed\n"
	"  --client            judge COMMAND, a client that lists the tasks\n"
	"                      with BLT_MAX_RESULTS and BLT_TASK_STATUS and\n"
	"                      prints the TaskIds (the client checks CLI-*);\n"
	"                      there --timeout is each run's limit (30000),\n"
	"                      -j N the runs at once (4), --filter\n"
	"                      'CLI-PAG-*'\n"
	"  --help, --version\n"
	"\n"
	"Criterion's flags pass through: -j N, --list, --verbose.\n"
	"With AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set (and\n"
	"AWS_SESSION_TOKEN), every request is signed (SigV4, timestream).\n"
	"Exit status: 0 every must check passed, 1 a check failed, 2 usage or\n"
	"configuration error.\n";

/* Removes the results directory and its files. */
static void remove_results(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[CONFORM_PATH_MAX + 300];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Disables the tests of the checks the filter left out. */
static void apply_selection(struct criterion_test_set *tests,
			    const struct runner *r)
{
	struct criterion_suite_set *ss;
	struct criterion_test *t;

	FOREACH_SET(ss, tests->suites) {
		FOREACH_SET(t, ss->tests) {
			char id[64];
			snprintf(id, sizeof(id), "%s-%s", t->category, t->name);
			const struct check_def *d = conform_check_find(id);
			size_t i = d ? (size_t)(d - conform_checks) : SIZE_MAX;
			if (i >= RUNNER_CHECKS_MAX || !r->selected[i])
				t->data->disabled = true;
		}
	}
}

static int run_checks(struct runner *r, int cargc, char **cargv)
{
	struct criterion_test_set *tests = criterion_initialize();
	int rc;

	criterion_options.logging_threshold = CRITERION_LOG_LEVEL_QUIET;
	criterion_options.timeout = r->backstop_s;
	if (!criterion_handle_args(cargc, cargv, true)) {
		criterion_finalize(tests);
		return -1;
	}
	apply_selection(tests, r);
	runner_progress_start(r);
	criterion_run_all_tests(tests);
	runner_progress_stop(r);
	criterion_finalize(tests);
	rc = runner_report(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct runner r;
	struct blt_err err = {0};
	char **cargv = calloc((size_t)argc + 1, sizeof(char *));
	int cargc = 0;
	int rc;

	if (!cargv)
		return 2;
	rc = runner_parse_args(&r, argc, argv, cargv, &cargc, &err);
	if (rc == RUNNER_EXIT_HELP) {
		fputs(usage_text, stdout);
		free(cargv);
		return 0;
	}
	if (rc == RUNNER_EXIT_VERSION) {
		printf("blt-conform %s\n", BLT_VERSION);
		free(cargv);
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr, "blt-conform: %s\n(see blt-conform --help)\n",
			err.msg);
		free(cargv);
		return 2;
	}
	r.stderr_fd = dup(STDERR_FILENO);
	if (r.client) {
		rc = cli_main(&r);
		close(r.stderr_fd);
		free(cargv);
		return rc;
	}
	rc = runner_select(&r, &err);
	if (rc == 0)
		rc = runner_read_expect(&r, &err);
	if (rc == 2) {
		fprintf(stderr, "blt-conform: %s\n(see blt-conform --help)\n",
			err.msg);
		free(cargv);
		return 2;
	}
	rc = runner_prepare(&r, &err);
	if (rc == 0) {
		rc = run_checks(&r, cargc, cargv);
		if (rc < 0)
			rc = r.listed ? 0 : 2;
	} else if (rc == 2) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
	}
	runner_cleanup(&r);
	if (r.stderr_fd >= 0)
		close(r.stderr_fd);
	if (r.cfg.results[0])
		remove_results(r.cfg.results);
	free(cargv);
	return rc;
}
