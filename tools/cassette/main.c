/* blt-cassette: lint, redact, diff, stats, HAR, fixture generation and
 * recovery for blt cassettes. */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/fileio.h"
#include "cassette_tool.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"lint", cmd_lint, "check cassettes: schema, ids, token links, "
			   "operations, leaked credentials"},
	{"redact", cmd_redact, "remove secrets from a cassette, in place"},
	{"diff", cmd_diff, "semantic difference of two recordings"},
	{"stats", cmd_stats, "interactions, walks, page sizes, task statuses"},
	{"export-har", cmd_export_har, "write a cassette as HAR 1.2"},
	{"import-har", cmd_import_har, "make a cassette from a HAR file"},
	{"gen", cmd_gen, "record a deterministic fixture from blt-fake"},
	{"recover", cmd_recover, "turn a killed recording's journal into "
				 "a cassette"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *to)
{
	fputs("usage: blt-cassette COMMAND [ARGS...]   (COMMAND --help for "
	      "its options)\n\ncommands:\n", to);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(to, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("blt-cassette %s\n", BLT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "blt-cassette: unknown %s '%s'\n",
		argv[1][0] == '-' ? "option" : "command", argv[1]);
	usage(stderr);
	return 2;
}

/* Prints the usage of cl, and its options when it has any besides
 * --help. */
static void cmdline_usage(const struct tool_cmdline *cl, FILE *to)
{
	fputs(cl->usage, to);
	if (cl->nopts > 1) {
		fputs("options:\n", to);
		cli_help(to, cl->opts, cl->nopts, 24);
	}
}

static int cmdline_error(const struct tool_cmdline *cl, const char *msg)
{
	tool_error(cl->name, "%s", msg);
	cmdline_usage(cl, stderr);
	return 2;
}

int tool_parse_args(const struct tool_cmdline *cl, int argc, char **argv,
		    int *nargs)
{
	struct blt_err err = {0};
	struct cli c;
	const char *v;
	int id;

	*nargs = 0;
	cli_init(&c, argc, argv, cl->opts, cl->nopts);
	while ((id = cli_next(&c, &v, &err)) != CLI_END) {
		if (id == CLI_ERROR)
			return cmdline_error(cl, err.msg);
		if (id == TOOL_OPT_HELP) {
			cmdline_usage(cl, stdout);
			return 0;
		}
		if (id == CLI_DASHDASH) {
			/* what follows "--" is positional, even "-x" */
			int n;
			char **rest = cli_rest(&c, &n);

			if (*nargs + n > cl->max_args)
				return cmdline_error(cl, "too many arguments");
			for (int i = 0; i < n; i++)
				argv[++*nargs] = rest[i];
			break;
		}
		if (id == CLI_POSITIONAL && *nargs >= cl->max_args) {
			blt_fail(&err, BLT_EUSAGE, "unexpected argument '%s'",
				 v);
			return cmdline_error(cl, err.msg);
		}
		if (id == CLI_POSITIONAL) {
			/* c.first >= *nargs + 1: never a slot still unread */
			assert(c.first >= *nargs + 1);
			argv[++*nargs] = (char *)v;
		} else {
			assert(cl->apply);
			if (cl->apply(cl->ctx, id, v, &err))
				return cmdline_error(cl, err.msg);
		}
	}
	if (*nargs < cl->min_args)
		return cmdline_error(cl, "missing argument");
	return -1;
}

int tool_parse_files(const char *name, const char *usage, int min_args,
		     int max_args, int argc, char **argv, int *nargs)
{
	static const struct cli_opt help_only[] = {TOOL_HELP_ROW};
	const struct tool_cmdline cl = {name,	  usage,    help_only, 1,
					min_args, max_args, NULL,      NULL};

	return tool_parse_args(&cl, argc, argv, nargs);
}

json_t *tool_load_json(const char *path, struct blt_err *err)
{
	struct canon_pos pos = {0, 0};
	struct blt_buf b;
	json_t *doc;

	if (fileio_read_all(path, CASSETTE_FILE_MAX, &b, err))
		return NULL;
	doc = canon_parse_at(b.data ? b.data : "", b.len, CASSETTE_FILE_MAX,
			     CASSETTE_DEPTH_MAX, &pos, err);
	if (!doc && pos.line)
		blt_err_prefix(err, "%s:%d:%d", path, pos.line, pos.column);
	else if (!doc)
		blt_err_prefix(err, "%s", path);
	buf_free(&b);
	return doc;
}

blt_status tool_write_out(const char *path, const char *bytes, size_t len,
			  struct blt_err *err)
{
	if (strcmp(path, "-") != 0)
		return fileio_write_atomic(path, bytes, len, err);
	if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0)
		return blt_fail(err, BLT_EIO, "cannot write to stdout");
	return BLT_OK;
}

void tool_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "blt-cassette %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *tool_body_token(const json_t *message)
{
	json_t *body = json_object_get(message, "body");
	json_t *tok = json_object_get(body, "NextToken");

	return json_is_string(tok) ? json_string_value(tok) : NULL;
}

bool tool_error_type(const json_t *response, char *out, size_t outsz)
{
	json_t *headers = json_object_get(response, "headers");
	const char *h = json_string_value(
		json_object_get(headers, "x-amzn-errortype"));
	json_int_t status = json_integer_value(
		json_object_get(response, "status"));

	return status >= 300 &&
	       awsjson_error_read_type(h, json_object_get(response, "body"),
				       out, outsz);
}

void tool_foreach_task(const struct cassette *c,
		       void (*fn)(json_t *task, void *arg), void *arg)
{
	for (size_t i = 0; i < cassette_count(c); i++) {
		json_t *tasks = json_object_get(
			cassette_body_json(cassette_at(c, i)->response),
			"BatchLoadTasks");
		size_t k;
		json_t *task;

		json_array_foreach(tasks, k, task)
			fn(task, arg);
	}
}
