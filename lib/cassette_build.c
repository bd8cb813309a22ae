/* Building recorded messages and interactions (headers lower-cased and
 * joined, bodies as JSON, text or base64), reading bodies back, and
 * writing and saving a cassette atomically. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/base64.h"
#include "blt/canon.h"
#include "blt/fileio.h"
#include "cassette_int.h"

/* A body's own nesting limit: the cassette's, less the four containers
 * around it (document, interactions, interaction, message). */
#define BODY_DEPTH_MAX (CASSETTE_DEPTH_MAX - 4)

/* A new copy of s as valid UTF-8: s itself when it is, otherwise each byte
 * read as Latin-1 (what a non-UTF-8 header byte meant in HTTP/1.1). */
static char *utf8_copy(const char *s)
{
	json_t *probe = json_string(s);
	const unsigned char *p = (const unsigned char *)s;
	char *out;
	size_t o = 0;

	if (probe) {
		json_decref(probe);
		return strdup(s);
	}
	out = malloc(strlen(s) * 2 + 1);
	if (!out)
		return NULL;
	for (; *p; p++) {
		if (*p < 0x80) {
			out[o++] = (char)*p;
		} else {
			out[o++] = (char)(0xC0 | *p >> 6);
			out[o++] = (char)(0x80 | (*p & 0x3F));
		}
	}
	out[o] = '\0';
	return out;
}

/* Adds one header to h, lower-casing the name and joining a repeated name's
 * values with ", " in the order they came. Returns 0 on ENOMEM. */
static int header_add(json_t *h, const char *name, const char *value)
{
	char *key = utf8_copy(name);
	char *val = utf8_copy(value);
	json_t *old;
	char *k;
	int ok = key && val;

	for (k = key; ok && *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	old = ok ? json_object_get(h, key) : NULL;
	if (old) {
		size_t a = json_string_length(old);
		size_t b = strlen(val);
		char *j = malloc(a + b + 3);

		ok = j != NULL;
		if (ok) {
			memcpy(j, json_string_value(old), a);
			memcpy(j + a, ", ", 2);
			memcpy(j + a + 2, val, b + 1);
			free(val);
			val = j;
		}
	}
	if (ok)
		ok = json_object_set_new(h, key, json_string(val)) == 0;
	free(key);
	free(val);
	return ok;
}

static json_t *headers_new(const char *const *names, const char *const *values,
			   size_t n)
{
	json_t *h = json_object();
	size_t i;

	for (i = 0; h && i < n; i++) {
		if (!header_add(h, names[i], values[i] ? values[i] : "")) {
			json_decref(h);
			return NULL;
		}
	}
	if (h && cassette__reorder(h, NULL, 1, NULL)) {
		json_decref(h);
		return NULL;
	}
	return h;
}

/* Whether a request body of operation op is one that the AWS JSON request
 * parser takes and that is within the bounds of op's input. */
static bool request_json_ok(const char *op, const char *body, size_t len)
{
	json_t *v;

	if (awsjson_body_beyond(awsjson_op_lookup(op ? op : ""), body, len,
				NULL, 0))
		return false;
	v = awsjson_body_parse(body, len, NULL);

	json_decref(v);
	return v != NULL;
}

/* Stores a body by the format's rule: JSON as "body", other UTF-8 text
 * (without NUL bytes) as "body_text", anything else as "body_base64". A
 * body with a NUL byte is never JSON (jansson would stop reading there),
 * and a request body is JSON only when the AWS JSON request parser takes
 * it (an object, no repeated member): what a server rejects is kept as the
 * bytes the client sent, and a replay matches it byte for byte; so is one
 * beyond any input of its operation (awsjson_body_beyond), which a replay
 * does not parse. */
static int body_set(json_t *msg, const char *body, size_t len, bool request,
		    const char *op)
{
	json_t *v = NULL;
	char *b64;

	if (len == 0)
		return 1;
	if (!memchr(body, 0, len) &&
	    (!request || request_json_ok(op, body, len)))
		v = canon_parse(body, len, len, BODY_DEPTH_MAX, NULL);
	if (v)
		return json_object_set_new(msg, "body", v) == 0;
	if (!memchr(body, 0, len)) {
		v = json_stringn(body, len);
		if (v)
			return json_object_set_new(msg, "body_text", v) == 0;
	}
	b64 = malloc(base64_encoded_len(len, BASE64_STD) + 1);
	if (b64)
		base64_encode_to(body, len, BASE64_STD, b64);
	v = b64 ? json_string(b64) : NULL;
	free(b64);
	return v && json_object_set_new(msg, "body_base64", v) == 0;
}

/* The operation named by an X-Amz-Target value: what follows its last
 * '.', or the whole value when it has none. */
static const char *target_operation(json_t *headers)
{
	const char *t =
	    json_string_value(json_object_get(headers, "x-amz-target"));
	const char *dot;

	if (!t || !*t)
		return NULL;
	dot = strrchr(t, '.');
	return dot ? (dot[1] ? dot + 1 : NULL) : t;
}

json_t *cassette_request_new(const char *method, const char *path,
			     const char *const *names,
			     const char *const *values, size_t n,
			     const char *body, size_t len)
{
	json_t *h = headers_new(names, values, n);
	json_t *m = json_object();
	char *mcopy = utf8_copy(method ? method : "");
	char *pcopy = utf8_copy(path ? path : "");
	const char *op = h ? target_operation(h) : NULL;
	int ok = h && m && mcopy && pcopy;

	ok = ok && !json_object_set_new(m, "method", json_string(mcopy));
	ok = ok && !json_object_set_new(m, "path", json_string(pcopy));
	ok = ok &&
	     (!op || !json_object_set_new(m, "operation", json_string(op)));
	ok = ok && !json_object_set(m, "headers", h);
	ok = ok && body_set(m, body, len, true, op);
	free(mcopy);
	free(pcopy);
	json_decref(h);
	if (!ok) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *cassette_response_new(int status, const char *const *names,
			      const char *const *values, size_t n,
			      const char *body, size_t len)
{
	json_t *h = headers_new(names, values, n);
	json_t *m = json_object();
	int ok = h && m;

	ok = ok && !json_object_set_new(m, "status", json_integer(status));
	ok = ok && !json_object_set(m, "headers", h);
	ok = ok && body_set(m, body, len, false, NULL);
	json_decref(h);
	if (!ok) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *cassette_interaction_new(json_t *request, json_t *response,
				 long token_from, double elapsed_ms)
{
	json_t *it = json_object();
	int ok = it && request && response;

	ok = ok && !json_object_set_new(it, "id", json_integer(0));
	ok = ok && !json_object_set(it, "request", request);
	ok = ok && !json_object_set(it, "response", response);
	ok = ok && !json_object_set_new(
		       it, "token_from",
		       token_from > 0 ? json_integer(token_from) : json_null());
	if (ok && isfinite(elapsed_ms) && elapsed_ms >= 0)
		ok = !json_object_set_new(it, "elapsed_ms",
					  json_real(elapsed_ms));
	json_decref(request);
	json_decref(response);
	if (!ok) {
		json_decref(it);
		return NULL;
	}
	return it;
}

blt_status cassette_body_bytes(const json_t *message, struct blt_buf *out,
			       struct blt_err *err)
{
	json_t *m = (json_t *)message;
	json_t *v = json_object_get(m, "body");

	if (v)
		return canon_compact(v, out, err);
	v = json_object_get(m, "body_text");
	if (v)
		return buf_append(out, json_string_value(v),
				  json_string_length(v), err);
	v = json_object_get(m, "body_base64");
	if (!v)
		return BLT_OK;
	if (base64_decode(json_string_value(v), json_string_length(v), out,
			  err))
		return err && err->code == BLT_ELIMIT
			   ? BLT_ELIMIT
			   : blt_fail(err, BLT_EINVAL,
				      "body_base64 is not valid base64");
	return BLT_OK;
}

json_t *cassette_body_json(const json_t *message)
{
	return json_object_get((json_t *)message, "body");
}

blt_status cassette_write(const struct cassette *c, struct blt_buf *out,
			  struct blt_err *err)
{
	return canon_pretty(c->root, out, err);
}

blt_status cassette_save(const struct cassette *c, const char *path,
			 struct blt_err *err)
{
	struct blt_buf b;
	blt_status st;

	buf_init(&b, CASSETTE_FILE_MAX);
	st = cassette_write(c, &b, err);
	if (!st)
		st = fileio_write_atomic(path, b.data, b.len, err);
	buf_free(&b);
	return st;
}
