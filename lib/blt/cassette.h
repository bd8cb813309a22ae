/* The cassette model (format version 1, SPEC section 5): load with caps and
 * precise errors, iterate, build and append interactions, and save
 * atomically with a stable key order.
 *
 * Concurrency: loading keeps no state outside the cassette it builds, so
 * several cassettes may load at once (a load runs its own threads). A
 * cassette is read-only once loaded and may then be read from any number
 * of threads; appending and saving need the caller's serialisation. */
#ifndef BLT_CASSETTE_H
#define BLT_CASSETTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

#define CASSETTE_VERSION 1
#define CASSETTE_FILE_MAX ((size_t)512 * 1024 * 1024)
#define CASSETTE_DEPTH_MAX 64
#define CASSETTE_INTERACTIONS_MAX 10000000

struct cassette; /* opaque */

/* A view of one interaction; every pointer is borrowed from the cassette and
 * stays valid until it is freed. */
struct cassette_interaction {
	long id;
	json_t *obj;           /* the interaction object */
	json_t *request;       /* its "request" object */
	json_t *response;      /* its "response" object */
	const char *operation; /* request.operation, "" when absent */
	int status;            /* response.status */
	long token_from;       /* 0 when null */
	double elapsed_ms;
};

/* An empty cassette whose meta names the upstream and the tool (both copied;
 * either may be NULL). recorded_at comes from the injectable clock. */
struct cassette *cassette_new(const char *upstream, const char *tool);

/* Texts of at least this many bytes load by the split path by default. */
#define CASSETTE_PARALLEL_MIN ((size_t)1 << 20)
/* The most threads a load uses. */
#define CASSETTE_THREADS_MAX 8

/* What to load and how: a file (path) or len bytes of text in memory
 * (path NULL). Every member left 0 takes its default, so
 * (struct cassette_load_opts){.path = "c.json"} loads a file as it
 * should be loaded.
 *
 * A text of at least parallel_min bytes whose "interactions" array can be
 * found by a scan is loaded by the split path: that array's elements are
 * parsed and checked on up to threads threads, the rest of the document on
 * its own. The result is the same cassette either way, and every error is
 * the same message (a text that fails is loaded again by the ordinary path
 * to report it). */
struct cassette_load_opts {
	const char *path;    /* the file to read; NULL: load text */
	const char *text;    /* with path NULL: the cassette text */
	size_t len;          /* its length in bytes */
	const char *name;    /* the name in messages; NULL: path, else
				"cassette" */
	size_t max_bytes;    /* size cap; 0: CASSETTE_FILE_MAX */
	size_t parallel_min; /* the split path from this size; 0:
				CASSETTE_PARALLEL_MIN; SIZE_MAX: never */
	unsigned threads;    /* 0: the online CPUs, at most
				CASSETTE_THREADS_MAX */
};

/* Loads and checks a cassette as o says; on success *out is a new cassette
 * (free with cassette_free). Errors name the file (or o->name) and where:
 * a JSON error as "FILE:LINE:COLUMN: what", a structural one as "FILE:
 * /pointer: what". Caps: max_bytes, CASSETTE_DEPTH_MAX nesting. A file
 * that cannot be read is BLT_EIO, one over the cap BLT_ELIMIT. */
blt_status cassette_load(const struct cassette_load_opts *o,
			 struct cassette **out, struct blt_err *err);

size_t cassette_count(const struct cassette *c);

/* The i-th interaction (0-based, file order); NULL past the end. */
const struct cassette_interaction *cassette_at(const struct cassette *c,
					       size_t i);

/* The interaction with this id, or NULL. */
const struct cassette_interaction *cassette_find(const struct cassette *c,
						 long id);

/* The meta object (borrowed). */
json_t *cassette_meta(const struct cassette *c);

/* Appends an interaction, taking the reference (also on failure). It is
 * checked as a loaded one would be (errors name "interaction: /pointer");
 * an id of 0 or an absent id is replaced by the highest id plus one, and an
 * id already present is refused. The object is reordered into the
 * documented key order. Views handed out earlier stay valid.
 * Thread-unsafe: callers serialise. */
blt_status cassette_append_take(struct cassette *c, json_t *interaction,
				struct blt_err *err);

/* Builds a request message from raw HTTP parts: header names lower-cased,
 * repeated names joined with ", ", names sorted, "operation" taken from
 * X-Amz-Target (after its last '.'), the body stored as JSON, body_text or
 * body_base64 as SPEC section 5 says (docs/cassette-format.md): as JSON
 * only when awsjson_body_parse takes it, otherwise as the bytes sent.
 * names/values hold n headers (NULL when n is 0); body may be NULL when len
 * is 0. New reference; NULL only when memory runs out. */
json_t *cassette_request_new(const char *method, const char *path,
			     const char *const *names,
			     const char *const *values, size_t n,
			     const char *body, size_t len);

/* Builds a response message likewise. New reference. */
json_t *cassette_response_new(int status, const char *const *names,
			      const char *const *values, size_t n,
			      const char *body, size_t len);

/* Builds an interaction (id 0, to be assigned on append), taking both
 * message references. token_from 0 writes null. New reference. */
json_t *cassette_interaction_new(json_t *request, json_t *response,
				 long token_from, double elapsed_ms);

/* The body of a message as bytes (JSON bodies compact, keys in stored
 * order); empty when it has none. */
blt_status cassette_body_bytes(const json_t *message, struct blt_buf *out,
			       struct blt_err *err);

/* The JSON body of a message (borrowed), or NULL when it has none. */
json_t *cassette_body_json(const json_t *message);

/* Writes the cassette pretty-printed in the stable order. */
blt_status cassette_write(const struct cassette *c, struct blt_buf *out,
			  struct blt_err *err);

/* Saves atomically: a temporary file in the same directory, fsync, rename
 * over path, fsync of the directory. On failure the old file is intact. */
blt_status cassette_save(const struct cassette *c, const char *path,
			 struct blt_err *err);

void cassette_free(struct cassette *c);

#endif
