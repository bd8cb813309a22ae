/* libFuzzer target: blt-fake's NextToken decoder, its encoder's round trip,
 * the judgement of a token, and the --token-ttl duration parser. */
#include <stdbool.h>
#include <string.h>

#include "blt/lbt.h"

#include "fuzz.h"
#include "token.h"

/* The key the seed tokens were issued with (blt-fake --token-key). */
#define FUZZ_TOKEN_SECRET "blt-fuzz-token-key"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static struct fake_token_key *key(void)
{
	static struct fake_token_key k;
	static bool ready;

	if (!ready) {
		FUZZ_CHECK(fake_token_key_init(&k, FUZZ_TOKEN_SECRET,
					       strlen(FUZZ_TOKEN_SECRET),
					       NULL) == BLT_OK,
			   "key init");
		ready = true;
	}
	return &k;
}

static bool filter_ok(unsigned filter)
{
	return filter < LBT_STATUS_COUNT || filter == FAKE_TOKEN_NO_FILTER;
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The input as a token's text: an authentic one re-encodes to itself. */
static void decode_text(const uint8_t *data, size_t size)
{
	char *text = fuzz_bytes(data, size);
	char again[FAKE_TOKEN_TEXT_LEN + 1];
	struct blt_err err = {0};
	struct fake_token t;

	if (fake_token_decode(key(), text, size, &t, &err) == BLT_OK) {
		FUZZ_CHECK(filter_ok(t.filter), "filter %u accepted", t.filter);
		FUZZ_CHECK(fake_token_encode(key(), &t, again) == BLT_OK,
			   "encode");
		FUZZ_CHECK(size == FAKE_TOKEN_TEXT_LEN &&
			       memcmp(again, text, size) == 0,
			   "decode then encode changed the token: %s", again);
		(void)fake_token_check(&t, t.filter, (double)t.issued, 60,
				       &err);
	} else {
		FUZZ_CHECK(err.code == BLT_EINVAL && err.msg[0],
			   "rejection without a reason");
	}
	free(text);
}

/* The input as a token's fields: encode, decode, judge, then alter one
 * character, which must always be rejected. */
static void encode_fields(const uint8_t *d, size_t size)
{
	char text[FAKE_TOKEN_TEXT_LEN + 1];
	struct fake_token t;
	struct fake_token back;
	struct blt_err err = {0};
	blt_status st;
	size_t at;
	char c;

	if (size < 24)
		return;
	t.filter = d[0];
	t.flags = d[1];
	t.position = (uint32_t)be(d + 2, 4);
	t.issued = (int64_t)be(d + 6, 8);
	FUZZ_CHECK(fake_token_encode(key(), &t, text) == BLT_OK, "encode");
	FUZZ_CHECK(strlen(text) == FAKE_TOKEN_TEXT_LEN, "encoded length");
	st = fake_token_decode(key(), text, FAKE_TOKEN_TEXT_LEN, &back, &err);
	FUZZ_CHECK((st == BLT_OK) == filter_ok(t.filter),
		   "filter %u: decode said %d (%s)", t.filter, st, err.msg);
	if (st == BLT_OK) {
		FUZZ_CHECK(back.filter == t.filter && back.flags == t.flags &&
			       back.position == t.position &&
			       back.issued == t.issued,
			   "round trip changed the fields");
		(void)fake_token_check(&back, d[14],
				       (double)(int64_t)be(d + 15, 8),
				       be(d + 22, 2) * 3600u, &err);
	}
	at = d[23] % FAKE_TOKEN_TEXT_LEN;
	c = b64url[(strchr(b64url, text[at]) - b64url + 1 + d[22] % 63) % 64];
	text[at] = c;
	FUZZ_CHECK(fake_token_decode(key(), text, FAKE_TOKEN_TEXT_LEN, &back,
				     &err) != BLT_OK,
		   "an altered token was accepted: %s", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint64_t secs;

	decode_text(data, size);
	encode_fields(data, size);
	if (fake_parse_duration(s, &secs, NULL) == BLT_OK)
		FUZZ_CHECK(secs >= 1 && secs <= 10ULL * 366 * 86400,
			   "duration '%s' gave %llu", s,
			   (unsigned long long)secs);
	free(s);
	return 0;
}
