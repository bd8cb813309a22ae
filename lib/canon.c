/* Canonical JSON (sorted keys, normalised numbers, FNV-1a hash), the stable
 * pretty printer cassettes use, and a capped parser with precise errors. */
#include "blt/canon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define TWO_POW_53 9007199254740992.0
#define SMALL_OBJECT 8

/* Where output goes: a buffer, or (buf NULL) a running FNV-1a hash. */
struct sink {
	struct blt_buf *buf;
	uint64_t hash;
	struct blt_err *err;
};

/* How to lay the text out. */
struct layout {
	int sorted; /* keys sorted by bytes rather than insertion order */
	int pretty; /* two-space indent, one member per line */
};

/* One object member, for sorting. */
struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static blt_status put(struct sink *s, const char *p, size_t n)
{
	size_t i;

	if (s->buf)
		return buf_append(s->buf, p, n, s->err);
	for (i = 0; i < n; i++) {
		s->hash ^= (unsigned char)p[i];
		s->hash *= FNV_PRIME;
	}
	return BLT_OK;
}

static blt_status puts_(struct sink *s, const char *p)
{
	return put(s, p, strlen(p));
}

/* Rewrites printf's exponent ("1e+20", "1e-07") as "1e20", "1e-7". */
static void tidy_exponent(char *t)
{
	char *e = strchr(t, 'e');
	char *d;
	char *src;

	if (!e)
		return;
	d = e + 1;
	src = d;
	if (*src == '+')
		src++;
	else if (*src == '-')
		*d++ = *src++;
	while (*src == '0' && src[1] != '\0')
		src++;
	memmove(d, src, strlen(src) + 1);
}

void canon_number(double d, char out[CANON_NUMBER_MAX])
{
	int p;

	if (d == 0.0 || !isfinite(d)) {
		strcpy(out, "0");
		return;
	}
	if (d == trunc(d) && fabs(d) <= TWO_POW_53) {
		snprintf(out, CANON_NUMBER_MAX, "%lld", (long long)d);
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(out, CANON_NUMBER_MAX, "%.*g", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
	tidy_exponent(out);
}

static blt_status put_number(struct sink *s, const json_t *v)
{
	char t[CANON_NUMBER_MAX];

	if (json_is_integer(v))
		snprintf(t, sizeof(t), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else
		canon_number(json_real_value(v), t);
	return puts_(s, t);
}

/* Writes a JSON string: only '"', '\\' and control characters escaped. */
static blt_status put_string(struct sink *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	size_t i;
	blt_status st = put(s, "\"", 1);

	for (i = 0; i < n && !st; i++) {
		unsigned char c = (unsigned char)p[i];
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		st = put(s, p + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (!st)
			st = put(s, esc, elen);
	}
	if (!st)
		st = put(s, p + run, n - run);
	if (!st)
		st = put(s, "\"", 1);
	return st;
}

static blt_status put_indent(struct sink *s, const struct layout *l,
			     unsigned depth)
{
	static const char spaces[] = "                                ";
	size_t want = (size_t)depth * 2;
	blt_status st;

	if (!l->pretty)
		return BLT_OK;
	st = put(s, "\n", 1);
	while (!st && want > 0) {
		size_t n = want < sizeof(spaces) - 1 ? want : sizeof(spaces) - 1;

		st = put(s, spaces, n);
		want -= n;
	}
	return st;
}

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a;
	const struct member *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static blt_status put_value(struct sink *s, const struct layout *l,
			    const json_t *v, unsigned depth);

/* Gathers an object's members (sorted when the layout says so) into m. */
static void gather_members(const json_t *v, const struct layout *l,
			   struct member *m)
{
	size_t i = 0;
	void *it;

	for (it = json_object_iter((json_t *)v); it;
	     it = json_object_iter_next((json_t *)v, it), i++) {
		m[i].key = json_object_iter_key(it);
		m[i].len = json_object_iter_key_len(it);
		m[i].value = json_object_iter_value(it);
	}
	if (l->sorted)
		qsort(m, i, sizeof(*m), member_cmp);
}

static blt_status put_object(struct sink *s, const struct layout *l,
			     const json_t *v, unsigned depth)
{
	struct member small[SMALL_OBJECT];
	struct member *m = small;
	size_t n = json_object_size(v);
	size_t i;
	blt_status st = BLT_OK;

	if (n == 0)
		return put(s, "{}", 2);
	if (n > SMALL_OBJECT) {
		m = malloc(n * sizeof(*m));
		if (!m)
			return blt_fail(s->err, BLT_ENOMEM, "out of memory");
	}
	gather_members(v, l, m);
	st = put(s, "{", 1);
	for (i = 0; i < n && !st; i++) {
		if (i > 0)
			st = put(s, ",", 1);
		if (!st)
			st = put_indent(s, l, depth + 1);
		if (!st)
			st = put_string(s, m[i].key, m[i].len);
		if (!st)
			st = l->pretty ? put(s, ": ", 2) : put(s, ":", 1);
		if (!st)
			st = put_value(s, l, m[i].value, depth + 1);
	}
	if (!st)
		st = put_indent(s, l, depth);
	if (!st)
		st = put(s, "}", 1);
	if (m != small)
		free(m);
	return st;
}

static blt_status put_array(struct sink *s, const struct layout *l,
			    const json_t *v, unsigned depth)
{
	size_t n = json_array_size(v);
	size_t i;
	blt_status st;

	if (n == 0)
		return put(s, "[]", 2);
	st = put(s, "[", 1);
	for (i = 0; i < n && !st; i++) {
		if (i > 0)
			st = put(s, ",", 1);
		if (!st)
			st = put_indent(s, l, depth + 1);
		if (!st)
			st = put_value(s, l, json_array_get(v, i), depth + 1);
	}
	if (!st)
		st = put_indent(s, l, depth);
	if (!st)
		st = put(s, "]", 1);
	return st;
}

static blt_status put_value(struct sink *s, const struct layout *l,
			    const json_t *v, unsigned depth)
{
	if (!v)
		return blt_fail(s->err, BLT_EINVAL, "NULL JSON value");
	if (depth >= CANON_WRITE_DEPTH_MAX)
		return blt_fail(s->err, BLT_ELIMIT,
				"JSON nested deeper than %d levels",
				CANON_WRITE_DEPTH_MAX);
	switch (json_typeof(v)) {
	case JSON_OBJECT: return put_object(s, l, v, depth);
	case JSON_ARRAY: return put_array(s, l, v, depth);
	case JSON_STRING:
		return put_string(s, json_string_value(v),
				  json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL: return put_number(s, v);
	case JSON_TRUE: return put(s, "true", 4);
	case JSON_FALSE: return put(s, "false", 5);
	case JSON_NULL: return put(s, "null", 4);
	}
	return blt_fail(s->err, BLT_EINVAL, "unknown JSON type");
}

/* Runs one layout into a buffer; on failure the buffer is restored. */
static blt_status write_layout(const json_t *v, const struct layout *l,
			       struct blt_buf *out, struct blt_err *err)
{
	struct sink s = {out, 0, err};
	size_t mark = out->len;
	blt_status st = put_value(&s, l, v, 0);

	if (!st && l->pretty)
		st = put(&s, "\n", 1);
	if (st) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return st;
}

blt_status canon_write(const json_t *v, struct blt_buf *out,
		       struct blt_err *err)
{
	static const struct layout l = {1, 0};

	return write_layout(v, &l, out, err);
}

blt_status canon_compact(const json_t *v, struct blt_buf *out,
			 struct blt_err *err)
{
	static const struct layout l = {0, 0};

	return write_layout(v, &l, out, err);
}

blt_status canon_pretty(const json_t *v, struct blt_buf *out,
			struct blt_err *err)
{
	static const struct layout l = {0, 1};

	return write_layout(v, &l, out, err);
}

char *canon_text(const json_t *v)
{
	struct blt_buf b;

	buf_init(&b, SIZE_MAX - 1);
	if (canon_write(v, &b, NULL)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

uint64_t canon_hash_bytes(const void *p, size_t n)
{
	struct sink s = {NULL, FNV_OFFSET, NULL};

	put(&s, p, n);
	return s.hash;
}

blt_status canon_hash_checked(const json_t *v, uint64_t *out,
			      struct blt_err *err)
{
	static const struct layout l = {1, 0};
	struct sink s = {NULL, FNV_OFFSET, err};
	blt_status st = put_value(&s, &l, v, 0);

	*out = st ? 0 : s.hash;
	return st;
}

uint64_t canon_hash(const json_t *v)
{
	uint64_t h;

	canon_hash_checked(v, &h, NULL);
	return h;
}

/* The line and column (characters, as jansson counts them, from 1) of
 * byte off in text. Only run when reporting an error. */
static void locate(const char *text, size_t off, struct canon_pos *pos)
{
	size_t i;

	pos->line = 1;
	pos->column = 0;
	for (i = 0; i <= off; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			pos->line++;
			pos->column = 0;
		} else if ((c & 0xC0) != 0x80) {
			pos->column++;
		}
	}
}

/* Checks nesting depth in one pass without recursion; strings are skipped
 * so that brackets inside them do not count. */
static blt_status check_depth(const char *text, size_t len, unsigned max,
			      struct canon_pos *pos, struct blt_err *err)
{
	unsigned depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (text[i]) {
		case '"':
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			break;
		case '[':
		case '{':
			if (++depth > max) {
				locate(text, i, pos);
				return blt_fail(err, BLT_ELIMIT,
						"nesting deeper than %u levels",
						max);
			}
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return BLT_OK;
}

json_t *canon_parse_at(const char *text, size_t len, size_t max_len,
		       unsigned max_depth, struct canon_pos *pos,
		       struct blt_err *err)
{
	json_error_t jerr;
	json_t *v;

	pos->line = 0;
	pos->column = 0;
	if (len > max_len) {
		blt_fail(err, BLT_ELIMIT,
			 "input of %zu bytes exceeds the limit of %zu bytes",
			 len, max_len);
		return NULL;
	}
	if (check_depth(text, len, max_depth, pos, err))
		return NULL;
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
		       &jerr);
	if (!v) {
		pos->line = jerr.line < 1 ? 1 : jerr.line;
		pos->column = jerr.column < 0 ? 0 : jerr.column;
		blt_fail(err, BLT_EPARSE, "%s", jerr.text);
	}
	return v;
}

json_t *canon_parse(const char *text, size_t len, size_t max_len,
		    unsigned max_depth, struct blt_err *err)
{
	struct canon_pos pos;
	json_t *v = canon_parse_at(text, len, max_len, max_depth, &pos, err);

	if (!v && pos.line > 0)
		blt_err_prefix(err, "line %d, column %d", pos.line,
			       pos.column);
	return v;
}
