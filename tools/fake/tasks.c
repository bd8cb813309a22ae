/* The task store: loading, generating, collecting from cassettes, and the
 * serialisation done once at start. */
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "blt/buf.h"
#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/fileio.h"
#include "blt/rng.h"
#include "blt/schema.h"

#define TASKS_DEPTH_MAX 32

void fake_store_init(struct fake_store *s)
{
	memset(s, 0, sizeof(*s));
}

void fake_store_free(struct fake_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		json_decref(s->tasks[i].obj);
		free(s->tasks[i].json);
	}
	free(s->tasks);
	json_decref(s->ids);
	for (int l = 0; l < FAKE_LIST_COUNT; l++)
		free(s->lists[l].idx);
	memset(s, 0, sizeof(*s));
}

/* Checks one task against the schema and blt-fake's own needs (TaskId and
 * TaskStatus present). what names it ("task 3"), base is its JSON pointer
 * in the document. */
static blt_status check_task(const json_t *obj, const char *name,
			     const char *what, const char *base,
			     struct blt_err *err)
{
	const struct schema *sc = schema_builtin(SCHEMA_TASK);
	struct schema_violation v;

	if (!sc)
		return blt_fail(err, BLT_EINVAL, "the task schema is broken");
	if (schema_validate(sc, obj, &v, 1) > 0)
		return blt_fail(err, BLT_EUSAGE, "%s: %s (%s%s): %s", name,
				what, base, v.pointer, v.message);
	if (!json_is_string(json_object_get(obj, "TaskId")))
		return blt_fail(err, BLT_EUSAGE,
				"%s: %s (%s/TaskId): TaskId is missing; "
				"blt-fake needs it to page and deduplicate",
				name, what, base);
	if (!json_is_string(json_object_get(obj, "TaskStatus")))
		return blt_fail(err, BLT_EUSAGE,
				"%s: %s (%s/TaskStatus): TaskStatus is "
				"missing; blt-fake needs it to filter",
				name, what, base);
	return BLT_OK;
}

/* Adds a checked task, taking obj. *index receives its position; when the
 * TaskId is already known, dup_ok keeps the first and reports its index,
 * otherwise it is an error naming both. */
static blt_status add_task(struct fake_store *s, json_t *obj, bool dup_ok,
			   const char *name, const char *what, size_t *index,
			   struct blt_err *err)
{
	const char *id = json_string_value(json_object_get(obj, "TaskId"));
	const char *st = json_string_value(json_object_get(obj, "TaskStatus"));
	json_t *seen;
	struct fake_task *t;

	if (!s->ids && !(s->ids = json_object()))
		goto nomem;
	seen = json_object_get(s->ids, id);
	if (seen) {
		json_decref(obj);
		*index = (size_t)json_integer_value(seen);
		if (dup_ok)
			return BLT_OK;
		return blt_fail(err, BLT_EUSAGE,
				"%s: %s (/TaskId): TaskId %s already appears "
				"in task %zu",
				name, what, id, *index);
	}
	if (s->n == UINT32_MAX - 1)
		goto limit;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct fake_task *p = realloc(s->tasks, cap * sizeof(*p));

		if (!p)
			goto nomem;
		s->tasks = p;
		s->cap = cap;
	}
	if (json_object_set_new(s->ids, id, json_integer((json_int_t)s->n)))
		goto nomem;
	t = &s->tasks[s->n];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	lbt_status_parse(st, &t->status);
	t->obj = obj;
	*index = s->n++;
	return BLT_OK;
nomem:
	json_decref(obj);
	return blt_fail(err, BLT_ENOMEM, "out of memory");
limit:
	json_decref(obj);
	return blt_fail(err, BLT_ELIMIT, "%s: too many tasks", name);
}

blt_status fake_store_load_text(struct fake_store *s, const char *text,
				size_t len, const char *name,
				struct blt_err *err)
{
	json_t *doc =
	    canon_parse(text, len, FAKE_TASKS_FILE_MAX, TASKS_DEPTH_MAX, err);
	blt_status st = BLT_OK;
	size_t i;
	json_t *obj;

	if (!doc) {
		blt_err_prefix(err, "%s", name);
		if (err)
			err->code = BLT_EUSAGE;
		return BLT_EUSAGE;
	}
	if (!json_is_array(doc)) {
		st = blt_fail(err, BLT_EUSAGE,
			      "%s: expected a JSON array of tasks", name);
		goto done;
	}
	json_array_foreach (doc, i, obj) {
		char what[32];
		char base[32];
		size_t index;

		snprintf(what, sizeof(what), "task %zu", i);
		snprintf(base, sizeof(base), "/%zu", i);
		st = check_task(obj, name, what, base, err);
		if (st == BLT_OK)
			st = add_task(s, json_incref(obj), false, name, what,
				      &index, err);
		if (st != BLT_OK)
			break;
	}
done:
	json_decref(doc);
	if (st != BLT_OK && st != BLT_ENOMEM)
		st = BLT_EUSAGE;
	if (err && st)
		err->code = st;
	return st;
}

blt_status fake_store_load_file(struct fake_store *s, const char *path,
				struct blt_err *err)
{
	struct blt_buf b;
	blt_status st = fileio_read_all(path, FAKE_TASKS_FILE_MAX, &b, err);

	if (st) {
		if (err)
			err->code = BLT_EUSAGE;
		return BLT_EUSAGE;
	}
	st = fake_store_load_text(s, b.data ? b.data : "", b.len, path, err);
	buf_free(&b);
	return st;
}

/* ---- generation ---------------------------------------------------- */

static const char *const databases[] = {
    "iot_fleet",   "sensor_data",    "metrics_prod",  "devops_telemetry",
    "energy_grid", "billing_events", "factory_floor",
};
static const char *const tables[] = {
    "device_readings", "cpu_utilization", "power_usage",
    "http_requests",   "temperature",	  "vehicle_gps",
    "ingest_audit",    "heartbeats",	  "vibration",
};

/* Most recent CreationTime of generated data: 2025-01-01T00:00:00Z. */
#define GEN_EPOCH 1735689600.0
#define GEN_ID_LEN 26
#define GEN_RESUMABLE_DAYS 15

/* A weighted status for tasks after the first six (which show each once). */
static enum lbt_status gen_status(struct blt_rng *r)
{
	static const unsigned weights[LBT_STATUS_COUNT] = {
	    [LBT_CREATED] = 8,		 [LBT_IN_PROGRESS] = 12,
	    [LBT_FAILED] = 15,		 [LBT_SUCCEEDED] = 45,
	    [LBT_PROGRESS_STOPPED] = 10, [LBT_PENDING_RESUME] = 10,
	};
	unsigned x = (unsigned)rng_below(r, 100);

	for (int s = 0; s < LBT_STATUS_COUNT; s++) {
		if (x < weights[s])
			return (enum lbt_status)s;
		x -= weights[s];
	}
	return LBT_SUCCEEDED;
}

/* How long after creation a task in status s last changed, in seconds. */
static double gen_duration(struct blt_rng *r, enum lbt_status s)
{
	static const unsigned span[LBT_STATUS_COUNT][2] = {
	    [LBT_CREATED] = {1, 120},
	    [LBT_IN_PROGRESS] = {60, 3600},
	    [LBT_FAILED] = {5, 3600},
	    [LBT_SUCCEEDED] = {120, 14400},
	    [LBT_PROGRESS_STOPPED] = {300, 7200},
	    [LBT_PENDING_RESUME] = {3600, 86400},
	};

	return span[s][0] + (double)rng_below(r, span[s][1] - span[s][0]);
}

/* Adds milliseconds to about a third of the timestamps. */
static double gen_fraction(struct blt_rng *r, double t)
{
	if (rng_below(r, 3) == 0)
		return t + (double)(1 + rng_below(r, 999)) / 1000.0;
	return t;
}

static void gen_id(struct blt_rng *r, char id[GEN_ID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	for (int i = 0; i < GEN_ID_LEN; i++)
		id[i] = alphabet[rng_below(r, sizeof(alphabet) - 1)];
	id[GEN_ID_LEN] = '\0';
}

static bool resumable(enum lbt_status s)
{
	return s == LBT_PROGRESS_STOPPED || s == LBT_PENDING_RESUME ||
	       s == LBT_FAILED;
}

/* One generated task, members in the order of the API reference. */
static json_t *gen_task(struct blt_rng *r, enum lbt_status s, double created,
			const char *id)
{
	double updated = gen_fraction(r, created + gen_duration(r, s));
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "CreationTime", json_real(created));
	json_object_set_new(o, "DatabaseName",
			    json_string(databases[rng_below(
				r, sizeof(databases) / sizeof(databases[0]))]));
	json_object_set_new(o, "LastUpdatedTime", json_real(updated));
	if (resumable(s))
		json_object_set_new(
		    o, "ResumableUntil",
		    json_real(updated + GEN_RESUMABLE_DAYS * 86400.0));
	json_object_set_new(
	    o, "TableName",
	    json_string(
		tables[rng_below(r, sizeof(tables) / sizeof(tables[0]))]));
	json_object_set_new(o, "TaskId", json_string(id));
	json_object_set_new(o, "TaskStatus", json_string(lbt_status_name(s)));
	if (json_object_size(o) != 6u + resumable(s)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

blt_status fake_store_generate(struct fake_store *s, size_t n, uint64_t seed,
			       struct blt_err *err)
{
	enum lbt_status first[LBT_STATUS_COUNT];
	struct blt_rng r;
	double created = GEN_EPOCH;

	if (n > FAKE_GENERATE_MAX)
		return blt_fail(err, BLT_EUSAGE,
				"--generate: %zu is more than the maximum of "
				"%d tasks",
				n, FAKE_GENERATE_MAX);
	rng_seed(&r, seed);
	for (int i = 0; i < LBT_STATUS_COUNT; i++)
		first[i] = (enum lbt_status)i;
	for (int i = LBT_STATUS_COUNT - 1; i > 0; i--) {
		int j = (int)rng_below(&r, (uint64_t)i + 1);
		enum lbt_status t = first[i];

		first[i] = first[j];
		first[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		enum lbt_status st =
		    i < LBT_STATUS_COUNT ? first[i] : gen_status(&r);
		char id[GEN_ID_LEN + 1];
		size_t index;
		json_t *o;
		blt_status rc;

		do
			gen_id(&r, id);
		while (s->ids && json_object_get(s->ids, id));
		o = gen_task(&r, st, gen_fraction(&r, created), id);
		if (!o)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		rc = add_task(s, o, false, "--generate", "task", &index, err);
		if (rc)
			return rc;
		created -= 30 + (double)rng_below(&r, 7200);
	}
	return BLT_OK;
}

/* ---- collection from a cassette ------------------------------------- */

struct edge {
	uint32_t from;
	uint32_t to;
};

struct edges {
	struct edge *v;
	size_t n;
	size_t cap;
};

static blt_status edge_add(struct edges *e, size_t from, size_t to)
{
	if (from == to)
		return BLT_OK;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		struct edge *p = realloc(e->v, cap * sizeof(*p));

		if (!p)
			return BLT_ENOMEM;
		e->v = p;
		e->cap = cap;
	}
	e->v[e->n].from = (uint32_t)from;
	e->v[e->n].to = (uint32_t)to;
	e->n++;
	return BLT_OK;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a;
	const struct edge *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* A binary min-heap of task indices: the earliest sighting first. */
struct heap {
	uint32_t *v;
	size_t n;
};

static void heap_push(struct heap *h, uint32_t x)
{
	size_t i = h->n++;

	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static uint32_t heap_pop(struct heap *h)
{
	uint32_t top = h->v[0];
	uint32_t last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= last)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* Orders the tasks so that every edge goes forward (Kahn's algorithm,
 * earliest sighting first). Tasks caught in a cycle (walks that disagree)
 * keep their first-seen order after the rest; *cyclic says so. */
static blt_status topo_order(struct fake_store *s, struct edges *e,
			     bool *cyclic)
{
	size_t n = s->n;
	size_t *start = calloc(n + 1, sizeof(*start));
	uint32_t *indeg = calloc(n ? n : 1, sizeof(*indeg));
	uint32_t *order = malloc((n ? n : 1) * sizeof(*order));
	struct heap h = {malloc((n ? n : 1) * sizeof(uint32_t)), 0};
	struct fake_task *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	bool *done = calloc(n ? n : 1, sizeof(*done));
	size_t k = 0;
	size_t m = 0;
	blt_status st = BLT_ENOMEM;

	if (!start || !indeg || !order || !h.v || !sorted || !done)
		goto fail;
	qsort(e->v, e->n, sizeof(*e->v), edge_cmp);
	for (size_t i = 0; i < e->n; i++)
		if (m == 0 || edge_cmp(&e->v[i], &e->v[m - 1]))
			e->v[m++] = e->v[i];
	e->n = m;
	for (size_t i = 0; i < e->n; i++) {
		start[e->v[i].from + 1]++;
		indeg[e->v[i].to]++;
	}
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	for (size_t i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(&h, (uint32_t)i);
	while (h.n) {
		uint32_t x = heap_pop(&h);

		order[k++] = x;
		done[x] = true;
		for (size_t i = start[x]; i < start[x + 1]; i++)
			if (--indeg[e->v[i].to] == 0)
				heap_push(&h, e->v[i].to);
	}
	*cyclic = k < n;
	for (size_t i = 0; i < n && k < n; i++)
		if (!done[i])
			order[k++] = (uint32_t)i;
	for (size_t i = 0; i < n; i++)
		sorted[i] = s->tasks[order[i]];
	memcpy(s->tasks, sorted, n * sizeof(*sorted));
	st = BLT_OK;
fail:
	free(start);
	free(indeg);
	free(order);
	free(h.v);
	free(sorted);
	free(done);
	return st;
}

/* Adds the tasks of one recorded page, chaining them after prev (the last
 * task of the page whose token this request used, or -1). Returns the last
 * task of this walk so far in *last. */
static blt_status collect_page(struct fake_store *s, struct edges *e,
			       const json_t *list, long id, size_t pos,
			       const char *path, long prev, long *last,
			       struct blt_err *err)
{
	size_t i;
	json_t *obj;

	json_array_foreach (list, i, obj) {
		char what[64];
		char base[96];
		size_t index;
		blt_status st;

		snprintf(what, sizeof(what), "interaction %ld, task %zu", id,
			 i);
		snprintf(base, sizeof(base),
			 "/interactions/%zu/response/body/BatchLoadTasks/%zu",
			 pos, i);
		st = check_task(obj, path, what, base, err);
		if (st == BLT_OK)
			st = add_task(s, json_incref(obj), true, path, what,
				      &index, err);
		if (st == BLT_OK && prev >= 0 &&
		    edge_add(e, (size_t)prev, index))
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
		if (st != BLT_OK)
			return st;
		prev = (long)index;
	}
	*last = prev;
	return BLT_OK;
}

/* The last task that a page of interaction id left its walk at, kept in a
 * JSON object keyed by the decimal id. */
static long walk_last(json_t *lasts, long id)
{
	char key[32];
	json_t *v;

	snprintf(key, sizeof(key), "%ld", id);
	v = json_object_get(lasts, key);
	return v ? (long)json_integer_value(v) : -1;
}

static blt_status collect_cassette(struct fake_store *s,
				   const struct cassette *c, const char *path,
				   struct edges *e, struct blt_err *err)
{
	json_t *lasts = json_object();
	blt_status st = lasts ? BLT_OK : BLT_ENOMEM;

	for (size_t i = 0; st == BLT_OK && i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);
		const json_t *body = cassette_body_json(it->response);
		const json_t *list = json_object_get(body, "BatchLoadTasks");
		long prev =
		    it->token_from ? walk_last(lasts, it->token_from) : -1;
		long last = prev;
		char key[32];

		if (strcmp(it->operation, "ListBatchLoadTasks") != 0 ||
		    it->status != 200 || !json_is_array(list))
			continue;
		st =
		    collect_page(s, e, list, it->id, i, path, prev, &last, err);
		snprintf(key, sizeof(key), "%ld", it->id);
		if (st == BLT_OK && last >= 0 &&
		    json_object_set_new(lasts, key, json_integer(last)))
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	json_decref(lasts);
	return st;
}

blt_status fake_store_from_cassette(struct fake_store *s, const char *path,
				    struct blt_err *err)
{
	struct cassette *c = NULL;
	struct edges e = {NULL, 0, 0};
	bool cyclic = false;
	blt_status st =
	    cassette_load(&(struct cassette_load_opts){.path = path}, &c, err);

	if (st != BLT_OK) {
		st = BLT_EUSAGE;
		goto done;
	}
	st = collect_cassette(s, c, path, &e, err);
	if (st == BLT_OK && topo_order(s, &e, &cyclic))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st == BLT_OK && cyclic)
		fprintf(stderr,
			"blt-fake: %s: the recorded walks disagree on the "
			"order of some tasks; those keep the order of first "
			"sighting\n",
			path);
	if (st != BLT_OK && st != BLT_ENOMEM)
		st = BLT_EUSAGE;
	if (err && st)
		err->code = st;
done:
	/* The ids map indexed the pre-sort positions: it is dropped. */
	json_decref(s->ids);
	s->ids = NULL;
	free(e.v);
	cassette_free(c);
	return st;
}

/* ---- serialisation -------------------------------------------------- */

/* Adds delta seconds to a numeric member, keeping integers integral. */
static void shift_time(json_t *o, const char *key, double delta)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		json_integer_set(v, json_integer_value(v) + (json_int_t)delta);
	else if (json_is_real(v))
		json_real_set(v, json_real_value(v) + delta);
}

/* CreationTime becomes later than LastUpdatedTime. */
static void invert_times(json_t *o)
{
	json_t *c = json_object_get(o, "CreationTime");
	json_t *u = json_object_get(o, "LastUpdatedTime");

	if (!json_is_number(c) || !json_is_number(u))
		return;
	if (json_number_value(c) < json_number_value(u)) {
		json_t *keep = json_deep_copy(c);

		json_object_set(o, "CreationTime", u);
		json_object_set_new(o, "LastUpdatedTime", keep);
	} else {
		json_object_set_new(o, "CreationTime",
				    json_real(json_number_value(u) + 1.0));
	}
}

/* A copy of the task with the data defects applied (a new reference). */
static json_t *with_defects(json_t *obj, fake_defects d)
{
	json_t *o = json_deep_copy(obj);
	const char *id;

	if (!o)
		return NULL;
	if (fake_defect_on(d, FAKE_D_PAUSED_STATUS) &&
	    strcmp(json_string_value(json_object_get(o, "TaskStatus")),
		   "PENDING_RESUME") == 0)
		json_object_set_new(o, "TaskStatus", json_string("PAUSED"));
	id = json_string_value(json_object_get(o, "TaskId"));
	if (fake_defect_on(d, FAKE_D_LOWERCASE_IDS) && id) {
		char low[LBT_TASK_ID_MAX + 1];
		size_t i;

		for (i = 0; id[i] && i < LBT_TASK_ID_MAX; i++)
			low[i] =
			    (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] + 32
								: id[i]);
		low[i] = '\0';
		json_object_set_new(o, "TaskId", json_string(low));
	}
	if (fake_defect_on(d, FAKE_D_DRIFT_TIMES))
		shift_time(o, "LastUpdatedTime", 1.0);
	if (fake_defect_on(d, FAKE_D_TIME_INVERSION))
		invert_times(o);
	return o;
}

static blt_status serialise_all(struct fake_store *s, fake_defects d,
				struct blt_err *err)
{
	for (size_t i = 0; i < s->n; i++) {
		struct fake_task *t = &s->tasks[i];
		json_t *o = with_defects(t->obj, d);
		struct blt_buf b;
		blt_status st;

		if (!o)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		buf_init(&b, 64 * 1024);
		st = canon_compact(o, &b, err);
		json_decref(o);
		if (st == BLT_OK && !(t->json = buf_take(&b)))
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
		if (st != BLT_OK) {
			buf_free(&b);
			return st;
		}
		t->json_len = strlen(t->json);
		json_decref(t->obj);
		t->obj = NULL;
	}
	return BLT_OK;
}

static blt_status build_lists(struct fake_store *s, fake_defects d,
			      struct blt_err *err)
{
	bool leak = fake_defect_on(d, FAKE_D_FILTER_LEAK);

	for (int l = 0; l < FAKE_LIST_COUNT; l++) {
		struct fake_list *list = &s->lists[l];

		list->idx = malloc((s->n ? s->n : 1) * sizeof(uint32_t));
		if (!list->idx)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		list->n = 0;
		for (size_t i = 0; i < s->n; i++) {
			enum lbt_status st = s->tasks[i].status;
			bool in =
			    l == FAKE_LIST_ALL || (int)st == l ||
			    (leak && l == LBT_CREATED && st == LBT_IN_PROGRESS);

			if (in)
				list->idx[list->n++] = (uint32_t)i;
		}
	}
	return BLT_OK;
}

static blt_status digest_all(struct fake_store *s, struct blt_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, "blt-fake data v1\n", 17) == 1;

	for (size_t i = 0; ok && i < s->n; i++)
		ok = EVP_DigestUpdate(ctx, s->tasks[i].json,
				      s->tasks[i].json_len) == 1 &&
		     EVP_DigestUpdate(ctx, "\n", 1) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, s->digest, &n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? BLT_OK : blt_fail(err, BLT_ENOMEM, "SHA-256 failed");
}

blt_status fake_store_finish(struct fake_store *s, fake_defects defects,
			     struct blt_err *err)
{
	blt_status st = serialise_all(s, defects, err);

	if (st == BLT_OK)
		st = build_lists(s, defects, err);
	if (st == BLT_OK)
		st = digest_all(s, err);
	json_decref(s->ids);
	s->ids = NULL;
	return st;
}
