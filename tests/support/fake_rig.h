/* Helpers for blt-fake's integration tests: start it as a child on a free
 * port, send AWS JSON requests with libcurl, read errors, walk pages. */
#ifndef FAKE_RIG_H
#define FAKE_RIG_H

#include <jansson.h>
#include <stdbool.h>

#include "blt/httpc.h"
#include "blt_test.h"

#define FAKE_TARGET_LBT "Timestream_20181101.ListBatchLoadTasks"
#define FAKE_TARGET_DE "Timestream_20181101.DescribeEndpoints"
#define FAKE_CT "application/x-amz-json-1.0"

struct fake_rig {
	struct test_proc proc;
	struct httpc *http;
};

/* Starts blt-fake on 127.0.0.1:0 with the extra arguments in args (a
 * NULL-terminated list, or NULL), failing the test when it does not come
 * up. */
void fake_rig_start(struct fake_rig *r, const char *const *args);

/* Stops it with SIGTERM and asserts a clean exit (status 0). */
void fake_rig_stop(struct fake_rig *r);

/* Sends method path with the given target and content type (either may be
 * NULL to leave the header out) and body. The caller frees resp with
 * httpc_response_free. */
void fake_send(struct fake_rig *r, const char *method, const char *path,
	       const char *target, const char *ctype, const char *body,
	       size_t len, struct httpc_response *resp);

/* POSTs a ListBatchLoadTasks body; returns the parsed response body (new
 * reference; NULL if it is not JSON) and the status in *status. */
json_t *fake_list(struct fake_rig *r, const char *body, long *status);

/* Asserts that resp is an error of type want with status want_status, a
 * non-empty message that contains every string in needles (NULL-ended
 * list), the AWS JSON content type and a request id. */
void fake_assert_error(const struct httpc_response *resp, const char *want,
		       long want_status, const char *const *needles);

/* Walks ListBatchLoadTasks with MaxResults sizes[i] on page i (the last
 * size repeats; size 0 leaves MaxResults out) and status filter (or NULL).
 * Asserts every page is 200 with at most its MaxResults items and that the
 * walk ends within a bound. Returns the TaskIds in order (new reference)
 * and the number of pages in *pages (may be NULL). */
json_t *fake_walk(struct fake_rig *r, const int *sizes, size_t nsizes,
		  const char *filter, size_t *pages);

/* The TaskIds of an array of tasks, as a new array of strings. */
json_t *fake_ids(const json_t *tasks);

#endif
