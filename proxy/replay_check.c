/* blt-proxy replay: its rules, the client rules that need no replay state
 * (method, path, Content-Type, target, SigV4) and the violation log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define BODY_KEPT_MAX 4096 /* bytes of a violating body kept for reports */
#define PATH_KEPT_MAX 1024 /* bytes of a method, path or target kept */

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

/* A new string: len bytes of s (at most max), escaped (log_escape) and
 * scrubbed of the credentials rp knows. NULL for NULL. */
static char *kept(const struct replay *rp, const char *s, size_t len,
		  size_t max)
{
	struct blt_buf b;
	char *clean = NULL;
	size_t clen;

	if (!s)
		return NULL;
	if (rp->rules.nsecrets &&
	    redact_bytes(&rp->rules, s, len, NULL, 0, &clean, &clen) > 0) {
		s = clean;
		len = clen;
	}
	buf_init(&b, max * 4 + 1);
	log_escape(&b, s, len < max ? len : max, NULL);
	free(clean);
	return b.data ? buf_take(&b) : strdup("");
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
	char *clean = NULL;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rp->rule_count[rule]++;
	if (rp->rules.nsecrets &&
	    redact_bytes(&rp->rules, msg, strlen(msg), NULL, 0, &clean,
			 &len) > 0) {
		snprintf(msg, sizeof(msg), "%s", clean);
		free(clean);
	}
	if (log_limit_take(&rp->log, rule))
		log_line("blt-proxy replay", "%s: request %llu (%s %s %s): %s",
			 replay_rule_id(rule), req->seq, req->method, req->path,
			 target ? target : "-", msg);
	if (rp->nviolations >= REPLAY_VIOLATIONS_MAX ||
	    (rp->nviolations == rp->violations_alloc && !violations_grow(rp)))
		return;
	v = &rp->violations[rp->nviolations++];
	v->rule = rule;
	v->seq = req->seq;
	v->method = kept(rp, req->method, strlen(req->method), PATH_KEPT_MAX);
	v->path = kept(rp, req->path, strlen(req->path), PATH_KEPT_MAX);
	v->target = target ? kept(rp, target, strlen(target), PATH_KEPT_MAX)
			   : NULL;
	v->body = kept(rp, req->body, req->body_len, BODY_KEPT_MAX);
	v->message = kept(rp, msg, strlen(msg), sizeof(msg));
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
			   const struct httpd_request *signed_req,
			   enum awsjson_op op)
{
	struct reqrule_findings f;

	reqrule_findings_init(&f);
	reqrules_envelope(req, op, NULL, NULL, NULL, &f);
	if (!reqrule_broken(&f, REQRULE_SIGV4) && rp->opts->akid) {
		/* The signature is verified on the request as it came, not
		 * on the view scrubbed of credentials. */
		struct reqrule_findings sig;

		reqrule_findings_init(&sig);
		reqrules_envelope(signed_req, op, rp->opts->akid,
				  rp->opts->secret, NULL, &sig);
		memcpy(f.msg[REQRULE_SIGV4], sig.msg[REQRULE_SIGV4],
		       sizeof(f.msg[REQRULE_SIGV4]));
	}
	if (!reqrule_any(&f))
		return; /* the common case takes no lock */
	pthread_mutex_lock(&rp->lock);
	replay_violations_add(rp, req, &f);
	pthread_mutex_unlock(&rp->lock);
}
