/* The survey the runner makes before the checks: how many tasks the target
 * holds and of which status, and whether a NextToken can be used twice.
 * The plan sizes the checks by it, and the checks that a target with
 * single-use tokens would fail by itself depend on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

/* The page cap of the survey's walk under a budget: a quarter of it. */
static size_t walk_cap(const struct conform_config *cfg)
{
	return cfg->max_requests ? (size_t)(cfg->max_requests / 4) : 0;
}

/* What the walk's first page was answered, from its problem: the
 * response's status, type and Content-Type, or why nothing came. */
static void first_page_answer(const struct walk *w, char *out, size_t n)
{
	const char *r = strstr(w->problem, "response: ");
	size_t len;

	if (!r) {
		snprintf(out, n, "%.200s", w->problem);
		return;
	}
	r += strlen("response: ");
	len = strcspn(r, "\n");
	if (strstr(r, ", body") && (size_t)(strstr(r, ", body") - r) < len)
		len = (size_t)(strstr(r, ", body") - r);
	snprintf(out, n, "%.*s", (int)(len < 200 ? len : 200), r);
}

/* Counts the tasks by a walk with MaxResults 100, or absent when the
 * target refuses 100 (RNG-EDGE judges that); when neither gets a first
 * page, f->unlisted says what the target answered. */
static void count_tasks(struct check *ck, struct target_facts *f)
{
	static const int sizes[] = {100, 0};
	char answer[2][220];
	struct walk w;
	const char **ids;
	size_t n;

	for (size_t i = 0; i < 2; i++) {
		walk_simple(ck, sizes[i], NULL, walk_cap(&ck->cfg), &w);
		if (w.pages)
			break;
		first_page_answer(&w, answer[i], sizeof(answer[i]));
		walk_free(&w);
		if (i == 1 || !check_can_send(ck)) {
			snprintf(f->unlisted, sizeof(f->unlisted),
				 "MaxResults 100: %.100s; MaxResults absent: "
				 "%.100s",
				 answer[0], i ? answer[1] : "not sent");
			return;
		}
	}
	ids = walk_id_set(&w, &n);
	free(ids);
	f->tasks = n;
	f->tasks_exact = w.outcome == WALK_ENDED;
	for (size_t i = 0; i < w.n; i++)
		for (size_t s = 0; s < 6; s++)
			if (strcmp(w.items[i].status, conform_statuses[s]) == 0)
				f->per_status[s]++;
	walk_free(&w);
}

/* Sends body and copies the TaskIds of a 200 answer into ids; false when
 * the answer was not a 200. */
static bool page_of(struct check *ck, const char *body, char *ids, size_t n,
		    struct cresp *rs)
{
	struct creq rq = {
	    .body = body, .len = strlen(body), .kind = CREQ_VALID};

	ids[0] = '\0';
	if (!check_send(ck, &rq, rs))
		return false;
	if (rs->status != 200)
		return false;
	walk_page_ids(rs, ids, n);
	return true;
}

/* A token of a first page with MaxResults m, used twice. */
static void probe_repeat(struct check *ck, struct target_facts *f)
{
	int m = f->tasks > 3 ? 3 : (int)f->tasks - 1;
	char first[32], a[512], b[512];
	struct cresp rs;
	char *tok, *body;

	snprintf(first, sizeof(first), "{\"MaxResults\":%d}", m);
	tok = walk_first_token(ck, first, false);
	if (!tok)
		return;
	body = conform_list_body(m, NULL, tok);
	if (page_of(ck, body, a, sizeof(a), &rs)) {
		cresp_free(&rs);
		bool ok = page_of(ck, body, b, sizeof(b), &rs);
		f->repeat = ok && strcmp(a, b) == 0 ? REPEAT_YES : REPEAT_NO;
		if (!ok && rs.answered)
			snprintf(f->repeat_why, sizeof(f->repeat_why),
				 "a NextToken sent a second time was answered "
				 "HTTP %ld%s%s",
				 rs.status, rs.has_type ? " " : "",
				 rs.has_type ? rs.type : "");
		else if (ok && f->repeat == REPEAT_NO)
			snprintf(f->repeat_why, sizeof(f->repeat_why),
				 "a NextToken sent a second time answered "
				 "[%.120s] after [%.120s]",
				 b, a);
	}
	cresp_free(&rs);
	free(body);
	free(tok);
}

void runner_survey(struct runner *r)
{
	struct check ck;
	struct blt_err err = {0};
	struct target_facts *f = &r->cfg.facts;

	memset(f, 0, sizeof(*f));
	if (check_open(&ck, &r->cfg, "survey", &err))
		return;
	count_tasks(&ck, f);
	if (f->tasks >= 2 && check_can_send(&ck))
		probe_repeat(&ck, f);
	check_close(&ck);
}
