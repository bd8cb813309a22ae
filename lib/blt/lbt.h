/* The ListBatchLoadTasks operation's own rules: the status enum, the request
 * members and their constraints, shared by the servers and the checks.
 *
 * Concurrency: no function keeps state between calls; all may run in
 * any number of threads at once. */
#ifndef BLT_LBT_H
#define BLT_LBT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/awsjson.h"
#include "blt/err.h"

enum lbt_status {
	LBT_CREATED,
	LBT_IN_PROGRESS,
	LBT_FAILED,
	LBT_SUCCEEDED,
	LBT_PROGRESS_STOPPED,
	LBT_PENDING_RESUME,
	LBT_STATUS_COUNT
};

#define LBT_MAX_RESULTS_MIN 1
#define LBT_MAX_RESULTS_MAX 100
#define LBT_MAX_RESULTS_DEFAULT 100
#define LBT_TASK_ID_MIN 3
#define LBT_TASK_ID_MAX 32

/* "CREATED", ... ; NULL for a value outside the enum. */
const char *lbt_status_name(enum lbt_status s);

/* Exact, case-sensitive match against the six values. */
bool lbt_status_parse(const char *s, enum lbt_status *out);

/* True when id is 3..32 characters of [A-Z0-9]. */
bool lbt_task_id_ok(const char *id);

/* A parsed, validated ListBatchLoadTasks request. */
struct lbt_request {
	bool has_max_results;
	int max_results;        /* 1..100 when has_max_results */
	const char *next_token; /* borrowed from the parsed JSON; NULL if absent */
	bool has_status;
	enum lbt_status status;
};

/* Parses and validates a ListBatchLoadTasks body (len 0 counts as "{}").
 * On success *root_out is a new reference the caller must json_decref (the
 * request borrows from it) and the status is BLT_OK.
 * On failure *root_out is NULL, *kind is AWSJSON_ERR_SERIALIZATION (not JSON,
 * not an object, a member of the wrong JSON type, an integer beyond 32 bits)
 * or AWSJSON_ERR_VALIDATION (a value of the right type outside its
 * constraint), and err's message names the member, the value and the
 * constraint, e.g. "MaxResults: 0 is less than the minimum of 1".
 * Unknown members are ignored, as AWS services do. */
blt_status lbt_request_parse(const char *body, size_t len, json_t **root_out,
			     struct lbt_request *req, enum awsjson_error *kind,
			     struct blt_err *err);

#endif
