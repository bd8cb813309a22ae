/* A validator for the JSON Schema subset that schemas/ uses: type,
 * properties, required, additionalProperties, items, enum, minimum, maximum,
 * minLength, maxLength, pattern, plus $ref to "#/$defs/NAME".
 *
 * Concurrency: the built-in schemas are made once behind pthread_once;
 * validation reads a schema only and may run in any number of threads
 * at once. */
#ifndef BLT_SCHEMA_H
#define BLT_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "blt/err.h"

struct schema; /* opaque: a compiled schema */

/* The schemas that ship in schemas/, compiled into the library. */
enum schema_id {
	SCHEMA_REQUEST,	 /* list-batch-load-tasks-request.schema.json */
	SCHEMA_RESPONSE, /* list-batch-load-tasks-response.schema.json */
	SCHEMA_TASK,	 /* batch-load-task.schema.json */
	SCHEMA_ERROR,	 /* error.schema.json */
	SCHEMA_CASSETTE, /* cassette.schema.json */
	SCHEMA_COUNT
};

/* Messages name the keyword and its limit, e.g. for the pointer
 * "/BatchLoadTasks/2/TaskId": "\"ab\" is shorter than 3 characters
 * (minLength)". The "integer" type accepts a real with an integral value
 * (1.0), enum compares numbers by value, minLength and maxLength count
 * Unicode code points, and pattern is a POSIX extended regular expression
 * searched anywhere in the string (anchor it with ^ and $). */

/* The built-in schema (compiled once, shared, never freed by the caller);
 * NULL only if the embedded text is broken. Thread-safe. */
const struct schema *schema_builtin(enum schema_id id);

/* The file name of a built-in schema, e.g.
 * "list-batch-load-tasks-response.schema.json". */
const char *schema_file_name(enum schema_id id);

/* Compiles a schema document. doc is borrowed. On success *out must be
 * released with schema_free. Unsupported keywords are an error that names
 * them. */
blt_status schema_compile(const json_t *doc, struct schema **out,
			  struct blt_err *err);

void schema_free(struct schema *s);

/* One validation failure: where (a JSON pointer into the instance, "" for
 * the root) and what. */
struct schema_violation {
	char pointer[256];
	char message[256];
};

/* Validates instance against s. Writes up to max violations into out (which
 * may be NULL when max is 0) and returns how many were found in all; 0 means
 * valid. */
size_t schema_validate(const struct schema *s, const json_t *instance,
		       struct schema_violation *out, size_t max);

/* Validates instance against s and returns BLT_OK, or BLT_EINVAL with the
 * first violation in err as "POINTER: MESSAGE" ("(root)" for the root),
 * followed by "(and N more violations)" when there are others. */
blt_status schema_check(const struct schema *s, const json_t *instance,
			struct blt_err *err);

#endif
