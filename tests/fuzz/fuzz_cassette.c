/* libFuzzer target: the cassette loader, and the promise that a cassette
 * that loads is written, reloaded and rewritten to the same bytes. */
#include <jansson.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/cassette.h"

#include "fuzz.h"

/* A small cap keeps each run fast; the loader's cap logic is exercised
 * by inputs near it. */
#define FUZZ_CASSETTE_MAX ((size_t)64 * 1024)
#define FUZZ_OUT_MAX ((size_t)16 * 1024 * 1024)

/* Every view of every interaction can be read the way replay reads it. */
static void walk(const struct cassette *c)
{
	struct blt_buf b;

	buf_init(&b, FUZZ_OUT_MAX);
	for (size_t i = 0; i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);

		FUZZ_CHECK(it && it->request && it->response && it->operation,
			   "interaction %zu has no views", i);
		FUZZ_CHECK(cassette_find(c, it->id) != NULL,
			   "interaction id %ld not found", it->id);
		buf_reset(&b);
		(void)cassette_body_bytes(it->request, &b, NULL);
		buf_reset(&b);
		(void)cassette_body_bytes(it->response, &b, NULL);
		(void)cassette_body_json(it->request);
	}
	FUZZ_CHECK(cassette_at(c, cassette_count(c)) == NULL,
		   "cassette_at past the end");
	buf_free(&b);
}

/* Writes c; the text must load again and write to the same bytes. */
static void round_trip(const struct cassette *c)
{
	struct blt_buf one;
	struct blt_buf two;
	struct blt_err err = {0};
	struct cassette *again = NULL;
	blt_status st;

	buf_init(&one, FUZZ_OUT_MAX);
	buf_init(&two, FUZZ_OUT_MAX);
	st = cassette_write(c, &one, &err);
	FUZZ_CHECK(st == BLT_OK, "cassette_write of a loaded cassette: %s",
		   err.msg);
	st = cassette_load(&(struct cassette_load_opts){.text = one.data,
							.len = one.len,
							.name = "written"},
			   &again, &err);
	FUZZ_CHECK(st == BLT_OK,
		   "a written cassette does not load again: %s\n%s", err.msg,
		   one.data);
	FUZZ_CHECK(cassette_count(again) == cassette_count(c),
		   "%zu interactions became %zu", cassette_count(c),
		   cassette_count(again));
	st = cassette_write(again, &two, &err);
	FUZZ_CHECK(st == BLT_OK, "second cassette_write: %s", err.msg);
	FUZZ_CHECK(one.len == two.len &&
		       memcmp(one.data, two.data, one.len) == 0,
		   "write, load, write is not byte-stable:\n--- first\n%s\n"
		   "--- second\n%s",
		   one.data, two.data);
	cassette_free(again);
	buf_free(&one);
	buf_free(&two);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_bytes(data, size);
	struct cassette *c = NULL;
	struct blt_err err = {0};
	blt_status st;

	st = cassette_load(
	    &(struct cassette_load_opts){.text = text,
					 .len = size,
					 .name = "fuzz.json",
					 .max_bytes = FUZZ_CASSETTE_MAX},
	    &c, &err);
	if (st == BLT_OK) {
		walk(c);
		round_trip(c);
		cassette_free(c);
	} else {
		FUZZ_CHECK(c == NULL && err.msg[0],
			   "a failed load left a cassette or no message");
	}
	free(text);
	return 0;
}
