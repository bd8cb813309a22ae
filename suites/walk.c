/* Walking a listing page by page, bounded by the rules of PAG-END: an
 * absent or empty NextToken ends it, a repeated token or more pages than
 * items + 2 is a broken walk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

static void add_item(struct walk *w, const json_t *task, size_t page)
{
	struct walk_item *it;
	const char *id = json_string_value(json_object_get(task, "TaskId"));
	const char *st =
		json_string_value(json_object_get(task, "TaskStatus"));

	if (w->n >= WALK_ITEMS_MAX) {
		w->full = true;
		return;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct walk_item *p = realloc(w->items, cap * sizeof(*p));
		if (!p) {
			w->full = true;
			return;
		}
		w->items = p;
		w->cap = cap;
	}
	it = &w->items[w->n++];
	snprintf(it->id, sizeof(it->id), "%s", id ? id : "");
	snprintf(it->status, sizeof(it->status), "%s", st ? st : "");
	it->page = page;
}

/* Describes the problem with the request that showed it. */
static void set_problem(struct check *ck, struct walk *w,
			enum walk_outcome o, const struct creq *rq,
			const struct cresp *rs, const char *what)
{
	struct blt_buf b;

	buf_init(&b, sizeof(w->problem) - 1);
	buf_printf(&b, NULL, "%s\n    request:  ", what);
	conform_curl(&ck->cfg, rq, &b);
	buf_puts(&b, "\n    response: ", NULL);
	if (rs)
		conform_describe(rs, &b);
	w->outcome = o;
	snprintf(w->problem, sizeof(w->problem), "%s", b.data ? b.data : what);
	buf_free(&b);
}

/* Token strings seen in this walk, to find cycles. */
struct seen {
	char **tok;
	size_t n, cap;
};

static bool seen_add(struct seen *s, const char *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->tok[i], t) == 0)
			return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **p = realloc(s->tok, cap * sizeof(*p));
		if (!p)
			return true;
		s->tok = p;
		s->cap = cap;
	}
	/* out of memory: not remembered; WALK_TOO_LONG still ends a cycle */
	s->tok[s->n] = strdup(t);
	if (s->tok[s->n])
		s->n++;
	return true;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->tok[i]);
	free(s->tok);
}

/* One page: returns the next token (borrowed from rs) or NULL when the walk
 * stops, with w->outcome saying why. */
static const char *take_page(struct check *ck, struct walk *w,
			     const struct creq *rq, const struct cresp *rs)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	const json_t *next = json_object_get(rs->json, "NextToken");
	size_t i;
	json_t *t;
	char what[256];

	if (rs->status != 200 || !json_is_object(rs->json)) {
		snprintf(what, sizeof(what),
			 "page %zu of a walk was not a 200 with a JSON object",
			 w->pages + 1);
		set_problem(ck, w, WALK_REJECTED, rq, rs, what);
		w->rejected_page = w->pages + 1;
		return NULL;
	}
	w->pages++;
	if (json_is_array(tasks)) {
		json_array_foreach(tasks, i, t) add_item(w, t, w->pages);
		if (json_array_size(tasks) > w->max_page)
			w->max_page = json_array_size(tasks);
		if (w->pages <= w->sent_n)
			w->got[w->pages - 1] = json_array_size(tasks);
	}
	if (!json_is_string(next) || !*json_string_value(next)) {
		w->outcome = WALK_ENDED;
		return NULL;
	}
	return json_string_value(next);
}

/* Remembers what page sent_n + 1 was fetched with. */
static void note_sent(struct walk *w, int max, const char *token)
{
	if (w->sent_n == w->sent_cap) {
		size_t cap = w->sent_cap ? w->sent_cap * 2 : 64;
		char **t = realloc(w->sent_token, cap * sizeof(*t));
		if (!t)
			return;
		w->sent_token = t;
		int *m = realloc(w->sent_max, cap * sizeof(*m));
		if (!m)
			return;
		w->sent_max = m;
		size_t *g = realloc(w->got, cap * sizeof(*g));
		if (!g)
			return;
		w->got = g;
		w->sent_cap = cap;
	}
	w->sent_token[w->sent_n] = token ? strdup(token) : NULL;
	w->got[w->sent_n] = 0;
	w->sent_max[w->sent_n++] = max;
}

char *walk_page_request(const struct walk *w, size_t page, struct creq *rq)
{
	char *body;

	memset(rq, 0, sizeof(*rq));
	if (page < 1 || page > w->sent_n)
		return NULL;
	body = conform_list_body(w->sent_max[page - 1], w->status,
				 w->sent_token[page - 1]);
	rq->body = body;
	rq->len = body ? strlen(body) : 0;
	rq->kind = CREQ_VALID;
	return body;
}

bool walk_check_end(struct check *ck, const struct walk *w,
		    bool as_deviation)
{
	switch (w->outcome) {
	case WALK_ENDED:
	case WALK_CAPPED:
		return true;
	case WALK_NO_ANSWER:
		return false; /* already a deviation of ck */
	case WALK_STOPPED:
		check_skip(ck, "a walk could not finish: %s", w->problem);
		return false;
	case WALK_REJECTED:
		if (w->rejected_page > 1)
			check_fail_dep(ck, NULL, NULL,
				       "a later page of a walk was refused: "
				       "%s",
				       w->problem);
		else
			check_fail(ck, NULL, NULL,
				   "a valid request was rejected: %s",
				   w->problem);
		return false;
	default:
		if (as_deviation)
			check_fail(ck, NULL, NULL, "%s", w->problem);
		else
			check_skip(ck, "a walk does not end (see PAG-END)");
		return false;
	}
}

void walk_run(struct check *ck, const struct walk_spec *spec,
	      struct walk *w)
{
	struct seen seen = {0};
	char *token = NULL;

	memset(w, 0, sizeof(*w));
	w->status = spec->status;
	for (;;) {
		size_t k = w->pages < spec->nmax ? w->pages : spec->nmax - 1;
		int max = spec->max_seq[k];
		char *body = conform_list_body(max, spec->status, token);

		note_sent(w, max, token);
		struct creq rq = {.body = body,
				  .len = strlen(body),
				  .kind = CREQ_VALID};
		struct cresp rs;
		const char *next;

		if (!check_send(ck, &rq, &rs)) {
			snprintf(w->problem, sizeof(w->problem),
				 "the target gave no answer: %s", rs.neterr);
			w->outcome = ck->dead ? WALK_NO_ANSWER : WALK_STOPPED;
			free(body);
			break;
		}
		if (spec->on_page)
			spec->on_page(ck, &rq, &rs, spec->arg);
		next = take_page(ck, w, &rq, &rs);
		free(token);
		token = NULL;
		if (w->full) {
			w->outcome = WALK_STOPPED;
			snprintf(w->problem, sizeof(w->problem),
				 "the walk holds more than %d TaskIds (the "
				 "most blt-conform keeps of one walk), or "
				 "memory ran out",
				 WALK_ITEMS_MAX);
		} else if (next && !seen_add(&seen, next))
			set_problem(ck, w, WALK_CYCLE, &rq, &rs,
				    "a NextToken came back (the walk cycles)");
		else if (next && (w->pages > w->n + 2 ||
				  w->pages >= WALK_PAGES_MAX))
			set_problem(ck, w, WALK_TOO_LONG, &rq, &rs,
				    "the walk has more pages than items + 2");
		else if (next && spec->max_pages &&
			 w->pages >= spec->max_pages)
			w->outcome = WALK_CAPPED;
		else if (next) {
			token = strdup(next);
			snprintf(w->last_token, sizeof(w->last_token), "%s",
				 next);
			if (!token) {
				w->outcome = WALK_STOPPED;
				snprintf(w->problem, sizeof(w->problem),
					 "out of memory");
			}
		}
		cresp_free(&rs);
		free(body);
		if (!token)
			break;
	}
	free(token);
	seen_free(&seen);
	observe_walk(&ck->obs, w);
}

void walk_simple(struct check *ck, int max, const char *status,
		 size_t max_pages, struct walk *w)
{
	struct walk_spec spec = {.max_seq = &max,
				 .nmax = 1,
				 .status = status,
				 .max_pages = max_pages};

	walk_run(ck, &spec, w);
}

void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->sent_n; i++)
		free(w->sent_token[i]);
	free(w->sent_token);
	free(w->sent_max);
	free(w->got);
	free(w->items);
	memset(w, 0, sizeof(*w));
}

bool walk_same_order(const struct walk *a, const struct walk *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i].id, b->items[i].id) != 0)
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **walk_id_set(const struct walk *w, size_t *n)
{
	const char **ids = malloc((w->n + 1) * sizeof(*ids));
	size_t k = 0;

	*n = 0;
	if (!ids)
		return NULL;
	for (size_t i = 0; i < w->n; i++)
		ids[i] = w->items[i].id;
	qsort(ids, w->n, sizeof(*ids), cmp_str);
	for (size_t i = 0; i < w->n; i++)
		if (k == 0 || strcmp(ids[k - 1], ids[i]) != 0)
			ids[k++] = ids[i];
	*n = k;
	return ids;
}

/* A TaskId and where it is, for finding duplicates by sorting. */
struct id_at {
	const char *id;
	size_t at;
};

static int cmp_id_at(const void *a, const void *b)
{
	const struct id_at *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

bool walk_find_dup(const struct walk *w, size_t *first, size_t *again)
{
	struct id_at *v = malloc((w->n + 1) * sizeof(*v));
	size_t k = 0;
	bool found = false;

	if (!v)
		return false;
	for (size_t i = 0; i < w->n; i++)
		if (w->items[i].id[0])
			v[k++] = (struct id_at){w->items[i].id, i};
	qsort(v, k, sizeof(*v), cmp_id_at);
	/* the duplicate met first in walk order: the smallest second place */
	for (size_t i = 1; i < k; i++) {
		if (strcmp(v[i - 1].id, v[i].id) != 0 ||
		    (found && v[i].at >= *again))
			continue;
		size_t j = i - 1;
		while (j > 0 && strcmp(v[j - 1].id, v[i].id) == 0)
			j--;
		*first = v[j].at;
		*again = v[j + 1].at;
		found = true;
	}
	free(v);
	return found;
}

char *walk_fresh_token(struct check *ck, const char *status)
{
	char *body = conform_list_body(1, status, NULL);
	char *tok = walk_first_token(ck, body, true);

	free(body);
	return tok;
}

char *walk_first_token(struct check *ck, const char *body,
		       bool must_succeed)
{
	struct creq rq = {
	    .body = body, .len = strlen(body), .kind = CREQ_VALID};
	struct cresp rs;
	char *tok = NULL;

	if (!check_send(ck, &rq, &rs))
		return NULL;
	const char *t = json_string_value(json_object_get(rs.json,
							  "NextToken"));
	if (rs.status != 200 && must_succeed)
		check_fail(ck, &rq, &rs, "a valid request was rejected");
	else if (rs.status == 200 && t && *t)
		tok = strdup(t);
	cresp_free(&rs);
	return tok;
}

void walk_page_ids(const struct cresp *rs, char *out, size_t n)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	size_t i, len = 0;
	json_t *t;

	out[0] = '\0';
	json_array_foreach(tasks, i, t) {
		const char *id =
		    json_string_value(json_object_get(t, "TaskId"));
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s",
						i ? " " : "", id ? id : "?");
	}
}
