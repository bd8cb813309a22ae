/* Unit tests for canonical JSON, its hash, the pretty printer and the
 * capped parser. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "blt/rng.h"

static json_t *parse(const char *text)
{
	struct blt_err err = {0, ""};
	json_t *v = canon_parse(text, strlen(text), 1 << 20, 64, &err);

	cr_assert_not_null(v, "parse %s: %s", text, err.msg);
	return v;
}

/* The canonical text of a document given as text. */
static char *canon_of(const char *text)
{
	json_t *v = parse(text);
	char *s = canon_text(v);

	cr_assert_not_null(s);
	json_decref(v);
	return s;
}

static void assert_canon(const char *text, const char *want)
{
	char *got = canon_of(text);

	cr_assert_str_eq(got, want, "canon(%s)", text);
	free(got);
}

static char *pretty_of(const json_t *v)
{
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 1 << 24);
	cr_assert_eq(canon_pretty(v, &b, &err), BLT_OK, "%s", err.msg);
	return buf_take(&b);
}

Test(canon, equivalent_documents_have_equal_text_and_hash)
{
	json_t *a = parse("{\"b\":1,\"a\":1.0}");
	json_t *b = parse("{ \"a\" : 1, \"b\" : 1e0 }");
	char *ta = canon_text(a);
	char *tb = canon_text(b);

	cr_assert_str_eq(ta, "{\"a\":1,\"b\":1}");
	cr_assert_str_eq(ta, tb);
	cr_assert_eq(canon_hash(a), canon_hash(b));
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
}

Test(canon, different_documents_have_different_hashes)
{
	static const char *const docs[] = {
		"{}", "[]", "null", "0", "1", "\"\"", "\"a\"",
		"{\"a\":1}", "{\"a\":2}", "{\"b\":1}", "{\"a\":\"1\"}",
		"[1,2]", "[2,1]", "{\"a\":[1]}", "{\"a\":{\"b\":1}}",
		"{\"MaxResults\":2}", "{\"MaxResults\":3}", "true", "false",
		"0.5", "{\"a\":null}", "{\"a\":1,\"b\":1}",
	};
	size_t n = sizeof(docs) / sizeof(docs[0]);
	uint64_t h[sizeof(docs) / sizeof(docs[0])];

	for (size_t i = 0; i < n; i++) {
		json_t *v = parse(docs[i]);

		h[i] = canon_hash(v);
		json_decref(v);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(h[i], h[j], "%s and %s collide", docs[i],
				      docs[j]);
	}
}

Test(canon, hash_is_fnv1a_of_the_canonical_text)
{
	json_t *v = parse("{\"b\":[1,2.5],\"a\":\"x\"}");
	char *t = canon_text(v);

	/* FNV-1a 64 of "" and "a" from the reference parameters. */
	cr_assert_eq(canon_hash_bytes("", 0), 0xcbf29ce484222325ULL);
	cr_assert_eq(canon_hash_bytes("a", 1), 0xaf63dc4c8601ec8cULL);
	cr_assert_eq(canon_hash(v), canon_hash_bytes(t, strlen(t)));
	free(t);
	json_decref(v);
}

Test(canon, numbers_are_normalised)
{
	assert_canon("1.0", "1");
	assert_canon("1e0", "1");
	assert_canon("100E-2", "1");
	assert_canon("-0", "0");
	assert_canon("-0.0", "0");
	assert_canon("0e10", "0");
	assert_canon("9007199254740992.0", "9007199254740992");
	assert_canon("-9007199254740992.0", "-9007199254740992");
	assert_canon("0.1", "0.1");
	assert_canon("1.5", "1.5");
	assert_canon("-2.25", "-2.25");
	assert_canon("1e300", "1e300");
	assert_canon("1.5e-7", "1.5e-7");
	assert_canon("1e20", "1e20");
	assert_canon("123456789.125", "123456789.125");
	assert_canon("1767323045.5", "1767323045.5");
	assert_canon("0.30000000000000004", "0.30000000000000004");
	assert_canon("9223372036854775807", "9223372036854775807");
	assert_canon("-9223372036854775808", "-9223372036854775808");
	assert_canon("[1.0,2,3e0]", "[1,2,3]");
}

/* Exponents and fractions that spell an integer come out as that integer,
 * in every writer and in the hash, through both parsers: a replay matches
 * MaxResults 1e2 with a recorded 100. */
Test(canon, integral_reals_are_written_as_integers)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"1e2", "100"},	 {"1E+2", "100"}, {"1e+2", "100"},
		{"1E2", "100"},	 {"100.0", "100"}, {"10.0", "10"},
		{"1e1", "10"},	 {"0.1e2", "10"}, {"1000e-2", "10"},
		{"-1e2", "-100"}, {"-10.0", "-10"}, {"2.5e1", "25"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		const char *want = cases[i].want;
		json_t *v = parse(t);
		json_t *w = parse(want);
		json_t *q = canon_parse_quick(t, strlen(t), 8);
		char *text = canon_text(v);
		char *pretty = pretty_of(v);
		struct blt_buf b;
		struct blt_err err;

		cr_assert_str_eq(text, want, "canon_text(%s)", t);
		cr_assert(strncmp(pretty, want, strlen(want)) == 0 &&
				  strcmp(pretty + strlen(want), "\n") == 0,
			  "canon_pretty(%s): %s", t, pretty);
		buf_init(&b, 64);
		cr_assert_eq(canon_compact(v, &b, &err), BLT_OK);
		cr_assert_str_eq(b.data, want, "canon_compact(%s)", t);
		cr_assert_eq(canon_hash(v), canon_hash(w), "hash(%s)", t);
		cr_assert_not_null(q, "the quick parser takes %s", t);
		cr_assert_eq(canon_hash(q), canon_hash(w), "quick hash(%s)", t);
		buf_free(&b);
		free(text);
		free(pretty);
		json_decref(q);
		json_decref(w);
		json_decref(v);
	}
	/* In a document: {"MaxResults":1e1} and {"MaxResults":10} match. */
	assert_canon("{\"MaxResults\":1e1}", "{\"MaxResults\":10}");
	assert_canon("{\"MaxResults\":10.0}", "{\"MaxResults\":10}");
}

Test(canon, shortest_reals_read_back_exactly)
{
	struct blt_rng r;
	char t[CANON_NUMBER_MAX];

	rng_seed(&r, 7);
	for (int i = 0; i < 20000; i++) {
		uint64_t bits = rng_next(&r);
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		canon_number(d, t);
		cr_assert_eq(strtod(t, NULL), d == 0 ? 0.0 : d, "%s", t);
		cr_assert_null(strchr(t, '+'), "%s", t);
		/* One digit fewer must not be enough (shortest form). */
		if (strchr(t, '.') || strchr(t, 'e')) {
			char shorter[400];
			int digits = 0;

			for (const char *p = t; *p && *p != 'e'; p++)
				digits += (*p >= '1' && *p <= '9') ||
					  (*p == '0' && digits > 0);
			if (digits > 1) {
				snprintf(shorter, sizeof(shorter), "%.*g",
					 digits - 1, d);
				cr_assert_neq(strtod(shorter, NULL), d,
					      "%s is not the shortest", t);
			}
		}
	}
}

Test(canon, strings_escape_only_what_json_requires)
{
	json_t *v = json_stringn("a\"b\\c\n\t\x01\x1f/\xc3\xa9\xe2\x82\xac"
				 "\x7f\0z",
				 18);
	char *t;

	cr_assert_not_null(v);
	t = canon_text(v);
	cr_assert_str_eq(t, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/"
			    "\xc3\xa9\xe2\x82\xac\x7f\\u0000z\"");
	free(t);
	json_decref(v);
	assert_canon("\"\\u00e9\\/\\b\\f\\r\"", "\"\xc3\xa9/\\b\\f\\r\"");
}

Test(canon, keys_sort_by_bytes_at_every_level)
{
	assert_canon("{\"b\":{\"z\":1,\"Z\":2,\"a\":[{\"y\":1,\"x\":2}]},"
		     "\"a\":0,\"\xc3\xa9\":1,\"ab\":2,\"\":3}",
		     "{\"\":3,\"a\":0,\"ab\":2,\"b\":{\"Z\":2,\"a\":[{\"x\":2,"
		     "\"y\":1}],\"z\":1},\"\xc3\xa9\":1}");
}

Test(canon, pretty_keeps_insertion_order_and_indents)
{
	json_t *v = parse("{\"b\":[1,2.50,{}],\"a\":{\"y\":[],\"x\":null}}");
	char *p = pretty_of(v);

	cr_assert_str_eq(p, "{\n"
			    "  \"b\": [\n"
			    "    1,\n"
			    "    2.5,\n"
			    "    {}\n"
			    "  ],\n"
			    "  \"a\": {\n"
			    "    \"y\": [],\n"
			    "    \"x\": null\n"
			    "  }\n"
			    "}\n");
	free(p);
	json_decref(v);
}

Test(canon, pretty_round_trip_is_byte_stable)
{
	static const char *const docs[] = {
		"{\"a\":1.0,\"b\":[1e300,-0.0,0.1,1e20,123e-20],\"c\":\"\\u0001"
		"\xc3\xa9\",\"d\":{\"z\":{},\"y\":[[]]},\"e\":9007199254740993}",
		"[1,2,3]",
		"\"x\"",
		"{\"BatchLoadTasks\":[{\"TaskId\":\"ABC\",\"CreationTime\":"
		"1767323045.5}],\"NextToken\":\"t\"}",
		"9007199254740994.0",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *a = parse(docs[i]);
		char *pa = pretty_of(a);
		json_t *b = parse(pa);
		char *pb = pretty_of(b);

		cr_assert_str_eq(pa, pb, "document %zu", i);
		cr_assert_eq(canon_hash(a), canon_hash(b), "document %zu", i);
		free(pa);
		free(pb);
		json_decref(a);
		json_decref(b);
	}
}

Test(canon, compact_keeps_order_and_normalises_numbers)
{
	json_t *v = parse("{\"b\": 1.0, \"a\": [0.5, \"x\"]}");
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 1024);
	cr_assert_eq(canon_compact(v, &b, &err), BLT_OK);
	cr_assert_str_eq(b.data, "{\"b\":1,\"a\":[0.5,\"x\"]}");
	buf_free(&b);
	json_decref(v);
}

Test(canon, writer_respects_the_buffer_cap)
{
	json_t *v = parse("{\"a\":\"0123456789\"}");
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 8);
	cr_assert_eq(canon_write(v, &b, &err), BLT_ELIMIT);
	cr_assert_eq(b.len, 0, "a failed write leaves the buffer as it was");
	buf_free(&b);
	json_decref(v);
}

Test(canon, parse_errors_say_where)
{
	struct blt_err err = {0, ""};
	const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";

	cr_assert_null(canon_parse(text, strlen(text), 1024, 8, &err));
	cr_assert_eq(err.code, BLT_EPARSE);
	cr_assert(strncmp(err.msg, "line 3, column ", 15) == 0, "%s",
		  err.msg);
	cr_assert_null(canon_parse("{\"a\":1,\"a\":2}", 13, 1024, 8, &err));
	cr_assert(strstr(err.msg, "duplicate") != NULL, "%s", err.msg);
	cr_assert_null(canon_parse("{} x", 4, 1024, 8, &err),
		   "trailing text is an error");
	cr_assert_null(canon_parse("{\"a\"", 4, 1024, 8, &err));
	cr_assert(strncmp(err.msg, "line 1, column ", 15) == 0, "%s",
		  err.msg);
}

/* Columns count from 1 everywhere, also where the input ends right after a
 * newline (jansson says column 0 there) and where it is empty. */
Test(canon, parse_error_columns_count_from_one)
{
	static const struct {
		const char *text;
		int line, column;
	} cases[] = {
		{"{\"a\":\n", 2, 1},
		{"", 1, 1},
		{"\n\n", 3, 1},
		{"{\"a\": [1,\n2,\n", 3, 1},
		{"{\"a\": 1,\n}", 2, 1},
		{"{\n\"a\" 1}", 2, 5},
	};
	struct blt_err err = {0, ""};
	struct canon_pos pos;
	char want[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;

		cr_assert_null(canon_parse_at(t, strlen(t), 1024, 8, &pos,
					      &err));
		cr_assert_eq(pos.line, cases[i].line, "case %zu: line %d", i,
			     pos.line);
		cr_assert_eq(pos.column, cases[i].column,
			     "case %zu: column %d", i, pos.column);
		cr_assert_null(canon_parse(t, strlen(t), 1024, 8, &err));
		snprintf(want, sizeof(want), "line %d, column %d: ",
			 cases[i].line, cases[i].column);
		cr_assert(strncmp(err.msg, want, strlen(want)) == 0,
			  "case %zu: %s", i, err.msg);
	}
}

Test(canon, parse_enforces_length_and_depth)
{
	struct blt_err err = {0, ""};
	struct canon_pos pos;
	const char *text;
	char deep[4096];
	size_t n = 0;
	json_t *v;

	cr_assert_null(canon_parse("[1,2,3]", 7, 6, 8, &err));
	cr_assert_eq(err.code, BLT_ELIMIT);
	cr_assert(strstr(err.msg, "7 bytes") != NULL, "%s", err.msg);

	/* Exactly the limit passes; one more level fails where it opens. */
	for (int i = 0; i < 8; i++)
		deep[n++] = '[';
	for (int i = 0; i < 8; i++)
		deep[n++] = ']';
	v = canon_parse(deep, n, sizeof(deep), 8, &err);
	cr_assert_not_null(v, "%s", err.msg);
	json_decref(v);
	cr_assert_null(canon_parse_at(deep, n, sizeof(deep), 7, &pos, &err));
	cr_assert_eq(err.code, BLT_ELIMIT);
	cr_assert_eq(pos.line, 1);
	cr_assert_eq(pos.column, 8);
	cr_assert(strstr(err.msg, "deeper than 7") != NULL, "%s", err.msg);

	/* Brackets inside strings do not count. */
	text = "[\"[[[[[[[[[[\\\"[[[\"]";
	v = canon_parse(text, strlen(text), 100, 2, &err);
	cr_assert_not_null(v, "%s", err.msg);
	json_decref(v);

	/* A very deep document is refused without recursing. */
	memset(deep, '[', sizeof(deep));
	cr_assert_null(canon_parse(deep, sizeof(deep), sizeof(deep), 64, &err));
	cr_assert(strstr(err.msg, "line 1, column 65") != NULL, "%s",
		  err.msg);
}

Test(canon, writers_refuse_documents_nested_too_deep)
{
	json_t *root = json_array();
	json_t *cur = root;
	struct blt_buf b;
	struct blt_err err;
	uint64_t h;

	for (int i = 0; i < CANON_WRITE_DEPTH_MAX + 5; i++) {
		json_t *next = json_array();

		json_array_append_new(cur, next);
		cur = next;
	}
	buf_init(&b, 1 << 20);
	cr_assert_eq(canon_write(root, &b, &err), BLT_ELIMIT);
	cr_assert_eq(canon_hash_checked(root, &h, &err), BLT_ELIMIT);
	cr_assert_eq(h, 0);
	buf_free(&b);
	json_decref(root);
}

/* canon_parse_quick must give exactly jansson's value (types, values, key
 * order) or NULL. Returns 1 when the quick parser took the text. */
static int assert_quick_agrees(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *want = json_loadb(text, len,
				  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				  &jerr);
	json_t *got = canon_parse_quick(text, len, 64);
	char *pw;
	char *pg;

	if (!got) {
		json_decref(want);
		return 0;
	}
	cr_assert_not_null(want, "quick took what jansson refuses: %.*s",
			   (int)len, text);
	cr_assert(json_equal(want, got), "values differ: %.*s", (int)len,
		  text);
	pw = pretty_of(want);
	pg = pretty_of(got);
	cr_assert_str_eq(pg, pw, "order or types differ: %.*s", (int)len,
			 text);
	free(pw);
	free(pg);
	json_decref(want);
	json_decref(got);
	return 1;
}

Test(canon, quick_parser_takes_only_what_jansson_takes_alike)
{
	static const char *const docs[] = {
		"{}", "[]", " [ ] ", "0", "-0", "-0.0", "1.0", "1e0", "1E+2",
		"1e-2", "-12.5e-3", "123456789012345678",
		"-123456789012345678", "1234567890123456789", "1e400",
		"1e-400", "01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10",
		"true", "false", "null", "truex", "nul", "True", "[true1]",
		"\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\"",
		"\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\x\"", "\"a\tb\"",
		"\"\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"",
		"\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\x80\"", "\"\xc3\"",
		"\"\x7f\"", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":[1,{}]}}",
		"{\"b\":1,\"a\":2}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}",
		"{1:2}", "[1]x", "[1] ", "\n\t\r [1]\n", "{\"\":0}",
		"{\"a\\nb\":\"c\\\"d\"}", "\"unterminated", "[\"\\", "[",
		"{\"k\":\"v\",\"k2\":[1.5,-2,true,null,\"s\"]}",
	};
	size_t n = sizeof(docs) / sizeof(docs[0]);
	int took = 0;

	for (size_t i = 0; i < n; i++)
		took += assert_quick_agrees(docs[i], strlen(docs[i]));
	cr_assert_gt(took, 20, "the quick parser should take most of these");
	/* A NUL byte, by length, in and out of strings. */
	assert_quick_agrees("\"a\0b\"", 5);
	assert_quick_agrees("[1,\0]", 5);
	/* Depth beyond its limit is not taken. */
	cr_assert_null(canon_parse_quick("[[[1]]]", 7, 2));
}

/* Appends a random JSON value of at most depth levels to b. */
static void random_json(struct blt_rng *r, struct blt_buf *b, int depth)
{
	static const char *const atoms[] = {
		"0", "-1", "17", "2.5", "-0.25e3", "1E9", "true", "false",
		"null", "\"\"", "\"abc\"", "\"tab\\tnl\\n\"", "\"\xc3\xa9t\xc3\xa9\"",
		"\"q\\\"\\\\\"", "\"\\u0041\"", "123456789012345678901", "1e-7",
	};
	uint64_t k = rng_below(r, depth > 0 ? 4 : 2);

	if (k < 2) {
		buf_puts(b, atoms[rng_below(r, sizeof(atoms) / sizeof(*atoms))],
			 NULL);
		return;
	}
	buf_puts(b, k == 2 ? "[" : "{", NULL);
	for (uint64_t i = 0, n = rng_below(r, 5); i < n; i++) {
		if (i > 0)
			buf_puts(b, rng_below(r, 2) ? "," : " ,\n ", NULL);
		if (k == 3)
			buf_printf(b, NULL, "\"k%u\":",
				   (unsigned)rng_below(r, 6));
		random_json(r, b, depth - 1);
	}
	buf_puts(b, k == 2 ? "]" : "}", NULL);
}

Test(canon, quick_parser_agrees_on_random_and_damaged_documents)
{
	struct blt_rng r;
	struct blt_buf b;
	int took = 0;

	rng_seed(&r, 42);
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 3000; i++) {
		buf_reset(&b);
		random_json(&r, &b, 4);
		took += assert_quick_agrees(b.data, b.len);
		/* The same text with one byte changed or cut short. */
		if (b.len > 1) {
			size_t at = (size_t)rng_below(&r, b.len);

			b.data[at] = "{}[]\",:\\ 0a\x80"[rng_below(&r, 13)];
			assert_quick_agrees(b.data, b.len);
			assert_quick_agrees(b.data, at);
		}
	}
	buf_free(&b);
	cr_assert_gt(took, 1000, "took %d", took);
}

static const char *split_spans(const char *text, struct canon_split *s)
{
	static char out[512];
	struct canon_pos pos;
	struct blt_err err = {0, ""};
	size_t o = 0;

	cr_assert_eq(canon_split_array(text, strlen(text), "items", 64, 100, s,
				       &pos, &err),
		     BLT_OK, "%s", err.msg);
	for (size_t i = 0; i < s->n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "<%.*s>",
				      (int)(s->spans[i].end - s->spans[i].start),
				      text + s->spans[i].start);
	out[o] = '\0';
	return out;
}

Test(canon, split_finds_the_elements_of_one_member)
{
	struct canon_split s;
	const char *t = "{\"a\":[1,2],\"m\":{\"items\":[9]},"
			"\"items\": [ {\"x\":\",]\\\"\"}, [1,2] ,\"s\"],\"z\":0}";

	cr_assert_str_eq(split_spans(t, &s),
			 "< {\"x\":\",]\\\"\"}>< [1,2] ><\"s\">");
	cr_assert_eq(s.found, 1);
	cr_assert_eq(t[s.open], '[');
	cr_assert_eq(t[s.close], ']');
	cr_assert_str_eq(t + s.close, "],\"z\":0}");
	canon_split_free(&s);

	cr_assert_str_eq(split_spans("{\"items\":[ \n ]}", &s), "");
	cr_assert_eq(s.found, 1);
	canon_split_free(&s);
	/* Empty elements are kept for the parser to refuse. */
	cr_assert_str_eq(split_spans("{\"items\":[1,,2,]}", &s),
			 "<1><><2><>");
	canon_split_free(&s);

	/* Shapes it leaves alone. */
	static const char *const no[] = {
		"[{\"items\":[1]}]", "{\"other\":[1]}", "{\"items\":1}",
		"{\"it\\u0065ms\":[1]}", "{\"items\":[1],\"items\":[2]}",
		"{\"items\":[1}", "{\"items\":[1,2", "\"items\"",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		split_spans(no[i], &s);
		cr_assert_eq(s.found, 0, "%s", no[i]);
		cr_assert_eq(s.n, 0);
		canon_split_free(&s);
	}
}

Test(canon, split_caps_elements_and_checks_depth_like_the_parser)
{
	struct canon_split s;
	struct canon_pos pos;
	struct canon_pos want;
	struct blt_err err = {0, ""};
	struct blt_err werr = {0, ""};
	char many[512];
	const char *deep = "{\"items\":[1,\n  [[[[\"[[[[[\"]]]],\n [[[[[[]]]]]]]}";
	size_t n = (size_t)snprintf(many, sizeof(many), "{\"items\":[");

	for (int i = 0; i < 101; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%d",
				      i ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "]}");
	cr_assert_eq(canon_split_array(many, strlen(many), "items", 64, 100,
				       &s, &pos, &err),
		     BLT_OK);
	cr_assert_eq(s.found, 0, "more than max_items is not split");
	canon_split_free(&s);

	cr_assert_null(canon_parse_at(deep, strlen(deep), 1024, 7, &want,
				      &werr));
	cr_assert_eq(canon_split_array(deep, strlen(deep), "items", 7, 100,
				       &s, &pos, &err),
		     BLT_ELIMIT);
	cr_assert_str_eq(err.msg, werr.msg);
	cr_assert_eq(pos.line, want.line);
	cr_assert_eq(pos.column, want.column);
	cr_assert_eq(pos.line, 3);
	cr_assert_eq(s.n, 0);
	canon_split_free(&s);
}

Test(canon, write_without_leaves_out_one_outer_member)
{
	json_t *v = json_loads("{\"b\":1,\"NextToken\":\"x\",\"a\":{\"NextToken"
			       "\":2}}", 0, NULL);
	json_t *only = json_loads("{\"NextToken\":\"x\"}", 0, NULL);
	struct blt_buf b;

	buf_init(&b, 1024);
	cr_assert_eq(canon_write_without(v, "NextToken", &b, NULL), BLT_OK);
	cr_assert_str_eq(b.data, "{\"a\":{\"NextToken\":2},\"b\":1}");
	buf_reset(&b);
	cr_assert_eq(canon_write_without(only, "NextToken", &b, NULL), BLT_OK);
	cr_assert_str_eq(b.data, "{}");
	buf_reset(&b);
	cr_assert_eq(canon_write_without(v, "absent", &b, NULL), BLT_OK);
	cr_assert_str_eq(b.data,
			 "{\"NextToken\":\"x\",\"a\":{\"NextToken\":2},\"b\":1}");
	buf_free(&b);
	json_decref(v);
	json_decref(only);
}
