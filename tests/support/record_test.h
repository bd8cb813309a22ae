/* Helpers for blt-proxy record's integration tests: starting blt-fake and
 * the proxy, sending ListBatchLoadTasks, checking saved cassettes, and raw
 * socket upstreams that misbehave on purpose. */
#ifndef BLT_RECORD_TEST_H
#define BLT_RECORD_TEST_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/cassette.h"
#include "blt/httpc.h"
#include "blt_test.h"

#define RT_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define RT_AKID "AKIDEXAMPLE"
#define RT_SESSION "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENforTests0123"

/* A fresh temporary directory (path in a static buffer per call site:
 * the caller copies it). Fails the test when it cannot. */
void rt_tmpdir(char *out, size_t outsz);

/* Removes a directory made by rt_tmpdir and everything in it. */
void rt_rmdir(const char *dir);

/* Starts blt-fake on a free port with the extra arguments (NULL-ended,
 * may be NULL); fails the test when it cannot. */
void rt_start_fake(struct test_proc *p, const char *const *extra);

/* Starts blt-proxy record --upstream upstream --cassette cassette plus the
 * extra arguments; fails the test when it cannot. */
void rt_start_proxy(struct test_proc *p, const char *upstream,
		    const char *cassette, const char *const *extra);

/* Stops the proxy with SIGTERM and asserts that it exited with 0. */
void rt_stop_proxy(struct test_proc *p);

/* Sends a ListBatchLoadTasks with body and the extra "Name: value" headers.
 * Returns httpc_send's status. */
blt_status rt_list(struct httpc *c, const char *url, const char *body,
		   const char *const *extra, size_t nextra,
		   struct httpc_response *resp, struct blt_err *err);

/* A new client with a 20 s timeout; fails the test when it cannot. */
struct httpc *rt_client(void);

/* Loads path, validates it against the built-in cassette schema and with
 * cassette_load; fails the test otherwise. */
struct cassette *rt_load_checked(const char *path);

/* The response body as parsed JSON (new reference) or NULL. */
json_t *rt_body_json(const struct httpc_response *r);

/* A loopback port that nothing listens on. */
unsigned short rt_closed_port(void);

/* What a raw upstream does with each connection. */
enum rt_raw_mode {
	RT_RAW_SILENT,	 /* accepts and reads, never answers */
	RT_RAW_HALF,	 /* headers and half the announced body, then close */
	RT_RAW_ECHO_AUTH /* 200 with the request's credentials echoed back */
};

/* A raw socket upstream served by a thread of the test. */
struct rt_raw {
	int fd;
	unsigned short port;
	enum rt_raw_mode mode;
	pthread_t thread;
	pthread_mutex_t lock;
	char auth[64][1024]; /* Authorization headers received */
	size_t nauth;
	unsigned long connections; /* accepted so far */
};

void rt_raw_start(struct rt_raw *r, enum rt_raw_mode mode);

void rt_raw_stop(struct rt_raw *r);

/* The connections r has accepted so far. */
unsigned long rt_raw_connections(struct rt_raw *r);

#endif
