/* A thin layer over libmicrohttpd: listen address parsing, port 0, the
 * "listening on" line, whole-body delivery with a cap (413 beyond),
 * connection timeouts, and graceful shutdown on SIGINT and SIGTERM.
 *
 * Concurrency: the handler runs on several threads at once when threads >
 * 1; httpd_start and httpd_stop belong to the thread that owns the
 * server. */
#ifndef BLT_HTTPD_H
#define BLT_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "blt/buf.h"
#include "blt/err.h"
#include "blt/header.h"

#define HTTPD_BODY_MAX_DEFAULT (1024 * 1024)
#define HTTPD_MAX_HEADERS 64
#define HTTPD_MAX_REQ_HEADERS 128 /* more gets 431 */

struct httpd; /* opaque: a running server */


/* A complete request, valid for the duration of the handler call. */
struct httpd_request {
	const char *method;
	const char *path;      /* the raw URL path as sent, no query */
	const char *query;     /* the raw query string, or NULL */
	const char *version;   /* "HTTP/1.1" */
	const struct blt_header *headers; /* names as the client sent them */
	size_t nheaders;
	const char *body;      /* NUL-terminated for convenience */
	size_t body_len;
	unsigned long long seq; /* 0, 1, 2, ... in arrival order */
	const char *local_url;  /* "http://127.0.0.1:PORT" */
};

struct httpd_prepared; /* opaque: an answer built once, sent many times */

/* What the handler answers. Headers are copied by httpd after the handler
 * returns; content-type defaults to application/x-amz-json-1.0;
 * Content-Length and Transfer-Encoding set by the handler are ignored (the
 * server computes them). The body is handed to libmicrohttpd without a
 * copy. A status outside 100..599 or a header libmicrohttpd refuses turns
 * the answer into a 500 InternalServerException. When prepared is set (and
 * neither reset nor delay_ms), that answer is sent as it is and status,
 * body and headers are ignored. */
struct httpd_reply {
	int status;
	struct blt_buf body;          /* initialised by httpd, cap 64 MiB */
	char *header_names[HTTPD_MAX_HEADERS];  /* owned: set with httpd_reply_header */
	char *header_values[HTTPD_MAX_HEADERS];
	size_t nheaders;
	const struct httpd_prepared *prepared; /* borrowed; see above */
	bool reset;      /* close the connection without answering */
	unsigned delay_ms; /* wait this long before answering */
};

/* Adds (copies) a response header. Fails with BLT_ELIMIT past
 * HTTPD_MAX_HEADERS. */
blt_status httpd_reply_header(struct httpd_reply *r, const char *name,
			      const char *value, struct blt_err *err);

/* Builds an answer that can be sent any number of times, from any thread,
 * without copying: status, n headers (content-type defaults as for a reply;
 * Content-Length and Transfer-Encoding are left to httpd) and the body,
 * which is borrowed and must outlive the prepared answer. Free it with
 * httpd_prepared_free once no server can send it any more. */
blt_status httpd_prepared_new(int status, const char *const *names,
			      const char *const *values, size_t n,
			      const char *body, size_t len,
			      struct httpd_prepared **out, struct blt_err *err);

/* Frees a prepared answer. NULL is a no-op. */
void httpd_prepared_free(struct httpd_prepared *p);

/* Case-insensitive lookup of a request header; NULL when absent. The first
 * occurrence wins. */
const char *httpd_request_header(const struct httpd_request *r,
				 const char *name);

typedef void (*httpd_handler)(void *ctx, const struct httpd_request *req,
			      struct httpd_reply *reply);

struct httpd_config {
	const char *listen;   /* "127.0.0.1:0" when NULL; "[::1]:8080" too */
	size_t body_max;      /* HTTPD_BODY_MAX_DEFAULT when 0 */
	unsigned timeout_s;   /* idle connection timeout; 30 when 0 */
	unsigned threads;     /* worker threads; 1 when 0 */
	httpd_handler handler;
	void *ctx;
};

/* True when the n bytes at target are an origin-form request target (RFC
 * 9112 section 3.2.1): "/" and path characters (RFC 3986 pchar: letters,
 * digits, -._~!$&'()*+,;=:@ and %HH), then optionally "?" and a query of
 * those, "/" and "?". Every other form is false: absolute-form,
 * authority-form, "*", a target without its leading "/", backslashes,
 * controls, spaces, bytes above 0x7e and broken %-escapes. */
bool httpd_target_ok(const char *target, size_t n);

/* True when the n bytes at s are an RFC 9110 token (a header name): one
 * or more of letters, digits and !#$%&'*+-.^_`|~. */
bool httpd_token_ok(const char *s, size_t n);

/* True when the n bytes at s may be a header value (RFC 9110 field-value):
 * visible ASCII, space, tab and bytes from 0x80 (obs-text); no CR, LF, NUL
 * or other control byte. */
bool httpd_field_value_ok(const char *s, size_t n);

/* Splits "HOST:PORT" (IPv6 in brackets) and checks both parts. */
blt_status httpd_parse_listen(const char *text, char *host, size_t hostsz,
			      unsigned short *port, struct blt_err *err);

/* Starts serving. The server answers 413 (RequestTooLarge error) to bodies
 * over body_max, 400 to requests it cannot read, 400 with the connection
 * closed to a request whose method is not a token, whose target is not
 * origin-form (httpd_target_ok), whose header names and values are not
 * well-formed (httpd_token_ok, httpd_field_value_ok) or whose head ends in
 * a line that is not empty (a header with no name), before its body is
 * read; and hands every other complete request to the handler. The
 * handler may run on several threads at once when threads > 1. On success
 * *out is a running server that the caller stops with httpd_stop; on
 * failure *out is NULL and err says why (bad listen address: BLT_EUSAGE;
 * bind failure: BLT_EIO). */
blt_status httpd_start(const struct httpd_config *cfg, struct httpd **out,
		       struct blt_err *err);

/* The bound port (the real one when 0 was asked for). */
unsigned short httpd_port(const struct httpd *h);

/* "http://HOST:PORT", borrowed from h. */
const char *httpd_url(const struct httpd *h);

/* The number of TCP connections accepted so far (keep-alive shows as one
 * connection carrying many requests). */
unsigned long long httpd_connections(const struct httpd *h);

/* Prints "listening on http://HOST:PORT" and a newline to stdout and
 * flushes it. */
void httpd_announce(const struct httpd *h);

/* The same line on to: stderr when the server runs a command whose stdout
 * is its own. */
void httpd_announce_to(const struct httpd *h, FILE *to);

/* Blocks SIGINT and SIGTERM in the calling thread (call before starting any
 * thread) so that httpd_wait_signal can take them. */
void httpd_block_signals(void);

/* Waits for SIGINT or SIGTERM (blocked beforehand with httpd_block_signals)
 * and returns its number. */
int httpd_wait_signal(void);

/* Stops accepting, lets requests in flight finish, and frees h. NULL is a
 * no-op. */
void httpd_stop(struct httpd *h);

#endif
