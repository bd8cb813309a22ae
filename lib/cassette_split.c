/* The split path of a cassette load: the interactions of a big text are
 * parsed and checked on several threads, the rest of the document on its
 * own, with the same result and messages as the ordinary path. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cassette_int.h"

/* Elements a split-load worker takes at a time. */
#define SPLIT_BLOCK 256

/* What the workers of a split load share. Each element is parsed, checked
 * and given its view by exactly one worker; nothing else is written. */
struct split_job {
	const char *text;
	const char *name;
	const struct canon_split *split;
	struct cassette *c; /* views exist for every element */
	json_t **items;	    /* parsed elements by position (owned) */
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
			it = json_loadb(
			    t, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			    &jerr);
		j->items[i] = it;
		if (!it || cassette__check_interaction(&v, it, i, 0))
			return 0;
		cassette__fill_view(cassette__view(j->c, i), it);
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
		if (!split_block(j, a,
				 n - a > SPLIT_BLOCK ? a + SPLIT_BLOCK : n))
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
		root =
		    json_loadb(s, head + tail,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
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
		cassette__note_id(c, i, &ascending);
	}
	return cassette__build_index(c, ascending, v);
}

/* The split path for big texts (canon_split_array): the interactions are
 * parsed and checked in parallel, the rest of the document on its own.
 * Any failure but a nesting error, a duplicate id or running out of
 * memory sets *retry and leaves the text to load_whole, so every message
 * (which error comes first, its line and column or pointer) is exactly
 * the ordinary path's. */
blt_status cassette__load_split(const char *text, size_t len, const char *name,
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
		return cassette__parse_fail(name, &pos, &perr, err);
	if (sp.found)
		root = parse_skeleton(text, len, &sp);
	if (!root || cassette__check_top(&quiet, root)) {
		*retry = 1;
		goto fail;
	}
	c = cassette__alloc(root);
	if (c)
		root = NULL; /* c owns it */
	j.items = calloc(sp.n ? sp.n : 1, sizeof(*j.items));
	if (!c || !j.items) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	j.c = c;
	st = sp.n ? cassette__view_room(c, sp.n - 1, err) : BLT_OK;
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
