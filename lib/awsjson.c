/* The AWS JSON 1.0 protocol: targets, content type, error bodies, status
 * tables by profile, and the rules for reading an error's type. */
#include "blt/awsjson.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/buf.h"
#include "blt/canon.h"

#define CORAL "com.amazon.coral.service#"
#define AWSJSON_QUICK_DEPTH 64 /* deeper bodies go to jansson directly */

struct error_row {
	const char *name;
	const char *shape_id;
	int documented; /* status on the API reference page */
	int smithy;     /* status in the Smithy model */
	bool known;     /* the operation's or a common AWS JSON error */
};

static const struct error_row errors[AWSJSON_ERR_COUNT] = {
	[AWSJSON_ERR_ACCESS_DENIED] = {"AccessDeniedException",
		AWSJSON_NAMESPACE "#AccessDeniedException", 400, 403, true},
	[AWSJSON_ERR_INTERNAL_SERVER] = {"InternalServerException",
		AWSJSON_NAMESPACE "#InternalServerException", 500, 500, true},
	[AWSJSON_ERR_INVALID_ENDPOINT] = {"InvalidEndpointException",
		AWSJSON_NAMESPACE "#InvalidEndpointException", 400, 421, true},
	[AWSJSON_ERR_THROTTLING] = {"ThrottlingException",
		AWSJSON_NAMESPACE "#ThrottlingException", 400, 429, true},
	[AWSJSON_ERR_VALIDATION] = {"ValidationException",
		AWSJSON_NAMESPACE "#ValidationException", 400, 400, true},
	[AWSJSON_ERR_SERIALIZATION] = {"SerializationException",
		CORAL "SerializationException", 400, 400, true},
	[AWSJSON_ERR_UNKNOWN_OPERATION] = {"UnknownOperationException",
		CORAL "UnknownOperationException", 400, 400, true},
	[AWSJSON_ERR_MISSING_AUTH_TOKEN] = {
		"MissingAuthenticationTokenException",
		CORAL "MissingAuthenticationTokenException", 403, 403, true},
	[AWSJSON_ERR_INVALID_SIGNATURE] = {"InvalidSignatureException",
		CORAL "InvalidSignatureException", 403, 403, true},
	[AWSJSON_ERR_INCOMPLETE_SIGNATURE] = {"IncompleteSignatureException",
		CORAL "IncompleteSignatureException", 403, 403, true},
	[AWSJSON_ERR_REQUEST_TOO_LARGE] = {"RequestTooLarge",
		"blt#RequestTooLarge", 413, 413, false},
	[AWSJSON_ERR_NO_MATCHING_INTERACTION] = {"NoMatchingInteraction",
		"blt#NoMatchingInteraction", 404, 404, false},
	[AWSJSON_ERR_UPSTREAM] = {"UpstreamError", "blt#UpstreamError", 502,
		502, false},
};

blt_status awsjson_profile_parse(const char *s, enum awsjson_profile *out,
				 struct blt_err *err)
{
	if (s && strcmp(s, "documented") == 0)
		*out = AWSJSON_PROFILE_DOCUMENTED;
	else if (s && strcmp(s, "smithy") == 0)
		*out = AWSJSON_PROFILE_SMITHY;
	else if (s && strcmp(s, "lenient") == 0)
		*out = AWSJSON_PROFILE_LENIENT;
	else
		return blt_fail(err, BLT_EUSAGE,
				"unknown profile '%s' (documented, smithy or "
				"lenient)", s ? s : "");
	return BLT_OK;
}

const char *awsjson_profile_name(enum awsjson_profile p)
{
	switch (p) {
	case AWSJSON_PROFILE_DOCUMENTED: return "documented";
	case AWSJSON_PROFILE_SMITHY: return "smithy";
	case AWSJSON_PROFILE_LENIENT: return "lenient";
	}
	return "unknown";
}

enum awsjson_op awsjson_op_lookup(const char *name)
{
	if (!name)
		return AWSJSON_OP_UNKNOWN;
	if (strcmp(name, "ListBatchLoadTasks") == 0)
		return AWSJSON_OP_LIST_BATCH_LOAD_TASKS;
	if (strcmp(name, "DescribeEndpoints") == 0)
		return AWSJSON_OP_DESCRIBE_ENDPOINTS;
	return AWSJSON_OP_UNKNOWN;
}

enum awsjson_op awsjson_target_parse(const char *target)
{
	size_t n = strlen(AWSJSON_TARGET_PREFIX);

	if (!target || strncmp(target, AWSJSON_TARGET_PREFIX, n) != 0)
		return AWSJSON_OP_UNKNOWN;
	return awsjson_op_lookup(target + n);
}

const char *awsjson_op_name(enum awsjson_op op)
{
	switch (op) {
	case AWSJSON_OP_LIST_BATCH_LOAD_TASKS: return "ListBatchLoadTasks";
	case AWSJSON_OP_DESCRIBE_ENDPOINTS: return "DescribeEndpoints";
	case AWSJSON_OP_UNKNOWN: break;
	}
	return "Unknown";
}

bool awsjson_content_type_ok(const char *ct)
{
	size_t n = strlen(AWSJSON_CONTENT_TYPE);

	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, AWSJSON_CONTENT_TYPE, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

const char *awsjson_type_words(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

json_t *awsjson_body_parse(const char *body, size_t len, struct blt_err *err)
{
	const char *nul = len ? memchr(body, '\0', len) : NULL;
	json_error_t jerr;
	json_t *root;

	if (len == 0)
		return json_object();
	if (nul) {
		/* JSON text never holds a raw NUL, and jansson would stop
		 * reading there, taking a prefix of the body for all of it. */
		blt_fail(err, BLT_EINVAL,
			 "request body is not valid JSON: byte %zu is a NUL "
			 "character", (size_t)(nul - body) + 1);
		return NULL;
	}
	/* The quick parser returns what json_loadb below would, at a fraction
	 * of its cost on long strings; what it cannot judge cheaply (an
	 * error, a \u escape, ...) jansson parses again, for the message. */
	root = canon_parse_quick(body, len, AWSJSON_QUICK_DEPTH);
	if (!root)
		root = json_loadb(body, len,
				  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				  &jerr);
	if (!root) {
		blt_fail(err, BLT_EINVAL,
			 "request body is not valid JSON: line %d, column %d: "
			 "%s", jerr.line < 1 ? 1 : jerr.line,
			 jerr.column < 1 ? 1 : jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		blt_fail(err, BLT_EINVAL,
			 "request body: expected a JSON object, got %s",
			 awsjson_type_words(root));
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The length of url's "http://" or "https://" (any case); 0 for none.
 * *tls says which. */
static size_t scheme_len(const char *url, bool *tls)
{
	*tls = strncasecmp(url, "https://", 8) == 0;
	if (*tls)
		return 8;
	return strncasecmp(url, "http://", 7) == 0 ? 7 : 0;
}

/* True when ua holds the product "aws-sdk-js/" (at its start or after a
 * blank) with a major version of 3 or more. */
static bool names_js_v3(const char *ua)
{
	static const char product[] = "aws-sdk-js/";

	for (const char *p = ua; p && (p = strstr(p, product)); p++) {
		const char *v = p + sizeof(product) - 1;
		size_t digits = strspn(v, "0123456789");

		if (p != ua && p[-1] != ' ')
			continue;
		if (digits > 1 || (digits == 1 && *v >= '3'))
			return true;
	}
	return false;
}

enum awsjson_address_reader awsjson_address_reader_of(const char *user_agent,
						      const char *amz_agent)
{
	if (names_js_v3(user_agent) || names_js_v3(amz_agent))
		return AWSJSON_ADDRESS_HOST;
	return AWSJSON_ADDRESS_URL;
}

/* The length of the host at the start of s: a bracketed IPv6 address, or
 * letters, digits, '-', '_' and '.'; 0 when there is none or a bracket is
 * left open. */
static size_t host_len(const char *s)
{
	size_t n = 0;

	if (*s == '[') {
		n = 1 + strspn(s + 1, "0123456789abcdefABCDEF:.");
		return s[n] == ']' && n > 1 ? n + 1 : 0;
	}
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '_' ||
	       s[n] == '.')
		n++;
	return n;
}

/* The Address for url and reader (see the header), as a span of url. */
static void address_span(const char *url, enum awsjson_address_reader reader,
			 const char **start, size_t *len)
{
	bool tls = false;
	size_t skip = scheme_len(url, &tls);

	if (reader == AWSJSON_ADDRESS_HOST) {
		*start = url + skip;
		*len = host_len(*start);
		return;
	}
	*start = tls ? url + skip : url;
	*len = strlen(*start);
	if (*len > 0 && (*start)[*len - 1] == '/')
		(*len)--;
}

blt_status awsjson_endpoints_body(const char *url,
				  enum awsjson_address_reader reader,
				  struct blt_buf *out, struct blt_err *err)
{
	const char *addr;
	size_t n;
	json_t *doc;
	char *text;
	blt_status st;

	address_span(url ? url : "", reader, &addr, &n);
	doc = json_pack("{s:[{s:s%, s:i}]}", "Endpoints", "Address", addr, n,
			"CachePeriodInMinutes", AWSJSON_ENDPOINT_CACHE_MINUTES);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	st = text ? buf_puts(out, text, err)
		  : blt_fail(err, BLT_ENOMEM, "out of memory");
	free(text);
	json_decref(doc);
	return st;
}

/* Checks the ":PORT" (or nothing) at the start of s; *len gets its length. */
static bool port_ok(const char *s, size_t *len)
{
	unsigned long port = 0;
	size_t n = 1;

	*len = 0;
	if (*s != ':')
		return true;
	while (isdigit((unsigned char)s[n]) && n < 7)
		port = port * 10 + (unsigned long)(s[n++] - '0');
	*len = n;
	return n > 1 && port >= 1 && port <= 65535;
}

blt_status awsjson_advertise_check(const char *url, struct blt_err *err)
{
	bool tls;
	size_t skip = scheme_len(url, &tls);
	const char *auth = url + skip;
	size_t alen = strcspn(auth, "/?#");
	size_t h;
	size_t p;

	if (!skip)
		return blt_fail(err, BLT_EUSAGE,
				"'%.200s' is not an http:// or https:// URL",
				url);
	if (strlen(url) > AWSJSON_ADVERTISE_MAX)
		return blt_fail(err, BLT_EUSAGE,
				"'%.60s...' is longer than %d characters", url,
				AWSJSON_ADVERTISE_MAX);
	if (memchr(auth, '@', alen))
		return blt_fail(err, BLT_EUSAGE,
				"'%.200s' has a user part; advertise "
				"scheme://HOST[:PORT]",
				url);
	h = host_len(auth);
	if (h == 0 && (alen == 0 || *auth == ':'))
		return blt_fail(err, BLT_EUSAGE, "'%.200s' has no host", url);
	if (h == 0 || (auth[h] && !strchr(":/?#", auth[h])))
		return blt_fail(err, BLT_EUSAGE,
				"'%.200s': the host may hold letters, digits, "
				"'-', '_' and '.', or be an IPv6 address in "
				"brackets",
				url);
	if (!port_ok(auth + h, &p) || h + p != alen)
		return blt_fail(err, BLT_EUSAGE,
				"'%.200s': the port must be a number from 1 to "
				"65535",
				url);
	if (auth[alen] == '?' || auth[alen] == '#')
		return blt_fail(err, BLT_EUSAGE, "'%.200s' has a %s", url,
				auth[alen] == '?' ? "query" : "fragment");
	if (auth[alen] == '/' && auth[alen + 1])
		return blt_fail(err, BLT_EUSAGE,
				"'%.200s' has a path; SDKs put the Address's "
				"host and port in front of '/', so advertise "
				"scheme://HOST[:PORT]",
				url);
	return BLT_OK;
}

const char *awsjson_error_name(enum awsjson_error e)
{
	return (unsigned)e < AWSJSON_ERR_COUNT ? errors[e].name : "Unknown";
}

const char *awsjson_error_shape_id(enum awsjson_error e)
{
	return (unsigned)e < AWSJSON_ERR_COUNT ? errors[e].shape_id
					       : "Unknown";
}

bool awsjson_error_lookup(const char *name, enum awsjson_error *out)
{
	for (int i = 0; name && i < AWSJSON_ERR_COUNT; i++) {
		if (strcmp(errors[i].name, name) == 0) {
			*out = (enum awsjson_error)i;
			return true;
		}
	}
	return false;
}

bool awsjson_error_is_known(enum awsjson_error e)
{
	return (unsigned)e < AWSJSON_ERR_COUNT && errors[e].known;
}

int awsjson_error_status(enum awsjson_error e, enum awsjson_profile p)
{
	if ((unsigned)e >= AWSJSON_ERR_COUNT)
		return 500;
	return p == AWSJSON_PROFILE_SMITHY ? errors[e].smithy
					   : errors[e].documented;
}

bool awsjson_error_status_ok(enum awsjson_error e, enum awsjson_profile p,
			     int status)
{
	if ((unsigned)e >= AWSJSON_ERR_COUNT)
		return false;
	if (p == AWSJSON_PROFILE_LENIENT)
		return status == errors[e].documented ||
		       status == errors[e].smithy;
	return status == awsjson_error_status(e, p);
}

/* Copies message into out with every byte that is not part of well-formed
 * UTF-8 written as the text \xNN, so that any message can be sent. */
static blt_status utf8_clean(const char *message, struct blt_buf *out)
{
	const unsigned char *s = (const unsigned char *)message;
	blt_status st = BLT_OK;

	while (*s && !st) {
		/* the NUL ends any sequence that reaches it */
		size_t n = buf_utf8_len(s, 4);
		char esc[8];

		if (n) {
			st = buf_append(out, s, n, NULL);
			s += n;
			continue;
		}
		snprintf(esc, sizeof(esc), "\\x%02x", *s++);
		st = buf_puts(out, esc, NULL);
	}
	if (!st)
		st = buf_append(out, "", 0, NULL);
	return st;
}

char *awsjson_error_body(enum awsjson_error e, const char *message)
{
	struct blt_buf clean;
	json_t *body = NULL;
	char *text = NULL;

	buf_init(&clean, 1024 * 1024);
	if (utf8_clean(message ? message : "", &clean))
		goto done;
	body = json_pack("{s:s, s:s}", "__type", awsjson_error_shape_id(e),
			 "message", clean.data);
	if (body)
		text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
done:
	json_decref(body);
	buf_free(&clean);
	return text;
}

/* Applies the cutting rules to a raw type and copies the bare name. */
static bool bare_type(const char *raw, char *out, size_t outsz)
{
	const char *end = strchr(raw, ':');
	const char *start = raw;
	const char *hash;
	size_t len;

	if (!end)
		end = raw + strlen(raw);
	hash = memchr(raw, '#', (size_t)(end - raw));
	if (hash)
		start = hash + 1;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - start);
	if (len == 0 || len >= outsz)
		return false;
	memcpy(out, start, len);
	out[len] = '\0';
	return true;
}

bool awsjson_error_read_type(const char *header, const json_t *body,
			     char *out, size_t outsz)
{
	const char *raw = NULL;

	if (outsz)
		out[0] = '\0';
	if (header && *header)
		raw = header;
	else if (json_is_object(body)) {
		const json_t *t = json_object_get(body, "__type");

		if (!json_is_string(t))
			t = json_object_get(body, "code");
		if (json_is_string(t))
			raw = json_string_value(t);
	}
	return raw && outsz && bare_type(raw, out, outsz);
}

const char *awsjson_error_read_message(const json_t *body)
{
	const json_t *m;

	if (!json_is_object(body))
		return NULL;
	m = json_object_get(body, "message");
	if (!json_is_string(m))
		m = json_object_get(body, "Message");
	return json_is_string(m) ? json_string_value(m) : NULL;
}
