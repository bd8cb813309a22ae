/* Token links for blt-proxy record: a thread-safe map from NextToken text
 * to the id of the interaction that issued it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "blt/cassette.h"
#include "record.h"

struct token_slot {
	char *token; /* NULL when free */
	long id;
};

struct record_tokens {
	pthread_mutex_t lock;
	struct token_slot *slots;
	size_t cap; /* a power of two */
	size_t count;
};

/* The slot holding token, or the free slot where it belongs. */
static struct token_slot *find_slot(struct token_slot *slots, size_t cap,
				    const char *token)
{
	size_t i = (size_t)canon_hash_bytes(token, strlen(token)) & (cap - 1);

	while (slots[i].token && strcmp(slots[i].token, token) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table. */
static blt_status grow(struct record_tokens *t, struct blt_err *err)
{
	size_t cap = t->cap * 2;
	struct token_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].token)
			*find_slot(slots, cap, t->slots[i].token) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return BLT_OK;
}

blt_status record_tokens_new(struct record_tokens **out, struct blt_err *err)
{
	struct record_tokens *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || !(t->slots = calloc(64, sizeof(*t->slots)))) {
		free(t);
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	t->cap = 64;
	pthread_mutex_init(&t->lock, NULL);
	*out = t;
	return BLT_OK;
}

blt_status record_tokens_put(struct record_tokens *t, const char *token,
			     long id, struct blt_err *err)
{
	struct token_slot *slot;
	blt_status st = BLT_OK;

	pthread_mutex_lock(&t->lock);
	if (t->count >= CASSETTE_INTERACTIONS_MAX) {
		st = blt_fail(err, BLT_ELIMIT, "more than %d tokens",
			      CASSETTE_INTERACTIONS_MAX);
		goto done;
	}
	if ((t->count + 1) * 2 > t->cap && (st = grow(t, err)))
		goto done;
	slot = find_slot(t->slots, t->cap, token);
	if (!slot->token) {
		if (!(slot->token = strdup(token))) {
			st = blt_fail(err, BLT_ENOMEM, "out of memory");
			goto done;
		}
		t->count++;
	}
	slot->id = id;
done:
	pthread_mutex_unlock(&t->lock);
	return st;
}

long record_tokens_get(struct record_tokens *t, const char *token)
{
	long id;

	pthread_mutex_lock(&t->lock);
	id = find_slot(t->slots, t->cap, token)->id;
	pthread_mutex_unlock(&t->lock);
	return id;
}

size_t record_tokens_count(struct record_tokens *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void record_tokens_free(struct record_tokens *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].token);
	free(t->slots);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
