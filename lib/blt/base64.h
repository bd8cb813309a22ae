/* Base64 (RFC 4648): the standard alphabet with padding, for bodies that
 * are not text, and the URL-safe alphabet without padding, for tokens.
 *
 * Concurrency: the functions touch only what they are given and may run
 * in any number of threads at once. */
#ifndef BLT_BASE64_H
#define BLT_BASE64_H

#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

enum base64_alphabet {
	BASE64_STD, /* A-Z a-z 0-9 + /, padded with '=' */
	BASE64_URL  /* A-Z a-z 0-9 - _, no padding */
};

/* The characters base64 text of n bytes takes, without the NUL. */
size_t base64_encoded_len(size_t n, enum base64_alphabet a);

/* Writes the base64 text of n bytes into out, which must hold
 * base64_encoded_len(n, a) + 1 characters; returns the length written
 * (the text is NUL-terminated). */
size_t base64_encode_to(const void *p, size_t n, enum base64_alphabet a,
			char *out);

/* Decodes len characters of text into out (outsz bytes) and sets *outlen;
 * with out NULL it only checks the text (outlen may be NULL then).
 * A character outside the alphabet, a length no encoding gives, misplaced
 * padding, trailing bits no encoder sets, or a result over outsz is
 * BLT_EINVAL naming what is wrong. */
blt_status base64_decode_to(const char *text, size_t len,
			    enum base64_alphabet a, unsigned char *out,
			    size_t outsz, size_t *outlen, struct blt_err *err);

/* Appends the standard, padded base64 text of n bytes to out. */
blt_status base64_encode(const void *p, size_t n, struct blt_buf *out,
			 struct blt_err *err);

/* Appends the bytes that standard, padded base64 text stands for. */
blt_status base64_decode(const char *text, size_t len, struct blt_buf *out,
			 struct blt_err *err);

#endif
