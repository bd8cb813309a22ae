/* PAG-SIZE from the other side: pages of exactly MaxResults items, the most
 * a page may hold, pass. The defect page-overflow (one item more) is the
 * failing side, in test_defects.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt_test.h"
#include "conform_test.h"
#include "fake_rig.h"

/* A bound for a run that hangs, just under the test's own timeout: not a
 * speed that a loaded machine must reach. */
#define RUN_MS 280000

/* The target's pages are checked to be full, at every size PAG-SIZE walks
 * with, before blt-conform judges them; --generate 200 also makes the last
 * page of the walk with MaxResults 100 a full one. */
Test(pag_size, full_pages_of_max_results_pass, .timeout = 300)
{
	static const int sizes[] = {1, 2, 7, 100};
	const char *fake_args[] = {"--generate", "200", "--seed", "3", NULL};
	struct fake_rig rig;
	char *out = NULL;
	char line[256];
	char body[64];
	long status;
	int rc;

	fake_rig_start(&rig, fake_args);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(body, sizeof(body), "{\"MaxResults\":%d}", sizes[i]);
		json_t *page = fake_list(&rig, body, &status);

		cr_assert_eq(status, 200);
		cr_assert_eq(json_array_size(json_object_get(page,
							     "BatchLoadTasks")),
			     (size_t)sizes[i], "MaxResults %d: not a full page",
			     sizes[i]);
		json_decref(page);
	}
	json_decref(fake_list(&rig, "{}", &status));
	cr_assert_eq(status, 200);
	char *cargv[] = {strdup(test_bin("blt-conform")), "--target",
			 rig.proc.url, "--filter", "PAG/SIZE", NULL};
	rc = conform_run(cargv, &out, RUN_MS);
	fake_rig_stop(&rig);
	cr_assert_not_null(out);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)),
		  "%s", out);
	cr_expect(strstr(line, " pass") != NULL && !strstr(line, "fail") &&
			  !strstr(line, "skipped"),
		  "PAG-SIZE over full pages: '%s'\n%s", line, out);
	free(out);
	free(cargv[0]);
}
