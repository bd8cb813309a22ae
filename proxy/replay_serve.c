/* blt-proxy replay: the request handler. The hot path parses the body,
 * canonicalises it, looks the key up and sends the prepared response. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "replay.h"


static void answer_error(struct httpd_reply *reply, enum awsjson_error e,
			 int status, const char *message)
{
	char *body = awsjson_error_body(e, message);

	reply->status = status;
	if (body) {
		buf_puts(&reply->body, body, NULL);
		free(body);
	}
	httpd_reply_header(reply, "x-amzn-ErrorType", awsjson_error_name(e),
			   NULL);
}

static void answer_prepared(struct httpd_reply *reply,
			    const struct replay_prepared *p)
{
	reply->status = p->status;
	if (p->http && !reply->delay_ms) {
		reply->prepared = p->http;
		return;
	}
	buf_append(&reply->body, p->body, p->body_len, NULL);
	for (size_t i = 0; i < p->nheaders; i++)
		httpd_reply_header(reply, p->names[i], p->values[i], NULL);
}

/* Names --advertise, else the replay's own URL. */
static void answer_endpoints(const struct replay *rp,
			     const struct httpd_request *req,
			     struct httpd_reply *reply)
{
	const char *url =
	    rp->opts->advertise ? rp->opts->advertise : req->local_url;

	reply->status = 200;
	awsjson_endpoints_body(
	    url,
	    awsjson_address_reader_of(
		httpd_request_header(req, "User-Agent"),
		httpd_request_header(req, "X-Amz-User-Agent")),
	    &reply->body, NULL);
}

/* Applies --inject; true when the request was answered with a fault. */
static bool inject(struct replay *rp, const struct httpd_request *req,
		   struct httpd_reply *reply)
{
	const struct replay_opts *o = rp->opts;
	unsigned latency = 0;
	enum inject_fault f = INJECT_NONE;

	if (o->inject_on)
		f = inject_decide(&o->inject, req->seq, &latency);
	pthread_mutex_lock(&rp->lock);
	rp->requests++;
	if (f != INJECT_NONE)
		rp->faults[f]++;
	if (latency)
		rp->faults[0]++;
	pthread_mutex_unlock(&rp->lock);
	reply->delay_ms = latency;
	if (f == INJECT_THROTTLE)
		answer_error(reply, AWSJSON_ERR_THROTTLING,
			     awsjson_error_status(AWSJSON_ERR_THROTTLING,
						  o->profile),
			     "Rate exceeded (fault injected by blt-proxy "
			     "replay)");
	else if (f == INJECT_INTERNAL)
		answer_error(reply, AWSJSON_ERR_INTERNAL_SERVER,
			     awsjson_error_status(AWSJSON_ERR_INTERNAL_SERVER,
						  o->profile),
			     "Internal server error (fault injected by "
			     "blt-proxy replay)");
	else if (f == INJECT_RESET)
		reply->reset = true;
	return f != INJECT_NONE;
}

/* CLIENT-TOKEN and CLIENT-WALK; the caller holds the lock. An empty
 * NextToken is an absent one (SPEC section 2): a first page. */
static void check_token(struct replay *rp, const char *token, int live_status,
			struct reqrule_findings *f)
{
	struct replay_token *t;

	if (!token || !*token)
		return;
	t = replay_token_find(&rp->ix, token, strlen(token));
	reqrules_token(token,
		       !t	     ? REQRULE_TOKEN_UNKNOWN
		       : !t->issued ? REQRULE_TOKEN_NOT_YET
				    : REQRULE_TOKEN_ISSUED,
		       t ? t->walk_status : -1, live_status, "this replay",
		       "recorded", f);
}

/* Picks the entry to serve from a group; REPLAY_NONE when --strict finds
 * it used up. The caller holds the lock. */
static size_t pick(struct replay *rp, struct replay_group *g)
{
	size_t e = g->cursor;

	if (e != REPLAY_NONE) {
		g->cursor = rp->ix.entries[e].next_same;
		return e;
	}
	return rp->opts->strict ? REPLAY_NONE : g->last;
}

/* Marks e served and issues the token its response carries. */
static void serve(struct replay *rp, size_t e, int live_status)
{
	struct replay_entry *en = &rp->ix.entries[e];

	en->used++;
	if (en->issues != REPLAY_NONE) {
		struct replay_token *t = &rp->ix.tokens[en->issues];

		t->issued = true;
		t->walk_status = live_status;
	}
}

static void answer_miss(struct replay *rp, const struct httpd_request *req,
			struct httpd_reply *reply, const char *op,
			const json_t *body, const char *token)
{
	struct blt_buf msg;

	buf_init(&msg, 4096);
	replay_explain_miss(&rp->ix, op, body, req->body, req->body_len, token,
			    &msg);
	pthread_mutex_lock(&rp->lock);
	replay_violation_add(rp, req, RULE_NOMATCH, "%s",
			     msg.data ? msg.data : "no match");
	pthread_mutex_unlock(&rp->lock);
	answer_error(reply, AWSJSON_ERR_NO_MATCHING_INTERACTION,
		     REPLAY_NOMATCH_STATUS, msg.data ? msg.data : "no match");
	buf_free(&msg);
}

static void answer_exhausted(struct replay *rp,
			     const struct httpd_request *req,
			     struct httpd_reply *reply, struct replay_group *g)
{
	const struct replay_entry *e = &rp->ix.entries[g->last];
	char msg[600];

	snprintf(msg, sizeof(msg),
		 "the request matches interaction %ld of %s, whose recorded "
		 "answers are used up (--strict)",
		 e->id, rp->ix.paths[e->file]);
	replay_violation_add(rp, req, RULE_EXHAUSTED, "%s", msg);
	answer_error(reply, AWSJSON_ERR_NO_MATCHING_INTERACTION,
		     REPLAY_NOMATCH_STATUS, msg);
}

/* A request whose match key cannot be built (over REPLAY_KEY_MAX: no
 * recorded interaction can have such a key, loading would have failed):
 * a miss. The caller holds the lock. */
static void answer_unmatchable(struct replay *rp,
			       const struct httpd_request *req,
			       struct httpd_reply *reply,
			       const struct blt_err *why)
{
	char msg[BLT_ERR_MSG_MAX + 200];

	snprintf(msg, sizeof(msg),
		 "the request cannot match any recorded interaction: its "
		 "match key (operation, NextToken and canonical body, at "
		 "most %d bytes) cannot be built: %s",
		 REPLAY_KEY_MAX, why->msg);
	replay_violation_add(rp, req, RULE_NOMATCH, "%s", msg);
	answer_error(reply, AWSJSON_ERR_NO_MATCHING_INTERACTION,
		     REPLAY_NOMATCH_STATUS, msg);
}

/* Matches a parsed request and answers it. */
static void match_and_answer(struct replay *rp, const struct httpd_request *req,
			     struct httpd_reply *reply, const char *op,
			     json_t *body, int live_status,
			     struct reqrule_findings *f)
{
	json_t *tok = json_incref(json_object_get(body, "NextToken"));
	const char *token = json_string_value(tok);
	struct blt_buf key;
	struct blt_err kerr = {0};
	struct replay_group *g = NULL;
	size_t e = REPLAY_NONE;
	blt_status kst;

	buf_init(&key, REPLAY_KEY_MAX);
	if (token)
		json_object_del(body, "NextToken");
	kst = replay_key(op, body, req->body, req->body_len, token, &key,
			 &kerr);
	if (!kst)
		g = replay_group_find(&rp->ix, key.data, key.len,
				      canon_hash_bytes(key.data, key.len));
	pthread_mutex_lock(&rp->lock);
	if (strcmp(op, "ListBatchLoadTasks") == 0)
		check_token(rp, token, live_status, f);
	replay_violations_add(rp, req, f);
	if (kst)
		answer_unmatchable(rp, req, reply, &kerr);
	else if (g && (e = pick(rp, g)) != REPLAY_NONE)
		serve(rp, e, live_status);
	else if (g)
		answer_exhausted(rp, req, reply, g);
	pthread_mutex_unlock(&rp->lock);
	if (e != REPLAY_NONE)
		answer_prepared(reply, &rp->ix.entries[e].resp);
	else if (!g && !kst)
		answer_miss(rp, req, reply, op, body, token);
	buf_free(&key);
	json_decref(tok);
}

/* A request with the credentials of the environment replaced by REDACTED
 * wherever they appear, as a recording stores them: so that no message,
 * log line or report can quote one, and a request matches its recording. */
struct scrubbed {
	struct httpd_request req;
	struct blt_header headers[HTTPD_MAX_REQ_HEADERS];
	char *owned[HTTPD_MAX_REQ_HEADERS + 2];
	size_t nowned;
};

/* The scrubbed copy of n bytes at *p, made the new *p when it differs. */
static void scrub_bytes(const struct replay *rp, struct scrubbed *s,
			const char **p, size_t *n)
{
	char *clean = NULL;
	size_t len;

	if (redact_bytes(&rp->rules, *p, *n, NULL, 0, &clean, &len) <= 0)
		return;
	s->owned[s->nowned++] = clean;
	*p = clean;
	*n = len;
}

/* req itself when the environment holds no credential, else s's view of
 * it (free with scrub_free). */
static const struct httpd_request *scrub(const struct replay *rp,
					 const struct httpd_request *req,
					 struct scrubbed *s)
{
	size_t n;

	s->nowned = 0;
	if (!rp->rules.nsecrets || req->nheaders > HTTPD_MAX_REQ_HEADERS)
		return req;
	s->req = *req;
	for (size_t i = 0; i < req->nheaders; i++) {
		s->headers[i] = req->headers[i];
		n = strlen(s->headers[i].value);
		scrub_bytes(rp, s, &s->headers[i].value, &n);
	}
	s->req.headers = s->headers;
	n = strlen(req->path);
	scrub_bytes(rp, s, &s->req.path, &n);
	scrub_bytes(rp, s, &s->req.body, &s->req.body_len);
	return &s->req;
}

static void scrub_free(struct scrubbed *s)
{
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
}

void replay_handle(void *ctx, const struct httpd_request *req,
		   struct httpd_reply *reply)
{
	struct replay *rp = ctx;
	struct scrubbed s;
	const struct httpd_request *view = scrub(rp, req, &s);
	const char *target = httpd_request_header(view, "x-amz-target");
	enum awsjson_op op = awsjson_target_parse(target);
	struct reqrule_findings f;
	int live_status = -1;
	json_t *body = NULL;

	replay_check_envelope(rp, view, req, op);
	if (inject(rp, view, reply))
		goto done;
	if (op == AWSJSON_OP_DESCRIBE_ENDPOINTS) {
		answer_endpoints(rp, view, reply);
		goto done;
	}
	reqrule_findings_init(&f);
	/* A body beyond any input of its operation is not parsed: it
	 * matches as the bytes sent, as its recording does. */
	if (awsjson_body_beyond(awsjson_op_lookup(replay_op_of_target(target)),
				view->body, view->body_len,
				f.msg[REQRULE_JSON],
				sizeof(f.msg[REQRULE_JSON])))
		body = NULL;
	else
		body = reqrules_body(view, op, &live_status, &f);
	match_and_answer(rp, view, reply, replay_op_of_target(target), body,
			 live_status, &f);
	json_decref(body);
done:
	scrub_free(&s);
}
