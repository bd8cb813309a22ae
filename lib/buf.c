/* A growable byte buffer with a hard cap. */
#include "blt/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct blt_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

blt_status buf_reserve(struct blt_buf *b, size_t n, struct blt_err *err)
{
	size_t need;
	size_t next;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return blt_fail(err, BLT_ELIMIT,
				"buffer limit of %zu bytes exceeded", b->max);
	need = b->len + n + 1;
	if (need <= b->alloc)
		return BLT_OK;
	next = b->alloc ? b->alloc : 256;
	while (next < need)
		next *= 2;
	p = realloc(b->data, next);
	if (!p)
		return blt_fail(err, BLT_ENOMEM, "out of memory (%zu bytes)",
				next);
	b->data = p;
	b->alloc = next;
	return BLT_OK;
}

blt_status buf_append(struct blt_buf *b, const void *p, size_t n,
		      struct blt_err *err)
{
	blt_status st = buf_reserve(b, n, err);

	if (st)
		return st;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return BLT_OK;
}

blt_status buf_puts(struct blt_buf *b, const char *s, struct blt_err *err)
{
	return buf_append(b, s, strlen(s), err);
}

blt_status buf_vprintf(struct blt_buf *b, struct blt_err *err,
		       const char *fmt, va_list ap)
{
	va_list again;
	int n;
	blt_status st;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0)
		return blt_fail(err, BLT_EINVAL, "bad format string");
	st = buf_reserve(b, (size_t)n, err);
	if (st)
		return st;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return BLT_OK;
}

blt_status buf_printf(struct blt_buf *b, struct blt_err *err,
		      const char *fmt, ...)
{
	va_list ap;
	blt_status st;

	va_start(ap, fmt);
	st = buf_vprintf(b, err, fmt, ap);
	va_end(ap);
	return st;
}

size_t buf_utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned long cp;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xC2 || p[0] > 0xF4)
		return 0;
	len = p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

blt_status buf_put_escaped(struct blt_buf *b, const char *s, size_t n,
			   struct blt_err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	blt_status st = BLT_OK;

	for (size_t i = 0; i < n && !st;) {
		size_t k = buf_utf8_len(p + i, n - i);

		if (k == 0 || p[i] < 0x20 || p[i] == 0x7F) {
			st = buf_printf(b, err, "\\x%02x", p[i]);
			i++;
			continue;
		}
		st = buf_append(b, p + i, k, err);
		i += k;
	}
	return st;
}

void buf_reset(struct blt_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_take(struct blt_buf *b)
{
	char *s = b->data;

	if (!s)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return s;
}

void buf_free(struct blt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}
