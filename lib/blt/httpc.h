/* A thin layer over libcurl: one keep-alive handle per thread, timeouts,
 * TLS verification on, whole responses with a cap.
 *
 * Concurrency: httpc_global_init may be called from any thread; a client
 * belongs to one thread (record keeps one per worker thread). */
#ifndef BLT_HTTPC_H
#define BLT_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"
#include "blt/header.h"

#define HTTPC_BODY_MAX_DEFAULT (64 * 1024 * 1024)
#define HTTPC_MAX_HEADERS 64

struct httpc; /* opaque: a libcurl easy handle that keeps its connection */

/* The timeouts of a client whose options leave them 0. */
#define HTTPC_TIMEOUT_DEFAULT_MS 10000
#define HTTPC_CONNECT_TIMEOUT_DEFAULT_MS 3000

struct httpc_opts {
	long timeout_ms;         /* whole request; HTTPC_TIMEOUT_DEFAULT_MS
				    when 0 */
	long connect_timeout_ms; /* HTTPC_CONNECT_TIMEOUT_DEFAULT_MS when 0 */
	const char *ca_file;     /* extra CA bundle for TLS, or NULL */
	size_t body_max;         /* HTTPC_BODY_MAX_DEFAULT when 0 */
};


struct httpc_response {
	long status;
	/* names lower-cased, values trimmed; owned by the response */
	struct blt_header headers[HTTPC_MAX_HEADERS];
	size_t nheaders;
	struct blt_buf body;
	double elapsed_ms;
};

/* Calls curl_global_init once, thread-safely. */
void httpc_global_init(void);

/* A new client; free with httpc_free. Not to be shared between threads. */
blt_status httpc_new(const struct httpc_opts *opts, struct httpc **out,
		     struct blt_err *err);

void httpc_free(struct httpc *c);

/* Sends one request. The URL's path goes out as it is written (dot
 * segments are not removed). headers is an array of "Name: value" strings
 * (n of them). On BLT_OK resp holds the answer (any status) and must be
 * released with httpc_response_free. On failure err names the cause: refused,
 * timeout, reset, TLS, body over the cap; BLT_ETIMEOUT for timeouts,
 * BLT_ENET for the rest. */
blt_status httpc_send(struct httpc *c, const char *method, const char *url,
		      const char *const *headers, size_t n, const void *body,
		      size_t len, struct httpc_response *resp,
		      struct blt_err *err);

/* A URL built by httpc_url_join, and the path and query as it sends them.
 * All three are owned; release with httpc_url_free. */
struct httpc_url {
	char *url;
	char *path;
	char *query; /* NULL when there is none */
};

/* Builds the URL that sends path and query (NULL for none) to origin
 * ("http://HOST[:PORT]" or "https://...", nothing else) with libcurl's URL
 * API: the parts are set one by one, never joined as text, so no byte of
 * path or query can become a user, host or port. path must be origin-form
 * (httpd_target_ok). libcurl writes %-escapes with lower-case hex digits
 * (the same URI, RFC 3986 section 6.2.2.1); out->path and out->query are
 * what the URL sends, to be signed as such. The result is parsed back and
 * must name origin's scheme, host and port, and path and query as given
 * but for that case; BLT_EINVAL otherwise. */
blt_status httpc_url_join(const char *origin, const char *path,
			  const char *query, struct httpc_url *out,
			  struct blt_err *err);

void httpc_url_free(struct httpc_url *u);

/* True when a and b are the same request-target text but for the case of
 * the hex digits of %-escapes. */
bool httpc_same_escaped(const char *a, const char *b);

/* Case-insensitive header lookup; NULL when absent. */
const char *httpc_response_header(const struct httpc_response *r,
				  const char *name);

void httpc_response_free(struct httpc_response *r);

#endif
