/* blt-conform's HTML report rendered by a real browser: headless Chromium
 * loads the page from disk and dumps the DOM it built, and the summary
 * table's rows are checked against the run's own summary. Skipped with the
 * reason when Chromium is not installed (tools/setup test installs it). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

static const char *chromium(void)
{
	static const char *const paths[] = {"/usr/bin/chromium",
					    "/usr/bin/chromium-browser"};

	for (size_t i = 0; i < 2; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* The DOM Chromium builds from file, with the flags this machine needs
 * (no sandbox as root, no background network, a new empty profile). */
static char *render(const char *browser, const char *file, const char *dir)
{
	char url[512], profile[340], pdir[300];
	char *out = NULL;

	snprintf(url, sizeof(url), "file://%s", file);
	snprintf(pdir, sizeof(pdir), "%s/profile", dir);
	cr_assert(mkdir(pdir, 0700) == 0);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s", pdir);
	char *argv[] = {(char *)browser, "--headless", "--no-sandbox",
			"--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking",
			"--disable-component-update", "--disable-sync", profile,
			"--dump-dom", url, NULL};
	int rc = conform_run(argv, &out, 90000);
	cr_assert_eq(rc, 0, "chromium: exit %d\n%s", rc, out ? out : "");
	return out;
}

/* The outcome in the summary of the text report for id. */
static void text_outcome(const char *out, const char *id, char *word,
			 size_t n)
{
	char line[1400], sid[32], level[16];

	cr_assert(conform_summary_line(out, id, line, sizeof(line)), "%s", id);
	cr_assert(sscanf(line, " %31s %15s %15s", sid, level, word) == 3);
	(void)n;
}

static unsigned count_of(const char *hay, const char *needle)
{
	unsigned k = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		k++;
	return k;
}

Test(conform_html, rendered_summary_table, .timeout = 240)
{
	static const char *const ids[] = {
		"PAG-SIZE", "PAG-END", "PAG-DUP", "PAG-COMPLETE", "PAG-ORDER",
		"PAG-FILTER", "PAG-RESIZE", "PAG-REPEAT", "PAG-BADTOKEN",
		"PAG-FILTERTOKEN", "RNG-EDGE", "RNG-OUT", "RNG-TYPE",
		"ENU-RESP", "ENU-FILTER", "ENU-BAD", "ERR-TYPE", "ERR-STATUS",
		"ERR-MSG", "ERR-JSON", "ERR-TARGET", "ERR-NO5XX", "SCH-RESP",
		"SCH-TIME", "HDR-CTYPE", "HDR-REQID", "REP-STATUS", "REP-BODY",
		"GEN-VALID", "GEN-INVALID"};
	const char *browser = chromium();
	char dir[] = "/tmp/blt-conform-html-XXXXXX";
	char file[256], opt[300];
	struct test_proc p;
	char *out = NULL, *dom, *page;
	int rc;

	if (!browser)
		cr_skip_test("Chromium is not installed (Debian: apt-get "
			     "install chromium; tools/setup test does it)");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/report.html", dir);
	snprintf(opt, sizeof(opt), "--html=%s", file);
	char *fargv[] = {strdup(test_bin("blt-fake")), "--listen",
			 "127.0.0.1:0", "--generate", "30", "--defect",
			 "page-overflow,no-message", NULL};
	cr_assert(test_proc_start(&p, fargv, 10000));
	char *cargv[] = {strdup(test_bin("blt-conform")), "--target", p.url,
			 opt, NULL};
	rc = conform_run(cargv, &out, 240000);
	test_proc_stop(&p, SIGTERM);
	free(fargv[0]);
	free(cargv[0]);
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);

	/* one self-contained page: nothing to fetch */
	page = test_slurp(file, NULL);
	cr_assert_not_null(page, "no HTML report\n%s", out);
	static const char *const external[] = {"<script", "<link", " src=",
					       "url(", "@import", "<iframe"};
	for (size_t i = 0; i < 6; i++)
		cr_expect_null(strstr(page, external[i]), "%s in the page",
			       external[i]);
	free(page);

	dom = render(browser, file, dir);
	cr_expect_eq(count_of(dom, "<tr id=\"row-"), 30, "%s", dom);
	for (size_t i = 0; i < 30; i++) {
		char word[16], row[160];
		text_outcome(out, ids[i], word, sizeof(word));
		snprintf(row, sizeof(row),
			 "<tr id=\"row-%s\" class=\"outcome-%s\" "
			 "data-check=\"%s\" data-outcome=\"%s\">",
			 ids[i], word, ids[i], word);
		cr_expect(strstr(dom, row) != NULL, "no row %s", row);
	}
	/* every deviation with its curl command and response */
	cr_expect(strstr(dom, "<section id=\"check-PAG-SIZE\"") != NULL);
	cr_expect(strstr(dom, "<pre class=\"request\">curl -sS -i") != NULL);
	cr_expect(strstr(dom, "<pre class=\"response\">HTTP ") != NULL);
	cr_expect(strstr(dom, "<section id=\"check-ERR-MSG\"") != NULL);
	/* and the run's settings */
	cr_expect(strstr(dom, "<table id=\"settings\">") &&
			  strstr(dom, "<th>profile</th><td>documented</td>"),
		  "%s", dom);
	free(dom);
	free(out);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
