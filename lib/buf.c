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
