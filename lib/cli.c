/* The command line of every blt binary: options from one table, numbers
 * with ranges, and --help's option list. */
#include "blt/cli.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_init(struct cli *c, int argc, char **argv,
	      const struct cli_opt *opts, size_t nopts)
{
	assert(argc >= 0 && (argc == 0 || argv));
	memset(c, 0, sizeof(*c));
	c->argc = argc;
	c->argv = argv;
	c->opts = opts;
	c->nopts = nopts;
	c->next = 1;
	c->first = 1;
}

/* The row whose long name is the n bytes at name. */
static const struct cli_opt *find_long(const struct cli *c, const char *name,
				       size_t n)
{
	for (size_t k = 0; k < c->nopts; k++) {
		const char *o = c->opts[k].name;

		if (o && strlen(o) == n && strncmp(o, name, n) == 0)
			return &c->opts[k];
	}
	return NULL;
}

static const struct cli_opt *find_short(const struct cli *c, char s)
{
	for (size_t k = 0; k < c->nopts; k++)
		if (c->opts[k].short_name && c->opts[k].short_name == s)
			return &c->opts[k];
	return NULL;
}

/* Checks and returns the value of option o, spelled as typed in shown:
 * inline (after '=' or a short option's letter) or from the next argv. */
static int take_value(struct cli *c, const struct cli_opt *o,
		      const char *shown, size_t shown_len,
		      const char *inline_value, const char **value,
		      struct blt_err *err)
{
	const char *v = inline_value;

	if (o->arg == CLI_FLAG) {
		if (v)
			goto flag_value;
		*value = NULL;
		return o->id;
	}
	if (!v && o->arg == CLI_OPTIONAL) {
		*value = NULL;
		return o->id;
	}
	if (!v && o->arg == CLI_LIST && c->next < c->argc &&
	    c->argv[c->next][0] == '-')
		goto missing;
	if (!v && c->next >= c->argc)
		goto missing;
	if (!v)
		v = c->argv[c->next++];
	if (!*v)
		goto missing;
	if (o->arg == CLI_LIST)
		c->list = o;
	*value = v;
	return o->id;
missing:
	blt_fail(err, BLT_EUSAGE, "%.*s needs a value", (int)shown_len, shown);
	return CLI_ERROR;
flag_value:
	blt_fail(err, BLT_EUSAGE, "%.*s takes no value", (int)shown_len,
		 shown);
	return CLI_ERROR;
}

/* "--name" or "--name=VALUE". */
static int long_option(struct cli *c, const char *a, const char **value,
		       struct blt_err *err)
{
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	const struct cli_opt *o = find_long(c, a, n);

	if (!o) {
		blt_fail(err, BLT_EUSAGE, "unknown option '%.*s'", (int)n, a);
		return CLI_ERROR;
	}
	return take_value(c, o, a, n, eq ? eq + 1 : NULL, value, err);
}

/* "-x", "-x VALUE" or "-xVALUE". */
static int short_option(struct cli *c, const char *a, const char **value,
			struct blt_err *err)
{
	const struct cli_opt *o = find_short(c, a[1]);

	if (!o || (a[2] && o->arg != CLI_VALUE)) {
		blt_fail(err, BLT_EUSAGE, "unknown option '%s'", a);
		return CLI_ERROR;
	}
	return take_value(c, o, a, 2, a[2] ? a + 2 : NULL, value, err);
}

int cli_next(struct cli *c, const char **value, struct blt_err *err)
{
	const char *a;

	*value = NULL;
	if (c->done || c->next >= c->argc)
		return CLI_END;
	c->first = c->next;
	a = c->argv[c->next++];
	if (c->list && a[0] != '-') {
		*value = a;
		return c->list->id;
	}
	c->list = NULL;
	if (strcmp(a, "--") == 0) {
		c->done = true;
		return CLI_DASHDASH;
	}
	if (a[0] != '-' || a[1] == '\0') {
		*value = a;
		return CLI_POSITIONAL;
	}
	if (a[1] == '-')
		return long_option(c, a, value, err);
	return short_option(c, a, value, err);
}

const char *cli_name(const struct cli_opt *opts, size_t nopts, int id)
{
	for (size_t k = 0; k < nopts; k++)
		if (opts[k].id == id && opts[k].name)
			return opts[k].name;
	assert(!"cli_name: no option has that id");
	return "?";
}

char **cli_rest(const struct cli *c, int *n)
{
	*n = c->argc - c->next;
	return c->argv + c->next;
}

const char *cli_take(struct cli *c)
{
	return c->next < c->argc ? c->argv[c->next++] : NULL;
}

blt_status cli_uint(const char *opt, const char *text, uint64_t min,
		    uint64_t max, uint64_t *out, struct blt_err *err)
{
	unsigned long long v;
	char *end;

	assert(min <= max);
	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	v = strtoull(text, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"%s: '%s' is not a number between %llu and %llu", opt,
			text, (unsigned long long)min, (unsigned long long)max);
}

blt_status cli_real(const char *opt, const char *text, double min,
		    double max, double *out, struct blt_err *err)
{
	double v;
	char *end;

	assert(min <= max);
	errno = 0;
	if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
		goto bad;
	v = strtod(text, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		goto bad;
	*out = v;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"%s: '%s' is not a number between %g and %g", opt,
			text, min, max);
}

/* Prints "  -s, --name METAVAR" and returns its width. */
static int help_left(FILE *out, const struct cli_opt *o)
{
	int w = fprintf(out, "  ");

	if (o->short_name && o->name)
		w += fprintf(out, "-%c, %s", o->short_name, o->name);
	else if (o->short_name)
		w += fprintf(out, "-%c", o->short_name);
	else
		w += fprintf(out, "%s", o->name);
	if (o->metavar && o->arg == CLI_OPTIONAL)
		w += fprintf(out, "[=%s]", o->metavar);
	else if (o->metavar)
		w += fprintf(out, " %s", o->metavar);
	return w;
}

void cli_help(FILE *out, const struct cli_opt *opts, size_t nopts, int col)
{
	for (size_t k = 0; k < nopts; k++) {
		const struct cli_opt *o = &opts[k];
		const char *h = o->help;
		int w;

		if (!h)
			continue;
		if (!o->name && !o->short_name) {
			fputs(h, out);
			continue;
		}
		w = help_left(out, o);
		if (*h == '\n')
			fprintf(out, "\n%*s", col, "");
		else
			fprintf(out, "%*s", w < col ? col - w : 2, "");
		h += *h == '\n';
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, col, "");
		fprintf(out, "%s\n", h);
	}
}
