/* Mutation tests for blt-conform --client: each planted bad client of
 * tests/clients/bad/ (the clean client base.py with one defect, as
 * blt-fake's --defect plants one in a server) makes a full --strict run
 * exit 1 with the check its "# blt-breaks:" line names among the
 * failures, reported with what the client sent (curl lines), what it
 * printed and what was expected; no check fails but that one and those of
 * its "# blt-also-fails:" line (which must fail too), and every other
 * passes or is skipped for want of what the failed check is about (first
 * page only: the empty page is never reached). A client whose defect a
 * loaded machine can hide ("# blt-tries: N", retrying at once) gets up to
 * N runs, the first that shows it judged. The clean client
 * passes every check. The clients need nothing but Python's standard
 * library. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

#define RUN_MS 90000
#define BAD_DIR BLT_SOURCE_DIR "/tests/clients/bad"

struct ccase {
	char file[64];     /* in BAD_DIR */
	char breaks[32];   /* "" for the clean client */
	char also[160];    /* space-separated check IDs, "" none */
	int tries;         /* runs until the defect shows ("# blt-tries:") */
};

/* The value of the "# KEY: VALUE" line of text in out ("" when absent or
 * "(none)"). */
static void header_value(const char *text, const char *key, char *out,
			 size_t n)
{
	const char *p = strstr(text, key);
	size_t len;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	p += strspn(p, " ");
	len = strcspn(p, "\n");
	if (strncmp(p, "(none)", 6) == 0)
		return;
	snprintf(out, n, "%.*s", (int)len, p);
}

static bool read_case(const char *name, struct ccase *c)
{
	char path[512];
	char text[4096];
	char tries[64];
	size_t len;
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	fclose(f);
	header_value(text, "# blt-breaks:", c->breaks, sizeof(c->breaks));
	header_value(text, "# blt-also-fails:", c->also, sizeof(c->also));
	header_value(text, "# blt-tries:", tries, sizeof(tries));
	c->tries = atoi(tries) > 1 ? atoi(tries) : 1;
	return strcmp(name, "base.py") == 0 || c->breaks[0];
}

/* Every client of BAD_DIR but the shared module's helpers: base.py is the
 * clean run. */
static size_t read_cases(struct ccase *out, size_t max)
{
	DIR *d = opendir(BAD_DIR);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".py") != 0)
			continue;
		if (read_case(e->d_name, &out[n]))
			n++;
	}
	closedir(d);
	return n;
}

ParameterizedTestParameters(mutation, clients)
{
	struct ccase found[64];
	size_t n = read_cases(found, 64);
	struct ccase *cases = cr_malloc(sizeof(*cases) * (n ? n : 1));

	memcpy(cases, found, sizeof(*cases) * n);
	return cr_make_param_array(struct ccase, cases, n);
}

/* A Python 3 without a shim in front of it when there is one: pyenv's
 * shims cost a shell and pyenv per run of the client. */
static const char *python(void)
{
	static const char *const candidates[] = {"/usr/bin/python3",
						 "/usr/local/bin/python3"};

	for (size_t i = 0; i < 2; i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* True when the space-separated list names id. */
static bool listed(const char *list, const char *id)
{
	size_t len = strlen(id);

	for (const char *p = strstr(list, id); p; p = strstr(p + 1, id))
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

/* The report section of a failed check: from "FAIL ID " to the blank line
 * after it, copied into out. */
static bool section(const char *out, const char *id, char *sec, size_t n)
{
	char head[64];
	const char *p, *end;

	snprintf(head, sizeof(head), "FAIL %s ", id);
	p = strstr(out, head);
	if (!p)
		return false;
	end = strstr(p, "\n\n");
	snprintf(sec, n, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
	return true;
}

#define CHECKS_MAX 32

/* The client checks, as `blt-conform --client --list` prints them (IDs
 * into ids, 32 bytes each); how many. */
static size_t read_checks(char ids[][32], size_t max)
{
	char *argv[] = {strdup(test_bin("blt-conform")), "--client", "--list",
			NULL};
	char *text = NULL, *save = NULL;
	size_t n = 0;

	if (conform_run(argv, &text, 30000) == 0 && text)
		for (char *l = strtok_r(text, "\n", &save); l && n < max;
		     l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "CLI-", 4) == 0 &&
			    sscanf(l, "%31s", ids[n]) == 1)
				n++;
	free(text);
	free(argv[0]);
	return n;
}

ParameterizedTest(struct ccase *c, mutation, clients, .timeout = 300)
{
	const char *py = python();
	char path[512];
	char *argv[] = {strdup(test_bin("blt-conform")), "--client",
			"--strict", "--timeout", "60000", "--",
			(char *)py, path, NULL};
	static char sec[1 << 16];
	char ids[CHECKS_MAX][32];
	size_t nids = read_checks(ids, CHECKS_MAX);
	char line[256];
	char *out = NULL;
	int rc;

	cr_assert_geq(nids, 1, "blt-conform --client --list listed no check");
	if (!py)
		cr_skip_test("no python3 in /usr/bin or /usr/local/bin");
	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, c->file);
	/* a defect that timing can hide gets more runs; the last one is
	 * judged */
	for (int t = 0; t < c->tries; t++) {
		free(out);
		out = NULL;
		rc = conform_run(argv, &out, RUN_MS);
		cr_assert_not_null(out);
		if (c->breaks[0] &&
		    conform_summary_line(out, c->breaks, line, sizeof(line)) &&
		    strstr(line, " fail "))
			break;
	}
	free(argv[0]);
	cr_expect_eq(rc, c->breaks[0] ? 1 : 0, "%s: exit %d\n%s", c->file, rc,
		     out);
	for (size_t i = 0; i < nids; i++) {
		const char *id = ids[i];
		bool fail = strcmp(id, c->breaks) == 0 || listed(c->also, id);
		char see[64];
		cr_assert(conform_summary_line(out, id, line, sizeof(line)),
			  "%s: no summary line for %s\n%s", c->file, id, out);
		/* a check whose scenario the defect keeps the client from
		 * reaching is skipped, naming the check that failed */
		snprintf(see, sizeof(see), "(see %s)", c->breaks);
		if (!fail && c->breaks[0] && strstr(line, " skipped ") &&
		    strstr(line, see))
			continue;
		cr_expect(strstr(line, fail ? " fail " : " pass ") != NULL,
			  "%s: %s is not a %s: '%s'\n%s", c->file, id,
			  fail ? "failure" : "pass", line, out);
	}
	if (c->breaks[0]) {
		cr_assert(section(out, c->breaks, sec, sizeof(sec)),
			  "%s: no FAIL section for %s\n%s", c->file, c->breaks,
			  out);
		cr_expect(strstr(sec, "    request:  curl ") != NULL,
			  "%s: no request as a curl line\n%s", c->file, sec);
		cr_expect(strstr(sec, "    printed:  ") != NULL,
			  "%s: not what the client printed\n%s", c->file, sec);
		cr_expect(strstr(sec, "    expected: ") != NULL,
			  "%s: not what was expected\n%s", c->file, sec);
	}
	free(out);
}

/* The clients are there, the clean one among them, and each bad one names
 * a check of the catalogue (an empty directory would test nothing). */
Test(mutation, client_list, .timeout = 30)
{
	struct ccase found[64];
	char ids[CHECKS_MAX][32];
	size_t n = read_cases(found, 64), clean = 0;
	size_t nids = read_checks(ids, CHECKS_MAX);

	cr_assert_geq(nids, 1, "blt-conform --client --list listed no check");
	cr_assert_geq(n, 8, "only %zu clients in %s", n, BAD_DIR);
	for (size_t i = 0; i < n; i++) {
		bool known = !found[i].breaks[0];
		clean += !found[i].breaks[0];
		for (size_t k = 0; k < nids; k++)
			known = known || strcmp(found[i].breaks, ids[k]) == 0;
		cr_expect(known, "%s breaks '%s', not a client check",
			  found[i].file, found[i].breaks);
	}
	cr_expect_eq(clean, 1, "%zu clean clients (base.py)", clean);
}
