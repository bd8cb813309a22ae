/* Tests of blt-fake's own modules without a server: tokens, defects, data
 * generation and loading, page planning, option parsing. blt-fake is an
 * executable, so its sources are compiled in here. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/fake/defects.c"
#include "../../tools/fake/opts.c"
#include "../../tools/fake/page.c"
#include "../../tools/fake/tasks.c"
#include "../../tools/fake/token.c"

#include "blt_test.h"

/* ---- tokens --------------------------------------------------------- */

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

Test(fake_token, hmac_matches_rfc4231)
{
	struct fake_token_key k;
	unsigned char mac[32];
	unsigned char longkey[131];
	char h[65];

	cr_assert_eq(fake_token_key_init(&k, "Jefe", 4, NULL), BLT_OK);
	fake_token_hmac(&k, "what do ya want for nothing?", 28, mac);
	hex(mac, 32, h);
	cr_assert_str_eq(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739"
			    "839dec58b964ec3843");
	fake_token_key_free(&k);
	memset(longkey, 0xaa, sizeof(longkey));
	cr_assert_eq(fake_token_key_init(&k, longkey, sizeof(longkey), NULL),
		     BLT_OK);
	fake_token_hmac(&k,
			"Test Using Larger Than Block-Size Key - Hash Key "
			"First",
			54, mac);
	hex(mac, 32, h);
	cr_assert_str_eq(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5"
			    "140546040f0ee37f54");
	fake_token_key_free(&k);
}

static struct fake_token_key key;

static void key_setup(void)
{
	cr_assert_eq(fake_token_key_init(&key, "test key", 8, NULL), BLT_OK);
}

static void key_teardown(void)
{
	fake_token_key_free(&key);
}

TestSuite(fake_token, .init = key_setup, .fini = key_teardown);

Test(fake_token, round_trip)
{
	struct fake_token t = {LBT_FAILED, FAKE_TOKEN_F_REVERSED, 123456,
			       1735689600};
	struct fake_token u;
	char text[FAKE_TOKEN_TEXT_LEN + 1];
	struct blt_err err;

	cr_assert_eq(fake_token_encode(&key, &t, text), BLT_OK);
	cr_assert_eq(strlen(text), FAKE_TOKEN_TEXT_LEN);
	cr_assert_eq(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				  "tuvwxyz0123456789-_"),
		     FAKE_TOKEN_TEXT_LEN);
	cr_assert_eq(fake_token_decode(&key, text, strlen(text), &u, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(u.filter, LBT_FAILED);
	cr_assert_eq(u.flags, FAKE_TOKEN_F_REVERSED);
	cr_assert_eq(u.position, 123456);
	cr_assert_eq(u.issued, 1735689600);
}

Test(fake_token, every_one_character_change_is_rejected)
{
	struct fake_token t = {FAKE_TOKEN_NO_FILTER, 0, 7, 1000};
	char text[FAKE_TOKEN_TEXT_LEN + 1];
	struct fake_token u;
	struct blt_err err;

	fake_token_encode(&key, &t, text);
	for (size_t i = 0; i < FAKE_TOKEN_TEXT_LEN; i++) {
		for (const char *c = "Aa0-_*="; *c; c++) {
			char bad[FAKE_TOKEN_TEXT_LEN + 1];

			memcpy(bad, text, sizeof(bad));
			if (bad[i] == *c)
				continue;
			bad[i] = *c;
			cr_assert_eq(
			    fake_token_decode(&key, bad, strlen(bad), &u, &err),
			    BLT_EINVAL, "change at %zu to %c accepted", i, *c);
		}
	}
}

Test(fake_token, wrong_length_key_and_version_are_named)
{
	struct fake_token t = {LBT_CREATED, 0, 1, 1000};
	char text[FAKE_TOKEN_TEXT_LEN + 2];
	struct fake_token_key other;
	struct fake_token u;
	struct blt_err err;

	fake_token_encode(&key, &t, text);
	cr_assert_eq(fake_token_decode(&key, text, 63, &u, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "truncated"), "%s", err.msg);
	strcat(text, "A");
	cr_assert_eq(fake_token_decode(&key, text, 65, &u, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "extended"), "%s", err.msg);
	cr_assert_eq(fake_token_decode(&key, "", 0, &u, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "empty"), "%s", err.msg);
	text[FAKE_TOKEN_TEXT_LEN] = '\0';
	fake_token_key_init(&other, "other key", 9, NULL);
	cr_assert_eq(fake_token_decode(&other, text, 64, &u, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "signature"), "%s", err.msg);
	fake_token_key_free(&other);
	text[1] = 'E'; /* first byte 0x04: version 4 */
	text[0] = 'B';
	cr_assert_eq(fake_token_decode(&key, text, 64, &u, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "version"), "%s", err.msg);
}

Test(fake_token, expiry_and_filter_are_judged)
{
	struct fake_token t = {LBT_CREATED, 0, 1, 1000};
	struct blt_err err;

	cr_assert_eq(fake_token_check(&t, LBT_CREATED, 1000 + 3600, 3600, &err),
		     BLT_OK);
	cr_assert_eq(fake_token_check(&t, LBT_CREATED, 1000 + 3601, 3600, &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "expired"), "%s", err.msg);
	cr_assert_eq(fake_token_check(&t, LBT_FAILED, 1001, 3600, &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "CREATED") && strstr(err.msg, "FAILED"), "%s",
		  err.msg);
	cr_assert_eq(
	    fake_token_check(&t, FAKE_TOKEN_NO_FILTER, 1001, 3600, &err),
	    BLT_EINVAL);
	cr_assert(strstr(err.msg, "no TaskStatus"), "%s", err.msg);
}

Test(fake_token, durations)
{
	uint64_t s = 0;

	cr_assert_eq(fake_parse_duration("90s", &s, NULL), BLT_OK);
	cr_assert_eq(s, 90);
	cr_assert_eq(fake_parse_duration("15m", &s, NULL), BLT_OK);
	cr_assert_eq(s, 900);
	cr_assert_eq(fake_parse_duration("24h", &s, NULL), BLT_OK);
	cr_assert_eq(s, 86400);
	cr_assert_eq(fake_parse_duration("7", &s, NULL), BLT_OK);
	cr_assert_eq(s, 7);
	cr_assert_eq(fake_parse_duration("2d", &s, NULL), BLT_OK);
	cr_assert_eq(s, 172800);
	cr_assert_neq(fake_parse_duration("0", &s, NULL), BLT_OK);
	cr_assert_neq(fake_parse_duration("-5s", &s, NULL), BLT_OK);
	cr_assert_neq(fake_parse_duration("5x", &s, NULL), BLT_OK);
	cr_assert_neq(fake_parse_duration("5ss", &s, NULL), BLT_OK);
	cr_assert_neq(fake_parse_duration("", &s, NULL), BLT_OK);
	cr_assert_neq(fake_parse_duration("99999999999d", &s, NULL), BLT_OK);
}

/* ---- defects -------------------------------------------------------- */

Test(fake_defects, names_parse_alone_and_in_lists)
{
	fake_defects set = 0;
	struct blt_err err;

	cr_assert_eq(fake_defects_parse("page-overflow", &set, &err), BLT_OK);
	cr_assert_eq(set, 1u << FAKE_D_PAGE_OVERFLOW);
	cr_assert_eq(fake_defects_parse(" json-500 ,no-request-id", &set, &err),
		     BLT_OK);
	cr_assert(fake_defect_on(set, FAKE_D_JSON_500));
	cr_assert(fake_defect_on(set, FAKE_D_NO_REQUEST_ID));
	cr_assert(fake_defect_on(set, FAKE_D_PAGE_OVERFLOW));
	cr_assert_eq(fake_defects_parse("json-500,bogus", &set, &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "'bogus'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "no-request-id"), "%s", err.msg);
	cr_assert_eq(fake_defects_parse("json-500,", &set, &err), BLT_EUSAGE);
}

/* Every row of docs/defects.md is in the catalogue with the same check and
 * level, and the catalogue has no row the document lacks. */
Test(fake_defects, catalogue_matches_docs)
{
	char *doc = test_slurp(test_src("docs/defects.md"), NULL);
	int rows = 0;
	char *line;
	char *save = NULL;

	cr_assert(doc, "docs/defects.md not found");
	for (line = strtok_r(doc, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		char check[64];
		char level[16];
		int d;

		if (sscanf(line, "| %63[a-z0-9-] | %63[A-Z0-9-] | %15[a-z] |",
			   name, check, level) != 3)
			continue;
		d = defect_lookup(name, strlen(name));
		cr_assert_geq(d, 0, "%s is in the docs, not in blt-fake", name);
		cr_assert_str_eq(catalogue[d].check, check, "%s", name);
		cr_assert_str_eq(catalogue[d].level, level, "%s", name);
		rows++;
	}
	cr_assert_eq(rows, FAKE_D_COUNT);
	free(doc);
}

/* ---- generated data ------------------------------------------------- */

static void generate(struct fake_store *s, size_t n, uint64_t seed)
{
	struct blt_err err;

	fake_store_init(s);
	cr_assert_eq(fake_store_generate(s, n, seed, &err), BLT_OK, "%s",
		     err.msg);
	cr_assert_eq(fake_store_finish(s, 0, &err), BLT_OK, "%s", err.msg);
}

Test(fake_data, generation_is_deterministic)
{
	struct fake_store a;
	struct fake_store b;
	struct fake_store c;

	generate(&a, 250, 1);
	generate(&b, 250, 1);
	generate(&c, 250, 2);
	cr_assert_eq(a.n, 250);
	for (size_t i = 0; i < a.n; i++)
		cr_assert_str_eq(a.tasks[i].json, b.tasks[i].json);
	cr_assert_eq(memcmp(a.digest, b.digest, 32), 0);
	cr_assert_neq(memcmp(a.digest, c.digest, 32), 0);
	cr_assert_str_neq(a.tasks[0].json, c.tasks[0].json);
	fake_store_free(&a);
	fake_store_free(&b);
	fake_store_free(&c);
}

Test(fake_data, generated_tasks_are_realistic)
{
	struct fake_store s;
	size_t per_status[LBT_STATUS_COUNT] = {0};
	size_t fractional = 0;
	double prev_created = 1e18;
	regex_t id_re;

	regcomp(&id_re, "^[A-Z0-9]{3,32}$", REG_EXTENDED | REG_NOSUB);
	generate(&s, 250, 1);
	for (size_t i = 0; i < s.n; i++) {
		json_t *o = json_loads(s.tasks[i].json, 0, NULL);
		const char *id =
		    json_string_value(json_object_get(o, "TaskId"));
		double c =
		    json_number_value(json_object_get(o, "CreationTime"));
		double u =
		    json_number_value(json_object_get(o, "LastUpdatedTime"));
		json_t *r = json_object_get(o, "ResumableUntil");
		enum lbt_status st;

		cr_assert(o);
		cr_assert_eq(regexec(&id_re, id, 0, NULL, 0), 0, "%s", id);
		cr_assert_geq(strlen(id), 20);
		cr_assert(lbt_status_parse(
		    json_string_value(json_object_get(o, "TaskStatus")), &st));
		per_status[st]++;
		cr_assert_lt(c, u, "task %zu", i);
		cr_assert_leq(c, prev_created, "newest first");
		cr_assert_gt(c, 1.6e9);
		prev_created = c;
		if (c != floor(c) || u != floor(u))
			fractional++;
		cr_assert_eq(r != NULL, resumable(st), "task %zu", i);
		cr_assert(
		    json_string_length(json_object_get(o, "DatabaseName")));
		cr_assert(json_string_length(json_object_get(o, "TableName")));
		json_decref(o);
	}
	for (int i = 0; i < LBT_STATUS_COUNT; i++)
		cr_assert_gt(per_status[i], 0, "status %d missing", i);
	cr_assert_gt(fractional, 10);
	cr_assert_lt(fractional, 240);
	regfree(&id_re);
	fake_store_free(&s);
}

Test(fake_data, small_generations_show_every_status)
{
	struct fake_store s;
	bool seen[LBT_STATUS_COUNT] = {false};

	generate(&s, 6, 42);
	for (size_t i = 0; i < s.n; i++)
		seen[s.tasks[i].status] = true;
	for (int i = 0; i < LBT_STATUS_COUNT; i++)
		cr_assert(seen[i]);
	fake_store_free(&s);
}

/* ---- loaded data ---------------------------------------------------- */

static blt_status load(const char *text, struct blt_err *err)
{
	struct fake_store s;
	blt_status st;

	fake_store_init(&s);
	st = fake_store_load_text(&s, text, strlen(text), "t.json", err);
	fake_store_free(&s);
	return st;
}

Test(fake_data, bad_files_name_the_index_and_pointer)
{
	struct blt_err err;

	cr_assert_eq(load("[{\"TaskId\":\"ABC\",\"TaskStatus\":\"CREATED\"},"
			  "{\"TaskId\":\"abc\",\"TaskStatus\":\"CREATED\"}]",
			  &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "t.json: task 1 (/1/TaskId)"), "%s", err.msg);
	cr_assert_eq(
	    load("[{\"TaskId\":\"ABC\",\"TaskStatus\":\"RUNNING\"}]", &err),
	    BLT_EUSAGE);
	cr_assert(strstr(err.msg, "task 0 (/0/TaskStatus)"), "%s", err.msg);
	cr_assert_eq(load("[{\"TaskId\":\"ABC\",\"TaskStatus\":\"CREATED\","
			  "\"CreationTime\":\"yesterday\"}]",
			  &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "(/0/CreationTime)"), "%s", err.msg);
	cr_assert_eq(load("[{\"TaskStatus\":\"CREATED\"}]", &err), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "(/0/TaskId)"), "%s", err.msg);
	cr_assert_eq(load("[{\"TaskId\":\"ABC\",\"TaskStatus\":\"CREATED\"},"
			  "{\"TaskId\":\"ABC\",\"TaskStatus\":\"FAILED\"}]",
			  &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "task 1") && strstr(err.msg, "task 0"), "%s",
		  err.msg);
	cr_assert_eq(load("{\"TaskId\":\"ABC\"}", &err), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "array"), "%s", err.msg);
	cr_assert_eq(load("[{\"TaskId\":", &err), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "t.json"), "%s", err.msg);
	cr_assert_eq(load("[]", &err), BLT_OK);
}

Test(fake_data, loaded_tasks_keep_member_order_and_numbers)
{
	const char *text = "[{\"TaskStatus\":\"FAILED\",\"TaskId\":\"T1X\","
			   "\"CreationTime\":1700000000.25,"
			   "\"LastUpdatedTime\":1700000100}]";
	struct fake_store s;

	fake_store_init(&s);
	cr_assert_eq(fake_store_load_text(&s, text, strlen(text), "x", NULL),
		     BLT_OK);
	cr_assert_eq(fake_store_finish(&s, 0, NULL), BLT_OK);
	cr_assert_str_eq(s.tasks[0].json,
			 "{\"TaskStatus\":\"FAILED\",\"TaskId\":\"T1X\","
			 "\"CreationTime\":1700000000.25,"
			 "\"LastUpdatedTime\":1700000100}");
	cr_assert_eq(s.lists[LBT_FAILED].n, 1);
	cr_assert_eq(s.lists[LBT_CREATED].n, 0);
	cr_assert_eq(s.lists[FAKE_LIST_ALL].n, 1);
	fake_store_free(&s);
}

Test(fake_data, data_defects_change_the_serialised_tasks)
{
	const char *text = "[{\"TaskId\":\"AB1\",\"TaskStatus\":"
			   "\"PENDING_RESUME\",\"CreationTime\":10,"
			   "\"LastUpdatedTime\":20}]";
	fake_defects d = 0;
	struct fake_store s;

	fake_defects_parse("paused-status,lowercase-ids,time-inversion", &d,
			   NULL);
	fake_store_init(&s);
	fake_store_load_text(&s, text, strlen(text), "x", NULL);
	cr_assert_eq(fake_store_finish(&s, d, NULL), BLT_OK);
	cr_assert_str_eq(s.tasks[0].json,
			 "{\"TaskId\":\"ab1\",\"TaskStatus\":\"PAUSED\","
			 "\"CreationTime\":20,\"LastUpdatedTime\":10}");
	fake_store_free(&s);
	d = 0;
	fake_defects_parse("drift-times", &d, NULL);
	fake_store_init(&s);
	fake_store_load_text(&s, text, strlen(text), "x", NULL);
	cr_assert_eq(fake_store_finish(&s, d, NULL), BLT_OK);
	cr_assert(strstr(s.tasks[0].json, "\"LastUpdatedTime\":21"), "%s",
		  s.tasks[0].json);
	fake_store_free(&s);
}

/* ---- page planning -------------------------------------------------- */

/* Walks a list of n items with page size max (changing to max2 after the
 * first page when max2 is not 0) and counts how often each item shows. */
static size_t plan_walk(size_t n, unsigned max, unsigned max2, fake_defects d,
			unsigned *hits)
{
	uint32_t *idx = calloc(n ? n : 1, sizeof(*idx));
	struct fake_list list = {idx, n};
	struct fake_page_in in = {&list, 0, false, max, false, d, false};
	struct fake_page_out out;
	size_t pages = 0;

	for (;;) {
		fake_page_plan(&in, &out);
		pages++;
		cr_assert_leq(out.count, in.max + 1);
		for (size_t i = 0; i < out.count; i++)
			hits[out.start + i]++;
		if (!out.more || pages > n + 2)
			break;
		in.position = out.next_position;
		in.continued = true;
		if (max2)
			in.max = max2;
	}
	free(idx);
	return pages;
}

Test(fake_page, every_page_size_covers_each_item_once)
{
	for (unsigned max = 1; max <= 100; max++) {
		unsigned hits[250] = {0};
		size_t pages = plan_walk(250, max, 0, 0, hits);

		cr_assert_eq(pages, (250 + max - 1) / max, "max %u", max);
		for (size_t i = 0; i < 250; i++)
			cr_assert_eq(hits[i], 1, "max %u item %zu", max, i);
	}
}

Test(fake_page, resizing_between_pages_loses_nothing)
{
	for (unsigned a = 1; a <= 100; a += 9)
		for (unsigned b = 1; b <= 100; b += 11) {
			unsigned hits[250] = {0};

			plan_walk(250, a, b, 0, hits);
			for (size_t i = 0; i < 250; i++)
				cr_assert_eq(hits[i], 1, "%u then %u", a, b);
		}
}

Test(fake_page, empty_and_exact_lists)
{
	unsigned hits[10] = {0};

	cr_assert_eq(plan_walk(0, 5, 0, 0, hits), 1);
	cr_assert_eq(plan_walk(10, 10, 0, 0, hits), 1);
	cr_assert_eq(plan_walk(10, 5, 0, 0, hits), 2);
}

Test(fake_page, pagination_defects_deviate)
{
	unsigned hits[100];
	fake_defects d;

	d = 1u << FAKE_D_DROP_ON_ODD;
	memset(hits, 0, sizeof(hits));
	plan_walk(100, 7, 0, d, hits);
	cr_assert_eq(hits[7], 0, "item after the first page is dropped");
	memset(hits, 0, sizeof(hits));
	plan_walk(100, 8, 0, d, hits);
	cr_assert_eq(hits[8], 1, "even sizes are not affected");

	d = 1u << FAKE_D_DUP_ACROSS_PAGES;
	memset(hits, 0, sizeof(hits));
	plan_walk(100, 10, 0, d, hits);
	cr_assert_eq(hits[9], 2);

	d = 1u << FAKE_D_RESIZE_LOSS;
	memset(hits, 0, sizeof(hits));
	plan_walk(100, 10, 0, d, hits);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(hits[i], 1, "no resize: faithful");
	memset(hits, 0, sizeof(hits));
	plan_walk(100, 10, 20, d, hits);
	cr_assert_eq(hits[10], 0, "page 1 at size 20 skips items 10..19");

	d = 1u << FAKE_D_TOKEN_CYCLE;
	memset(hits, 0, sizeof(hits));
	cr_assert_gt(plan_walk(100, 50, 0, d, hits), 100);
}

/* ---- options -------------------------------------------------------- */

static blt_status parse(struct fake_opts *o, struct blt_err *err, ...)
{
	char *argv[32] = {"blt-fake"};
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return fake_opts_parse(argc, argv, o, err);
}

Test(fake_opts, defaults)
{
	struct fake_opts o;

	cr_assert_eq(parse(&o, NULL, NULL), BLT_OK);
	cr_assert_str_eq(o.listen, "127.0.0.1:8080");
	cr_assert_eq(o.source, FAKE_SOURCE_GENERATE);
	cr_assert_eq(o.generate, 250);
	cr_assert_eq(o.seed, 1);
	cr_assert_eq(o.token_ttl, 86400);
	cr_assert_eq(o.profile, AWSJSON_PROFILE_DOCUMENTED);
	cr_assert_eq(o.defects, 0);
}

Test(fake_opts, values_by_space_and_equals)
{
	struct fake_opts o;
	struct blt_err err;

	cr_assert_eq(parse(&o, &err, "--listen=127.0.0.1:0", "--generate", "12",
			   "--seed=9", "--token-ttl", "15m", "--profile",
			   "smithy", "--defect", "json-500",
			   "--defect=no-message,status-422", "--threads", "2",
			   NULL),
		     BLT_OK, "%s", err.msg);
	cr_assert_str_eq(o.listen, "127.0.0.1:0");
	cr_assert_eq(o.generate, 12);
	cr_assert_eq(o.seed, 9);
	cr_assert_eq(o.token_ttl, 900);
	cr_assert_eq(o.threads, 2);
	cr_assert_eq(o.profile, AWSJSON_PROFILE_SMITHY);
	cr_assert(fake_defect_on(o.defects, FAKE_D_JSON_500));
	cr_assert(fake_defect_on(o.defects, FAKE_D_NO_MESSAGE));
	cr_assert(fake_defect_on(o.defects, FAKE_D_STATUS_422));
}

Test(fake_opts, mistakes_are_usage_errors_naming_the_option)
{
	struct fake_opts o;
	struct blt_err err;

	cr_assert_eq(parse(&o, &err, "--bogus", NULL), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "--bogus"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--tasks", "a", "--generate", "3", NULL),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "only one"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--token-ttl", "soon", NULL), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "--token-ttl"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--threads", "0", NULL), BLT_EUSAGE);
	cr_assert_eq(parse(&o, &err, "--profile", "strict", NULL), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "--profile"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--verify-sigv4", "nocolon", NULL),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "--verify-sigv4"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--generate", NULL), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "needs a value"), "%s", err.msg);
	cr_assert_eq(parse(&o, &err, "--defect", "nope", NULL), BLT_EUSAGE);
	cr_assert_eq(parse(&o, &err, "--inject", "throttle=2", NULL),
		     BLT_EUSAGE);
}
