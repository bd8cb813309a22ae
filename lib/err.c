/* The error buffer shared by every module. */
#include "blt/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

blt_status blt_fail(struct blt_err *err, blt_status code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* Appends as much of s to msg (holding *len bytes) as fits in the error
 * buffer, keeping it NUL-terminated. */
static void append_cut(char *msg, size_t *len, const char *s)
{
	size_t k = strlen(s);

	if (k > BLT_ERR_MSG_MAX - 1 - *len)
		k = BLT_ERR_MSG_MAX - 1 - *len;
	memcpy(msg + *len, s, k);
	*len += k;
	msg[*len] = '\0';
}

blt_status blt_err_prefix(struct blt_err *err, const char *fmt, ...)
{
	char tail[BLT_ERR_MSG_MAX];
	va_list ap;
	size_t len;
	int n;

	if (!err)
		return BLT_OK;
	memcpy(tail, err->msg, sizeof(tail));
	tail[sizeof(tail) - 1] = '\0';
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* The message keeps its head when the two do not fit; the tail is cut,
	 * as vsnprintf cuts any message longer than the buffer. */
	len = (size_t)n < sizeof(err->msg) ? (size_t)n : sizeof(err->msg) - 1;
	err->msg[len] = '\0';
	append_cut(err->msg, &len, ": ");
	append_cut(err->msg, &len, tail);
	return err->code;
}

void blt_err_clear(struct blt_err *err)
{
	if (!err)
		return;
	err->code = BLT_OK;
	err->msg[0] = '\0';
}

const char *blt_status_name(blt_status code)
{
	switch (code) {
	case BLT_OK: return "ok";
	case BLT_EINVAL: return "invalid input";
	case BLT_EPARSE: return "parse error";
	case BLT_ELIMIT: return "limit exceeded";
	case BLT_ENOMEM: return "out of memory";
	case BLT_EIO: return "I/O error";
	case BLT_ENOTFOUND: return "not found";
	case BLT_EAUTH: return "authentication failed";
	case BLT_ENET: return "network error";
	case BLT_ETIMEOUT: return "timeout";
	case BLT_EUSAGE: return "usage error";
	}
	return "unknown status";
}
