/* The report files made of a run's results: JUnit XML, TAP 13, JSON and a
 * self-contained HTML page (no script, no external resource). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt/buf.h"
#include "blt/fileio.h"
#include "results.h"

#define REPORT_FILE_MAX (64 << 20)

/* The length of the UTF-8 sequence at p (left bytes at most) when it is
 * well-formed and encodes a character that is safe to show as text in a
 * terminal, XML 1.0 and HTML: not a control character (C0, DEL, C1), not
 * a surrogate, not U+FFFE or U+FFFF. 0 otherwise. */
static size_t text_char(const unsigned char *p, size_t left)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f ? 1 : 0;
	n = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
	    : p[0] >= 0xe0 && p[0] <= 0xef ? 3
	    : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
					   : 0;
	if (!n || n > left)
		return 0;
	cp = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0xa0) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

void results_put_text(struct blt_buf *b, const char *s, size_t len,
		      bool lines)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	if (!s)
		len = 0;
	while (len) {
		size_t n = text_char(p, len);
		if (n) {
			buf_append(b, p, n, NULL);
		} else if (lines && (*p == '\n' || *p == '\t')) {
			buf_append(b, p, 1, NULL);
			n = 1;
		} else {
			buf_printf(b, NULL, "\\x%02x", *p);
			n = 1;
		}
		p += n;
		len -= n;
	}
}

void results_put_markup(struct blt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p);

	while (left) {
		size_t n = 1;
		switch (*p) {
		case '&': buf_puts(b, "&amp;", NULL); break;
		case '<': buf_puts(b, "&lt;", NULL); break;
		case '>': buf_puts(b, "&gt;", NULL); break;
		case '"': buf_puts(b, "&quot;", NULL); break;
		case '\'': buf_puts(b, "&#39;", NULL); break;
		default:
			n = text_char(p, left);
			if (!n)
				n = 1;
			results_put_text(b, (const char *)p, n, true);
		}
		p += n;
		left -= n;
	}
}

/* Writes b to path ("-" is stdout). */
static blt_status emit(struct blt_buf *b, const char *path, const char *what,
		       struct blt_err *err)
{
	blt_status st = BLT_OK;

	if (strcmp(path, "-") == 0) {
		if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
			st = blt_fail(err, BLT_EIO, "%s: cannot write to "
					       "stdout", what);
		fflush(stdout);
	} else if (fileio_write_atomic(path, b->data ? b->data : "", b->len,
				       err)) {
		st = blt_err_prefix(err, "%s", what);
	}
	buf_free(b);
	return st;
}

static bool failed(const struct result *r)
{
	return r->outcome == RES_FAIL;
}

/* ---- JUnit XML --------------------------------------------------------- */

static void junit_case(struct blt_buf *b, const struct result *r)
{
	buf_puts(b, "    <testcase classname=\"", NULL);
	results_put_markup(b, r->group);
	buf_puts(b, "\" name=\"", NULL);
	results_put_markup(b, r->id);
	buf_puts(b, "\" time=\"0\">\n", NULL);
	if (failed(r)) {
		buf_printf(b, NULL, "      <failure type=\"%s\" message=\"",
			   r->level);
		if (r->unexpected_pass || r->unfinished)
			results_put_markup(b, r->reason);
		else
			buf_printf(b, NULL, "%u deviation%s", r->deviations,
				   r->deviations == 1 ? "" : "s");
		buf_puts(b, "\">", NULL);
		results_put_markup(b, r->requirement);
		buf_puts(b, "\n", NULL);
		results_put_markup(b, r->text);
		buf_puts(b, "</failure>\n", NULL);
	} else if (r->outcome == RES_SKIP) {
		buf_puts(b, "      <skipped message=\"", NULL);
		results_put_markup(b, r->reason);
		buf_puts(b, "\"/>\n", NULL);
	} else {
		buf_printf(b, NULL, "      <system-out>%s", 
			   results_outcome_name(r->outcome));
		if (r->outcome == RES_EXPECTED && r->expect) {
			buf_puts(b, ": ", NULL);
			results_put_markup(b, r->expect);
		}
		buf_puts(b, "\n", NULL);
		results_put_markup(b, r->outcome == RES_PASS ? r->coverage
							     : r->text);
		buf_puts(b, "</system-out>\n", NULL);
	}
	buf_puts(b, "    </testcase>\n", NULL);
}

/* One testsuite per group, in the order the groups first appear. */
static void junit_suites(struct blt_buf *b, const struct results *res)
{
	for (size_t i = 0; i < res->n; i++) {
		bool seen = false;
		unsigned tests = 0, fails = 0, skips = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(res->r[j].group, res->r[i].group) == 0;
		if (seen)
			continue;
		for (size_t j = i; j < res->n; j++) {
			if (strcmp(res->r[j].group, res->r[i].group) != 0)
				continue;
			tests++;
			fails += failed(&res->r[j]);
			skips += res->r[j].outcome == RES_SKIP;
		}
		buf_puts(b, "  <testsuite name=\"", NULL);
		results_put_markup(b, res->r[i].group);
		buf_printf(b, NULL,
			   "\" tests=\"%u\" failures=\"%u\" errors=\"0\" "
			   "skipped=\"%u\">\n",
			   tests, fails, skips);
		for (size_t j = i; j < res->n; j++)
			if (strcmp(res->r[j].group, res->r[i].group) == 0)
				junit_case(b, &res->r[j]);
		buf_puts(b, "  </testsuite>\n", NULL);
	}
}

blt_status results_write_junit(const struct results *res, const char *path,
			       struct blt_err *err)
{
	struct blt_buf b;

	buf_init(&b, REPORT_FILE_MAX);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", NULL);
	buf_puts(&b, "<testsuites name=\"", NULL);
	results_put_markup(&b, res->tool);
	if (res->abort_reason) {
		buf_printf(&b, NULL,
			   "\" tests=\"1\" failures=\"1\" errors=\"0\" "
			   "skipped=\"0\" time=\"%.3f\">\n"
			   "  <testsuite name=\"%s\" tests=\"1\" "
			   "failures=\"1\" errors=\"0\" skipped=\"0\">\n"
			   "    <testcase classname=\"%s\" name=\"run\" "
			   "time=\"0\">\n      <failure message=\"",
			   res->seconds, res->tool, res->tool);
		results_put_markup(&b, res->abort_reason);
		buf_puts(&b, "\">", NULL);
		results_put_markup(&b, res->abort_reason);
		buf_puts(&b, "</failure>\n    </testcase>\n  </testsuite>\n"
			     "</testsuites>\n",
			 NULL);
		return emit(&b, path, "--xml", err);
	}
	buf_printf(&b, NULL,
		   "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" "
		   "skipped=\"%u\" time=\"%.3f\">\n",
		   res->n, results_count(res, RES_FAIL),
		   results_count(res, RES_SKIP), res->seconds);
	junit_suites(&b, res);
	buf_puts(&b, "</testsuites>\n", NULL);
	return emit(&b, path, "--xml", err);
}

/* ---- TAP 13 ------------------------------------------------------------ */

/* Appends text as a YAML literal block, indented. */
static void tap_block(struct blt_buf *b, const char *key, const char *text)
{
	const char *p = text ? text : "";

	buf_printf(b, NULL, "  %s: |\n", key);
	while (*p) {
		size_t n = strcspn(p, "\n");
		buf_puts(b, "    ", NULL);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 && c != '\t')
				buf_printf(b, NULL, "\\x%02x", c);
			else
				buf_append(b, &p[i], 1, NULL);
		}
		buf_puts(b, "\n", NULL);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* One line of a TAP directive: no '#' and no newline. */
static void tap_line(struct blt_buf *b, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++)
		buf_append(b, *p == '#' || *p == '\n' || *p == '\r' ? " " : p,
			   1, NULL);
}

blt_status results_write_tap(const struct results *res, const char *path,
			     struct blt_err *err)
{
	struct blt_buf b;

	buf_init(&b, REPORT_FILE_MAX);
	buf_puts(&b, "TAP version 13\n", NULL);
	if (res->abort_reason) {
		buf_puts(&b, "1..1\nnot ok 1 - run\n  ---\n", NULL);
		tap_block(&b, "message", res->abort_reason);
		buf_puts(&b, "  ...\n", NULL);
		return emit(&b, path, "--tap", err);
	}
	buf_printf(&b, NULL, "1..%zu\n", res->n);
	for (size_t i = 0; i < res->n; i++) {
		const struct result *r = &res->r[i];
		buf_printf(&b, NULL, "%s %zu - %s", failed(r) ? "not ok" : "ok",
			   i + 1, r->id);
		if (r->outcome == RES_SKIP) {
			buf_puts(&b, " # SKIP ", NULL);
			tap_line(&b, r->reason);
		} else if (r->outcome == RES_EXPECTED) {
			buf_puts(&b, " # TODO expected failure: ", NULL);
			tap_line(&b, r->expect);
		}
		buf_puts(&b, "\n", NULL);
		if (failed(r) || r->outcome == RES_WARN) {
			buf_printf(&b, NULL, "  ---\n  level: %s\n  outcome: "
					     "%s\n",
				   r->level, results_outcome_name(r->outcome));
			tap_block(&b, "message",
				  r->unexpected_pass || r->unfinished
					  ? r->reason
					  : r->text);
			buf_puts(&b, "  ...\n", NULL);
		}
	}
	return emit(&b, path, "--tap", err);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *text_or_null(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	if (!v) {
		struct blt_buf b;
		buf_init(&b, strlen(s) * 6 + 1);
		results_put_markup(&b, s);
		v = json_string(b.data ? b.data : "");
		buf_free(&b);
	}
	return v ? v : json_null();
}

static json_t *json_result(const struct result *r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:o, s:o, s:o, s:o, "
			 "s:b}",
			 "id", r->id, "group", r->group, "level", r->level,
			 "requirement", text_or_null(r->requirement),
			 "outcome", results_outcome_name(r->outcome),
			 "deviations", (int)r->deviations, "reason",
			 text_or_null(r->reason), "coverage",
			 text_or_null(r->coverage), "report",
			 text_or_null(r->text), "expected",
			 text_or_null(r->expect), "unexpected_pass",
			 r->unexpected_pass);
}

blt_status results_write_json(const struct results *res, const char *path,
			      struct blt_err *err)
{
	json_t *doc = json_object(), *checks = json_array(),
	       *settings = json_object(), *totals = json_object();
	struct blt_buf b;
	char *text;

	for (size_t i = 0; i < res->nsettings; i++)
		json_object_set_new(settings, res->settings[i].key,
				    text_or_null(res->settings[i].value));
	for (size_t i = 0; i < res->n; i++)
		json_array_append_new(checks, json_result(&res->r[i]));
	for (int o = 0; o < RES_OUTCOMES; o++)
		json_object_set_new(totals,
				    results_outcome_name((enum res_outcome)o),
				    json_integer(results_count(
					    res, (enum res_outcome)o)));
	json_object_set_new(doc, "tool", json_string(res->tool));
	json_object_set_new(doc, "version", json_string(res->version));
	json_object_set_new(doc, "target", text_or_null(res->target));
	json_object_set_new(doc, "settings", settings);
	json_object_set_new(doc, "aborted", text_or_null(res->abort_reason));
	json_object_set_new(doc, "checks", checks);
	json_object_set_new(doc, "totals", totals);
	json_object_set_new(doc, "requests",
			    json_integer((json_int_t)res->requests));
	json_object_set_new(
		doc, "retries",
		json_pack("{s:I, s:I, s:I}", "throttled",
			  (json_int_t)res->retries[0], "server_errors",
			  (json_int_t)res->retries[1], "no_answer",
			  (json_int_t)res->retries[2]));
	json_object_set_new(doc, "seconds", json_real(res->seconds));
	json_object_set_new(doc, "exit_status",
			    json_integer(results_exit_status(res)));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	buf_init(&b, REPORT_FILE_MAX);
	if (text) {
		buf_puts(&b, text, NULL);
		buf_puts(&b, "\n", NULL);
	}
	free(text);
	return emit(&b, path, "--json", err);
}
