/* blt-proxy record's upstream: URL parsing, endpoint discovery, and
 * forwarding a request with SigV4 re-signing. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/awsjson.h"
#include "record.h"

/* Checks with libcurl's URL parser that u is scheme://HOST[:PORT] and a
 * base path that requests can be sent under. */
static blt_status upstream_check(const struct record_upstream *u,
				 const char *url, struct blt_err *err)
{
	char origin[300];
	struct httpc_url joined;
	blt_status st;

	snprintf(origin, sizeof(origin), "%s://%s", u->scheme, u->authority);
	if (u->base[0] && !httpd_target_ok(u->base, strlen(u->base)))
		return blt_fail(err, BLT_EUSAGE,
				"'%s': the path has a character that is not "
				"allowed in a URL path",
				url);
	st = httpc_url_join(origin, u->base[0] ? u->base : "/", NULL, &joined,
			    err);
	httpc_url_free(&joined);
	if (st)
		return blt_fail(err, BLT_EUSAGE,
				"'%s': expected scheme://HOST[:PORT][/PATH]",
				url);
	return BLT_OK;
}

blt_status record_upstream_parse(const char *url, struct record_upstream *out,
				 struct blt_err *err)
{
	const char *rest;
	const char *slash;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!strncasecmp(url, "http://", 7)) {
		strcpy(out->scheme, "http");
		rest = url + 7;
	} else if (!strncasecmp(url, "https://", 8)) {
		strcpy(out->scheme, "https");
		rest = url + 8;
	} else {
		return blt_fail(err, BLT_EUSAGE,
				"'%s' is not an http:// or https:// URL", url);
	}
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (n == 0 || n >= sizeof(out->authority) || memchr(rest, '@', n) ||
	    strpbrk(rest, "?# \t"))
		return blt_fail(err, BLT_EUSAGE,
				"'%s': expected scheme://HOST[:PORT][/PATH] "
				"without user, query or fragment",
				url);
	memcpy(out->authority, rest, n);
	if (slash) {
		size_t blen = strlen(slash);

		while (blen > 0 && slash[blen - 1] == '/')
			blen--;
		if (blen >= sizeof(out->base))
			return blt_fail(err, BLT_EUSAGE, "'%s': path too long",
					url);
		memcpy(out->base, slash, blen);
	}
	return upstream_check(out, url, err);
}

void record_upstream_url(const struct record_upstream *u, char *out,
			 size_t outsz)
{
	snprintf(out, outsz, "%s://%s%s", u->scheme, u->authority, u->base);
}

bool record_hop_header(const char *name, const char *connection)
{
	static const char *const hop[] = {
	    "connection", "keep-alive", "transfer-encoding", "te",
	    "trailer",	  "upgrade",	"content-length",
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(hop) / sizeof(*hop); i++)
		if (!strcasecmp(name, hop[i]))
			return true;
	if (!strncasecmp(name, "proxy-", 6))
		return true;
	/* The Connection header may name more hop-by-hop headers. */
	for (const char *p = connection; p && *p;) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, ", \t");
		if (len == n && len && !strncasecmp(p, name, n))
			return true;
		p += len;
	}
	return false;
}

void record_signature_of(const char *authorization, char out[65])
{
	const char *p =
	    authorization ? strstr(authorization, "Signature=") : NULL;
	size_t n = 0;

	if (p) {
		p += strlen("Signature=");
		while (n < 64 && isxdigit((unsigned char)p[n]))
			n++;
		memcpy(out, p, n);
	}
	out[n] = '\0';
}

/* Formats one "Name: value" line for libcurl (an empty value needs
 * "Name;"). NULL when out of memory. */
static char *header_line(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 3;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, *value ? "%s: %s" : "%s;", name,
			 *value ? value : "");
	return s;
}

/* True when a client header is not forwarded. */
static bool dropped(const char *name, const char *connection, bool resign)
{
	static const char *const always[] = {"expect", "accept-encoding"};
	static const char *const resigned[] = {"authorization", "x-amz-date",
					       "x-amz-security-token", "host"};

	if (record_hop_header(name, connection))
		return true;
	for (size_t i = 0; i < sizeof(always) / sizeof(*always); i++)
		if (!strcasecmp(name, always[i]))
			return true;
	for (size_t i = 0; resign && i < sizeof(resigned) / sizeof(*resigned);
	     i++)
		if (!strcasecmp(name, resigned[i]))
			return true;
	return false;
}

bool record_target_forwarded(const struct record_opts *o, const char *target)
{
	if (!target)
		return false;
	if (!strncmp(target, AWSJSON_TARGET_PREFIX,
		     strlen(AWSJSON_TARGET_PREFIX)))
		return true;
	for (size_t i = 0; i < o->nforward_targets; i++)
		if (!strncmp(target, o->forward_targets[i],
			     strlen(o->forward_targets[i])))
			return true;
	return false;
}

static blt_status add_line(struct record_outgoing *f, const char *name,
			   const char *value, struct blt_err *err)
{
	if (f->n == RECORD_FORWARD_MAX)
		return blt_fail(err, BLT_ELIMIT, "more than %d headers",
				RECORD_FORWARD_MAX);
	if (!(f->lines[f->n] = header_line(name, value)))
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	f->n++;
	return BLT_OK;
}

/* Collects the client's headers that go upstream; remembers the signed
 * ones (content-type, x-amz-target, x-amz-content-sha256). */
static blt_status client_headers(struct record_outgoing *f,
				 const struct httpd_request *req, bool resign,
				 struct blt_err *err)
{
	static const char *const signed_names[] = {
	    "content-type", "x-amz-target", "x-amz-content-sha256"};
	const char *conn = httpd_request_header(req, "connection");
	blt_status st;

	for (size_t i = 0; i < req->nheaders; i++) {
		const struct blt_header *h = &req->headers[i];

		if (dropped(h->name, conn, resign))
			continue;
		if ((st = add_line(f, h->name, h->value, err)))
			return st;
		for (size_t k = 0; resign && k < 3; k++)
			if (!strcasecmp(h->name, signed_names[k]) &&
			    f->nsign < 3)
				f->sign[f->nsign++] = (struct sigv4_header){
				    signed_names[k], h->value};
	}
	return BLT_OK;
}

/* Adds Host, X-Amz-Date, the session token and the Authorization, signing
 * the path and query that the URL sends. */
static blt_status sign_headers(struct record_outgoing *f,
			       const struct record_upstream *u,
			       const struct record_signer *s,
			       const struct httpd_request *req,
			       struct blt_err *err)
{
	struct sigv4_request r;
	size_t first = f->nsign;
	blt_status st;

	sigv4_amz_date_now(f->amz_date);
	f->sign[f->nsign++] = (struct sigv4_header){"host", u->authority};
	f->sign[f->nsign++] = (struct sigv4_header){"x-amz-date", f->amz_date};
	if (s->creds.session_token && *s->creds.session_token)
		f->sign[f->nsign++] = (struct sigv4_header){
		    "x-amz-security-token", s->creds.session_token};
	r = (struct sigv4_request){.method = req->method,
				   .path = f->url.path,
				   .query = f->url.query,
				   .headers = f->sign,
				   .nheaders = f->nsign,
				   .body = req->body,
				   .body_len = req->body_len};
	st = sigv4_sign(&r, &s->creds, s->region, AWSJSON_SIGV4_SERVICE,
			f->amz_date, f->auth, sizeof(f->auth), err);
	if (st)
		return blt_err_prefix(err, "re-signing");
	for (size_t i = first; i < f->nsign; i++)
		if ((st = add_line(f, f->sign[i].name, f->sign[i].value, err)))
			return st;
	record_signature_of(f->auth, f->sig);
	return add_line(f, "authorization", f->auth, err);
}

blt_status record_outgoing_build(const struct record_upstream *u,
				 const struct record_signer *s,
				 const struct httpd_request *req,
				 struct record_outgoing *out,
				 struct blt_err *err)
{
	size_t plen = strlen(u->base) + strlen(req->path) + 1;
	char *path = malloc(plen);
	char origin[300];
	blt_status st;

	memset(out, 0, sizeof(*out));
	if (!path)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	snprintf(path, plen, "%s%s", u->base, req->path);
	snprintf(origin, sizeof(origin), "%s://%s", u->scheme, u->authority);
	if ((st = httpc_url_join(origin, path, req->query, &out->url, err)) ||
	    (st = client_headers(out, req, s->resign, err)))
		goto done;
	if (s->resign)
		st = sign_headers(out, u, s, req, err);
	else if (!httpd_request_header(req, "host"))
		st = add_line(out, "host", u->authority, err);
done:
	free(path);
	return st;
}

void record_outgoing_free(struct record_outgoing *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->lines[i]);
	httpc_url_free(&o->url);
	memset(o, 0, sizeof(*o));
}

blt_status record_forward(struct httpc *c, const struct record_upstream *u,
			  const struct record_signer *s,
			  const struct httpd_request *req,
			  struct httpc_response *resp, char sig_out[65],
			  struct blt_err *err)
{
	struct record_outgoing o;
	blt_status st = record_outgoing_build(u, s, req, &o, err);

	if (st == BLT_OK)
		st = httpc_send(c, req->method, o.url.url,
				(const char *const *)o.lines, o.n, req->body,
				req->body_len, resp, err);
	memcpy(sig_out, o.sig, sizeof(o.sig));
	record_outgoing_free(&o);
	return st;
}

/* Takes an Address that carries a scheme (a blt server on plain HTTP
 * answers "http://HOST:PORT") as the upstream's URL. */
static blt_status address_url(const char *addr, const char *url,
			      struct record_upstream *out, struct blt_err *err)
{
	if (awsjson_advertise_check(addr, err) == BLT_OK &&
	    record_upstream_parse(addr, out, err) == BLT_OK)
		return BLT_OK;
	blt_err_prefix(err, "endpoint discovery at %s: Endpoints[0].Address",
		       url);
	if (err)
		err->code = BLT_ENET;
	return BLT_ENET;
}

/* Reads Endpoints[0] of a DescribeEndpoints answer: an Address with a
 * scheme as a URL, a bare host[:port] with the discovery URL's scheme. */
static blt_status read_endpoint(const struct httpc_response *resp,
				const char *url, struct record_upstream *out,
				long *cache_minutes, struct blt_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(resp->body.data ? resp->body.data : "",
				 resp->body.len, 0, &jerr);
	json_t *ep = json_array_get(json_object_get(doc, "Endpoints"), 0);
	const char *addr = json_string_value(json_object_get(ep, "Address"));
	json_t *cache = json_object_get(ep, "CachePeriodInMinutes");
	blt_status st = BLT_OK;

	if (addr && strstr(addr, "://")) {
		st = address_url(addr, url, out, err);
	} else if (!addr || !*addr || strlen(addr) >= sizeof(out->authority) ||
		   strpbrk(addr, "/?#@ \t")) {
		st = blt_fail(err, BLT_ENET,
			      "endpoint discovery at %s: the answer has no "
			      "usable Endpoints[0].Address",
			      url);
	} else {
		snprintf(out->authority, sizeof(out->authority), "%s", addr);
		out->base[0] = '\0';
	}
	if (st == BLT_OK)
		*cache_minutes = json_is_integer(cache)
				     ? (long)json_integer_value(cache)
				     : 0;
	json_decref(doc);
	return st;
}

blt_status record_discover(struct httpc *c, const char *discovery_url,
			   const struct record_signer *s,
			   struct record_upstream *out, long *cache_minutes,
			   struct blt_err *err)
{
	const struct blt_header headers[] = {
	    {"content-type", AWSJSON_CONTENT_TYPE},
	    {"x-amz-target", AWSJSON_TARGET_PREFIX "DescribeEndpoints"},
	};
	struct httpd_request req = {.method = "POST",
				    .path = "/",
				    .headers = headers,
				    .nheaders = 2,
				    .body = "{}",
				    .body_len = 2};
	struct record_upstream d;
	struct httpc_response resp;
	char sig[65];
	char type[128];
	blt_status st;

	if ((st = record_upstream_parse(discovery_url, &d, err)))
		return st;
	st = record_forward(c, &d, s, &req, &resp, sig, err);
	if (st)
		return blt_err_prefix(err, "endpoint discovery at %s",
				      discovery_url);
	if (resp.status != 200) {
		if (!awsjson_error_read_type(
			httpc_response_header(&resp, "x-amzn-errortype"), NULL,
			type, sizeof(type)))
			snprintf(type, sizeof(type), "no error type");
		st = blt_fail(err, BLT_ENET,
			      "endpoint discovery at %s: DescribeEndpoints "
			      "answered %ld (%s)",
			      discovery_url, resp.status, type);
	} else {
		*out = d;
		st = read_endpoint(&resp, discovery_url, out, cache_minutes,
				   err);
	}
	httpc_response_free(&resp);
	return st;
}
