/* Status codes and the caller-owned error buffer that every module uses.
 *
 * Concurrency: a struct blt_err belongs to one thread; the functions keep
 * no other state. */
#ifndef BLT_ERR_H
#define BLT_ERR_H

#include <stddef.h>

/* Every fallible function returns a blt_status: 0 on success, one of the
 * codes below otherwise. The human detail goes into a struct blt_err that the
 * caller passes (it may be NULL when the caller does not want the detail). */
typedef int blt_status;

enum {
	BLT_OK = 0,
	BLT_EINVAL,   /* the input is malformed or breaks a constraint */
	BLT_EPARSE,   /* text could not be parsed (JSON, header, URL) */
	BLT_ELIMIT,   /* a cap was reached (size, depth, count) */
	BLT_ENOMEM,   /* an allocation failed */
	BLT_EIO,      /* a file or socket operation failed */
	BLT_ENOTFOUND, /* what was asked for does not exist */
	BLT_EAUTH,    /* a signature or credential is missing or wrong */
	BLT_ENET,     /* a network peer failed (refused, reset, TLS) */
	BLT_ETIMEOUT, /* a deadline passed */
	BLT_EUSAGE    /* a command line or configuration is wrong */
};

#define BLT_ERR_MSG_MAX 512

struct blt_err {
	blt_status code;
	char msg[BLT_ERR_MSG_MAX];
};

/* Records code and a printf-style message in err (when err is not NULL) and
 * returns code, so that callers can write `return blt_fail(err, ...)`. */
blt_status blt_fail(struct blt_err *err, blt_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already in err. No operation when err
 * is NULL. Returns err->code (or BLT_OK when err is NULL). */
blt_status blt_err_prefix(struct blt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Resets err to BLT_OK with an empty message. No operation if NULL. */
void blt_err_clear(struct blt_err *err);

/* A short name for a status code ("invalid input", "timeout", ...). */
const char *blt_status_name(blt_status code);

#endif
