/* blt-proxy replay: the --report JSON and the --junit XML, written when the
 * replay stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/fileio.h"
#include "replay.h"

#define REPORT_MAX ((size_t)256 * 1024 * 1024)

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80   ? 1
		     : s[0] < 0xC2 ? 0
		     : s[0] < 0xE0 ? 2
		     : s[0] < 0xF0 ? 3
		     : s[0] < 0xF5 ? 4
				   : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* A JSON string of s, with bytes that are not UTF-8 replaced by '?'. */
static json_t *jstr(const char *s)
{
	json_t *v;
	char *copy;
	size_t n;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	n = strlen(s);
	copy = strdup(s);
	if (!copy)
		return json_null();
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len((unsigned char *)copy + i, n - i);

		if (l == 0)
			copy[i++] = '?';
		else
			i += l;
	}
	v = json_string(copy);
	free(copy);
	return v ? v : json_null();
}

static json_t *violation_json(const struct replay_violation *v)
{
	return json_pack("{s:s, s:I, s:{s:o, s:o, s:o, s:o}, s:o}", "rule",
			 replay_rule_id(v->rule), "seq", (json_int_t)v->seq,
			 "request", "method", jstr(v->method), "path",
			 jstr(v->path), "target", jstr(v->target), "body",
			 jstr(v->body), "message", jstr(v->message));
}

static json_t *rules_json(const struct replay *rp)
{
	json_t *a = json_array();

	for (int r = 0; r < RULE_COUNT; r++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I}", "rule",
				     replay_rule_id(r), "requirement",
				     replay_rule_text(r), "violations",
				     (json_int_t)rp->rule_count[r]));
	return a;
}

static json_t *cassette_json(const struct replay *rp, size_t f)
{
	json_t *used = json_array();
	json_t *unused = json_array();
	size_t n = 0;

	for (size_t i = 0; i < rp->ix.nentries; i++) {
		const struct replay_entry *e = &rp->ix.entries[i];

		if (e->file != f)
			continue;
		n++;
		if (e->used)
			json_array_append_new(
				used, json_pack("{s:I, s:I}", "id",
						(json_int_t)e->id, "served",
						(json_int_t)e->used));
		else if (!e->describe)
			json_array_append_new(unused,
					      json_integer((json_int_t)e->id));
	}
	return json_pack("{s:o, s:I, s:o, s:o}", "file",
			 jstr(rp->ix.paths[f]), "interactions", (json_int_t)n,
			 "used", used, "unused", unused);
}

static json_t *report_json(const struct replay *rp)
{
	json_t *violations = json_array();
	json_t *cassettes = json_array();

	for (size_t i = 0; i < rp->nviolations; i++)
		json_array_append_new(violations,
				      violation_json(&rp->violations[i]));
	for (size_t f = 0; f < rp->ix.nfiles; f++)
		json_array_append_new(cassettes, cassette_json(rp, f));
	return json_pack(
		"{s:s, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:o, s:o, "
		"s:I, s:o}",
		"tool", "blt-proxy replay " BLT_VERSION, "requests",
		(json_int_t)rp->requests, "faults", "throttle",
		(json_int_t)rp->faults[INJECT_THROTTLE], "internal",
		(json_int_t)rp->faults[INJECT_INTERNAL], "reset",
		(json_int_t)rp->faults[INJECT_RESET], "latency",
		(json_int_t)rp->faults[0], "violation_count",
		(json_int_t)replay_violation_total(rp), "violations_dropped",
		(json_int_t)(replay_violation_total(rp) - rp->nviolations),
		"rules", rules_json(rp), "violations", violations,
		"unused_count", (json_int_t)replay_unused_count(rp),
		"cassettes", cassettes);
}

blt_status replay_write_report(const struct replay *rp, const char *path,
			       struct blt_err *err)
{
	json_t *doc = report_json(rp);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	blt_status st;

	json_decref(doc);
	if (!text)
		return blt_fail(err, BLT_ENOMEM, "%s: cannot build the report",
				path);
	st = fileio_write_atomic(path, text, strlen(text), err);
	free(text);
	return st;
}

/* Appends s escaped for XML text and attributes. */
static void xml_text(struct blt_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = utf8_len((const unsigned char *)s + i, n - i);

		if (c == '&')
			buf_puts(b, "&amp;", NULL);
		else if (c == '<')
			buf_puts(b, "&lt;", NULL);
		else if (c == '>')
			buf_puts(b, "&gt;", NULL);
		else if (c == '"')
			buf_puts(b, "&quot;", NULL);
		else if (c == '\n' || c == '\t')
			buf_append(b, s + i, 1, NULL);
		else if (c < 0x20 || l == 0)
			buf_puts(b, "?", NULL);
		else {
			buf_append(b, s + i, l, NULL);
			i += l;
			continue;
		}
		i++;
	}
}

static void junit_rule(const struct replay *rp, enum replay_rule r,
		       struct blt_buf *b)
{
	buf_puts(b, "    <testcase classname=\"blt-proxy.replay\" name=\"",
		 NULL);
	xml_text(b, replay_rule_id(r));
	buf_puts(b, "\">\n", NULL);
	if (rp->rule_count[r]) {
		buf_printf(b, NULL,
			   "      <failure type=\"%s\" message=\"%lu "
			   "violation(s): ",
			   replay_rule_id(r), rp->rule_count[r]);
		xml_text(b, replay_rule_text(r));
		buf_puts(b, "\">", NULL);
		for (size_t i = 0; i < rp->nviolations; i++) {
			const struct replay_violation *v = &rp->violations[i];

			if (v->rule != r)
				continue;
			buf_printf(b, NULL, "request %llu (", v->seq);
			xml_text(b, v->method);
			buf_puts(b, " ", NULL);
			xml_text(b, v->path);
			buf_puts(b, " ", NULL);
			xml_text(b, v->target ? v->target : "-");
			buf_puts(b, "): ", NULL);
			xml_text(b, v->message);
			buf_puts(b, "\n", NULL);
		}
		buf_puts(b, "</failure>\n", NULL);
	}
	buf_puts(b, "    </testcase>\n", NULL);
}

static void junit_unused(const struct replay *rp, struct blt_buf *b)
{
	for (size_t i = 0; i < rp->ix.nentries; i++) {
		const struct replay_entry *e = &rp->ix.entries[i];

		if (e->used || e->describe)
			continue;
		buf_puts(b, "    <testcase classname=\"blt-proxy.replay.unused\" "
			    "name=\"",
			 NULL);
		xml_text(b, rp->ix.paths[e->file]);
		buf_printf(b, NULL,
			   "#%ld\">\n      <failure type=\"REPLAY-UNUSED\" "
			   "message=\"interaction %ld (",
			   e->id, e->id);
		xml_text(b, e->op);
		buf_puts(b, ") was never used\"/>\n    </testcase>\n", NULL);
	}
}

blt_status replay_write_junit(const struct replay *rp, const char *path,
			      struct blt_err *err)
{
	struct blt_buf b;
	size_t unused = rp->opts->fail_on_unused ? replay_unused_count(rp) : 0;
	size_t failures = unused;
	blt_status st;

	for (int r = 0; r < RULE_COUNT; r++)
		failures += rp->rule_count[r] ? 1 : 0;
	buf_init(&b, REPORT_MAX);
	buf_printf(&b, NULL,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"blt-proxy replay\" tests=\"%zu\" "
		   "failures=\"%zu\">\n"
		   "  <testsuite name=\"blt-proxy replay\" tests=\"%zu\" "
		   "failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		   (size_t)RULE_COUNT + unused, failures,
		   (size_t)RULE_COUNT + unused, failures);
	for (int r = 0; r < RULE_COUNT; r++)
		junit_rule(rp, r, &b);
	if (rp->opts->fail_on_unused)
		junit_unused(rp, &b);
	st = buf_puts(&b, "  </testsuite>\n</testsuites>\n", err);
	if (!st)
		st = fileio_write_atomic(path, b.data, b.len, err);
	buf_free(&b);
	return st;
}
