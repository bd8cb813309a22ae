/* Mutation tests for blt-conform: against blt-fake with each planted defect
 * (from `blt-fake --defect list`) it exits 1 with the defect's check among
 * its failures (the token defects with that check alone); against a clean
 * blt-fake it exits 0. Both profiles, and the pagination defects against
 * small targets too. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

#define RUN_MS 120000

struct mcase {
	char defect[64]; /* "" for the clean run */
	char check[32];
	char level[16];
	char profile[16];
	char tasks[8];   /* --generate */
	bool filtered;   /* run the defect's check alone */
};

/* The defects that must fail their own check and no other: their target
 * is correct but for tokens that cannot be used twice. */
static bool only_its_check(const char *defect)
{
	return strcmp(defect, "single-use-tokens") == 0 ||
	       strcmp(defect, "shifted-repeat") == 0;
}

/* True for the checks whose verdicts depend on the profile's statuses. */
static bool judges_errors(const char *check)
{
	static const char *const prefixes[] = {"RNG-", "ENU-", "ERR-", "GEN-",
					       "REP-", "PAG-BADTOKEN",
					       "PAG-FILTERTOKEN"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(check, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Reads the defect table that blt-fake prints. */
static size_t read_defects(struct mcase *out, size_t max)
{
	char *argv[] = {(char *)test_bin("blt-fake"), "--defect", "list",
			NULL};
	char *text = NULL;
	size_t n = 0;
	char *save = NULL;

	argv[0] = strdup(argv[0]);
	if (conform_run(argv, &text, 10000) != 0 || !text) {
		free(argv[0]);
		free(text);
		return 0;
	}
	for (char *line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mcase c;
		memset(&c, 0, sizeof(c));
		if (sscanf(line, "%63s %31s %15s", c.defect, c.check,
			   c.level) == 3 &&
		    strchr(c.check, '-') && strcmp(c.defect, "DEFECT") != 0)
			out[n++] = c;
	}
	free(text);
	free(argv[0]);
	return n;
}

/* Every defect with its check alone against 250 tasks, under the
 * documented profile, and under the smithy profile too when its check
 * judges errors (the profiles differ only in error statuses); every
 * pagination defect again against 7 and 60 tasks; the token defects that
 * must fail their own check and no other in a full run too; and full
 * clean runs of both profiles. Under the sanitizers (test_subset()) the
 * smithy runs and the 7- and 60-task runs are left to the normal build.
 * The observers' part in other checks' failures is
 * tests/integration/test_conform_runs.c's. */
ParameterizedTestParameters(mutation, defects)
{
	struct mcase found[64];
	size_t n = read_defects(found, 64), k = 0;
	struct mcase *cases = cr_malloc(sizeof(*cases) * (5 * n + 2));
	bool all = !test_subset();

	for (size_t i = 0; i < n; i++) {
		struct mcase c = found[i];
		snprintf(c.tasks, sizeof(c.tasks), "250");
		snprintf(c.profile, sizeof(c.profile), "documented");
		if (only_its_check(c.defect))
			cases[k++] = c;
		c.filtered = true;
		cases[k++] = c;
		snprintf(c.profile, sizeof(c.profile), "smithy");
		if (all && judges_errors(c.check))
			cases[k++] = c;
		if (!all || strncmp(c.check, "PAG-", 4) != 0)
			continue;
		snprintf(c.profile, sizeof(c.profile), "documented");
		snprintf(c.tasks, sizeof(c.tasks), "7");
		cases[k++] = c;
		snprintf(c.tasks, sizeof(c.tasks), "60");
		cases[k++] = c;
	}
	for (size_t p = 0; p < (all ? 2 : 1); p++) {
		memset(&cases[k], 0, sizeof(cases[k]));
		snprintf(cases[k].profile, 16, "%s",
			 p ? "smithy" : "documented");
		snprintf(cases[k++].tasks, 8, "250");
	}
	return cr_make_param_array(struct mcase, cases, k);
}

/* Records the scenario cassette from a clean blt-fake of this profile. */
static void record(const char *profile, const char *path)
{
	struct test_proc p;
	char *argv[] = {strdup(test_bin("blt-fake")), "--listen", "127.0.0.1:0",
			"--profile", (char *)profile, NULL};

	cr_assert(test_proc_start(&p, argv, 10000), "blt-fake did not start");
	cr_assert(conform_record_cassette(p.url, path),
		  "could not record a cassette from %s", p.url);
	test_proc_stop(&p, SIGTERM);
	free(argv[0]);
}

/* The --filter of check id: "PAG-SIZE" as "PAG/SIZE". */
static void filter_of(const char *id, char *out, size_t n)
{
	const char *dash = strchr(id, '-');

	snprintf(out, n, "%.*s/%s", (int)(dash - id), id, dash + 1);
}

/* No check but c's failed; the others passed or were skipped (those that
 * depend on PAG-REPEAT say so). */
static void expect_only(const struct mcase *c, const char *out)
{
	unsigned checks = 0, counts[4] = {0};

	cr_assert(conform_totals(out, &checks, counts), "%s", out);
	cr_expect_eq(counts[1], 1, "defect %s: %u checks fail, not 1\n%s",
		     c->defect, counts[1], out);
	cr_expect(strstr(out, "depends on PAG-REPEAT") != NULL ||
			  counts[3] <= 2,
		  "defect %s: skipped checks without the dependency\n%s",
		  c->defect, out);
}

ParameterizedTest(struct mcase *c, mutation, defects, .timeout = 300)
{
	char cassette[] = "/tmp/blt-mutation-XXXXXX";
	bool replay = !c->filtered || strncmp(c->check, "REP-", 4) == 0;
	struct test_proc p;
	char *fargv[12] = {strdup(test_bin("blt-fake")), "--listen",
			   "127.0.0.1:0", "--profile", c->profile,
			   "--generate", c->tasks, NULL};
	char *cargv[14] = {strdup(test_bin("blt-conform")), "--profile",
			   c->profile, NULL};
	char filter[40];
	size_t na = 3;
	char *out = NULL;
	char line[256];
	int rc;

	if (replay) {
		int fd = mkstemp(cassette);
		cr_assert(fd >= 0);
		close(fd);
		record(c->profile, cassette);
		cargv[na++] = "--cassettes";
		cargv[na++] = cassette;
	}
	if (c->defect[0]) {
		fargv[7] = "--defect";
		fargv[8] = c->defect;
		fargv[9] = NULL;
	}
	cr_assert(test_proc_start(&p, fargv, 10000), "blt-fake did not start");
	cargv[na++] = "--target";
	cargv[na++] = p.url;
	if (strcmp(c->level, "should") == 0)
		cargv[na++] = "--strict";
	if (c->filtered) {
		filter_of(c->check, filter, sizeof(filter));
		cargv[na++] = "--filter";
		cargv[na++] = filter;
	}
	cargv[na] = NULL;
	rc = conform_run(cargv, &out, RUN_MS);
	test_proc_stop(&p, SIGTERM);
	if (replay)
		unlink(cassette);
	cr_assert_not_null(out);
	if (!c->defect[0]) {
		cr_expect_eq(rc, 0, "clean blt-fake (%s): exit %d\n%s",
			     c->profile, rc, out);
		cr_expect_null(strstr(out, " fail "),
			       "clean blt-fake (%s) has a failure:\n%s",
			       c->profile, out);
	} else {
		cr_expect_eq(rc, 1, "defect %s (%s, %s tasks): exit %d, not "
				    "1\n%s",
			     c->defect, c->profile, c->tasks, rc, out);
		cr_assert(conform_summary_line(out, c->check, line,
					       sizeof(line)),
			  "no summary line for %s\n%s", c->check, out);
		cr_expect(strstr(line, " fail ") != NULL,
			  "defect %s (%s, %s tasks): %s is not a failure: "
			  "'%s'\n%s",
			  c->defect, c->profile, c->tasks, c->check, line, out);
		if (only_its_check(c->defect) && !c->filtered)
			expect_only(c, out);
	}
	free(out);
	free(cargv[0]);
	free(fargv[0]);
}

/* The table the cases come from is there and names checks of the catalogue
 * (an empty table would leave only the clean runs). */
Test(mutation, defect_list, .timeout = 30)
{
	struct mcase found[64];
	size_t n = read_defects(found, 64);

	cr_assert_geq(n, 1, "blt-fake --defect list printed no defect");
	for (size_t i = 0; i < n; i++)
		cr_expect(strcmp(found[i].level, "must") == 0 ||
				  strcmp(found[i].level, "should") == 0,
			  "defect %s: level '%s'", found[i].defect,
			  found[i].level);
}
