/* The HTTP client layer: one reusable libcurl easy handle per client. */
#include "blt/httpc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct httpc {
	CURL *curl;
	long timeout_ms;
	long connect_timeout_ms;
	size_t body_max;
	char errbuf[CURL_ERROR_SIZE];
	/* State of the request being sent, read by the callbacks. */
	struct httpc_response *resp;
	bool body_over;	   /* the body passed body_max */
	bool headers_over; /* more than HTTPC_MAX_HEADERS headers */
	bool got_status;   /* a status line arrived */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void httpc_global_init(void)
{
	pthread_once(&global_once, global_init_once);
}

/* ---- Callbacks ---- */

/* Frees the collected headers. */
static void headers_clear(struct httpc_response *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		free((char *)r->headers[i].name);
		free((char *)r->headers[i].value);
	}
	r->nheaders = 0;
}

/* Stores one "Name: value" line, the name lower-cased and the value
 * trimmed. Returns false when out of memory. */
static bool header_store(struct httpc_response *r, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	const char *v, *end = line + n;
	char *name, *value;
	size_t i;

	if (!colon)
		return true; /* not a header: ignore */
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	name = strndup(line, (size_t)(colon - line));
	value = strndup(v, (size_t)(end - v));
	if (!name || !value) {
		free(name);
		free(value);
		return false;
	}
	for (i = 0; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
	return true;
}

/* libcurl's header callback: a status line starts a new header set, so
 * only the last response's headers (after 100 Continue, say) are kept. */
static size_t on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct httpc *c = arg;
	size_t n = size * nitems;

	if (n >= 5 && !memcmp(line, "HTTP/", 5)) {
		headers_clear(c->resp);
		c->headers_over = false;
		c->got_status = true;
		return n;
	}
	if (n <= 2 || line[0] == ' ' || line[0] == '\t')
		return n; /* the blank line, or an obsolete folded line */
	if (c->resp->nheaders >= HTTPC_MAX_HEADERS) {
		c->headers_over = true;
		return n;
	}
	return header_store(c->resp, line, n) ? n : 0;
}

/* libcurl's body callback: appends to the capped body buffer. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct httpc *c = arg;
	size_t n = size * nmemb;

	if (buf_append(&c->resp->body, data, n, NULL) != BLT_OK) {
		c->body_over = true;
		return 0;
	}
	return n;
}

/* ---- Client ---- */

/* Sets the options that do not change between requests. */
static CURLcode setup_handle(struct httpc *c, const struct httpc_opts *o)
{
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(h, opt, val);                    \
	} while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file)
		SET(CURLOPT_CAINFO, o->ca_file);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_PATH_AS_IS, 1L);
	SET(CURLOPT_TCP_NODELAY, 1L);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, c);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, c);
#undef SET
	return rc;
}

blt_status httpc_new(const struct httpc_opts *opts, struct httpc **out,
		     struct blt_err *err)
{
	static const struct httpc_opts none;
	const struct httpc_opts *o = opts ? opts : &none;
	struct httpc *c;
	CURLcode rc;

	*out = NULL;
	httpc_global_init();
	c = calloc(1, sizeof(*c));
	if (!c)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : HTTPC_TIMEOUT_DEFAULT_MS;
	c->connect_timeout_ms = o->connect_timeout_ms
					? o->connect_timeout_ms
					: HTTPC_CONNECT_TIMEOUT_DEFAULT_MS;
	c->body_max = o->body_max ? o->body_max : HTTPC_BODY_MAX_DEFAULT;
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return blt_fail(err, BLT_ENOMEM, "curl_easy_init failed");
	}
	rc = setup_handle(c, o);
	if (rc != CURLE_OK) {
		httpc_free(c);
		return blt_fail(err, BLT_EINVAL, "libcurl setup: %s",
				curl_easy_strerror(rc));
	}
	*out = c;
	return BLT_OK;
}

void httpc_free(struct httpc *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

/* ---- Sending ---- */

/* True when one of the n "Name: value" strings is the header name. */
static bool has_header(const char *const *headers, size_t n, const char *name)
{
	size_t len = strlen(name);
	size_t i;

	for (i = 0; i < n; i++)
		if (!strncasecmp(headers[i], name, len) &&
		    headers[i][len] == ':')
			return true;
	return false;
}

/* Builds the header list: the caller's, plus an empty "Expect:" (no
 * 100-continue wait) and an empty "Content-Type:" when the caller gave
 * none (libcurl would invent a form type). NULL when out of memory. */
static struct curl_slist *build_headers(const char *const *headers, size_t n,
					bool *oom)
{
	struct curl_slist *list = NULL, *next;
	size_t i;

	*oom = false;
	for (i = 0; i < n + 2; i++) {
		const char *h = i < n ? headers[i] : i == n ? "Expect:" : NULL;

		if (i == n + 1 && !has_header(headers, n, "content-type"))
			h = "Content-Type:";
		if (!h)
			continue;
		next = curl_slist_append(list, h);
		if (!next) {
			curl_slist_free_all(list);
			*oom = true;
			return NULL;
		}
		list = next;
	}
	return list;
}

/* Sets the per-request options: method, URL, headers and body. */
static CURLcode set_request(struct httpc *c, const char *method,
			    const char *url, struct curl_slist *hdrs,
			    const void *body, size_t len)
{
	CURL *h = c->curl;
	bool head = !strcmp(method, "HEAD");
	bool plain_get = !strcmp(method, "GET") && len == 0;
	CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, url);

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (rc == CURLE_OK && (head || plain_get))
		rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (rc == CURLE_OK && !head && !plain_get) {
		rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)len);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS,
					      body ? body : "");
	}
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_NOBODY, head ? 1L : 0L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
				      head || plain_get ? NULL : method);
	return rc;
}

/* Writes the URL's "HOST:PORT" into out, or a placeholder when it does
 * not parse (never the URL: its query may hold a credential). */
static void url_peer(const char *url, char *out, size_t n)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;

	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		snprintf(out, n, "%s:%s", host, port);
	else
		snprintf(out, n, "(a URL that does not parse)");
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* Writes "IP:PORT" of the peer that libcurl talked to (or the URL's host
 * and port when it reached none) into out. */
static void peer_name(struct httpc *c, const char *url, char *out, size_t n)
{
	char *ip = NULL;
	long port = 0;

	curl_easy_getinfo(c->curl, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(c->curl, CURLINFO_PRIMARY_PORT, &port);
	if (ip && *ip && port)
		snprintf(out, n, strchr(ip, ':') ? "[%s]:%ld" : "%s:%ld", ip,
			 port);
	else
		url_peer(url, out, n);
}

/* Names a failure to connect. */
static blt_status fail_connect(struct httpc *c, const char *peer,
			       struct blt_err *err)
{
	long oserr = 0;

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	if (oserr == ECONNREFUSED)
		return blt_fail(err, BLT_ENET, "connection refused by %s",
				peer);
	return blt_fail(err, BLT_ENET, "cannot connect to %s: %s", peer,
			oserr ? strerror((int)oserr) : c->errbuf);
}

/* Names a timeout: in the connect phase or later. */
static blt_status fail_timeout(struct httpc *c, const char *peer,
			       struct blt_err *err)
{
	curl_off_t connected = 0;

	curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &connected);
	if (connected == 0 && !c->got_status)
		return blt_fail(err, BLT_ETIMEOUT,
				"connecting to %s timed out after %ld ms", peer,
				c->connect_timeout_ms);
	return blt_fail(err, BLT_ETIMEOUT,
			"timed out after %ld ms waiting for %s%s",
			c->timeout_ms, peer,
			c->got_status ? " (response body incomplete)" : "");
}

/* Names a connection that broke while sending or receiving. */
static blt_status fail_transfer(struct httpc *c, CURLcode rc, const char *peer,
				struct blt_err *err)
{
	long oserr = 0;
	const char *what = rc == CURLE_SEND_ERROR ? "sending the request"
			   : c->got_status	  ? "reading the response body"
						  : "waiting for the response";

	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_GOT_NOTHING)
		return blt_fail(err, BLT_ENET,
				"connection closed by %s with an empty reply "
				"(no response)",
				peer);
	if (rc == CURLE_PARTIAL_FILE)
		return blt_fail(err, BLT_ENET,
				"connection closed by %s before the end of "
				"the response body",
				peer);
	if (oserr == ECONNRESET || oserr == EPIPE)
		return blt_fail(err, BLT_ENET,
				"connection reset by %s while %s", peer, what);
	return blt_fail(err, BLT_ENET, "connection to %s failed while %s: %s",
			peer, what,
			c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
}

/* Names a TLS failure. */
static blt_status fail_tls(CURLcode rc, const char *peer, const char *detail,
			   struct blt_err *err)
{
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return blt_fail(err, BLT_ENET,
				"TLS: certificate verify failed for %s: %s",
				peer, detail);
	if (rc == CURLE_SSL_CACERT_BADFILE)
		return blt_fail(err, BLT_ENET,
				"TLS: cannot use the CA file: %s", detail);
	return blt_fail(err, BLT_ENET, "TLS: handshake with %s failed: %s",
			peer, detail);
}

/* Whether the last transfer got as far as a connection. */
static bool connected(struct httpc *c)
{
	curl_off_t us = 0;

	curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &us);
	return us > 0;
}

/* Turns a libcurl failure into a message that names the cause. */
static blt_status fail_curl(struct httpc *c, CURLcode rc, const char *url,
			    struct blt_err *err)
{
	char peer[300];
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);

	peer_name(c, url, peer, sizeof(peer));
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return fail_connect(c, peer, err);
	case CURLE_OPERATION_TIMEDOUT:
		return fail_timeout(c, peer, err);
	case CURLE_COULDNT_RESOLVE_HOST:
		return blt_fail(err, BLT_ENET, "%s (DNS)", detail);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		return fail_tls(rc, peer, detail, err);
	case CURLE_WRITE_ERROR:
		if (c->body_over)
			return blt_fail(err, BLT_ENET,
					"response body exceeds %zu bytes",
					c->body_max);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* Also what libcurl says of a status line it cannot read,
		 * after it connected: the peer's fault, not the URL's. */
		if (connected(c))
			return blt_fail(err, BLT_ENET,
					"%s answered something that is not "
					"HTTP: %s",
					peer, detail);
		/* fall through */
	case CURLE_URL_MALFORMAT:
		return blt_fail(err, BLT_EINVAL, "bad URL for %s: %s", peer,
				detail);
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return fail_transfer(c, rc, peer, err);
	default:
		break;
	}
	return blt_fail(err, BLT_ENET, "request to %s failed: %s", peer,
			detail);
}

/* Resets resp and the per-request state before a transfer. */
static void request_prepare(struct httpc *c, struct httpc_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, c->body_max);
	c->resp = resp;
	c->body_over = false;
	c->headers_over = false;
	c->got_status = false;
	c->errbuf[0] = '\0';
}

/* Reads the status and elapsed time once the transfer succeeded. */
static blt_status request_result(struct httpc *c, struct httpc_response *resp,
				 struct blt_err *err)
{
	curl_off_t us = 0;

	if (c->headers_over)
		return blt_fail(err, BLT_ENET,
				"response has more than %d headers",
				HTTPC_MAX_HEADERS);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us);
	resp->elapsed_ms = (double)us / 1000.0;
	return BLT_OK;
}

blt_status httpc_send(struct httpc *c, const char *method, const char *url,
		      const char *const *headers, size_t n, const void *body,
		      size_t len, struct httpc_response *resp,
		      struct blt_err *err)
{
	struct curl_slist *hdrs = NULL;
	bool oom;
	CURLcode rc;
	blt_status st;

	request_prepare(c, resp);
	hdrs = build_headers(headers, n, &oom);
	if (oom) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto done;
	}
	rc = set_request(c, method, url, hdrs, body, len);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c->curl);
	st = rc == CURLE_OK ? request_result(c, resp, err)
			    : fail_curl(c, rc, url, err);
done:
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	c->resp = NULL;
	if (st)
		httpc_response_free(resp);
	return st;
}

/* The parts of a URL that say where it goes. */
struct url_parts {
	char *scheme, *user, *host, *port, *path, *query;
};

static void url_parts_free(struct url_parts *p)
{
	curl_free(p->scheme);
	curl_free(p->user);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->path);
	curl_free(p->query);
	memset(p, 0, sizeof(*p));
}

/* Reads u's parts into p (absent parts stay NULL). */
static void url_parts_get(CURLU *u, struct url_parts *p)
{
	memset(p, 0, sizeof(*p));
	curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0);
	curl_url_get(u, CURLUPART_USER, &p->user, 0);
	curl_url_get(u, CURLUPART_HOST, &p->host, 0);
	curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_PATH, &p->path, 0);
	curl_url_get(u, CURLUPART_QUERY, &p->query, 0);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool httpc_same_escaped(const char *a, const char *b)
{
	size_t hex = 0; /* hex digits of an escape still to compare */

	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++) {
		if (hex && isxdigit((unsigned char)*a) &&
		    tolower((unsigned char)*a) == tolower((unsigned char)*b)) {
			hex--;
			continue;
		}
		if (*a != *b)
			return false;
		hex = *a == '%' ? 2 : 0;
	}
	return *a == *b;
}

/* Parses url (as libcurl will when sending it) and checks that it goes to
 * want's scheme, host and port, with the path and query that want holds
 * (as set), and path and query as given but for the case of escapes. */
static bool url_goes_to(const char *url, const struct url_parts *want,
			const char *path, const char *query)
{
	CURLU *u = curl_url();
	struct url_parts got;
	bool ok;

	if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_PATH_AS_IS)) {
		curl_url_cleanup(u);
		return false;
	}
	url_parts_get(u, &got);
	ok = !got.user && same_text(got.scheme, want->scheme) &&
	     same_text(got.host, want->host) &&
	     same_text(got.port, want->port) &&
	     same_text(got.path, want->path) &&
	     same_text(got.query, want->query) &&
	     httpc_same_escaped(got.path, path) &&
	     httpc_same_escaped(got.query, query && *query ? query : NULL);
	url_parts_free(&got);
	curl_url_cleanup(u);
	return ok;
}

/* Checks that u holds scheme://HOST[:PORT] and nothing else, reading its
 * parts into want. */
static blt_status origin_parts(CURLU *u, const char *origin,
			       struct url_parts *want, struct blt_err *err)
{
	if (curl_url_set(u, CURLUPART_URL, origin, 0))
		return blt_fail(err, BLT_EINVAL, "'%s' is not a URL", origin);
	url_parts_get(u, want);
	if (want->user || !want->host ||
	    (want->path && strcmp(want->path, "/")) || want->query)
		return blt_fail(err, BLT_EINVAL,
				"'%s' is not scheme://HOST[:PORT]", origin);
	return BLT_OK;
}

blt_status httpc_url_join(const char *origin, const char *path,
			  const char *query, struct httpc_url *out,
			  struct blt_err *err)
{
	CURLU *u = curl_url();
	struct url_parts want = {0};
	char *url = NULL;
	blt_status st;

	memset(out, 0, sizeof(*out));
	if (!u)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	if ((st = origin_parts(u, origin, &want, err)))
		goto done;
	curl_free(want.path);
	want.path = NULL;
	if (curl_url_set(u, CURLUPART_PATH, path, 0) ||
	    curl_url_set(u, CURLUPART_QUERY, query && *query ? query : NULL,
			 0) ||
	    curl_url_get(u, CURLUPART_PATH, &want.path, 0) ||
	    (query && *query &&
	     curl_url_get(u, CURLUPART_QUERY, &want.query, 0)) ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) ||
	    !url_goes_to(url, &want, path, query)) {
		st = blt_fail(err, BLT_EINVAL,
			      "the request target cannot be sent to %s as "
			      "it is",
			      origin);
		goto done;
	}
	out->url = strdup(url);
	out->path = strdup(want.path);
	out->query = want.query ? strdup(want.query) : NULL;
	if (!out->url || !out->path || (want.query && !out->query)) {
		httpc_url_free(out);
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	}
done:
	curl_free(url);
	url_parts_free(&want);
	curl_url_cleanup(u);
	return st;
}

void httpc_url_free(struct httpc_url *u)
{
	free(u->url);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof(*u));
}

const char *httpc_response_header(const struct httpc_response *r,
				  const char *name)
{
	return header_find(r->headers, r->nheaders, name);
}

void httpc_response_free(struct httpc_response *r)
{
	if (!r)
		return;
	headers_clear(r);
	buf_free(&r->body);
}
