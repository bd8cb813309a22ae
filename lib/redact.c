/* Secret redaction for recorded messages. */
#include "blt/redact.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blt/buf.h"
#include "blt/hex.h"
#include "blt/httpd.h"
#include "blt/log.h"

/* Header names that always carry a credential. */
static const char *const secret_names[] = {
    "authorization", "proxy-authorization", "x-amz-security-token",
    "cookie",	     "set-cookie",
};

/* Parts of a header or parameter name that mark a credential. */
static const char *const secret_name_parts[] = {
    "token",	  "secret",  "password", "passwd",
    "credential", "api-key", "apikey",	 "api_key",
};

/* Query parameters of presigned URLs (SigV4 and SigV2) that carry a
 * credential and that the name parts above do not catch. */
static const char *const presigned_params[] = {
    "x-amz-signature",
    "signature",
    "awsaccesskeyid",
};

/* The environment variables that hold credentials. */
static const char *const credential_envs[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
};

/* Value prefixes (any case) that mark a credential. */
static const char *const secret_value_prefixes[] = {
    "AWS4-HMAC-SHA256",
    "Bearer ",
    "Basic ",
    "Digest ",
};

void redact_rules_init(struct redact_rules *r)
{
	memset(r, 0, sizeof(*r));
}

void redact_rules_free(struct redact_rules *r)
{
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	for (size_t i = 0; i < r->npointers; i++)
		free(r->pointers[i]);
	for (size_t i = 0; i < r->nsecrets; i++)
		free(r->secrets[i]);
	redact_rules_init(r);
}

/* True when needle occurs in hay, ignoring ASCII case. */
static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

blt_status redact_pointer_check(const char *pointer, struct blt_err *err)
{
	if (pointer[0] && pointer[0] != '/')
		return blt_fail(err, BLT_EUSAGE,
				"JSON pointer '%s' must be empty or start "
				"with '/'",
				pointer);
	for (const char *p = pointer; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return blt_fail(err, BLT_EUSAGE,
					"JSON pointer '%s': '~' must be "
					"followed by 0 or 1",
					pointer);
	return BLT_OK;
}

blt_status redact_rule_add(struct redact_rules *r, const char *spec,
			   struct blt_err *err)
{
	char *copy;

	if (strncmp(spec, "header:", 7) == 0) {
		if (!spec[7])
			return blt_fail(err, BLT_EUSAGE,
					"--redact header: needs a header name");
		if (r->nheaders == REDACT_RULES_MAX)
			return blt_fail(err, BLT_ELIMIT,
					"more than %d header rules",
					REDACT_RULES_MAX);
		if (!(copy = strdup(spec + 7)))
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		for (char *p = copy; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		r->headers[r->nheaders++] = copy;
		return BLT_OK;
	}
	if (strncmp(spec, "json:", 5) == 0) {
		blt_status st = redact_pointer_check(spec + 5, err);

		if (st)
			return st;
		if (r->npointers == REDACT_RULES_MAX)
			return blt_fail(err, BLT_ELIMIT,
					"more than %d json rules",
					REDACT_RULES_MAX);
		if (!(copy = strdup(spec + 5)))
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		r->pointers[r->npointers++] = copy;
		return BLT_OK;
	}
	return blt_fail(err, BLT_EUSAGE,
			"redaction rule '%s' must be header:NAME or "
			"json:/pointer",
			spec);
}

blt_status redact_secret_add(struct redact_rules *r, const char *secret,
			     struct blt_err *err)
{
	if (!secret || !*secret)
		return BLT_OK;
	if (strlen(secret) < REDACT_SECRET_MIN)
		return blt_fail(err, BLT_EINVAL,
				"a secret shorter than %d characters cannot "
				"be scrubbed from bodies",
				REDACT_SECRET_MIN);
	if (r->nsecrets == REDACT_SECRETS_MAX)
		return blt_fail(err, BLT_ELIMIT, "more than %d secrets",
				REDACT_SECRETS_MAX);
	if (!(r->secrets[r->nsecrets] = strdup(secret)))
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	r->nsecrets++;
	return BLT_OK;
}

blt_status redact_secrets_from_env(struct redact_rules *r,
				   struct blt_err *err)
{
	struct blt_err one;
	blt_status first = BLT_OK;

	for (size_t i = 0;
	     i < sizeof(credential_envs) / sizeof(*credential_envs); i++) {
		blt_status st = redact_secret_add(
		    r, getenv(credential_envs[i]), &one);

		if (st && !first) {
			first = st;
			if (err) {
				*err = one;
				blt_err_prefix(err, "%s", credential_envs[i]);
			}
		}
	}
	return first;
}

/* True when value contains one of the secrets (rules' or extra). */
static bool has_secret(const struct redact_rules *r, const char *value,
		       const char *const *extra, size_t nextra)
{
	for (size_t i = 0; i < r->nsecrets; i++)
		if (strstr(value, r->secrets[i]))
			return true;
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] && strlen(extra[i]) >= REDACT_SECRET_MIN &&
		    strstr(value, extra[i]))
			return true;
	return false;
}

/* True when the header name alone marks a credential; a name that is not
 * a token cannot be compared with the rules, so it counts as one. */
static bool name_matches(const struct redact_rules *r, const char *name);

static bool name_is_secret(const struct redact_rules *r, const char *name)
{
	return !httpd_token_ok(name, strlen(name)) || name_matches(r, name);
}

/* True when name (any case) is a credential's by the rules. */
static bool name_matches(const struct redact_rules *r, const char *name)
{
	for (size_t i = 0; i < sizeof(secret_names) / sizeof(*secret_names);
	     i++)
		if (strcasecmp(name, secret_names[i]) == 0)
			return true;
	for (size_t i = 0;
	     i < sizeof(secret_name_parts) / sizeof(*secret_name_parts); i++)
		if (ci_contains(name, secret_name_parts[i]))
			return true;
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(name, r->headers[i]) == 0)
			return true;
	return false;
}

/* True when a value looks like a credential: a SigV4, Bearer, Basic or
 * Digest authorization, or a "Signature=" in it. */
static bool value_looks_secret(const char *value)
{
	for (size_t i = 0;
	     i < sizeof(secret_value_prefixes) / sizeof(*secret_value_prefixes);
	     i++) {
		const char *prefix = secret_value_prefixes[i];

		if (strncasecmp(value, prefix, strlen(prefix)) == 0)
			return true;
	}
	return ci_contains(value, "Signature=");
}

bool redact_header_needed(const struct redact_rules *r, const char *name,
			  const char *value, const char *const *extra,
			  size_t nextra)
{
	if (name_is_secret(r, name))
		return true;
	if (!value)
		return false;
	return value_looks_secret(value) || has_secret(r, value, extra, nextra);
}

/* The length of the secret that starts at p (with left bytes available),
 * 0 when none does. */

/* The length of the text at p (left bytes) that spells secret s, each of
 * its bytes as itself or %-escaped (hex digits of either case), as a URL
 * carries it; 0 when it does not. */
static size_t spelled_at(const char *p, size_t left, const char *s)
{
	size_t j = 0;

	for (; *s; s++) {
		if (j < left && p[j] == *s) {
			j++;
		} else if (j + 2 < left && p[j] == '%' &&
			   hex_value(p[j + 1]) >= 0 && hex_value(p[j + 2]) >= 0 &&
			   hex_value(p[j + 1]) * 16 + hex_value(p[j + 2]) ==
			       (unsigned char)*s) {
			j += 3;
		} else {
			return 0;
		}
	}
	return j;
}

static size_t secret_at(const struct redact_rules *r, const char *p,
			size_t left, const char *const *extra, size_t nextra)
{
	for (size_t i = 0; i < r->nsecrets + nextra; i++) {
		const char *s =
		    i < r->nsecrets ? r->secrets[i] : extra[i - r->nsecrets];
		size_t n = s ? strlen(s) : 0;
		size_t len;

		if (n >= REDACT_SECRET_MIN && (p[0] == s[0] || p[0] == '%') &&
		    (len = spelled_at(p, left, s)) > 0)
			return len;
	}
	return 0;
}

long redact_bytes(const struct redact_rules *r, const char *text, size_t n,
		  const char *const *extra, size_t nextra, char **out,
		  size_t *outlen)
{
	struct blt_buf b;
	size_t i = 0;
	size_t start = 0;
	long count = 0;

	*out = NULL;
	*outlen = 0;
	buf_init(&b, SIZE_MAX / 4);
	while (i < n) {
		size_t len = secret_at(r, text + i, n - i, extra, nextra);

		if (!len) {
			i++;
			continue;
		}
		if (buf_append(&b, text + start, i - start, NULL) ||
		    buf_puts(&b, REDACT_VALUE, NULL))
			goto oom;
		count++;
		i += len;
		start = i;
	}
	if (count == 0)
		return 0;
	if (buf_append(&b, text + start, n - start, NULL))
		goto oom;
	*outlen = b.len;
	*out = buf_take(&b);
	return *out ? count : -1;
oom:
	buf_free(&b);
	return -1;
}

/* ---- Request targets ---- */

/* True when one of the secrets occurs in the n bytes at s (which may hold
 * NUL bytes, as a %-decoded value can). */
static bool holds_secret(const struct redact_rules *r, const char *s,
			 size_t n, const char *const *extra, size_t nextra)
{
	for (size_t i = 0; i < n; i++)
		if (secret_at(r, s + i, n - i, extra, nextra))
			return true;
	return false;
}

/* The n bytes at s %-decoded ('+' read as a space when plus) into a new
 * NUL-terminated buffer (the caller frees it) of length *len; a broken
 * escape stays as it is. NULL when memory runs out. */
static char *pct_decode(const char *s, size_t n, bool plus, size_t *len)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;

		if (s[i] == '%' && hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* How a redaction is written: the target being rebuilt, the count, and the
 * names of what was redacted (may be NULL). */
struct path_redaction {
	const struct redact_rules *r;
	const char *const *extra;
	size_t nextra;
	struct blt_buf out;
	long count;
	struct blt_buf *names;
	bool oom;
};

/* Notes a redaction of what (n bytes, shown escaped) in pr->names. */
static void note_redacted(struct path_redaction *pr, const char *what,
			  size_t n)
{
	pr->count++;
	if (!pr->names)
		return;
	if (pr->names->len)
		buf_puts(pr->names, ", ", NULL);
	log_escape(pr->names, what, n, NULL);
}

static void emit(struct path_redaction *pr, const char *s, size_t n)
{
	if (buf_append(&pr->out, s, n, NULL))
		pr->oom = true;
}

/* Whether the n bytes at s hold a secret, raw or %-decoded. */
static bool part_secret(struct path_redaction *pr, const char *s, size_t n,
			bool plus)
{
	size_t dlen;
	char *d;
	bool found;

	if (holds_secret(pr->r, s, n, pr->extra, pr->nextra))
		return true;
	d = pct_decode(s, n, plus, &dlen);
	if (!d) {
		pr->oom = true;
		return true;
	}
	/* A presigned URL's X-Amz-Algorithm is the bare name, no secret. */
	found = holds_secret(pr->r, d, dlen, pr->extra, pr->nextra) ||
		(value_looks_secret(d) && strcmp(d, "AWS4-HMAC-SHA256") != 0);
	free(d);
	return found;
}

/* True when a parameter name (%-decoded) marks a credential. */
static bool param_is_secret(const struct redact_rules *r, const char *name)
{
	for (size_t i = 0;
	     i < sizeof(presigned_params) / sizeof(*presigned_params); i++)
		if (strcasecmp(name, presigned_params[i]) == 0)
			return true;
	return name_matches(r, name);
}

/* Writes one query parameter (n bytes at p, "name=value" or "name"). */
static void query_param(struct path_redaction *pr, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq ? (size_t)(eq - p) : n;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? n - nlen - 1 : 0;
	size_t dlen;
	char *dname = pct_decode(p, nlen, true, &dlen);
	bool blank = v && vlen == strlen(REDACT_VALUE) &&
		     memcmp(v, REDACT_VALUE, vlen) == 0;

	if (!dname) {
		pr->oom = true;
		return;
	}
	if (part_secret(pr, p, nlen, true)) {
		emit(pr, REDACT_VALUE, strlen(REDACT_VALUE));
		note_redacted(pr, "a parameter name", 16);
	} else {
		emit(pr, p, nlen);
	}
	if (v && !blank &&
	    (param_is_secret(pr->r, dname) || part_secret(pr, v, vlen, true))) {
		emit(pr, "=" REDACT_VALUE, strlen(REDACT_VALUE) + 1);
		note_redacted(pr, dname, dlen);
	} else if (v) {
		emit(pr, eq, vlen + 1);
	}
	free(dname);
}

/* Writes the query (n bytes at q, without its '?'). */
static void query_part(struct path_redaction *pr, const char *q, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && q[i] != '&')
			continue;
		query_param(pr, q + start, i - start);
		if (i < n)
			emit(pr, "&", 1);
		start = i + 1;
	}
}

/* Writes the path (n bytes at p): each segment holding a secret replaced,
 * and the whole path when a secret spans segments. */
static void path_part(struct path_redaction *pr, const char *p, size_t n)
{
	size_t start = 0, before = pr->out.len;
	long count = pr->count;

	if (!part_secret(pr, p, n, false)) {
		emit(pr, p, n);
		return;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i > start && part_secret(pr, p + start, i - start, false)) {
			emit(pr, REDACT_VALUE, strlen(REDACT_VALUE));
			note_redacted(pr, "a path segment", 14);
		} else {
			emit(pr, p + start, i - start);
		}
		if (i < n)
			emit(pr, "/", 1);
		start = i + 1;
	}
	if (!pr->oom && part_secret(pr, pr->out.data + before,
				    pr->out.len - before, false)) {
		pr->out.len = before;
		pr->count = count;
		emit(pr, "/" REDACT_VALUE, strlen(REDACT_VALUE) + 1);
		note_redacted(pr, "the path", 8);
	}
}

long redact_path(const struct redact_rules *r, const char *target,
		 const char *const *extra, size_t nextra, char **out,
		 struct blt_buf *names)
{
	struct path_redaction pr = {r, extra, nextra, {0}, 0, names, false};
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);

	*out = NULL;
	buf_init(&pr.out, SIZE_MAX / 4);
	path_part(&pr, target, plen);
	if (q) {
		emit(&pr, "?", 1);
		query_part(&pr, q + 1, strlen(q + 1));
	}
	if (pr.oom || pr.count == 0) {
		buf_free(&pr.out);
		return pr.oom ? -1 : 0;
	}
	*out = buf_take(&pr.out);
	return *out ? pr.count : -1;
}

/* Scrubs secrets from every string inside v. */
static size_t scrub_json(const struct redact_rules *r, json_t *v,
			 const char *const *extra, size_t nextra)
{
	size_t count = 0;
	size_t i;
	const char *key;
	json_t *child;
	char *out;
	size_t outlen;

	if (json_is_string(v)) {
		if (redact_bytes(r, json_string_value(v), json_string_length(v),
				 extra, nextra, &out, &outlen) > 0) {
			json_string_setn(v, out, outlen);
			free(out);
			count++;
		}
	} else if (json_is_object(v)) {
		json_object_foreach (v, key, child)
			count += scrub_json(r, child, extra, nextra);
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child)
			count += scrub_json(r, child, extra, nextra);
	}
	return count;
}

/* Decodes one pointer token (up to the next '/' or the end) into out. */
static const char *pointer_token(const char *p, char *out, size_t outsz)
{
	size_t n = 0;

	while (*p && *p != '/') {
		char c = *p++;

		if (c == '~' && (*p == '0' || *p == '1'))
			c = *p++ == '0' ? '~' : '/';
		if (n + 1 < outsz)
			out[n++] = c;
	}
	out[n] = '\0';
	return p;
}

/* Parses an array index token; false when it is not one. */
static bool array_index(const char *tok, size_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)tok[0]) || (tok[0] == '0' && tok[1]))
		return false;
	v = strtoul(tok, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* Redacts the child of parent named by tok (rest is what follows it). */
static size_t redact_child(json_t *parent, const char *tok, const char *rest);

size_t redact_pointer(json_t *doc, const char *pointer)
{
	char tok[256];
	const char *rest;

	if (!pointer[0] || pointer[0] != '/')
		return 0;
	rest = pointer_token(pointer + 1, tok, sizeof(tok));
	return redact_child(doc, tok, rest);
}

/* Replaces the value under key (or descends when rest is not empty). */
static size_t redact_slot(json_t *parent, const char *key, size_t idx,
			  const char *rest)
{
	json_t *child =
	    key ? json_object_get(parent, key) : json_array_get(parent, idx);
	json_t *red;

	if (!child)
		return 0;
	if (*rest)
		return redact_pointer(child, rest);
	if (json_is_string(child) &&
	    strcmp(json_string_value(child), REDACT_VALUE) == 0)
		return 0;
	red = json_string(REDACT_VALUE);
	if (key)
		json_object_set_new(parent, key, red);
	else
		json_array_set_new(parent, idx, red);
	return 1;
}

static size_t redact_child(json_t *parent, const char *tok, const char *rest)
{
	size_t count = 0;
	size_t idx;
	const char *key;
	json_t *child;

	if (json_is_object(parent)) {
		if (strcmp(tok, "*") != 0)
			return redact_slot(parent, tok, 0, rest);
		json_object_foreach (parent, key, child)
			count += redact_slot(parent, key, 0, rest);
		return count;
	}
	if (!json_is_array(parent))
		return 0;
	if (strcmp(tok, "*") == 0) {
		for (idx = 0; idx < json_array_size(parent); idx++)
			count += redact_slot(parent, NULL, idx, rest);
		return count;
	}
	return array_index(tok, &idx) ? redact_slot(parent, NULL, idx, rest)
				      : 0;
}

/* Redacts the header values of a message. */
static size_t redact_headers(const struct redact_rules *r, json_t *headers,
			     const char *const *extra, size_t nextra)
{
	size_t count = 0;
	const char *name;
	json_t *value;

	json_object_foreach (headers, name, value) {
		const char *v = json_string_value(value);

		if (v && strcmp(v, REDACT_VALUE) == 0)
			continue;
		if (redact_header_needed(r, name, v, extra, nextra)) {
			json_object_set_new(headers, name,
					    json_string(REDACT_VALUE));
			count++;
		}
	}
	return count;
}

/* Scrubs secrets from the decoded bytes of a body_base64 member. */
static size_t redact_base64(const struct redact_rules *r, json_t *message,
			    const char *const *extra, size_t nextra)
{
	const char *b64 =
	    json_string_value(json_object_get(message, "body_base64"));
	size_t len = b64 ? strlen(b64) : 0;
	unsigned char *raw = NULL;
	unsigned char *enc = NULL;
	char *out = NULL;
	size_t outlen = 0;
	int n;
	long count = 0;

	if (!len || len % 4 || len > INT32_MAX)
		return 0;
	raw = malloc(len / 4 * 3 + 1);
	if (!raw || (n = EVP_DecodeBlock(raw, (const unsigned char *)b64,
					 (int)len)) < 0)
		goto done;
	n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	count = redact_bytes(r, (const char *)raw, (size_t)n, extra, nextra,
			     &out, &outlen);
	if (count <= 0 || outlen > INT32_MAX / 2)
		goto done;
	enc = malloc((outlen + 2) / 3 * 4 + 1);
	if (!enc) {
		count = 0;
		goto done;
	}
	EVP_EncodeBlock(enc, (const unsigned char *)out, (int)outlen);
	json_object_set_new(message, "body_base64",
			    json_string((const char *)enc));
done:
	free(raw);
	free(enc);
	free(out);
	return count > 0 ? (size_t)count : 0;
}

size_t redact_message(const struct redact_rules *r, json_t *message,
		      const char *const *extra, size_t nextra)
{
	json_t *headers = json_object_get(message, "headers");
	json_t *body = json_object_get(message, "body");
	json_t *text = json_object_get(message, "body_text");
	const char *path = json_string_value(json_object_get(message, "path"));
	char *clean = NULL;
	size_t count = 0;
	long n;

	if (path && (n = redact_path(r, path, extra, nextra, &clean, NULL)) > 0 &&
	    json_object_set_new(message, "path", json_string(clean)) == 0)
		count += (size_t)n;
	free(clean);
	/* The operation comes from the client's X-Amz-Target. */
	count += scrub_json(r, json_object_get(message, "operation"), extra,
			    nextra);
	count += scrub_json(r, json_object_get(message, "method"), extra,
			    nextra);
	if (json_is_object(headers))
		count += redact_headers(r, headers, extra, nextra);
	for (size_t i = 0; body && i < r->npointers; i++) {
		if (r->pointers[i][0] == '\0') {
			if (json_is_string(body) &&
			    !strcmp(json_string_value(body), REDACT_VALUE))
				continue;
			json_object_set_new(message, "body",
					    json_string(REDACT_VALUE));
			body = json_object_get(message, "body");
			count++;
			continue;
		}
		count += redact_pointer(body, r->pointers[i]);
	}
	if (body)
		count += scrub_json(r, body, extra, nextra);
	if (text)
		count += scrub_json(r, text, extra, nextra);
	return count + redact_base64(r, message, extra, nextra);
}

size_t redact_interaction(const struct redact_rules *r, json_t *interaction,
			  const char *const *extra, size_t nextra)
{
	return redact_message(r, json_object_get(interaction, "request"), extra,
			      nextra) +
	       redact_message(r, json_object_get(interaction, "response"),
			      extra, nextra);
}
