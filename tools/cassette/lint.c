/* blt-cassette lint: the schema, then the meaning (ids, token links,
 * operations, body members) and leaked credentials, each problem with its
 * JSON pointer. */
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/base64.h"
#include "blt/jsonptr.h"
#include "blt/httpd.h"
#include "blt/log.h"
#include "blt/redact.h"
#include "blt/schema.h"
#include "cassette_tool.h"

#define PTR_MAX 512
#define VIOLATIONS_MAX 200

struct lint {
	const char *file;
	size_t problems;
	struct redact_rules rules;
	regex_t akid;      /* an AWS access key id */
	regex_t signature; /* a SigV4 signature */
};

static void problem(struct lint *l, const char *ptr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct lint *l, const char *ptr, const char *fmt, ...)
{
	struct blt_buf line;
	char *esc;
	va_list ap;

	/* Pointers and messages quote what the file holds: escaped. */
	buf_init(&line, 64 * 1024);
	buf_printf(&line, NULL, "%s: ", *ptr ? ptr : "(root)");
	va_start(ap, fmt);
	buf_vprintf(&line, NULL, fmt, ap);
	va_end(ap);
	esc = log_escaped(line.data ? line.data : "");
	printf("%s: %s\n", l->file, esc ? esc : "?");
	free(esc);
	buf_free(&line);
	l->problems++;
}

static void lint_schema(struct lint *l, const json_t *doc)
{
	struct schema_violation v[VIOLATIONS_MAX];
	const struct schema *s = schema_builtin(SCHEMA_CASSETTE);
	size_t n = schema_validate(s, doc, v, VIOLATIONS_MAX);

	for (size_t i = 0; i < n && i < VIOLATIONS_MAX; i++)
		problem(l, v[i].pointer, "%s", v[i].message);
	if (n > VIOLATIONS_MAX) {
		printf("%s: ... and %zu more schema violations\n", l->file,
		       n - VIOLATIONS_MAX);
		l->problems += n - VIOLATIONS_MAX;
	}
}

/* A string anywhere in the document that carries a credential. */
static void lint_string(struct lint *l, const char *ptr, const char *s)
{
	const char *const *secrets = (const char *const *)l->rules.secrets;

	if (regexec(&l->akid, s, 0, NULL, 0) == 0)
		problem(l, ptr, "holds an AWS access key id");
	if (regexec(&l->signature, s, 0, NULL, 0) == 0)
		problem(l, ptr, "holds a SigV4 signature");
	for (size_t i = 0; i < l->rules.nsecrets; i++)
		if (strstr(s, secrets[i]))
			problem(l, ptr, "holds a secret from the environment");
}

static void lint_strings(struct lint *l, char *ptr, const json_t *v,
			 unsigned depth)
{
	size_t len = strlen(ptr);
	const char *key;
	json_t *item;
	size_t i;

	if (depth > 64)
		return;
	if (json_is_string(v))
		lint_string(l, ptr, json_string_value(v));
	json_object_foreach((json_t *)v, key, item) {
		jsonptr_push(ptr, strlen(ptr), PTR_MAX, key);
		lint_strings(l, ptr, item, depth + 1);
		ptr[len] = '\0';
	}
	json_array_foreach(v, i, item) {
		jsonptr_push_index(ptr, strlen(ptr), PTR_MAX, i);
		lint_strings(l, ptr, item, depth + 1);
		ptr[len] = '\0';
	}
}

static void lint_headers(struct lint *l, char *ptr, const json_t *msg)
{
	json_t *headers = json_object_get(msg, "headers");
	size_t len = strlen(ptr);
	const char *name;
	json_t *value;

	json_object_foreach(headers, name, value) {
		const char *v = json_string_value(value);
		bool token = httpd_token_ok(name, strlen(name));
		char *shown;

		if (token && (!v || strcmp(v, REDACT_VALUE) == 0 ||
			      !redact_header_needed(&l->rules, name, v, NULL,
						    0)))
			continue;
		jsonptr_push(ptr, strlen(ptr), PTR_MAX, "headers");
		jsonptr_push(ptr, strlen(ptr), PTR_MAX, name);
		shown = log_escaped(name);
		if (!token)
			problem(l, ptr, "header name '%s' is not an HTTP token "
				"(no server takes it; redact treats its value "
				"as a credential)", shown ? shown : "?");
		else
			problem(l, ptr, "header %s carries a credential and "
				"is not redacted", shown ? shown : "?");
		free(shown);
		ptr[len] = '\0';
	}
}

/* A request path whose query or segments carry credentials. */
static void lint_path(struct lint *l, char *ptr, const json_t *msg)
{
	const char *path = json_string_value(json_object_get(msg, "path"));
	size_t len = strlen(ptr);
	struct blt_buf names;
	char *clean = NULL;

	if (!path)
		return;
	buf_init(&names, 4096);
	if (redact_path(&l->rules, path, NULL, 0, &clean, &names) > 0) {
		jsonptr_push(ptr, strlen(ptr), PTR_MAX, "path");
		problem(l, ptr, "the request target carries credentials that "
			"are not redacted: %s", names.data ? names.data : "");
		ptr[len] = '\0';
	}
	free(clean);
	buf_free(&names);
}


static void lint_message(struct lint *l, char *ptr, const json_t *msg)
{
	static const char *const bodies[] = {"body", "body_text",
					     "body_base64"};
	size_t len = strlen(ptr);
	int present = 0;
	json_t *b64 = json_object_get(msg, "body_base64");

	for (int i = 0; i < 3; i++)
		present += json_object_get(msg, bodies[i]) != NULL;
	if (present > 1)
		problem(l, ptr, "has %d body members; at most one of body, "
			"body_text, body_base64 is allowed", present);
	if (json_is_string(b64) &&
	    base64_decode_to(json_string_value(b64), json_string_length(b64),
			     BASE64_STD, NULL, 0, NULL, NULL)) {
		jsonptr_push(ptr, strlen(ptr), PTR_MAX, "body_base64");
		problem(l, ptr, "is not valid base64");
		ptr[len] = '\0';
	}
	lint_headers(l, ptr, msg);
}

/* True when a response rejects its request as an unknown operation: a
 * recording may probe that on purpose (the ERR-TARGET check does). */
static bool unknown_probe(const json_t *resp)
{
	char type[64];

	return tool_error_type(resp, type, sizeof(type)) &&
	       strcmp(type, "UnknownOperationException") == 0;
}

static void lint_operation(struct lint *l, char *ptr, const json_t *req,
			   const json_t *resp)
{
	json_t *op = json_object_get(req, "operation");
	json_t *headers = json_object_get(req, "headers");
	const char *target = json_string_value(
		json_object_get(headers, "x-amz-target"));
	size_t prefix = strlen(AWSJSON_TARGET_PREFIX);
	const char *suffix = target && strncmp(target, AWSJSON_TARGET_PREFIX,
					       prefix) == 0
				     ? target + prefix
				     : target;
	size_t len = strlen(ptr);

	jsonptr_push(ptr, strlen(ptr), PTR_MAX, "operation");
	if (json_is_string(op) && awsjson_op_lookup(json_string_value(op)) ==
					  AWSJSON_OP_UNKNOWN &&
	    !unknown_probe(resp))
		problem(l, ptr, "operation \"%s\" is not one of "
			"ListBatchLoadTasks, DescribeEndpoints",
			json_string_value(op));
	else if (json_is_string(op) && target &&
		 strcmp(suffix, json_string_value(op)) != 0)
		problem(l, ptr, "operation \"%s\" disagrees with x-amz-target "
			"\"%s\"", json_string_value(op), target);
	ptr[len] = '\0';
}

/* What earlier interactions issued, for the token-link check: tokens maps
 * a NextToken to the id of the response that issued it; ids maps an id
 * (as text) to its response's NextToken (or null). */
struct links {
	json_t *tokens;
	json_t *ids;
};

/* Checks that token_from points backwards to a response that issued the
 * request's NextToken, and that a token an earlier response issued is
 * linked; then records what this interaction issues. */
static void lint_link(struct lint *l, char *ptr, const json_t *it,
		      struct links *k)
{
	json_t *link = json_object_get(it, "token_from");
	json_t *id = json_object_get(it, "id");
	const char *token = tool_body_token(json_object_get(it, "request"));
	const char *issued = tool_body_token(json_object_get(it, "response"));
	size_t len = strlen(ptr);
	char key[32];

	jsonptr_push(ptr, strlen(ptr), PTR_MAX, "token_from");
	if (json_is_integer(link)) {
		json_t *prev;

		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(link));
		prev = json_object_get(k->ids, key);
		if (!prev)
			problem(l, ptr, "points to id %s, which is not an "
				"earlier interaction", key);
		else if (!token)
			problem(l, ptr, "is set but the request carries no "
				"NextToken");
		else if (!json_is_string(prev) ||
			 strcmp(json_string_value(prev), token) != 0)
			problem(l, ptr, "interaction %s did not issue the "
				"request's NextToken", key);
	} else if (token && json_object_get(k->tokens, token)) {
		problem(l, ptr, "is null but interaction %lld issued the "
			"request's NextToken",
			(long long)json_integer_value(
				json_object_get(k->tokens, token)));
	}
	ptr[len] = '\0';
	if (!json_is_integer(id))
		return;
	snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
	json_object_set_new(k->ids, key,
			    issued ? json_string(issued) : json_null());
	if (issued && !json_object_get(k->tokens, issued))
		json_object_set(k->tokens, issued, id);
}

static int compare_ids(const void *a, const void *b)
{
	const json_int_t *x = a;
	const json_int_t *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Reports each id used more than once. pairs holds (id, position). */
static void lint_ids(struct lint *l, const json_t *items)
{
	size_t n = json_array_size(items);
	json_int_t *pairs = calloc(n ? n : 1, 2 * sizeof(*pairs));
	char ptr[PTR_MAX];

	if (!pairs)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *id = json_object_get(json_array_get(items, i), "id");

		pairs[2 * i] = json_is_integer(id) ? json_integer_value(id)
						   : -1;
		pairs[2 * i + 1] = (json_int_t)i;
	}
	qsort(pairs, n, 2 * sizeof(*pairs), compare_ids);
	for (size_t i = 1; i < n; i++) {
		if (pairs[2 * i] < 0 || pairs[2 * i] != pairs[2 * i - 2])
			continue;
		snprintf(ptr, sizeof(ptr), "/interactions/%lld/id",
			 (long long)pairs[2 * i + 1]);
		problem(l, ptr, "id %lld is used again (also at "
			"/interactions/%lld)", (long long)pairs[2 * i],
			(long long)pairs[2 * i - 1]);
	}
	free(pairs);
}

static void lint_meaning(struct lint *l, const json_t *doc)
{
	json_t *items = json_object_get(doc, "interactions");
	struct links links = {json_object(), json_object()};
	char ptr[PTR_MAX];

	if (!json_is_array(items) || !links.tokens || !links.ids)
		goto done;
	lint_ids(l, items);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		json_t *req = json_object_get(it, "request");
		json_t *resp = json_object_get(it, "response");

		snprintf(ptr, sizeof(ptr), "/interactions/%zu/request", i);
		if (json_is_object(req)) {
			lint_path(l, ptr, req);
			lint_message(l, ptr, req);
			lint_operation(l, ptr, req, resp);
		}
		snprintf(ptr, sizeof(ptr), "/interactions/%zu/response", i);
		if (json_is_object(resp))
			lint_message(l, ptr, resp);
		snprintf(ptr, sizeof(ptr), "/interactions/%zu", i);
		lint_link(l, ptr, it, &links);
	}
done:
	json_decref(links.tokens);
	json_decref(links.ids);
}

/* Lints one file; returns the number of problems (a file that is not JSON
 * is one, printed as FILE:LINE:COLUMN), or -1 when the file could not be
 * read at all (reported on stderr). */
static long lint_file(struct lint *l, const char *path)
{
	struct blt_err err;
	json_t *doc = tool_load_json(path, &err);
	char ptr[PTR_MAX];

	l->file = path;
	l->problems = 0;
	if (!doc && err.code == BLT_EIO) {
		tool_error("lint", "%s", err.msg);
		return -1;
	}
	if (!doc) {
		printf("%s\n", err.msg);
		return 1;
	}
	lint_schema(l, doc);
	lint_meaning(l, doc);
	ptr[0] = '\0';
	lint_strings(l, ptr, doc, 0);
	json_decref(doc);
	if (!l->problems)
		printf("%s: ok\n", path);
	return (long)l->problems;
}

static bool lint_setup(struct lint *l)
{
	redact_rules_init(&l->rules);
	redact_secrets_from_env(&l->rules, NULL);
	if (regcomp(&l->akid, "(AKIA|ASIA)[A-Z0-9]{16}",
		    REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	if (regcomp(&l->signature, "Signature=[0-9a-f]{64}",
		    REG_EXTENDED | REG_NOSUB) != 0) {
		regfree(&l->akid);
		return false;
	}
	return true;
}

static const char lint_usage[] =
	"usage: blt-cassette lint FILE...\n"
	"Checks each cassette against schemas/cassette.schema.json and for "
	"meaning:\nunique ids, token links that point back to the response "
	"that issued the\ntoken, known operations, one body member, and no "
	"credential.\nExit 1 when any problem is found, 2 when a FILE cannot "
	"be read.\n";

int cmd_lint(int argc, char **argv)
{
	struct lint l = {0};
	size_t bad = 0, unreadable = 0;
	int nargs;
	int rc = tool_parse_files("lint", lint_usage, 1, INT_MAX, argc, argv,
				  &nargs);

	if (rc >= 0)
		return rc;
	if (!lint_setup(&l))
		return 2;
	for (int i = 1; i <= nargs; i++) {
		long n = lint_file(&l, argv[i]);

		bad += n > 0;
		unreadable += n < 0;
	}
	regfree(&l.akid);
	regfree(&l.signature);
	redact_rules_free(&l.rules);
	return unreadable ? 2 : bad ? 1 : 0;
}
