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

blt_status blt_err_prefix(struct blt_err *err, const char *fmt, ...)
{
	char head[BLT_ERR_MSG_MAX];
	char tail[BLT_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return BLT_OK;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(tail, err->msg, sizeof(tail));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", head, tail);
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
