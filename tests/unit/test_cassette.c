/* Unit tests for the cassette model: loading and its errors, views and
 * lookup, builders, writing, and saves that survive a crash. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/rng.h"
#include "blt_test.h"

#define HEAD                                                                   \
	"{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"                       \
	"\"2026-01-02T03:04:05.000Z\",\"upstream\":\"u\",\"tool\":\"t\"},"
#define REQ                                                                    \
	"\"request\":{\"method\":\"POST\",\"path\":\"/\",\"headers\":{}}"
#define RESP "\"response\":{\"status\":200,\"headers\":{}}"

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/blt-cassette-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(cassette, .init = make_dir, .fini = remove_dir);

/* Loads text and expects failure whose message contains want. */
static void assert_load_fails(const char *text, blt_status code,
			      const char *want)
{
	struct cassette *c = (struct cassette *)1;
	struct blt_err err = {0, ""};

	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.text = text,
						       .len = strlen(text),
						       .name = "c.json"},
			  &c, &err),
	    code, "%s: %s", text, err.msg);
	cr_assert_null(c);
	cr_assert(strstr(err.msg, want) != NULL, "want \"%s\" in \"%s\"", want,
		  err.msg);
}

static struct cassette *load_ok(const char *text)
{
	struct cassette *c = NULL;
	struct blt_err err = {0, ""};

	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.text = text,
						       .len = strlen(text),
						       .name = "c.json"},
			  &c, &err),
	    BLT_OK, "%s", err.msg);
	return c;
}

static char *write_text(const struct cassette *c)
{
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 1 << 28);
	cr_assert_eq(cassette_write(c, &b, &err), BLT_OK, "%s", err.msg);
	return buf_take(&b);
}

static void put_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

Test(cassette, loads_views_and_finds_by_id)
{
	struct cassette *c = load_ok(
		HEAD "\"interactions\":[{\"id\":5,\"request\":{\"method\":"
		     "\"POST\",\"path\":\"/\",\"operation\":\"ListBatchLoadTasks\","
		     "\"headers\":{\"x-amz-target\":\"T.ListBatchLoadTasks\"},"
		     "\"body\":{\"MaxResults\":2}},\"response\":{\"status\":400,"
		     "\"headers\":{},\"body_text\":\"no\"},\"token_from\":null,"
		     "\"elapsed_ms\":3.5},{\"id\":2," REQ "," RESP
		     ",\"token_from\":5}]}");
	const struct cassette_interaction *a = cassette_at(c, 0);
	const struct cassette_interaction *b = cassette_at(c, 1);

	cr_assert_eq(cassette_count(c), 2);
	cr_assert_null(cassette_at(c, 2));
	cr_assert_eq(a->id, 5);
	cr_assert_str_eq(a->operation, "ListBatchLoadTasks");
	cr_assert_eq(a->status, 400);
	cr_assert_eq(a->token_from, 0);
	cr_assert_float_eq(a->elapsed_ms, 3.5, 1e-9);
	cr_assert_str_eq(b->operation, "");
	cr_assert_eq(b->token_from, 5);
	cr_assert_eq(cassette_find(c, 5), a);
	cr_assert_eq(cassette_find(c, 2), b);
	cr_assert_null(cassette_find(c, 1));
	cr_assert_null(cassette_find(c, 6));
	cr_assert_str_eq(json_string_value(json_object_get(cassette_meta(c),
							   "upstream")),
			 "u");
	cr_assert_eq(json_integer_value(json_object_get(
			     cassette_body_json(a->request), "MaxResults")),
		     2);
	cassette_free(c);
}

Test(cassette, writes_in_the_documented_order_and_round_trips)
{
	struct cassette *c = load_ok(
		"{\"interactions\":[{\"elapsed_ms\":1.0,\"token_from\":null,"
		"\"response\":{\"body\":{\"b\":1,\"a\":[]},\"headers\":{\"z\":"
		"\"1\",\"a\":\"2\"},\"status\":200},\"request\":{\"body\":{},"
		"\"headers\":{},\"operation\":\"Op\",\"path\":\"/\",\"method\":"
		"\"POST\"},\"id\":1}],\"meta\":{\"x\":\"y\",\"tool\":\"t\","
		"\"upstream\":\"u\",\"recorded_at\":\"2026-01-02T03:04:05Z\"},"
		"\"blt_cassette\":1}");
	char *text = write_text(c);
	struct cassette *again;
	char *text2;

	cr_assert_str_eq(text, "{\n"
			       "  \"blt_cassette\": 1,\n"
			       "  \"meta\": {\n"
			       "    \"recorded_at\": \"2026-01-02T03:04:05Z\",\n"
			       "    \"upstream\": \"u\",\n"
			       "    \"tool\": \"t\",\n"
			       "    \"x\": \"y\"\n"
			       "  },\n"
			       "  \"interactions\": [\n"
			       "    {\n"
			       "      \"id\": 1,\n"
			       "      \"request\": {\n"
			       "        \"method\": \"POST\",\n"
			       "        \"path\": \"/\",\n"
			       "        \"operation\": \"Op\",\n"
			       "        \"headers\": {},\n"
			       "        \"body\": {}\n"
			       "      },\n"
			       "      \"response\": {\n"
			       "        \"status\": 200,\n"
			       "        \"headers\": {\n"
			       "          \"a\": \"2\",\n"
			       "          \"z\": \"1\"\n"
			       "        },\n"
			       "        \"body\": {\n"
			       "          \"b\": 1,\n"
			       "          \"a\": []\n"
			       "        }\n"
			       "      },\n"
			       "      \"token_from\": null,\n"
			       "      \"elapsed_ms\": 1\n"
			       "    }\n"
			       "  ]\n"
			       "}\n");
	again = load_ok(text);
	text2 = write_text(again);
	cr_assert_str_eq(text, text2, "a written cassette re-writes identically");
	free(text);
	free(text2);
	cassette_free(c);
	cassette_free(again);
}

Test(cassette, truncated_file_is_a_json_error_with_position)
{
	char path[128];
	struct cassette *c = NULL;
	struct blt_err err = {0, ""};
	char want[160];
	const char *full = HEAD "\n\"interactions\":[{\"id\":1," REQ "," RESP
				"}]}\n";

	snprintf(path, sizeof(path), "%s/cut.json", dir);
	put_file(path, full, strlen(full) - 20);
	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.path = path}, &c, &err),
	    BLT_EPARSE, "%s", err.msg);
	cr_assert_null(c);
	snprintf(want, sizeof(want), "%s:2:", path);
	cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	cr_assert(strstr(err.msg, "end of file") != NULL, "%s", err.msg);
	cr_assert_eq(
	    cassette_load(
		&(struct cassette_load_opts){.path = "/nonexistent/x.json"}, &c,
		&err),
	    BLT_EIO);
	cr_assert(strstr(err.msg, "/nonexistent/x.json") != NULL);
}

Test(cassette, malformed_json_names_line_and_column)
{
	assert_load_fails("{\n  \"blt_cassette\": 1,\n  \"meta\": {,\n}",
			  BLT_EPARSE, "c.json:3:12: ");
	assert_load_fails("{\"blt_cassette\":1,\"blt_cassette\":1}",
			  BLT_EPARSE, "duplicate object key");
	assert_load_fails("", BLT_EPARSE, "c.json:1:");
}

Test(cassette, wrong_types_are_named_by_pointer)
{
	assert_load_fails("[]", BLT_EINVAL, "c.json: /: the document must be");
	assert_load_fails(HEAD "\"interactions\":{}}", BLT_EINVAL,
			  "c.json: /interactions: must be an array");
	assert_load_fails(
		HEAD "\"interactions\":[{\"id\":1," REQ "},{\"id\":2," REQ
		     ",\"response\":{\"status\":99,\"headers\":{}}}]}",
		BLT_EINVAL, "c.json: /interactions/0: missing required member "
			    "\"response\"");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ "," RESP
			       "},{\"id\":2," REQ ",\"response\":{\"status\":"
			       "\"200\",\"headers\":{}}}]}",
			  BLT_EINVAL,
			  "c.json: /interactions/1/response/status: must be an "
			  "integer from 100 to 599");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ
			       ",\"response\":{\"status\":600,\"headers\":{}}}]}",
			  BLT_EINVAL, "/interactions/0/response/status: must");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":0," REQ "," RESP
			       "}]}",
			  BLT_EINVAL, "/interactions/0/id: must be an integer");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1.5," REQ "," RESP
			       "}]}",
			  BLT_EINVAL, "/interactions/0/id: must be an integer");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ "," RESP
			       ",\"token_from\":\"1\"}]}",
			  BLT_EINVAL, "/interactions/0/token_from: must be null");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ "," RESP
			       ",\"elapsed_ms\":-1}]}",
			  BLT_EINVAL, "/interactions/0/elapsed_ms: must be a "
				      "number");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1,\"request\":{"
			       "\"method\":\"POST\",\"path\":\"/\",\"headers\":{"
			       "\"Content-Type\":\"x\"}}," RESP "}]}",
			  BLT_EINVAL,
			  "/interactions/0/request/headers/Content-Type: header "
			  "names must be lower case");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1,\"request\":{"
			       "\"method\":\"POST\",\"path\":\"/\",\"headers\":{"
			       "\"a/b\":1}}," RESP "}]}",
			  BLT_EINVAL,
			  "/interactions/0/request/headers/a~1b: must be a "
			  "string");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ "," RESP
			       ",\"extra\":1}]}",
			  BLT_EINVAL, "/interactions/0/extra: unknown member");
	assert_load_fails(HEAD "\"interactions\":[],\"x\":1}", BLT_EINVAL,
			  "c.json: /x: unknown member");
	assert_load_fails("{\"blt_cassette\":2,\"meta\":{},\"interactions\":[]}",
			  BLT_EINVAL, "/blt_cassette: unsupported cassette "
				      "version 2");
	assert_load_fails("{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
			  "\"yesterday\",\"upstream\":\"u\",\"tool\":\"t\"},"
			  "\"interactions\":[]}",
			  BLT_EINVAL, "/meta/recorded_at: must be an ISO 8601");
	assert_load_fails("{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
			  "\"2026-01-02T03:04:05Z\",\"upstream\":\"u\"},"
			  "\"interactions\":[]}",
			  BLT_EINVAL, "/meta: missing required member \"tool\"");
}

Test(cassette, duplicate_ids_are_refused)
{
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ "," RESP
			       "},{\"id\":2," REQ "," RESP "},{\"id\":1," REQ
			       "," RESP "}]}",
			  BLT_EINVAL,
			  "c.json: /interactions/2/id: duplicate id 1 (also at "
			  "/interactions/0)");
}

Test(cassette, body_members_are_checked)
{
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1,\"request\":{"
			       "\"method\":\"POST\",\"path\":\"/\",\"headers\":"
			       "{},\"body\":{},\"body_text\":\"x\"}," RESP "}]}",
			  BLT_EINVAL,
			  "c.json: /interactions/0/request: at most one of");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ
			       ",\"response\":{\"status\":200,\"headers\":{},"
			       "\"body_base64\":\"abc\"}}]}",
			  BLT_EINVAL,
			  "/interactions/0/response/body_base64: must be valid "
			  "base64");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ
			       ",\"response\":{\"status\":200,\"headers\":{},"
			       "\"body_base64\":\"ab!=\"}}]}",
			  BLT_EINVAL, "must be valid base64");
	assert_load_fails(HEAD "\"interactions\":[{\"id\":1," REQ
			       ",\"response\":{\"status\":200,\"headers\":{},"
			       "\"body_text\":5}}]}",
			  BLT_EINVAL,
			  "/interactions/0/response/body_text: must be a string");
}

Test(cassette, oversize_input_is_refused)
{
	char path[128];
	struct cassette *c = NULL;
	struct blt_err err = {0, ""};
	const char *text = HEAD "\"interactions\":[]}";

	snprintf(path, sizeof(path), "%s/big.json", dir);
	put_file(path, text, strlen(text));
	cr_assert_eq(cassette_load(
			 &(struct cassette_load_opts){
			     .path = path, .max_bytes = strlen(text)},
			 &c, &err),
		     BLT_OK, "%s", err.msg);
	cassette_free(c);
	cr_assert_eq(cassette_load(
			 &(struct cassette_load_opts){
			     .path = path, .max_bytes = strlen(text) - 1},
			 &c, &err),
		     BLT_ELIMIT);
	cr_assert_null(c);
	cr_assert(strstr(err.msg, path) && strstr(err.msg, "limit"), "%s",
		  err.msg);
	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.text = text,
						       .len = strlen(text),
						       .name = "m",
						       .max_bytes = 10},
			  &c, &err),
	    BLT_ELIMIT);
	cr_assert(strncmp(err.msg, "m: ", 3) == 0, "%s", err.msg);
}

Test(cassette, too_deep_is_refused_with_position)
{
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 1 << 20);
	cr_assert_eq(buf_puts(&b, HEAD "\"interactions\":[{\"id\":1," REQ
				       ",\"response\":{\"status\":200,\"headers"
				       "\":{},\n\"body\":",
			      &err),
		     BLT_OK);
	for (int i = 0; i < CASSETTE_DEPTH_MAX; i++)
		buf_puts(&b, "[", &err);
	for (int i = 0; i < CASSETTE_DEPTH_MAX; i++)
		buf_puts(&b, "]", &err);
	buf_puts(&b, "}}]}", &err);
	assert_load_fails(b.data, BLT_ELIMIT, "c.json:2:68: nesting deeper "
					      "than 64 levels");
	buf_free(&b);
}

static json_t *request_with_body(const char *body, size_t len)
{
	const char *names[] = {"Content-Type", "X-Amz-Target", "X-Custom",
			       "x-custom"};
	const char *values[] = {"application/x-amz-json-1.0",
				"Timestream_20181101.ListBatchLoadTasks", "a",
				"b"};
	json_t *r = cassette_request_new("POST", "/", names, values, 4, body,
					 len);

	cr_assert_not_null(r);
	return r;
}

/* The body bytes of a message equal what it was built from. */
static void assert_body_bytes(const json_t *m, const char *want, size_t len)
{
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 1 << 20);
	cr_assert_eq(cassette_body_bytes(m, &b, &err), BLT_OK, "%s", err.msg);
	cr_assert_eq(b.len, len);
	cr_assert(len == 0 || memcmp(b.data, want, len) == 0);
	buf_free(&b);
}

Test(cassette, builders_store_bodies_by_the_rule)
{
	static const char bin[] = {'\xff', '\x00', 'a', '\x80', '\x01'};
	json_t *j = request_with_body("{\"MaxResults\":2}", 16);
	json_t *t = request_with_body("not json", 8);
	json_t *nul = request_with_body("a\0b", 3);
	json_t *x = request_with_body(bin, sizeof(bin));
	json_t *e = request_with_body(NULL, 0);
	json_t *h = json_object_get(j, "headers");
	char *ctext;

	cr_assert_str_eq(json_string_value(json_object_get(j, "operation")),
			 "ListBatchLoadTasks");
	cr_assert_str_eq(json_string_value(json_object_get(h, "x-custom")),
			 "a, b");
	ctext = canon_text(h);
	cr_assert_str_eq(ctext, "{\"content-type\":\"application/x-amz-json-"
				"1.0\",\"x-amz-target\":\"Timestream_20181101."
				"ListBatchLoadTasks\",\"x-custom\":\"a, b\"}");
	free(ctext);
	cr_assert_str_eq(json_string_value(json_object_iter_value(
				 json_object_iter(h))),
			 "application/x-amz-json-1.0", "headers are sorted");

	cr_assert(json_is_object(json_object_get(j, "body")));
	cr_assert_null(json_object_get(j, "body_text"));
	assert_body_bytes(j, "{\"MaxResults\":2}", 16);
	cr_assert_str_eq(json_string_value(json_object_get(t, "body_text")),
			 "not json");
	assert_body_bytes(t, "not json", 8);
	cr_assert_str_eq(json_string_value(json_object_get(nul, "body_base64")),
			 "YQBi");
	assert_body_bytes(nul, "a\0b", 3);
	cr_assert_str_eq(json_string_value(json_object_get(x, "body_base64")),
			 "/wBhgAE=");
	assert_body_bytes(x, bin, sizeof(bin));
	cr_assert_eq(json_object_size(e), 4, "an empty body has no member");
	assert_body_bytes(e, "", 0);
	json_decref(j);
	json_decref(t);
	json_decref(nul);
	json_decref(x);
	json_decref(e);
}

/* Appends n interactions of a recognisable size to c. */
static void fill(struct cassette *c, int n, int tag)
{
	struct blt_err err;
	char body[512];

	for (int i = 0; i < n; i++) {
		const char *names[] = {"Content-Type", "x-amzn-RequestId"};
		const char *values[] = {"application/x-amz-json-1.0", "req"};
		json_t *rq, *rs;
		int len = snprintf(body, sizeof(body),
				   "{\"BatchLoadTasks\":[{\"TaskId\":\"T%d\","
				   "\"CreationTime\":1767323045.5}],"
				   "\"NextToken\":\"tag%d-%d\"}",
				   i, tag, i);

		rq = cassette_request_new("POST", "/", names, values, 1,
					  "{}", 2);
		rs = cassette_response_new(200, names, values, 2, body,
					   (size_t)len);
		cr_assert_eq(cassette_append_take(
				     c, cassette_interaction_new(rq, rs, i, 1.25),
				     &err),
			     BLT_OK, "%s", err.msg);
	}
}

Test(cassette, append_assigns_ids_and_round_trips)
{
	struct cassette *c = cassette_new("http://127.0.0.1:1", "blt-test");
	struct blt_err err;
	json_t *it;
	char *text;
	struct cassette *again;

	fill(c, 3, 0);
	cr_assert_eq(cassette_count(c), 3);
	cr_assert_eq(cassette_at(c, 2)->id, 3);
	cr_assert_eq(cassette_find(c, 2), cassette_at(c, 1));
	it = cassette_interaction_new(cassette_request_new("GET", "/", NULL,
							   NULL, 0, NULL, 0),
				      cassette_response_new(204, NULL, NULL, 0,
							    NULL, 0),
				      0, -1);
	json_object_set_new(it, "id", json_integer(2));
	cr_assert_eq(cassette_append_take(c, it, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "duplicate id 2") != NULL, "%s", err.msg);
	cr_assert_eq(cassette_count(c), 3);
	it = json_pack("{s:i}", "id", 0);
	cr_assert_eq(cassette_append_take(c, it, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "missing required member \"request\""),
		  "%s", err.msg);

	text = write_text(c);
	again = load_ok(text);
	cr_assert_eq(cassette_count(again), 3);
	cr_assert_eq(cassette_at(again, 1)->token_from, 1);
	cr_assert_float_eq(cassette_at(again, 1)->elapsed_ms, 1.25, 1e-9);
	free(text);
	cassette_free(c);
	cassette_free(again);
}

Test(cassette, find_works_with_unordered_ids)
{
	struct blt_buf b;
	struct blt_err err;
	struct cassette *c;
	static const int ids[] = {9, 3, 27, 1, 14, 2, 100, 50};
	size_t n = sizeof(ids) / sizeof(ids[0]);

	buf_init(&b, 1 << 20);
	buf_puts(&b, HEAD "\"interactions\":[", &err);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, &err, "%s{\"id\":%d," REQ "," RESP "}",
			   i ? "," : "", ids[i]);
	buf_puts(&b, "]}", &err);
	c = load_ok(b.data);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(cassette_find(c, ids[i]), cassette_at(c, i));
	for (long id = -1; id < 120; id++) {
		int known = 0;

		for (size_t i = 0; i < n; i++)
			known |= ids[i] == id;
		if (!known)
			cr_assert_null(cassette_find(c, id), "%ld", id);
	}
	fill(c, 1, 0); /* the next id is 101 */
	cr_assert_eq(cassette_find(c, 101), cassette_at(c, n));
	buf_free(&b);
	cassette_free(c);
}

/* Counts directory entries whose name contains ".tmp-". */
static int stray_temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

static void remove_temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".tmp-")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	}
	closedir(d);
}

Test(cassette, save_leaves_no_temp_and_keeps_the_mode)
{
	struct cassette *c = cassette_new("u", "t");
	struct blt_err err;
	char path[128];
	struct stat sb;
	struct cassette *back = NULL;

	fill(c, 10, 1);
	snprintf(path, sizeof(path), "%s/c.json", dir);
	cr_assert_eq(cassette_save(c, path, &err), BLT_OK, "%s", err.msg);
	cr_assert_eq(stray_temps(), 0);
	cr_assert_eq(chmod(path, 0640), 0);
	cr_assert_eq(cassette_save(c, path, &err), BLT_OK, "%s", err.msg);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0640);
	cr_assert_eq(stray_temps(), 0);
	cr_assert_eq(cassette_load(&(struct cassette_load_opts){.path = path},
				   &back, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(cassette_count(back), 10);
	cassette_free(back);
	cr_assert_eq(cassette_save(c, "/nonexistent-dir/c.json", &err),
		     BLT_EIO);
	cr_assert(strstr(err.msg, "/nonexistent-dir/c.json") != NULL);
	cassette_free(c);
}

/* The bytes the file at path must hold: one of the two contents. */
static void assert_old_or_new(const char *path, const char *old,
			      const char *new_, int *saw_new)
{
	size_t len = 0;
	char *got = test_slurp(path, &len);
	struct cassette *c = NULL;
	struct blt_err err;

	cr_assert_not_null(got);
	cr_assert(strcmp(got, old) == 0 || strcmp(got, new_) == 0,
		  "the file is neither the old nor the new content (%zu "
		  "bytes)",
		  len);
	*saw_new += strcmp(got, new_) == 0 && strcmp(old, new_) != 0;
	cr_assert_eq(cassette_load(&(struct cassette_load_opts){.text = got,
								.len = len,
								.name = path},
				   &c, &err),
		     BLT_OK, "%s", err.msg);
	cassette_free(c);
	free(got);
}

Test(cassette, save_survives_being_killed, .timeout = 240)
{
	struct cassette *cs[2] = {cassette_new("u", "a"), cassette_new("u", "b")};
	char *texts[2];
	struct blt_err err;
	struct blt_rng r;
	char path[128];
	int saw_new = 0;
	int killed_early = 0;
	int mid_write = 0;
	double t0;
	uint64_t span_us;

	fill(cs[0], 4000, 1);
	fill(cs[1], 4200, 2);
	texts[0] = write_text(cs[0]);
	texts[1] = write_text(cs[1]);
	snprintf(path, sizeof(path), "%s/k.json", dir);
	/* Kill moments spread over twice the time one save takes here. */
	t0 = clock_mono_ms();
	cr_assert_eq(cassette_save(cs[0], path, &err), BLT_OK);
	span_us = (uint64_t)((clock_mono_ms() - t0) * 2000.0) + 1000;
	rng_seed(&r, 12345);
	/* 60 rounds, then more (at most 400 in all) until each outcome was
	 * seen: a forked save can run far slower or faster than the one
	 * timed above (sanitizers, a loaded machine), so the extra rounds
	 * cycle the span from a quarter to eight times the estimate. */
	for (int round = 0;
	     round < 60 || (round < 400 && !(killed_early && mid_write &&
					       saw_new));
	     round++) {
		static const double scales[] = {0.25, 0.5, 1, 2, 4, 8};
		double scale = round < 60 ? 1.0 : scales[round % 6];
		int cur = round % 2 == 0; /* the one being saved */
		char *before = test_slurp(path, NULL);
		uint64_t us = rng_below(&r, (uint64_t)(span_us * scale) + 1);
		struct timespec ts = {(time_t)(us / 1000000),
				      (long)(us % 1000000) * 1000};
		int status;
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0)
			_exit(cassette_save(cs[cur], path, NULL) ? 3 : 0);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		killed_early += WIFSIGNALED(status);
		assert_old_or_new(path, before, texts[cur], &saw_new);
		mid_write += stray_temps() > 0;
		remove_temps();
		free(before);
	}
	cr_assert_gt(killed_early, 0, "no save was interrupted");
	cr_assert_gt(mid_write, 0, "no kill landed while a temp file existed");
	cr_assert_gt(saw_new, 0, "no save ever completed");
	free(texts[0]);
	free(texts[1]);
	cassette_free(cs[0]);
	cassette_free(cs[1]);
}

Test(cassette, failed_write_leaves_the_old_file, .timeout = 120)
{
	struct cassette *small = cassette_new("u", "small");
	struct cassette *large = cassette_new("u", "large");
	char *old;
	struct blt_err err;
	char path[128];
	struct blt_rng r;

	fill(small, 5, 3);
	fill(large, 5000, 4);
	snprintf(path, sizeof(path), "%s/f.json", dir);
	cr_assert_eq(cassette_save(small, path, &err), BLT_OK);
	old = test_slurp(path, NULL);
	rng_seed(&r, 99);
	for (int round = 0; round < 20; round++) {
		rlim_t cap = 1 + rng_below(&r, 1 << 20);
		int status;
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			struct rlimit rl = {cap, cap};
			struct blt_err cerr = {0, ""};

			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
			if (cassette_save(large, path, &cerr) != BLT_EIO)
				_exit(4);
			_exit(strstr(cerr.msg, "write") ? 0 : 5);
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "the child's save did not fail on write (status %d)",
			  status);
		char *now = test_slurp(path, NULL);
		cr_assert_str_eq(now, old, "round %d", round);
		free(now);
		cr_assert_eq(stray_temps(), 0, "the failed save left its temp");
	}
	free(old);
	cassette_free(small);
	cassette_free(large);
}

/* A cassette of n interactions, one per line (line 2 + i holds element i),
 * with what the split path must carry over exactly: unsorted headers,
 * escapes, \u escapes, UTF-8, reals, text and base64 bodies, token_from and
 * ids out of order. mutate(i, line) may rewrite element i's line. */
static char *big_text(size_t n, void (*mutate)(size_t, struct blt_buf *))
{
	struct blt_buf b;
	struct blt_buf line;

	buf_init(&b, (size_t)1 << 30);
	buf_init(&line, 1 << 16);
	buf_puts(&b, HEAD "\"interactions\":[\n", NULL);
	for (size_t i = 0; i < n; i++) {
		long id = (long)(i % 7 == 3 ? n + i : i + 1);

		buf_reset(&line);
		buf_printf(&line, NULL,
			   "{\"elapsed_ms\":%zu.25,\"id\":%ld,\"request\":"
			   "{\"method\":\"POST\",\"path\":\"/\",\"headers\":"
			   "{\"x-amz-target\":\"T.Op%zu\",\"content-type\":"
			   "\"a\\/b\"},\"body\":{\"MaxResults\":%zu,\"Note\":"
			   "\"caf\xc3\xa9 \\u00e9\\n\",\"F\":1.0e%zu}},"
			   "\"response\":{\"status\":%d,\"headers\":{},",
			   i % 5, id, i % 3, i, i % 4, 200 + (int)(i % 3));
		if (i % 3 == 0)
			buf_printf(&line, NULL, "\"body_text\":\"t\\t%zu\"", i);
		else
			buf_puts(&line, "\"body_base64\":\"AAE=\"", NULL);
		buf_printf(&line, NULL, "},\"token_from\":%s}%s",
			   i % 2 ? "1" : "null", i + 1 < n ? "," : "");
		if (mutate)
			mutate(i, &line);
		buf_append(&b, line.data, line.len, NULL);
		buf_puts(&b, "\n", NULL);
	}
	buf_puts(&b, "]}\n", NULL);
	buf_free(&line);
	return buf_take(&b);
}

/* Loads text by the whole-text path (threads 0) or the split path on
 * threads threads. */
static blt_status load_by(const char *text, unsigned threads,
			  struct cassette **c, struct blt_err *err)
{
	struct cassette_load_opts o = {.text = text,
				       .len = strlen(text),
				       .name = "c.json",
				       .parallel_min = threads ? 1 : SIZE_MAX,
				       .threads = threads};

	return cassette_load(&o, c, err);
}

Test(cassette, split_load_gives_the_same_cassette, .timeout = 120)
{
	static const size_t sizes[] = {0, 1, 255, 256, 257, 3000};

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char *text = big_text(sizes[k], NULL);
		struct cassette *whole = NULL;
		struct blt_err err = {0, ""};
		char *want;

		cr_assert_eq(load_by(text, 0, &whole, &err), BLT_OK, "%s",
			     err.msg);
		want = write_text(whole);
		for (unsigned t = 1; t <= 4; t++) {
			struct cassette *c = NULL;
			char *got;

			cr_assert_eq(load_by(text, t, &c, &err), BLT_OK, "%s",
				     err.msg);
			got = write_text(c);
			cr_assert(strcmp(got, want) == 0, "%zu on %u threads",
				  sizes[k], t);
			cr_assert_eq(cassette_count(c), sizes[k]);
			for (size_t i = 0; i < sizes[k]; i++) {
				const struct cassette_interaction *a =
					cassette_at(whole, i);
				const struct cassette_interaction *b =
					cassette_at(c, i);

				cr_assert_eq(a->id, b->id);
				cr_assert_eq(a->status, b->status);
				cr_assert_eq(a->token_from, b->token_from);
				cr_assert_eq(a->elapsed_ms, b->elapsed_ms);
				cr_assert_str_eq(a->operation, b->operation);
				cr_assert_eq(cassette_find(c, a->id), b);
			}
			free(got);
			cassette_free(c);
		}
		free(want);
		cassette_free(whole);
		free(text);
	}
}

#define BIG_N 60000
#define BAD_AT 56999 /* element 57,000 */

static void syntax_error(size_t i, struct blt_buf *line)
{
	char *p = strstr(line->data, "\"method\":");

	if (i == BAD_AT)
		p[8] = ' '; /* "method" "POST": ':' expected */
}

static void structure_error(size_t i, struct blt_buf *line)
{
	char *p = strstr(line->data, "\"status\":2");

	if (i == BAD_AT)
		p[9] = '7';
}

static void duplicate_id(size_t i, struct blt_buf *line)
{
	if (i == BAD_AT) {
		buf_reset(line);
		buf_puts(line, "{\"id\":13," REQ "," RESP "},", NULL);
	}
}

static void too_deep(size_t i, struct blt_buf *line)
{
	char *p = strstr(line->data, "\"MaxResults\":");
	char rest[4096];

	if (i != BAD_AT)
		return;
	strcpy(rest, p);
	line->len = (size_t)(p - line->data);
	buf_puts(line, "\"Deep\":", NULL);
	for (int k = 0; k < 70; k++)
		buf_puts(line, "[", NULL);
	for (int k = 0; k < 70; k++)
		buf_puts(line, "]", NULL);
	buf_puts(line, ",", NULL);
	buf_puts(line, rest, NULL);
}

/* Both paths fail alike, with want in the message. */
static void assert_both_fail(void (*mutate)(size_t, struct blt_buf *),
			     blt_status code, const char *want)
{
	char *text = big_text(BIG_N, mutate);
	struct cassette *c = NULL;
	struct blt_err whole = {0, ""};
	struct blt_err split = {0, ""};

	cr_assert_eq(load_by(text, 0, &c, &whole), code, "%s", whole.msg);
	cr_assert_null(c);
	cr_assert_eq(load_by(text, 2, &c, &split), code, "%s", split.msg);
	cr_assert_null(c);
	cr_assert_str_eq(split.msg, whole.msg);
	cr_assert(strstr(split.msg, want) != NULL, "want \"%s\" in \"%s\"",
		  want, split.msg);
	free(text);
}

Test(cassette, split_load_reports_a_syntax_error_where_it_is, .timeout = 120)
{
	char *text = big_text(BIG_N, syntax_error);
	const char *line = text;
	const char *nl;
	json_error_t jerr;
	char want[64];

	/* The column as jansson counts it on that line alone. */
	for (int k = 0; k < BAD_AT + 1; k++)
		line = strchr(line, '\n') + 1;
	nl = strchr(line, '\n');
	cr_assert_null(json_loadb(line, (size_t)(nl - line), 0, &jerr));
	cr_assert(strstr(jerr.text, "':' expected") != NULL, "%s", jerr.text);
	free(text);
	snprintf(want, sizeof(want), "c.json:%d:%d: ':' expected", BAD_AT + 2,
		 jerr.column);
	assert_both_fail(syntax_error, BLT_EPARSE, want);
}

Test(cassette, split_load_reports_structure_errors_and_duplicates,
     .timeout = 120)
{
	assert_both_fail(structure_error, BLT_EINVAL,
			 "c.json: /interactions/56999/response/status: must be "
			 "an integer from 100 to 599");
	assert_both_fail(duplicate_id, BLT_EINVAL,
			 "c.json: /interactions/56999/id: duplicate id 13 "
			 "(also at /interactions/12)");
	assert_both_fail(too_deep, BLT_ELIMIT, "nesting deeper than 64");
}

Test(cassette, split_load_is_the_default_for_big_files, .timeout = 120)
{
	char *text = big_text(BIG_N, NULL);
	struct cassette *a = NULL;
	struct cassette *b = NULL;
	struct blt_err err = {0, ""};
	char path[128];
	char *wa;
	char *wb;

	cr_assert_gt(strlen(text), CASSETTE_PARALLEL_MIN);
	snprintf(path, sizeof(path), "%s/big.json", dir);
	put_file(path, text, strlen(text));
	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.path = path}, &a, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(load_by(text, 0, &b, &err), BLT_OK, "%s", err.msg);
	wa = write_text(a);
	wb = write_text(b);
	cr_assert(strcmp(wa, wb) == 0, "the default load differs");
	free(wa);
	free(wb);
	cassette_free(a);
	cassette_free(b);
	free(text);
}
