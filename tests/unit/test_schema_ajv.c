/* Agreement of the schema validator with ajv on generated documents: for
 * each schema, valid documents are built from the schema itself and then
 * mutated at random; ajv (node) and libblt must give the same verdict. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt/rng.h"
#include "blt/schema.h"
#include "blt_test.h"

#define DOCS_PER_SCHEMA 1200
#define SITES_MAX 512
#define GEN_DEPTH_MAX 6

struct gen {
	struct blt_rng rng;
	const json_t *root; /* the schema document, for $ref */
};

static uint64_t below(struct gen *g, uint64_t n)
{
	return rng_below(&g->rng, n);
}

static bool chance(struct gen *g, double p)
{
	return rng_unit(&g->rng) < p;
}

/* ---- reading the schema document ---------------------------------------- */

/* Follows "$ref": "#/$defs/NAME" chains. */
static const json_t *resolve(const struct gen *g, const json_t *sch)
{
	for (int hops = 0; sch && json_is_object(sch) && hops < 16; hops++) {
		const char *ref =
		    json_string_value(json_object_get(sch, "$ref"));

		if (!ref || strncmp(ref, "#/$defs/", 8) != 0)
			break;
		sch =
		    json_object_get(json_object_get(g->root, "$defs"), ref + 8);
	}
	return sch;
}

static const json_t *kw(const struct gen *g, const json_t *sch,
			const char *name)
{
	sch = resolve(g, sch);
	return json_is_object(sch) ? json_object_get(sch, name) : NULL;
}

/* The schema of member key of an object whose schema is sch (NULL: any). */
static const json_t *member_schema(const struct gen *g, const json_t *sch,
				   const char *key)
{
	const json_t *p = json_object_get(kw(g, sch, "properties"), key);
	const json_t *a = kw(g, sch, "additionalProperties");

	if (p)
		return p;
	return json_is_object(a) ? a : NULL;
}

static bool required_member(const struct gen *g, const json_t *sch,
			    const char *key)
{
	size_t i;
	const json_t *r;

	json_array_foreach (kw(g, sch, "required"), i, r)
		if (strcmp(json_string_value(r), key) == 0)
			return true;
	return false;
}

/* ---- random values ------------------------------------------------------ */

static const char *const alpha_upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static const char *const alpha_ascii =
    "abcdefghijklmnopqrstuvwxyzABCXYZ0189 -_./~:#\"\\\t\n";
static const char *const alpha_unicode[] = {"\xc3\xa9",
					    "\xc3\x84",
					    "\xc3\x9f",
					    "\xe6\x97\xa5",
					    "\xe6\x9c\xac",
					    "\xe2\x80\xa8",
					    "\xf0\x9f\x98\x80",
					    "\xf0\x9d\x84\x9e",
					    "\x01",
					    "A",
					    "z",
					    "7"};

/* A string of n code points drawn from one of the alphabets. */
static char *rand_text(struct gen *g, size_t n, int alphabet)
{
	char *s = malloc(n * 4 + 1);
	size_t len = 0;

	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++) {
		if (alphabet == 0) {
			s[len++] = alpha_upper[below(g, strlen(alpha_upper))];
		} else if (alphabet == 1) {
			s[len++] = alpha_ascii[below(g, strlen(alpha_ascii))];
		} else {
			const char *u = alpha_unicode[below(g, 12)];

			memcpy(s + len, u, strlen(u));
			len += strlen(u);
		}
	}
	s[len] = '\0';
	return s;
}

static json_t *rand_string(struct gen *g, size_t n, int alphabet)
{
	char *s = rand_text(g, n, alphabet);
	json_t *j = json_string(s);

	free(s);
	return j;
}

static json_t *rand_any(struct gen *g, int depth)
{
	unsigned k = (unsigned)below(g, depth >= 2 ? 6 : 8);
	json_t *c;

	switch (k) {
	case 0:
		return json_null();
	case 1:
		return json_boolean(chance(g, 0.5));
	case 2:
		return json_integer((json_int_t)below(g, 2000) - 1000);
	case 3:
		return json_real(floor(rng_unit(&g->rng) * 1e6) / 64.0);
	case 4:
	case 5:
		return rand_string(g, below(g, 8), (int)below(g, 3));
	case 6:
		c = json_array();
		for (uint64_t i = below(g, 3); i > 0; i--)
			json_array_append_new(c, rand_any(g, depth + 1));
		return c;
	default:
		c = json_object();
		for (uint64_t i = below(g, 3); i > 0; i--) {
			char *key = rand_text(g, 1 + below(g, 5), 1);

			json_object_set_new(c, key, rand_any(g, depth + 1));
			free(key);
		}
		return c;
	}
}

/* ---- valid documents from the schema ------------------------------------ */

static json_t *gen_valid(struct gen *g, const json_t *sch, int depth);

static bool matches(const char *pattern, const char *s)
{
	regex_t re;
	bool ok;

	if (!pattern)
		return true;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static json_t *gen_string(struct gen *g, const json_t *sch)
{
	const json_t *jmin = kw(g, sch, "minLength");
	const json_t *jmax = kw(g, sch, "maxLength");
	const char *pattern = json_string_value(kw(g, sch, "pattern"));
	size_t lo = jmin ? (size_t)json_number_value(jmin) : 0;
	size_t hi = jmax ? (size_t)json_number_value(jmax) : lo + 24;
	char *s = NULL;

	for (int tries = 0; tries < 64; tries++) {
		int alphabet = pattern && chance(g, 0.9) ? 0 : (int)below(g, 3);

		free(s);
		s = rand_text(g, lo + below(g, hi - lo + 1), alphabet);
		if (matches(pattern, s))
			break;
	}
	json_t *j = json_string(s);

	free(s);
	return j;
}

static json_t *gen_number(struct gen *g, const json_t *sch, bool integer)
{
	const json_t *jmin = kw(g, sch, "minimum");
	const json_t *jmax = kw(g, sch, "maximum");
	double lo, hi, d;

	if (jmin && jmax) {
		lo = json_number_value(jmin);
		hi = json_number_value(jmax);
	} else if (jmin) {
		lo = json_number_value(jmin);
		hi = lo + (integer ? 5000 : 1e4);
	} else if (jmax) {
		hi = json_number_value(jmax);
		lo = hi - 5000;
	} else {
		lo = integer ? -1000 : 1.6e9;
		hi = integer ? 1e6 : 1.8e9;
	}
	if (integer) {
		lo = ceil(lo);
		hi = floor(hi);
		d = lo + (double)below(g, (uint64_t)(hi - lo) + 1);
		return json_integer((json_int_t)d);
	}
	d = lo + rng_unit(&g->rng) * (hi - lo);
	d = chance(g, 0.3) ? floor(d) : floor(d * 1000) / 1000;
	return json_real(d < lo ? lo : d);
}

static json_t *gen_object(struct gen *g, const json_t *sch, int depth)
{
	json_t *o = json_object();
	const json_t *props = kw(g, sch, "properties");
	const json_t *addl = kw(g, sch, "additionalProperties");
	const char *key;
	json_t *p;

	json_object_foreach ((json_t *)props, key, p)
		if (!json_is_false(p) &&
		    (required_member(g, sch, key) || chance(g, 0.7)))
			json_object_set_new(o, key, gen_valid(g, p, depth + 1));
	if (json_is_object(addl) || (!addl && chance(g, 0.5)))
		for (uint64_t i = below(g, 3); i > 0; i--) {
			char *name =
			    rand_text(g, 1 + below(g, 8), (int)below(g, 3));

			if (!json_object_get(props, name))
				json_object_set_new(
				    o, name,
				    json_is_object(addl)
					? gen_valid(g, addl, depth + 1)
					: rand_any(g, depth + 1));
			free(name);
		}
	return o;
}

static json_t *gen_typed(struct gen *g, const json_t *sch, const char *type,
			 int depth)
{
	if (strcmp(type, "null") == 0)
		return json_null();
	if (strcmp(type, "boolean") == 0)
		return json_boolean(chance(g, 0.5));
	if (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)
		return gen_number(g, sch, type[0] == 'i');
	if (strcmp(type, "string") == 0)
		return gen_string(g, sch);
	if (strcmp(type, "array") == 0) {
		json_t *a = json_array();
		uint64_t n = depth < GEN_DEPTH_MAX ? below(g, 5) : 0;

		while (n-- > 0)
			json_array_append_new(
			    a, gen_valid(g, kw(g, sch, "items"), depth + 1));
		return a;
	}
	return gen_object(g, sch, depth);
}

static json_t *gen_valid(struct gen *g, const json_t *sch, int depth)
{
	const json_t *e = kw(g, sch, "enum");
	const json_t *t = kw(g, sch, "type");

	if (e)
		return json_deep_copy(
		    json_array_get(e, below(g, json_array_size(e))));
	if (json_is_array(t))
		t = json_array_get(t, below(g, json_array_size(t)));
	if (!t)
		return rand_any(g, depth);
	return gen_typed(g, sch, json_string_value(t), depth);
}

/* ---- mutations ---------------------------------------------------------- */

struct site {
	json_t *parent; /* NULL for the root */
	const char *key;
	size_t index;
	json_t *value;
	const json_t *schema; /* NULL: anything goes */
};

struct sites {
	struct site v[SITES_MAX];
	size_t n;
};

static void collect(struct gen *g, struct sites *s, json_t *parent,
		    const char *key, size_t index, json_t *value,
		    const json_t *sch)
{
	const char *k;
	json_t *m;
	size_t i;

	if (s->n >= SITES_MAX)
		return;
	s->v[s->n++] =
	    (struct site){parent, key, index, value, resolve(g, sch)};
	if (json_is_object(value))
		json_object_foreach (value, k, m)
			collect(g, s, value, k, 0, m,
				sch ? member_schema(g, sch, k) : NULL);
	else if (json_is_array(value))
		json_array_foreach (value, i, m)
			collect(g, s, value, NULL, i, m, kw(g, sch, "items"));
}

static void replace(json_t **root, const struct site *st, json_t *nv)
{
	if (!st->parent) {
		json_decref(*root);
		*root = nv;
	} else if (json_is_object(st->parent)) {
		char key[512];

		snprintf(key, sizeof(key), "%s", st->key);
		json_object_set_new(st->parent, key, nv);
	} else {
		json_array_set_new(st->parent, st->index, nv);
	}
}

static json_t *wrong_number(struct gen *g, const json_t *sch)
{
	const json_t *jmin = kw(g, sch, "minimum");
	const json_t *jmax = kw(g, sch, "maximum");
	double cand[12];
	int n = 0;
	double d;

	if (jmin) {
		d = json_number_value(jmin);
		cand[n++] = d - 1, cand[n++] = d - 0.5, cand[n++] = d;
	}
	if (jmax) {
		d = json_number_value(jmax);
		cand[n++] = d + 1, cand[n++] = d + 0.5, cand[n++] = d;
	}
	cand[n++] = 0, cand[n++] = -1, cand[n++] = 2147483648.0;
	cand[n++] = 1.5, cand[n++] = 1e20, cand[n++] = -1e-3;
	d = cand[below(g, (uint64_t)n)];
	if (d == floor(d) && fabs(d) < 1e15 && chance(g, 0.6))
		return json_integer((json_int_t)d);
	return json_real(d);
}

static json_t *wrong_length(struct gen *g, const json_t *sch)
{
	const json_t *jmin = kw(g, sch, "minLength");
	const json_t *jmax = kw(g, sch, "maxLength");
	size_t cand[6];
	int n = 0;
	int alphabet =
	    kw(g, sch, "pattern") && chance(g, 0.7) ? 0 : (int)below(g, 3);

	if (jmin) {
		size_t m = (size_t)json_number_value(jmin);

		cand[n++] = m, cand[n++] = m ? m - 1 : 0;
	}
	if (jmax) {
		size_t m = (size_t)json_number_value(jmax);

		cand[n++] = m, cand[n++] = m + 1, cand[n++] = m + 7;
	}
	cand[n++] = below(g, 3);
	return rand_string(g, cand[below(g, (uint64_t)n)], alphabet);
}

static json_t *wrong_pattern(struct gen *g, const json_t *sch)
{
	json_t *valid = gen_string(g, sch);
	char buf[256];
	size_t len;

	snprintf(buf, sizeof(buf), "%s", json_string_value(valid));
	json_decref(valid);
	len = strlen(buf);
	switch (below(g, 5)) {
	case 0:
		if (len)
			buf[below(g, len)] = 'q';
		break;
	case 1:
		if (len)
			buf[below(g, len)] = '-';
		break;
	case 2:
		snprintf(buf + len, sizeof(buf) - len, "\n");
		break;
	case 3:
		snprintf(buf + len, sizeof(buf) - len, "\xc3\x84");
		break;
	default:
		memmove(buf + 1, buf, len + 1), buf[0] = ' ';
		break;
	}
	return json_string(buf);
}

static json_t *wrong_enum(struct gen *g, const json_t *sch)
{
	const json_t *e = json_array_get(kw(g, sch, "enum"), 0);
	char buf[128];

	if (json_is_string(e)) {
		const char *s = json_string_value(e);

		switch (below(g, 6)) {
		case 0:
			snprintf(buf, sizeof(buf), "%s", s);
			for (char *p = buf; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			return json_string(buf);
		case 1:
			snprintf(buf, sizeof(buf), " %s", s);
			break;
		case 2:
			snprintf(buf, sizeof(buf), "%s ", s);
			break;
		case 3:
			return json_string("RUNNING");
		case 4:
			return json_string("");
		default:
			return json_integer(1);
		}
		return json_string(buf);
	}
	switch (below(g, 5)) {
	case 0:
		return json_real(json_number_value(e)); /* still equal */
	case 1:
		return json_integer(2);
	case 2:
		return json_string("1");
	case 3:
		return json_true();
	default:
		return json_real(1.5);
	}
}

static void mutate_object(struct gen *g, json_t *obj, const json_t *sch)
{
	const char *const names[] = {"Extra",	     "a/b",    "~0",
				     "\xe6\x97\xa5", "taskId", "MaxResults",
				     "TaskId",	     ""};
	const json_t *props = kw(g, sch, "properties");
	const char *key;
	json_t *v;
	size_t n = json_object_size(obj), pick;

	if (n && chance(g, 0.5)) { /* drop a member, required or not */
		pick = below(g, n);
		json_object_foreach (obj, key, v)
			if (pick-- == 0) {
				char k[512];

				snprintf(k, sizeof(k), "%s", key);
				json_object_del(obj, k);
				return;
			}
	}
	if (props && chance(g, 0.4)) { /* a known member, any value */
		pick = below(g, json_object_size(props));
		json_object_foreach ((json_t *)props, key, v)
			if (pick-- == 0) {
				json_object_set_new(obj, key,
						    chance(g, 0.5)
							? rand_any(g, 2)
							: gen_valid(g, v, 2));
				return;
			}
	}
	json_object_set_new(obj, names[below(g, 8)], rand_any(g, 1));
}

/* Applies one random change at a random place of *root. */
static void mutate(struct gen *g, json_t **root)
{
	static struct sites s;
	struct site *st;
	const json_t *sch;

	s.n = 0;
	collect(g, &s, NULL, NULL, 0, *root, g->root);
	st = &s.v[below(g, s.n)];
	sch = st->schema;
	switch (below(g, 10)) {
	case 0:
		replace(root, st, rand_any(g, 1));
		break;
	case 1:
		replace(root, st, wrong_number(g, sch));
		break;
	case 2:
		replace(root, st, wrong_length(g, sch));
		break;
	case 3:
		if (kw(g, sch, "pattern"))
			replace(root, st, wrong_pattern(g, sch));
		else if (kw(g, sch, "enum"))
			replace(root, st, wrong_enum(g, sch));
		else
			replace(root, st, json_null());
		break;
	case 4:
		if (kw(g, sch, "enum"))
			replace(root, st, wrong_enum(g, sch));
		else
			replace(root, st, rand_string(g, 1 + below(g, 6), 2));
		break;
	case 5:
	case 6:
		if (json_is_object(st->value))
			mutate_object(g, st->value, sch);
		else if (json_is_array(st->value))
			json_array_append_new(st->value, rand_any(g, 1));
		else
			replace(root, st, rand_any(g, 2));
		break;
	case 7: /* an integral real where an integer is */
		if (json_is_integer(st->value))
			replace(
			    root, st,
			    json_real((double)json_integer_value(st->value)));
		else
			replace(root, st, gen_valid(g, sch, 2));
		break;
	default:
		replace(root, st, gen_valid(g, sch, 2));
		break;
	}
}

/* Changes that keep a document valid more often than not. */
static void soften(struct gen *g, json_t **root)
{
	static struct sites s;
	struct site *st;

	s.n = 0;
	collect(g, &s, NULL, NULL, 0, *root, g->root);
	st = &s.v[below(g, s.n)];
	if (json_is_integer(st->value))
		replace(root, st,
			json_real((double)json_integer_value(st->value)));
	else if (json_is_string(st->value) && !kw(g, st->schema, "pattern") &&
		 !kw(g, st->schema, "enum") && !kw(g, st->schema, "maxLength"))
		replace(root, st, rand_string(g, 1 + below(g, 12), 2));
	else if (chance(g, 0.3))
		replace(root, st, gen_valid(g, st->schema, 2));
}

/* ---- the comparison ----------------------------------------------------- */

/* Builds n documents: a third valid, perhaps softened; the rest with one
 * to three random mutations (most of which, not all, break validity). The
 * validator under test plays no part in choosing them. */
static json_t *generate(struct gen *g, size_t n)
{
	json_t *docs = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *doc = gen_valid(g, g->root, 0);

		if (i % 3 == 0) {
			for (uint64_t k = below(g, 4); k > 0; k--)
				soften(g, &doc);
		} else {
			for (uint64_t k = 1 + below(g, 3); k > 0; k--)
				mutate(g, &doc);
		}
		json_array_append_new(docs, doc);
	}
	return docs;
}

static const char *find_node(void)
{
	static char path[1024];
	const char *env = getenv("PATH");
	char *dirs = strdup(env ? env : "/usr/bin:/bin");
	char *save = NULL;

	cr_assert_not_null(dirs);
	path[0] = '\0';
	for (char *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/node", d);
		if (access(path, X_OK) == 0)
			break;
		path[0] = '\0';
	}
	free(dirs);
	cr_assert(path[0], "node is not on PATH; the ajv oracle needs it");
	return path;
}

static void write_jsonl(const char *path, const json_t *docs)
{
	FILE *f = fopen(path, "w");
	size_t i;
	json_t *d;

	cr_assert_not_null(f, "%s", path);
	json_array_foreach (docs, i, d) {
		char *line = json_dumps(d, JSON_ENCODE_ANY | JSON_COMPACT);

		cr_assert_not_null(line);
		fprintf(f, "%s\n", line);
		free(line);
	}
	cr_assert_eq(fclose(f), 0);
}

/* Our verdict versus ajv's for every document; prints each disagreement
 * and a summary line. */
static void compare(const char *label, const struct schema *sch,
		    const json_t *docs, char *verdicts)
{
	size_t valid = 0, invalid = 0, bad = 0, i;
	char *save = NULL;
	char *line = strtok_r(verdicts, "\n", &save);
	json_t *d;

	json_array_foreach (docs, i, d) {
		struct schema_violation v[1];
		size_t ours = schema_validate(sch, d, v, 1);
		bool ajv_valid;

		cr_assert_not_null(line,
				   "%s: ajv gave %zu verdicts for %zu "
				   "documents",
				   label, i, json_array_size(docs));
		cr_assert(strncmp(line, "valid", 5) == 0 ||
			      strncmp(line, "invalid", 7) == 0,
			  "%s: document %zu: ajv said: %s", label, i, line);
		ajv_valid = strcmp(line, "valid") == 0;
		ajv_valid ? valid++ : invalid++;
		if (ajv_valid != (ours == 0) && bad++ < 20) {
			char *text =
			    json_dumps(d, JSON_ENCODE_ANY | JSON_COMPACT);

			fprintf(
			    stderr,
			    "%s: document %zu: ajv: %s; blt: %s%s%s\n  %s\n",
			    label, i, line, ours ? "invalid " : "valid",
			    ours ? v[0].pointer : "", ours ? v[0].message : "",
			    text);
			free(text);
		}
		line = strtok_r(NULL, "\n", &save);
	}
	cr_assert_null(line, "%s: ajv printed more verdicts than documents",
		       label);
	fprintf(stderr,
		"%s: %zu documents, %zu valid, %zu invalid (by ajv), "
		"%zu disagreements\n",
		label, json_array_size(docs), valid, invalid, bad);
	cr_assert_eq(bad, 0, "%s: %zu disagreements with ajv", label, bad);
	cr_assert_geq(valid * 10, json_array_size(docs) * 3,
		      "%s: too few valid documents (%zu)", label, valid);
	cr_assert_geq(invalid * 10, json_array_size(docs) * 3,
		      "%s: too few invalid documents (%zu)", label, invalid);
}

/* Generates documents for the schema in schema_path, runs ajv on them and
 * compares. When temporary, the schema file is removed once ajv has run. */
static void agree_with_ajv(const char *schema_path, const char *label,
			   uint64_t seed, bool temporary)
{
	char *text = test_slurp(schema_path, NULL);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	struct schema *compiled = NULL;
	struct blt_err err = {0};
	struct gen g;
	char tmp[] = "/tmp/blt-schema-ajv-XXXXXX";
	char script[1024];
	char *out = NULL;
	json_t *docs;
	int fd, rc;

	cr_assert_not_null(doc, "%s", schema_path);
	cr_assert_eq(schema_compile(doc, &compiled, &err), BLT_OK, "%s",
		     err.msg);
	rng_seed(&g.rng, seed);
	g.root = doc;
	docs = generate(&g, DOCS_PER_SCHEMA);
	fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	close(fd);
	write_jsonl(tmp, docs);
	snprintf(script, sizeof(script), "%s",
		 test_src("tests/clients/js/ajv-check.js"));
	{
		char *argv[] = {(char *)find_node(), script,
				(char *)schema_path, tmp, NULL};

		rc = test_run(argv, &out, 120000);
	}
	unlink(tmp);
	if (temporary)
		unlink(schema_path);
	cr_assert_eq(rc, 0, "ajv-check failed (%d): %s", rc, out ? out : "");
	compare(label, compiled, docs, out);
	free(out);
	json_decref(docs);
	schema_free(compiled);
	json_decref(doc);
	free(text);
}

static void agree_shipped(enum schema_id id, uint64_t seed)
{
	char rel[256], path[1024];

	snprintf(rel, sizeof(rel), "schemas/%s", schema_file_name(id));
	snprintf(path, sizeof(path), "%s", test_src(rel));
	agree_with_ajv(path, schema_file_name(id), seed, false);
}

Test(schema, ajv_agrees_on_request, .timeout = 300)
{
	agree_shipped(SCHEMA_REQUEST, 101);
}

Test(schema, ajv_agrees_on_response, .timeout = 300)
{
	agree_shipped(SCHEMA_RESPONSE, 102);
}

Test(schema, ajv_agrees_on_task, .timeout = 300)
{
	agree_shipped(SCHEMA_TASK, 103);
}

Test(schema, ajv_agrees_on_error, .timeout = 300)
{
	agree_shipped(SCHEMA_ERROR, 104);
}

Test(schema, ajv_agrees_on_cassette, .timeout = 300)
{
	agree_shipped(SCHEMA_CASSETTE, 105);
}

/* Every keyword of the subset at once, with limits that make code-point
 * counting, unanchored patterns, deep enum equality, unions and real
 * minimums matter. */
static const char kitchen_sink[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
    "\"title\":\"every keyword\",\"type\":\"object\","
    "\"required\":[\"name\",\"n\"],"
    "\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4},"
    "\"code\":{\"type\":\"string\",\"pattern\":\"[0-9]{2}\"},"
    "\"n\":{\"type\":[\"integer\",\"null\"],\"minimum\":-3,"
    "\"maximum\":7},"
    "\"x\":{\"type\":\"number\",\"minimum\":0.25,\"maximum\":0.75},"
    "\"pick\":{\"enum\":[1,\"one\",null,[1,2],{\"k\":[true]}]},"
    "\"list\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/Item\"}},"
    "\"never\":false,\"any\":true},"
    "\"additionalProperties\":{\"$ref\":\"#/$defs/Item\"},"
    "\"$defs\":{\"Item\":{\"type\":[\"string\",\"boolean\"],"
    "\"maxLength\":3}}}";

Test(schema, ajv_agrees_on_every_keyword, .timeout = 300)
{
	char path[] = "/tmp/blt-schema-sink-XXXXXX";
	char named[64];
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(named, sizeof(named), "%s.schema.json", path);
	cr_assert_eq(rename(path, named), 0);
	f = fopen(named, "w");
	cr_assert_not_null(f);
	fputs(kitchen_sink, f);
	cr_assert_eq(fclose(f), 0);
	agree_with_ajv(named, "every-keyword (test schema)", 106, true);
}
