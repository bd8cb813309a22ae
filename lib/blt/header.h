/* An HTTP header field as a name and a value: the shape of a request's
 * headers as blt's server hands them over (blt/httpd.h) and of a
 * response's as its client collects them (blt/httpc.h), with the one
 * lookup by name.
 *
 * Concurrency: header_find only reads the array it is given and may run
 * in any number of threads at once. */
#ifndef BLT_HEADER_H
#define BLT_HEADER_H

#include <stddef.h>

struct blt_header {
	const char *name;
	const char *value;
};

/* The value of the first of the n headers at h whose name is name, letter
 * case aside (HTTP field names are case-insensitive); NULL when none is. */
const char *header_find(const struct blt_header *h, size_t n,
			 const char *name);

#endif
