/* What the files of the cassette module (lib/cassette*.c) share: the
 * cassette itself, the context of a structural check, and the functions
 * that one file of the module calls in another. Not part of the public
 * interface, blt/cassette.h; the names carry the module's double
 * underscore. */
#ifndef BLT_CASSETTE_INT_H
#define BLT_CASSETTE_INT_H

#include <assert.h>
#include <jansson.h>
#include <stddef.h>

#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/err.h"

/* Views live in fixed chunks of this many, so pointers never move. */
#define CASSETTE_VIEW_CHUNK 4096

struct cassette {
	json_t *root;  /* the whole document */
	json_t *meta;  /* borrowed from root */
	json_t *items; /* borrowed from root: the interactions array */
	struct cassette_interaction **chunks; /* views, CASSETTE_VIEW_CHUNK
						 per chunk */
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

/* View i, whose chunk exists (cassette__view_room). */
static inline struct cassette_interaction *
cassette__view(const struct cassette *c, size_t i)
{
	assert(i / CASSETTE_VIEW_CHUNK < c->nchunks);
	return &c->chunks[i / CASSETTE_VIEW_CHUNK][i % CASSETTE_VIEW_CHUNK];
}

/* ---- cassette_check.c: the structure of format version 1 ---- */

/* The members of an interaction in the order cassettes are written. */
extern const char *const cassette__item_keys[];

/* Reports "NAME: POINTER: what" into v->err; returns BLT_EINVAL. */
blt_status cassette__vfail(const struct vctx *v, const char *ptr,
			   const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks the document around the interactions (version, meta, the
 * interactions array and its size) and puts its members in order. */
blt_status cassette__check_top(const struct vctx *v, json_t *root);

/* Checks interaction i and puts its members in order; allow_zero accepts
 * a missing id (an append numbers it). */
blt_status cassette__check_interaction(const struct vctx *v, json_t *it,
				       size_t i, int allow_zero);

/* Rebuilds obj in place: the listed keys first in their order, then the
 * others in their current order (or sorted by bytes with sort_rest). */
blt_status cassette__reorder(json_t *obj, const char *const *keys,
			     int sort_rest, struct blt_err *err);

/* ---- cassette_index.c: views and the id index ---- */

/* Makes sure the chunk holding view i exists. */
blt_status cassette__view_room(struct cassette *c, size_t i,
			       struct blt_err *err);

/* Fills view w from interaction object it (already checked). */
void cassette__fill_view(struct cassette_interaction *w, json_t *it);

/* Adds the view of interaction object it (already checked) at c->n. */
blt_status cassette__push_view(struct cassette *c, json_t *it,
			       struct blt_err *err);

/* Notes view i's id in max_id, clearing *ascending when it does not
 * rise. */
void cassette__note_id(struct cassette *c, size_t i, int *ascending);

/* Makes room for want positions in the id index. */
blt_status cassette__order_reserve(struct cassette *c, size_t want,
				   struct blt_err *err);

/* Builds the id index after loading and rejects duplicate ids, naming the
 * first repeat in file order. ascending says the file's ids rise. */
blt_status cassette__build_index(struct cassette *c, int ascending,
				 const struct vctx *v);

/* Inserts position pos (whose view is in place) into the id index. */
void cassette__index_insert(struct cassette *c, size_t pos);

/* ---- cassette.c: the model ---- */

/* A cassette around root (taken on success), with no views yet. */
struct cassette *cassette__alloc(json_t *root);

/* ---- cassette_load.c and cassette_split.c: loading ---- */

/* Reports a parse failure of the whole text as the format says. */
blt_status cassette__parse_fail(const char *name, const struct canon_pos *pos,
				const struct blt_err *perr,
				struct blt_err *err);

/* The split path for big texts; *retry set means: load the text by the
 * ordinary path, which reports every error exactly (cassette_split.c). */
blt_status cassette__load_split(const char *text, size_t len, const char *name,
				const struct cassette_load_opts *o,
				struct cassette **out, int *retry,
				struct blt_err *err);

#endif
