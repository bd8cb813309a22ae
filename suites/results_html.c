/* The HTML report: one self-contained page (inline style, no script, no
 * external resource) with the summary table, every deviation with its
 * curl command and response, and the run's settings. */
#include <stdlib.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/fileio.h"
#include "results.h"

#define HTML_MAX (64 << 20)

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:80em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;"
	"vertical-align:top}"
	"pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;"
	"word-break:break-all}"
	".outcome-pass td:nth-child(3){color:#176f2c}"
	".outcome-fail td:nth-child(3){color:#b00020;font-weight:bold}"
	".outcome-warn td:nth-child(3){color:#9a6700}"
	".outcome-skipped td:nth-child(3){color:#0b6e99}"
	".outcome-expected td:nth-child(3){color:#6f42c1}"
	".verdict-fail{color:#b00020}.verdict-pass{color:#176f2c}";

static void put(struct blt_buf *b, const char *s)
{
	results_put_markup(b, s);
}

/* Appends n bytes of s, escaped. */
static void putn(struct blt_buf *b, const char *s, size_t n)
{
	char *c = strndup(s, n);

	put(b, c);
	free(c);
}

static void summary_row(struct blt_buf *b, const struct result *r)
{
	const char *o = results_outcome_name(r->outcome);
	const char *detail = r->outcome == RES_PASS ? r->coverage : r->reason;
	char devs[64];

	buf_printf(b, NULL, "<tr id=\"row-%s\" class=\"outcome-%s\" "
			    "data-check=\"%s\" data-outcome=\"%s\">",
		   r->id, o, r->id, o);
	buf_printf(b, NULL, "<td><a href=\"#check-%s\">%s</a></td><td>%s</td>"
			    "<td>%s</td><td>",
		   r->id, r->id, r->level, o);
	if ((r->outcome == RES_FAIL || r->outcome == RES_WARN ||
	     r->outcome == RES_EXPECTED) &&
	    !r->unexpected_pass && !r->unfinished) {
		snprintf(devs, sizeof(devs), "%u deviation%s", r->deviations,
			 r->deviations == 1 ? "" : "s");
		put(b, devs);
		if (r->outcome == RES_EXPECTED && r->expect && *r->expect) {
			buf_puts(b, " (expected: ", NULL);
			put(b, r->expect);
			buf_puts(b, ")", NULL);
		}
	} else {
		put(b, detail);
	}
	buf_puts(b, "</td></tr>\n", NULL);
}

/* The check's report, a deviation at a time: its message, then its request
 * and response in their own blocks. */
static void deviations(struct blt_buf *b, const char *text)
{
	const char *p = text ? text : "";
	bool open = false;

	while (*p) {
		size_t n = strcspn(p, "\n");
		if (strncmp(p, "  - ", 4) == 0) {
			if (open)
				buf_puts(b, "</div>\n", NULL);
			buf_puts(b, "<div class=\"deviation\"><p>", NULL);
			putn(b, p + 4, n - 4);
			buf_puts(b, "</p>\n", NULL);
			open = true;
		} else if (strncmp(p, "    request:  ", 14) == 0) {
			buf_puts(b, "<pre class=\"request\">", NULL);
			putn(b, p + 14, n - 14);
			buf_puts(b, "</pre>\n", NULL);
		} else if (strncmp(p, "    response: ", 14) == 0) {
			buf_puts(b, "<pre class=\"response\">", NULL);
			putn(b, p + 14, n - 14);
			buf_puts(b, "</pre>\n", NULL);
		} else if (n) {
			buf_puts(b, "<p class=\"note\">", NULL);
			putn(b, p, n);
			buf_puts(b, "</p>\n", NULL);
		}
		p += n;
		if (*p)
			p++;
	}
	if (open)
		buf_puts(b, "</div>\n", NULL);
}

static void check_section(struct blt_buf *b, const struct result *r)
{
	buf_printf(b, NULL, "<section id=\"check-%s\" class=\"check\">"
			    "<h3>%s (%s, %s)</h3>\n<p>",
		   r->id, r->id, r->level, results_outcome_name(r->outcome));
	put(b, r->requirement);
	buf_puts(b, "</p>\n", NULL);
	if (r->unexpected_pass || r->unfinished) {
		buf_puts(b, "<p class=\"reason\">", NULL);
		put(b, r->reason);
		buf_puts(b, "</p>\n", NULL);
	} else {
		deviations(b, r->text);
	}
	buf_puts(b, "</section>\n", NULL);
}

static void settings_table(struct blt_buf *b, const struct results *res)
{
	char num[160];

	buf_puts(b, "<h2>Settings</h2>\n<table id=\"settings\">\n", NULL);
	buf_puts(b, "<tr><th>target</th><td>", NULL);
	put(b, res->target);
	buf_puts(b, "</td></tr>\n", NULL);
	for (size_t i = 0; i < res->nsettings; i++) {
		buf_puts(b, "<tr><th>", NULL);
		put(b, res->settings[i].key);
		buf_puts(b, "</th><td>", NULL);
		put(b, res->settings[i].value);
		buf_puts(b, "</td></tr>\n", NULL);
	}
	snprintf(num, sizeof(num),
		 "%llu (retries: %llu throttled, %llu server errors, %llu "
		 "without an answer)",
		 (unsigned long long)res->requests,
		 (unsigned long long)res->retries[0],
		 (unsigned long long)res->retries[1],
		 (unsigned long long)res->retries[2]);
	buf_puts(b, "<tr><th>requests</th><td>", NULL);
	put(b, num);
	snprintf(num, sizeof(num), "%.1f s", res->seconds);
	buf_puts(b, "</td></tr>\n<tr><th>time</th><td>", NULL);
	put(b, num);
	buf_puts(b, "</td></tr>\n</table>\n", NULL);
}

blt_status results_write_html(const struct results *res, const char *path,
			      struct blt_err *err)
{
	struct blt_buf b;
	int rc = results_exit_status(res);
	blt_status st;

	buf_init(&b, HTML_MAX);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		     "<meta charset=\"utf-8\"><title>",
		 NULL);
	put(&b, res->tool);
	buf_puts(&b, ": ", NULL);
	put(&b, res->target);
	buf_printf(&b, NULL, "</title>\n<style>%s</style></head>\n<body>\n"
			     "<h1>%s %s</h1>\n",
		   style, res->tool, res->version);
	buf_printf(&b, NULL, "<p id=\"verdict\" class=\"verdict-%s\">",
		   rc ? "fail" : "pass");
	if (res->abort_reason) {
		buf_puts(&b, "The run could not start: ", NULL);
		put(&b, res->abort_reason);
	} else {
		buf_printf(&b, NULL,
			   "%zu checks: %u pass, %u fail, %u warn, %u "
			   "skipped, %u expected. Exit status %d.",
			   res->n, results_count(res, RES_PASS),
			   results_count(res, RES_FAIL),
			   results_count(res, RES_WARN),
			   results_count(res, RES_SKIP),
			   results_count(res, RES_EXPECTED), rc);
	}
	buf_puts(&b, "</p>\n<h2>Summary</h2>\n<table id=\"summary\"><thead>"
		     "<tr><th>Check</th><th>Level</th><th>Outcome</th>"
		     "<th>Coverage or reason</th></tr></thead>\n<tbody>\n",
		 NULL);
	for (size_t i = 0; i < res->n && !res->abort_reason; i++)
		summary_row(&b, &res->r[i]);
	buf_puts(&b, "</tbody></table>\n<h2>Deviations</h2>\n", NULL);
	for (size_t i = 0; i < res->n && !res->abort_reason; i++)
		if (res->r[i].outcome == RES_FAIL ||
		    res->r[i].outcome == RES_WARN ||
		    res->r[i].outcome == RES_EXPECTED)
			check_section(&b, &res->r[i]);
	settings_table(&b, res);
	buf_puts(&b, "</body></html>\n", NULL);
	if (strcmp(path, "-") == 0) {
		fwrite(b.data, 1, b.len, stdout);
		fflush(stdout);
		st = BLT_OK;
	} else {
		st = fileio_write_atomic(path, b.data ? b.data : "", b.len,
					 err);
		if (st)
			blt_err_prefix(err, "--html");
	}
	buf_free(&b);
	return st;
}
