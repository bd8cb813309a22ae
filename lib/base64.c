/* Base64 in the standard and the URL-safe alphabets. */
#include "blt/base64.h"

#include <stdbool.h>

static const char *const alphabets[] = {
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"};

size_t base64_encoded_len(size_t n, enum base64_alphabet a)
{
	if (a == BASE64_STD)
		return (n + 2) / 3 * 4;
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t base64_encode_to(const void *p, size_t n, enum base64_alphabet a,
			char *out)
{
	const unsigned char *s = p;
	const char *abc = alphabets[a];
	char *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		*o++ = abc[(v >> 18) & 63];
		*o++ = abc[(v >> 12) & 63];
		if (i + 1 < n)
			*o++ = abc[(v >> 6) & 63];
		else if (a == BASE64_STD)
			*o++ = '=';
		if (i + 2 < n)
			*o++ = abc[v & 63];
		else if (a == BASE64_STD)
			*o++ = '=';
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* The value of one character in alphabet a, or -1. */
static int sextet(char c, enum base64_alphabet a)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (a == BASE64_STD ? '+' : '-'))
		return 62;
	if (c == (a == BASE64_STD ? '/' : '_'))
		return 63;
	return -1;
}

/* How many characters of text carry data: padding is taken off, and a
 * length that no encoding gives is refused. */
static blt_status data_len(const char *text, size_t len,
			   enum base64_alphabet a, size_t *out,
			   struct blt_err *err)
{
	size_t n = len;

	if (a == BASE64_STD) {
		if (len % 4)
			return blt_fail(err, BLT_EINVAL,
					"base64: length %zu is not a multiple "
					"of 4", len);
		for (int k = 0; k < 2 && n && text[n - 1] == '='; k++)
			n--;
	}
	if (n % 4 == 1)
		return blt_fail(err, BLT_EINVAL,
				"base64: length %zu cannot be an encoding",
				len);
	*out = n;
	return BLT_OK;
}

blt_status base64_decode_to(const char *text, size_t len,
			    enum base64_alphabet a, unsigned char *out,
			    size_t outsz, size_t *outlen, struct blt_err *err)
{
	size_t n = 0;
	size_t o = 0;
	unsigned v = 0;
	blt_status st = data_len(text, len, a, &n, err);

	if (st)
		return st;
	if (out && n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outsz)
		return blt_fail(err, BLT_EINVAL,
				"base64: decodes to more than %zu bytes",
				outsz);
	for (size_t i = 0; i < n; i++) {
		int x = sextet(text[i], a);

		if (x < 0)
			return blt_fail(err, BLT_EINVAL,
					"base64: bad character at offset %zu",
					i);
		v = v << 6 | (unsigned)x;
		if (i % 4 == 3 && out) {
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)v;
		}
		if (i % 4 == 3)
			v = 0;
	}
	if ((n % 4 == 2 && (v & 15)) || (n % 4 == 3 && (v & 3)))
		return blt_fail(err, BLT_EINVAL,
				"base64: the last character has bits set that "
				"no encoder writes");
	if (out && n % 4 >= 2)
		out[o++] = (unsigned char)(v >> (n % 4 == 2 ? 4 : 10));
	if (out && n % 4 == 3)
		out[o++] = (unsigned char)(v >> 2);
	if (outlen)
		*outlen = o;
	return BLT_OK;
}

blt_status base64_encode(const void *p, size_t n, struct blt_buf *out,
			 struct blt_err *err)
{
	size_t need = base64_encoded_len(n, BASE64_STD);
	blt_status st = buf_reserve(out, need, err);

	if (st)
		return st;
	out->len += base64_encode_to(p, n, BASE64_STD, out->data + out->len);
	return BLT_OK;
}

blt_status base64_decode(const char *text, size_t len, struct blt_buf *out,
			 struct blt_err *err)
{
	size_t room = len / 4 * 3;
	size_t got = 0;
	blt_status st = buf_reserve(out, room, err);

	if (!st)
		st = base64_decode_to(text, len, BASE64_STD,
				      (unsigned char *)out->data + out->len,
				      room, &got, err);
	if (st)
		return st;
	out->len += got;
	out->data[out->len] = '\0';
	return BLT_OK;
}
