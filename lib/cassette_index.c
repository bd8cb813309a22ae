/* A cassette's views (one per interaction, in file order) and its id
 * index: positions sorted by id, for lookups and duplicate checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cassette_int.h"

/* Makes sure the chunk holding view i exists. Views live in fixed chunks,
 * so pointers handed out never move. */
blt_status cassette__view_room(struct cassette *c, size_t i,
			       struct blt_err *err)
{
	struct cassette_interaction **p;
	size_t k = i / CASSETTE_VIEW_CHUNK;

	if (k < c->nchunks)
		return BLT_OK;
	p = realloc(c->chunks, (k + 1) * sizeof(*p));
	if (!p)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	c->chunks = p;
	for (; c->nchunks <= k; c->nchunks++) {
		p[c->nchunks] = malloc(CASSETTE_VIEW_CHUNK * sizeof(**p));
		if (!p[c->nchunks])
			return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	return BLT_OK;
}

/* Fills view w from interaction object it (already checked). */
void cassette__fill_view(struct cassette_interaction *w, json_t *it)
{
	json_t *op;
	json_t *tf;

	w->obj = it;
	w->id = (long)json_integer_value(json_object_get(it, "id"));
	w->request = json_object_get(it, "request");
	w->response = json_object_get(it, "response");
	op = json_object_get(w->request, "operation");
	w->operation = op ? json_string_value(op) : "";
	w->status =
	    (int)json_integer_value(json_object_get(w->response, "status"));
	tf = json_object_get(it, "token_from");
	w->token_from = tf ? (long)json_integer_value(tf) : 0;
	w->elapsed_ms = json_number_value(json_object_get(it, "elapsed_ms"));
}

/* Adds the view of interaction object it (already checked) at position n. */
blt_status cassette__push_view(struct cassette *c, json_t *it,
			       struct blt_err *err)
{
	blt_status st = cassette__view_room(c, c->n, err);

	if (st)
		return st;
	cassette__fill_view(cassette__view(c, c->n), it);
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
		pairs[i] = (struct id_pos){cassette__view(c, i)->id, i};
	qsort(pairs, c->n, sizeof(*pairs), id_pos_cmp);
	for (size_t i = 0; i < c->n; i++)
		c->order[i] = pairs[i].pos;
	free(pairs);
	return BLT_OK;
}

blt_status cassette__order_reserve(struct cassette *c, size_t want,
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
blt_status cassette__build_index(struct cassette *c, int ascending,
				 const struct vctx *v)
{
	size_t i;
	size_t dup = (size_t)-1;
	size_t first = 0;
	char ptr[64];
	blt_status st = cassette__order_reserve(c, c->n, v->err);

	if (st)
		return st;
	for (i = 0; i < c->n; i++)
		c->order[i] = i;
	if (ascending)
		return BLT_OK;
	if ((st = sort_order(c, v->err)))
		return st;
	for (i = 1; i < c->n; i++) {
		if (cassette__view(c, c->order[i])->id ==
			cassette__view(c, c->order[i - 1])->id &&
		    c->order[i] < dup) {
			dup = c->order[i];
			first = c->order[i - 1];
		}
	}
	if (dup == (size_t)-1)
		return BLT_OK;
	snprintf(ptr, sizeof(ptr), "/interactions/%zu/id", dup);
	return cassette__vfail(v, ptr,
			       "duplicate id %ld (also at /interactions/%zu)",
			       cassette__view(c, dup)->id, first);
}

/* Notes view i's id in max_id, clearing *ascending when it does not rise. */
void cassette__note_id(struct cassette *c, size_t i, int *ascending)
{
	long id = cassette__view(c, i)->id;

	if (i > 0 && id <= c->max_id)
		*ascending = 0;
	if (id > c->max_id)
		c->max_id = id;
}

/* Inserts position pos (whose view is in place) into the id index, for
 * which order_reserve has made room. Appends keep ids rising, so this is
 * O(1) but for an explicit id below the highest. */
void cassette__index_insert(struct cassette *c, size_t pos)
{
	long id = cassette__view(c, pos)->id;
	size_t lo = 0;
	size_t hi = pos;

	if (id > c->max_id) {
		c->order[pos] = pos;
		c->max_id = id;
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cassette__view(c, c->order[mid])->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(c->order + lo + 1, c->order + lo, (pos - lo) * sizeof(size_t));
	c->order[lo] = pos;
}

size_t cassette_count(const struct cassette *c)
{
	return c->n;
}

const struct cassette_interaction *cassette_at(const struct cassette *c,
					       size_t i)
{
	return i < c->n ? cassette__view(c, i) : NULL;
}

const struct cassette_interaction *cassette_find(const struct cassette *c,
						 long id)
{
	size_t lo = 0;
	size_t hi = c->n;

	if (id >= 1 && (unsigned long)id <= c->n &&
	    cassette__view(c, id - 1)->id == id)
		return cassette__view(c, id - 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long got = cassette__view(c, c->order[mid])->id;

		if (got == id)
			return cassette__view(c, c->order[mid]);
		if (got < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
