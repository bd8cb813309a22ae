/* The results model, the summary on the terminal, and expectation files. */
#include "results.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/fileio.h"

#define EXPECT_LINE_MAX 1024
#define EXPECT_FILE_MAX (1 << 20)

blt_status results_init(struct results *res, const char *tool,
			const char *version, size_t n, struct blt_err *err)
{
	memset(res, 0, sizeof(*res));
	res->tool = tool;
	res->version = version;
	res->r = calloc(n ? n : 1, sizeof(*res->r));
	if (!res->r)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	res->n = n;
	return BLT_OK;
}

void results_free(struct results *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->r[i].requirement);
		free(res->r[i].reason);
		free(res->r[i].coverage);
		free(res->r[i].text);
		free(res->r[i].expect);
	}
	free(res->r);
	free(res->abort_reason);
	memset(res, 0, sizeof(*res));
}

void results_setting(struct results *res, const char *key, const char *fmt,
		     ...)
{
	struct res_setting *s;
	va_list ap;

	if (res->nsettings >= RES_SETTINGS_MAX)
		return;
	s = &res->settings[res->nsettings++];
	snprintf(s->key, sizeof(s->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(s->value, sizeof(s->value), fmt, ap);
	va_end(ap);
}

void results_text(char **slot, const char *text)
{
	free(*slot);
	*slot = text ? strdup(text) : NULL;
}

void results_set(struct result *r, const char *id, const char *level,
		 const char *requirement)
{
	const char *dash = strchr(id, '-');
	size_t g = dash ? (size_t)(dash - id) : strlen(id);

	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->group, sizeof(r->group), "%.*s",
		 (int)(g < sizeof(r->group) ? g : sizeof(r->group) - 1), id);
	snprintf(r->level, sizeof(r->level), "%s", level);
	results_text(&r->requirement, requirement);
}

const char *results_outcome_name(enum res_outcome o)
{
	static const char *const names[RES_OUTCOMES] = {
		"pass", "fail", "warn", "skipped", "expected"};
	return names[o];
}

unsigned results_count(const struct results *res, enum res_outcome o)
{
	unsigned n = 0;

	for (size_t i = 0; i < res->n; i++)
		n += res->r[i].outcome == o;
	return n;
}

int results_exit_status(const struct results *res)
{
	return res->abort_reason || results_count(res, RES_FAIL) ? 1 : 0;
}

static const char *outcome_color(enum res_outcome o)
{
	static const char *const colors[RES_OUTCOMES] = {
		"\033[32m", "\033[31m", "\033[33m", "\033[36m", "\033[35m"};
	return colors[o];
}

/* Writes s to out as results_put_text does: nothing a terminal acts on
 * reaches it raw, whoever wrote s (a target's bytes are quoted in the
 * reports, an expectation file's reasons are the user's). */
static void print_text(FILE *out, const char *s, bool lines)
{
	size_t len = s ? strlen(s) : 0;
	struct blt_buf b;

	buf_init(&b, 4 * len + 1); /* \xNN for every byte at most */
	results_put_text(&b, s, len, lines);
	if (b.data)
		fputs(b.data, out);
	buf_free(&b);
}

static void print_details(const struct result *r, FILE *out)
{
	fprintf(out, "%s %s (%s): %s\n",
		r->outcome == RES_FAIL ? "FAIL" : "WARN", r->id, r->level,
		r->requirement ? r->requirement : "");
	if (r->text && *r->text && !r->unexpected_pass) {
		print_text(out, r->text, true);
	} else if (r->reason && *r->reason) {
		fputs("  - ", out);
		print_text(out, r->reason, false);
		fputc('\n', out);
	}
	fputc('\n', out);
}

/* The detail after the outcome on a summary line. */
static void summary_detail(const struct result *r, char *out, size_t n)
{
	const char *s = r->deviations == 1 ? "" : "s";

	out[0] = '\0';
	if (r->outcome == RES_SKIP || r->unfinished || r->unexpected_pass)
		snprintf(out, n, "%s", r->reason ? r->reason : "");
	else if (r->outcome == RES_EXPECTED)
		snprintf(out, n, "%u deviation%s, expected%s%s", r->deviations,
			 s, r->expect && *r->expect ? ": " : "",
			 r->expect ? r->expect : "");
	else if (r->outcome != RES_PASS)
		snprintf(out, n, "%u deviation%s", r->deviations, s);
	else if (r->coverage)
		snprintf(out, n, "%s", r->coverage);
}

void results_print(const struct results *res, FILE *out, bool color)
{
	char detail[1200];
	int width = 16; /* the IDs' column */

	for (size_t i = 0; i < res->n; i++)
		if (res->r[i].outcome == RES_FAIL ||
		    res->r[i].outcome == RES_WARN)
			print_details(&res->r[i], out);
	fprintf(out, "%s %s: ", res->tool, res->version);
	print_text(out, res->target, false);
	for (size_t i = 0; i < res->nsettings; i++) {
		fprintf(out, "%s%s ", i ? ", " : " (", res->settings[i].key);
		print_text(out, res->settings[i].value, false);
	}
	fputs(res->nsettings ? ")\n" : "\n", out);
	for (size_t i = 0; i < res->n; i++)
		if (strlen(res->r[i].id) > (size_t)width)
			width = (int)strlen(res->r[i].id);
	for (size_t i = 0; i < res->n; i++) {
		const struct result *r = &res->r[i];
		summary_detail(r, detail, sizeof(detail));
		fprintf(out, "  %-*s %-6s %s%-8s%s ", width, r->id, r->level,
			color ? outcome_color(r->outcome) : "",
			results_outcome_name(r->outcome),
			color ? "\033[0m" : "");
		print_text(out, detail, false);
		fputc('\n', out);
	}
	fprintf(out, "%zu checks: %u pass, %u fail, %u warn, %u skipped",
		res->n, results_count(res, RES_PASS),
		results_count(res, RES_FAIL), results_count(res, RES_WARN),
		results_count(res, RES_SKIP));
	if (res->expect_file[0])
		fprintf(out, ", %u expected", results_count(res, RES_EXPECTED));
	fprintf(out, "\n%llu requests (%llu retries: %llu throttled, %llu "
		     "server errors, %llu without an answer) in %.1f s\n",
		(unsigned long long)res->requests,
		(unsigned long long)(res->retries[0] + res->retries[1] +
				     res->retries[2]),
		(unsigned long long)res->retries[0],
		(unsigned long long)res->retries[1],
		(unsigned long long)res->retries[2], res->seconds);
	fflush(out);
}

/* ---- expectation files ---------------------------------------------- */

static struct result *find(struct results *res, const char *id)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->r[i].id, id) == 0)
			return &res->r[i];
	return NULL;
}

/* Applies one listed check (line number no) to its result. */
static void expect_one(struct results *res, struct result *r,
		       const char *reason, const char *path, unsigned no)
{
	char msg[1400];

	results_text(&r->expect, reason);
	r->expect_line = no;
	if (r->unfinished)
		return; /* a check that did not run or finish is no verdict */
	if (r->outcome == RES_FAIL || r->outcome == RES_WARN) {
		r->outcome = RES_EXPECTED;
		return;
	}
	if (r->outcome != RES_PASS)
		return;
	snprintf(msg, sizeof(msg),
		 "passed, but %.900s line %u lists it as an expected failure: "
		 "remove that line",
		 path, no);
	r->outcome = RES_FAIL;
	r->unexpected_pass = true;
	results_text(&r->reason, msg);
	(void)res;
}

/* Splits line into the ID and the reason (trimmed, in place). */
static char *split_line(char *line, char **reason)
{
	char *id, *end;

	while (isspace((unsigned char)*line))
		line++;
	id = line;
	while (*line && !isspace((unsigned char)*line))
		line++;
	if (*line)
		*line++ = '\0';
	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	*reason = line;
	return id;
}

blt_status results_apply_expect(struct results *res, const char *path,
				struct blt_err *err)
{
	FILE *f = fopen(path, "r");
	char line[EXPECT_LINE_MAX];
	unsigned no = 0;
	long total = 0;

	if (!f)
		return blt_fail(err, BLT_ENOTFOUND, "--expect %s: %s", path,
				strerror(errno));
	snprintf(res->expect_file, sizeof(res->expect_file), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *reason, *id;
		struct result *r;

		no++;
		total += (long)strlen(line);
		if (total > EXPECT_FILE_MAX ||
		    (!strchr(line, '\n') && !feof(f))) {
			fclose(f);
			return blt_fail(err, BLT_EUSAGE,
					"--expect %s line %u: too long (lines "
					"up to %d bytes, files up to 1 MiB)",
					path, no, EXPECT_LINE_MAX - 2);
		}
		id = split_line(line, &reason);
		if (!*id || *id == '#')
			continue;
		r = find(res, id);
		if (!r || r->expect_line) {
			fclose(f);
			if (r)
				return blt_fail(err, BLT_EUSAGE,
						"--expect %s line %u: %s is "
						"already listed on line %u",
						path, no, r->id,
						r->expect_line);
			return blt_fail(err, BLT_EUSAGE,
					"--expect %s line %u: '%.64s' is not a "
					"check ID",
					path, no, id);
		}
		expect_one(res, r, reason, path, no);
	}
	fclose(f);
	return BLT_OK;
}

/* The first deviation line of text, trimmed to one line, into out. */
static void first_deviation(const char *text, char *out, size_t n)
{
	const char *p = text ? strstr(text, "  - ") : NULL;
	size_t len;

	out[0] = '\0';
	if (!p)
		return;
	p += 4;
	len = strcspn(p, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
}

blt_status results_write_expect(const struct results *res, const char *path,
				struct blt_err *err)
{
	struct blt_buf b;
	char first[200];
	blt_status st;

	buf_init(&b, 1 << 20);
	buf_printf(
	    &b, NULL,
	    "# Expected failures of %s against %s: one check ID a line,\n"
	    "# then why. Give this file to --expect; remove a line once\n"
	    "# its check passes.\n",
	    res->tool, res->target);
	for (size_t i = 0; i < res->n; i++) {
		const struct result *r = &res->r[i];
		if (r->outcome != RES_FAIL && r->outcome != RES_WARN &&
		    r->outcome != RES_EXPECTED)
			continue;
		if (r->unexpected_pass || r->unfinished)
			continue;
		first_deviation(r->text, first, sizeof(first));
		buf_printf(&b, NULL, "%s %s\n", r->id,
			   r->expect && *r->expect ? r->expect
			   : first[0]		   ? first
			   : r->reason		   ? r->reason
						   : "");
	}
	st = fileio_write_atomic(path, b.data ? b.data : "", b.len, err);
	buf_free(&b);
	return st ? blt_err_prefix(err, "--write-expect") : BLT_OK;
}
