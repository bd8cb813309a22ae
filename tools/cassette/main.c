/* blt-cassette: lint, redact, diff, stats, HAR, fixture generation and
 * recovery for blt cassettes. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/canon.h"
#include "blt/cassette.h"
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

/* The option of opts that arg names ("--rule" or "--rule=..."), or NULL. */
static const struct tool_opt *find_opt(const struct tool_opt *opts,
				       const char *arg)
{
	for (; opts->name; opts++) {
		size_t n = strlen(opts->name);

		if (strncmp(arg, opts->name, n) == 0 &&
		    (arg[n] == '\0' || (arg[n] == '=' && opts->values)))
			return opts;
	}
	return NULL;
}

/* Takes the option at argv[*i]; 2 on a usage error (reported). */
static int take_opt(const char *sub, const struct tool_opt *o, int argc,
		    char **argv, int *i)
{
	const char *eq = strchr(argv[*i], '=');

	if (!o->values) {
		(*o->n)++;
		return 0;
	}
	if (*o->n >= o->max) {
		tool_error(sub, "%s may be given only once", o->name);
		return 2;
	}
	if (eq)
		o->values[(*o->n)++] = eq + 1;
	else if (*i + 1 < argc)
		o->values[(*o->n)++] = argv[++*i];
	else {
		tool_error(sub, "%s needs a value", o->name);
		return 2;
	}
	return 0;
}

int tool_args(int argc, char **argv, const char *usage,
	      const struct tool_opt *opts, const char **pos, int minpos,
	      int maxpos, int *npos)
{
	const char *sub = argv[0];
	bool options = true;

	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct tool_opt *o;

		if (options && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			fputs(usage, stdout);
			return 0;
		}
		if (options && !strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (options && a[0] == '-' && a[1] != '\0') {
			o = find_opt(opts, a);
			if (!o) {
				tool_error(sub, "unknown option '%s' (see "
					   "blt-cassette %s --help)", a, sub);
				return 2;
			}
			if (take_opt(sub, o, argc, argv, &i))
				return 2;
			continue;
		}
		if (*npos == maxpos) {
			tool_error(sub, "unexpected argument '%s'", a);
			fputs(usage, stderr);
			return 2;
		}
		pos[(*npos)++] = a;
	}
	if (*npos < minpos) {
		fputs(usage, stderr);
		return 2;
	}
	return -1;
}

json_t *tool_load_json(const char *path, struct blt_err *err)
{
	struct canon_pos pos = {0, 0};
	struct blt_buf b;
	char chunk[65536];
	size_t n;
	json_t *doc = NULL;
	FILE *f = fopen(path, "rb");

	buf_init(&b, CASSETTE_FILE_MAX);
	if (!f) {
		blt_fail(err, BLT_EIO, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n, err)) {
			blt_err_prefix(err, "%s", path);
			goto done;
		}
	doc = canon_parse_at(b.data ? b.data : "", b.len, CASSETTE_FILE_MAX,
			     CASSETTE_DEPTH_MAX, &pos, err);
	if (!doc && pos.line)
		blt_err_prefix(err, "%s:%d:%d", path, pos.line, pos.column);
	else if (!doc)
		blt_err_prefix(err, "%s", path);
done:
	fclose(f);
	buf_free(&b);
	return doc;
}

void tool_pointer_push(char *out, size_t outsz, const char *token)
{
	size_t len = strlen(out);

	if (len + 1 < outsz)
		out[len++] = '/';
	for (; *token && len + 2 < outsz; token++) {
		if (*token == '~' || *token == '/') {
			out[len++] = '~';
			out[len++] = *token == '~' ? '0' : '1';
		} else {
			out[len++] = *token;
		}
	}
	out[len] = '\0';
}

void tool_pointer_index(char *out, size_t outsz, size_t n)
{
	size_t len = strlen(out);

	snprintf(out + len, outsz - len, "/%zu", n);
}

blt_status tool_write_out(const char *path, const char *bytes, size_t len,
			  struct blt_err *err)
{
	if (strcmp(path, "-") != 0)
		return cassette_write_atomic(path, bytes, len, err);
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
