/* Cassettes loaded on several threads at once: each load sorts its own ids
 * (no state shared between loads, STYLE 14). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/cassette.h"
#include "blt/rng.h"

#define NTHREADS 4
#define NITEMS 2000
#define ROUNDS 15

struct loader {
	char *text;
	long base; /* ids are base + 1 .. base + NITEMS, shuffled */
	int failures;
	char why[BLT_ERR_MSG_MAX + 64];
};

/* A cassette of NITEMS interactions whose ids are a shuffle of base + 1 ..
 * base + NITEMS, so that the load sorts them. */
static char *shuffled_cassette(long base, uint64_t seed)
{
	static const char head[] =
		"{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
		"\"2026-01-02T03:04:05.000Z\",\"upstream\":\"u\",\"tool\":"
		"\"t\"},\"interactions\":[";
	long ids[NITEMS];
	struct blt_rng r;
	struct blt_buf b;

	rng_seed(&r, seed);
	for (long i = 0; i < NITEMS; i++)
		ids[i] = base + 1 + i;
	for (long i = NITEMS - 1; i > 0; i--) {
		long j = (long)rng_below(&r, (uint64_t)i + 1);
		long t = ids[i];

		ids[i] = ids[j];
		ids[j] = t;
	}
	buf_init(&b, 16 * 1024 * 1024);
	cr_assert_eq(buf_puts(&b, head, NULL), BLT_OK);
	for (long i = 0; i < NITEMS; i++)
		cr_assert_eq(buf_printf(&b, NULL,
					"%s{\"id\":%ld,\"request\":{\"method\":"
					"\"POST\",\"path\":\"/\",\"headers\":"
					"{}},\"response\":{\"status\":200,"
					"\"headers\":{}}}",
					i ? "," : "", ids[i]),
			     BLT_OK);
	cr_assert_eq(buf_puts(&b, "]}", NULL), BLT_OK);
	return buf_take(&b);
}

static void *load_many(void *arg)
{
	struct loader *l = arg;
	struct cassette_load_opts o = {.text = l->text,
				       .len = strlen(l->text),
				       .name = "t.json",
				       .parallel_min = SIZE_MAX};

	for (int round = 0; round < ROUNDS && !l->failures; round++) {
		struct cassette *c = NULL;
		struct blt_err err = {0};

		if (cassette_load(&o, &c, &err)) {
			snprintf(l->why, sizeof(l->why), "%s", err.msg);
			l->failures++;
			break;
		}
		for (long id = l->base + 1; id <= l->base + NITEMS; id++) {
			const struct cassette_interaction *it =
				cassette_find(c, id);

			if (!it || it->id != id) {
				snprintf(l->why, sizeof(l->why),
					 "round %d: id %ld not found", round,
					 id);
				l->failures++;
				break;
			}
		}
		cassette_free(c);
	}
	return NULL;
}

Test(cassette_threads, loads_at_once_sort_their_own_ids, .timeout = 120)
{
	struct loader l[NTHREADS];
	pthread_t t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		l[i] = (struct loader){.base = 100000L * (i + 1)};
		l[i].text = shuffled_cassette(l[i].base, (uint64_t)i + 7);
		cr_assert_not_null(l[i].text);
	}
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, load_many, &l[i]), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		cr_expect_eq(l[i].failures, 0, "loader %d: %s", i, l[i].why);
		free(l[i].text);
	}
}
