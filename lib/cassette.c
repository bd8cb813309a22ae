/* The cassette model (format version 1): load and check, views and lookup
 * by id, builders for recorded messages, and atomic saving. */
#include "blt/cassette.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/base64.h"
#include "blt/canon.h"
#include "blt/clock.h"
#include "blt/fileio.h"
#include "blt/jsonptr.h"

#define VIEW_CHUNK 4096
#define PTR_MAX 384
/* A body's own nesting limit: the cassette's, less the four containers
 * around it (document, interactions, interaction, message). */
#define BODY_DEPTH_MAX (CASSETTE_DEPTH_MAX - 4)

struct cassette {
	json_t *root;  /* the whole document */
	json_t *meta;  /* borrowed from root */
	json_t *items; /* borrowed from root: the interactions array */
	struct cassette_interaction **chunks; /* views, VIEW_CHUNK per chunk */
	size_t nchunks;
	size_t n;
	size_t *order; /* positions sorted by id */
	size_t order_alloc;
	long max_id;
};

/* What a structural check needs to report where it failed. */
struct vctx {
	const char *name;
	struct blt_err *err;
};

static const char *const top_keys[] = {"blt_cassette", "meta",
				       "interactions", NULL};
static const char *const meta_keys[] = {"recorded_at", "upstream", "tool",
					NULL};
static const char *const item_keys[] = {"id", "request", "response",
					"token_from", "elapsed_ms", NULL};
static const char *const req_keys[] = {"method", "path", "operation",
				       "headers", "body", "body_text",
				       "body_base64", NULL};
static const char *const resp_keys[] = {"status", "headers", "body",
					"body_text", "body_base64", NULL};

/* Reports "NAME: POINTER: what". */
static blt_status vfail(const struct vctx *v, const char *ptr,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static blt_status vfail(const struct vctx *v, const char *ptr,
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
			return vfail(v, ptr, "unknown member");
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
		return vfail(v, base, "missing required member \"%s\"", key);
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

/* True when obj's keys already follow the order reorder() would give. */
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
static blt_status reorder(json_t *obj, const char *const *keys,
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
		return vfail(v, ptr, "must be an object");
	json_object_foreach(h, key, val) {
		for (k = key; *k && !(*k >= 'A' && *k <= 'Z'); k++)
			;
		if (*k || !json_is_string(val)) {
			char hbase[PTR_MAX];

			ptr_join(hbase, sizeof(hbase), base, "headers");
			ptr_join(ptr, sizeof(ptr), hbase, key);
			return vfail(v, ptr, *k ? "header names must be lower "
						  "case"
						: "must be a string");
		}
	}
	return reorder(h, NULL, 1, v->err);
}

static blt_status check_body(const struct vctx *v, json_t *msg,
			     const char *base)
{
	char ptr[PTR_MAX];
	json_t *text = json_object_get(msg, "body_text");
	json_t *b64 = json_object_get(msg, "body_base64");
	int count = !!json_object_get(msg, "body") + !!text + !!b64;

	if (count > 1)
		return vfail(v, base, "at most one of \"body\", \"body_text\" "
				      "and \"body_base64\" may be present");
	ptr_join(ptr, sizeof(ptr), base, text ? "body_text" : "body_base64");
	if ((text && !json_is_string(text)) || (b64 && !json_is_string(b64)))
		return vfail(v, ptr, "must be a string");
	if (b64 && base64_decode_to(json_string_value(b64),
				    json_string_length(b64), BASE64_STD, NULL,
				    0, NULL, NULL))
		return vfail(v, ptr, "must be valid base64 (RFC 4648, padded)");
	return BLT_OK;
}

/* Checks that an optional member, when present, is a string. */
static blt_status opt_string(const struct vctx *v, json_t *obj,
			     const char *base, const char *key, int required)
{
	char ptr[PTR_MAX];
	json_t *val = json_object_get(obj, key);

	if (!val)
		return required ? vfail(v, base,
					"missing required member \"%s\"", key)
				: BLT_OK;
	ptr_join(ptr, sizeof(ptr), base, key);
	return json_is_string(val) ? BLT_OK
				   : vfail(v, ptr, "must be a string");
}

static blt_status check_request(const struct vctx *v, json_t *m,
				const char *base)
{
	blt_status st;

	if (!json_is_object(m))
		return vfail(v, base, "must be an object");
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
		st = reorder(m, req_keys, 0, v->err);
	return st;
}

static blt_status check_response(const struct vctx *v, json_t *m,
				 const char *base)
{
	char ptr[PTR_MAX];
	json_t *status;
	blt_status st;

	if (!json_is_object(m))
		return vfail(v, base, "must be an object");
	st = check_members(v, m, resp_keys, base);
	if (!st)
		st = need(v, m, base, "status", &status);
	if (st)
		return st;
	ptr_join(ptr, sizeof(ptr), base, "status");
	if (!json_is_integer(status) || json_integer_value(status) < 100 ||
	    json_integer_value(status) > 599)
		return vfail(v, ptr, "must be an integer from 100 to 599");
	st = check_headers(v, m, base);
	if (!st)
		st = check_body(v, m, base);
	if (!st)
		st = reorder(m, resp_keys, 0, v->err);
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
		return vfail(v, base, "missing required member \"id\"");
	if (id && (!json_is_integer(id) || json_integer_value(id) < 0 ||
		   (json_integer_value(id) == 0 && !allow_zero)))
		return vfail(v, ptr, "must be an integer of at least 1");
	ptr_join(ptr, sizeof(ptr), base, "token_from");
	if (tf && !json_is_null(tf) &&
	    (!json_is_integer(tf) || json_integer_value(tf) < 1))
		return vfail(v, ptr, "must be null or an integer of at "
				     "least 1");
	ptr_join(ptr, sizeof(ptr), base, "elapsed_ms");
	if (ms && (!json_is_number(ms) || json_number_value(ms) < 0))
		return vfail(v, ptr, "must be a number of at least 0");
	return BLT_OK;
}

static blt_status check_interaction(const struct vctx *v, json_t *it,
				    size_t i, int allow_zero)
{
	char base[64];
	char ptr[PTR_MAX];
	json_t *m;
	blt_status st;

	item_ptr(base, i);
	if (!json_is_object(it))
		return vfail(v, base, "must be an object");
	st = check_members(v, it, item_keys, base);
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
		st = reorder(it, item_keys, 0, v->err);
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
		return vfail(v, "/meta", "must be an object");
	json_object_foreach(meta, key, val) {
		ptr_join(ptr, sizeof(ptr), "/meta", key);
		if (!json_is_string(val))
			return vfail(v, ptr, "must be a string");
	}
	st = opt_string(v, meta, "/meta", "recorded_at", 1);
	if (!st)
		st = opt_string(v, meta, "/meta", "upstream", 1);
	if (!st)
		st = opt_string(v, meta, "/meta", "tool", 1);
	if (st)
		return st;
	if (!is_iso8601(json_string_value(json_object_get(meta, "recorded_at"))))
		return vfail(v, "/meta/recorded_at",
			     "must be an ISO 8601 date and time, such as "
			     "2026-01-02T03:04:05.000Z");
	return reorder(meta, meta_keys, 0, v->err);
}

static blt_status check_top(const struct vctx *v, json_t *root)
{
	json_t *ver;
	json_t *val;
	blt_status st;

	if (!json_is_object(root))
		return vfail(v, "", "the document must be a JSON object");
	st = check_members(v, root, top_keys, "");
	if (!st)
		st = need(v, root, "", "blt_cassette", &ver);
	if (st)
		return st;
	if (!json_is_integer(ver))
		return vfail(v, "/blt_cassette", "must be the integer %d",
			     CASSETTE_VERSION);
	if (json_integer_value(ver) != CASSETTE_VERSION)
		return vfail(v, "/blt_cassette",
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
		return vfail(v, "/interactions", "must be an array");
	if (json_array_size(val) > CASSETTE_INTERACTIONS_MAX)
		return vfail(v, "/interactions",
			     "more than %d interactions",
			     CASSETTE_INTERACTIONS_MAX);
	return reorder(root, top_keys, 0, v->err);
}

static struct cassette_interaction *view(const struct cassette *c, size_t i)
{
	return &c->chunks[i / VIEW_CHUNK][i % VIEW_CHUNK];
}

/* Makes sure the chunk holding view i exists. Views live in fixed chunks,
 * so pointers handed out never move. */
static blt_status view_room(struct cassette *c, size_t i, struct blt_err *err)
{
	struct cassette_interaction **p;
	size_t k = i / VIEW_CHUNK;

	if (k < c->nchunks)
		return BLT_OK;
	p = realloc(c->chunks, (k + 1) * sizeof(*p));
	if (!p)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	c->chunks = p;
	for (; c->nchunks <= k; c->nchunks++) {
		p[c->nchunks] = malloc(VIEW_CHUNK * sizeof(**p));
		if (!p[c->nchunks])
			return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	return BLT_OK;
}

/* Fills view w from interaction object it (already checked). */
static void fill_view(struct cassette_interaction *w, json_t *it)
{
	json_t *op;
	json_t *tf;

	w->obj = it;
	w->id = (long)json_integer_value(json_object_get(it, "id"));
	w->request = json_object_get(it, "request");
	w->response = json_object_get(it, "response");
	op = json_object_get(w->request, "operation");
	w->operation = op ? json_string_value(op) : "";
	w->status = (int)json_integer_value(
		json_object_get(w->response, "status"));
	tf = json_object_get(it, "token_from");
	w->token_from = tf ? (long)json_integer_value(tf) : 0;
	w->elapsed_ms = json_number_value(json_object_get(it, "elapsed_ms"));
}

/* Adds the view of interaction object it (already checked) at position n. */
static blt_status push_view(struct cassette *c, json_t *it,
			    struct blt_err *err)
{
	blt_status st = view_room(c, c->n, err);

	if (st)
		return st;
	fill_view(view(c, c->n), it);
	c->n++;
	return BLT_OK;
}

/* An interaction's id with its position, sorted as a pair so that the
 * comparison needs nothing but its two arguments. */
struct id_pos {
	long id;
	size_t pos;
};

static int id_pos_cmp(const void *a, const void *b)
{
	const struct id_pos *x = a;
	const struct id_pos *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Sorts c->order[0..c->n) by id, then by position. */
static blt_status sort_order(struct cassette *c, struct blt_err *err)
{
	struct id_pos *pairs = malloc((c->n ? c->n : 1) * sizeof(*pairs));

	if (!pairs)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n; i++)
		pairs[i] = (struct id_pos){view(c, i)->id, i};
	qsort(pairs, c->n, sizeof(*pairs), id_pos_cmp);
	for (size_t i = 0; i < c->n; i++)
		c->order[i] = pairs[i].pos;
	free(pairs);
	return BLT_OK;
}

static blt_status order_reserve(struct cassette *c, size_t want,
				struct blt_err *err)
{
	size_t next = c->order_alloc ? c->order_alloc : 64;
	size_t *p;

	if (want <= c->order_alloc)
		return BLT_OK;
	while (next < want)
		next *= 2;
	p = realloc(c->order, next * sizeof(*p));
	if (!p)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	c->order = p;
	c->order_alloc = next;
	return BLT_OK;
}

/* Builds the id index after loading and rejects duplicate ids, naming the
 * first repeat in file order. ascending says the file's ids rise. */
static blt_status build_index(struct cassette *c, int ascending,
			      const struct vctx *v)
{
	size_t i;
	size_t dup = (size_t)-1;
	size_t first = 0;
	char ptr[64];
	blt_status st = order_reserve(c, c->n, v->err);

	if (st)
		return st;
	for (i = 0; i < c->n; i++)
		c->order[i] = i;
	if (ascending)
		return BLT_OK;
	if ((st = sort_order(c, v->err)))
		return st;
	for (i = 1; i < c->n; i++) {
		if (view(c, c->order[i])->id == view(c, c->order[i - 1])->id &&
		    c->order[i] < dup) {
			dup = c->order[i];
			first = c->order[i - 1];
		}
	}
	if (dup == (size_t)-1)
		return BLT_OK;
	snprintf(ptr, sizeof(ptr), "/interactions/%zu/id", dup);
	return vfail(v, ptr, "duplicate id %ld (also at /interactions/%zu)",
		     view(c, dup)->id, first);
}

static struct cassette *cassette_alloc(json_t *root)
{
	struct cassette *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->root = root;
	c->meta = json_object_get(root, "meta");
	c->items = json_object_get(root, "interactions");
	return c;
}

/* Notes view i's id in max_id, clearing *ascending when it does not rise. */
static void note_id(struct cassette *c, size_t i, int *ascending)
{
	long id = view(c, i)->id;

	if (i > 0 && id <= c->max_id)
		*ascending = 0;
	if (id > c->max_id)
		c->max_id = id;
}

/* Checks a parsed document and builds the cassette, taking root. */
static blt_status cassette_from_root(json_t *root, const char *name,
				     struct cassette **out,
				     struct blt_err *err)
{
	struct vctx v = {name, err};
	struct cassette *c = NULL;
	int ascending = 1;
	size_t i;
	blt_status st = check_top(&v, root);

	if (!st && !(c = cassette_alloc(root)))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st) {
		json_decref(root);
		return st;
	}
	for (i = 0; !st && i < json_array_size(c->items); i++) {
		json_t *it = json_array_get(c->items, i);

		st = check_interaction(&v, it, i, 0);
		if (!st)
			st = push_view(c, it, err);
		if (!st)
			note_id(c, c->n - 1, &ascending);
	}
	if (!st)
		st = build_index(c, ascending, &v);
	if (st) {
		cassette_free(c);
		return st;
	}
	*out = c;
	return BLT_OK;
}

/* Reports a parse failure of the whole text as the format says. */
static blt_status parse_fail(const char *name, const struct canon_pos *pos,
			     const struct blt_err *perr, struct blt_err *err)
{
	if (pos->line > 0)
		return blt_fail(err, perr->code, "%s:%d:%d: %s", name,
				pos->line, pos->column, perr->msg);
	return blt_fail(err, perr->code, "%s: %s", name, perr->msg);
}

/* The ordinary path: the whole text parsed at once, then checked. */
static blt_status load_whole(const char *text, size_t len, const char *name,
			     size_t max_bytes, struct cassette **out,
			     struct blt_err *err)
{
	struct canon_pos pos;
	struct blt_err perr = {BLT_OK, ""};
	json_t *root;

	root = canon_parse_at(text, len, max_bytes, CASSETTE_DEPTH_MAX, &pos,
			      &perr);
	if (!root)
		return parse_fail(name, &pos, &perr, err);
	return cassette_from_root(root, name, out, err);
}

/* Elements a split-load worker takes at a time. */
#define SPLIT_BLOCK 256

/* What the workers of a split load share. Each element is parsed, checked
 * and given its view by exactly one worker; nothing else is written. */
struct split_job {
	const char *text;
	const char *name;
	const struct canon_split *split;
	struct cassette *c; /* views exist for every element */
	json_t **items;     /* parsed elements by position (owned) */
	atomic_size_t next; /* the first element of the next block */
	atomic_int failed;  /* some element did not parse or check */
};

/* Parses, checks and views elements [a, b). Returns 0 on the first one
 * that fails (its message is not kept: see load_split). */
static int split_block(struct split_job *j, size_t a, size_t b)
{
	struct blt_err quiet = {BLT_OK, ""};
	struct vctx v = {j->name, &quiet};
	size_t i;

	for (i = a; i < b; i++) {
		const struct canon_span *sp = &j->split->spans[i];
		const char *t = j->text + sp->start;
		size_t n = sp->end - sp->start;
		json_error_t jerr;
		json_t *it = canon_parse_quick(t, n, CASSETTE_DEPTH_MAX);

		if (!it)
			it = json_loadb(t, n,
					JSON_REJECT_DUPLICATES |
						JSON_DECODE_ANY,
					&jerr);
		j->items[i] = it;
		if (!it || check_interaction(&v, it, i, 0))
			return 0;
		fill_view(view(j->c, i), it);
	}
	return 1;
}

static void *split_worker(void *arg)
{
	struct split_job *j = arg;
	size_t n = j->split->n;

	while (!atomic_load(&j->failed)) {
		size_t a = atomic_fetch_add(&j->next, SPLIT_BLOCK);

		if (a >= n)
			break;
		if (!split_block(j, a, n - a > SPLIT_BLOCK ? a + SPLIT_BLOCK : n))
			atomic_store(&j->failed, 1);
	}
	return NULL;
}

/* How many threads a split load of n elements uses. */
static unsigned split_threads(const struct cassette_load_opts *o, size_t n)
{
	long t = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	size_t blocks = (n + SPLIT_BLOCK - 1) / SPLIT_BLOCK;

	if (t > CASSETTE_THREADS_MAX)
		t = CASSETTE_THREADS_MAX;
	if ((size_t)t > blocks)
		t = (long)blocks;
	return t < 1 ? 1 : (unsigned)t;
}

/* Runs the workers: the calling thread and up to threads - 1 others (fewer
 * when a thread cannot be started; the work is shared out all the same). */
static void split_run(struct split_job *j, unsigned threads)
{
	pthread_t tid[CASSETTE_THREADS_MAX];
	unsigned started = 0;
	unsigned k;

	for (k = 1; k < threads; k++)
		if (pthread_create(&tid[started], NULL, split_worker, j) == 0)
			started++;
	split_worker(j);
	for (k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
}

/* Parses the text with the split array emptied: the document around the
 * interactions. New reference, or NULL when it is not valid JSON. */
static json_t *parse_skeleton(const char *text, size_t len,
			      const struct canon_split *sp)
{
	size_t head = sp->open + 1;
	size_t tail = len - sp->close;
	char *s = malloc(head + tail);
	json_error_t jerr;
	json_t *root = NULL;

	if (s) {
		memcpy(s, text, head);
		memcpy(s + head, text + sp->close, tail);
		root = json_loadb(s, head + tail,
				  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				  &jerr);
	}
	free(s);
	return root;
}

/* Moves the parsed elements into the cassette's array in file order and
 * builds the id index, as cassette_from_root does. */
static blt_status split_finish(struct cassette *c, json_t **items, size_t n,
			       const struct vctx *v)
{
	int ascending = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *it = items[i];

		items[i] = NULL;
		if (json_array_append_new(c->items, it))
			return blt_fail(v->err, BLT_ENOMEM, "out of memory");
		c->n++;
		note_id(c, i, &ascending);
	}
	return build_index(c, ascending, v);
}

/* The split path for big texts (canon_split_array): the interactions are
 * parsed and checked in parallel, the rest of the document on its own.
 * Any failure but a nesting error, a duplicate id or running out of
 * memory sets *retry and leaves the text to load_whole, so every message
 * (which error comes first, its line and column or pointer) is exactly
 * the ordinary path's. */
static blt_status load_split(const char *text, size_t len, const char *name,
			     const struct cassette_load_opts *o,
			     struct cassette **out, int *retry,
			     struct blt_err *err)
{
	struct canon_split sp;
	struct canon_pos pos;
	struct blt_err perr = {BLT_OK, ""};
	struct vctx quiet = {name, &perr};
	struct vctx v = {name, err};
	struct split_job j = {.text = text, .name = name, .split = &sp};
	struct cassette *c = NULL;
	json_t *root = NULL;
	blt_status st;
	size_t i;

	*retry = 0;
	st = canon_split_array(text, len, "interactions", CASSETTE_DEPTH_MAX,
			       CASSETTE_INTERACTIONS_MAX, &sp, &pos, &perr);
	if (st)
		return parse_fail(name, &pos, &perr, err);
	if (sp.found)
		root = parse_skeleton(text, len, &sp);
	if (!root || check_top(&quiet, root)) {
		*retry = 1;
		goto fail;
	}
	c = cassette_alloc(root);
	if (c)
		root = NULL; /* c owns it */
	j.items = calloc(sp.n ? sp.n : 1, sizeof(*j.items));
	if (!c || !j.items) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	j.c = c;
	st = sp.n ? view_room(c, sp.n - 1, err) : BLT_OK;
	if (!st)
		split_run(&j, split_threads(o, sp.n));
	*retry = !st && atomic_load(&j.failed);
	if (!st && !*retry)
		st = split_finish(c, j.items, sp.n, &v);
fail:
	for (i = 0; j.items && i < sp.n; i++)
		json_decref(j.items[i]);
	free(j.items);
	json_decref(root);
	canon_split_free(&sp);
	if (st || *retry) {
		cassette_free(c);
		return st;
	}
	*out = c;
	return BLT_OK;
}

blt_status cassette_load_text_opts(const char *text, size_t len,
				   const char *name, size_t max_bytes,
				   const struct cassette_load_opts *opts,
				   struct cassette **out, struct blt_err *err)
{
	static const struct cassette_load_opts defaults = {
		CASSETTE_PARALLEL_MIN, 0};
	const struct cassette_load_opts *o = opts ? opts : &defaults;
	int retry = 1;
	blt_status st = BLT_OK;

	*out = NULL;
	if (len <= max_bytes && len >= o->parallel_min)
		st = load_split(text, len, name, o, out, &retry, err);
	if (retry)
		st = load_whole(text, len, name, max_bytes, out, err);
	return st;
}

blt_status cassette_load_text_max(const char *text, size_t len,
				  const char *name, size_t max_bytes,
				  struct cassette **out, struct blt_err *err)
{
	return cassette_load_text_opts(text, len, name, max_bytes, NULL, out,
				       err);
}

blt_status cassette_load_text(const char *text, size_t len, const char *name,
			      struct cassette **out, struct blt_err *err)
{
	return cassette_load_text_max(text, len, name, CASSETTE_FILE_MAX, out,
				      err);
}

blt_status cassette_load_file_opts(const char *path, size_t max_bytes,
				   const struct cassette_load_opts *opts,
				   struct cassette **out, struct blt_err *err)
{
	struct blt_buf b;
	struct stat sb;
	blt_status st;

	*out = NULL;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (unsigned long long)sb.st_size > max_bytes)
		return blt_fail(err, BLT_ELIMIT,
				"%s: the file is larger than the limit of %zu "
				"bytes",
				path, max_bytes);
	st = fileio_read_all(path, max_bytes, &b, err);
	if (st)
		return st;
	st = cassette_load_text_opts(b.data ? b.data : "", b.len, path,
				     max_bytes, opts, out, err);
	buf_free(&b);
	return st;
}

blt_status cassette_load_file_max(const char *path, size_t max_bytes,
				  struct cassette **out, struct blt_err *err)
{
	return cassette_load_file_opts(path, max_bytes, NULL, out, err);
}

blt_status cassette_load_file(const char *path, struct cassette **out,
			      struct blt_err *err)
{
	return cassette_load_file_max(path, CASSETTE_FILE_MAX, out, err);
}

struct cassette *cassette_new(const char *upstream, const char *tool)
{
	char when[32];
	json_t *root;
	struct cassette *c;

	clock_iso8601(clock_now(), when);
	root = json_pack("{s:i, s:{s:s, s:s, s:s}, s:[]}", "blt_cassette",
			 CASSETTE_VERSION, "meta", "recorded_at", when,
			 "upstream", upstream ? upstream : "", "tool",
			 tool ? tool : "", "interactions");
	if (!root)
		return NULL;
	c = cassette_alloc(root);
	if (!c)
		json_decref(root);
	return c;
}

size_t cassette_count(const struct cassette *c)
{
	return c->n;
}

const struct cassette_interaction *cassette_at(const struct cassette *c,
					       size_t i)
{
	return i < c->n ? view(c, i) : NULL;
}

const struct cassette_interaction *cassette_find(const struct cassette *c,
						 long id)
{
	size_t lo = 0;
	size_t hi = c->n;

	if (id >= 1 && (unsigned long)id <= c->n && view(c, id - 1)->id == id)
		return view(c, id - 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long got = view(c, c->order[mid])->id;

		if (got == id)
			return view(c, c->order[mid]);
		if (got < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

json_t *cassette_meta(const struct cassette *c)
{
	return c->meta;
}

/* Inserts position pos (whose view is in place) into the id index, for
 * which order_reserve has made room. Appends keep ids rising, so this is
 * O(1) but for an explicit id below the highest. */
static void index_insert(struct cassette *c, size_t pos)
{
	long id = view(c, pos)->id;
	size_t lo = 0;
	size_t hi = pos;

	if (id > c->max_id) {
		c->order[pos] = pos;
		c->max_id = id;
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (view(c, c->order[mid])->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(c->order + lo + 1, c->order + lo, (pos - lo) * sizeof(size_t));
	c->order[lo] = pos;
}

blt_status cassette_append_take(struct cassette *c, json_t *interaction,
				struct blt_err *err)
{
	struct vctx v = {"interaction", err};
	json_t *id = json_object_get(interaction, "id");
	json_int_t want = id ? json_integer_value(id) : 0;
	blt_status st = check_interaction(&v, interaction, c->n, 1);

	if (!st && want != 0 && cassette_find(c, (long)want))
		st = blt_fail(err, BLT_EINVAL,
			      "duplicate id %" JSON_INTEGER_FORMAT, want);
	if (!st && c->n >= CASSETTE_INTERACTIONS_MAX)
		st = blt_fail(err, BLT_ELIMIT, "more than %d interactions",
			      CASSETTE_INTERACTIONS_MAX);
	if (!st && want == 0 &&
	    json_object_set_new(interaction, "id",
				json_integer(c->max_id + 1)))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (!st)
		st = reorder(interaction, item_keys, 0, err);
	if (!st)
		st = order_reserve(c, c->n + 1, err);
	if (!st && json_array_append(c->items, interaction))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (!st && (st = push_view(c, interaction, err)) != BLT_OK)
		json_array_remove(c->items, json_array_size(c->items) - 1);
	if (!st)
		index_insert(c, c->n - 1);
	json_decref(interaction);
	return st;
}

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

static json_t *headers_new(const char *const *names,
			   const char *const *values, size_t n)
{
	json_t *h = json_object();
	size_t i;

	for (i = 0; h && i < n; i++) {
		if (!header_add(h, names[i], values[i] ? values[i] : "")) {
			json_decref(h);
			return NULL;
		}
	}
	if (h && reorder(h, NULL, 1, NULL)) {
		json_decref(h);
		return NULL;
	}
	return h;
}

/* Stores a body by the format's rule: JSON as "body", other UTF-8 text
 * (without NUL bytes) as "body_text", anything else as "body_base64". */
static int body_set(json_t *msg, const char *body, size_t len)
{
	json_t *v;
	char *b64;

	if (len == 0)
		return 1;
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
	const char *t = json_string_value(json_object_get(headers,
							  "x-amz-target"));
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
	ok = ok && (!op || !json_object_set_new(m, "operation",
						json_string(op)));
	ok = ok && !json_object_set(m, "headers", h);
	ok = ok && body_set(m, body, len);
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
	ok = ok && body_set(m, body, len);
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
	ok = ok && !json_object_set_new(it, "token_from",
					token_from > 0
						? json_integer(token_from)
						: json_null());
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

void cassette_free(struct cassette *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	free(c->order);
	json_decref(c->root);
	free(c);
}
