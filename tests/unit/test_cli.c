/* Unit tests for lib/cli.c: the option table, values, numbers and help. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cli.h"

enum { O_HELP, O_PORT, O_STRICT, O_OUT, O_XML, O_FILES };

static const struct cli_opt opts[] = {
	{O_HELP, "--help", 'h', CLI_FLAG, NULL, "this text"},
	{O_PORT, "--port", 0, CLI_VALUE, "N", "the port\nfrom 0 to 65535"},
	{O_STRICT, "--strict", 0, CLI_FLAG, NULL, NULL},
	{O_OUT, "--output", 'o', CLI_VALUE, "FILE", "where to write"},
	{O_XML, "--xml", 0, CLI_OPTIONAL, "FILE", "XML report"},
	{O_FILES, "--files", 0, CLI_LIST, "PATH...", "inputs"},
	{-1, NULL, 0, CLI_FLAG, NULL, "Heading:\n"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Parses the NULL-terminated words; fills ids and values, returns how
 * many cli_next results there were (CLI_END not counted). */
static int run(const char **words, int *ids, const char **values,
	       struct blt_err *err)
{
	char *argv[32];
	int argc = 0;
	struct cli c;
	int n = 0;

	argv[argc++] = (char *)"prog";
	while (*words)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	cli_init(&c, argc, argv, opts, NOPTS);
	for (;;) {
		int id = cli_next(&c, &values[n], err);

		if (id == CLI_END)
			return n;
		ids[n++] = id;
		if (id == CLI_ERROR || id == CLI_DASHDASH)
			return n;
	}
}

Test(cli, separate_and_inline_values)
{
	const char *w[] = {"--port", "80", "--port=81", "-o", "a", "-ob",
			   "--output=c", "--strict", NULL};
	int ids[16];
	const char *v[16];
	struct blt_err err = {0};

	cr_assert_eq(run(w, ids, v, &err), 6);
	cr_assert_eq(ids[0], O_PORT);
	cr_assert_str_eq(v[0], "80");
	cr_assert_str_eq(v[1], "81");
	cr_assert_eq(ids[2], O_OUT);
	cr_assert_str_eq(v[2], "a");
	cr_assert_str_eq(v[3], "b");
	cr_assert_str_eq(v[4], "c");
	cr_assert_eq(ids[5], O_STRICT);
	cr_assert_null(v[5]);
}

Test(cli, a_value_may_start_with_a_dash)
{
	const char *w[] = {"--port", "-1", NULL};
	int ids[4];
	const char *v[4];
	struct blt_err err = {0};

	cr_assert_eq(run(w, ids, v, &err), 1);
	cr_assert_str_eq(v[0], "-1");
}

Test(cli, unknown_option_is_a_usage_error_naming_it)
{
	const char *w[] = {"--strict", "--bogus=3", NULL};
	int ids[4];
	const char *v[4];
	struct blt_err err = {0};

	cr_assert_eq(run(w, ids, v, &err), 2);
	cr_assert_eq(ids[1], CLI_ERROR);
	cr_assert_eq(err.code, BLT_EUSAGE);
	cr_assert_str_eq(err.msg, "unknown option '--bogus'");
	const char *w2[] = {"-z", NULL};
	cr_assert_eq(run(w2, ids, v, &err), 1);
	cr_assert_str_eq(err.msg, "unknown option '-z'");
	const char *w3[] = {"-hx", NULL};
	cr_assert_eq(run(w3, ids, v, &err), 1);
	cr_assert_eq(ids[0], CLI_ERROR, "a flag takes no glued value");
}

Test(cli, missing_or_empty_value_is_a_usage_error)
{
	int ids[4];
	const char *v[4];
	struct blt_err err = {0};
	const char *w1[] = {"--port", NULL};
	const char *w2[] = {"--port=", NULL};
	const char *w3[] = {"-o", NULL};
	const char *w4[] = {"--strict=yes", NULL};

	cr_assert_eq(run(w1, ids, v, &err), 1);
	cr_assert_eq(ids[0], CLI_ERROR);
	cr_assert_str_eq(err.msg, "--port needs a value");
	run(w2, ids, v, &err);
	cr_assert_eq(ids[0], CLI_ERROR);
	cr_assert_str_eq(err.msg, "--port needs a value");
	run(w3, ids, v, &err);
	cr_assert_str_eq(err.msg, "-o needs a value");
	run(w4, ids, v, &err);
	cr_assert_eq(ids[0], CLI_ERROR);
	cr_assert_str_eq(err.msg, "--strict takes no value");
}

Test(cli, optional_value_never_takes_the_next_argument)
{
	const char *w[] = {"--xml", "file", "--xml=r.xml", NULL};
	int ids[4];
	const char *v[4];
	struct blt_err err = {0};

	cr_assert_eq(run(w, ids, v, &err), 3);
	cr_assert_eq(ids[0], O_XML);
	cr_assert_null(v[0]);
	cr_assert_eq(ids[1], CLI_POSITIONAL);
	cr_assert_str_eq(v[1], "file");
	cr_assert_str_eq(v[2], "r.xml");
}

Test(cli, list_takes_values_up_to_the_next_option)
{
	const char *w[] = {"--files", "a", "b", "--strict", "c",
			   "--files=d", "e", "-", NULL};
	int ids[16];
	const char *v[16];
	struct blt_err err = {0};

	cr_assert_eq(run(w, ids, v, &err), 7);
	cr_assert_eq(ids[0], O_FILES);
	cr_assert_eq(ids[1], O_FILES);
	cr_assert_str_eq(v[1], "b");
	cr_assert_eq(ids[2], O_STRICT);
	cr_assert_eq(ids[3], CLI_POSITIONAL, "the list ended at --strict");
	cr_assert_eq(ids[4], O_FILES);
	cr_assert_str_eq(v[5], "e");
	cr_assert_eq(ids[6], CLI_POSITIONAL, "'-' is no value of a list");
	const char *w2[] = {"--files", "--strict", NULL};
	cr_assert_eq(run(w2, ids, v, &err), 1);
	cr_assert_eq(ids[0], CLI_ERROR);
	cr_assert_str_eq(err.msg, "--files needs a value");
}

Test(cli, dashdash_leaves_the_rest)
{
	char *argv[] = {"p", "x", "--", "cmd", "--port", NULL};
	struct cli c;
	const char *v;
	struct blt_err err = {0};
	int n;

	cli_init(&c, 5, argv, opts, NOPTS);
	cr_assert_eq(cli_next(&c, &v, &err), CLI_POSITIONAL);
	cr_assert_str_eq(v, "x");
	cr_assert_eq(cli_next(&c, &v, &err), CLI_DASHDASH);
	cr_assert_eq(cli_rest(&c, &n), argv + 3);
	cr_assert_eq(n, 2);
	cr_assert_eq(cli_next(&c, &v, &err), CLI_END);
}

Test(cli, uint_ranges_and_errors_name_the_option)
{
	uint64_t x = 7;
	struct blt_err err = {0};

	cr_assert_eq(cli_uint("--port", "65535", 0, 65535, &x, &err), BLT_OK);
	cr_assert_eq(x, 65535);
	cr_assert_eq(cli_uint("--port", "0", 0, 65535, &x, &err), BLT_OK);
	cr_assert_eq(x, 0);
	cr_assert_eq(cli_uint("--port", "18446744073709551615", 0, UINT64_MAX,
			      &x, &err),
		     BLT_OK);
	cr_assert_eq(x, UINT64_MAX);
	const char *bad[] = {"x", "", "-1", "+1", " 1", "1 ", "65536",
			     "1e3", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		x = 7;
		cr_assert_eq(cli_uint("--port", bad[i], 0, 65535, &x, &err),
			     BLT_EUSAGE, "%s", bad[i]);
		cr_assert_eq(x, 7, "untouched on error");
		snprintf(want, sizeof(want),
			 "--port: '%s' is not a number between 0 and 65535",
			 bad[i]);
		cr_assert_str_eq(err.msg, want);
	}
	cr_assert_eq(cli_uint("--threads", "0", 1, 64, &x, &err), BLT_EUSAGE);
	cr_assert_str_eq(cli_name(opts, NOPTS, O_PORT), "--port");
	cr_assert_str_eq(err.msg,
			 "--threads: '0' is not a number between 1 and 64");
}

Test(cli, real_ranges)
{
	double d = 0;
	struct blt_err err = {0};

	cr_assert_eq(cli_real("--rate", "0.5", 0.01, 1e6, &d, &err), BLT_OK);
	cr_assert_float_eq(d, 0.5, 1e-12);
	cr_assert_eq(cli_real("--rate", "1e3", 0.01, 1e6, &d, &err), BLT_OK);
	cr_assert_float_eq(d, 1000.0, 1e-9);
	const char *bad[] = {"0", "nan", "inf", "-1", "x", "2e6", "1x", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cli_real("--rate", bad[i], 0.01, 1e6, &d, &err),
			     BLT_EUSAGE, "%s", bad[i]);
	cr_assert_str_eq(err.msg,
			 "--rate: '' is not a number between 0.01 and 1e+06");
}

Test(cli, help_lists_the_table)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cli_help(f, opts, NOPTS, 16);
	fclose(f);
	cr_assert_str_eq(text,
			 "  -h, --help    this text\n"
			 "  --port N      the port\n"
			 "                from 0 to 65535\n"
			 "  -o, --output FILE  where to write\n"
			 "  --xml[=FILE]  XML report\n"
			 "  --files PATH...  inputs\n"
			 "Heading:\n");
	free(text);
}

Test(cli, help_that_starts_with_a_newline_starts_on_the_next_line)
{
	static const struct cli_opt long_opts[] = {
		{0, "--forward-target", 0, CLI_VALUE, "PREFIX",
		 "\nalso forward\nthese"},
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cli_help(f, long_opts, 1, 16);
	fclose(f);
	cr_assert_str_eq(text, "  --forward-target PREFIX\n"
			       "                also forward\n"
			       "                these\n");
	free(text);
}
