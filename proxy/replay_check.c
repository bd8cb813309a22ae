/* blt-proxy replay: the client rules that need no replay state (method,
 * path, Content-Type, target, SigV4) and the violation log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/sigv4.h"
#include "replay.h"

#define BODY_KEPT_MAX 4096 /* bytes of a violating body kept for reports */
#define PATH_KEPT_MAX 1024 /* bytes of a method, path or target kept */

static const struct {
	const char *id;
	const char *text;
} rules[RULE_COUNT] = {
	[RULE_METHOD] = {"CLIENT-METHOD", "the method is POST"},
	[RULE_PATH] = {"CLIENT-PATH", "the path is /"},
	[RULE_CTYPE] = {"CLIENT-CTYPE",
			"Content-Type is application/x-amz-json-1.0"},
	[RULE_TARGET] = {"CLIENT-TARGET",
			 "X-Amz-Target names a Timestream_20181101 operation "
			 "this service has"},
	[RULE_JSON] = {"CLIENT-JSON", "the body is a JSON object"},
	[RULE_MAXRESULTS] = {"CLIENT-MAXRESULTS",
			     "MaxResults is an integer from 1 to 100"},
	[RULE_STATUS] = {"CLIENT-STATUS",
			 "TaskStatus is one of the six documented values"},
	[RULE_TOKEN] = {"CLIENT-TOKEN",
			"NextToken is a token that this replay issued"},
	[RULE_WALK] = {"CLIENT-WALK",
		       "a walk keeps the TaskStatus of its first page"},
	[RULE_SIGV4] = {"CLIENT-SIGV4",
			"Authorization is SigV4 for service timestream in a "
			"region (and verifies with --verify-sigv4)"},
	[RULE_NOMATCH] = {"REPLAY-NOMATCH",
			  "every request matches a recorded interaction"},
	[RULE_EXHAUSTED] = {"REPLAY-EXHAUSTED",
			    "with --strict, no request outnumbers its "
			    "recorded answers"},
};

const char *replay_rule_id(enum replay_rule r)
{
	return r < RULE_COUNT ? rules[r].id : "?";
}

const char *replay_rule_text(enum replay_rule r)
{
	return r < RULE_COUNT ? rules[r].text : "?";
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

/* Well-formed: parses, names service timestream, a region, and the date of
 * X-Amz-Date. Writes the problem into why and returns false otherwise. */
static bool sigv4_well_formed(const struct httpd_request *req, char *why,
			      size_t whysz)
{
	const char *auth = httpd_request_header(req, "authorization");
	const char *date = httpd_request_header(req, "x-amz-date");
	struct sigv4_auth a;
	struct blt_err err = {0};

	if (!auth) {
		snprintf(why, whysz, "no Authorization header");
		return false;
	}
	if (sigv4_auth_parse(auth, &a, &err)) {
		snprintf(why, whysz, "Authorization: %s", err.msg);
		return false;
	}
	if (strcmp(a.service, AWSJSON_SIGV4_SERVICE) != 0 || !a.region[0]) {
		snprintf(why, whysz,
			 "the credential scope is for service '%s' in region "
			 "'%s', not service timestream in a region",
			 a.service, a.region);
		return false;
	}
	if (!date || strlen(date) != 16 || strncmp(date, a.date, 8) != 0) {
		snprintf(why, whysz,
			 "X-Amz-Date '%s' does not carry the scope's date %s",
			 date ? date : "(absent)", a.date);
		return false;
	}
	return true;
}

/* Verifies the signature of req, the request as it came (not a scrubbed
 * view of it). */
static bool sigv4_verified(const struct replay *rp,
			   const struct httpd_request *req, char *why,
			   size_t whysz)
{
	struct sigv4_header hs[HTTPD_MAX_HEADERS];
	struct sigv4_request sr = {0};
	struct blt_err err = {0};
	size_t n = req->nheaders;

	if (n > HTTPD_MAX_HEADERS) {
		snprintf(why, whysz, "more than %d headers to verify",
			 HTTPD_MAX_HEADERS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		hs[i].name = req->headers[i].name;
		hs[i].value = req->headers[i].value;
	}
	sr.method = req->method;
	sr.path = req->path;
	sr.query = req->query;
	sr.headers = hs;
	sr.nheaders = n;
	sr.body = req->body;
	sr.body_len = req->body_len;
	if (sigv4_verify(&sr, rp->opts->akid, rp->opts->secret,
			 AWSJSON_SIGV4_SERVICE, &err) == BLT_OK)
		return true;
	snprintf(why, whysz, "signature does not verify: %s", err.msg);
	return false;
}

void replay_check_envelope(struct replay *rp, const struct httpd_request *req,
			   const struct httpd_request *signed_req,
			   enum awsjson_op op)
{
	const char *ct = httpd_request_header(req, "content-type");
	const char *target = httpd_request_header(req, "x-amz-target");
	char why[700];
	bool sig_ok = sigv4_well_formed(req, why, sizeof(why));

	if (sig_ok && rp->opts->akid)
		sig_ok = sigv4_verified(rp, signed_req, why, sizeof(why));
	if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/") == 0 &&
	    awsjson_content_type_ok(ct) && op != AWSJSON_OP_UNKNOWN && sig_ok)
		return;
	pthread_mutex_lock(&rp->lock);
	if (strcmp(req->method, "POST") != 0)
		replay_violation_add(rp, req, RULE_METHOD,
				     "method %s, expected POST", req->method);
	if (strcmp(req->path, "/") != 0)
		replay_violation_add(rp, req, RULE_PATH,
				     "path '%s', expected '/'", req->path);
	if (!awsjson_content_type_ok(ct))
		replay_violation_add(rp, req, RULE_CTYPE,
				     "Content-Type '%s', expected %s",
				     ct ? ct : "(absent)",
				     AWSJSON_CONTENT_TYPE);
	if (op == AWSJSON_OP_UNKNOWN)
		replay_violation_add(rp, req, RULE_TARGET,
				     "X-Amz-Target '%s' is not an operation "
				     "of %s",
				     target ? target : "(absent)",
				     AWSJSON_TARGET_PREFIX);
	if (!sig_ok)
		replay_violation_add(rp, req, RULE_SIGV4, "%s", why);
	pthread_mutex_unlock(&rp->lock);
}
