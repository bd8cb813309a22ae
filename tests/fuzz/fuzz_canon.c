/* libFuzzer target: the capped JSON parser and canonical JSON: canonical
 * text is a fixed point, and the pretty and compact forms mean the same. */
#include <jansson.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/canon.h"

#include "fuzz.h"

#define FUZZ_CANON_MAX ((size_t)64 * 1024)
#define FUZZ_CANON_DEPTH 64
#define FUZZ_OUT_MAX ((size_t)16 * 1024 * 1024)

/* Parses text that blt wrote itself: it must parse. */
static json_t *reparse(const char *what, const char *text, size_t len)
{
	struct blt_err err = {0};
	json_t *v =
	    canon_parse(text, len, FUZZ_OUT_MAX, FUZZ_CANON_DEPTH, &err);

	FUZZ_CHECK(v != NULL, "%s text does not parse again: %s\n%s", what,
		   err.msg, text);
	return v;
}

/* canon_text of a reparsed writer output must be canon. */
static void same_canon(const char *what, const char *canon, const char *text,
		       size_t len)
{
	json_t *v = reparse(what, text, len);
	char *again = canon_text(v);

	FUZZ_CHECK(again && strcmp(again, canon) == 0,
		   "%s form changes the canonical text:\n%s\n%s\n%s", what,
		   canon, text, again ? again : "(null)");
	FUZZ_CHECK(canon_hash(v) == canon_hash_bytes(canon, strlen(canon)),
		   "%s form hashes differently", what);
	free(again);
	json_decref(v);
}

/* The pretty printer is stable: printing its own output again gives the
 * same bytes (cassettes rely on it). */
static void pretty_stable(const json_t *v, const char *canon)
{
	struct blt_buf one;
	struct blt_buf two;
	json_t *back;

	buf_init(&one, FUZZ_OUT_MAX);
	buf_init(&two, FUZZ_OUT_MAX);
	FUZZ_CHECK(canon_pretty(v, &one, NULL) == BLT_OK, "canon_pretty");
	same_canon("pretty", canon, one.data, one.len);
	back = reparse("pretty", one.data, one.len);
	FUZZ_CHECK(canon_pretty(back, &two, NULL) == BLT_OK, "canon_pretty");
	FUZZ_CHECK(one.len == two.len && !memcmp(one.data, two.data, one.len),
		   "pretty printing is not stable:\n%s\n%s", one.data,
		   two.data);
	json_decref(back);
	buf_free(&one);
	buf_free(&two);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_bytes(data, size);
	struct blt_err err = {0};
	struct blt_buf compact;
	json_t *v;
	char *canon;

	v = canon_parse(text, size, FUZZ_CANON_MAX, FUZZ_CANON_DEPTH, &err);
	if (!v) {
		FUZZ_CHECK(err.msg[0], "parse failure without a message");
		free(text);
		return 0;
	}
	canon = canon_text(v);
	FUZZ_CHECK(canon != NULL, "canon_text of a parsed document");
	FUZZ_CHECK(canon_hash(v) == canon_hash_bytes(canon, strlen(canon)),
		   "canon_hash is not the hash of canon_text");
	same_canon("canonical", canon, canon, strlen(canon));
	pretty_stable(v, canon);
	buf_init(&compact, FUZZ_OUT_MAX);
	FUZZ_CHECK(canon_compact(v, &compact, NULL) == BLT_OK, "canon_compact");
	same_canon("compact", canon, compact.data, compact.len);
	buf_free(&compact);
	free(canon);
	json_decref(v);
	free(text);
	return 0;
}
