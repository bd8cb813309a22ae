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

struct httpc_header {
	char *name;  /* lower-cased */
	char *value; /* trimmed */
};

struct httpc_response {
	long status;
	struct httpc_header headers[HTTPC_MAX_HEADERS];
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

/* Sends one request. headers is an array of "Name: value" strings (n of
 * them). On BLT_OK resp holds the answer (any status) and must be released
 * with httpc_response_free. On failure err names the cause: refused,
 * timeout, reset, TLS, body over the cap; BLT_ETIMEOUT for timeouts,
 * BLT_ENET for the rest. */
blt_status httpc_send(struct httpc *c, const char *method, const char *url,
		      const char *const *headers, size_t n, const void *body,
		      size_t len, struct httpc_response *resp,
		      struct blt_err *err);

/* Case-insensitive header lookup; NULL when absent. */
const char *httpc_response_header(const struct httpc_response *r,
				  const char *name);

void httpc_response_free(struct httpc_response *r);

#endif
