/* blt-proxy replay: explains a miss by naming the closest recorded request
 * of the same operation and the members in which it differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "replay.h"

#define SHOW_MAX 60 /* characters of a value quoted in a message */
#define DIFFS_SHOWN 4

static bool same_value(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal((json_t *)a, (json_t *)b);
}

/* Counts the members in which two bodies differ, NextToken compared as the
 * tokens the requests answer (rec_tok, live_tok; NULL when none); calls show
 * for the first few when show is not NULL. It visits every live member:
 * run once, for the closest entry. */
static size_t diff(const json_t *rec, const json_t *rec_tok,
		   const json_t *live, const json_t *live_tok,
		   void (*show)(struct blt_buf *, const char *, const json_t *,
				const json_t *),
		   struct blt_buf *out)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	if (!same_value(rec_tok, live_tok) && ++n && show)
		show(out, "NextToken", rec_tok, live_tok);
	json_object_foreach((json_t *)rec, key, v)
	{
		const json_t *l = json_object_get(live, key);

		if (strcmp(key, "NextToken") == 0 || same_value(v, l))
			continue;
		if (++n <= DIFFS_SHOWN && show)
			show(out, key, v, l);
	}
	json_object_foreach((json_t *)live, key, v)
	{
		if (strcmp(key, "NextToken") == 0 || json_object_get(rec, key))
			continue;
		if (++n <= DIFFS_SHOWN && show)
			show(out, key, NULL, v);
	}
	return n;
}

/* A value to quote: v itself, or for a long string a copy of its start
 * (new reference), so that a 1 MiB member costs no 1 MiB of text. */
static json_t *quotable(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = SHOW_MAX + 1;

	if (!s || json_string_length(v) <= n)
		return json_incref((json_t *)v);
	/* Cut at a character boundary. */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return json_stringn(s, n);
}

static void quote(struct blt_buf *out, const json_t *v)
{
	json_t *shown;
	char *text;

	if (!v) {
		buf_puts(out, "absent", NULL);
		return;
	}
	shown = quotable(v);
	text = shown ? canon_text(shown) : NULL;
	json_decref(shown);
	if (!text) {
		buf_puts(out, "?", NULL);
		return;
	}
	if (strlen(text) > SHOW_MAX)
		buf_printf(out, NULL, "%.*s...", SHOW_MAX, text);
	else
		buf_puts(out, text, NULL);
	free(text);
}

static void show_one(struct blt_buf *out, const char *key, const json_t *rec,
		     const json_t *live)
{
	buf_printf(out, NULL, "; %s: recorded ", key);
	quote(out, rec);
	buf_puts(out, ", got ", NULL);
	quote(out, live);
}

static json_t *token_json(const char *token)
{
	return token && *token ? json_string(token) : NULL;
}

/* The members in which a recorded body differs from the live one, counted
 * in the recorded body's size (the live one may be huge): a recorded member
 * that is absent or different, plus the live members it lacks. NextToken
 * is compared as the tokens the requests answer. Adds the members visited
 * to *work. */
static size_t diff_count(const json_t *rec, const json_t *rec_tok,
			 const json_t *live, const json_t *live_tok,
			 size_t *work)
{
	size_t live_n = json_object_size(live) -
			(json_object_get(live, "NextToken") ? 1 : 0);
	size_t n = !same_value(rec_tok, live_tok);
	size_t shared = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)rec, key, v)
	{
		const json_t *l;

		++*work;
		if (strcmp(key, "NextToken") == 0)
			continue;
		l = json_object_get(live, key);
		shared += l != NULL;
		n += !same_value(v, l);
	}
	return n + (live_n - shared);
}

/* The entries recorded for operation op, or NULL. */
static const struct replay_op_entries *op_entries(const struct replay_index *ix,
						  const char *op)
{
	for (size_t i = 0; i < ix->nops; i++)
		if (strcmp(ix->ops[i].op, op) == 0)
			return &ix->ops[i];
	return NULL;
}

/* The entry of operation op whose body differs from live in the fewest
 * members, among the first ones of that operation within the bounds
 * (*compared gets how many were compared); REPLAY_NONE when there is
 * none. */
static size_t closest(const struct replay_index *ix,
		      const struct replay_op_entries *list, const json_t *live,
		      const json_t *live_tok, size_t *compared)
{
	size_t best = REPLAY_NONE;
	size_t best_n = 0;
	size_t work = 0;
	size_t k = 0;
	json_t *empty = json_object();

	for (; k < list->n && k < REPLAY_CLOSEST_ENTRIES_MAX &&
	       work < REPLAY_CLOSEST_WORK_MAX;
	     k++) {
		const struct replay_entry *e = &ix->entries[list->entries[k]];
		json_t *rec_tok = token_json(e->token_key);
		size_t n = diff_count(e->req_body ? e->req_body : empty,
				      rec_tok, live, live_tok, &work);

		json_decref(rec_tok);
		if (best == REPLAY_NONE || n < best_n) {
			best = list->entries[k];
			best_n = n;
		}
		if (n == 0) {
			k++;
			break;
		}
	}
	*compared = k;
	json_decref(empty);
	return best;
}

void replay_explain_miss(const struct replay_index *ix, const char *op,
			 const json_t *body, const char *token,
			 struct blt_buf *out)
{
	const struct replay_op_entries *list = op_entries(ix, op);
	json_t *live_tok = token_json(token);
	json_t *empty = json_object();
	const struct replay_entry *e;
	json_t *rec_tok;
	size_t best, compared = 0;

	buf_printf(out, NULL, "no recorded interaction matches this %s request",
		   *op ? op : "(no operation)");
	if (!body) {
		buf_puts(out, " (its body is not JSON)", NULL);
		goto done;
	}
	best = list ? closest(ix, list, body, live_tok, &compared)
		    : REPLAY_NONE;
	if (best == REPLAY_NONE) {
		buf_printf(out, NULL, "; the cassettes hold no %s request",
			   *op ? op : "such");
		goto done;
	}
	e = &ix->entries[best];
	if (compared < list->n)
		buf_printf(out, NULL,
			   "; closest among the first %zu of %zu recorded %s "
			   "requests: interaction %ld of %s",
			   compared, list->n, op, e->id, ix->paths[e->file]);
	else
		buf_printf(out, NULL, "; closest: interaction %ld of %s",
			   e->id, ix->paths[e->file]);
	rec_tok = token_json(e->token_key);
	if (diff(e->req_body ? e->req_body : empty, rec_tok, body, live_tok,
		 show_one, out) == 0)
		buf_puts(out, " (same members: used up)", NULL);
	json_decref(rec_tok);
done:
	json_decref(live_tok);
	json_decref(empty);
}
