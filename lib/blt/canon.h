/* Canonical JSON for request matching, and the stable pretty printer that
 * cassettes are written with. */
#ifndef BLT_CANON_H
#define BLT_CANON_H

#include <jansson.h>
#include <stdint.h>

#include "blt/buf.h"
#include "blt/err.h"

/* Appends the canonical text of v to out: object keys sorted by byte value,
 * no insignificant white space, numbers normalised (an integral value within
 * +-2^53 is written as an integer whether it was parsed as 1, 1.0 or 1e0;
 * other reals in the shortest form that reads back to the same double),
 * strings with the minimal JSON escapes. Two documents that mean the same
 * give the same bytes. */
blt_status canon_write(const json_t *v, struct blt_buf *out,
		       struct blt_err *err);

/* The canonical text as a new string the caller frees; NULL on ENOMEM. */
char *canon_text(const json_t *v);

/* A stable 64-bit hash of the canonical text (FNV-1a), identical on every
 * machine and every run. */
uint64_t canon_hash(const json_t *v);

/* Appends v pretty-printed: two-space indent, keys in their insertion order
 * (the cassette module inserts them in the documented order), numbers as
 * canon_write writes them, a final newline. Re-printing a loaded document
 * gives the same bytes. */
blt_status canon_pretty(const json_t *v, struct blt_buf *out,
			struct blt_err *err);

/* Parses text with jansson, rejecting duplicate keys and depth beyond
 * max_depth, and limiting the input to max_len bytes. On failure err says
 * what is wrong and where ("line 3, column 7: ..."). Returns a new
 * reference or NULL. */
json_t *canon_parse(const char *text, size_t len, size_t max_len,
		    unsigned max_depth, struct blt_err *err);

#endif
