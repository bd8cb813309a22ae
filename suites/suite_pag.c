/* PAG-*: pagination. Walks through every page with several page sizes and
 * filters, and judges the pages, the tokens and the sets they yield. Page
 * sizes (PAG-SIZE), walk ends (PAG-END) and duplicates (PAG-DUP) are
 * judged by the observers on every walk of the run; the checks here make
 * walks of their own and say what they covered. Against a small target
 * each check runs with what there is; only a check that cannot run at all
 * (no task, or one where two are needed) is skipped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define NWALKS_MAX 12

static void free_walks(struct walk *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		walk_free(&w[i]);
}

/* The number of distinct TaskIds of the walk with the most. */
static size_t task_count(const struct walk *w, size_t n)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		const char **ids = walk_id_set(&w[i], &k);
		free(ids);
		if (k > best)
			best = k;
	}
	return best;
}

/* Every walk ended (or stopped at its cap); a walk that did not is a skip
 * naming PAG-END, a rejected page a deviation. */
static bool all_ended(struct check *ck, const struct walk *w, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok = walk_check_end(ck, &w[i], false) && ok;
	return ok;
}

static const char *size_name(int max, char *buf, size_t n)
{
	if (max)
		snprintf(buf, n, "MaxResults %d", max);
	else
		snprintf(buf, n, "MaxResults absent");
	return buf;
}

/* The page limit of page k (0-based) of w. */
static size_t limit_of(const struct walk *w, size_t k)
{
	return w->sent_max[k] ? (size_t)w->sent_max[k] : CONFORM_PAGE_MAX;
}

/* Walks one per size (0 = absent), each capped at caps[i] pages (0: no
 * cap), without a filter. */
static void walks(struct check *ck, const int *sizes, const size_t *caps,
		  size_t n, struct walk *w)
{
	for (size_t i = 0; i < n; i++) {
		if (!check_can_send(ck)) {
			memset(&w[i], 0, sizeof(w[i]));
			w[i].outcome = ck->dead ? WALK_NO_ANSWER : WALK_STOPPED;
			snprintf(w[i].problem, sizeof(w[i].problem),
				 "the check stopped sending");
			continue;
		}
		walk_simple(ck, sizes[i], NULL, caps ? caps[i] : 0, &w[i]);
	}
}

/* Writes to out the sizes whose walks took several pages and those that
 * fitted on one. */
static void size_coverage(const struct walk *w, const int *sizes, size_t n,
			  char *out, size_t outsz)
{
	char many[160] = "", one[160] = "", name[32];
	size_t lm = 0, lo = 0;

	for (size_t i = 0; i < n; i++) {
		if (sizes[i])
			snprintf(name, sizeof(name), "%d", sizes[i]);
		else
			snprintf(name, sizeof(name), "absent");
		if (w[i].pages > 1)
			lm += (size_t)snprintf(many + lm, sizeof(many) - lm,
					       "%s%s", lm ? ", " : "", name);
		else
			lo += (size_t)snprintf(one + lo, sizeof(one) - lo,
					       "%s%s", lo ? ", " : "", name);
		if (lm >= sizeof(many) || lo >= sizeof(one))
			break;
	}
	snprintf(out, outsz, "%s%s%s%s%s%s", many[0] ? "MaxResults " : "",
		 many, many[0] ? " took several pages" : "",
		 many[0] && one[0] ? "; " : "", one[0] ? one : "",
		 one[0] ? " gave one page" : "");
}

Test(PAG, SIZE)
{
	static const int sizes[] = {1, 2, 7, 100, 0};
	static const size_t caps[2][5] = {{20, 20, 0, 0, 0}, {5, 5, 5, 5, 5}};
	struct check ck;
	struct walk w[5];
	char cov[400];
	size_t n;

	check_begin(&ck, "PAG-SIZE");
	walks(&ck, sizes, caps[ck.level ? 1 : 0], 5, w);
	all_ended(&ck, w, 5);
	n = task_count(w, 5);
	size_coverage(w, sizes, 5, cov, sizeof(cov));
	check_coverage(&ck, "%s (%zu tasks%s); %u pages judged here",
		       cov, n, ck.level ? ", walks of 5 pages at most" : "",
		       ck.obs.t[OBS_PAG_SIZE].judged);
	if (n == 0)
		check_skip(&ck, "the target has no task");
	else if (n == 1)
		check_skip(&ck, "the target has one task: no page can hold "
				"more than MaxResults 1");
	free_walks(w, 5);
	check_end(&ck);
}

/* The walks of PAG-END that are not judged by their end (that is the
 * observer's business): a rejected page, a stopped walk. */
static void end_problems(struct check *ck, const struct walk *w)
{
	if (w->outcome == WALK_REJECTED || w->outcome == WALK_STOPPED)
		walk_check_end(ck, w, false);
}

Test(PAG, END)
{
	static const int sizes[] = {1, 7, 50, 0};
	static const size_t caps[2][4] = {{100, 0, 0, 0}, {10, 10, 0, 0}};
	struct check ck;
	struct walk w[10];
	size_t nw = 4, longest = 0;

	check_begin(&ck, "PAG-END");
	walks(&ck, ck.level ? sizes + 1 : sizes, caps[ck.level ? 1 : 0],
	      ck.level ? 3 : 4, w);
	nw = ck.level ? 3 : 4;
	for (size_t s = 0; s < CONFORM_NSTATUSES; s++)
		walk_simple(&ck, 0, conform_statuses[s], ck.level ? 2 : 0,
			    &w[nw++]);
	for (size_t i = 0; i < nw; i++) {
		end_problems(&ck, &w[i]);
		if (w[i].pages > longest)
			longest = w[i].pages;
	}
	check_coverage(&ck,
		       "%zu walks (with and without a filter), the longest "
		       "%zu pages; %u walks judged here",
		       nw, longest, ck.obs.t[OBS_PAG_END].judged);
	if (longest < 2)
		check_skip(&ck,
			   "no walk had a second page (the target has "
			   "%zu task%s)",
			   task_count(w, nw),
			   task_count(w, nw) == 1 ? "" : "s");
	free_walks(w, nw);
	check_end(&ck);
}

Test(PAG, DUP)
{
	static const int sizes[] = {1, 3, 7, 0};
	static const size_t caps[2][4] = {{100, 100, 0, 0}, {0, 0, 10, 10}};
	struct check ck;
	struct walk w[4];
	size_t n, from, k;

	check_begin(&ck, "PAG-DUP");
	from = ck.level ? 2 : 0;
	k = 4 - from;
	walks(&ck, sizes + from, caps[ck.level ? 1 : 0] + from, k, w);
	all_ended(&ck, w, k);
	n = task_count(w, k);
	check_coverage(&ck, "walks with MaxResults %s7 and absent over %zu "
			    "TaskIds; %u walks of two TaskIds or more judged "
			    "here",
		       ck.level ? "" : "1, 3, ", n,
		       ck.obs.t[OBS_PAG_DUP].judged);
	if (!ck.obs.t[OBS_PAG_DUP].judged)
		check_skip(&ck, "the target has %s: a TaskId can appear twice "
				"only with two tasks",
			   n ? "one task" : "no task");
	free_walks(w, k);
	check_end(&ck);
}

/* Names up to three TaskIds of a that are not in b. */
static size_t missing_ids(const char **a, size_t na, const char **b,
			  size_t nb, char *out, size_t outsz)
{
	size_t i = 0, j = 0, miss = 0, len = 0;

	out[0] = '\0';
	while (i < na) {
		int c = j < nb ? strcmp(a[i], b[j]) : -1;
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			if (miss < 3 && len < outsz)
				len += (size_t)snprintf(out + len, outsz - len,
							"%s%s",
							miss ? ", " : "", a[i]);
			miss++;
			i++;
		} else {
			j++;
		}
	}
	return miss;
}

/* A deviation (depending on PAG-REPEAT) when w's TaskIds differ from
 * ref's. */
static void compare_sets(struct check *ck, const struct walk *ref,
			 const struct walk *w, const char *what,
			 const char *refname)
{
	size_t nr, nw;
	const char **r = walk_id_set(ref, &nr);
	const char **s = walk_id_set(w, &nw);
	char lost[256], extra[256];
	size_t nl = missing_ids(r, nr, s, nw, lost, sizeof(lost));
	size_t ne = missing_ids(s, nw, r, nr, extra, sizeof(extra));
	struct creq rq;
	char *body = walk_page_request(w, 1, &rq);

	if (nl || ne)
		check_fail_dep(ck, body ? &rq : NULL, NULL,
			       "the walk with %s yields %zu TaskIds, the walk "
			       "with %s %zu: %zu missing (%s), %zu extra "
			       "(%s); its first request below",
			       what, nw, refname, nr, nl, nl ? lost : "-", ne,
			       ne ? extra : "-");
	free(body);
	free(r);
	free(s);
}

/* The walks PAG-COMPLETE and PAG-ORDER compare: their sizes by the plan's
 * level, the last one (MaxResults absent) the reference. */
static size_t compare_walks(struct check *ck, int *sizes, struct walk *w)
{
	size_t k = plan_compare_sizes(ck->level, ck->cfg.facts.tasks, sizes);

	walks(ck, sizes, NULL, k, w);
	return k;
}

/* Skips a comparison check that has fewer than two tasks to compare;
 * otherwise says what was compared. */
static void compare_coverage(struct check *ck, const struct walk *w,
			     const int *sizes, size_t k, const char *what)
{
	size_t n = task_count(w, k);
	char cov[400];

	if (n < 2) {
		check_skip(ck, "the target has %s: no walk has a second page",
			   n ? "one task" : "no task");
		return;
	}
	size_coverage(w, sizes, k, cov, sizeof(cov));
	check_coverage(ck, "%zu walks yield the same %s of %zu TaskIds; %s",
		       k, what, n, cov);
}

Test(PAG, COMPLETE)
{
	struct check ck;
	struct walk w[6];
	int sizes[6];
	char name[64];
	size_t k;

	check_begin(&ck, "PAG-COMPLETE");
	k = compare_walks(&ck, sizes, w);
	if (all_ended(&ck, w, k))
		for (size_t i = 0; i + 1 < k; i++)
			compare_sets(&ck, &w[k - 1], &w[i],
				     size_name(sizes[i], name, sizeof(name)),
				     "MaxResults absent");
	compare_coverage(&ck, w, sizes, k, "set");
	free_walks(w, k);
	check_end(&ck);
}

/* A deviation when w's order differs from ref's. */
static void compare_order(struct check *ck, const struct walk *ref,
			  const struct walk *w, int size)
{
	char name[64];
	size_t k = 0;
	struct creq rq;
	char *body;

	if (walk_same_order(ref, w))
		return;
	while (k < ref->n && k < w->n &&
	       strcmp(ref->items[k].id, w->items[k].id) == 0)
		k++;
	body = walk_page_request(w, k < w->n ? w->items[k].page : 1, &rq);
	check_fail_dep(ck, body ? &rq : NULL, NULL,
		       "the walk with %s differs from the walk with "
		       "MaxResults absent at item %zu: '%s' where '%s' was "
		       "expected",
		       size_name(size, name, sizeof(name)), k + 1,
		       k < w->n ? w->items[k].id : "(end)",
		       k < ref->n ? ref->items[k].id : "(end)");
	free(body);
}

Test(PAG, ORDER)
{
	struct check ck;
	struct walk w[6];
	int sizes[6];
	size_t k;

	check_begin(&ck, "PAG-ORDER");
	k = compare_walks(&ck, sizes, w);
	if (all_ended(&ck, w, k))
		for (size_t i = 0; i + 1 < k; i++)
			compare_order(&ck, &w[k - 1], &w[i], sizes[i]);
	compare_coverage(&ck, w, sizes, k, "order");
	free_walks(w, k);
	check_end(&ck);
}

/* Items of a filtered walk whose TaskStatus is not the filter. */
static void filter_items(struct check *ck, const struct walk *w,
			 const char *status)
{
	for (size_t i = 0; i < w->n; i++) {
		if (strcmp(w->items[i].status, status) == 0)
			continue;
		struct creq rq;
		char *body = walk_page_request(w, w->items[i].page, &rq);
		check_fail(ck, body ? &rq : NULL, NULL,
			   "with TaskStatus %s, page %zu has TaskId '%s' with "
			   "TaskStatus '%s'",
			   status, w->items[i].page, w->items[i].id,
			   w->items[i].status);
		free(body);
		return;
	}
}

/* The six filtered walks must partition the unfiltered one. */
static void partition(struct check *ck, const struct walk *all,
		      const struct walk f[CONFORM_NSTATUSES])
{
	struct walk u;

	memset(&u, 0, sizeof(u));
	for (size_t s = 0; s < CONFORM_NSTATUSES; s++)
		u.n += f[s].n;
	u.items = calloc(u.n + 1, sizeof(*u.items));
	if (!u.items)
		return;
	for (size_t s = 0, k = 0; s < CONFORM_NSTATUSES; s++)
		for (size_t i = 0; i < f[s].n; i++)
			u.items[k++] = f[s].items[i];
	size_t nu;
	const char **ids = walk_id_set(&u, &nu);
	if (nu != u.n)
		check_fail_dep(ck, NULL, NULL,
			       "the six filtered walks are not disjoint: %zu "
			       "items but %zu distinct TaskIds",
			       u.n, nu);
	free(ids);
	compare_sets(ck, all, &u, "the six filters joined",
		     "no filter and MaxResults absent");
	free(u.items);
}

Test(PAG, FILTER)
{
	struct check ck;
	struct walk all, f[CONFORM_NSTATUSES];
	char counts[256] = "";
	size_t len = 0, empty = 0;
	bool ended;

	check_begin(&ck, "PAG-FILTER");
	walk_simple(&ck, 0, NULL, 0, &all);
	ended = walk_check_end(&ck, &all, false);
	for (size_t s = 0; s < CONFORM_NSTATUSES; s++) {
		walk_simple(&ck, 0, conform_statuses[s], 0, &f[s]);
		ended = walk_check_end(&ck, &f[s], false) && ended;
		filter_items(&ck, &f[s], conform_statuses[s]);
		empty += f[s].n == 0;
		if (len < sizeof(counts))
			len += (size_t)snprintf(counts + len,
						sizeof(counts) - len,
						"%s%s %zu", s ? ", " : "",
						conform_statuses[s], f[s].n);
	}
	if (ended)
		partition(&ck, &all, f);
	check_coverage(&ck, "the six filtered walks (%s) partition the %zu "
			    "TaskIds%s",
		       counts, all.n,
		       empty ? "; a filter without tasks gave an empty "
			       "listing"
			     : "");
	if (task_count(&all, 1) == 0)
		check_skip(&ck, "the target has no task");
	walk_free(&all);
	free_walks(f, CONFORM_NSTATUSES);
	check_end(&ck);
}

/* Pages of the resized walk that hold more than their own MaxResults:
 * after a change, a page must follow the request that fetched it. */
static void resize_sizes(struct check *ck, const struct walk *w,
			 unsigned *shrinks, unsigned *grows)
{
	bool shown = false;

	for (size_t k = 0; k < w->pages && k < w->sent_n; k++) {
		size_t lim = limit_of(w, k);
		if (k > 0 && lim < limit_of(w, k - 1))
			(*shrinks)++;
		else if (k > 0 && lim > limit_of(w, k - 1))
			(*grows)++;
		if (w->got[k] <= lim || shown)
			continue;
		struct creq rq;
		char *body = walk_page_request(w, k + 1, &rq);
		check_fail(ck, body ? &rq : NULL, NULL,
			   "after MaxResults changed from %zu to %zu, page "
			   "%zu has %zu items, more than the request's %zu",
			   k ? limit_of(w, k - 1) : lim, lim, k + 1, w->got[k],
			   lim);
		free(body);
		shown = true;
	}
}

Test(PAG, RESIZE)
{
	/* shrinks at once (3 to 1), so that a server that keeps the first
	 * page's size shows it with seven tasks; then grows and shrinks */
	static const int seq[] = {3, 1, 2, 5, 2, 10, 1, 7, 4, 25,
				  3, 13, 6, 9, 3, 1, 8};
	static const int few[] = {1, 2};
	struct check ck;
	struct walk all, rw;
	unsigned shrinks = 0, grows = 0;
	size_t n, i, j;

	check_begin(&ck, "PAG-RESIZE");
	walk_simple(&ck, 0, NULL, 0, &all);
	n = task_count(&all, 1);
	struct walk_spec spec = {.max_seq = n < 4 ? few : seq,
				 .nmax =
				     n < 4 ? 2 : sizeof(seq) / sizeof(seq[0])};
	walk_run(&ck, &spec, &rw);
	resize_sizes(&ck, &rw, &shrinks, &grows);
	if (walk_check_end(&ck, &all, false) &&
	    walk_check_end(&ck, &rw, false)) {
		if (walk_find_dup(&rw, &i, &j)) {
			struct creq rq;
			char *body = walk_page_request(&rw, rw.items[j].page,
						       &rq);
			check_fail_dep(&ck, body ? &rq : NULL, NULL,
				       "with MaxResults changing, TaskId '%s' "
				       "is on page %zu and again on page %zu",
				       rw.items[i].id, rw.items[i].page,
				       rw.items[j].page);
			free(body);
		}
		compare_sets(&ck, &all, &rw, "MaxResults changing 3, 1, 2, "
				     "5, 2, 10, ...",
			     "MaxResults absent");
	}
	check_coverage(&ck, "MaxResults changed between pages %u time%s "
			    "(shrank %u, grew %u) over %zu pages and %zu "
			    "TaskIds",
		       shrinks + grows, shrinks + grows == 1 ? "" : "s",
		       shrinks, grows, rw.pages, n);
	if (n < 2)
		check_skip(&ck, "the target has %s: MaxResults can change "
				"only between two pages",
			   n ? "one task" : "no task");
	walk_free(&all);
	walk_free(&rw);
	check_end(&ck);
}

/* True when the space-separated TaskIds of a and b are the same set. */
static bool same_ids(const char *a, const char *b)
{
	char x[2048], y[2048];
	const char *ids[2][64];
	size_t n[2] = {0, 0};
	char *bufs[2] = {x, y};

	snprintf(x, sizeof(x), "%s", a);
	snprintf(y, sizeof(y), "%s", b);
	for (int k = 0; k < 2; k++) {
		char *save = NULL;
		for (char *t = strtok_r(bufs[k], " ", &save); t && n[k] < 64;
		     t = strtok_r(NULL, " ", &save))
			ids[k][n[k]++] = t;
	}
	if (n[0] != n[1])
		return false;
	for (size_t i = 0; i < n[0]; i++) {
		bool found = false;
		for (size_t j = 0; j < n[1] && !found; j++)
			found = strcmp(ids[0][i], ids[1][j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* Items m+1 .. 2m of a first page of 2m items (no token involved), into
 * want; false when the target refused or has too few. */
static bool reference_ids(struct check *ck, int m, char *want, size_t n)
{
	char body[32], all[2048];
	struct cresp rs;
	const char *p = all;
	bool ok = false;

	snprintf(body, sizeof(body), "{\"MaxResults\":%d}", 2 * m);
	struct creq rq = {
	    .body = body, .len = strlen(body), .kind = CREQ_VALID};
	if (!check_send(ck, &rq, &rs))
		return false;
	walk_page_ids(&rs, all, sizeof(all));
	if (rs.status != 200)
		check_fail(ck, &rq, &rs, "a valid request was rejected");
	for (int i = 0; i < m && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	ok = rs.status == 200 && p;
	snprintf(want, n, "%s", p ? p : "");
	cresp_free(&rs);
	return ok;
}

/* Sends the page for a token twice. Both answers must be the same page,
 * and hold the items after the first m of the listing (as a first page of
 * 2m shows them): a server that remembers tokens may answer even the first
 * sending differently, and one whose tokens are the same for every walk
 * may have been sent this one before. */
Test(PAG, REPEAT)
{
	struct check ck;
	char *tok = NULL, *body = NULL;
	char first[32], want[1024], got[2][1024];
	size_t n;
	int m;

	check_begin(&ck, "PAG-REPEAT");
	if (!check_survey_listed(&ck)) {
		check_end(&ck);
		return;
	}
	n = ck.cfg.facts.tasks;
	/* m and 2m of the same parity, and 2m items at most */
	m = n >= 8 ? 4 : n >= 4 ? 2 : 1;
	if (n < 2 || !reference_ids(&ck, m, want, sizeof(want))) {
		if (!ck.deviations)
			check_skip(&ck, "the target has %s: a NextToken needs "
					"two tasks",
				   n ? "one task" : "no task");
		check_end(&ck);
		return;
	}
	snprintf(first, sizeof(first), "{\"MaxResults\":%d}", m);
	tok = walk_first_token(&ck, first, true);
	body = tok ? conform_list_body(m, NULL, tok) : NULL;
	struct creq rq = {.body = body,
			  .len = body ? strlen(body) : 0,
			  .kind = CREQ_VALID};
	for (int i = 0; i < 2 && body && check_can_send(&ck); i++) {
		struct cresp rs;
		if (!check_send(&ck, &rq, &rs))
			break;
		walk_page_ids(&rs, got[i], sizeof(got[i]));
		if (rs.status != 200 || !same_ids(got[i], want) ||
		    (i && strcmp(got[0], got[1]) != 0))
			check_fail(
			    &ck, &rq, &rs,
			    "%s of the same request and token got %s "
			    "[%s]; items %d to %d of the listing are "
			    "[%s]",
			    i ? "the second sending" : "the first sending",
			    rs.status == 200 ? "TaskIds" : "an error, not",
			    got[i], m + 1, 2 * m, want);
		cresp_free(&rs);
	}
	if (!tok && !ck.deviations)
		check_skip(&ck, "the target issued no NextToken for %s", first);
	check_coverage(&ck, "the page after a first page of %d items, sent "
			    "twice with the same token",
		       m);
	free(body);
	free(tok);
	check_end(&ck);
}

static void expect_bad_token(struct check *ck, const char *token,
			     const char *what)
{
	char *body = conform_list_body(2, NULL, token);
	struct creq rq = {.body = body,
			  .len = strlen(body),
			  .kind = CREQ_MISTAKE};
	struct cresp rs;

	if (check_send(ck, &rq, &rs)) {
		if (rs.status == 200)
			check_fail(ck, &rq, &rs,
				   "a %s token was answered 200 (a restart)",
				   what);
		else if (rs.status >= 500)
			check_fail(ck, &rq, &rs,
				   "a %s token was answered with a 5xx", what);
		else if (rs.status < 400)
			check_fail(ck, &rq, &rs,
				   "a %s token was not a 4xx", what);
		else if (!rs.has_type ||
			 strcmp(rs.type, "ValidationException") != 0)
			check_fail(ck, &rq, &rs,
				   "a %s token was not a ValidationException",
				   what);
		cresp_free(&rs);
	}
	free(body);
}

/* The truncated and two altered forms of a real token. */
static void damaged_tokens(struct check *ck, const char *tok)
{
	size_t len = strlen(tok);
	char *bad = strdup(tok);

	if (!bad)
		cr_assert_fail("PAG-BADTOKEN: out of memory");
	bad[len / 2] = '\0';
	expect_bad_token(ck, bad, "truncated");
	strcpy(bad, tok);
	bad[len / 2] = bad[len / 2] == 'A' ? 'B' : 'A';
	expect_bad_token(ck, bad, "altered");
	strcpy(bad, tok);
	bad[len - 2] = bad[len - 2] == 'x' ? 'y' : 'x';
	expect_bad_token(ck, bad, "altered");
	free(bad);
}

/* Without a token of its own to damage (a target with fewer than two
 * tasks), only the garbage tokens are judged, and the coverage says so. */
Test(PAG, BADTOKEN)
{
	struct check ck;
	char *tok;

	check_begin(&ck, "PAG-BADTOKEN");
	expect_bad_token(&ck, "garbage-token", "garbage");
	expect_bad_token(&ck, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "garbage");
	tok = walk_first_token(&ck, "{\"MaxResults\":1}", true);
	if (tok && strlen(tok) >= 4) {
		damaged_tokens(&ck, tok);
		check_coverage(&ck, "2 garbage tokens, a truncated and 2 "
				    "altered tokens");
	} else if (tok) {
		check_coverage(&ck, "2 garbage tokens refused; truncated and "
				    "altered tokens untested: the NextToken "
				    "has %zu characters, too few to damage",
			       strlen(tok));
	} else {
		check_coverage(&ck, "2 garbage tokens refused; truncated and "
				    "altered tokens untested: the target "
				    "issued no NextToken (that needs two "
				    "tasks)");
	}
	free(tok);
	check_end(&ck);
}

Test(PAG, FILTERTOKEN)
{
	struct check ck;
	char *tok = NULL;
	size_t s = CONFORM_NSTATUSES;

	check_begin(&ck, "PAG-FILTERTOKEN");
	if (!check_survey_listed(&ck)) {
		check_end(&ck);
		return;
	}
	for (size_t i = 0; i < CONFORM_NSTATUSES && s == CONFORM_NSTATUSES; i++)
		if (ck.cfg.facts.per_status[i] >= 2)
			s = i;
	if (s < CONFORM_NSTATUSES)
		tok = walk_fresh_token(&ck, conform_statuses[s]);
	if (!tok) {
		if (!ck.deviations)
			check_skip(&ck, "no status has two tasks on the "
					"target, so no filtered walk has a "
					"NextToken");
		check_end(&ck);
		return;
	}
	const char *other = conform_statuses[(s + 1) % CONFORM_NSTATUSES];
	char *body = conform_list_body(1, other, tok);
	struct creq rq = {.body = body,
			  .len = strlen(body),
			  .kind = CREQ_MISTAKE};
	struct cresp rs;
	if (check_send(&ck, &rq, &rs)) {
		if (rs.status < 400 || rs.status >= 500)
			check_fail(&ck, &rq, &rs,
				   "a token issued for TaskStatus %s was "
				   "reused with TaskStatus %s and not refused "
				   "with a 4xx",
				   conform_statuses[s], other);
		else if (ck.cfg.facts.repeat == REPEAT_NO)
			/* the token may have been used before: the refusal
			 * may be for that */
			check_fail_dep(&ck, &rq, &rs,
				       "a token issued for TaskStatus %s and "
				       "reused with TaskStatus %s was refused, "
				       "which shows nothing when tokens cannot "
				       "be used twice",
				       conform_statuses[s], other);
		cresp_free(&rs);
	}
	check_coverage(&ck, "a token of a walk with TaskStatus %s sent with "
			    "TaskStatus %s",
		       conform_statuses[s], other);
	free(body);
	free(tok);
	check_end(&ck);
}
