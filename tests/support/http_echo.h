/* An in-process echo server for the http layer's tests: it answers every
 * request with a description of what it received, and obeys a few x-test-*
 * request headers (delay, reset, status, size, content type). */
#ifndef BLT_HTTP_ECHO_H
#define BLT_HTTP_ECHO_H

#include <stdatomic.h>
#include <stddef.h>

#include "blt/httpd.h"

struct http_echo {
	struct httpd *server;
	atomic_int seen;      /* requests that reached the handler */
	atomic_int seen_slow; /* requests carrying x-test-delay */
};

/* The echo handler. Its reply body is
 *   "METHOD PATH[?QUERY]\n" then "name: value\n" per header, in order,
 *   then "\n" and the request body.
 * It sets x-seq to the request's seq and x-body-len to its length.
 * Request headers it obeys: x-test-delay: MS, x-test-reset: 1,
 * x-test-status: N, x-test-size: N (a body of N 'x' instead),
 * x-test-ctype: TYPE. ctx is a struct http_echo. */
void http_echo_handler(void *ctx, const struct httpd_request *req,
		       struct httpd_reply *reply);

/* Starts an echo server on 127.0.0.1:0 with the given body cap (0 for the
 * default) into e, failing the current test when it cannot. */
void http_echo_start(struct http_echo *e, size_t body_max);

/* Stops it. */
void http_echo_stop(struct http_echo *e);

#endif
