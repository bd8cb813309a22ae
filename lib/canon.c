/* Canonical JSON (sorted keys, normalised numbers, FNV-1a hash), the stable
 * pretty printer cassettes use, and a capped parser with precise errors. */
#include "blt/canon.h"
#include "blt/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/hex.h"

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
	const char *skip; /* a member of the outermost object to leave out */
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
			esc[1] = 'u';
			hex_put_uint(esc + 2, c, 4);
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
	size_t wrote = 0;
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
		if (depth == 0 && l->skip && strcmp(m[i].key, l->skip) == 0)
			continue;
		if (wrote++)
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
	if (!st && wrote)
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
	static const struct layout l = {1, 0, NULL};

	return write_layout(v, &l, out, err);
}

blt_status canon_write_without(const json_t *v, const char *skip,
			       struct blt_buf *out, struct blt_err *err)
{
	const struct layout l = {1, 0, skip};

	return write_layout(v, &l, out, err);
}

blt_status canon_compact(const json_t *v, struct blt_buf *out,
			 struct blt_err *err)
{
	static const struct layout l = {0, 0, NULL};

	return write_layout(v, &l, out, err);
}

blt_status canon_pretty(const json_t *v, struct blt_buf *out,
			struct blt_err *err)
{
	static const struct layout l = {0, 1, NULL};

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
	static const struct layout l = {1, 0, NULL};
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
	pos->column = 1;
	for (i = 0; i < off; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			pos->line++;
			pos->column = 1;
		} else if ((c & 0xC0) != 0x80) {
			pos->column++;
		}
	}
}

/* Bytes that a scan must look at outside strings (1), and inside them (2:
 * the closing quote and the backslash). Everything else is skipped in a
 * tight loop. */
static const unsigned char scan_class[256] = {
	['"'] = 3, ['\\'] = 2, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
	[','] = 1, [':'] = 1,
};

/* What a scan that splits one array member tracks (see canon_split_array). */
struct splitter {
	const char *key;
	size_t keylen;
	size_t max_items;
	size_t alloc;
	size_t start;   /* where the current element began */
	size_t commas;  /* separators seen in the array */
	int key_state;  /* 0 none, 1 the key seen, 2 the key and ':' seen */
	int in_array;
	int bad;        /* the shape is not the one asked for */
	struct canon_split *out;
};

static int all_space(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
	return 1;
}

/* Records the element [sp->start, end) of the array. */
static blt_status split_push(struct splitter *sp, size_t end,
			     struct blt_err *err)
{
	struct canon_split *o = sp->out;

	if (o->n >= sp->max_items) {
		sp->bad = 1;
		return BLT_OK;
	}
	if (o->n == sp->alloc) {
		size_t next = sp->alloc ? sp->alloc * 2 : 1024;
		struct canon_span *p = realloc(o->spans, next * sizeof(*p));

		if (!p)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		o->spans = p;
		sp->alloc = next;
	}
	o->spans[o->n].start = sp->start;
	o->spans[o->n++].end = end;
	return BLT_OK;
}

/* Notes a string [s, e) (quotes excluded) seen at depth. */
static void split_string(struct splitter *sp, const char *text, size_t s,
			 size_t e, unsigned depth)
{
	if (depth != 1)
		return;
	sp->key_state = e - s == sp->keylen &&
			memcmp(text + s, sp->key, sp->keylen) == 0;
}

/* Notes the structural byte c at offset i; depth is the depth before it. */
static blt_status split_byte(struct splitter *sp, const char *text, size_t i,
			     unsigned depth, struct blt_err *err)
{
	char c = text[i];
	blt_status st = BLT_OK;

	if (depth == 1 && c == ':') {
		sp->key_state = sp->key_state == 1 ? 2 : 0;
	} else if (depth == 1 && c == '[' && sp->key_state == 2) {
		if (sp->out->found)
			sp->bad = 1; /* the member twice: the parser decides */
		sp->out->open = i;
		sp->start = i + 1;
		sp->in_array = 1;
		sp->key_state = 0;
	} else if (depth == 1) {
		sp->key_state = 0;
	} else if (depth == 2 && sp->in_array && c == ',') {
		st = split_push(sp, i, err);
		sp->start = i + 1;
		sp->commas++;
	} else if (depth == 2 && sp->in_array && (c == ']' || c == '}')) {
		sp->in_array = 0;
		sp->bad |= c != ']';
		sp->out->close = i;
		sp->out->found = 1;
		if (sp->commas > 0 || !all_space(text + sp->start, i - sp->start))
			st = split_push(sp, i, err);
	}
	return st;
}

/* One pass over text without recursion: checks the nesting depth (strings
 * are skipped so that brackets inside them do not count) and, with sp,
 * splits the array member sp asks for. */
static blt_status scan(const char *text, size_t len, unsigned max,
		       struct splitter *sp, struct canon_pos *pos,
		       struct blt_err *err)
{
	const unsigned char *t = (const unsigned char *)text;
	unsigned depth = 0;
	blt_status st = BLT_OK;
	size_t i;

	for (i = 0; i < len && !st; i++) {
		size_t s;

		while (i < len && !(scan_class[t[i]] & 1))
			i++;
		if (i == len)
			break;
		switch (t[i]) {
		case '"':
			for (s = ++i; i < len && t[i] != '"'; i++) {
				while (i < len && !(scan_class[t[i]] & 2))
					i++;
				if (i < len && t[i] == '\\')
					i++;
				else if (i < len && t[i] == '"')
					break;
			}
			if (sp)
				split_string(sp, text, s, i < len ? i : len,
					     depth);
			continue;
		case '[':
		case '{':
			if (sp)
				st = split_byte(sp, text, i, depth, err);
			if (++depth > max) {
				locate(text, i, pos);
				return blt_fail(err, BLT_ELIMIT,
						"nesting deeper than %u levels",
						max);
			}
			break;
		case ']':
		case '}':
			if (sp)
				st = split_byte(sp, text, i, depth, err);
			if (depth > 0)
				depth--;
			break;
		default:
			if (sp)
				st = split_byte(sp, text, i, depth, err);
			break;
		}
	}
	return st;
}

/* Checks nesting depth in one pass (see scan). */
static blt_status check_depth(const char *text, size_t len, unsigned max,
			      struct canon_pos *pos, struct blt_err *err)
{
	return scan(text, len, max, NULL, pos, err);
}

blt_status canon_split_array(const char *text, size_t len, const char *key,
			     unsigned max_depth, size_t max_items,
			     struct canon_split *out, struct canon_pos *pos,
			     struct blt_err *err)
{
	struct splitter sp = {0};
	size_t i = 0;
	blt_status st;

	memset(out, 0, sizeof(*out));
	pos->line = 0;
	pos->column = 0;
	sp.key = key;
	sp.keylen = strlen(key);
	sp.max_items = max_items;
	sp.out = out;
	while (i < len && all_space(text + i, 1))
		i++;
	sp.bad = i == len || text[i] != '{';
	st = scan(text, len, max_depth, &sp, pos, err);
	if (!st && (sp.bad || sp.in_array)) {
		free(out->spans);
		memset(out, 0, sizeof(*out));
	}
	if (st)
		canon_split_free(out);
	return st;
}

void canon_split_free(struct canon_split *s)
{
	free(s->spans);
	memset(s, 0, sizeof(*s));
}

/* The quick parser's state: the bytes left and the depth allowed. */
struct quick {
	const unsigned char *p;
	const unsigned char *end;
	unsigned depth;
	unsigned max_depth;
};

/* Bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void quick_space(struct quick *q)
{
	while (q->p < q->end && (*q->p == ' ' || *q->p == '\n' ||
				 *q->p == '\t' || *q->p == '\r'))
		q->p++;
}

/* Decodes the string whose opening quote was just passed into out (which
 * has room: a decoded string is never longer than its text), or points
 * *str into the text when it has no escapes. \u escapes are left to
 * jansson (0). Returns 1 with *len set, or 0. */
static int quick_string(struct quick *q, char *out, const char **str,
			size_t *len)
{
	static const char esc_in[] = "\"\\/bfnrt";
	static const char esc_out[] = "\"\\/\b\f\n\r\t";
	const unsigned char *start = q->p;
	size_t o = 0;
	int copied = 0;

	for (;;) {
		const unsigned char *run = q->p;
		const char *e;
		size_t u;

		while (q->p < q->end && plain(*q->p))
			q->p++;
		if (copied)
			memcpy(out + o, run, (size_t)(q->p - run));
		o += (size_t)(q->p - run);
		if (q->p == q->end)
			return 0;
		if (*q->p == '"')
			break;
		if (*q->p >= 0x80) {
			u = buf_utf8_len(q->p, (size_t)(q->end - q->p));
			if (!u)
				return 0;
			if (copied)
				memcpy(out + o, q->p, u);
			o += u;
			q->p += u;
			continue;
		}
		if (*q->p != '\\' || q->p + 1 == q->end || q->p[1] == 'u' ||
		    !q->p[1] || !(e = strchr(esc_in, q->p[1])))
			return 0;
		if (!copied)
			memcpy(out, start, o);
		copied = 1;
		out[o++] = esc_out[e - esc_in];
		q->p += 2;
	}
	*str = copied ? out : (const char *)start;
	*len = o;
	q->p++;
	return 1;
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* The value of an integer of at most 18 digits (no overflow possible). */
static json_int_t quick_integer(const char *t)
{
	json_int_t v = 0;
	int neg = *t == '-';

	for (t += neg; *t; t++)
		v = v * 10 + (*t - '0');
	return neg ? -v : v;
}

/* A number by jansson's grammar and conversions: an integer when it has
 * neither fraction nor exponent, else a real. Long integers and reals that
 * strtod does not read whole are left to jansson (NULL). */
static json_t *quick_number(struct quick *q)
{
	const unsigned char *s = q->p;
	int real = 0;
	char t[64];
	char *stop;
	double d;

	if (q->p < q->end && *q->p == '-')
		q->p++;
	if (!is_digit(q->p, q->end))
		return NULL;
	if (*q->p == '0' && is_digit(q->p + 1, q->end))
		return NULL;
	while (is_digit(q->p, q->end))
		q->p++;
	if (q->p < q->end && *q->p == '.') {
		real = 1;
		if (!is_digit(++q->p, q->end))
			return NULL;
		while (is_digit(q->p, q->end))
			q->p++;
	}
	if (q->p < q->end && (*q->p == 'e' || *q->p == 'E')) {
		real = 1;
		q->p++;
		if (q->p < q->end && (*q->p == '+' || *q->p == '-'))
			q->p++;
		if (!is_digit(q->p, q->end))
			return NULL;
		while (is_digit(q->p, q->end))
			q->p++;
	}
	if ((size_t)(q->p - s) >= sizeof(t) || (!real && q->p - s > 18))
		return NULL;
	memcpy(t, s, (size_t)(q->p - s));
	t[q->p - s] = '\0';
	if (!real)
		return json_integer(quick_integer(t));
	d = strtod(t, &stop);
	return *stop == '\0' && isfinite(d) ? json_real(d) : NULL;
}

static json_t *quick_value(struct quick *q, char *scratch);

/* An object whose '{' was just passed; a repeated key is left to jansson
 * (which refuses it). */
static json_t *quick_object(struct quick *q, char *scratch)
{
	json_t *obj = json_object();
	const char *key;
	size_t len;
	json_t *v;

	quick_space(q);
	if (obj && q->p < q->end && *q->p == '}') {
		q->p++;
		return obj;
	}
	while (obj) {
		size_t had = json_object_size(obj);

		if (q->p == q->end || *q->p++ != '"' ||
		    !quick_string(q, scratch, &key, &len))
			break;
		quick_space(q);
		if (q->p == q->end || *q->p++ != ':')
			break;
		v = quick_value(q, scratch + len + 1);
		/* a repeated key replaces: the size tells */
		if (!v || json_object_setn_new_nocheck(obj, key, len, v) ||
		    json_object_size(obj) == had)
			break;
		quick_space(q);
		if (q->p < q->end && *q->p == '}') {
			q->p++;
			return obj;
		}
		if (q->p == q->end || *q->p++ != ',')
			break;
		quick_space(q);
	}
	json_decref(obj);
	return NULL;
}

/* An array whose '[' was just passed. */
static json_t *quick_array(struct quick *q, char *scratch)
{
	json_t *arr = json_array();
	json_t *v;

	quick_space(q);
	if (arr && q->p < q->end && *q->p == ']') {
		q->p++;
		return arr;
	}
	while (arr) {
		v = quick_value(q, scratch);
		if (!v || json_array_append_new(arr, v))
			break;
		quick_space(q);
		if (q->p < q->end && *q->p == ']') {
			q->p++;
			return arr;
		}
		if (q->p == q->end || *q->p++ != ',')
			break;
	}
	json_decref(arr);
	return NULL;
}

/* A literal: the word, not followed by a letter (jansson reads letters as
 * one token). */
static int quick_word(struct quick *q, const char *w, size_t n)
{
	if ((size_t)(q->end - q->p) < n || memcmp(q->p, w, n) != 0)
		return 0;
	q->p += n;
	return q->p == q->end ||
	       !((*q->p >= 'a' && *q->p <= 'z') || (*q->p >= 'A' && *q->p <= 'Z'));
}

/* One value after optional white space. scratch has room for any string
 * left in the text (keys keep theirs there while their value is read). */
static json_t *quick_value(struct quick *q, char *scratch)
{
	const char *str;
	size_t len;
	json_t *v = NULL;

	quick_space(q);
	if (q->p == q->end)
		return NULL;
	if (*q->p == '{' || *q->p == '[') {
		if (++q->depth > q->max_depth)
			return NULL;
		v = *q->p++ == '{' ? quick_object(q, scratch)
				   : quick_array(q, scratch);
		q->depth--;
	} else if (*q->p == '"') {
		q->p++;
		if (quick_string(q, scratch, &str, &len))
			v = json_stringn_nocheck(str, len);
	} else if (*q->p == 't') {
		v = quick_word(q, "true", 4) ? json_true() : NULL;
	} else if (*q->p == 'f') {
		v = quick_word(q, "false", 5) ? json_false() : NULL;
	} else if (*q->p == 'n') {
		v = quick_word(q, "null", 4) ? json_null() : NULL;
	} else {
		v = quick_number(q);
	}
	return v;
}

json_t *canon_parse_quick(const char *text, size_t len, unsigned max_depth)
{
	struct quick q = {(const unsigned char *)text,
			  (const unsigned char *)text + len, 0, max_depth};
	char small[256];
	char *scratch = len < sizeof(small) ? small : malloc(len + 1);
	json_t *v = scratch ? quick_value(&q, scratch) : NULL;

	quick_space(&q);
	if (v && q.p != q.end) {
		json_decref(v);
		v = NULL;
	}
	if (scratch != small)
		free(scratch);
	return v;
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
		/* jansson counts columns from 1 but says 0 where the input
		 * ends at the start of a line; that place is column 1. */
		pos->line = jerr.line < 1 ? 1 : jerr.line;
		pos->column = jerr.column < 1 ? 1 : jerr.column;
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
