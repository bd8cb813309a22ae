/* Canonical JSON for request matching, and the stable pretty printer that
 * cassettes are written with.
 *
 * Concurrency: no function keeps state between calls; all may run in
 * any number of threads at once (a jansson value they are given must not
 * be changed by another thread meanwhile). */
#ifndef BLT_CANON_H
#define BLT_CANON_H

#include <jansson.h>
#include <stdint.h>

#include "blt/buf.h"
#include "blt/err.h"

/* Room for any number canon_number writes, with its NUL. */
#define CANON_NUMBER_MAX 40
/* The deepest nesting the writers accept (they recurse). */
#define CANON_WRITE_DEPTH_MAX 1024

/* Appends the canonical text of v to out: object keys sorted by byte value,
 * no insignificant white space, numbers normalised (an integral value within
 * +-2^53 is written as an integer whether it was parsed as 1, 1.0 or 1e0;
 * other reals in the shortest form that reads back to the same double),
 * strings with the minimal JSON escapes. Two documents that mean the same
 * give the same bytes. */
blt_status canon_write(const json_t *v, struct blt_buf *out,
		       struct blt_err *err);

/* Appends v compact (no white space) with keys in their insertion order and
 * numbers as canon_write writes them: the bytes of a stored JSON body. */
blt_status canon_compact(const json_t *v, struct blt_buf *out,
			 struct blt_err *err);

/* Writes d by the number rules of canon_write into out: "0" for zero (and
 * -0), an integer for an integral value within +-2^53, otherwise the
 * shortest %g text that reads back to d, exponent without '+' or leading
 * zeros ("1e20", "1.5e-7"). Non-finite values (which JSON cannot hold) are
 * written as "0". */
void canon_number(double d, char out[CANON_NUMBER_MAX]);

/* canon_write, leaving out the member named skip of the outermost object
 * (when v is an object that has it): the canonical text of a request
 * without its NextToken, with no copy of the request. */
blt_status canon_write_without(const json_t *v, const char *skip,
			       struct blt_buf *out, struct blt_err *err);

/* The canonical text as a new string the caller frees; NULL on ENOMEM. */
char *canon_text(const json_t *v);

/* A stable 64-bit hash of the canonical text (FNV-1a), identical on every
 * machine and every run. */
uint64_t canon_hash(const json_t *v);

/* canon_hash with a status: fails (and sets *out to 0) only when v is
 * nested deeper than CANON_WRITE_DEPTH_MAX. canon_hash returns 0 then. */
blt_status canon_hash_checked(const json_t *v, uint64_t *out,
			      struct blt_err *err);

/* FNV-1a 64 of n raw bytes (canon_hash is this over the canonical text). */
uint64_t canon_hash_bytes(const void *p, size_t n);

/* Appends v pretty-printed: two-space indent, keys in their insertion order
 * (the cassette module inserts them in the documented order), numbers as
 * canon_write writes them, a final newline. Re-printing a loaded document
 * gives the same bytes. */
blt_status canon_pretty(const json_t *v, struct blt_buf *out,
			struct blt_err *err);

/* Parses text with jansson, rejecting duplicate keys and depth beyond
 * max_depth, and limiting the input to max_len bytes. Any JSON value is
 * accepted at the top level; trailing text after it is an error. The depth
 * is checked by one scan before jansson runs, so no input can make anything
 * recurse deeply. On failure err says what is wrong and where ("line 3,
 * column 7: ..."; columns count characters from 1). Returns a new reference
 * or NULL. */
json_t *canon_parse(const char *text, size_t len, size_t max_len,
		    unsigned max_depth, struct blt_err *err);

/* Where a parse failed: line and column from 1, both 0 when the failure
 * has no position (input over max_len). */
struct canon_pos {
	int line;
	int column;
};

/* canon_parse with the position reported apart: err holds only the what
 * ("nesting deeper than 64 levels", jansson's text), pos the where. */
json_t *canon_parse_at(const char *text, size_t len, size_t max_len,
		       unsigned max_depth, struct canon_pos *pos,
		       struct blt_err *err);

/* A quick parser for what cassettes mostly hold: it returns exactly what
 * json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) returns
 * (the same types, values and key order), or NULL when it cannot say so
 * cheaply: invalid JSON, a repeated key, a \u escape, an integer of more
 * than 18 digits, nesting beyond max_depth, no memory. It gives no reason
 * and no position; a caller parses a NULL again with canon_parse_at. */
json_t *canon_parse_quick(const char *text, size_t len, unsigned max_depth);

/* Where one element of a split array lies: bytes [start, end) of the text,
 * white space around the value included. */
struct canon_span {
	size_t start;
	size_t end;
};

/* What canon_split_array found. */
struct canon_split {
	int found;		  /* 1 when the member was found and split */
	size_t open;		  /* offset of the array's '[' */
	size_t close;		  /* offset of its ']' */
	struct canon_span *spans; /* n elements in order (malloc'd) */
	size_t n;
};

/* One pass over text, without recursion and without allocating per
 * value, that checks the nesting depth exactly as canon_parse_at does
 * (same error, same position in pos) and, when text is an object with the
 * member key (spelt without escapes, once) holding an array of at most
 * max_items elements, finds each element's bytes: the spans between the
 * '[', the ',' separators at the array's own level and the ']'. Nothing
 * else is validated, so text that splits may still be invalid JSON: it is
 * valid exactly when every span parses as one value and the text with the
 * array emptied ("[]" for bytes open to close) parses too (a second member
 * key that is not an array is left for that parse to refuse). Otherwise
 * (not an object, no such member, not an array, two of them holding
 * arrays, too many elements, unbalanced) found is 0. out is freed by canon_split_free, also
 * after a failure. */
blt_status canon_split_array(const char *text, size_t len, const char *key,
			     unsigned max_depth, size_t max_items,
			     struct canon_split *out, struct canon_pos *pos,
			     struct blt_err *err);

/* Frees what canon_split_array stored in s and empties it. */
void canon_split_free(struct canon_split *s);

#endif
