/* The scenario server of blt-conform --client: answers DescribeEndpoints
 * and ListBatchLoadTasks by a run's script (pages, tokens, faults),
 * records every request with what it answered and the request rules it
 * broke, and decides when the scenario has seen enough to stop the
 * command (it follows a loop, or it does not stop). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/canon.h"
#include "blt/clock.h"
#include "blt/lbt.h"
#include "cli.h"

#define BODY_KEPT_MAX (64 * 1024)

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

void cli_exchange_free(struct cli_exchange *x)
{
	free(x->method);
	free(x->path);
	free(x->query);
	for (size_t i = 0; i < x->nheaders; i++) {
		free(x->headers[i].name);
		free(x->headers[i].value);
	}
	free(x->headers);
	free(x->body);
	free(x->token);
	free(x->task_status);
	for (int r = 0; r < REQRULE_COUNT; r++)
		free(x->rules[r]);
	free(x->next);
	free(x->shown);
	memset(x, 0, sizeof(*x));
}

/* Copies the request into x: line, headers, body (cut), the members that
 * matter and the rules it broke. */
static void record(struct cli_exchange *x, const struct httpd_request *req,
		   const json_t *body, const struct reqrule_findings *f)
{
	const json_t *tok = json_object_get(body, "NextToken");
	const json_t *ts = json_object_get(body, "TaskStatus");
	size_t keep = req->body_len < BODY_KEPT_MAX ? req->body_len
						      : BODY_KEPT_MAX;

	x->method = strdup(req->method);
	x->path = strdup(req->path);
	x->query = dup0(req->query);
	x->headers = calloc(req->nheaders ? req->nheaders : 1,
			    sizeof(*x->headers));
	for (size_t i = 0; x->headers && i < req->nheaders; i++) {
		x->headers[i].name = strdup(req->headers[i].name);
		x->headers[i].value = strdup(req->headers[i].value);
		x->nheaders++;
	}
	x->body = dup_n(req->body, keep);
	x->body_len = keep;
	x->has_token = tok != NULL;
	x->token = dup0(json_string_value(tok));
	x->task_status = ts ? canon_text(ts) : NULL;
	for (int r = 0; r < REQRULE_COUNT; r++)
		if (reqrule_broken(f, (enum reqrule)r))
			x->rules[r] = strdup(f->msg[r]);
}

/* The page k leads to from token (k >= 1), or -1. */
static int page_of_token(const struct cli_script *sc, const char *token)
{
	char t[40];

	for (unsigned k = 1; k < sc->npages; k++) {
		cli_token(sc, (int)k, t);
		if (strcmp(t, token) == 0)
			return (int)k;
	}
	return -1;
}

/* CLIENT-TOKEN and CLIENT-WALK for a ListBatchLoadTasks request. The
 * caller holds the lock. */
static void judge_token(const struct cli_run *run, const char *token,
			int live, struct reqrule_findings *f)
{
	int k;

	if (!token || !*token)
		return;
	k = page_of_token(run->sc, token);
	reqrules_token(token,
		       k < 0		    ? REQRULE_TOKEN_UNKNOWN
		       : !run->issued[k] ? REQRULE_TOKEN_NOT_YET
					 : REQRULE_TOKEN_ISSUED,
		       k < 0 ? -1 : run->walk_status[k], live,
		       "this scenario server", "prepared", f);
}

/* A UUID-shaped request id for request n of the run. */
static void request_id(const struct cli_run *run, unsigned long long n,
		       char out[40])
{
	char key[128];
	uint64_t a, b;

	snprintf(key, sizeof(key), "%s#%llu", run->sc->name, n);
	a = canon_hash_bytes(key, strlen(key));
	b = canon_hash_bytes(&a, sizeof(a));
	snprintf(out, 40, "%08x-%04x-4%03x-a%03x-%012llx",
		 (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		 (unsigned)a & 0xfff, (unsigned)(b >> 48) & 0xfff,
		 (unsigned long long)(b & 0xffffffffffffULL));
}

static void answer_error(struct cli_exchange *x, struct httpd_reply *reply,
			 enum awsjson_error e, int status, const char *msg)
{
	char *body = awsjson_error_body(e, msg);

	reply->status = status;
	if (body)
		buf_puts(&reply->body, body, NULL);
	free(body);
	httpd_reply_header(reply, "x-amzn-ErrorType", awsjson_error_name(e),
			   NULL);
	x->answer = status;
	snprintf(x->type, sizeof(x->type), "%s", awsjson_error_name(e));
}

/* The error of e at the profile's status. */
static void answer_typed(const struct cli_run *run, struct cli_exchange *x,
			 struct httpd_reply *reply, enum awsjson_error e,
			 const char *msg)
{
	answer_error(x, reply, e, awsjson_error_status(e, run->cfg->profile),
		     msg);
}

/* One of lib/errcases.c's forms, carrying the script's name. */
static void answer_form(const struct cli_run *run, struct cli_exchange *x,
			struct httpd_reply *reply)
{
	const struct cli_script *sc = run->sc;
	enum awsjson_error e = AWSJSON_ERR_VALIDATION;
	char *header = NULL, *body = NULL;

	awsjson_error_lookup(sc->form_name, &e);
	errcase_render(sc->form, sc->form_name, &header, &body, NULL);
	reply->status = awsjson_error_status(e, run->cfg->profile);
	if (header)
		httpd_reply_header(reply, "x-amzn-ErrorType", header, NULL);
	if (body)
		buf_puts(&reply->body, body, NULL);
	x->answer = reply->status;
	snprintf(x->type, sizeof(x->type), "%s", sc->form_name);
	free(header);
	free(body);
}

/* Serves page k to a request whose TaskStatus is live. The caller holds
 * the lock. */
static void answer_page(struct cli_run *run, struct cli_exchange *x,
			struct httpd_reply *reply, int k, int live)
{
	const struct cli_script *sc = run->sc;
	const struct cli_page *p = &sc->pages[k];
	json_t *doc = json_object(), *tasks = json_array();
	char id[32], token[40];
	char *text;

	for (unsigned i = p->first; i < p->first + p->count; i++) {
		cli_task_id(sc, i, id);
		json_array_append_new(
			tasks,
			json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i}",
				  "TaskId", id, "TaskStatus",
				  cli_task_status(sc, i), "DatabaseName",
				  "blt_db", "TableName", "blt_table",
				  "CreationTime", 1700000000 + (int)i,
				  "LastUpdatedTime", 1700000600 + (int)i,
				  "ResumableUntil", 1700600000 + (int)i));
	}
	json_object_set_new(doc, "BatchLoadTasks", tasks);
	if (p->next >= 0) {
		cli_token(sc, p->next, token);
		json_object_set_new(doc, "NextToken", json_string(token));
		run->issued[p->next] = true;
		run->walk_status[p->next] = live;
		x->next = strdup(token);
	} else if (p->next == CLI_EMPTY) {
		json_object_set_new(doc, "NextToken", json_string(""));
		x->next = strdup("");
	}
	text = json_dumps(doc, JSON_COMPACT);
	if (text)
		buf_puts(&reply->body, text, NULL);
	free(text);
	json_decref(doc);
	reply->status = 200;
	x->answer = 200;
	x->page = k;
	run->served[k] = true;
	run->ended = run->ended || p->next < 0;
}

/* Says why the run should stop now, if it should: the caller holds the
 * lock; token and k are the request's (k the page it asked for, -1 for
 * none). Called before the request's own answer changes the state. */
static void decide_stop(struct cli_run *run, bool lbt, bool has_token,
			const char *token, int k)
{
	const char *why = NULL;
	char buf[300];

	if (run->stop)
		return;
	if (lbt && run->lbt > run->sc->max_requests) {
		snprintf(buf, sizeof(buf),
			 "it sent more than %u ListBatchLoadTasks requests "
			 "without ending",
			 run->sc->max_requests);
		why = buf;
	} else if (run->n >= CLI_EXCHANGES_MAX) {
		why = "it sent more than 200 requests";
	} else if (lbt && has_token && token && !*token && run->ended) {
		why = "it sent NextToken \"\" after the walk had ended with "
		      "it: a server that takes \"\" as absent starts the walk "
		      "again, so the client would loop for ever";
	} else if (lbt && has_token && token && !*token &&
		   (run->served[0] || run->ended)) {
		why = "it sent NextToken \"\" in the middle of a walk";
	} else if (lbt && k > 0 && run->served[k]) {
		snprintf(buf, sizeof(buf),
			 "it sent the NextToken of page %d again after that "
			 "page had been answered: it follows a cycle of "
			 "tokens",
			 k + 1);
		why = buf;
	} else if (lbt && run->ended) {
		why = "it started another walk after its walk had ended";
	}
	if (why) {
		run->stop = true;
		snprintf(run->stop_why, sizeof(run->stop_why), "%s", why);
	}
}

/* The answer to a ListBatchLoadTasks request. The caller holds the
 * lock. */
static void answer_list(struct cli_run *run, struct cli_exchange *x,
			struct httpd_reply *reply, const json_t *body, int live)
{
	const struct cli_script *sc = run->sc;
	const char *token = x->token;
	int k = x->has_token && token && *token ? page_of_token(sc, token) : 0;

	decide_stop(run, true, x->has_token, token, x->has_token ? k : 0);
	if (!body) {
		answer_typed(run, x, reply, AWSJSON_ERR_SERIALIZATION,
			     "the body is not a JSON object");
	} else if (x->has_token && !token) {
		answer_typed(run, x, reply, AWSJSON_ERR_SERIALIZATION,
			     "NextToken is not a string");
	} else if (k < 0 || (k > 0 && !run->issued[k])) {
		answer_typed(run, x, reply, AWSJSON_ERR_VALIDATION,
			     "NextToken was not issued by this server");
	} else if (sc->task_status &&
		   (live < 0 || strcmp(lbt_status_name((enum lbt_status)live),
				       sc->task_status) != 0)) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "this walk lists TaskStatus %s (BLT_TASK_STATUS); "
			 "the request has %s",
			 sc->task_status, reqrule_status_text(live));
		answer_typed(run, x, reply, AWSJSON_ERR_VALIDATION, msg);
	} else if (k == 0 && sc->fault &&
		   (!sc->fault_times ||
		    run->first_attempts < sc->fault_times)) {
		x->fault = sc->fault;
		if (sc->fault == CLI_FAULT_THROTTLE)
			answer_typed(run, x, reply, AWSJSON_ERR_THROTTLING,
				     "Rate exceeded");
		else if (sc->fault == CLI_FAULT_INTERNAL)
			answer_typed(run, x, reply,
				     AWSJSON_ERR_INTERNAL_SERVER,
				     "Internal server error");
		else if (sc->fault == CLI_FAULT_VALIDATION)
			answer_typed(run, x, reply, AWSJSON_ERR_VALIDATION,
				     "The request was refused");
		else if (sc->fault == CLI_FAULT_FORM)
			answer_form(run, x, reply);
		else
			reply->reset = true;
	} else {
		answer_page(run, x, reply, k, live);
	}
	if (k == 0 && body && !(x->has_token && !token))
		run->first_attempts++;
}

/* Describes the answer for the reports. */
static void show_answer(const struct cli_script *sc, struct cli_exchange *x,
			const struct httpd_reply *reply)
{
	struct blt_buf b;

	buf_init(&b, 4096);
	if (reply->reset) {
		buf_puts(&b, "the connection was closed without an answer",
			 NULL);
	} else if (x->answer == 200 && x->page >= 0) {
		buf_printf(&b, NULL, "HTTP 200, page %d: %u tasks, ",
			   x->page + 1, sc->pages[x->page].count);
		if (!x->next)
			buf_puts(&b, "no NextToken", NULL);
		else
			buf_printf(&b, NULL, "NextToken \"%s\"", x->next);
	} else if (x->op == AWSJSON_OP_DESCRIBE_ENDPOINTS) {
		buf_puts(&b, "HTTP 200, ", NULL);
		cli_put_text(&b, reply->body.data, reply->body.len, 400);
	} else {
		buf_printf(&b, NULL, "HTTP %d", x->answer);
		for (size_t i = 0; i < reply->nheaders; i++)
			if (strcasecmp(reply->header_names[i],
				       "x-amzn-ErrorType") == 0)
				buf_printf(&b, NULL, ", x-amzn-ErrorType: %s",
					   reply->header_values[i]);
		buf_puts(&b, reply->body.len ? ", body " : ", no body", NULL);
		cli_put_text(&b, reply->body.data, reply->body.len, 400);
	}
	x->shown = buf_take(&b);
}

/* Files the request (or counts it beyond the cap); the caller holds the
 * lock. NULL when it was not kept. */
static struct cli_exchange *new_exchange(struct cli_run *run)
{
	struct cli_exchange *x;

	if (run->n >= CLI_EXCHANGES_MAX) {
		run->dropped++;
		return NULL;
	}
	x = &run->x[run->n++];
	memset(x, 0, sizeof(*x));
	x->page = -1;
	return x;
}

void cli_handle(void *ctx, const struct httpd_request *req,
		struct httpd_reply *reply)
{
	struct cli_side *side = ctx;
	struct cli_run *run = side->run;
	const char *target = httpd_request_header(req, "x-amz-target");
	enum awsjson_op op = awsjson_target_parse(target);
	struct reqrule_findings f;
	struct cli_exchange scratch, *x;
	double t_in = clock_mono_ms() - run->t0;
	int live = -1;
	json_t *body;
	char rid[40];

	reqrule_findings_init(&f);
	reqrules_envelope(req, op, CLI_AKID, CLI_SECRET, run->cfg->region, &f);
	body = reqrules_body(req, op, &live, &f);
	pthread_mutex_lock(&run->lock);
	if (op == AWSJSON_OP_LIST_BATCH_LOAD_TASKS)
		judge_token(run, json_string_value(json_object_get(
					 body, "NextToken")),
			    live, &f);
	x = new_exchange(run);
	if (!x) {
		x = &scratch;
		memset(x, 0, sizeof(*x));
		x->page = -1;
	}
	record(x, req, body, &f);
	x->server = side->server;
	x->t_in = t_in;
	x->op = op;
	request_id(run, req->seq + 1000000ULL * side->server, rid);
	httpd_reply_header(reply, "x-amzn-RequestId", rid, NULL);
	if (op == AWSJSON_OP_DESCRIBE_ENDPOINTS) {
		run->describes++;
		decide_stop(run, false, false, NULL, -1);
		reply->status = x->answer = 200;
		awsjson_endpoints_body(
			run->sc->cell ? run->cell_url : req->local_url,
			awsjson_address_reader_of(
				httpd_request_header(req, "User-Agent"),
				httpd_request_header(req, "X-Amz-User-Agent")),
			&reply->body, NULL);
	} else if (op == AWSJSON_OP_LIST_BATCH_LOAD_TASKS) {
		run->lbt++;
		answer_list(run, x, reply, body, live);
	} else {
		decide_stop(run, false, false, NULL, -1);
		answer_typed(run, x, reply, AWSJSON_ERR_UNKNOWN_OPERATION,
			     "this server answers ListBatchLoadTasks and "
			     "DescribeEndpoints");
	}
	show_answer(run->sc, x, reply);
	x->t_out = clock_mono_ms() - run->t0;
	if (x == &scratch)
		cli_exchange_free(x);
	pthread_mutex_unlock(&run->lock);
	json_decref(body);
}
