/* blt-fake's NextToken: opaque base64url text of a versioned record (filter,
 * flags, position, time of issue) signed with HMAC-SHA256. */
#ifndef FAKE_TOKEN_H
#define FAKE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "blt/err.h"

#define FAKE_TOKEN_VERSION 1
/* 48 bytes of record and MAC encode to exactly 64 base64url characters. */
#define FAKE_TOKEN_RAW_LEN 48
#define FAKE_TOKEN_TEXT_LEN 64
/* The filter byte of a walk without a TaskStatus filter. */
#define FAKE_TOKEN_NO_FILTER 0xff
/* flags: the walk serves its list back to front (defect unstable-order). */
#define FAKE_TOKEN_F_REVERSED 0x01
/* flags bits 1-7: the first page's MaxResults (defect sticky-max), 0 none */
#define FAKE_TOKEN_MAX_FLAGS(max) (((unsigned)(max) & 0x7fu) << 1)
#define FAKE_TOKEN_MAX_OF(flags) (((unsigned)(flags) >> 1) & 0x7fu)

/* What a token carries. */
struct fake_token {
	unsigned filter;   /* enum lbt_status, or FAKE_TOKEN_NO_FILTER */
	unsigned flags;	   /* FAKE_TOKEN_F_* */
	uint32_t position; /* items of the walk's list already served */
	int64_t issued;	   /* epoch seconds */
};

/* The signing key: HMAC-SHA256 with the inner and outer digests primed
 * once, so that each token costs two short digests. Read-only after
 * fake_token_key_init, so it may be shared by threads. */
struct fake_token_key {
	EVP_MD_CTX *inner;
	EVP_MD_CTX *outer;
};

/* Primes key for the secret bytes (any length; longer than a SHA-256 block
 * they are hashed first, as HMAC prescribes). Release with
 * fake_token_key_free. */
blt_status fake_token_key_init(struct fake_token_key *key, const void *secret,
			       size_t len, struct blt_err *err);

void fake_token_key_free(struct fake_token_key *key);

/* HMAC-SHA256 of msg under key into mac. Exposed for the tests, which check
 * it against RFC 4231. */
blt_status fake_token_hmac(const struct fake_token_key *key, const void *msg,
			   size_t len, unsigned char mac[32]);

/* Writes t's text into out (FAKE_TOKEN_TEXT_LEN characters and a NUL). */
blt_status fake_token_encode(const struct fake_token_key *key,
			     const struct fake_token *t,
			     char out[FAKE_TOKEN_TEXT_LEN + 1]);

/* Decodes and authenticates len bytes of text (not necessarily
 * NUL-terminated). On success fills *out. Otherwise BLT_EINVAL with the
 * reason in err: not base64url, the wrong length (truncated or extended),
 * an unknown version, or a signature that does not match (altered, or not
 * issued with this key). It does not judge expiry or the filter: see
 * fake_token_check. Safe on any input. */
blt_status fake_token_decode(const struct fake_token_key *key, const char *text,
			     size_t len, struct fake_token *out,
			     struct blt_err *err);

/* Judges an authentic token for a request: issued no more than ttl seconds
 * before now (nor more than ttl in the future) and for the same filter
 * (FAKE_TOKEN_NO_FILTER when the request has none). BLT_EINVAL with the
 * reason otherwise. */
blt_status fake_token_check(const struct fake_token *t, unsigned filter,
			    double now, uint64_t ttl, struct blt_err *err);

/* Parses a duration: plain seconds ("90"), or a number with s, m, h or d
 * ("90s", "15m", "24h", "7d"). 1 second up to 10 years. */
blt_status fake_parse_duration(const char *text, uint64_t *seconds,
			       struct blt_err *err);

#endif
