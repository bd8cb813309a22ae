/* Standard base64 (RFC 4648, with padding) for bodies that are not text. */
#ifndef BLT_BASE64_H
#define BLT_BASE64_H

#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

/* Appends the base64 text of n bytes to out. */
blt_status base64_encode(const void *p, size_t n, struct blt_buf *out,
			 struct blt_err *err);

/* Appends the bytes that text (len characters, padded) stands for. Any
 * character outside the alphabet, a length that is not a multiple of four
 * or misplaced padding is BLT_EINVAL naming the offset. */
blt_status base64_decode(const char *text, size_t len, struct blt_buf *out,
			 struct blt_err *err);

#endif
