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
		runner_usage(stdout);
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
