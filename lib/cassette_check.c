/* The structure of a cassette (format version 1, SPEC section 5): every
 * member checked with an error that names its JSON pointer, and members
 * put in the order cassettes are written. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/base64.h"
#include "blt/jsonptr.h"
#include "cassette_int.h"

#define PTR_MAX 384

static const char *const top_keys[] = {"blt_cassette", "meta",
				       "interactions", NULL};
static const char *const meta_keys[] = {"recorded_at", "upstream", "tool",
					NULL};
const char *const cassette__item_keys[] = {"id", "request", "response",
					   "token_from", "elapsed_ms", NULL};
static const char *const req_keys[] = {"method", "path", "operation",
				       "headers", "body", "body_text",
				       "body_base64", NULL};
static const char *const resp_keys[] = {"status", "headers", "body",
					"body_text", "body_base64", NULL};

blt_status cassette__vfail(const struct vctx *v, const char *ptr,
			   const char *fmt, ...)
{
	char what[BLT_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return blt_fail(v->err, BLT_EINVAL, "%s: %s: %s", v->name,
			*ptr ? ptr : "/", what);
}

/* Writes base + "/" + key into dst, key escaped as RFC 6901 says, and
 * truncating what does not fit. */
static void ptr_join(char *dst, size_t cap, const char *base, const char *key)
{
	size_t b = strnlen(base, cap - 1);

	memcpy(dst, base, b);
	dst[b] = '\0';
	jsonptr_push(dst, b, cap, key);
}

/* Writes "/interactions/" and i into dst (room for any size_t). */
static void item_ptr(char dst[64], size_t i)
{
	static const char prefix[] = "/interactions/";
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + i % 10);
		i /= 10;
	} while (i > 0);
	memcpy(dst, prefix, sizeof(prefix) - 1);
	dst += sizeof(prefix) - 1;
	while (n > 0)
		*dst++ = digits[--n];
	*dst = '\0';
}

static int key_rank(const char *key, const char *const *keys)
{
	int i;

	for (i = 0; keys && keys[i]; i++)
		if (strcmp(key, keys[i]) == 0)
			return i;
	return i;
}

/* Rejects members of obj that are not in allowed. */
static blt_status check_members(const struct vctx *v, json_t *obj,
				const char *const *allowed, const char *base)
{
	const char *key;
	json_t *val;
	char ptr[PTR_MAX];

	json_object_foreach(obj, key, val) {
		if (allowed[key_rank(key, allowed)] == NULL) {
			ptr_join(ptr, sizeof(ptr), base, key);
			return cassette__vfail(v, ptr, "unknown member");
		}
	}
	return BLT_OK;
}

/* Fetches a required member, or reports it missing. */
static blt_status need(const struct vctx *v, json_t *obj, const char *base,
		       const char *key, json_t **out)
{
	*out = json_object_get(obj, key);
	if (!*out)
		return cassette__vfail(v, base,
				       "missing required member \"%s\"", key);
	return BLT_OK;
}

/* One struct member of a message, its order and sorting rule. */
struct slot {
	char *key;
	json_t *value;
	int rank;
	size_t pos;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a;
	const struct slot *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->pos != y->pos)
		return (x->pos > y->pos) - (x->pos < y->pos);
	return strcmp(x->key, y->key);
}

/* True when obj's keys already follow the order cassette__reorder()
 * would give. */
static int in_order(json_t *obj, const char *const *keys, int sort_rest)
{
	const char *key;
	const char *prev = NULL;
	json_t *val;
	int last = 0;

	json_object_foreach(obj, key, val) {
		int r = key_rank(key, keys);

		if (r < last)
			return 0;
		if (sort_rest && r == last && prev && strcmp(prev, key) > 0)
			return 0;
		last = r;
		prev = key;
	}
	return 1;
}

/* Rebuilds obj in place: the listed keys first in their order, then the
 * others in their current order (or sorted by bytes with sort_rest). */
blt_status cassette__reorder(json_t *obj, const char *const *keys,
			     int sort_rest, struct blt_err *err)
{
	size_t n = json_object_size(obj);
	struct slot *s;
	const char *key;
	json_t *val;
	size_t i = 0;
	blt_status st = BLT_OK;

	if (in_order(obj, keys, sort_rest))
		return BLT_OK;
	s = calloc(n, sizeof(*s));
	if (!s)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	json_object_foreach(obj, key, val) {
		s[i].key = strdup(key);
		s[i].value = json_incref(val);
		s[i].rank = key_rank(key, keys);
		s[i].pos = sort_rest ? 0 : i;
		if (!s[i++].key)
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	if (!st) {
		qsort(s, n, sizeof(*s), slot_cmp);
		json_object_clear(obj);
	}
	for (i = 0; i < n; i++) {
		if (!st && json_object_set(obj, s[i].key, s[i].value))
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
		json_decref(s[i].value);
		free(s[i].key);
	}
	free(s);
	return st;
}

static blt_status check_headers(const struct vctx *v, json_t *msg,
				const char *base)
{
	char ptr[PTR_MAX];
	const char *key;
	const char *k;
	json_t *h;
	json_t *val;
	blt_status st = need(v, msg, base, "headers", &h);

	if (st)
		return st;
	ptr_join(ptr, sizeof(ptr), base, "headers");
	if (!json_is_object(h))
		return cassette__vfail(v, ptr, "must be an object");
	json_object_foreach(h, key, val) {
		for (k = key; *k && !(*k >= 'A' && *k <= 'Z'); k++)
			;
		if (*k || !json_is_string(val)) {
			char hbase[PTR_MAX];

			ptr_join(hbase, sizeof(hbase), base, "headers");
			ptr_join(ptr, sizeof(ptr), hbase, key);
			return cassette__vfail(
			    v, ptr,
			    *k ? "header names must be lower "
				 "case"
			       : "must be a string");
		}
	}
	return cassette__reorder(h, NULL, 1, v->err);
}

static blt_status check_body(const struct vctx *v, json_t *msg,
			     const char *base)
{
	char ptr[PTR_MAX];
	json_t *text = json_object_get(msg, "body_text");
	json_t *b64 = json_object_get(msg, "body_base64");
	int count = !!json_object_get(msg, "body") + !!text + !!b64;

	if (count > 1)
		return cassette__vfail(v, base,
				       "at most one of \"body\", \"body_text\" "
				       "and \"body_base64\" may be present");
	ptr_join(ptr, sizeof(ptr), base, text ? "body_text" : "body_base64");
	if ((text && !json_is_string(text)) || (b64 && !json_is_string(b64)))
		return cassette__vfail(v, ptr, "must be a string");
	if (b64 &&
	    base64_decode_to(json_string_value(b64), json_string_length(b64),
			     BASE64_STD, NULL, 0, NULL, NULL))
		return cassette__vfail(
		    v, ptr, "must be valid base64 (RFC 4648, padded)");
	return BLT_OK;
}

/* Checks that an optional member, when present, is a string. */
static blt_status opt_string(const struct vctx *v, json_t *obj,
			     const char *base, const char *key, int required)
{
	char ptr[PTR_MAX];
	json_t *val = json_object_get(obj, key);

	if (!val)
		return required
			   ? cassette__vfail(
				 v, base, "missing required member \"%s\"", key)
			   : BLT_OK;
	ptr_join(ptr, sizeof(ptr), base, key);
	return json_is_string(val)
		   ? BLT_OK
		   : cassette__vfail(v, ptr, "must be a string");
}

static blt_status check_request(const struct vctx *v, json_t *m,
				const char *base)
{
	blt_status st;

	if (!json_is_object(m))
		return cassette__vfail(v, base, "must be an object");
	st = check_members(v, m, req_keys, base);
	if (!st)
		st = opt_string(v, m, base, "method", 1);
	if (!st)
		st = opt_string(v, m, base, "path", 1);
	if (!st)
		st = opt_string(v, m, base, "operation", 0);
	if (!st)
		st = check_headers(v, m, base);
	if (!st)
		st = check_body(v, m, base);
	if (!st)
		st = cassette__reorder(m, req_keys, 0, v->err);
	return st;
}

static blt_status check_response(const struct vctx *v, json_t *m,
				 const char *base)
{
	char ptr[PTR_MAX];
	json_t *status;
	blt_status st;

	if (!json_is_object(m))
		return cassette__vfail(v, base, "must be an object");
	st = check_members(v, m, resp_keys, base);
	if (!st)
		st = need(v, m, base, "status", &status);
	if (st)
		return st;
	ptr_join(ptr, sizeof(ptr), base, "status");
	if (!json_is_integer(status) || json_integer_value(status) < 100 ||
	    json_integer_value(status) > 599)
		return cassette__vfail(v, ptr,
				       "must be an integer from 100 to 599");
	st = check_headers(v, m, base);
	if (!st)
		st = check_body(v, m, base);
	if (!st)
		st = cassette__reorder(m, resp_keys, 0, v->err);
	return st;
}

/* Checks id, token_from and elapsed_ms. With allow_zero, an absent id or
 * an id of 0 passes (append assigns one). */
static blt_status check_numbers(const struct vctx *v, json_t *it,
				const char *base, int allow_zero)
{
	char ptr[PTR_MAX];
	json_t *id = json_object_get(it, "id");
	json_t *tf = json_object_get(it, "token_from");
	json_t *ms = json_object_get(it, "elapsed_ms");

	ptr_join(ptr, sizeof(ptr), base, "id");
	if (!id && !allow_zero)
		return cassette__vfail(v, base,
				       "missing required member \"id\"");
	if (id && (!json_is_integer(id) || json_integer_value(id) < 0 ||
		   (json_integer_value(id) == 0 && !allow_zero)))
		return cassette__vfail(v, ptr,
				       "must be an integer of at least 1");
	ptr_join(ptr, sizeof(ptr), base, "token_from");
	if (tf && !json_is_null(tf) &&
	    (!json_is_integer(tf) || json_integer_value(tf) < 1))
		return cassette__vfail(v, ptr,
				       "must be null or an integer of at "
				       "least 1");
	ptr_join(ptr, sizeof(ptr), base, "elapsed_ms");
	if (ms && (!json_is_number(ms) || json_number_value(ms) < 0))
		return cassette__vfail(v, ptr,
				       "must be a number of at least 0");
	return BLT_OK;
}

blt_status cassette__check_interaction(const struct vctx *v, json_t *it,
				       size_t i, int allow_zero)
{
	char base[64];
	char ptr[PTR_MAX];
	json_t *m;
	blt_status st;

	item_ptr(base, i);
	if (!json_is_object(it))
		return cassette__vfail(v, base, "must be an object");
	st = check_members(v, it, cassette__item_keys, base);
	if (!st)
		st = check_numbers(v, it, base, allow_zero);
	if (!st)
		st = need(v, it, base, "request", &m);
	ptr_join(ptr, sizeof(ptr), base, "request");
	if (!st)
		st = check_request(v, m, ptr);
	if (!st)
		st = need(v, it, base, "response", &m);
	ptr_join(ptr, sizeof(ptr), base, "response");
	if (!st)
		st = check_response(v, m, ptr);
	if (!st)
		st = cassette__reorder(it, cassette__item_keys, 0, v->err);
	return st;
}

/* Accepts YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or +-HH:MM. */
static int is_iso8601(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9')
				    : s[i] != shape[i])
			return 0;
	}
	s += i;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z')
		return s[1] == '\0';
	if (*s != '+' && *s != '-')
		return 0;
	for (i = 1; i < 6; i++)
		if (i == 3 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[6] == '\0';
}

static blt_status check_meta(const struct vctx *v, json_t *meta)
{
	char ptr[PTR_MAX];
	const char *key;
	json_t *val;
	blt_status st;

	if (!json_is_object(meta))
		return cassette__vfail(v, "/meta", "must be an object");
	json_object_foreach(meta, key, val) {
		ptr_join(ptr, sizeof(ptr), "/meta", key);
		if (!json_is_string(val))
			return cassette__vfail(v, ptr, "must be a string");
	}
	st = opt_string(v, meta, "/meta", "recorded_at", 1);
	if (!st)
		st = opt_string(v, meta, "/meta", "upstream", 1);
	if (!st)
		st = opt_string(v, meta, "/meta", "tool", 1);
	if (st)
		return st;
	if (!is_iso8601(
		json_string_value(json_object_get(meta, "recorded_at"))))
		return cassette__vfail(
		    v, "/meta/recorded_at",
		    "must be an ISO 8601 date and time, such as "
		    "2026-01-02T03:04:05.000Z");
	return cassette__reorder(meta, meta_keys, 0, v->err);
}

blt_status cassette__check_top(const struct vctx *v, json_t *root)
{
	json_t *ver;
	json_t *val;
	blt_status st;

	if (!json_is_object(root))
		return cassette__vfail(v, "",
				       "the document must be a JSON object");
	st = check_members(v, root, top_keys, "");
	if (!st)
		st = need(v, root, "", "blt_cassette", &ver);
	if (st)
		return st;
	if (!json_is_integer(ver))
		return cassette__vfail(v, "/blt_cassette",
				       "must be the integer %d",
				       CASSETTE_VERSION);
	if (json_integer_value(ver) != CASSETTE_VERSION)
		return cassette__vfail(
		    v, "/blt_cassette",
		    "unsupported cassette version %" JSON_INTEGER_FORMAT
		    " (this build reads version %d)",
		    json_integer_value(ver), CASSETTE_VERSION);
	st = need(v, root, "", "meta", &val);
	if (!st)
		st = check_meta(v, val);
	if (!st)
		st = need(v, root, "", "interactions", &val);
	if (st)
		return st;
	if (!json_is_array(val))
		return cassette__vfail(v, "/interactions", "must be an array");
	if (json_array_size(val) > CASSETTE_INTERACTIONS_MAX)
		return cassette__vfail(v, "/interactions",
				       "more than %d interactions",
				       CASSETTE_INTERACTIONS_MAX);
	return cassette__reorder(root, top_keys, 0, v->err);
}
