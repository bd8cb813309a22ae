/* PAG-*: pagination. Walks through every page with several page sizes and
 * filters, and judges the pages, the tokens and the sets they yield. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "conform.h"

#define NSIZES 5
#define PAGE_LARGEST 100

/* The walks PAG-SIZE, -DUP, -COMPLETE and -ORDER compare; 0 = absent. */
static const int sizes[NSIZES] = {1, 2, 7, 100, 0};

static void five_walks(struct check *ck, struct walk w[NSIZES],
		       walk_page_fn fn)
{
	for (size_t i = 0; i < NSIZES; i++) {
		if (ck->dead) {
			memset(&w[i], 0, sizeof(w[i]));
			w[i].outcome = WALK_NO_ANSWER;
			continue;
		}
		walk_run(ck, &sizes[i], 1, NULL, &w[i], fn, NULL);
	}
}

static void free_walks(struct walk *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		walk_free(&w[i]);
}

/* The number of distinct TaskIds the largest complete walk found. */
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

static void page_size_fn(struct check *ck, const struct creq *rq,
			 const struct cresp *rs, void *arg)
{
	json_t *req = json_loadb(rq->body, rq->len, 0, NULL);
	json_int_t max = json_integer_value(json_object_get(req,
							    "MaxResults"));
	size_t limit = max > 0 ? (size_t)max : PAGE_LARGEST;
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");

	json_decref(req);
	if (rs->status == 200 && json_array_size(tasks) > limit)
		check_fail(ck, rq, rs, "a page has %zu items, more than %zu",
			   json_array_size(tasks), limit);
}

Test(PAG, SIZE)
{
	struct check ck;
	struct walk w[NSIZES];
	size_t n;

	check_begin(&ck, "PAG-SIZE");
	five_walks(&ck, w, page_size_fn);
	all_ended(&ck, w, NSIZES);
	n = task_count(w, NSIZES);
	if (n <= PAGE_LARGEST)
		check_skip(&ck,
			   "the target has %zu tasks; PAG-SIZE needs more "
			   "than %d (the largest page) to exercise every page "
			   "size",
			   n, PAGE_LARGEST);
	free_walks(w, NSIZES);
	check_end(&ck);
}

Test(PAG, END)
{
	static const int extra[] = {4, 50};
	struct check ck;
	struct walk w[NSIZES + 2];
	size_t longest = 0;

	check_begin(&ck, "PAG-END");
	five_walks(&ck, w, NULL);
	for (size_t i = 0; i < 2; i++)
		walk_run(&ck, &extra[i], 1, NULL, &w[NSIZES + i], NULL, NULL);
	for (size_t i = 0; i < NSIZES + 2; i++) {
		walk_check_end(&ck, &w[i], true);
		if (w[i].pages > longest)
			longest = w[i].pages;
	}
	if (longest < 2)
		check_skip(&ck, "no walk had a second page (the target has "
				"too few tasks to issue a NextToken)");
	free_walks(w, NSIZES + 2);
	check_end(&ck);
}

/* Reports the first TaskId that appears twice in w. */
static void find_dup(struct check *ck, const struct walk *w)
{
	char name[64];

	for (size_t i = 0; i < w->n; i++) {
		for (size_t j = i + 1; j < w->n; j++) {
			if (strcmp(w->items[i].id, w->items[j].id) != 0)
				continue;
			struct creq rq;
			char *body = walk_page_request(w, w->items[j].page,
						       &rq);
			check_fail(ck, body ? &rq : NULL, NULL,
				   "in the walk with %s, TaskId '%s' is on "
				   "page %zu and again on page %zu (the "
				   "request of page %zu below)",
				   size_name(w->sent_max ? w->sent_max[0] : 0,
					     name, sizeof(name)),
				   w->items[i].id, w->items[i].page,
				   w->items[j].page, w->items[j].page);
			free(body);
			return;
		}
	}
}

Test(PAG, DUP)
{
	struct check ck;
	struct walk w[NSIZES];

	check_begin(&ck, "PAG-DUP");
	five_walks(&ck, w, NULL);
	for (size_t i = 0; i < NSIZES; i++)
		find_dup(&ck, &w[i]);
	all_ended(&ck, w, NSIZES);
	if (task_count(w, NSIZES) < 2)
		check_skip(&ck, "the target has fewer than 2 tasks");
	free_walks(w, NSIZES);
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
							"%s%s", miss ? ", " : "",
							a[i]);
			miss++;
			i++;
		} else {
			j++;
		}
	}
	return miss;
}

static void compare_sets(struct check *ck, const struct walk *ref,
			 const struct walk *w, const char *what)
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
		check_fail(ck, body ? &rq : NULL, NULL,
			   "the walk with %s yields %zu TaskIds, the walk with "
			   "MaxResults absent %zu: %zu missing (%s), %zu extra "
			   "(%s); its first request below",
			   what, nw, nr, nl, nl ? lost : "-", ne,
			   ne ? extra : "-");
	free(body);
	free(r);
	free(s);
}

Test(PAG, COMPLETE)
{
	struct check ck;
	struct walk w[NSIZES];
	char name[64];
	size_t n;

	check_begin(&ck, "PAG-COMPLETE");
	five_walks(&ck, w, NULL);
	if (all_ended(&ck, w, NSIZES))
		for (size_t i = 0; i + 1 < NSIZES; i++)
			compare_sets(&ck, &w[NSIZES - 1], &w[i],
				     size_name(sizes[i], name, sizeof(name)));
	n = task_count(w, NSIZES);
	if (n <= PAGE_LARGEST)
		check_skip(&ck,
			   "the target has %zu tasks; PAG-COMPLETE needs more "
			   "than %d (the largest page)",
			   n, PAGE_LARGEST);
	free_walks(w, NSIZES);
	check_end(&ck);
}

Test(PAG, ORDER)
{
	struct check ck;
	struct walk w[NSIZES];
	const struct walk *ref = &w[NSIZES - 1];
	char name[64];
	size_t n;

	check_begin(&ck, "PAG-ORDER");
	five_walks(&ck, w, NULL);
	if (all_ended(&ck, w, NSIZES)) {
		for (size_t i = 0; i + 1 < NSIZES; i++) {
			size_t k = 0;
			if (walk_same_order(ref, &w[i]))
				continue;
			while (k < ref->n && k < w[i].n &&
			       strcmp(ref->items[k].id, w[i].items[k].id) == 0)
				k++;
			struct creq rq;
			char *body = walk_page_request(
				&w[i], k < w[i].n ? w[i].items[k].page : 1,
				&rq);
			check_fail(&ck, body ? &rq : NULL, NULL,
				   "the walk with %s differs from the walk "
				   "with MaxResults absent at item %zu: '%s' "
				   "where '%s' was expected",
				   size_name(sizes[i], name, sizeof(name)),
				   k + 1, k < w[i].n ? w[i].items[k].id : "(end)",
				   k < ref->n ? ref->items[k].id : "(end)");
			free(body);
		}
	}
	n = task_count(w, NSIZES);
	if (n <= PAGE_LARGEST)
		check_skip(&ck,
			   "the target has %zu tasks; PAG-ORDER needs more "
			   "than %d (the largest page)",
			   n, PAGE_LARGEST);
	free_walks(w, NSIZES);
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

static size_t count_status(const struct walk *w, const char *status)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n; i++)
		n += strcmp(w->items[i].status, status) == 0;
	return n;
}

/* The six filtered walks must partition the unfiltered one. */
static void partition(struct check *ck, const struct walk *all,
		      const struct walk f[6])
{
	struct walk u;

	memset(&u, 0, sizeof(u));
	for (size_t s = 0; s < 6; s++)
		u.n += f[s].n;
	u.items = calloc(u.n + 1, sizeof(*u.items));
	if (!u.items)
		return;
	for (size_t s = 0, k = 0; s < 6; s++)
		for (size_t i = 0; i < f[s].n; i++)
			u.items[k++] = f[s].items[i];
	size_t nu;
	const char **ids = walk_id_set(&u, &nu);
	if (nu != u.n)
		check_fail(ck, NULL, NULL,
			   "the six filtered walks are not disjoint: %zu items "
			   "but %zu distinct TaskIds",
			   u.n, nu);
	free(ids);
	compare_sets(ck, all, &u, "the six filters joined");
	free(u.items);
}

Test(PAG, FILTER)
{
	static const int absent[] = {0};
	struct check ck;
	struct walk all, f[6];
	char empty[256] = "";
	bool ended;

	check_begin(&ck, "PAG-FILTER");
	walk_run(&ck, absent, 1, NULL, &all, NULL, NULL);
	ended = walk_check_end(&ck, &all, false);
	for (size_t s = 0; s < 6; s++) {
		walk_run(&ck, absent, 1, conform_statuses[s], &f[s], NULL,
			 NULL);
		ended = walk_check_end(&ck, &f[s], false) && ended;
		filter_items(&ck, &f[s], conform_statuses[s]);
		if (!count_status(&all, conform_statuses[s]))
			snprintf(empty + strlen(empty),
				 sizeof(empty) - strlen(empty), "%s%s",
				 empty[0] ? ", " : "", conform_statuses[s]);
	}
	if (ended)
		partition(&ck, &all, f);
	if (empty[0])
		check_skip(&ck, "the target has no task with status %s",
			   empty);
	walk_free(&all);
	free_walks(f, 6);
	check_end(&ck);
}

Test(PAG, RESIZE)
{
	static const int absent[] = {0};
	static const int seq[] = {5, 3, 10, 1, 7, 2, 25, 4, 13, 6, 9, 3, 1, 8};
	struct check ck;
	struct walk all, rw;

	check_begin(&ck, "PAG-RESIZE");
	walk_run(&ck, absent, 1, NULL, &all, NULL, NULL);
	walk_run(&ck, seq, sizeof(seq) / sizeof(seq[0]), NULL, &rw, NULL,
		 NULL);
	if (walk_check_end(&ck, &all, false) &&
	    walk_check_end(&ck, &rw, false)) {
		find_dup(&ck, &rw);
		compare_sets(&ck, &all, &rw,
			     "MaxResults changing 5, 3, 10, 1, 7, ...");
	}
	if (task_count(&all, 1) < 20)
		check_skip(&ck, "the target has %zu tasks; PAG-RESIZE needs "
				"at least 20",
			   task_count(&all, 1));
	walk_free(&all);
	walk_free(&rw);
	check_end(&ck);
}

/* The TaskIds of a page, joined by spaces, into out. */
static void page_ids(const struct cresp *rs, char *out, size_t n)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	size_t i, len = 0;
	json_t *t;

	out[0] = '\0';
	json_array_foreach(tasks, i, t) {
		const char *id = json_string_value(json_object_get(t, "TaskId"));
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s",
						i ? " " : "", id ? id : "?");
	}
}

/* The TaskIds from..from+count of a walk, likewise. */
static void walk_ids(const struct walk *w, size_t from, size_t count,
		     char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = from; i < from + count && i < w->n && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s",
					i > from ? " " : "", w->items[i].id);
}

/* Sends the page for tok twice. Each answer must be the same page, and the
 * page that follows the first five items of the listing: a server that
 * remembers tokens may answer even the first resend differently. */
Test(PAG, REPEAT)
{
	static const int absent[] = {0};
	struct check ck;
	struct walk ref;
	char *tok, *body;
	char want[1024], got[2][1024];

	check_begin(&ck, "PAG-REPEAT");
	walk_run(&ck, absent, 1, NULL, &ref, NULL, NULL);
	tok = walk_first_token(&ck, "{\"MaxResults\":5}", true);
	if (!tok || !walk_check_end(&ck, &ref, false) || ref.n < 10) {
		check_skip(&ck, "the target has fewer than 10 tasks");
		free(tok);
		walk_free(&ref);
		check_end(&ck);
		return;
	}
	walk_ids(&ref, 5, 5, want, sizeof(want));
	body = conform_list_body(5, NULL, tok);
	struct creq rq = {.body = body, .len = strlen(body)};
	for (int k = 0; k < 2 && !ck.dead; k++) {
		struct cresp rs;
		if (!check_send(&ck, &rq, &rs))
			break;
		page_ids(&rs, got[k], sizeof(got[k]));
		if (rs.status != 200 || strcmp(got[k], want) != 0)
			check_fail(&ck, &rq, &rs,
				   "%s of the same request and token got "
				   "TaskIds [%s]; items 6 to 10 of the "
				   "listing are [%s]",
				   k ? "the second sending" : "the first sending",
				   got[k], want);
		cresp_free(&rs);
	}
	free(body);
	free(tok);
	walk_free(&ref);
	check_end(&ck);
}

static void expect_bad_token(struct check *ck, const char *token,
			     const char *what)
{
	char *body = conform_list_body(2, NULL, token);
	struct creq rq = {.body = body, .len = strlen(body)};
	struct cresp rs;

	if (check_send(ck, &rq, &rs)) {
		if (rs.status == 200)
			check_fail(ck, &rq, &rs,
				   "a %s token was answered 200 (a restart)",
				   what);
		else if (rs.status >= 500)
			check_fail(ck, &rq, &rs,
				   "a %s token was answered with a 5xx", what);
		else if (rs.status < 400 || rs.status >= 500)
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

/* Without a token of its own to damage (a target with fewer tasks than a
 * page), only the garbage tokens are judged: their deviations fail the
 * check; without any, it is skipped with what they showed and what could
 * not be tested. */
Test(PAG, BADTOKEN)
{
	struct check ck;
	char *tok;
	char why[200];

	check_begin(&ck, "PAG-BADTOKEN");
	expect_bad_token(&ck, "garbage-token", "garbage");
	expect_bad_token(&ck, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "garbage");
	tok = walk_first_token(&ck, "{\"MaxResults\":2}", true);
	if (tok && strlen(tok) >= 4) {
		size_t len = strlen(tok);
		char *bad = strdup(tok);
		if (!bad)
			cr_assert_fail("PAG-BADTOKEN: out of memory");
		bad[len / 2] = '\0';
		expect_bad_token(&ck, bad, "truncated");
		strcpy(bad, tok);
		bad[len / 2] = bad[len / 2] == 'A' ? 'B' : 'A';
		expect_bad_token(&ck, bad, "altered");
		strcpy(bad, tok);
		bad[len - 2] = bad[len - 2] == 'x' ? 'y' : 'x';
		expect_bad_token(&ck, bad, "altered");
		free(bad);
	} else {
		if (tok)
			snprintf(why, sizeof(why),
				 "the NextToken issued for MaxResults 2 has "
				 "%zu characters, too few to truncate or alter",
				 strlen(tok));
		else
			snprintf(why, sizeof(why),
				 "the target issued no NextToken for "
				 "MaxResults 2 (that needs 3 tasks or more)");
		if (ck.deviations)
			check_note(&ck, "truncated and altered tokens "
					"untested: %s",
				   why);
		else
			check_skip(&ck, "the 2 garbage tokens were refused as "
					"required; truncated and altered "
					"tokens untested: %s",
				   why);
	}
	free(tok);
	check_end(&ck);
}

Test(PAG, FILTERTOKEN)
{
	struct check ck;
	char *tok = NULL;
	size_t s;

	check_begin(&ck, "PAG-FILTERTOKEN");
	for (s = 0; s < 6 && !tok && !ck.dead; s++) {
		char *body = conform_list_body(1, conform_statuses[s], NULL);
		tok = walk_first_token(&ck, body, true);
		free(body);
	}
	if (!tok) {
		check_skip(&ck, "no status has two tasks on the target, so no "
				"filtered walk issued a NextToken");
		check_end(&ck);
		return;
	}
	const char *other = conform_statuses[s % 6];
	char *body = conform_list_body(1, other, tok);
	struct creq rq = {.body = body, .len = strlen(body)};
	struct cresp rs;
	if (check_send(&ck, &rq, &rs)) {
		if (rs.status < 400 || rs.status >= 500)
			check_fail(&ck, &rq, &rs,
				   "a token issued for TaskStatus %s was "
				   "reused with TaskStatus %s and not refused "
				   "with a 4xx",
				   conform_statuses[s - 1], other);
		cresp_free(&rs);
	}
	free(body);
	free(tok);
	check_end(&ck);
}
