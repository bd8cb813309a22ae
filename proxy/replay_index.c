/* blt-proxy replay: loads the cassettes once and builds the O(1) match index
 * (operation + canonical body + answered token) and the prepared responses. */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "blt/canon.h"
#include "blt/clock.h"
#include "blt/lbt.h"
#include "replay.h"

#define PREPARE_THREADS 8
#define LOAD_TOP_PAD (256 * 1024 * 1024)
#define SERVE_TOP_PAD (128 * 1024) /* glibc's default */
#define PREPARE_PARALLEL_MIN 4096

const char *replay_op_of_target(const char *target)
{
	const char *dot;

	if (!target)
		return "";
	dot = strrchr(target, '.');
	return dot ? dot + 1 : target;
}

blt_status replay_key(const char *op, const json_t *body, const char *raw,
		      size_t rawlen, const char *token, struct blt_buf *key,
		      struct blt_err *err)
{
	blt_status st;

	buf_reset(key);
	st = buf_puts(key, op, err);
	if (!st)
		st = buf_append(key, "\n", 1, err);
	if (!st)
		st = buf_puts(key, token ? token : "", err);
	if (!st)
		st = buf_append(key, body ? "\nJ" : "\nR", 2, err);
	if (st)
		return st;
	if (!body)
		return buf_append(key, raw, rawlen, err);
	/* A NextToken is matched through the token links; one that is not a
	 * string is an ordinary (mismatching) member. */
	if (json_is_string(json_object_get(body, "NextToken")))
		return canon_write_without(body, "NextToken", key, err);
	return canon_write(body, key, err);
}

struct replay_group *replay_group_find(struct replay_index *ix,
				       const char *key, size_t len,
				       uint64_t hash)
{
	size_t i = (size_t)hash & ix->groups_mask;

	for (;; i = (i + 1) & ix->groups_mask) {
		struct replay_group *g = &ix->groups[i];

		if (!g->key)
			return NULL;
		if (g->hash == hash && g->keylen == len &&
		    memcmp(g->key, key, len) == 0)
			return g;
	}
}

struct replay_token *replay_token_find(struct replay_index *ix,
				       const char *text, size_t len)
{
	size_t i;

	if (!ix->tokens)
		return NULL;
	i = (size_t)canon_hash_bytes(text, len) & ix->tokens_mask;
	for (;; i = (i + 1) & ix->tokens_mask) {
		struct replay_token *t = &ix->tokens[i];

		if (!t->text)
			return NULL;
		if (t->len == len && memcmp(t->text, text, len) == 0)
			return t;
	}
}

static size_t pow2_above(size_t n)
{
	size_t s = 16;

	while (s < n * 2)
		s *= 2;
	return s;
}

/* The NextToken string of a message's JSON body, or NULL. */
static const char *body_token(const json_t *message)
{
	json_t *body = cassette_body_json(message);

	return json_string_value(json_object_get(body, "NextToken"));
}

static bool header_dropped(const char *name)
{
	static const char *const drop[] = {"content-length", "transfer-encoding",
					   "connection", "keep-alive", "date"};

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (strcasecmp(name, drop[i]) == 0)
			return true;
	return false;
}

/* Copies one header into p (which has room); counted only once both copies
 * exist, so that a failure leaks neither. */
static blt_status add_header(struct replay_prepared *p, const char *name,
			     const char *value, struct blt_err *err)
{
	char *n = strdup(name);
	char *v = strdup(value);

	if (!n || !v) {
		free(n);
		free(v);
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	p->names[p->nheaders] = n;
	p->values[p->nheaders++] = v;
	return BLT_OK;
}

/* Serialises the recorded response once: status, headers and body bytes. */
static blt_status prepare_response(const struct cassette_interaction *ci,
				   struct replay_prepared *p,
				   struct blt_err *err)
{
	json_t *headers = json_object_get(ci->response, "headers");
	struct blt_buf body;
	const char *name;
	json_t *value;
	size_t n = json_object_size(headers);
	blt_status st;

	p->status = ci->status;
	p->names = calloc(n + 1, sizeof(char *));
	p->values = calloc(n + 1, sizeof(char *));
	if (!p->names || !p->values)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	json_object_foreach(headers, name, value)
	{
		if (json_is_string(value) && !header_dropped(name) &&
		    add_header(p, name, json_string_value(value), err))
			return BLT_ENOMEM;
	}
	buf_init(&body, CASSETTE_FILE_MAX);
	st = cassette_body_bytes(ci->response, &body, err);
	if (st) {
		buf_free(&body);
		return st;
	}
	p->body_len = body.len;
	p->body = buf_take(&body);
	if (!p->body)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	return httpd_prepared_new(p->status, (const char *const *)p->names,
				  (const char *const *)p->values, p->nheaders,
				  p->body, p->body_len, &p->http, err);
}

static int walk_status_of(const json_t *body)
{
	enum lbt_status s;
	const char *v = json_string_value(json_object_get(body, "TaskStatus"));

	return v && lbt_status_parse(v, &s) ? (int)s : -1;
}

/* The token a recorded request answers: the NextToken that its token_from
 * interaction's response carried, else its own NextToken. */
static const char *token_key_of(const struct cassette *c,
				const struct cassette_interaction *ci)
{
	const char *own = body_token(ci->request);

	if (ci->token_from) {
		const struct cassette_interaction *from =
			cassette_find(c, ci->token_from);
		const char *issued = from ? body_token(from->response) : NULL;

		if (issued)
			return issued;
	}
	return own ? own : "";
}

static blt_status token_insert(struct replay_index *ix, const char *text,
			       size_t *at, struct blt_err *err)
{
	size_t len = strlen(text);
	size_t i = (size_t)canon_hash_bytes(text, len) & ix->tokens_mask;

	for (;; i = (i + 1) & ix->tokens_mask) {
		struct replay_token *t = &ix->tokens[i];

		if (t->text && t->len == len && memcmp(t->text, text, len) == 0)
			break;
		if (t->text)
			continue;
		t->text = strdup(text);
		if (!t->text)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		t->len = len;
		t->walk_status = -1;
		break;
	}
	*at = i;
	return BLT_OK;
}

/* Files entry e under its key, which the group takes (or frees when the
 * group exists already). */
static void group_insert(struct replay_index *ix, size_t e)
{
	struct replay_entry *en = &ix->entries[e];
	uint64_t h = canon_hash_bytes(en->key, en->keylen);
	struct replay_group *g =
		replay_group_find(ix, en->key, en->keylen, h);
	size_t i;

	if (en->raw_at != REPLAY_NONE) {
		en->raw = (g ? g->key : en->key) + en->raw_at;
		en->rawlen = en->keylen - en->raw_at;
	}
	if (g) {
		ix->entries[g->last].next_same = e;
		g->last = e;
		free(en->key);
		en->key = NULL;
		return;
	}
	i = (size_t)h & ix->groups_mask;
	while (ix->groups[i].key)
		i = (i + 1) & ix->groups_mask;
	g = &ix->groups[i];
	g->hash = h;
	g->keylen = en->keylen;
	g->key = en->key;
	en->key = NULL;
	g->first = g->last = g->cursor = e;
}

/* Fills entry e from its interaction: everything but the tables, so that
 * entries can be prepared on several threads. key and raw are scratch. */
static blt_status prepare_entry(struct replay_index *ix, size_t e,
				const struct cassette_interaction *ci,
				struct blt_buf *key, struct blt_buf *raw,
				struct blt_err *err)
{
	struct replay_entry *en = &ix->entries[e];
	json_t *body = cassette_body_json(ci->request);
	json_t *empty = NULL;
	blt_status st;

	/* A live body that is not a JSON object matches as raw bytes, and so
	 * does a recorded one. */
	if (!json_is_object(body))
		body = NULL;
	en->id = ci->id;
	en->op = ci->operation;
	if (!*en->op)
		en->op = replay_op_of_target(json_string_value(json_object_get(
			json_object_get(ci->request, "headers"),
			"x-amz-target")));
	/* A body beyond any input of its operation matches as the bytes
	 * sent, as a live one does (replay_serve.c): here its compact text,
	 * which a recording of it holds as body_text anyway. */
	bool beyond = awsjson_json_beyond(awsjson_op_lookup(en->op), body);

	if (beyond)
		body = NULL;
	en->req_body = body;
	en->token_from = ci->token_from;
	/* A live body matched as bytes has no NextToken read from it. */
	en->token_key = beyond ? "" : token_key_of(ix->files[en->file], ci);
	en->describe = strcmp(en->op, "DescribeEndpoints") == 0;
	en->walk_status = walk_status_of(body);
	en->next_same = REPLAY_NONE;
	en->issues = REPLAY_NONE;
	st = prepare_response(ci, &en->resp, err);
	buf_reset(raw);
	if (!st && !body)
		st = cassette_body_bytes(ci->request, raw, err);
	/* An empty body matches as {}. */
	if (!st && !body && raw->len == 0)
		empty = json_object();
	if (!st)
		st = replay_key(en->op, empty ? empty : body, raw->data,
				raw->len, en->token_key, key, err);
	json_decref(empty);
	if (st)
		return st;
	en->raw_at = body || empty ? REPLAY_NONE : key->len - raw->len;
	en->keylen = key->len;
	en->key = malloc(key->len + 1);
	if (!en->key)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	memcpy(en->key, key->data, key->len + 1);
	return BLT_OK;
}

/* One thread's share of the entries. */
struct prepare_job {
	struct replay_index *ix;
	const struct cassette_interaction **cis;
	size_t from, to;
	size_t failed_at;
	blt_status st;
	struct blt_err err;
};

static void *prepare_range(void *arg)
{
	struct prepare_job *j = arg;
	struct blt_buf key, raw;

	buf_init(&key, REPLAY_KEY_MAX);
	buf_init(&raw, REPLAY_KEY_MAX);
	for (size_t e = j->from; e < j->to && !j->st; e++) {
		j->st = prepare_entry(j->ix, e, j->cis[e], &key, &raw,
				      &j->err);
		j->failed_at = e;
	}
	buf_free(&key);
	buf_free(&raw);
	return NULL;
}

/* Prepares every entry, on up to PREPARE_THREADS threads for big loads;
 * on failure err holds the first failure in file order. */
static blt_status prepare_all(struct replay_index *ix,
			      const struct cassette_interaction **cis,
			      struct blt_err *err)
{
	struct prepare_job jobs[PREPARE_THREADS];
	pthread_t th[PREPARE_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = ix->nentries < PREPARE_PARALLEL_MIN || cpus < 2 ? 1
		 : cpus < PREPARE_THREADS ? (size_t)cpus : PREPARE_THREADS;
	size_t started = 0;

	for (size_t t = 0; t < n; t++) {
		jobs[t] = (struct prepare_job){ix, cis, ix->nentries * t / n,
					       ix->nentries * (t + 1) / n, 0,
					       BLT_OK, {0, ""}};
		if (t == 0 || pthread_create(&th[t], NULL, prepare_range,
					     &jobs[t]) != 0)
			continue;
		started |= (size_t)1 << t;
	}
	prepare_range(&jobs[0]);
	for (size_t t = 1; t < n; t++) {
		if (started & ((size_t)1 << t))
			pthread_join(th[t], NULL);
		else
			prepare_range(&jobs[t]);
	}
	for (size_t t = 0; t < n; t++) {
		if (jobs[t].st) {
			*err = jobs[t].err;
			blt_err_prefix(err, "%s",
				       ix->paths[ix->entries[jobs[t].failed_at]
							 .file]);
			return jobs[t].st;
		}
	}
	return BLT_OK;
}

/* The list of operation op, found (or added) through slots, an
 * open-addressing table of indexes into ix->ops (all bits set when free);
 * ix->ops grows as needed (*cap). NULL when memory runs out. */
static struct replay_op_entries *op_slot(struct replay_index *ix,
					 size_t *slots, size_t mask,
					 const char *op, size_t *cap)
{
	size_t i = (size_t)canon_hash_bytes(op, strlen(op)) & mask;
	struct replay_op_entries *grown;

	for (;; i = (i + 1) & mask) {
		if (slots[i] != REPLAY_NONE) {
			if (strcmp(ix->ops[slots[i]].op, op) == 0)
				return &ix->ops[slots[i]];
			continue;
		}
		if (ix->nops == *cap) {
			grown = realloc(ix->ops, (*cap ? *cap * 2 : 4) *
						     sizeof(*ix->ops));
			if (!grown)
				return NULL;
			ix->ops = grown;
			*cap = *cap ? *cap * 2 : 4;
		}
		slots[i] = ix->nops;
		ix->ops[ix->nops] = (struct replay_op_entries){op, NULL, 0};
		return &ix->ops[ix->nops++];
	}
}

/* Builds the per-operation lists of entries: which[e] gets the list of
 * entry e while the lists are counted, then they are filled. */
static blt_status ops_build(struct replay_index *ix, struct blt_err *err)
{
	size_t mask = pow2_above(ix->nentries) - 1;
	size_t *slots = malloc((mask + 1) * sizeof(*slots));
	size_t *which = calloc(ix->nentries + 1, sizeof(*which));
	size_t cap = 0;
	blt_status st = BLT_OK;

	if (!slots || !which) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto done;
	}
	memset(slots, 0xff, (mask + 1) * sizeof(*slots));
	for (size_t e = 0; e < ix->nentries && !st; e++) {
		struct replay_op_entries *l;

		if (ix->entries[e].describe)
			continue;
		l = op_slot(ix, slots, mask, ix->entries[e].op, &cap);
		if (!l) {
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
			break;
		}
		which[e] = (size_t)(l - ix->ops);
		l->n++;
	}
	for (size_t i = 0; i < ix->nops && !st; i++) {
		ix->ops[i].entries = malloc(ix->ops[i].n * sizeof(size_t));
		ix->ops[i].n = 0;
		if (!ix->ops[i].entries)
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	for (size_t e = 0; e < ix->nentries && !st; e++) {
		struct replay_op_entries *l = &ix->ops[which[e]];

		if (!ix->entries[e].describe)
			l->entries[l->n++] = e;
	}
done:
	free(slots);
	free(which);
	return st;
}

/* Files every prepared entry in the token and group tables, in order. */
static blt_status file_all(struct replay_index *ix,
			   const struct cassette_interaction **cis,
			   struct blt_err *err)
{
	for (size_t e = 0; e < ix->nentries; e++) {
		const char *issued = body_token(cis[e]->response);

		if (issued &&
		    token_insert(ix, issued, &ix->entries[e].issues, err))
			return err ? err->code : BLT_ENOMEM;
		group_insert(ix, e);
	}
	return BLT_OK;
}

static blt_status index_alloc(struct replay_index *ix, size_t total,
			      struct blt_err *err)
{
	size_t ntokens = pow2_above(total);

	ix->entries = calloc(total ? total : 1, sizeof(*ix->entries));
	ix->groups_mask = pow2_above(total) - 1;
	ix->groups = calloc(ix->groups_mask + 1, sizeof(*ix->groups));
	ix->tokens_mask = ntokens - 1;
	ix->tokens = calloc(ntokens, sizeof(*ix->tokens));
	if (!ix->entries || !ix->groups || !ix->tokens)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	return BLT_OK;
}

blt_status replay_index_load(char **paths, size_t n, struct replay_index *out,
			     struct blt_err *err)
{
	struct replay_index ix = {0};
	const struct cassette_interaction **cis = NULL;
	size_t total = 0;
	blt_status st = BLT_OK;
	double t0 = clock_mono_ms();

	/* Loading makes millions of small allocations on several threads:
	 * letting the heaps grow in large steps saves a quarter of the time
	 * (fewer brk, mprotect and page-fault rounds). */
	mallopt(M_TOP_PAD, LOAD_TOP_PAD);
	ix.paths = paths;
	ix.files = calloc(n ? n : 1, sizeof(*ix.files));
	if (!ix.files) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	for (; ix.nfiles < n; ix.nfiles++) {
		st = cassette_load(
		    &(struct cassette_load_opts){.path = paths[ix.nfiles]},
		    &ix.files[ix.nfiles], err);
		if (st)
			goto fail;
		total += cassette_count(ix.files[ix.nfiles]);
	}
	ix.read_ms = clock_mono_ms() - t0;
	st = index_alloc(&ix, total, err);
	cis = st ? NULL : calloc(total ? total : 1, sizeof(*cis));
	if (!st && !cis)
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	for (size_t f = 0; !st && f < n; f++) {
		for (size_t i = 0; i < cassette_count(ix.files[f]); i++) {
			ix.entries[ix.nentries].file = f;
			cis[ix.nentries++] = cassette_at(ix.files[f], i);
		}
	}
	if (!st)
		st = prepare_all(&ix, cis, err);
	if (!st)
		st = file_all(&ix, cis, err);
	if (!st)
		st = ops_build(&ix, err);
	free(cis);
	mallopt(M_TOP_PAD, SERVE_TOP_PAD);
	if (st)
		goto fail;
	ix.index_ms = clock_mono_ms() - t0 - ix.read_ms;
	*out = ix;
	return BLT_OK;
fail:
	replay_index_free(&ix);
	return st;
}

static void prepared_free(struct replay_prepared *p)
{
	httpd_prepared_free(p->http);
	for (size_t i = 0; i < p->nheaders; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	free(p->body);
}

void replay_index_free(struct replay_index *ix)
{
	for (size_t i = 0; i < ix->nentries; i++) {
		prepared_free(&ix->entries[i].resp);
		free(ix->entries[i].key);
	}
	for (size_t i = 0; ix->groups && i <= ix->groups_mask; i++)
		free(ix->groups[i].key);
	for (size_t i = 0; ix->tokens && i <= ix->tokens_mask; i++)
		free(ix->tokens[i].text);
	for (size_t i = 0; i < ix->nfiles; i++)
		cassette_free(ix->files[i]);
	for (size_t i = 0; ix->ops && i < ix->nops; i++)
		free(ix->ops[i].entries);
	free(ix->ops);
	free(ix->entries);
	free(ix->groups);
	free(ix->tokens);
	free(ix->files);
	memset(ix, 0, sizeof(*ix));
}
