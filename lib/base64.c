/* Standard base64 with padding. */
#include "blt/base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

blt_status base64_encode(const void *p, size_t n, struct blt_buf *out,
			 struct blt_err *err)
{
	const unsigned char *s = p;
	char quad[4];
	blt_status st = BLT_OK;

	for (size_t i = 0; i < n && !st; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		quad[0] = alphabet[(v >> 18) & 63];
		quad[1] = alphabet[(v >> 12) & 63];
		quad[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < n ? alphabet[v & 63] : '=';
		st = buf_append(out, quad, 4, err);
	}
	return st;
}

/* The value of one base64 character, or -1. */
static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

blt_status base64_decode(const char *text, size_t len, struct blt_buf *out,
			 struct blt_err *err)
{
	blt_status st = BLT_OK;

	if (len % 4)
		return blt_fail(err, BLT_EINVAL,
				"base64: length %zu is not a multiple of 4",
				len);
	for (size_t i = 0; i < len && !st; i += 4) {
		int pad = (text[i + 3] == '=') + (text[i + 2] == '=');
		unsigned v = 0;
		unsigned char bytes[3];

		if (pad && i + 4 != len)
			return blt_fail(err, BLT_EINVAL,
					"base64: padding before the end at "
					"offset %zu", i);
		for (int k = 0; k < 4; k++) {
			int x = k >= 4 - pad ? 0 : sextet(text[i + k]);

			if (x < 0)
				return blt_fail(err, BLT_EINVAL,
						"base64: bad character at "
						"offset %zu", i + (size_t)k);
			v = v << 6 | (unsigned)x;
		}
		bytes[0] = (unsigned char)(v >> 16);
		bytes[1] = (unsigned char)(v >> 8);
		bytes[2] = (unsigned char)v;
		st = buf_append(out, bytes, 3 - (size_t)pad, err);
	}
	return st;
}
