/* Mutation tests for blt-conform: against blt-fake with each planted defect
 * (from `blt-fake --defect list`) it exits 1 with the defect's check among
 * its failures; against a clean blt-fake it exits 0. Both profiles. */
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
};

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

ParameterizedTestParameters(mutation, defects)
{
	struct mcase found[64];
	size_t n = read_defects(found, 64);
	struct mcase *cases = cr_malloc(sizeof(*cases) * (2 * n + 2));

	for (size_t p = 0; p < 2; p++) {
		const char *profile = p ? "smithy" : "documented";
		for (size_t i = 0; i < n; i++) {
			cases[p * (n + 1) + i] = found[i];
			snprintf(cases[p * (n + 1) + i].profile, 16, "%s",
				 profile);
		}
		memset(&cases[p * (n + 1) + n], 0, sizeof(cases[0]));
		snprintf(cases[p * (n + 1) + n].profile, 16, "%s", profile);
	}
	return cr_make_param_array(struct mcase, cases, 2 * n + 2);
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

ParameterizedTest(struct mcase *c, mutation, defects, .timeout = 300)
{
	char cassette[] = "/tmp/blt-mutation-XXXXXX";
	int fd = mkstemp(cassette);
	struct test_proc p;
	char *fargv[10] = {strdup(test_bin("blt-fake")), "--listen",
			   "127.0.0.1:0", "--profile", c->profile, NULL};
	char *out = NULL;
	char line[256];
	int rc;

	cr_assert(fd >= 0);
	close(fd);
	record(c->profile, cassette);
	if (c->defect[0]) {
		fargv[5] = "--defect";
		fargv[6] = c->defect;
		fargv[7] = NULL;
	}
	cr_assert(test_proc_start(&p, fargv, 10000), "blt-fake did not start");
	char *cargv[] = {strdup(test_bin("blt-conform")), "--target", p.url,
			 "--profile", c->profile, "--cassettes", cassette,
			 strcmp(c->level, "should") == 0 ? "--strict" : NULL,
			 NULL};
	rc = conform_run(cargv, &out, RUN_MS);
	test_proc_stop(&p, SIGTERM);
	unlink(cassette);
	cr_assert_not_null(out);
	if (!c->defect[0]) {
		cr_expect_eq(rc, 0, "clean blt-fake (%s): exit %d\n%s",
			     c->profile, rc, out);
		cr_expect_null(strstr(out, " fail "),
			       "clean blt-fake (%s) has a failure:\n%s",
			       c->profile, out);
	} else {
		cr_expect_eq(rc, 1, "defect %s (%s): exit %d, not 1\n%s",
			     c->defect, c->profile, rc, out);
		cr_assert(conform_summary_line(out, c->check, line,
					       sizeof(line)),
			  "no summary line for %s\n%s", c->check, out);
		cr_expect(strstr(line, " fail ") != NULL,
			  "defect %s (%s): %s is not a failure: '%s'\n%s",
			  c->defect, c->profile, c->check, line, out);
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
