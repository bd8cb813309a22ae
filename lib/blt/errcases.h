/* The forms an AWS JSON 1.0 error's type takes on the wire: the cases of
 * Smithy's own awsJson1_0 error-parsing protocol tests (smithy-lang/smithy,
 * smithy-aws-protocol-tests/model/awsJson1_0/errors.smithy): the
 * x-amzn-ErrorType header with and without a namespace and a ":http://..."
 * suffix, the body's "code" and "__type" in the same forms, and a nested
 * "__type" that must be ignored. blt's own reader is tested against them
 * (tests/unit/test_errcases.c) and blt-conform --client sends them to a
 * client (CLI-ERR-LONGTYPE). */
#ifndef BLT_ERRCASES_H
#define BLT_ERRCASES_H

#include <stddef.h>

#include "blt/err.h"

struct errcase {
	const char *id;	    /* the protocol test's id */
	int status;	    /* its HTTP status */
	const char *header; /* its X-Amzn-Errortype, or NULL */
	const char *body;   /* its body (JSON text), or NULL for none */
	const char *name;   /* the error a client must read */
	const char *form;   /* where and how the type is carried, in words */
};

/* The cases, in the order of the Smithy file. */
extern const struct errcase errcases[];
extern const size_t errcases_count;

/* c's header and body with its error name replaced by name wherever it
 * appears (the namespace, the ":http://..." suffix and every other member
 * kept): new strings the caller frees, NULL where c has none. BLT_ENOMEM
 * when memory runs out (both NULL then). */
blt_status errcase_render(const struct errcase *c, const char *name,
			  char **header, char **body, struct blt_err *err);

#endif
