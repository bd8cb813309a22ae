/* The request rules a client of ListBatchLoadTasks keeps, judged one
 * request at a time. */
#include "blt/reqrules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "blt/lbt.h"
#include "blt/sigv4.h"

static const struct {
	const char *id;
	const char *text;
} rules[REQRULE_COUNT] = {
    [REQRULE_METHOD] = {"CLIENT-METHOD", "the method is POST"},
    [REQRULE_PATH] = {"CLIENT-PATH", "the path is /"},
    [REQRULE_CTYPE] = {"CLIENT-CTYPE",
		       "Content-Type is application/x-amz-json-1.0"},
    [REQRULE_TARGET] = {"CLIENT-TARGET",
			"X-Amz-Target names a Timestream_20181101 "
			"operation this service has"},
    [REQRULE_JSON] = {"CLIENT-JSON", "the body is a JSON object"},
    [REQRULE_MAXRESULTS] = {"CLIENT-MAXRESULTS",
			    "MaxResults is an integer from 1 to 100"},
    [REQRULE_STATUS] = {"CLIENT-STATUS",
			"TaskStatus is one of the six documented values"},
    [REQRULE_TOKEN] = {"CLIENT-TOKEN",
		       "NextToken is a token that the server issued"},
    [REQRULE_WALK] = {"CLIENT-WALK",
		      "a walk keeps the TaskStatus of its first page"},
    [REQRULE_SIGV4] = {"CLIENT-SIGV4",
		       "Authorization is SigV4 for service timestream in "
		       "a region (and verifies when the key is known)"},
};

const char *reqrule_id(enum reqrule r)
{
	return r < REQRULE_COUNT ? rules[r].id : "?";
}

const char *reqrule_text(enum reqrule r)
{
	return r < REQRULE_COUNT ? rules[r].text : "?";
}

void reqrule_findings_init(struct reqrule_findings *f)
{
	for (int r = 0; r < REQRULE_COUNT; r++)
		f->msg[r][0] = '\0';
}

bool reqrule_broken(const struct reqrule_findings *f, enum reqrule r)
{
	return r < REQRULE_COUNT && f->msg[r][0] != '\0';
}

bool reqrule_any(const struct reqrule_findings *f)
{
	for (int r = 0; r < REQRULE_COUNT; r++)
		if (f->msg[r][0])
			return true;
	return false;
}

static void found(struct reqrule_findings *f, enum reqrule r, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/* Records the first finding of rule r. */
static void found(struct reqrule_findings *f, enum reqrule r, const char *fmt,
		  ...)
{
	va_list ap;

	if (f->msg[r][0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->msg[r], sizeof(f->msg[r]), fmt, ap);
	va_end(ap);
}

/* Well-formed: parses, names service timestream, a region (the one asked
 * for when region is set), and the date of X-Amz-Date. Writes the problem
 * into why and returns false otherwise. */
static bool sigv4_well_formed(const struct httpd_request *req,
			      const char *region, char *why, size_t whysz)
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
	if (region && strcmp(a.region, region) != 0) {
		snprintf(why, whysz,
			 "the credential scope is for region '%s', not the "
			 "configured region '%s'",
			 a.region, region);
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

static bool sigv4_verified(const struct httpd_request *req, const char *akid,
			   const char *secret, char *why, size_t whysz)
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
	if (sigv4_verify(&sr, akid, secret, AWSJSON_SIGV4_SERVICE, &err) ==
	    BLT_OK)
		return true;
	snprintf(why, whysz, "signature does not verify: %s", err.msg);
	return false;
}

void reqrules_envelope(const struct httpd_request *req, enum awsjson_op op,
		       const char *akid, const char *secret, const char *region,
		       struct reqrule_findings *f)
{
	const char *ct = httpd_request_header(req, "content-type");
	const char *target = httpd_request_header(req, "x-amz-target");
	char why[REQRULE_MSG_MAX];
	bool sig_ok = sigv4_well_formed(req, region, why, sizeof(why));

	if (sig_ok && akid && secret)
		sig_ok = sigv4_verified(req, akid, secret, why, sizeof(why));
	if (strcmp(req->method, "POST") != 0)
		found(f, REQRULE_METHOD, "method %s, expected POST",
		      req->method);
	if (strcmp(req->path, "/") != 0)
		found(f, REQRULE_PATH, "path '%s', expected '/'", req->path);
	if (!awsjson_content_type_ok(ct))
		found(f, REQRULE_CTYPE, "Content-Type '%s', expected %s",
		      ct ? ct : "(absent)", AWSJSON_CONTENT_TYPE);
	if (op == AWSJSON_OP_UNKNOWN)
		found(f, REQRULE_TARGET,
		      "X-Amz-Target '%s' is not an operation of %s",
		      target ? target : "(absent)", AWSJSON_TARGET_PREFIX);
	if (!sig_ok)
		found(f, REQRULE_SIGV4, "%s", why);
}

/* MaxResults: an integer (not written as a real) from 1 to 100. */
static void check_max(const json_t *mr, struct reqrule_findings *f)
{
	if (!mr)
		return;
	if (json_is_real(mr)) {
		found(f, REQRULE_MAXRESULTS,
		      "MaxResults: %.17g is written as a real number, not an "
		      "integer",
		      json_real_value(mr));
	} else if (!json_is_integer(mr)) {
		char *t = canon_text(mr);
		found(f, REQRULE_MAXRESULTS,
		      "MaxResults: %.60s is not an integer", t ? t : "?");
		free(t);
	} else if (json_integer_value(mr) < LBT_MAX_RESULTS_MIN ||
		   json_integer_value(mr) > LBT_MAX_RESULTS_MAX) {
		found(f, REQRULE_MAXRESULTS,
		      "MaxResults: %lld is outside %d..%d",
		      (long long)json_integer_value(mr), LBT_MAX_RESULTS_MIN,
		      LBT_MAX_RESULTS_MAX);
	}
}

/* TaskStatus: one of the six; returns the live status. */
static int check_status(const json_t *ts, struct reqrule_findings *f)
{
	enum lbt_status s;
	char *t;

	if (!ts)
		return -1;
	if (json_is_string(ts) && lbt_status_parse(json_string_value(ts), &s))
		return (int)s;
	t = canon_text(ts);
	found(f, REQRULE_STATUS,
	      "TaskStatus: %.60s is not one of CREATED, IN_PROGRESS, FAILED, "
	      "SUCCEEDED, PROGRESS_STOPPED, PENDING_RESUME",
	      t ? t : "?");
	free(t);
	return -2;
}

json_t *reqrules_body(const struct httpd_request *req, enum awsjson_op op,
		      int *live_status, struct reqrule_findings *f)
{
	struct blt_err err = {0};
	json_t *body = awsjson_body_parse(req->body, req->body_len, &err);
	const json_t *nt;

	*live_status = -1;
	if (!body) {
		found(f, REQRULE_JSON, "%s", err.msg);
		return NULL;
	}
	if (op != AWSJSON_OP_LIST_BATCH_LOAD_TASKS)
		return body;
	nt = json_object_get(body, "NextToken");
	if (nt && !json_is_string(nt))
		found(f, REQRULE_TOKEN, "NextToken is a JSON %s, not a string",
		      json_is_number(nt) ? "number" : "non-string");
	check_max(json_object_get(body, "MaxResults"), f);
	*live_status = check_status(json_object_get(body, "TaskStatus"), f);
	return body;
}

const char *reqrule_status_text(int status)
{
	if (status == -1)
		return "absent";
	if (status < 0)
		return "not a valid value";
	return lbt_status_name((enum lbt_status)status);
}

void reqrules_token(const char *token, enum reqrule_token_state state,
		    int walk_status, int live_status, const char *issuer,
		    const char *known_as, struct reqrule_findings *f)
{
	if (!token || !*token)
		return;
	if (state != REQRULE_TOKEN_ISSUED) {
		found(f, REQRULE_TOKEN, "NextToken '%.40s%s' was %s%s%s", token,
		      strlen(token) > 40 ? "..." : "",
		      state == REQRULE_TOKEN_NOT_YET ? known_as : "never",
		      state == REQRULE_TOKEN_NOT_YET ? " but not yet issued by "
						     : " issued by ",
		      issuer);
		return;
	}
	if (walk_status != live_status)
		found(f, REQRULE_WALK,
		      "TaskStatus is %s, but the walk that issued this "
		      "NextToken had %s",
		      reqrule_status_text(live_status),
		      reqrule_status_text(walk_status));
}
