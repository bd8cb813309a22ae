/* A validator for the JSON Schema subset (draft 2020-12) that schemas/ uses. */
#include "blt/schema.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/jsonptr.h"

/* Generated from schemas/ by cmake/EmbedSchemas.cmake. */
const char *blt_embedded_schema(const char *name);

/* Instance kinds, as a bit set for the "type" keyword. */
enum {
	K_NULL = 1,
	K_BOOLEAN = 2,
	K_INTEGER = 4,
	K_NUMBER = 8,
	K_STRING = 16,
	K_ARRAY = 32,
	K_OBJECT = 64
};

enum addl_mode { ADDL_ANY, ADDL_NONE, ADDL_SCHEMA };

struct snode;

struct sprop {
	const char *name; /* borrowed from the schema's copy of the document */
	struct snode *node;
};

/* One compiled (sub)schema. Strings and enum values are borrowed from the
 * schema's own copy of the document. */
struct snode {
	struct snode *next_alloc; /* every node, for schema_free */
	bool reject_all;	  /* the boolean schema false */
	unsigned types;		  /* K_* bits; 0 when "type" is absent */
	struct sprop *props;
	size_t nprops;
	const char **required;
	size_t nrequired;
	enum addl_mode addl;
	struct snode *addl_node;
	struct snode *items;
	const json_t *enum_vals;
	bool has_min, has_max;
	double min, max;
	bool has_minlen, has_maxlen;
	size_t minlen, maxlen;
	bool has_pattern;
	const char *pattern;
	regex_t re;
	const char *ref_name;
	struct snode *ref;
};

struct sdef {
	const char *name;
	struct snode *node;
};

struct schema {
	json_t *doc; /* a private deep copy of the compiled document */
	struct snode *root;
	struct snode *nodes; /* allocation list */
	struct sdef *defs;
	size_t ndefs;
};

/* Bounds on schema nesting at compile time and on instance nesting (plus
 * $ref hops) at validation time. */
#define SCHEMA_COMPILE_DEPTH_MAX 64
#define SCHEMA_VALIDATE_DEPTH_MAX 256
#define SCHEMA_PATH_MAX 1024

/* ---- compiling ---------------------------------------------------------- */

struct cctx {
	struct schema *s;
	struct blt_err *err;
	char path[SCHEMA_PATH_MAX]; /* schema location, a JSON pointer */
};

static blt_status compile_node(struct cctx *c, const json_t *j, size_t plen,
			       int depth, struct snode **out);

static const char *cpath(const struct cctx *c)
{
	return c->path[0] ? c->path : "(root)";
}

static struct snode *node_new(struct schema *s)
{
	struct snode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->next_alloc = s->nodes;
	s->nodes = n;
	return n;
}

static blt_status kw_type_name(struct cctx *c, const json_t *v, unsigned *bits)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {{"null", K_NULL},	     {"boolean", K_BOOLEAN},
		     {"integer", K_INTEGER}, {"number", K_NUMBER | K_INTEGER},
		     {"string", K_STRING},   {"array", K_ARRAY},
		     {"object", K_OBJECT}};

	if (json_is_string(v))
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(json_string_value(v), names[i].name) == 0) {
				*bits |= names[i].bits;
				return BLT_OK;
			}
	return blt_fail(c->err, BLT_EINVAL,
			"%s: \"type\" must name null, boolean, integer, "
			"number, string, array or object",
			cpath(c));
}

static blt_status kw_type(struct cctx *c, struct snode *n, const json_t *v)
{
	size_t i;
	const json_t *t;

	if (!json_is_array(v))
		return kw_type_name(c, v, &n->types);
	if (json_array_size(v) == 0)
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"type\" must not be an empty array",
				cpath(c));
	json_array_foreach (v, i, t) {
		blt_status st = kw_type_name(c, t, &n->types);

		if (st)
			return st;
	}
	return BLT_OK;
}

static blt_status kw_properties(struct cctx *c, struct snode *n,
				const json_t *v, size_t plen, int depth)
{
	const char *key;
	json_t *sub;
	size_t i = 0;

	if (!json_is_object(v))
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"properties\" must be an object",
				cpath(c));
	n->props = calloc(json_object_size(v) + 1, sizeof(*n->props));
	if (!n->props)
		return blt_fail(c->err, BLT_ENOMEM, "out of memory");
	json_object_foreach ((json_t *)v, key, sub) {
		size_t l = jsonptr_push(c->path, plen, sizeof(c->path), key);
		blt_status st;

		n->props[i].name = key;
		st = compile_node(c, sub, l, depth + 1, &n->props[i].node);
		c->path[plen] = '\0';
		if (st)
			return st;
		n->nprops = ++i;
	}
	return BLT_OK;
}

static blt_status kw_required(struct cctx *c, struct snode *n, const json_t *v)
{
	size_t i;
	const json_t *r;

	if (!json_is_array(v))
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"required\" must be an array of strings",
				cpath(c));
	n->required = calloc(json_array_size(v) + 1, sizeof(*n->required));
	if (!n->required)
		return blt_fail(c->err, BLT_ENOMEM, "out of memory");
	json_array_foreach (v, i, r) {
		if (!json_is_string(r))
			return blt_fail(c->err, BLT_EINVAL,
					"%s: \"required\" must be an array of "
					"strings",
					cpath(c));
		n->required[i] = json_string_value(r);
		n->nrequired = i + 1;
	}
	return BLT_OK;
}

static blt_status kw_number(struct cctx *c, const char *kw, const json_t *v,
			    bool *has, double *out)
{
	if (!json_is_number(v))
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"%s\" must be a number", cpath(c), kw);
	*has = true;
	*out = json_number_value(v);
	return BLT_OK;
}

static blt_status kw_length(struct cctx *c, const char *kw, const json_t *v,
			    bool *has, size_t *out)
{
	double d = json_is_number(v) ? json_number_value(v) : -1;

	if (d < 0 || d != floor(d) || d > 1e15)
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"%s\" must be a non-negative integer",
				cpath(c), kw);
	*has = true;
	*out = (size_t)d;
	return BLT_OK;
}

static blt_status kw_pattern(struct cctx *c, struct snode *n, const json_t *v)
{
	int rc;

	if (!json_is_string(v))
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"pattern\" must be a string", cpath(c));
	rc = regcomp(&n->re, json_string_value(v), REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char why[128];

		regerror(rc, &n->re, why, sizeof(why));
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"pattern\" %s is not a POSIX extended "
				"regular expression: %s",
				cpath(c), json_string_value(v), why);
	}
	n->has_pattern = true;
	n->pattern = json_string_value(v);
	return BLT_OK;
}

/* Decodes "#/$defs/NAME" (NAME with ~0 and ~1 escapes) and finds the def. */
static blt_status kw_ref(struct cctx *c, struct snode *n, const json_t *v)
{
	const char *prefix = "#/$defs/";
	const char *ref = json_string_value(v);
	char name[256];
	size_t k = 0;

	if (!ref || strncmp(ref, prefix, strlen(prefix)) != 0)
		goto bad;
	for (const char *p = ref + strlen(prefix); *p; p++) {
		char ch = *p;

		if (ch == '/' || k + 1 >= sizeof(name))
			goto bad;
		if (ch == '~') {
			if (p[1] != '0' && p[1] != '1')
				goto bad;
			ch = *++p == '0' ? '~' : '/';
		}
		name[k++] = ch;
	}
	name[k] = '\0';
	for (size_t i = 0; i < c->s->ndefs; i++)
		if (strcmp(c->s->defs[i].name, name) == 0) {
			n->ref_name = c->s->defs[i].name;
			n->ref = c->s->defs[i].node;
			return BLT_OK;
		}
	return blt_fail(c->err, BLT_EINVAL,
			"%s: \"$ref\" %s names no member of the root's $defs",
			cpath(c), ref);
bad:
	return blt_fail(c->err, BLT_EINVAL,
			"%s: \"$ref\" must have the form \"#/$defs/NAME\"",
			cpath(c));
}

static bool is_annotation(const char *kw)
{
	static const char *const names[] = {
	    "$schema",	"$id",	    "title",  "description",
	    "$comment", "examples", "default"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(kw, names[i]) == 0)
			return true;
	return false;
}

/* Compiles a keyword whose value is itself a schema. */
static blt_status kw_subschema(struct cctx *c, const char *kw, const json_t *v,
			       size_t plen, int depth, struct snode **out)
{
	size_t l = jsonptr_push(c->path, plen, sizeof(c->path), kw);
	blt_status st = compile_node(c, v, l, depth + 1, out);

	c->path[plen] = '\0';
	return st;
}

static blt_status compile_keyword(struct cctx *c, struct snode *n,
				  const char *kw, const json_t *v, size_t plen,
				  int depth)
{
	if (strcmp(kw, "type") == 0)
		return kw_type(c, n, v);
	if (strcmp(kw, "properties") == 0)
		return kw_properties(
		    c, n, v, jsonptr_push(c->path, plen, sizeof(c->path), kw),
		    depth);
	if (strcmp(kw, "required") == 0)
		return kw_required(c, n, v);
	if (strcmp(kw, "additionalProperties") == 0) {
		n->addl = json_is_false(v) ? ADDL_NONE : ADDL_SCHEMA;
		if (json_is_true(v)) {
			n->addl = ADDL_ANY;
			return BLT_OK;
		}
		return n->addl == ADDL_NONE
			   ? BLT_OK
			   : kw_subschema(c, kw, v, plen, depth, &n->addl_node);
	}
	if (strcmp(kw, "items") == 0)
		return kw_subschema(c, kw, v, plen, depth, &n->items);
	if (strcmp(kw, "enum") == 0) {
		if (!json_is_array(v))
			return blt_fail(c->err, BLT_EINVAL,
					"%s: \"enum\" must be an array",
					cpath(c));
		n->enum_vals = v;
		return BLT_OK;
	}
	if (strcmp(kw, "minimum") == 0)
		return kw_number(c, kw, v, &n->has_min, &n->min);
	if (strcmp(kw, "maximum") == 0)
		return kw_number(c, kw, v, &n->has_max, &n->max);
	if (strcmp(kw, "minLength") == 0)
		return kw_length(c, kw, v, &n->has_minlen, &n->minlen);
	if (strcmp(kw, "maxLength") == 0)
		return kw_length(c, kw, v, &n->has_maxlen, &n->maxlen);
	if (strcmp(kw, "pattern") == 0)
		return kw_pattern(c, n, v);
	if (strcmp(kw, "$ref") == 0)
		return kw_ref(c, n, v);
	if (strcmp(kw, "$defs") == 0 && plen == 0)
		return BLT_OK; /* compiled up front by schema_compile */
	if (strcmp(kw, "$defs") == 0)
		return blt_fail(c->err, BLT_EINVAL,
				"%s: \"$defs\" is supported only at the root",
				cpath(c));
	if (is_annotation(kw))
		return BLT_OK;
	return blt_fail(c->err, BLT_EINVAL, "%s: unsupported keyword \"%s\"",
			cpath(c), kw);
}

/* Fills n from the schema j (an object or a boolean) found at c->path. */
static blt_status fill_node(struct cctx *c, struct snode *n, const json_t *j,
			    size_t plen, int depth)
{
	const char *kw;
	json_t *v;

	if (depth > SCHEMA_COMPILE_DEPTH_MAX)
		return blt_fail(c->err, BLT_ELIMIT,
				"%s: schema nested deeper than %d levels",
				cpath(c), SCHEMA_COMPILE_DEPTH_MAX);
	if (json_is_boolean(j)) {
		n->reject_all = json_is_false(j);
		return BLT_OK;
	}
	if (!json_is_object(j))
		return blt_fail(c->err, BLT_EINVAL,
				"%s: a schema must be an object or a boolean",
				cpath(c));
	json_object_foreach ((json_t *)j, kw, v) {
		blt_status st = compile_keyword(c, n, kw, v, plen, depth);

		c->path[plen] = '\0';
		if (st)
			return st;
	}
	return BLT_OK;
}

static blt_status compile_node(struct cctx *c, const json_t *j, size_t plen,
			       int depth, struct snode **out)
{
	struct snode *n = node_new(c->s);

	if (!n)
		return blt_fail(c->err, BLT_ENOMEM, "out of memory");
	*out = n;
	return fill_node(c, n, j, plen, depth);
}

/* Creates a node for every member of the root's $defs first, so that any
 * $ref can be resolved while compiling, then compiles them. */
static blt_status compile_defs(struct cctx *c, const json_t *defs)
{
	const char *name;
	json_t *sub;
	size_t i = 0;

	if (!defs)
		return BLT_OK;
	if (!json_is_object(defs))
		return blt_fail(c->err, BLT_EINVAL,
				"(root): \"$defs\" must be an object");
	c->s->defs = calloc(json_object_size(defs) + 1, sizeof(*c->s->defs));
	if (!c->s->defs)
		return blt_fail(c->err, BLT_ENOMEM, "out of memory");
	json_object_foreach ((json_t *)defs, name, sub) {
		c->s->defs[i].name = name;
		c->s->defs[i].node = node_new(c->s);
		if (!c->s->defs[i].node)
			return blt_fail(c->err, BLT_ENOMEM, "out of memory");
		c->s->ndefs = ++i;
	}
	for (i = 0; i < c->s->ndefs; i++) {
		size_t l = jsonptr_push(c->path, 0, sizeof(c->path), "$defs");
		blt_status st;

		l = jsonptr_push(c->path, l, sizeof(c->path),
				 c->s->defs[i].name);
		st = fill_node(c, c->s->defs[i].node,
			       json_object_get(defs, c->s->defs[i].name), l, 1);
		c->path[0] = '\0';
		if (st)
			return st;
	}
	return BLT_OK;
}

/* A chain of $ref that comes back to where it started would never consume
 * any of the instance: refuse it. */
static blt_status check_ref_cycles(struct cctx *c)
{
	for (struct snode *n = c->s->nodes; n; n = n->next_alloc) {
		const struct snode *p = n;

		for (size_t hops = 0; p->ref; hops++) {
			if (hops > c->s->ndefs)
				return blt_fail(c->err, BLT_EINVAL,
						"\"$ref\" \"#/$defs/%s\" is "
						"part of a cycle of references",
						n->ref_name);
			p = p->ref;
		}
	}
	return BLT_OK;
}

blt_status schema_compile(const json_t *doc, struct schema **out,
			  struct blt_err *err)
{
	struct cctx c;
	blt_status st;

	*out = NULL;
	c.err = err;
	c.path[0] = '\0';
	c.s = calloc(1, sizeof(*c.s));
	if (!c.s)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	c.s->doc = json_deep_copy(doc);
	if (!c.s->doc) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	st = compile_defs(&c, json_is_object(c.s->doc)
				  ? json_object_get(c.s->doc, "$defs")
				  : NULL);
	if (!st)
		st = compile_node(&c, c.s->doc, 0, 0, &c.s->root);
	if (!st)
		st = check_ref_cycles(&c);
	if (st)
		goto fail;
	*out = c.s;
	return BLT_OK;
fail:
	schema_free(c.s);
	return st;
}

void schema_free(struct schema *s)
{
	struct snode *n, *next;

	if (!s)
		return;
	for (n = s->nodes; n; n = next) {
		next = n->next_alloc;
		if (n->has_pattern)
			regfree(&n->re);
		free(n->props);
		free(n->required);
		free(n);
	}
	free(s->defs);
	json_decref(s->doc);
	free(s);
}

/* ---- validating --------------------------------------------------------- */

struct vctx {
	struct schema_violation *out;
	size_t max;
	size_t count;
	char path[SCHEMA_PATH_MAX]; /* instance location, a JSON pointer */
};

/* Copies at most cap-1 bytes of src into dst, never cutting a UTF-8
 * sequence, and marks a cut with "...". */
static void copy_clipped(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	n = cap - 4;
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, src, n);
	memcpy(dst + n, "...", 4);
}

/* A short rendering of an instance value for messages. */
static void describe(const json_t *v, char *dst, size_t cap)
{
	char *text;

	if (json_is_object(v)) {
		snprintf(dst, cap, "an object");
		return;
	}
	if (json_is_array(v)) {
		snprintf(dst, cap, "an array");
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	copy_clipped(dst, cap, text ? text : "a value");
	free(text);
}

/* Shortest text of d that reads back as d. */
static void fmt_num(double d, char *dst, size_t cap)
{
	snprintf(dst, cap, "%.15g", d);
	if (strtod(dst, NULL) != d)
		snprintf(dst, cap, "%.17g", d);
}

static void report(struct vctx *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	struct schema_violation *sv;
	char msg[512];

	if (v->count++ >= v->max || !v->out)
		return;
	sv = &v->out[v->count - 1];
	copy_clipped(sv->pointer, sizeof(sv->pointer), v->path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	copy_clipped(sv->message, sizeof(sv->message), msg);
}

static unsigned kind_of(const json_t *j)
{
	double d;

	switch (json_typeof(j)) {
	case JSON_NULL:
		return K_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return K_BOOLEAN;
	case JSON_INTEGER:
		return K_INTEGER | K_NUMBER;
	case JSON_REAL:
		d = json_real_value(j);
		return isfinite(d) && d == floor(d) ? K_INTEGER | K_NUMBER
						    : K_NUMBER;
	case JSON_STRING:
		return K_STRING;
	case JSON_ARRAY:
		return K_ARRAY;
	case JSON_OBJECT:
		return K_OBJECT;
	}
	return 0;
}

static const char *kind_name(unsigned k)
{
	if (k & K_NULL)
		return "null";
	if (k & K_BOOLEAN)
		return "a boolean";
	if (k & K_INTEGER)
		return "an integer";
	if (k & K_NUMBER)
		return "a number";
	if (k & K_STRING)
		return "a string";
	return k & K_ARRAY ? "an array" : "an object";
}

static void types_text(unsigned bits, char *dst, size_t cap)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{K_NULL, "null"},	     {K_BOOLEAN, "boolean"},
		     {K_INTEGER, "integer"}, {K_NUMBER, "number"},
		     {K_STRING, "string"},   {K_ARRAY, "array"},
		     {K_OBJECT, "object"}};
	size_t len = 0;

	dst[0] = '\0';
	if ((bits & K_NUMBER))
		bits &= ~(unsigned)K_INTEGER; /* "number" covers integers */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((bits & names[i].bit) && len + 1 < cap)
			len +=
			    (size_t)snprintf(dst + len, cap - len, "%s%s",
					     len ? " or " : "", names[i].name);
}

/* Deep equality as JSON Schema defines it: numbers compare by value (1
 * equals 1.0), objects regardless of member order. */
static bool json_same(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_string(a))
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
			      json_string_length(a)) == 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i),
				       json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *va;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach ((json_t *)a, k, va) {
			const json_t *vb = json_object_get(b, k);

			if (!vb || !json_same(va, vb))
				return false;
		}
	}
	return true; /* null, true, false */
}

/* Unicode code points in a valid UTF-8 string of n bytes. */
static size_t utf8_length(const char *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

static void check_enum(struct vctx *v, const struct snode *n, const json_t *j)
{
	char what[64], list[160] = "";
	size_t i, len = 0;
	const json_t *e;

	json_array_foreach (n->enum_vals, i, e)
		if (json_same(e, j))
			return;
	json_array_foreach (n->enum_vals, i, e) {
		char one[48];

		describe(e, one, sizeof(one));
		if (len + 1 < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s%s", i ? ", " : "", one);
	}
	describe(j, what, sizeof(what));
	report(v, "%s is not one of the allowed values %s (enum)", what, list);
}

static void check_string(struct vctx *v, const struct snode *n, const json_t *j)
{
	const char *s = json_string_value(j);
	size_t cps = utf8_length(s, json_string_length(j));
	char what[64];

	describe(j, what, sizeof(what));
	if (n->has_minlen && cps < n->minlen)
		report(v, "%s is shorter than %zu characters (minLength)", what,
		       n->minlen);
	if (n->has_maxlen && cps > n->maxlen)
		report(v, "%s is longer than %zu characters (maxLength)", what,
		       n->maxlen);
	if (n->has_pattern && regexec(&n->re, s, 0, NULL, 0) != 0)
		report(v, "%s does not match %s (pattern)", what, n->pattern);
}

static void check_number(struct vctx *v, const struct snode *n, const json_t *j)
{
	double d = json_number_value(j);
	char what[64], lim[32];

	describe(j, what, sizeof(what));
	if (n->has_min && d < n->min) {
		fmt_num(n->min, lim, sizeof(lim));
		report(v, "%s is less than %s (minimum)", what, lim);
	}
	if (n->has_max && d > n->max) {
		fmt_num(n->max, lim, sizeof(lim));
		report(v, "%s is greater than %s (maximum)", what, lim);
	}
}

static void check_value(struct vctx *v, const struct snode *n, const json_t *j,
			int depth);

static const struct snode *prop_schema(const struct snode *n, const char *k)
{
	for (size_t i = 0; i < n->nprops; i++)
		if (strcmp(n->props[i].name, k) == 0)
			return n->props[i].node;
	return NULL;
}

static void check_object(struct vctx *v, const struct snode *n, const json_t *j,
			 int depth)
{
	size_t plen = strlen(v->path);
	const char *k;
	json_t *m;

	for (size_t i = 0; i < n->nrequired; i++)
		if (!json_object_get(j, n->required[i]))
			report(v,
			       "the required member \"%s\" is missing "
			       "(required)",
			       n->required[i]);
	json_object_foreach ((json_t *)j, k, m) {
		const struct snode *sub = prop_schema(n, k);

		jsonptr_push(v->path, plen, sizeof(v->path), k);
		if (!sub && n->addl == ADDL_NONE)
			report(v,
			       "the member \"%s\" is not allowed "
			       "(additionalProperties false)",
			       k);
		else if (!sub && n->addl == ADDL_SCHEMA)
			check_value(v, n->addl_node, m, depth + 1);
		else if (sub)
			check_value(v, sub, m, depth + 1);
		v->path[plen] = '\0';
	}
}

static void check_array(struct vctx *v, const struct snode *n, const json_t *j,
			int depth)
{
	size_t plen = strlen(v->path);
	size_t i;
	json_t *e;

	json_array_foreach (j, i, e) {
		jsonptr_push_index(v->path, plen, sizeof(v->path), i);
		check_value(v, n->items, e, depth + 1);
		v->path[plen] = '\0';
	}
}

static void check_value(struct vctx *v, const struct snode *n, const json_t *j,
			int depth)
{
	unsigned kind = kind_of(j);

	if (depth > SCHEMA_VALIDATE_DEPTH_MAX) {
		report(v, "nested deeper than %d levels: not validated",
		       SCHEMA_VALIDATE_DEPTH_MAX);
		return;
	}
	if (n->reject_all) {
		report(v, "no value is allowed here (false schema)");
		return;
	}
	if (n->types && !(n->types & kind)) {
		char want[80], what[64];

		types_text(n->types, want, sizeof(want));
		describe(j, what, sizeof(what));
		if (kind & (K_ARRAY | K_OBJECT))
			report(v, "found %s, not %s (type)", what, want);
		else
			report(v, "%s is %s, not %s (type)", what,
			       kind_name(kind), want);
	}
	if (n->ref)
		check_value(v, n->ref, j, depth + 1);
	if (n->enum_vals)
		check_enum(v, n, j);
	if (kind & K_STRING)
		check_string(v, n, j);
	else if (kind & K_NUMBER)
		check_number(v, n, j);
	else if ((kind & K_OBJECT))
		check_object(v, n, j, depth);
	else if ((kind & K_ARRAY) && n->items)
		check_array(v, n, j, depth);
}

size_t schema_validate(const struct schema *s, const json_t *instance,
		       struct schema_violation *out, size_t max)
{
	struct vctx v;

	v.out = out;
	v.max = out ? max : 0;
	v.count = 0;
	v.path[0] = '\0';
	check_value(&v, s->root, instance, 0);
	return v.count;
}

blt_status schema_check(const struct schema *s, const json_t *instance,
			struct blt_err *err)
{
	struct schema_violation first;
	size_t n = schema_validate(s, instance, &first, 1);

	if (n == 0)
		return BLT_OK;
	if (n == 1)
		return blt_fail(err, BLT_EINVAL, "%s: %s",
				first.pointer[0] ? first.pointer : "(root)",
				first.message);
	return blt_fail(err, BLT_EINVAL, "%s: %s (and %zu more violations)",
			first.pointer[0] ? first.pointer : "(root)",
			first.message, n - 1);
}

/* ---- the built-in schemas ---------------------------------------------- */

static const char *const builtin_names[SCHEMA_COUNT] = {
    [SCHEMA_REQUEST] = "list-batch-load-tasks-request.schema.json",
    [SCHEMA_RESPONSE] = "list-batch-load-tasks-response.schema.json",
    [SCHEMA_TASK] = "batch-load-task.schema.json",
    [SCHEMA_ERROR] = "error.schema.json",
    [SCHEMA_CASSETTE] = "cassette.schema.json",
};

static struct schema *builtin[SCHEMA_COUNT];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
	for (int i = 0; i < SCHEMA_COUNT; i++) {
		const char *text = blt_embedded_schema(builtin_names[i]);
		json_t *doc = text ? json_loads(text, 0, NULL) : NULL;

		if (doc && schema_compile(doc, &builtin[i], NULL) != BLT_OK)
			builtin[i] = NULL;
		json_decref(doc);
	}
}

const struct schema *schema_builtin(enum schema_id id)
{
	if ((int)id < 0 || id >= SCHEMA_COUNT)
		return NULL;
	pthread_once(&builtin_once, builtin_init);
	return builtin[id];
}

const char *schema_file_name(enum schema_id id)
{
	if ((int)id < 0 || id >= SCHEMA_COUNT)
		return NULL;
	return builtin_names[id];
}
