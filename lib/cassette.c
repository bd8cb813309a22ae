/* The cassette model (format version 1): a new cassette, its meta, appends
 * and freeing. Loading is in cassette_load.c (the split path in
 * cassette_split.c), the checks in cassette_check.c, the id index in
 * cassette_index.c, builders and saving in cassette_build.c. */
#include <stdlib.h>
#include <string.h>

#include "blt/clock.h"
#include "cassette_int.h"

struct cassette *cassette__alloc(json_t *root)
{
	struct cassette *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->root = root;
	c->meta = json_object_get(root, "meta");
	c->items = json_object_get(root, "interactions");
	return c;
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
	c = cassette__alloc(root);
	if (!c)
		json_decref(root);
	return c;
}

json_t *cassette_meta(const struct cassette *c)
{
	return c->meta;
}

blt_status cassette_append_take(struct cassette *c, json_t *interaction,
				struct blt_err *err)
{
	struct vctx v = {"interaction", err};
	json_t *id = json_object_get(interaction, "id");
	json_int_t want = id ? json_integer_value(id) : 0;
	blt_status st = cassette__check_interaction(&v, interaction, c->n, 1);

	if (!st && want != 0 && cassette_find(c, (long)want))
		st = blt_fail(err, BLT_EINVAL,
			      "duplicate id %" JSON_INTEGER_FORMAT, want);
	if (!st && c->n >= CASSETTE_INTERACTIONS_MAX)
		st = blt_fail(err, BLT_ELIMIT, "more than %d interactions",
			      CASSETTE_INTERACTIONS_MAX);
	if (!st && want == 0 &&
	    json_object_set_new(interaction, "id", json_integer(c->max_id + 1)))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (!st)
		st =
		    cassette__reorder(interaction, cassette__item_keys, 0, err);
	if (!st)
		st = cassette__order_reserve(c, c->n + 1, err);
	if (!st && json_array_append(c->items, interaction))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (!st && (st = cassette__push_view(c, interaction, err)) != BLT_OK)
		json_array_remove(c->items, json_array_size(c->items) - 1);
	if (!st)
		cassette__index_insert(c, c->n - 1);
	json_decref(interaction);
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
