/* libFuzzer target: a server's request path up to validation (X-Amz-Target,
 * Content-Type, the ListBatchLoadTasks body) and the error body it sends;
 * and blt-proxy record's forwarding of a request target and headers: what
 * httpd accepts goes upstream unchanged, and nothing else does. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blt/awsjson.h"
#include "blt/httpc.h"
#include "blt/httpd.h"
#include "blt/lbt.h"
#include "record.h"

#include "fuzz.h"

/* The input is framed as three parts separated by the first two '\n':
 *   X-Amz-Target value '\n' Content-Type value '\n' body
 * An empty or missing header line means the header is absent; a missing
 * body is an empty one. */
struct framed {
	char *target; /* NULL when absent */
	char *ctype;  /* NULL when absent */
	char *body;   /* exactly body_len bytes, no terminator */
	size_t body_len;
};

/* Cuts the next line off [*p, end); NULL when it is empty or missing. */
static char *next_line(const char **p, const char *end)
{
	const char *nl;
	char *line = NULL;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	if (nl > *p)
		line = fuzz_str(*p, (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return line;
}

static void frame(const uint8_t *data, size_t size, struct framed *f)
{
	const char *p = (const char *)data;
	const char *end = p + size;

	f->target = next_line(&p, end);
	f->ctype = next_line(&p, end);
	f->body_len = (size_t)(end - p);
	f->body = fuzz_bytes(p, f->body_len);
}

/* awsjson_target_parse knows exactly the two operations by full name. */
static enum awsjson_op check_target(const char *target)
{
	enum awsjson_op op = awsjson_target_parse(target);
	size_t n = strlen(AWSJSON_TARGET_PREFIX);

	if (op == AWSJSON_OP_UNKNOWN)
		return op;
	FUZZ_CHECK(target && strncmp(target, AWSJSON_TARGET_PREFIX, n) == 0 &&
		       strcmp(target + n, awsjson_op_name(op)) == 0,
		   "target '%s' parsed as %s", target ? target : "(null)",
		   awsjson_op_name(op));
	return op;
}

/* What lbt_request_parse promises, on success and on failure. */
static void check_parsed(blt_status st, json_t *root,
			 const struct lbt_request *req, enum awsjson_error kind,
			 const struct blt_err *err)
{
	if (st != BLT_OK) {
		FUZZ_CHECK(root == NULL, "root set on failure");
		FUZZ_CHECK(kind == AWSJSON_ERR_SERIALIZATION ||
			       kind == AWSJSON_ERR_VALIDATION,
			   "failure kind %d", (int)kind);
		FUZZ_CHECK(err->msg[0] != '\0', "failure without a message");
		return;
	}
	FUZZ_CHECK(json_is_object(root), "success without an object");
	FUZZ_CHECK(!req->has_max_results ||
		       (req->max_results >= LBT_MAX_RESULTS_MIN &&
			req->max_results <= LBT_MAX_RESULTS_MAX),
		   "MaxResults %d accepted", req->max_results);
	FUZZ_CHECK(!req->has_status || lbt_status_name(req->status),
		   "TaskStatus %d accepted", (int)req->status);
	FUZZ_CHECK(!req->next_token ||
		       req->next_token == json_string_value(json_object_get(
					      root, "NextToken")),
		   "NextToken not borrowed from the body");
}

/* The error body for e and msg must be JSON that any reader of SPEC
 * section 2 understands, whatever bytes the message holds. */
static void check_error_body(enum awsjson_error e, const char *msg)
{
	char *text = awsjson_error_body(e, msg);
	char type[128];
	json_t *doc;

	FUZZ_CHECK(text != NULL,
		   "awsjson_error_body(%s) returned NULL for the message "
		   "\"%s\" (the servers then answer 500 with no body)",
		   awsjson_error_name(e), msg);
	doc = json_loads(text, 0, NULL);
	FUZZ_CHECK(json_is_object(doc), "error body is not an object: %s",
		   text);
	FUZZ_CHECK(awsjson_error_read_type(NULL, doc, type, sizeof(type)) &&
		       strcmp(type, awsjson_error_name(e)) == 0,
		   "error body's type unreadable: %s", text);
	FUZZ_CHECK(awsjson_error_read_type(awsjson_error_name(e), doc, type,
					   sizeof(type)) &&
		       strcmp(type, awsjson_error_name(e)) == 0,
		   "x-amzn-ErrorType unreadable for %s", awsjson_error_name(e));
	FUZZ_CHECK(awsjson_error_read_message(doc) != NULL,
		   "error body without a message: %s", text);
	json_decref(doc);
	free(text);
}

/* The reader of SPEC section 2 on an arbitrary header and body. */
static void check_read_type(const char *header, const struct framed *f)
{
	json_t *body = json_loadb(f->body, f->body_len, JSON_DECODE_ANY, NULL);
	char type[64];

	if (awsjson_error_read_type(header, body, type, sizeof(type)))
		FUZZ_CHECK(type[0] && strlen(type) < sizeof(type) &&
			       !strchr(type, ':'),
			   "read type '%s'", type);
	(void)awsjson_error_read_message(body);
	json_decref(body);
}

/* ---- The record path ----
 * The same input read as a request head: the first line is the request
 * target, each further line a header "name:value" (split at the first ':',
 * the value's leading blanks skipped, as an HTTP parser does); a line
 * without ':' ends the head. */

#define REC_HEADERS_MAX 32
#define REC_UPSTREAM_AUTHORITY "127.0.0.1:8080"

struct head {
	char *target;
	size_t target_len;
	char *names[REC_HEADERS_MAX];
	size_t name_lens[REC_HEADERS_MAX];
	char *values[REC_HEADERS_MAX];
	size_t value_lens[REC_HEADERS_MAX];
	size_t n;
};

/* Splits one header line [p, end) into h; false when it has no ':'. */
static bool head_line(struct head *h, const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *v;

	if (!colon || h->n == REC_HEADERS_MAX)
		return false;
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	h->name_lens[h->n] = (size_t)(colon - p);
	h->names[h->n] = fuzz_str(p, h->name_lens[h->n]);
	h->value_lens[h->n] = (size_t)(end - v);
	h->values[h->n] = fuzz_str(v, h->value_lens[h->n]);
	h->n++;
	return true;
}

static void head_read(const uint8_t *data, size_t size, struct head *h)
{
	const char *p = (const char *)data;
	const char *end = p + size;
	const char *nl = memchr(p, '\n', size);

	memset(h, 0, sizeof(*h));
	h->target_len = nl ? (size_t)(nl - p) : size;
	h->target = fuzz_str(p, h->target_len);
	for (p = nl ? nl + 1 : end; p < end;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!head_line(h, p, nl ? nl : end))
			break;
		p = nl ? nl + 1 : end;
	}
}

static void head_free(struct head *h)
{
	free(h->target);
	for (size_t i = 0; i < h->n; i++) {
		free(h->names[i]);
		free(h->values[i]);
	}
}

/* What httpd accepts: an origin-form target, token names, clean values
 * (a NUL in any of them is refused too: the lengths differ). */
static bool head_accepted(const struct head *h)
{
	if (!httpd_target_ok(h->target, h->target_len) ||
	    strlen(h->target) != h->target_len)
		return false;
	for (size_t i = 0; i < h->n; i++)
		if (!httpd_token_ok(h->names[i], h->name_lens[i]) ||
		    strlen(h->names[i]) != h->name_lens[i] ||
		    !httpd_field_value_ok(h->values[i], h->value_lens[i]) ||
		    strlen(h->values[i]) != h->value_lens[i])
			return false;
	return true;
}

/* Whether a forwarded line (name of len bytes, value v) is one record
 * writes itself, checking that it holds the proxy's value: when it
 * re-signs, Host, X-Amz-Date, X-Amz-Security-Token and Authorization;
 * without, Host when the client sent none. */
static bool own_header(const char *name, size_t len, const char *v,
		       const struct httpd_request *req, bool resign)
{
	bool host = len == 4 && !strncasecmp(name, "host", 4);

	if (!resign) {
		if (!host || httpd_request_header(req, "host"))
			return false;
		FUZZ_CHECK(!strcmp(v, REC_UPSTREAM_AUTHORITY), "Host: %s", v);
		return true;
	}
	if (host)
		FUZZ_CHECK(!strcmp(v, REC_UPSTREAM_AUTHORITY), "Host: %s", v);
	else if (len == 10 && !strncasecmp(name, "x-amz-date", 10))
		FUZZ_CHECK(strlen(v) == 16, "X-Amz-Date: %s", v);
	else if (len == 20 && !strncasecmp(name, "x-amz-security-token", 20))
		FUZZ_CHECK(!strcmp(v, "FUZZSESSIONTOKENEXAMPLE"),
			   "X-Amz-Security-Token: %s", v);
	else if (len == 13 && !strncasecmp(name, "authorization", 13))
		FUZZ_CHECK(!strncmp(v, "AWS4-HMAC-SHA256 Credential="
				       "AKIAIOSFODNN7EXAMPLE/",
				    49),
			   "Authorization: %s", v);
	else
		return false;
	return true;
}

/* The forwarded URL goes to the upstream, with the accepted path (under
 * the upstream's base) and query, %-escapes aside. */
static void check_url(const struct httpc_url *u,
		      const struct httpd_request *req)
{
	CURLU *h = curl_url();
	char *host = NULL, *port = NULL, *user = NULL, *path = NULL;
	char *query = NULL;
	char want[8192];

	snprintf(want, sizeof(want), "/base%s", req->path);
	FUZZ_CHECK(h && !curl_url_set(h, CURLUPART_URL, u->url,
				      CURLU_PATH_AS_IS),
		   "the forwarded URL does not parse: %s", u->url);
	curl_url_get(h, CURLUPART_HOST, &host, 0);
	curl_url_get(h, CURLUPART_PORT, &port, 0);
	curl_url_get(h, CURLUPART_USER, &user, 0);
	curl_url_get(h, CURLUPART_PATH, &path, 0);
	curl_url_get(h, CURLUPART_QUERY, &query, 0);
	FUZZ_CHECK(host && !strcmp(host, "127.0.0.1") && port &&
		       !strcmp(port, "8080") && !user,
		   "target '%s' sent to %s", req->path, u->url);
	FUZZ_CHECK(httpc_same_escaped(path, want) &&
		       httpc_same_escaped(query, req->query && *req->query
						      ? req->query
						      : NULL),
		   "target '%s?%s' forwarded as %s", req->path,
		   req->query ? req->query : "", u->url);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(h);
}

/* Every forwarded line is an accepted client header, byte for byte and in
 * the client's order, or one the proxy writes itself; none carries CR, LF
 * or NUL. */
static void check_lines(const struct record_outgoing *o,
			const struct httpd_request *req, bool resign)
{
	size_t next = 0;

	for (size_t i = 0; i < o->n; i++) {
		const char *line = o->lines[i];
		size_t nlen = strcspn(line, ":;");
		const char *v = line[nlen] == ':' ? line + nlen + 2 : "";
		bool found = false;

		FUZZ_CHECK(!strpbrk(line, "\r\n"), "line %zu: %s", i, line);
		FUZZ_CHECK(line[nlen] == ';' ||
			       (line[nlen] == ':' && line[nlen + 1] == ' '),
			   "malformed line %s", line);
		if (own_header(line, nlen, v, req, resign))
			continue;
		while (next < req->nheaders && !found) {
			const struct blt_header *h = &req->headers[next++];

			found = strlen(h->name) == nlen &&
				!memcmp(h->name, line, nlen) &&
				!strcmp(h->value, v);
		}
		FUZZ_CHECK(found, "forwarded '%s' was not accepted as such",
			   line);
	}
}

/* Builds what record sends for an accepted head and checks it. */
static void check_forward(const struct head *h, bool resign)
{
	struct blt_header headers[REC_HEADERS_MAX];
	struct record_upstream up = {"http", REC_UPSTREAM_AUTHORITY, "/base"};
	struct record_signer s = {
	    resign,
	    {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFETEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	     "FUZZSESSIONTOKENEXAMPLE"},
	    "us-east-1"};
	char *q = strchr(h->target, '?');
	struct httpd_request req = {.method = "POST",
				    .version = "HTTP/1.1",
				    .body = "{}",
				    .body_len = 2};
	struct record_outgoing o;
	struct blt_err err = {0};
	blt_status st;

	if (q)
		*q = '\0';
	req.path = h->target;
	req.query = q ? q + 1 : NULL;
	for (size_t i = 0; i < h->n; i++)
		headers[i] = (struct blt_header){h->names[i], h->values[i]};
	req.headers = headers;
	req.nheaders = h->n;
	st = record_outgoing_build(&up, &s, &req, &o, &err);
	FUZZ_CHECK(st == BLT_OK || st == BLT_ELIMIT,
		   "an accepted request is not forwarded: %s", err.msg);
	if (st == BLT_OK) {
		check_url(&o.url, &req);
		check_lines(&o, &req, resign);
	}
	record_outgoing_free(&o);
	if (q)
		*q = '?';
}

static void check_record_path(const uint8_t *data, size_t size)
{
	struct head h;

	head_read(data, size, &h);
	if (head_accepted(&h)) {
		check_forward(&h, true);
		check_forward(&h, false);
	}
	head_free(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framed f;
	struct lbt_request req;
	enum awsjson_error kind = AWSJSON_ERR_COUNT;
	struct blt_err err = {0};
	char msg[BLT_ERR_MSG_MAX];
	json_t *root = NULL;
	enum awsjson_op op;
	blt_status st;
	bool ct_ok;

	frame(data, size, &f);
	op = check_target(f.target);
	ct_ok = awsjson_content_type_ok(f.ctype);
	st = lbt_request_parse(f.body, f.body_len, &root, &req, &kind, &err);
	check_parsed(st, root, &req, kind, &err);
	/* The servers check in this order and quote what they reject. */
	if (!ct_ok) {
		snprintf(msg, sizeof(msg),
			 "Content-Type: %.128s is not %s, so no operation of "
			 "this service is addressed",
			 f.ctype ? f.ctype : "(absent)", AWSJSON_CONTENT_TYPE);
		check_error_body(AWSJSON_ERR_UNKNOWN_OPERATION, msg);
	} else if (op == AWSJSON_OP_UNKNOWN) {
		snprintf(msg, sizeof(msg),
			 "X-Amz-Target: %.128s is not %sListBatchLoadTasks",
			 f.target ? f.target : "(absent)",
			 AWSJSON_TARGET_PREFIX);
		check_error_body(AWSJSON_ERR_UNKNOWN_OPERATION, msg);
	} else if (op == AWSJSON_OP_LIST_BATCH_LOAD_TASKS && st != BLT_OK) {
		check_error_body(kind, err.msg);
	}
	check_read_type(f.target, &f);
	check_record_path(data, size);
	json_decref(root);
	free(f.target);
	free(f.ctype);
	free(f.body);
	return 0;
}
