/* Unit tests for the crash journal and its recovery (lib/journal.c). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/cassette.h"
#include "blt/fileio.h"
#include "blt/journal.h"

static char dir[64];
static char cpath[128];
static char jpath[160];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/blt-journal-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cpath, sizeof(cpath), "%s/c.json", dir);
	snprintf(jpath, sizeof(jpath), "%s/c.json.journal", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(journal, .init = setup, .fini = teardown);

/* An interaction as the proxy journals it. */
static json_t *interaction(long id, long token_from, int max_results)
{
	json_t *req =
	    json_pack("{s:s,s:s,s:s,s:{s:s},s:{s:i}}", "method", "POST", "path",
		      "/", "operation", "ListBatchLoadTasks", "headers",
		      "x-amz-target", "Timestream_20181101.ListBatchLoadTasks",
		      "body", "MaxResults", max_results);
	json_t *resp = json_pack(
	    "{s:i,s:{s:s},s:{s:[]}}", "status", 200, "headers", "content-type",
	    "application/x-amz-json-1.0", "body", "BatchLoadTasks");
	json_t *tf = token_from ? json_integer(token_from) : json_null();

	return json_pack("{s:I,s:o,s:o,s:o,s:f}", "id", (json_int_t)id,
			 "request", req, "response", resp, "token_from", tf,
			 "elapsed_ms", 1.5);
}

static void write_journal(enum journal_mode mode, int n)
{
	struct journal *j;
	struct blt_err err;
	json_t *meta = json_pack("{s:s,s:s}", "upstream", "http://up", "tool",
				 "blt-proxy test");

	cr_assert_eq(journal_open(jpath, mode, meta, &j, &err), BLT_OK, "%s",
		     err.msg);
	for (int i = 1; i <= n; i++) {
		json_t *e = interaction(i, i > 1 ? i - 1 : 0, i);

		cr_assert_eq(journal_append(j, e, &err), BLT_OK, "%s", err.msg);
		json_decref(e);
	}
	cr_assert_eq(journal_sync(j, &err), BLT_OK, "%s", err.msg);
	journal_close(j);
	json_decref(meta);
}

static void append_raw(const char *text)
{
	FILE *f = fopen(jpath, "a");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(journal, reads_back_what_was_appended)
{
	struct journal_contents jc;
	struct blt_err err;

	write_journal(JOURNAL_MODE_REPLACE, 3);
	cr_assert_eq(journal_read(jpath, &jc, &err), BLT_OK, "%s", err.msg);
	cr_assert_eq(jc.mode, JOURNAL_MODE_REPLACE);
	cr_assert_eq(json_array_size(jc.interactions), 3);
	cr_assert_not(jc.dropped_partial);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(jc.header, "meta"), "upstream")),
			 "http://up");
	journal_contents_free(&jc);
}

Test(journal, a_cut_off_last_line_is_dropped)
{
	struct journal_contents jc;
	struct blt_err err;

	write_journal(JOURNAL_MODE_APPEND, 2);
	append_raw("{\"id\":3,\"request\":{\"meth");
	cr_assert_eq(journal_read(jpath, &jc, &err), BLT_OK, "%s", err.msg);
	cr_assert(jc.dropped_partial);
	cr_assert_eq(json_array_size(jc.interactions), 2);
	journal_contents_free(&jc);
}

Test(journal, a_broken_middle_line_is_an_error)
{
	struct journal_contents jc;
	struct blt_err err;

	write_journal(JOURNAL_MODE_APPEND, 1);
	append_raw("{\"id\":\n");
	append_raw("{\"id\":3,\"request\":{},\"response\":{}}\n");
	cr_assert_eq(journal_read(jpath, &jc, &err), BLT_EPARSE);
	cr_assert(strstr(err.msg, ":3:") != NULL, "%s", err.msg);
}

Test(journal, missing_journal_is_not_found)
{
	struct blt_err err;

	cr_assert_eq(journal_recover_report(cpath, jpath, NULL, &err),
		     BLT_ENOTFOUND);
}

Test(journal, recover_replace_writes_a_valid_cassette)
{
	struct journal_recovery info;
	struct cassette *c;
	struct blt_err err;

	cr_assert_eq(fileio_write_atomic(cpath, "not even json", 13, &err),
		     BLT_OK);
	write_journal(JOURNAL_MODE_REPLACE, 3);
	append_raw("{\"id\":4,\"req");
	cr_assert_eq(journal_recover_report(cpath, jpath, &info, &err), BLT_OK,
		     "%s", err.msg);
	cr_assert_eq(info.recovered, 3);
	cr_assert(info.dropped_partial);
	cr_assert_not(info.merged);
	cr_assert_eq(access(jpath, F_OK), -1, "the journal is removed");
	cr_assert_eq(cassette_load(&(struct cassette_load_opts){.path = cpath},
				   &c, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(cassette_count(c), 3);
	cr_assert_eq(cassette_at(c, 2)->id, 3);
	cr_assert_eq(cassette_at(c, 2)->token_from, 2);
	cr_assert_str_eq(
	    json_string_value(json_object_get(cassette_meta(c), "upstream")),
	    "http://up");
	cassette_free(c);
}

Test(journal, recover_append_merges_and_renumbers)
{
	struct journal_recovery info;
	struct cassette *c = cassette_new("http://up", "t");
	struct blt_err err;

	cr_assert_eq(cassette_append_take(c, interaction(1, 0, 50), &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(cassette_append_take(c, interaction(2, 1, 51), &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(cassette_save(c, cpath, &err), BLT_OK, "%s", err.msg);
	cassette_free(c);
	/* Journal ids 1..3 collide with the cassette's 1..2. */
	write_journal(JOURNAL_MODE_APPEND, 3);
	cr_assert_eq(journal_recover_report(cpath, jpath, &info, &err), BLT_OK,
		     "%s", err.msg);
	cr_assert(info.merged);
	cr_assert_eq(info.recovered, 3);
	cr_assert_eq(info.total, 5);
	cr_assert_eq(cassette_load(&(struct cassette_load_opts){.path = cpath},
				   &c, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(cassette_count(c), 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(cassette_at(c, i)->id, (long)i + 1);
	/* journal 2 (now 4) came from journal 1 (now 3). */
	cr_assert_eq(cassette_at(c, 3)->token_from, 3);
	cr_assert_eq(cassette_at(c, 4)->token_from, 4);
	cassette_free(c);
}

Test(journal, path_for_appends_the_suffix)
{
	char out[32];
	struct blt_err err;

	cr_assert_eq(journal_path_for("a.json", out, sizeof(out), &err),
		     BLT_OK);
	cr_assert_str_eq(out, "a.json.journal");
	cr_assert_eq(journal_path_for("0123456789012345678901234567890", out,
				      sizeof(out), &err),
		     BLT_ELIMIT);
}
