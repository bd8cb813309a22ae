/* A growable byte buffer with a hard cap, always NUL-terminated.
 *
 * Concurrency: a buffer belongs to one thread at a time; different
 * buffers may be used at once. */
#ifndef BLT_BUF_H
#define BLT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "blt/err.h"

struct blt_buf {
	char *data;  /* NULL until the first append; NUL-terminated after */
	size_t len;  /* bytes in use, not counting the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t max;  /* the cap on len; appends beyond it fail with BLT_ELIMIT */
};

/* Prepares an empty buffer that may grow to max bytes. */
void buf_init(struct blt_buf *b, size_t max);

/* Makes room for n more bytes (and the NUL) without changing the contents,
 * growing geometrically; fails with BLT_ELIMIT when len + n passes the cap.
 * The caller may then write up to n bytes at data + len and add them to
 * len itself. */
blt_status buf_reserve(struct blt_buf *b, size_t n, struct blt_err *err);

/* Appends n bytes. On failure the buffer is unchanged. */
blt_status buf_append(struct blt_buf *b, const void *p, size_t n,
		      struct blt_err *err);

/* Appends a NUL-terminated string. */
blt_status buf_puts(struct blt_buf *b, const char *s, struct blt_err *err);

/* Appends printf-style formatted text. */
blt_status buf_printf(struct blt_buf *b, struct blt_err *err,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
blt_status buf_vprintf(struct blt_buf *b, struct blt_err *err,
		       const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The length of the well-formed UTF-8 sequence at p, which holds n bytes:
 * 1 to 4 (no overlong form, no surrogate, nothing beyond U+10FFFF), or 0
 * when p does not start one. */
size_t buf_utf8_len(const unsigned char *p, size_t n);

/* Appends the n bytes at s as text safe for a terminal, a log line or a
 * report: every control byte (newline and tab too) and every byte that is
 * not part of well-formed UTF-8 written as \xNN. Bytes a client sent go
 * through it. */
blt_status buf_put_escaped(struct blt_buf *b, const char *s, size_t n,
			   struct blt_err *err);

/* Empties the buffer, keeping its allocation. */
void buf_reset(struct blt_buf *b);

/* Returns the contents as a NUL-terminated string that the caller must
 * free(), and leaves b empty. Never NULL unless allocation fails. */
char *buf_take(struct blt_buf *b);

/* Frees the contents; b may be reused after buf_init. */
void buf_free(struct blt_buf *b);

#endif
