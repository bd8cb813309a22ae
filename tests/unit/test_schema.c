/* Unit tests for the JSON Schema subset validator and the shipped schemas. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/schema.h"
#include "blt_test.h"

#define MAXV 16

/* Compiles schema text; the test fails if it does not compile. */
static struct schema *compile_text(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);
	struct schema *s = NULL;
	struct blt_err err = {0};

	cr_assert_not_null(doc, "bad schema text: %s", jerr.text);
	cr_assert_eq(schema_compile(doc, &s, &err), BLT_OK, "%s", err.msg);
	json_decref(doc);
	return s;
}

/* The error message of a schema that must not compile. */
static const char *compile_error(const char *text)
{
	static struct blt_err err;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
	struct schema *s = NULL;

	cr_assert_not_null(doc);
	cr_assert_neq(schema_compile(doc, &s, &err), BLT_OK,
		      "compiled but should not: %s", text);
	cr_assert_null(s);
	json_decref(doc);
	return err.msg;
}

/* Validates instance text; returns the count and keeps the violations. */
static size_t run(const struct schema *s, const char *text,
		  struct schema_violation *v)
{
	json_error_t jerr;
	json_t *inst = json_loads(text, JSON_DECODE_ANY, &jerr);
	size_t n;

	cr_assert_not_null(inst, "bad instance %s: %s", text, jerr.text);
	n = schema_validate(s, inst, v, MAXV);
	json_decref(inst);
	return n;
}

static void expect_valid(const struct schema *s, const char *text)
{
	struct schema_violation v[MAXV];
	size_t n = run(s, text, v);

	cr_assert_eq(n, 0, "%s: expected valid, got %zu: %s: %s", text, n,
		     n ? v[0].pointer : "", n ? v[0].message : "");
}

/* Expects exactly one violation at pointer whose message contains part. */
static void expect_one(const struct schema *s, const char *text,
		       const char *pointer, const char *part)
{
	struct schema_violation v[MAXV];
	size_t n = run(s, text, v);

	cr_assert_eq(n, 1, "%s: expected 1 violation, got %zu", text, n);
	cr_assert_str_eq(v[0].pointer, pointer, "%s", text);
	cr_assert(strstr(v[0].message, part) != NULL,
		  "%s: message \"%s\" lacks \"%s\"", text, v[0].message, part);
}

Test(schema, type_single_and_union)
{
	struct schema *s = compile_text("{\"type\":\"string\"}");
	struct schema *u = compile_text("{\"type\":[\"integer\",\"null\"]}");

	expect_valid(s, "\"x\"");
	expect_one(s, "5", "", "5 is an integer, not string (type)");
	expect_one(s, "null", "", "not string (type)");
	expect_valid(u, "3");
	expect_valid(u, "null");
	expect_one(u, "\"3\"", "",
		   "\"3\" is a string, not null or integer (type)");
	expect_one(u, "true", "", "(type)");
	schema_free(s);
	schema_free(u);
}

Test(schema, integer_accepts_integral_reals)
{
	struct schema *s = compile_text("{\"type\":\"integer\"}");
	struct schema *num = compile_text("{\"type\":\"number\"}");

	expect_valid(s, "7");
	expect_valid(s, "7.0");
	expect_valid(s, "1e3");
	expect_valid(s, "-0.0");
	expect_one(s, "7.5", "", "(type)");
	expect_one(s, "[]", "", "found an array, not integer (type)");
	expect_valid(num, "7");
	expect_valid(num, "7.25");
	expect_one(num, "\"7\"", "", "not number (type)");
	schema_free(s);
	schema_free(num);
}

Test(schema, every_type_name)
{
	static const char *const names[] = {"null",   "boolean", "integer",
					    "number", "string",	 "array",
					    "object"};
	static const char *const values[] = {"null",  "false", "1", "1.5",
					     "\"s\"", "[]",    "{}"};

	for (size_t t = 0; t < 7; t++) {
		char text[64];
		struct schema *s;

		snprintf(text, sizeof(text), "{\"type\":\"%s\"}", names[t]);
		s = compile_text(text);
		for (size_t v = 0; v < 7; v++) {
			bool want = v == t || (t == 3 && v == 2);

			cr_assert_eq(run(s, values[v], NULL) == 0, want,
				     "type %s, value %s", names[t], values[v]);
		}
		schema_free(s);
	}
}

Test(schema, properties_required_additional)
{
	struct schema *s =
	    compile_text("{\"type\":\"object\",\"required\":[\"a\",\"b\"],"
			 "\"properties\":{\"a\":{\"type\":\"string\"},"
			 "\"b\":{\"type\":\"integer\"}},"
			 "\"additionalProperties\":false}");
	struct schema_violation v[MAXV];

	expect_valid(s, "{\"a\":\"x\",\"b\":1}");
	expect_one(s, "{\"a\":\"x\"}", "",
		   "the required member \"b\" is missing (required)");
	expect_one(s, "{\"a\":\"x\",\"b\":1,\"c\":0}", "/c",
		   "\"c\" is not allowed (additionalProperties false)");
	expect_one(s, "{\"a\":1,\"b\":1}", "/a", "(type)");
	expect_one(s, "[1]", "", "found an array, not object (type)");
	cr_assert_eq(run(s, "{\"c\":true,\"d\":null}", v), 4,
		     "two missing plus two extra");
	schema_free(s);
}

Test(schema, additional_properties_schema_and_true)
{
	struct schema *s =
	    compile_text("{\"properties\":{\"a\":{\"type\":\"integer\"}},"
			 "\"additionalProperties\":{\"type\":\"string\"}}");
	struct schema *t = compile_text("{\"additionalProperties\":true}");

	expect_valid(s, "{\"a\":1,\"x\":\"y\"}");
	expect_one(s, "{\"a\":1,\"x\":2}", "/x", "not string (type)");
	expect_valid(t, "{\"x\":[1,{}]}");
	expect_valid(s, "[1]"); /* object keywords ignore other types */
	schema_free(s);
	schema_free(t);
}

Test(schema, items)
{
	struct schema *s =
	    compile_text("{\"type\":\"array\",\"items\":{\"type\":\"integer\","
			 "\"minimum\":0}}");
	struct schema_violation v[MAXV];

	expect_valid(s, "[]");
	expect_valid(s, "[0,1,2.0]");
	expect_one(s, "[0,1,-1]", "/2", "-1 is less than 0 (minimum)");
	cr_assert_eq(run(s, "[\"a\",1,-2,3.5]", v), 3);
	cr_assert_str_eq(v[0].pointer, "/0");
	cr_assert_str_eq(v[1].pointer, "/2");
	cr_assert_str_eq(v[2].pointer, "/3");
	schema_free(s);
}

Test(schema, enum_deep_equality)
{
	struct schema *s = compile_text(
	    "{\"enum\":[1,\"CREATED\",null,[1,{\"a\":2}],{\"x\":1,\"y\":[]}]}");

	expect_valid(s, "1");
	expect_valid(s, "1.0");
	expect_valid(s, "\"CREATED\"");
	expect_valid(s, "null");
	expect_valid(s, "[1.0,{\"a\":2}]");
	expect_valid(s, "{\"y\":[],\"x\":1}");
	expect_one(s, "\"created\"", "", "\"created\" is not one of");
	expect_one(s, "2", "", "(enum)");
	expect_one(s, "false", "", "(enum)");
	expect_one(s, "[1,{\"a\":2,\"b\":3}]", "", "(enum)");
	expect_one(s, "{\"x\":1}", "", "(enum)");
	expect_one(s, "\" CREATED\"", "", "(enum)");
	schema_free(s);
}

Test(schema, minimum_maximum)
{
	struct schema *s = compile_text("{\"minimum\":1,\"maximum\":100}");
	struct schema *f = compile_text("{\"minimum\":0.5}");

	expect_valid(s, "1");
	expect_valid(s, "100");
	expect_valid(s, "100.0");
	expect_valid(s, "\"not a number\"");
	expect_one(s, "0", "", "0 is less than 1 (minimum)");
	expect_one(s, "101", "", "101 is greater than 100 (maximum)");
	expect_one(s, "100.5", "", "(maximum)");
	expect_one(s, "2147483648", "", "greater than 100");
	expect_valid(f, "0.5");
	expect_one(f, "0.25", "", "less than 0.5 (minimum)");
	schema_free(s);
	schema_free(f);
}

Test(schema, lengths_count_code_points)
{
	struct schema *s = compile_text("{\"minLength\":3,\"maxLength\":4}");

	expect_valid(s, "\"abc\"");
	expect_valid(s, "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""); /* 8 bytes */
	expect_valid(s, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"");
	expect_valid(s, "\"\\ud83d\\ude00ab\"");
	expect_one(s, "\"ab\"", "", "\"ab\" is shorter than 3 characters");
	expect_one(s, "\"\xe6\x97\xa5\xe6\x9c\xac\"", "",
		   "shorter than 3 characters (minLength)");
	expect_one(s, "\"abcde\"", "", "longer than 4 characters (maxLength)");
	expect_valid(s, "12");
	schema_free(s);
}

Test(schema, pattern_is_an_unanchored_search)
{
	struct schema *a = compile_text("{\"pattern\":\"^[A-Z0-9]+$\"}");
	struct schema *u = compile_text("{\"pattern\":\"b+c\"}");

	expect_valid(a, "\"ABC123\"");
	expect_one(a, "\"ABc\"", "", "does not match ^[A-Z0-9]+$ (pattern)");
	expect_one(a, "\"ABC\\n\"", "", "(pattern)");
	expect_one(a, "\"\xc3\x84\x42\x43\"", "", "(pattern)");
	expect_one(a, "\"\"", "", "(pattern)");
	expect_valid(a, "42");
	expect_valid(u, "\"aabbcd\"");
	expect_one(u, "\"acb\"", "", "(pattern)");
	schema_free(a);
	schema_free(u);
}

Test(schema, refs_to_defs)
{
	struct schema *s = compile_text(
	    "{\"$defs\":{\"T\":{\"type\":\"string\",\"maxLength\":1},"
	    "\"a/b~c\":{\"type\":\"integer\"}},"
	    "\"properties\":{\"t\":{\"$ref\":\"#/$defs/T\"},"
	    "\"n\":{\"$ref\":\"#/$defs/a~1b~0c\"},"
	    "\"l\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/T\"}}}}");

	expect_valid(s, "{\"t\":\"x\",\"n\":3,\"l\":[\"a\",\"b\"]}");
	expect_one(s, "{\"t\":\"xy\"}", "/t", "(maxLength)");
	expect_one(s, "{\"n\":\"3\"}", "/n", "(type)");
	expect_one(s, "{\"l\":[\"a\",\"bc\"]}", "/l/1", "(maxLength)");
	schema_free(s);
}

Test(schema, boolean_schemas)
{
	struct schema *t = compile_text("true");
	struct schema *f = compile_text("false");
	struct schema *p = compile_text("{\"properties\":{\"no\":false}}");

	expect_valid(t, "{\"anything\":[1]}");
	expect_one(f, "1", "", "false schema");
	expect_valid(p, "{\"yes\":1}");
	expect_one(p, "{\"no\":1}", "/no", "false schema");
	schema_free(t);
	schema_free(f);
	schema_free(p);
}

Test(schema, pointers_are_escaped)
{
	struct schema *s =
	    compile_text("{\"additionalProperties\":{\"type\":\"array\","
			 "\"items\":{\"type\":\"string\"}}}");

	expect_one(s, "{\"a/b\":[\"x\",1]}", "/a~1b/1", "(type)");
	expect_one(s, "{\"m~n\":[2]}", "/m~0n/0", "(type)");
	expect_one(s, "{\"~/\":[\"\",{}]}", "/~0~1/1", "(type)");
	expect_one(s, "{\"\":[null]}", "//0", "(type)");
	schema_free(s);
}

Test(schema, annotations_are_ignored)
{
	struct schema *s = compile_text(
	    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	    "\"$id\":\"x\",\"title\":\"t\",\"description\":\"d\","
	    "\"$comment\":\"c\",\"examples\":[1],\"default\":2,"
	    "\"type\":\"integer\"}");

	expect_valid(s, "3");
	expect_one(s, "\"3\"", "", "(type)");
	schema_free(s);
}

Test(schema, unknown_keywords_are_refused)
{
	cr_assert(strstr(compile_error("{\"oneOf\":[]}"),
			 "unsupported keyword \"oneOf\""));
	cr_assert(strstr(compile_error("{\"properties\":{\"a\":"
				       "{\"format\":\"date\"}}}"),
			 "/properties/a: unsupported keyword \"format\""));
	cr_assert(strstr(compile_error("{\"$defs\":{\"X\":{\"const\":1}}}"),
			 "/$defs/X: unsupported keyword \"const\""));
	cr_assert(strstr(compile_error("{\"items\":{\"minItems\":1}}"),
			 "\"minItems\""));
}

Test(schema, malformed_schemas_are_refused)
{
	cr_assert(strstr(compile_error("{\"type\":\"float\"}"), "\"type\""));
	cr_assert(strstr(compile_error("{\"type\":[]}"), "\"type\""));
	cr_assert(strstr(compile_error("{\"minimum\":\"1\"}"), "minimum"));
	cr_assert(strstr(compile_error("{\"minLength\":-1}"), "minLength"));
	cr_assert(strstr(compile_error("{\"maxLength\":1.5}"), "maxLength"));
	cr_assert(strstr(compile_error("{\"required\":[1]}"), "required"));
	cr_assert(strstr(compile_error("{\"enum\":1}"), "enum"));
	cr_assert(strstr(compile_error("{\"pattern\":\"[a-\"}"), "pattern"));
	cr_assert(strstr(compile_error("{\"items\":[{}]}"), "/items"));
	cr_assert(strstr(compile_error("{\"$ref\":\"#/$defs/None\"}"), "None"));
	cr_assert(
	    strstr(compile_error("{\"$ref\":\"other.json\"}"), "#/$defs/NAME"));
	cr_assert(strstr(compile_error("{\"$defs\":{\"A\":{\"$ref\":"
				       "\"#/$defs/B\"},\"B\":{\"$ref\":"
				       "\"#/$defs/A\"}}}"),
			 "cycle"));
	cr_assert(strstr(compile_error("{\"items\":{\"$defs\":{}}}"), "$defs"));
	cr_assert(strstr(compile_error("3"), "object or a boolean"));
}

Test(schema, all_violations_counted_beyond_max)
{
	struct schema *s = compile_text("{\"items\":{\"type\":\"string\"}}");
	json_t *arr = json_array();
	struct schema_violation v[2];
	struct blt_err err;

	for (int i = 0; i < 50; i++)
		json_array_append_new(arr, json_integer(i));
	cr_assert_eq(schema_validate(s, arr, v, 2), 50);
	cr_assert_str_eq(v[1].pointer, "/1");
	cr_assert_eq(schema_validate(s, arr, NULL, 0), 50);
	cr_assert_eq(schema_check(s, arr, &err), BLT_EINVAL);
	cr_assert_str_eq(err.msg, "/0: 0 is an integer, not string (type) "
				  "(and 49 more violations)");
	json_decref(arr);
	schema_free(s);
}

Test(schema, long_values_and_pointers_are_clipped)
{
	struct schema *s =
	    compile_text("{\"additionalProperties\":{\"maxLength\":1}}");
	struct schema_violation v[1];
	char key[600], val[600];
	json_t *doc;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	doc = json_pack("{s:s}", key, val);
	cr_assert_eq(schema_validate(s, doc, v, 1), 1);
	cr_assert_eq(strlen(v[0].pointer), sizeof(v[0].pointer) - 1);
	cr_assert(strstr(v[0].pointer, "...") != NULL);
	cr_assert(strstr(v[0].message, "(maxLength)") != NULL, "%s",
		  v[0].message);
	json_decref(doc);
	schema_free(s);
}

Test(schema, deep_instances_stop_at_the_limit)
{
	struct schema *s =
	    compile_text("{\"$defs\":{\"N\":{\"type\":\"array\",\"items\":"
			 "{\"$ref\":\"#/$defs/N\"}}},\"$ref\":\"#/$defs/N\"}");
	json_t *doc = json_array();
	struct schema_violation v[1];

	for (int i = 0; i < 1000; i++) {
		json_t *outer = json_array();

		json_array_append_new(outer, doc);
		doc = outer;
	}
	cr_assert_eq(schema_validate(s, doc, v, 1), 1);
	cr_assert(strstr(v[0].message, "deeper") != NULL, "%s", v[0].message);
	json_decref(doc);
	schema_free(s);
}

Test(schema, every_shipped_schema_compiles)
{
	for (int id = 0; id < SCHEMA_COUNT; id++) {
		char rel[128];
		char *text;
		json_t *doc;
		struct schema *s = NULL;
		struct blt_err err = {0};

		cr_assert_not_null(schema_builtin((enum schema_id)id),
				   "built-in %s", schema_file_name(id));
		snprintf(rel, sizeof(rel), "schemas/%s", schema_file_name(id));
		text = test_slurp(test_src(rel), NULL);
		cr_assert_not_null(text, "%s", rel);
		doc = json_loads(text, 0, NULL);
		cr_assert_not_null(doc, "%s", rel);
		cr_assert_eq(schema_compile(doc, &s, &err), BLT_OK, "%s: %s",
			     rel, err.msg);
		schema_free(s);
		json_decref(doc);
		free(text);
	}
	cr_assert_null(schema_builtin(SCHEMA_COUNT));
	cr_assert_null(schema_file_name(SCHEMA_COUNT));
}

static json_t *load_src_json(const char *rel)
{
	char *text = test_slurp(test_src(rel), NULL);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;

	cr_assert_not_null(doc, "%s", rel);
	free(text);
	return doc;
}

Test(schema, response_inlines_the_task_schema)
{
	json_t *task = load_src_json("schemas/batch-load-task.schema.json");
	json_t *resp =
	    load_src_json("schemas/list-batch-load-tasks-response.schema.json");
	static const char *const drop[] = {"$schema", "$id", "title",
					   "description"};
	json_t *inl =
	    json_object_get(json_object_get(resp, "$defs"), "BatchLoadTask");
	json_t *items =
	    json_object_get(json_object_get(json_object_get(resp, "properties"),
					    "BatchLoadTasks"),
			    "items");

	for (size_t i = 0; i < 4; i++)
		json_object_del(task, drop[i]);
	cr_assert_not_null(inl);
	cr_assert(json_equal(task, inl),
		  "$defs/BatchLoadTask differs from batch-load-task.schema");
	cr_assert_str_eq(json_string_value(json_object_get(items, "$ref")),
			 "#/$defs/BatchLoadTask");
	json_decref(task);
	json_decref(resp);
}

Test(schema, builtin_response_and_request)
{
	const struct schema *resp = schema_builtin(SCHEMA_RESPONSE);
	const struct schema *req = schema_builtin(SCHEMA_REQUEST);

	expect_valid(resp, "{\"BatchLoadTasks\":[{\"TaskId\":\"AB1\","
			   "\"TaskStatus\":\"FAILED\",\"CreationTime\":1.5e9}],"
			   "\"NextToken\":\"t\"}");
	expect_valid(resp, "{}");
	expect_one(resp, "{\"BatchLoadTasks\":[{},{},{\"TaskId\":\"AB\"}]}",
		   "/BatchLoadTasks/2/TaskId", "(minLength)");
	expect_one(resp, "{\"BatchLoadTasks\":[{\"TaskStatus\":\"RUNNING\"}]}",
		   "/BatchLoadTasks/0/TaskStatus", "(enum)");
	expect_valid(req, "{\"MaxResults\":100,\"TaskStatus\":\"CREATED\"}");
	expect_one(req, "{\"MaxResults\":0}", "/MaxResults", "(minimum)");
	expect_one(req, "{\"MaxResults\":1.5}", "/MaxResults", "(type)");
	expect_one(req, "{\"NextToken\":\"\"}", "/NextToken", "(minLength)");
	expect_one(req, "{\"maxResults\":1}", "/maxResults",
		   "(additionalProperties false)");
}

Test(schema, builtin_cassette)
{
	const struct schema *c = schema_builtin(SCHEMA_CASSETTE);
	struct schema_violation v[MAXV];
	const char *good =
	    "{\"blt_cassette\":1,\"meta\":{\"recorded_at\":\"2024-01-01T00:"
	    "00:00Z\",\"upstream\":\"http://x\",\"tool\":\"blt-proxy "
	    "0.1.0\"},\"interactions\":[{\"id\":1,\"request\":{\"method\":"
	    "\"POST\",\"path\":\"/\",\"operation\":\"ListBatchLoadTasks\","
	    "\"headers\":{\"x-amz-target\":\"T\"},\"body\":{\"MaxResults\":"
	    "2}},\"response\":{\"status\":200,\"headers\":{},\"body_text\":"
	    "\"x\"},\"token_from\":null,\"elapsed_ms\":3.1}]}";

	expect_valid(c, good);
	expect_one(c, "{\"blt_cassette\":2,\"meta\":{},\"interactions\":[]}",
		   "/blt_cassette", "(enum)");
	expect_valid(c,
		     "{\"blt_cassette\":1.0,\"meta\":{},\"interactions\":[]}");
	expect_one(c,
		   "{\"blt_cassette\":1,\"meta\":{\"n\":1},"
		   "\"interactions\":[]}",
		   "/meta/n", "(type)");
	cr_assert_eq(run(c,
			 "{\"blt_cassette\":1,\"meta\":{},\"interactions\":"
			 "[{\"id\":0,\"request\":{},\"response\":{\"status\":"
			 "600,\"headers\":{\"a\":1}},\"token_from\":0}]}",
			 v),
		     7);
}
