/* blt-proxy replay: its rules, the client rules that need no replay state
 * (method, path, Content-Type, target, SigV4) and the violation log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define BODY_KEPT_MAX 4096 /* bytes of a violating body kept for reports */

/* The replay's own rules; the client rules are lib/blt/reqrules.h's. */
static const struct {
	const char *id;
	const char *text;
} own_rules[RULE_COUNT - RULE_NOMATCH] = {
	{"REPLAY-NOMATCH", "every request matches a recorded interaction"},
	{"REPLAY-EXHAUSTED",
	 "with --strict, no request outnumbers its recorded answers"},
};

const char *replay_rule_id(enum replay_rule r)
{
	if (r < RULE_NOMATCH)
		return reqrule_id((enum reqrule)r);
	return r < RULE_COUNT ? own_rules[r - RULE_NOMATCH].id : "?";
}

const char *replay_rule_text(enum replay_rule r)
{
	if (r < RULE_NOMATCH)
		return reqrule_text((enum reqrule)r);
	return r < RULE_COUNT ? own_rules[r - RULE_NOMATCH].text : "?";
}

static char *dup_cut(const char *s, size_t len, size_t max)
{
	char *out;

	if (!s)
		return NULL;
	if (len > max)
		len = max;
	out = malloc(len + 1);
	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

static bool violations_grow(struct replay *rp)
{
	size_t want = rp->violations_alloc ? rp->violations_alloc * 2 : 16;
	struct replay_violation *v;

	v = realloc(rp->violations, want * sizeof(*v));
	if (!v)
		return false;
	rp->violations = v;
	rp->violations_alloc = want;
	return true;
}

void replay_violation_add(struct replay *rp, const struct httpd_request *req,
			  enum replay_rule rule, const char *fmt, ...)
{
	const char *target = httpd_request_header(req, "x-amz-target");
	struct replay_violation *v;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rp->rule_count[rule]++;
	fprintf(stderr, "blt-proxy replay: %s: request %llu (%s %s %s): %s\n",
		replay_rule_id(rule), req->seq, req->method, req->path,
		target ? target : "-", msg);
	if (rp->nviolations >= REPLAY_VIOLATIONS_MAX ||
	    (rp->nviolations == rp->violations_alloc && !violations_grow(rp)))
		return;
	v = &rp->violations[rp->nviolations++];
	v->rule = rule;
	v->seq = req->seq;
	v->method = strdup(req->method);
	v->path = strdup(req->path);
	v->target = target ? strdup(target) : NULL;
	v->body = dup_cut(req->body, req->body_len, BODY_KEPT_MAX);
	v->message = strdup(msg);
}

unsigned long replay_violation_total(const struct replay *rp)
{
	unsigned long n = 0;

	for (int r = 0; r < RULE_COUNT; r++)
		n += rp->rule_count[r];
	return n;
}

size_t replay_unused_count(const struct replay *rp)
{
	size_t n = 0;

	for (size_t i = 0; i < rp->ix.nentries; i++)
		if (!rp->ix.entries[i].used && !rp->ix.entries[i].describe)
			n++;
	return n;
}

void replay_violations_add(struct replay *rp, const struct httpd_request *req,
			   const struct reqrule_findings *f)
{
	for (int r = 0; r < REQRULE_COUNT; r++)
		if (reqrule_broken(f, (enum reqrule)r))
			replay_violation_add(rp, req, (enum replay_rule)r, "%s",
					     f->msg[r]);
}

void replay_check_envelope(struct replay *rp, const struct httpd_request *req,
			   enum awsjson_op op)
{
	struct reqrule_findings f;

	reqrule_findings_init(&f);
	reqrules_envelope(req, op, rp->opts->akid, rp->opts->secret, NULL,
			  &f);
	if (!reqrule_any(&f))
		return; /* the common case takes no lock */
	pthread_mutex_lock(&rp->lock);
	replay_violations_add(rp, req, &f);
	pthread_mutex_unlock(&rp->lock);
}
