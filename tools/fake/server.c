/* Request handling: every answer carries a request id and the AWS JSON
 * content type; errors follow SPEC section 2 and the chosen profile. */
#include "server.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/awsjson.h"
#include "blt/canon.h"
#include "blt/clock.h"
#include "blt/hex.h"
#include "blt/lbt.h"
#include "blt/rng.h"
#include "blt/sigv4.h"

#include "page.h"


/* ---- set-up --------------------------------------------------------- */

static blt_status load_data(struct fake_server *s, const struct fake_opts *o,
			    struct blt_err *err)
{
	switch (o->source) {
	case FAKE_SOURCE_TASKS:
		return fake_store_load_file(&s->store, o->data_path, err);
	case FAKE_SOURCE_CASSETTE:
		return fake_store_from_cassette(&s->store, o->data_path, err);
	case FAKE_SOURCE_GENERATE:
		break;
	}
	return fake_store_generate(&s->store, o->generate, o->seed, err);
}

/* The defects that keep a table of the tokens they were sent. */
static bool remembers_tokens(fake_defects d)
{
	return fake_defect_on(d, FAKE_D_REPEAT_DIFFERS) ||
	       fake_defect_on(d, FAKE_D_SINGLE_USE_TOKENS) ||
	       fake_defect_on(d, FAKE_D_SHIFTED_REPEAT);
}

blt_status fake_server_init(struct fake_server *s, const struct fake_opts *o,
			    struct blt_err *err)
{
	blt_status st;

	memset(s, 0, sizeof(*s));
	s->opts = o;
	fake_store_init(&s->store);
	pthread_mutex_init(&s->seen_lock, NULL);
	pthread_mutex_init(&s->cache_lock, NULL);
	s->cache = calloc(FAKE_TOKEN_CACHE_SLOTS, sizeof(*s->cache));
	st = s->cache ? load_data(s, o, err)
		      : blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st == BLT_OK)
		st = fake_store_finish(&s->store, o->defects, err);
	/* Without a secret the key is the data's digest: reproducible. */
	if (st == BLT_OK && o->token_key)
		st = fake_token_key_init(&s->key, o->token_key,
					 strlen(o->token_key), err);
	else if (st == BLT_OK)
		st = fake_token_key_init(&s->key, s->store.digest,
					 sizeof(s->store.digest), err);
	if (st == BLT_OK && o->verify_sigv4)
		st = sigv4_parse_keypair(o->verify_sigv4, &s->akid, &s->secret,
					 err);
	s->epoch = (int64_t)floor(clock_now());
	if (st == BLT_OK && remembers_tokens(o->defects) &&
	    !(s->seen = calloc(FAKE_SEEN_SLOTS, sizeof(*s->seen))))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st != BLT_OK)
		fake_server_free(s);
	return st;
}

void fake_server_free(struct fake_server *s)
{
	fake_store_free(&s->store);
	fake_token_key_free(&s->key);
	free(s->akid);
	free(s->seen);
	free(s->cache);
	pthread_mutex_destroy(&s->seen_lock);
	pthread_mutex_destroy(&s->cache_lock);
	s->cache = NULL;
	s->akid = NULL;
	s->secret = NULL;
	s->seen = NULL;
}

/* ---- answers -------------------------------------------------------- */

void fake_request_id(uint64_t seed, uint64_t seq, char out[37])
{
	uint64_t a = rng_mix(seed, seq);
	uint64_t b = rng_mix(seed ^ 0x7265717565737469ULL, 0);
	/* The last group is an odd multiple of seq plus a per-seed offset,
	 * modulo 2^48: a bijection, so ids never repeat within 2^48. */
	uint64_t tail = (b + seq * 0x9e3779b97f4bULL) & 0xffffffffffffULL;

	/* xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, as UUID version 4 looks. */
	hex_put_uint(out, a >> 32, 8);
	out[8] = '-';
	hex_put_uint(out + 9, a >> 16, 4);
	out[13] = '-';
	out[14] = '4';
	hex_put_uint(out + 15, a, 3);
	out[18] = '-';
	hex_put_uint(out + 19, 0x8000u | ((b >> 48) & 0x3fffu), 4);
	out[23] = '-';
	hex_put_uint(out + 24, tail, 12);
	out[36] = '\0';
}

/* Headers every answer carries. */
static void common_headers(const struct fake_server *s,
			   const struct httpd_request *req,
			   struct httpd_reply *reply)
{
	fake_defects d = s->opts->defects;

	if (!fake_defect_on(d, FAKE_D_NO_REQUEST_ID)) {
		char id[37];

		fake_request_id(s->opts->seed, req->seq, id);
		httpd_reply_header(reply, "x-amzn-RequestId", id, NULL);
	}
	if (fake_defect_on(d, FAKE_D_JSON_CTYPE))
		httpd_reply_header(reply, "Content-Type", "application/json",
				   NULL);
	else
		httpd_reply_header(reply, "Content-Type", AWSJSON_CONTENT_TYPE,
				   NULL);
}

/* An error body without type (untyped-errors) or message (no-message). */
static char *defective_error_body(enum awsjson_error e, const char *msg,
				  bool typed, bool with_message)
{
	json_t *o = json_object();
	char *text;

	if (!o)
		return NULL;
	if (typed)
		json_object_set_new(o, "__type",
				    json_string(awsjson_error_shape_id(e)));
	if (with_message)
		json_object_set_new(o, "message", json_string(msg));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

/* The length of the valid UTF-8 sequence at p (at most left bytes), or 0
 * when it is not one: overlong forms, surrogates and code points above
 * U+10FFFF are refused, as JSON text must be valid UTF-8. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Copies a message that may quote client bytes into out as valid UTF-8:
 * control characters and bytes that are not part of a valid sequence
 * become \xNN. */
static void tidy_message(const char *in, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t left = strlen(in);
	size_t o = 0;

	while (left) {
		size_t n = p[0] >= 0x20 && p[0] != 0x7f ? utf8_len(p, left) : 0;

		if (n == 0) {
			if (o + 5 > outsz)
				break;
			snprintf(out + o, 5, "\\x%02x", p[0]);
			o += 4;
			n = 1;
		} else {
			if (o + n + 1 > outsz)
				break;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		left -= n;
	}
	out[o] = '\0';
}

static void send_error(const struct fake_server *s, struct httpd_reply *reply,
		       enum awsjson_error e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Answers error e with a printf-style message, by the profile's status
 * table and the error defects. */
static void send_error(const struct fake_server *s, struct httpd_reply *reply,
		       enum awsjson_error e, const char *fmt, ...)
{
	fake_defects d = s->opts->defects;
	bool typed = !fake_defect_on(d, FAKE_D_UNTYPED_ERRORS);
	bool with_message = !fake_defect_on(d, FAKE_D_NO_MESSAGE);
	char raw[BLT_ERR_MSG_MAX];
	char msg[BLT_ERR_MSG_MAX];
	char *body;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	tidy_message(raw, msg, sizeof(msg));
	reply->status = awsjson_error_status(e, s->opts->profile);
	if (e == AWSJSON_ERR_VALIDATION && fake_defect_on(d, FAKE_D_STATUS_422))
		reply->status = 422;
	if (typed && with_message)
		body = awsjson_error_body(e, msg);
	else
		body = defective_error_body(e, msg, typed, with_message);
	if (typed)
		httpd_reply_header(reply, "x-amzn-ErrorType",
				   awsjson_error_name(e), NULL);
	buf_reset(&reply->body);
	if (!body || buf_puts(&reply->body, body, NULL) != BLT_OK) {
		reply->status = 500;
		buf_reset(&reply->body);
	}
	free(body);
}

/* ---- authentication ------------------------------------------------- */

/* The error a failed verification is answered with. An unknown access key
 * id is InvalidSignatureException too: blt's error table has no
 * UnrecognizedClientException. */
static enum awsjson_error auth_error(enum sigv4_verdict v)
{
	switch (v) {
	case SIGV4_MISSING:
		return AWSJSON_ERR_MISSING_AUTH_TOKEN;
	case SIGV4_MALFORMED:
		return AWSJSON_ERR_INCOMPLETE_SIGNATURE;
	case SIGV4_VALID:
	case SIGV4_UNKNOWN_KEY:
	case SIGV4_MISMATCH:
		break;
	}
	return AWSJSON_ERR_INVALID_SIGNATURE;
}

/* Checks the request's SigV4 signature; on failure answers and returns
 * false. */
static bool authenticate(const struct fake_server *s,
			 const struct httpd_request *req,
			 struct httpd_reply *reply)
{
	struct sigv4_header hs[HTTPD_MAX_REQ_HEADERS];
	enum sigv4_verdict verdict = SIGV4_VALID;
	struct sigv4_request r;
	struct blt_err err;
	size_t n = 0;

	for (size_t i = 0; i < req->nheaders && n < HTTPD_MAX_REQ_HEADERS;
	     i++) {
		hs[n].name = req->headers[i].name;
		hs[n].value = req->headers[i].value;
		n++;
	}
	r = (struct sigv4_request){req->method, req->path, req->query,	 hs,
				   n,		req->body, req->body_len};
	if (sigv4_verify_verdict(&r, s->akid, s->secret, AWSJSON_SIGV4_SERVICE,
				 &verdict, &err) == BLT_OK)
		return true;
	send_error(s, reply, auth_error(verdict), "Authorization: %s", err.msg);
	return false;
}

/* ---- the defects that change request validation ---------------------- */

static bool validation_defects(fake_defects d)
{
	static const enum fake_defect v[] = {
	    FAKE_D_ACCEPT_101,
	    FAKE_D_COERCE_STRING,
	    FAKE_D_LOOSE_ENUM,
	    FAKE_D_REJECT_FILTER,
	    FAKE_D_ENUM_AS_SERIALIZATION,
	    FAKE_D_TYPE_500,
	    FAKE_D_JSON_500,
	    FAKE_D_ACCEPT_HUGE,
	    FAKE_D_LATER_PAGE_RANGE,
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (fake_defect_on(d, v[i]))
			return true;
	return false;
}

/* True when the request carries a NextToken that is a non-empty string. */
static bool has_token(const json_t *root)
{
	const char *t = json_string_value(json_object_get(root, "NextToken"));

	return t && *t;
}

/* MaxResults rewrites: strings of digits, too-large values clamped, and
 * any integer clamped into range on a later page (later-page-range). */
static bool rewrite_max_results(json_t *root, fake_defects d)
{
	json_t *v = json_object_get(root, "MaxResults");
	json_int_t n;

	if (fake_defect_on(d, FAKE_D_COERCE_STRING) && json_is_string(v)) {
		const char *t = json_string_value(v);
		size_t len = strlen(t);

		if (len == 0 || len > 9 || strspn(t, "0123456789") != len)
			return false;
		json_object_set_new(root, "MaxResults", json_integer(atoll(t)));
		return true;
	}
	if (!json_is_integer(v))
		return false;
	n = json_integer_value(v);
	if (fake_defect_on(d, FAKE_D_LATER_PAGE_RANGE) && has_token(root) &&
	    (n < LBT_MAX_RESULTS_MIN || n > LBT_MAX_RESULTS_MAX)) {
		json_object_set_new(root, "MaxResults",
				    json_integer(n < LBT_MAX_RESULTS_MIN
							 ? LBT_MAX_RESULTS_MIN
							 : LBT_MAX_RESULTS_MAX));
		return true;
	}
	if ((fake_defect_on(d, FAKE_D_ACCEPT_101) && n >= 101 && n <= 1000) ||
	    (fake_defect_on(d, FAKE_D_ACCEPT_HUGE) && n >= 200 &&
	     n <= 2147483647)) {
		json_object_set_new(root, "MaxResults",
				    json_integer(LBT_MAX_RESULTS_MAX));
		return true;
	}
	return false;
}

/* TaskStatus trimmed and upper-cased (loose-enum). */
static bool loosen_status(json_t *root)
{
	const char *t = json_string_value(json_object_get(root, "TaskStatus"));
	char buf[64];
	size_t n = 0;
	enum lbt_status st;

	if (!t)
		return false;
	while (*t == ' ' || *t == '\t')
		t++;
	for (; *t && n < sizeof(buf) - 1; t++)
		buf[n++] = (char)(*t >= 'a' && *t <= 'z' ? *t - 32 : *t);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (!lbt_status_parse(buf, &st))
		return false;
	json_object_set_new(root, "TaskStatus", json_string(buf));
	return true;
}

/* Applies the validation defects to the request body. Returns true when
 * it answered the request itself; otherwise *owned may hold a rewritten
 * body for the normal validation. */
static bool defective_validation(const struct fake_server *s,
				 const struct httpd_request *req,
				 struct httpd_reply *reply, char **owned)
{
	fake_defects d = s->opts->defects;
	json_t *root;
	json_t *ts;
	bool changed = false;
	enum lbt_status st;

	if (req->body_len == 0)
		return false;
	root = json_loadb(req->body, req->body_len, 0, NULL);
	if (!root) {
		if (!fake_defect_on(d, FAKE_D_JSON_500))
			return false;
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "the request could not be processed");
		return true;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return false;
	}
	changed = rewrite_max_results(root, d);
	ts = json_object_get(root, "TaskStatus");
	if (fake_defect_on(d, FAKE_D_TYPE_500) && ts && !json_is_null(ts) &&
	    !json_is_string(ts)) {
		json_decref(root);
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "the request could not be processed");
		return true;
	}
	if (fake_defect_on(d, FAKE_D_LOOSE_ENUM))
		changed |= loosen_status(root);
	ts = json_object_get(root, "TaskStatus");
	if (json_is_string(ts)) {
		const char *v = json_string_value(ts);

		if (fake_defect_on(d, FAKE_D_REJECT_FILTER) &&
		    !strcmp(v, "PENDING_RESUME")) {
			json_decref(root);
			send_error(s, reply, AWSJSON_ERR_VALIDATION,
				   "TaskStatus: \"PENDING_RESUME\" is not "
				   "supported as a filter");
			return true;
		}
		if (fake_defect_on(d, FAKE_D_ENUM_AS_SERIALIZATION) &&
		    !lbt_status_parse(v, &st)) {
			send_error(s, reply, AWSJSON_ERR_SERIALIZATION,
				   "TaskStatus: \"%.64s\" could not be "
				   "deserialized",
				   v);
			json_decref(root);
			return true;
		}
	}
	if (changed)
		*owned = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return false;
}

/* ---- ListBatchLoadTasks --------------------------------------------- */

/* A token's hash for the seen table, never 0 (0 marks a free slot). */
static uint64_t token_hash(const char *t)
{
	uint64_t h = canon_hash_bytes(t, strlen(t));

	return h ? h : 1;
}

/* repeat-differs: true when this token was answered before. */
static bool seen_before(struct fake_server *s, const char *token)
{
	uint64_t h = token_hash(token);
	size_t i = h % FAKE_SEEN_SLOTS;
	bool seen = false;

	pthread_mutex_lock(&s->seen_lock);
	if (s->nseen > FAKE_SEEN_SLOTS / 2) {
		memset(s->seen, 0, FAKE_SEEN_SLOTS * sizeof(*s->seen));
		s->nseen = 0;
	}
	while (s->seen[i] && s->seen[i] != h)
		i = (i + 1) % FAKE_SEEN_SLOTS;
	if (s->seen[i] == h) {
		seen = true;
	} else {
		s->seen[i] = h;
		s->nseen++;
	}
	pthread_mutex_unlock(&s->seen_lock);
	return seen;
}

/* Reads the request's NextToken into the page's start. Returns false when
 * it answered (a bad token). */
static bool resume_walk(struct fake_server *s, const char *token,
			unsigned filter, struct fake_page_in *in,
			struct httpd_reply *reply)
{
	fake_defects d = s->opts->defects;
	struct fake_token t;
	struct blt_err err;
	blt_status st;

	st = fake_token_decode(&s->key, token, strlen(token), &t, &err);
	if (st == BLT_OK && fake_defect_on(d, FAKE_D_FILTER_TOKEN_REUSE))
		filter = t.filter;
	if (st == BLT_OK)
		st = fake_token_check(&t, filter, clock_now(),
				      s->opts->token_ttl, &err);
	if (st != BLT_OK) {
		if (fake_defect_on(d, FAKE_D_BADTOKEN_RESTART))
			return true;
		send_error(s, reply, AWSJSON_ERR_VALIDATION, "NextToken: %s",
			   err.msg);
		return false;
	}
	in->position = t.position;
	in->continued = true;
	in->reversed = t.flags & FAKE_TOKEN_F_REVERSED;
	if (fake_defect_on(d, FAKE_D_STICKY_MAX) && FAKE_TOKEN_MAX_OF(t.flags))
		in->max = FAKE_TOKEN_MAX_OF(t.flags);
	if (s->seen && seen_before(s, token)) {
		if (fake_defect_on(d, FAKE_D_SINGLE_USE_TOKENS)) {
			send_error(s, reply, AWSJSON_ERR_VALIDATION,
				   "NextToken: the token was already used");
			return false;
		}
		in->position +=
		    fake_defect_on(d, FAKE_D_RESIZE_LOSS) ? 1 : in->max;
	}
	return true;
}

/* The text of token t: from the cache when the same token was issued in
 * the same second (its bytes are then identical), else freshly signed. */
static blt_status token_text(struct fake_server *s, const struct fake_token *t,
			     char text[FAKE_TOKEN_TEXT_LEN + 1])
{
	uint64_t key =
	    (uint64_t)t->filter << 40 | (uint64_t)t->flags << 32 | t->position;
	struct fake_token_cache_slot *slot =
	    &s->cache[rng_mix(key, 0) % FAKE_TOKEN_CACHE_SLOTS];
	bool hit;

	pthread_mutex_lock(&s->cache_lock);
	hit = slot->used && slot->key == key && slot->issued == t->issued;
	if (hit)
		memcpy(text, slot->text, sizeof(slot->text));
	pthread_mutex_unlock(&s->cache_lock);
	if (hit)
		return BLT_OK;
	if (fake_token_encode(&s->key, t, text))
		return BLT_ENOMEM;
	pthread_mutex_lock(&s->cache_lock);
	slot->used = true;
	slot->key = key;
	slot->issued = t->issued;
	memcpy(slot->text, text, sizeof(slot->text));
	pthread_mutex_unlock(&s->cache_lock);
	return BLT_OK;
}

/* Appends the NextToken member and the closing brace. */
static blt_status finish_body(struct fake_server *s, unsigned filter,
			      const struct fake_page_in *in,
			      const struct fake_page_out *plan,
			      struct blt_buf *body)
{
	fake_defects d = s->opts->defects;
	struct fake_token t = {filter, in->reversed ? FAKE_TOKEN_F_REVERSED : 0,
			       plan->next_position,
			       (int64_t)floor(clock_now())};
	char text[FAKE_TOKEN_TEXT_LEN + 1];

	/* Tokens that are the same for every walk reaching the same place. */
	if (fake_defect_on(d, FAKE_D_SINGLE_USE_TOKENS) ||
	    fake_defect_on(d, FAKE_D_SHIFTED_REPEAT))
		t.issued = s->epoch;
	if (fake_defect_on(d, FAKE_D_STICKY_MAX))
		t.flags |= FAKE_TOKEN_MAX_FLAGS(in->max);

	if (!plan->more)
		return buf_append(body, "}", 1, NULL);
	if (token_text(s, &t, text))
		return BLT_ENOMEM;
	if (buf_append(body, ",\"NextToken\":\"", 14, NULL) ||
	    buf_append(body, text, FAKE_TOKEN_TEXT_LEN, NULL))
		return BLT_ENOMEM;
	return buf_append(body, "\"}", 2, NULL);
}

/* Checks that survive validation but are planted defects. Returns false
 * when it answered. */
static bool range_defects(const struct fake_server *s,
			  const struct lbt_request *lr,
			  struct httpd_reply *reply)
{
	fake_defects d = s->opts->defects;

	if (!lr->has_max_results)
		return true;
	if (fake_defect_on(d, FAKE_D_REJECT_100) && lr->max_results == LBT_MAX_RESULTS_MAX) {
		send_error(s, reply, AWSJSON_ERR_VALIDATION,
			   "MaxResults: 100 is greater than the maximum of "
			   "99");
		return false;
	}
	if (fake_defect_on(d, FAKE_D_MID_RANGE_500) && lr->max_results >= 41 &&
	    lr->max_results <= 59) {
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "the request could not be processed");
		return false;
	}
	return true;
}

static void serve_page(struct fake_server *s, const struct lbt_request *lr,
		       struct httpd_reply *reply)
{
	fake_defects d = s->opts->defects;
	unsigned filter =
	    lr->has_status ? (unsigned)lr->status : FAKE_TOKEN_NO_FILTER;
	struct fake_page_in in = {
	    &s->store.lists[lr->has_status ? (int)lr->status : FAKE_LIST_ALL],
	    0,
	    false,
	    lr->has_max_results ? (unsigned)lr->max_results
				: LBT_MAX_RESULTS_DEFAULT,
	    false,
	    d,
	    lr->has_status};
	struct fake_page_out plan;

	if (lr->next_token && *lr->next_token) {
		if (!resume_walk(s, lr->next_token, filter, &in, reply))
			return;
	} else if (fake_defect_on(d, FAKE_D_UNSTABLE_ORDER)) {
		in.reversed = lr->has_max_results && lr->max_results % 2 == 0;
	}
	fake_page_plan(&in, &plan);
	reply->status = 200;
	if (fake_page_write(&s->store, &in, &plan, &reply->body, NULL) ||
	    finish_body(s, filter, &in, &plan, &reply->body)) {
		buf_reset(&reply->body);
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "out of memory");
	}
}

static void serve_list(struct fake_server *s, const struct httpd_request *req,
		       struct httpd_reply *reply)
{
	struct lbt_request lr;
	enum awsjson_error kind;
	struct blt_err err;
	json_t *root = NULL;
	char *owned = NULL;
	const char *body = req->body;
	size_t len = req->body_len;

	if (validation_defects(s->opts->defects)) {
		if (defective_validation(s, req, reply, &owned))
			return;
		if (owned) {
			body = owned;
			len = strlen(owned);
		}
	}
	if (lbt_request_parse(body, len, &root, &lr, &kind, &err) != BLT_OK)
		send_error(s, reply, kind, "%s", err.msg);
	else if (range_defects(s, &lr, reply))
		serve_page(s, &lr, reply);
	json_decref(root);
	free(owned);
}

/* ---- DescribeEndpoints ---------------------------------------------- */

static void serve_endpoints(const struct fake_server *s,
			    const struct httpd_request *req,
			    struct httpd_reply *reply)
{
	const char *addr =
	    s->opts->advertise ? s->opts->advertise : req->local_url;
	struct blt_err err;
	json_t *root = awsjson_body_parse(req->body, req->body_len, &err);

	if (!root) {
		send_error(s, reply, AWSJSON_ERR_SERIALIZATION, "%s", err.msg);
		return;
	}
	json_decref(root);
	reply->status = 200;
	if (awsjson_endpoints_body(
		addr,
		awsjson_address_reader_of(
		    httpd_request_header(req, "User-Agent"),
		    httpd_request_header(req, "X-Amz-User-Agent")),
		&reply->body, NULL))
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "out of memory");
}

/* ---- routing -------------------------------------------------------- */

/* Method, path, content type and target. Returns the operation, or
 * AWSJSON_OP_UNKNOWN after answering. */
static enum awsjson_op route(const struct fake_server *s,
			     const struct httpd_request *req,
			     struct httpd_reply *reply)
{
	const char *target = httpd_request_header(req, "X-Amz-Target");
	const char *ct = httpd_request_header(req, "Content-Type");
	enum awsjson_op op;

	if (strcmp(req->method, "POST") != 0) {
		send_error(s, reply, AWSJSON_ERR_UNKNOWN_OPERATION,
			   "method %.16s: this service answers POST / only",
			   req->method);
		return AWSJSON_OP_UNKNOWN;
	}
	if (strcmp(req->path, "/") != 0) {
		send_error(s, reply, AWSJSON_ERR_UNKNOWN_OPERATION,
			   "path %.128s: this service answers POST / only",
			   req->path);
		return AWSJSON_OP_UNKNOWN;
	}
	if (!awsjson_content_type_ok(ct)) {
		send_error(s, reply, AWSJSON_ERR_UNKNOWN_OPERATION,
			   "Content-Type: %.128s is not %s, so no operation "
			   "of this service is addressed",
			   ct ? ct : "(absent)", AWSJSON_CONTENT_TYPE);
		return AWSJSON_OP_UNKNOWN;
	}
	op = awsjson_target_parse(target);
	if (op == AWSJSON_OP_UNKNOWN &&
	    (fake_defect_on(s->opts->defects, FAKE_D_TARGET_IGNORED) ||
	     (fake_defect_on(s->opts->defects, FAKE_D_MISSING_TARGET) &&
	      (!target || !*target))))
		op = AWSJSON_OP_LIST_BATCH_LOAD_TASKS;
	if (op == AWSJSON_OP_UNKNOWN)
		send_error(s, reply, AWSJSON_ERR_UNKNOWN_OPERATION,
			   "X-Amz-Target: %.128s is not %sListBatchLoadTasks "
			   "or %sDescribeEndpoints",
			   target ? target : "(absent)", AWSJSON_TARGET_PREFIX,
			   AWSJSON_TARGET_PREFIX);
	return op;
}

/* --inject: returns false when a fault answered (or reset) the request. */
static bool inject(const struct fake_server *s, const struct httpd_request *req,
		   struct httpd_reply *reply)
{
	unsigned latency = 0;
	enum inject_fault f;

	if (!inject_active(&s->opts->inject))
		return true;
	f = inject_decide(&s->opts->inject, req->seq, &latency);
	reply->delay_ms = latency;
	switch (f) {
	case INJECT_THROTTLE:
		send_error(s, reply, AWSJSON_ERR_THROTTLING,
			   "Rate exceeded (fault injected by --inject)");
		return false;
	case INJECT_INTERNAL:
		send_error(s, reply, AWSJSON_ERR_INTERNAL_SERVER,
			   "internal error (fault injected by --inject)");
		return false;
	case INJECT_RESET:
		reply->reset = true;
		return false;
	case INJECT_NONE:
		break;
	}
	return true;
}

void fake_server_handle(void *ctx, const struct httpd_request *req,
			struct httpd_reply *reply)
{
	struct fake_server *s = ctx;
	enum awsjson_op op;

	common_headers(s, req, reply);
	if (s->akid && strcmp(req->method, "POST") == 0 &&
	    strcmp(req->path, "/") == 0 && !authenticate(s, req, reply))
		return;
	op = route(s, req, reply);
	if (op == AWSJSON_OP_UNKNOWN || !inject(s, req, reply))
		return;
	if (op == AWSJSON_OP_DESCRIBE_ENDPOINTS)
		serve_endpoints(s, req, reply);
	else
		serve_list(s, req, reply);
}
