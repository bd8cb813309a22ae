/* blt-cassette export-har and import-har: HAR 1.2 in both directions, so a
 * cassette opens in browser developer tools and a capture made elsewhere
 * becomes a cassette. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/awsjson.h"
#include "blt/base64.h"
#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/redact.h"
#include "cassette_tool.h"

#define HAR_HEADERS_MAX 128

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 413: return "Payload Too Large";
	case 421: return "Misdirected Request";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	}
	return "";
}

static json_t *har_headers(const json_t *msg)
{
	json_t *list = json_array();
	const char *name;
	json_t *value;

	json_object_foreach(json_object_get(msg, "headers"), name, value)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name",
						      name, "value",
						      json_string_value(value)
							      ? json_string_value(value)
							      : ""));
	return list;
}

/* The body as text for HAR, and whether it had to be base64. */
static json_t *har_text(const json_t *msg, bool *base64, size_t *size)
{
	json_t *b64 = json_object_get(msg, "body_base64");
	struct blt_buf b;

	*base64 = false;
	*size = 0;
	if (json_is_string(b64)) {
		*base64 = true;
		*size = json_string_length(b64) / 4 * 3;
		return json_copy(b64);
	}
	buf_init(&b, CASSETTE_FILE_MAX);
	if (cassette_body_bytes(msg, &b, NULL)) {
		buf_free(&b);
		return json_string("");
	}
	*size = b.len;
	json_t *s = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return s ? s : json_string("");
}

static const char *content_type(const json_t *msg)
{
	const char *ct = json_string_value(json_object_get(
		json_object_get(msg, "headers"), "content-type"));

	return ct ? ct : AWSJSON_CONTENT_TYPE;
}

static json_t *har_request(const json_t *req, const char *base)
{
	bool b64;
	size_t size;
	json_t *text = har_text(req, &b64, &size);
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *method = json_string_value(json_object_get(req, "method"));
	char url[2048];

	snprintf(url, sizeof(url), "%s%s", base, path ? path : "/");
	return json_pack("{s:s, s:s, s:s, s:[], s:o, s:[], s:{s:s, s:o}, "
			 "s:i, s:I}",
			 "method", method ? method : "POST",
			 "url", url, "httpVersion", "HTTP/1.1", "cookies",
			 "headers", har_headers(req), "queryString",
			 "postData", "mimeType", content_type(req), "text",
			 text, "headersSize", -1, "bodySize",
			 (json_int_t)size);
}

static json_t *har_response(const json_t *resp)
{
	bool b64;
	size_t size;
	json_t *text = har_text(resp, &b64, &size);
	int status = (int)json_integer_value(json_object_get(resp, "status"));
	json_t *content = json_pack("{s:I, s:s, s:o}", "size",
				    (json_int_t)size, "mimeType",
				    content_type(resp), "text", text);

	if (b64)
		json_object_set_new(content, "encoding", json_string("base64"));
	return json_pack("{s:i, s:s, s:s, s:[], s:o, s:o, s:s, s:i, s:I}",
			 "status", status, "statusText", status_text(status),
			 "httpVersion", "HTTP/1.1", "cookies", "headers",
			 har_headers(resp), "content", content, "redirectURL",
			 "", "headersSize", -1, "bodySize", (json_int_t)size);
}

static json_t *har_entry(const struct cassette_interaction *it,
			 const char *base, const char *started)
{
	json_t *entry = json_pack(
		"{s:s, s:f, s:o, s:o, s:{}, s:{s:i, s:f, s:i}, s:{s:I}}",
		"startedDateTime", started, "time", it->elapsed_ms, "request",
		har_request(it->request, base), "response",
		har_response(it->response), "cache", "timings", "send", 0,
		"wait", it->elapsed_ms, "receive", 0, "_blt", "id",
		(json_int_t)it->id);

	if (entry && it->token_from)
		json_object_set_new(json_object_get(entry, "_blt"),
				    "token_from",
				    json_integer(it->token_from));
	return entry;
}

enum { OPT_OUT, OPT_ALL };

/* The command line of export-har and import-har: FILE, -o and --all. */
struct har_args {
	const char *in;
	const char *out;
	bool all;
};

static blt_status har_apply(void *ctx, int id, const char *v,
			    struct blt_err *err)
{
	struct har_args *a = ctx;

	if (id == OPT_OUT)
		a->out = v;
	else
		a->all = true;
	return BLT_OK;
}

static const struct cli_opt har_opts[] = {
	TOOL_HELP_ROW,
	{OPT_OUT, "--output", 'o', CLI_VALUE, "FILE",
	 "where to write (default: stdout)"},
	{OPT_ALL, "--all", 0, CLI_FLAG, NULL,
	 "every entry, not only Timestream Write's"},
};

/* Reads the command line of subcommand name, whose table is the first
 * nopts rows of har_opts; -1 to go on, else the exit status. */
static int har_parse(const char *name, const char *usage, size_t nopts,
		     int argc, char **argv, struct har_args *a)
{
	const struct tool_cmdline cl = {name, usage, har_opts, nopts, 1, 1,
					har_apply, a};
	int nargs;
	int rc;

	*a = (struct har_args){NULL, "-", false};
	rc = tool_parse_args(&cl, argc, argv, &nargs);
	a->in = argv[1];
	return rc;
}

int cmd_export_har(int argc, char **argv)
{
	struct har_args a;
	struct cassette *c = NULL;
	struct blt_err err;
	json_t *har = NULL, *entries;
	struct blt_buf b;
	int rc = har_parse("export-har",
			   "usage: blt-cassette export-har FILE [-o OUT.har]\n"
			   "Writes the cassette as HAR 1.2 (to stdout without "
			   "-o).\n",
			   2, argc, argv, &a);

	if (rc >= 0)
		return rc;
	rc = 2;
	buf_init(&b, CASSETTE_FILE_MAX);
	if (cassette_load(&(struct cassette_load_opts){.path = a.in}, &c, &err))
		goto fail;
	json_t *meta = cassette_meta(c);
	const char *base = json_string_value(json_object_get(meta, "upstream"));
	const char *started = json_string_value(
		json_object_get(meta, "recorded_at"));

	if (!base || strncmp(base, "http", 4) != 0)
		base = "http://localhost";
	entries = json_array();
	for (size_t i = 0; i < cassette_count(c); i++)
		json_array_append_new(entries,
				      har_entry(cassette_at(c, i), base,
						started ? started
							: "1970-01-01T00:00:00.000Z"));
	har = json_pack("{s:{s:s, s:{s:s, s:s}, s:o}}", "log", "version",
			"1.2", "creator", "name", "blt-cassette", "version",
			BLT_VERSION, "entries", entries);
	if (!har || canon_pretty(har, &b, &err) ||
	    tool_write_out(a.out, b.data, b.len, &err))
		goto fail;
	rc = 0;
	goto done;
fail:
	tool_error("export-har", "%s", err.msg);
done:
	json_decref(har);
	cassette_free(c);
	buf_free(&b);
	return rc;
}

/* Collects a HAR header list into names/values, skipping HTTP/2 pseudo
 * headers (":authority"). Returns the count; the strings are borrowed. */
static size_t har_header_arrays(const json_t *list, const char **names,
				const char **values)
{
	size_t n = 0;
	size_t i;
	json_t *h;

	json_array_foreach(list, i, h) {
		const char *name = json_string_value(json_object_get(h, "name"));
		const char *value = json_string_value(
			json_object_get(h, "value"));

		if (!name || !value || name[0] == ':' || n == HAR_HEADERS_MAX)
			continue;
		names[n] = name;
		values[n++] = value;
	}
	return n;
}

/* The body bytes of a HAR postData or content object into out. */
static blt_status har_body(const json_t *obj, struct blt_buf *out,
			   struct blt_err *err)
{
	json_t *text = json_object_get(obj, "text");
	const char *enc = json_string_value(json_object_get(obj, "encoding"));

	if (!json_is_string(text))
		return BLT_OK;
	if (enc && strcasecmp(enc, "base64") == 0)
		return base64_decode(json_string_value(text),
				     json_string_length(text), out, err);
	return buf_append(out, json_string_value(text),
			  json_string_length(text), err);
}

/* The path part of a URL ("/" when it has none). */
static const char *url_path(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;

	p = p ? strchr(p + 3, '/') : url;
	return p && *p == '/' ? p : "/";
}

static bool har_is_timestream(const json_t *req)
{
	size_t i;
	json_t *h;

	json_array_foreach(json_object_get(req, "headers"), i, h) {
		const char *name = json_string_value(json_object_get(h, "name"));
		const char *value = json_string_value(
			json_object_get(h, "value"));

		if (name && value && strcasecmp(name, "x-amz-target") == 0)
			return strncmp(value, AWSJSON_TARGET_PREFIX,
				       strlen(AWSJSON_TARGET_PREFIX)) == 0;
	}
	return false;
}

/* Turns one HAR entry into an interaction; token links come from tokens
 * (NextToken -> id of the response that issued it). */
static json_t *har_import_entry(const json_t *entry, json_t *tokens,
				struct blt_err *err)
{
	const json_t *req = json_object_get(entry, "request");
	const json_t *resp = json_object_get(entry, "response");
	const char *names[HAR_HEADERS_MAX], *values[HAR_HEADERS_MAX];
	struct blt_buf body;
	json_t *r = NULL, *s = NULL;
	const char *method;
	size_t n;
	long from = 0;

	buf_init(&body, CASSETTE_FILE_MAX);
	if (!json_is_object(req) || !json_is_object(resp) ||
	    !json_is_integer(json_object_get(resp, "status"))) {
		blt_fail(err, BLT_EINVAL, "entry lacks a request, a response "
			 "or a response status");
		goto done;
	}
	n = har_header_arrays(json_object_get(req, "headers"), names, values);
	if (har_body(json_object_get(req, "postData"), &body, err))
		goto done;
	method = json_string_value(json_object_get(req, "method"));
	r = cassette_request_new(
		method ? method : "POST",
		url_path(json_string_value(json_object_get(req, "url"))),
		names, values, n, body.data, body.len);
	buf_reset(&body);
	n = har_header_arrays(json_object_get(resp, "headers"), names, values);
	if (har_body(json_object_get(resp, "content"), &body, err))
		goto done;
	s = cassette_response_new(
		(int)json_integer_value(json_object_get(resp, "status")), names,
		values, n, body.data, body.len);
	const char *token = tool_body_token(r);
	if (token && json_object_get(tokens, token))
		from = (long)json_integer_value(json_object_get(tokens, token));
done:
	buf_free(&body);
	if (!r || !s) {
		json_decref(r);
		json_decref(s);
		return NULL;
	}
	double ms = json_number_value(json_object_get(entry, "time"));
	return cassette_interaction_new(r, s, from, ms > 0 ? ms : 0);
}

static const char import_usage_text[] =
	"usage: blt-cassette import-har FILE.har [-o OUT] [--all]\n"
	"Makes a cassette from a HAR 1.2 file: the Timestream Write "
	"entries (all\nentries with --all), token links rebuilt, "
	"credentials redacted.\n";

/* Appends every wanted entry of the HAR log to c. */
static blt_status har_import_entries(const json_t *entries, bool all,
				     struct cassette *c,
				     const struct redact_rules *rules,
				     struct blt_err *err)
{
	json_t *tokens = json_object();
	size_t i;
	json_t *entry;
	blt_status st = BLT_OK;

	json_array_foreach(entries, i, entry) {
		json_t *it;

		if (!all && !har_is_timestream(json_object_get(entry,
							       "request")))
			continue;
		it = har_import_entry(entry, tokens, err);
		if (!it) {
			st = blt_err_prefix(err, "/log/entries/%zu", i);
			break;
		}
		redact_interaction(rules, it, NULL, 0);
		st = cassette_append_take(c, it, err);
		if (st)
			break;
		const struct cassette_interaction *last =
			cassette_at(c, cassette_count(c) - 1);
		const char *issued = tool_body_token(last->response);
		if (issued)
			json_object_set_new(tokens, issued,
					    json_integer(last->id));
	}
	json_decref(tokens);
	return st;
}

int cmd_import_har(int argc, char **argv)
{
	struct har_args a;
	struct redact_rules rules;
	struct cassette *c = NULL;
	struct blt_err err;
	json_t *har = NULL, *entries;
	int rc = har_parse("import-har", import_usage_text, 3, argc, argv, &a);

	if (rc >= 0)
		return rc;
	rc = 2;
	redact_rules_init(&rules);
	if (redact_secrets_from_env(&rules, &err))
		tool_error("import-har", "warning: %s: it cannot be scrubbed",
			   err.msg);
	har = tool_load_json(a.in, &err);
	if (!har)
		goto fail;
	entries = json_object_get(json_object_get(har, "log"), "entries");
	if (!json_is_array(entries)) {
		blt_fail(&err, BLT_EINVAL, "%s: /log/entries: not an array; "
			 "is this a HAR file?", a.in);
		goto fail;
	}
	c = cassette_new("imported from HAR", "blt-cassette " BLT_VERSION);
	if (!c || har_import_entries(entries, a.all, c, &rules, &err)) {
		blt_err_prefix(&err, "%s", a.in);
		goto fail;
	}
	if (strcmp(a.out, "-") == 0) {
		struct blt_buf b;

		buf_init(&b, CASSETTE_FILE_MAX);
		if (cassette_write(c, &b, &err) ||
		    tool_write_out(a.out, b.data, b.len, &err)) {
			buf_free(&b);
			goto fail;
		}
		buf_free(&b);
	} else if (cassette_save(c, a.out, &err)) {
		goto fail;
	}
	fprintf(stderr, "blt-cassette import-har: %zu interaction%s\n",
		cassette_count(c), cassette_count(c) == 1 ? "" : "s");
	rc = 0;
	goto done;
fail:
	tool_error("import-har", "%s", err.msg);
done:
	json_decref(har);
	cassette_free(c);
	redact_rules_free(&rules);
	return rc;
}
