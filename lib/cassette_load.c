/* Loading a cassette from a file or from memory: read with a cap, parse,
 * check, index; big texts go by the split path (cassette_split.c). */
#include <stdlib.h>
#include <sys/stat.h>

#include "blt/fileio.h"
#include "cassette_int.h"

/* Checks a parsed document and builds the cassette, taking root. */
static blt_status cassette_from_root(json_t *root, const char *name,
				     struct cassette **out, struct blt_err *err)
{
	struct vctx v = {name, err};
	struct cassette *c = NULL;
	int ascending = 1;
	size_t i;
	blt_status st = cassette__check_top(&v, root);

	if (!st && !(c = cassette__alloc(root)))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st) {
		json_decref(root);
		return st;
	}
	for (i = 0; !st && i < json_array_size(c->items); i++) {
		json_t *it = json_array_get(c->items, i);

		st = cassette__check_interaction(&v, it, i, 0);
		if (!st)
			st = cassette__push_view(c, it, err);
		if (!st)
			cassette__note_id(c, c->n - 1, &ascending);
	}
	if (!st)
		st = cassette__build_index(c, ascending, &v);
	if (st) {
		cassette_free(c);
		return st;
	}
	*out = c;
	return BLT_OK;
}

/* Reports a parse failure of the whole text as the format says. */
blt_status cassette__parse_fail(const char *name, const struct canon_pos *pos,
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
		return cassette__parse_fail(name, &pos, &perr, err);
	return cassette_from_root(root, name, out, err);
}

/* A text of len bytes: by the split path when it is big enough, else (or
 * when the split path cannot say exactly what is wrong) as a whole. */
static blt_status load_text(const char *text, size_t len, const char *name,
			    size_t max_bytes,
			    const struct cassette_load_opts *o,
			    struct cassette **out, struct blt_err *err)
{
	size_t parallel_min =
	    o->parallel_min ? o->parallel_min : CASSETTE_PARALLEL_MIN;
	int retry = 1;
	blt_status st = BLT_OK;

	if (len <= max_bytes && len >= parallel_min)
		st = cassette__load_split(text, len, name, o, out, &retry, err);
	if (retry)
		st = load_whole(text, len, name, max_bytes, out, err);
	return st;
}

blt_status cassette_load(const struct cassette_load_opts *o,
			 struct cassette **out, struct blt_err *err)
{
	size_t max = o->max_bytes ? o->max_bytes : CASSETTE_FILE_MAX;
	const char *name = o->name ? o->name : o->path ? o->path : "cassette";
	struct blt_buf b;
	struct stat sb;
	blt_status st;

	*out = NULL;
	if (!o->path)
		return load_text(o->text ? o->text : "", o->len, name, max, o,
				 out, err);
	if (stat(o->path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (unsigned long long)sb.st_size > max)
		return blt_fail(err, BLT_ELIMIT,
				"%s: the file is larger than the limit of %zu "
				"bytes",
				o->path, max);
	st = fileio_read_all(o->path, max, &b, err);
	if (st)
		return st;
	st = load_text(b.data ? b.data : "", b.len, name, max, o, out, err);
	buf_free(&b);
	return st;
}
