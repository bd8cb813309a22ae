/* The observers: the response invariants (PAG-SIZE against each request's
 * MaxResults, ENU-RESP, SCH-RESP, SCH-TIME, HDR-CTYPE, HDR-REQID, ERR-TYPE,
 * ERR-STATUS, ERR-MSG, ERR-NO5XX) judge every response the run receives,
 * and the walk invariants (PAG-END, PAG-DUP) every walk, whichever check
 * made them. Each process keeps its own tally; the runner adds them up. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/schema.h"
#include "conform.h"

#define OBS_SHOWN_MAX 5
#define OBS_TEXT_MAX (64 * 1024)
#define REQIDS_MAX 200000
#define LBT_TARGET AWSJSON_TARGET_PREFIX "ListBatchLoadTasks"

static const char *const obs_ids[OBS_COUNT] = {
	[OBS_PAG_SIZE] = "PAG-SIZE",	 [OBS_PAG_END] = "PAG-END",
	[OBS_PAG_DUP] = "PAG-DUP",	 [OBS_ENU_RESP] = "ENU-RESP",
	[OBS_SCH_RESP] = "SCH-RESP",	 [OBS_SCH_TIME] = "SCH-TIME",
	[OBS_HDR_CTYPE] = "HDR-CTYPE",	 [OBS_HDR_REQID] = "HDR-REQID",
	[OBS_ERR_TYPE] = "ERR-TYPE",	 [OBS_ERR_STATUS] = "ERR-STATUS",
	[OBS_ERR_MSG] = "ERR-MSG",	 [OBS_ERR_NO5XX] = "ERR-NO5XX",
};

const char *observe_check_id(enum obs_id o)
{
	return obs_ids[o];
}

int observe_lookup(const char *id)
{
	for (int i = 0; i < OBS_COUNT; i++)
		if (strcmp(obs_ids[i], id) == 0)
			return i;
	return -1;
}

void observe_init(struct observer *o, const struct conform_config *cfg,
		  const char *source)
{
	memset(o, 0, sizeof(*o));
	o->cfg = cfg;
	o->source = source;
	for (int i = 0; i < OBS_COUNT; i++)
		buf_init(&o->t[i].text, OBS_TEXT_MAX);
}

void observe_free(struct observer *o)
{
	for (int i = 0; i < OBS_COUNT; i++)
		buf_free(&o->t[i].text);
	for (size_t i = 0; i < o->nreqid; i++)
		free(o->reqids[i]);
	free(o->reqids);
	memset(o, 0, sizeof(*o));
}

static void deviation(struct observer *o, enum obs_id id, const struct creq *rq,
		      const struct cresp *rs, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Records a deviation of invariant id, written out in full while few. */
static void deviation(struct observer *o, enum obs_id id,
		      const struct creq *rq, const struct cresp *rs,
		      const char *fmt, ...)
{
	struct obs_tally *t = &o->t[id];
	char lead[64];
	va_list ap;

	t->deviations++;
	if (t->shown >= OBS_SHOWN_MAX)
		return;
	t->shown++;
	snprintf(lead, sizeof(lead), "  - [seen in %s] ", o->source);
	va_start(ap, fmt);
	conform_deviation(&t->text, o->cfg, lead, rq, rs, fmt, ap);
	va_end(ap);
}

static bool known_status(const char *s)
{
	for (size_t i = 0; i < CONFORM_NSTATUSES; i++)
		if (strcmp(conform_statuses[i], s) == 0)
			return true;
	return false;
}

/* True when rq addresses ListBatchLoadTasks. */
static bool lists(const struct creq *rq)
{
	return !rq->no_target &&
	       (!rq->target || strcmp(rq->target, LBT_TARGET) == 0);
}

/* The page limit rq sets: MaxResults 1..100, 100 when absent; 0 when it
 * sets none (a MaxResults outside the contract, a body that is not an
 * object). */
static size_t page_limit(const struct creq *rq)
{
	json_t *req = json_loadb(rq->body ? rq->body : "{}",
				 rq->body ? rq->len : 2, 0, NULL);
	const json_t *m = json_object_get(req, "MaxResults");
	size_t limit = 0;

	if (json_is_object(req) && !m)
		limit = CONFORM_PAGE_MAX;
	else if (json_is_integer(m) && json_integer_value(m) >= 1 &&
		 json_integer_value(m) <= CONFORM_PAGE_MAX)
		limit = (size_t)json_integer_value(m);
	json_decref(req);
	return limit;
}

static void judge_page_size(struct observer *o, const struct creq *rq,
			    const struct cresp *rs)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	size_t limit = page_limit(rq);

	if (!limit || !json_is_array(tasks))
		return;
	o->t[OBS_PAG_SIZE].judged++;
	if (json_array_size(tasks) > limit)
		deviation(o, OBS_PAG_SIZE, rq, rs,
			  "a page has %zu items, more than the request's "
			  "MaxResults (%zu)",
			  json_array_size(tasks), limit);
}

static void judge_tasks(struct observer *o, const struct creq *rq,
			const struct cresp *rs)
{
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	bool enum_bad = false, time_bad = false;
	size_t i;
	json_t *t;

	json_array_foreach(tasks, i, t) {
		const json_t *st = json_object_get(t, "TaskStatus");
		const json_t *c = json_object_get(t, "CreationTime");
		const json_t *u = json_object_get(t, "LastUpdatedTime");

		if (st) {
			o->t[OBS_ENU_RESP].judged++;
			if (!enum_bad &&
			    (!json_is_string(st) ||
			     !known_status(json_string_value(st)))) {
				char *v = json_dumps(st, JSON_ENCODE_ANY);
				deviation(o, OBS_ENU_RESP, rq, rs,
					  "task %zu has TaskStatus %s, not one "
					  "of the six values",
					  i, v ? v : "?");
				free(v);
				enum_bad = true;
			}
		}
		if (!json_is_number(c) || !json_is_number(u))
			continue;
		o->t[OBS_SCH_TIME].judged++;
		if (!time_bad && json_number_value(c) > json_number_value(u)) {
			const char *id = json_string_value(
				json_object_get(t, "TaskId"));
			deviation(o, OBS_SCH_TIME, rq, rs,
				  "task '%s' has CreationTime %.3f after "
				  "LastUpdatedTime %.3f",
				  id ? id : "?", json_number_value(c),
				  json_number_value(u));
			time_bad = true;
		}
	}
}

static void judge_ok(struct observer *o, const struct creq *rq,
		     const struct cresp *rs)
{
	struct schema_violation v[3];
	size_t n;

	if (!lists(rq))
		return;
	o->t[OBS_SCH_RESP].judged++;
	if (!rs->json) {
		deviation(o, OBS_SCH_RESP, rq, rs, "the 200 body is not JSON");
		return;
	}
	n = schema_validate(schema_builtin(SCHEMA_RESPONSE), rs->json, v, 3);
	if (n)
		deviation(o, OBS_SCH_RESP, rq, rs,
			  "the body breaks the response schema in %zu "
			  "place%s; first at '%s': %s",
			  n, n == 1 ? "" : "s", v[0].pointer, v[0].message);
	judge_page_size(o, rq, rs);
	judge_tasks(o, rq, rs);
}

static void judge_error(struct observer *o, const struct creq *rq,
			const struct cresp *rs)
{
	enum awsjson_error e;
	bool known;

	o->t[OBS_ERR_TYPE].judged++;
	o->t[OBS_ERR_MSG].judged++;
	known = rs->has_type && awsjson_error_lookup(rs->type, &e) &&
		awsjson_error_is_known(e);
	if (!rs->has_type)
		deviation(o, OBS_ERR_TYPE, rq, rs,
			  "the error carries no readable type "
			  "(x-amzn-ErrorType, __type or code)");
	else if (!known)
		deviation(o, OBS_ERR_TYPE, rq, rs,
			  "the error type '%s' is neither one of the "
			  "operation's errors nor a common one",
			  rs->type);
	if (known) {
		o->t[OBS_ERR_STATUS].judged++;
		if (!awsjson_error_status_ok(e, o->cfg->profile,
					     (int)rs->status))
			deviation(o, OBS_ERR_STATUS, rq, rs,
				  "%s was sent with status %ld; the %s "
				  "profile says %d",
				  rs->type, rs->status,
				  awsjson_profile_name(o->cfg->profile),
				  awsjson_error_status(e, o->cfg->profile));
	}
	if (!rs->message || !*rs->message)
		deviation(o, OBS_ERR_MSG, rq, rs,
			  "the error has no message (\"message\" or "
			  "\"Message\")");
}

static void judge_reqid(struct observer *o, const struct creq *rq,
			const struct cresp *rs)
{
	o->t[OBS_HDR_REQID].judged++;
	if (!rs->reqid || !*rs->reqid) {
		deviation(o, OBS_HDR_REQID, rq, rs,
			  "the response has no x-amzn-RequestId");
		return;
	}
	for (size_t i = 0; i < o->nreqid; i++) {
		if (strcmp(o->reqids[i], rs->reqid) == 0) {
			deviation(o, OBS_HDR_REQID, rq, rs,
				  "x-amzn-RequestId '%.100s' was already sent "
				  "for an earlier request",
				  rs->reqid);
			return;
		}
	}
	if (o->nreqid >= REQIDS_MAX)
		return;
	if (o->nreqid == o->capreqid) {
		size_t cap = o->capreqid ? o->capreqid * 2 : 128;
		char **p = realloc(o->reqids, cap * sizeof(*p));
		if (!p)
			return;
		o->reqids = p;
		o->capreqid = cap;
	}
	o->reqids[o->nreqid] = strdup(rs->reqid);
	if (o->reqids[o->nreqid])
		o->nreqid++;
}

void observe_response(struct observer *o, const struct creq *rq,
		      const struct cresp *rs)
{
	if (!rs->answered)
		return;
	o->t[OBS_HDR_CTYPE].judged++;
	if (!awsjson_content_type_ok(rs->ctype))
		deviation(o, OBS_HDR_CTYPE, rq, rs,
			  "the response's Content-Type is %s",
			  rs->ctype ? rs->ctype : "absent");
	judge_reqid(o, rq, rs);
	if (rs->status == 200)
		judge_ok(o, rq, rs);
	else if (rs->status >= 400)
		judge_error(o, rq, rs);
	if (rq->kind == CREQ_MISTAKE && !conform_throttled(rs)) {
		o->t[OBS_ERR_NO5XX].judged++;
		if (rs->status >= 500)
			deviation(o, OBS_ERR_NO5XX, rq, rs,
				  "a client mistake was answered %ld",
				  rs->status);
	}
}

static const char *walk_name(const struct walk *w, char *buf, size_t n)
{
	int max = w->sent_max && w->sent_n ? w->sent_max[0] : 0;
	char m[32];

	if (max)
		snprintf(m, sizeof(m), "MaxResults %d", max);
	else
		snprintf(m, sizeof(m), "MaxResults absent");
	snprintf(buf, n, "%s%s%s", m, w->status ? ", TaskStatus " : "",
		 w->status ? w->status : "");
	return buf;
}

void observe_walk(struct observer *o, const struct walk *w)
{
	char name[96];
	size_t i, j;

	if (w->outcome == WALK_ENDED || w->outcome == WALK_CYCLE ||
	    w->outcome == WALK_TOO_LONG ||
	    (w->outcome == WALK_CAPPED && w->pages >= 2)) {
		o->t[OBS_PAG_END].judged++;
		if (w->outcome == WALK_CYCLE || w->outcome == WALK_TOO_LONG)
			deviation(o, OBS_PAG_END, NULL, NULL,
				  "the walk with %s: %s",
				  walk_name(w, name, sizeof(name)),
				  w->problem);
	}
	/* a TaskId twice on one page is a duplicate too */
	if (w->n < 2)
		return;
	o->t[OBS_PAG_DUP].judged++;
	if (walk_find_dup(w, &i, &j)) {
		struct creq rq;
		char *body = walk_page_request(w, w->items[j].page, &rq);
		deviation(o, OBS_PAG_DUP, body ? &rq : NULL, NULL,
			  "in the walk with %s, TaskId '%s' is on page %zu "
			  "and again on page %zu (the request of page %zu "
			  "below)",
			  walk_name(w, name, sizeof(name)), w->items[i].id,
			  w->items[i].page, w->items[j].page,
			  w->items[j].page);
		free(body);
	}
}

void observe_forget_reqids(struct observer *o)
{
	for (size_t i = 0; i < o->nreqid; i++)
		free(o->reqids[i]);
	o->nreqid = 0;
	o->private_reqids = true;
}

json_t *observe_to_json(const struct observer *o)
{
	json_t *obj = json_object();
	json_t *ids = json_array();

	for (int i = 0; i < OBS_COUNT; i++) {
		const struct obs_tally *t = &o->t[i];
		if (!t->judged && !t->deviations)
			continue;
		json_object_set_new(
			obj, obs_ids[i],
			json_pack("{s:i, s:i, s:s}", "judged", (int)t->judged,
				  "deviations", (int)t->deviations, "text",
				  t->text.data ? t->text.data : ""));
	}
	for (size_t i = 0; i < o->nreqid && !o->private_reqids; i++)
		json_array_append_new(ids, conform_json_text(o->reqids[i]));
	json_object_set_new(obj, "reqids", ids);
	return obj;
}
