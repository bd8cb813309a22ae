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

/* Keeps entry e as *best when it is the first or differs by fewer than
 * *best_n; true when it is an exact match (the search can stop). */
static bool keep_best(size_t *best, size_t *best_n, size_t e, size_t n)
{
	if (*best == REPLAY_NONE || n < *best_n) {
		*best = e;
		*best_n = n;
	}
	return n == 0;
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
		if (keep_best(&best, &best_n, list->entries[k], n)) {
			k++;
			break;
		}
	}
	*compared = k;
	json_decref(empty);
	return best;
}

/* The bytes two bodies share at their start (*pre) and, after that, at
 * their end (*suf); adds the bytes compared to *work. */
static void common_bytes(const char *a, size_t alen, const char *b,
			 size_t blen, size_t *pre, size_t *suf, size_t *work)
{
	size_t n = alen < blen ? alen : blen;
	size_t p = 0, s = 0;

	while (p < n && a[p] == b[p])
		p++;
	while (s < n - p && a[alen - 1 - s] == b[blen - 1 - s])
		s++;
	*pre = p;
	*suf = s;
	*work += p + s + 1;
}

/* The bytes in which two bodies differ, counted as what is left of each
 * once their common start and end are set aside. */
static size_t raw_distance(const char *a, size_t alen, const char *b,
			   size_t blen, size_t *work)
{
	size_t pre, suf;

	common_bytes(a, alen, b, blen, &pre, &suf, work);
	return (alen - pre - suf) + (blen - pre - suf);
}

/* As closest(), for a live body matched as bytes: the recorded bodies
 * matched as bytes, within REPLAY_CLOSEST_ENTRIES_MAX entries and
 * REPLAY_CLOSEST_BYTES_MAX compared bytes. */
static size_t closest_raw(const struct replay_index *ix,
			  const struct replay_op_entries *list,
			  const char *raw, size_t rawlen, const char *token,
			  size_t *compared)
{
	size_t best = REPLAY_NONE;
	size_t best_n = 0;
	size_t work = 0;
	size_t k = 0;

	for (; k < list->n && k < REPLAY_CLOSEST_ENTRIES_MAX &&
	       work < REPLAY_CLOSEST_BYTES_MAX;
	     k++) {
		const struct replay_entry *e = &ix->entries[list->entries[k]];
		size_t n;

		if (!e->raw)
			continue;
		n = raw_distance(e->raw, e->rawlen, raw, rawlen, &work) +
		    (strcmp(e->token_key, token ? token : "") != 0);
		if (keep_best(&best, &best_n, list->entries[k], n)) {
			k++;
			break;
		}
	}
	*compared = k;
	return best;
}

/* Names the closest entry e, and how many of the operation's entries the
 * search compared when it stopped short of them all. */
static void say_closest(const struct replay_index *ix,
			const struct replay_op_entries *list, const char *op,
			const struct replay_entry *e, size_t compared,
			struct blt_buf *out)
{
	if (compared < list->n)
		buf_printf(out, NULL,
			   "; closest among the first %zu of %zu recorded %s "
			   "requests: interaction %ld of %s",
			   compared, list->n, op, e->id, ix->paths[e->file]);
	else
		buf_printf(out, NULL, "; closest: interaction %ld of %s",
			   e->id, ix->paths[e->file]);
}

/* Explains a miss of a body matched as bytes. */
static void explain_raw(const struct replay_index *ix, const char *op,
			const struct replay_op_entries *list, const char *raw,
			size_t rawlen, const char *token, struct blt_buf *out)
{
	size_t compared = 0, pre, suf, work = 0;
	size_t best = list ? closest_raw(ix, list, raw, rawlen, token,
					 &compared)
			   : REPLAY_NONE;
	const struct replay_entry *e;

	if (best == REPLAY_NONE) {
		buf_printf(out, NULL,
			   " (its body is matched as bytes, and the cassettes "
			   "hold no %s request matched so)",
			   *op ? op : "such");
		return;
	}
	e = &ix->entries[best];
	say_closest(ix, list, op, e, compared, out);
	common_bytes(e->raw, e->rawlen, raw, rawlen, &pre, &suf, &work);
	if (pre == e->rawlen && pre == rawlen)
		buf_puts(out, "; the same body bytes", NULL);
	else
		buf_printf(out, NULL,
			   "; the bodies differ as bytes: recorded %zu, got "
			   "%zu, first difference at byte %zu",
			   e->rawlen, rawlen, pre + 1);
	if (strcmp(e->token_key, token ? token : "") != 0)
		buf_puts(out, "; NextToken differs", NULL);
	else if (pre == e->rawlen && pre == rawlen)
		buf_puts(out, " (used up)", NULL);
}

void replay_explain_miss(const struct replay_index *ix, const char *op,
			 const json_t *body, const char *raw, size_t rawlen,
			 const char *token, struct blt_buf *out)
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
		explain_raw(ix, op, list, raw, rawlen, token, out);
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
	say_closest(ix, list, op, e, compared, out);
	rec_tok = token_json(e->token_key);
	if (diff(e->req_body ? e->req_body : empty, rec_tok, body, live_tok,
		 show_one, out) == 0)
		buf_puts(out, " (same members: used up)", NULL);
	json_decref(rec_tok);
done:
	json_decref(live_tok);
	json_decref(empty);
}
