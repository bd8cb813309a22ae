/* NextToken encoding, HMAC-SHA256 authentication and judgement. */
#include "token.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "blt/base64.h"
#include "blt/lbt.h"

#define SHA256_BLOCK 64
#define SHA256_LEN 32
#define RECORD_LEN (FAKE_TOKEN_RAW_LEN - SHA256_LEN)

/* Primes ctx with one block of the key XORed with pad. */
static blt_status prime(EVP_MD_CTX **ctx, const unsigned char *block,
			unsigned char pad, struct blt_err *err)
{
	unsigned char x[SHA256_BLOCK];

	for (int i = 0; i < SHA256_BLOCK; i++)
		x[i] = block[i] ^ pad;
	*ctx = EVP_MD_CTX_new();
	if (!*ctx || EVP_DigestInit_ex(*ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(*ctx, x, sizeof(x)) != 1)
		return blt_fail(err, BLT_ENOMEM, "token key: OpenSSL failed");
	return BLT_OK;
}

blt_status fake_token_key_init(struct fake_token_key *key, const void *secret,
			       size_t len, struct blt_err *err)
{
	unsigned char block[SHA256_BLOCK] = {0};
	blt_status st;

	key->inner = NULL;
	key->outer = NULL;
	if (len > SHA256_BLOCK) {
		unsigned int n = 0;

		if (EVP_Digest(secret, len, block, &n, EVP_sha256(), NULL) != 1)
			return blt_fail(err, BLT_ENOMEM,
					"token key: OpenSSL failed");
	} else if (len) {
		memcpy(block, secret, len);
	}
	st = prime(&key->inner, block, 0x36, err);
	if (st == BLT_OK)
		st = prime(&key->outer, block, 0x5c, err);
	OPENSSL_cleanse(block, sizeof(block));
	if (st != BLT_OK)
		fake_token_key_free(key);
	return st;
}

void fake_token_key_free(struct fake_token_key *key)
{
	EVP_MD_CTX_free(key->inner);
	EVP_MD_CTX_free(key->outer);
	key->inner = NULL;
	key->outer = NULL;
}

/* Continues a copy of primed with msg and finishes it into md. */
static int digest_from(EVP_MD_CTX *ctx, const EVP_MD_CTX *primed,
		       const void *msg, size_t len, unsigned char *md)
{
	unsigned int n = 0;

	return EVP_MD_CTX_copy_ex(ctx, primed) == 1 &&
	       EVP_DigestUpdate(ctx, msg, len) == 1 &&
	       EVP_DigestFinal_ex(ctx, md, &n) == 1;
}

blt_status fake_token_hmac(const struct fake_token_key *key, const void *msg,
			   size_t len, unsigned char mac[32])
{
	unsigned char ih[SHA256_LEN];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	blt_status st = BLT_ENOMEM;

	if (!ctx)
		return st;
	if (digest_from(ctx, key->inner, msg, len, ih) &&
	    digest_from(ctx, key->outer, ih, sizeof(ih), mac))
		st = BLT_OK;
	EVP_MD_CTX_free(ctx);
	return st;
}

/* The record: version, filter, flags, zero, position (4 bytes, big
 * endian), issue time (8 bytes, big endian, two's complement). */
static void record_pack(const struct fake_token *t, unsigned char *r)
{
	uint64_t issued = (uint64_t)t->issued;

	r[0] = FAKE_TOKEN_VERSION;
	r[1] = (unsigned char)t->filter;
	r[2] = (unsigned char)t->flags;
	r[3] = 0;
	for (int i = 0; i < 4; i++)
		r[4 + i] = (unsigned char)(t->position >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		r[8 + i] = (unsigned char)(issued >> (56 - 8 * i));
}

static void record_unpack(const unsigned char *r, struct fake_token *t)
{
	uint64_t issued = 0;

	t->filter = r[1];
	t->flags = r[2];
	t->position = 0;
	for (int i = 0; i < 4; i++)
		t->position = (t->position << 8) | r[4 + i];
	for (int i = 0; i < 8; i++)
		issued = (issued << 8) | r[8 + i];
	t->issued = (int64_t)issued;
}

blt_status fake_token_encode(const struct fake_token_key *key,
			     const struct fake_token *t,
			     char out[FAKE_TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[FAKE_TOKEN_RAW_LEN];

	record_pack(t, raw);
	if (fake_token_hmac(key, raw, RECORD_LEN, raw + RECORD_LEN))
		return BLT_ENOMEM;
	base64_encode_to(raw, FAKE_TOKEN_RAW_LEN, BASE64_URL, out);
	return BLT_OK;
}

blt_status fake_token_decode(const struct fake_token_key *key, const char *text,
			     size_t len, struct fake_token *out,
			     struct blt_err *err)
{
	unsigned char raw[FAKE_TOKEN_RAW_LEN];
	unsigned char mac[SHA256_LEN];

	if (len == 0)
		return blt_fail(err, BLT_EINVAL, "the token is empty");
	if (len != FAKE_TOKEN_TEXT_LEN)
		return blt_fail(err, BLT_EINVAL,
				"the token has %zu characters where this "
				"server issues %d (%s)",
				len, FAKE_TOKEN_TEXT_LEN,
				len < FAKE_TOKEN_TEXT_LEN ? "truncated"
							  : "extended");
	if (base64_decode_to(text, len, BASE64_URL, raw, sizeof(raw), NULL,
			     err))
		return blt_err_prefix(err, "the token is malformed");
	if (raw[0] != FAKE_TOKEN_VERSION)
		return blt_fail(err, BLT_EINVAL,
				"the token has version %u; this server "
				"issues version %d",
				raw[0], FAKE_TOKEN_VERSION);
	if (fake_token_hmac(key, raw, RECORD_LEN, mac))
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	if (CRYPTO_memcmp(mac, raw + RECORD_LEN, SHA256_LEN) != 0)
		return blt_fail(err, BLT_EINVAL,
				"the token's signature does not match (it "
				"was altered or not issued by this server)");
	if (raw[3] != 0 ||
	    (raw[1] >= LBT_STATUS_COUNT && raw[1] != FAKE_TOKEN_NO_FILTER))
		return blt_fail(err, BLT_EINVAL,
				"the token's content is invalid");
	record_unpack(raw, out);
	return BLT_OK;
}

static const char *filter_name(unsigned filter)
{
	if (filter == FAKE_TOKEN_NO_FILTER)
		return "no TaskStatus";
	return lbt_status_name((enum lbt_status)filter);
}

blt_status fake_token_check(const struct fake_token *t, unsigned filter,
			    double now, uint64_t ttl, struct blt_err *err)
{
	double age = now - (double)t->issued;

	if (age > (double)ttl)
		return blt_fail(err, BLT_EINVAL,
				"the token expired: issued %.0f seconds ago, "
				"valid for %llu",
				floor(age), (unsigned long long)ttl);
	if (-age > (double)ttl)
		return blt_fail(err, BLT_EINVAL,
				"the token was issued %.0f seconds in the "
				"future",
				floor(-age));
	if (t->filter != filter)
		return blt_fail(
		    err, BLT_EINVAL,
		    "the token was issued for a walk with %s%s "
		    "but this request has %s%s",
		    t->filter == FAKE_TOKEN_NO_FILTER ? "" : "TaskStatus ",
		    filter_name(t->filter),
		    filter == FAKE_TOKEN_NO_FILTER ? "" : "TaskStatus ",
		    filter_name(filter));
	return BLT_OK;
}

blt_status fake_parse_duration(const char *text, uint64_t *seconds,
			       struct blt_err *err)
{
	const uint64_t max = 10ULL * 366 * 86400;
	uint64_t unit = 1;
	unsigned long long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		goto bad;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		goto bad;
	if (*end == 's')
		unit = 1;
	else if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'd')
		unit = 86400;
	else if (*end != '\0')
		goto bad;
	if (*end && end[1] != '\0')
		goto bad;
	if (v == 0 || v > max / unit)
		goto bad;
	*seconds = v * unit;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"'%s' is not a duration from 1s to 10 years (write "
			"plain seconds, or a number with s, m, h or d: 90s, "
			"15m, 24h)",
			text ? text : "");
}
