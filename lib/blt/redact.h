/* Secret redaction for recorded messages: credential headers by default,
 * credential parameters of the request target, known secret values
 * wherever they appear, plus user rules (header:NAME, json:/pointer). The
 * one set of rules behind blt-proxy record and replay, and blt-cassette
 * redact, lint and import-har.
 *
 * Concurrency: building the rules belongs to one thread; built rules are
 * read-only and may be applied from any number of threads at once, each to
 * its own message. */
#ifndef BLT_REDACT_H
#define BLT_REDACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

#define REDACT_VALUE "REDACTED"
#define REDACT_RULES_MAX 64
#define REDACT_SECRETS_MAX 16
#define REDACT_SECRET_MIN 4 /* shorter secrets would blank ordinary text */

/* The rules. Initialise with redact_rules_init, release with
 * redact_rules_free. Read-only (and so thread-safe) once built. */
struct redact_rules {
	char *headers[REDACT_RULES_MAX]; /* lower-case header names */
	size_t nheaders;
	char *pointers[REDACT_RULES_MAX]; /* JSON pointers into bodies */
	size_t npointers;
	char *secrets[REDACT_SECRETS_MAX]; /* values that must never appear */
	size_t nsecrets;
};

void redact_rules_init(struct redact_rules *r);

void redact_rules_free(struct redact_rules *r);

/* Adds a rule from its command-line form: "header:NAME" (any letter case)
 * or "json:/pointer" (RFC 6901, where a "*" token matches every member or
 * element at its level). BLT_EUSAGE with the reason when spec is malformed,
 * BLT_ELIMIT past REDACT_RULES_MAX. */
blt_status redact_rule_add(struct redact_rules *r, const char *spec,
			   struct blt_err *err);

/* Adds a secret value (copied), such as the secret access key or the
 * session token: every header that carries it is redacted and every
 * occurrence in a body is replaced by REDACT_VALUE. NULL or "" is ignored;
 * a value shorter than REDACT_SECRET_MIN is refused (BLT_EINVAL) because
 * scrubbing it would damage ordinary text. */
blt_status redact_secret_add(struct redact_rules *r, const char *secret,
			     struct blt_err *err);

/* Adds the credentials of the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) as secrets. Unset or empty ones
 * are skipped. A value that redact_secret_add refuses is skipped too and
 * reported: the first such failure is returned, naming the variable, after
 * the others were added. */
blt_status redact_secrets_from_env(struct redact_rules *r,
				   struct blt_err *err);

/* True when a header must be redacted: its name is authorization,
 * proxy-authorization, x-amz-security-token, cookie or set-cookie, contains
 * token, secret, password, passwd, credential or api-key/apikey, or is one
 * of the header rules; or its value carries a secret (the rules' or one of
 * the nextra extra ones, e.g. this request's signatures), a SigV4
 * signature ("Signature=", "AWS4-HMAC-SHA256") or a Basic/Bearer
 * credential. name is matched without regard to case; a name that is not
 * an HTTP token (say "cookie " with its blank) is always redacted. */
bool redact_header_needed(const struct redact_rules *r, const char *name,
			  const char *value, const char *const *extra,
			  size_t nextra);

/* Copies the n bytes at text with every occurrence of each secret (rules'
 * and extra), raw or with any of its bytes %-escaped, replaced by
 * REDACT_VALUE into a new malloc'd buffer *out of length *outlen
 * (NUL-terminated) that the caller frees. Returns the number
 * of replacements; when there were none, *out is NULL and text is all the
 * caller needs. -1 when memory runs out. */
long redact_bytes(const struct redact_rules *r, const char *text, size_t n,
		  const char *const *extra, size_t nextra, char **out,
		  size_t *outlen);

/* Redacts a request target ("/PATH?QUERY" as sent, %-escapes and all): a
 * query parameter whose name, %-decoded, is a presigned URL's credential
 * (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, Signature,
 * AWSAccessKeyId) or a secret name by the header rules (token, secret,
 * password, credential, api-key, ...) gets the value REDACT_VALUE; so does
 * a parameter whose value, raw or %-decoded, holds a secret or starts like
 * a credential; a path segment holding a secret becomes REDACT_VALUE (the
 * whole path when a secret spans segments). Returns the number of values
 * replaced; when there were some, *out is the new target (the caller
 * frees it), else NULL. When names is not NULL, the names of the redacted
 * parameters ("a path segment" for the path) are appended, separated by
 * ", ". -1 when memory runs out. */
long redact_path(const struct redact_rules *r, const char *target,
		 const char *const *extra, size_t nextra, char **out,
		 struct blt_buf *names);

/* Redacts a cassette message (a request or response object, SPEC section
 * 5) in place: its path (redact_path), secrets in its method and
 * operation, headers (value set to REDACT_VALUE, the name kept), the
 * JSON body's values at the pointer rules (set to REDACT_VALUE when
 * present, in both requests and responses), secrets inside any JSON string
 * of the body, body_text and the decoded bytes of body_base64. Returns the
 * number of values changed. */
size_t redact_message(const struct redact_rules *r, json_t *message,
		      const char *const *extra, size_t nextra);

/* Applies redact_message to an interaction's request and response. */
size_t redact_interaction(const struct redact_rules *r, json_t *interaction,
			  const char *const *extra, size_t nextra);

/* Sets the value(s) at pointer in doc to REDACT_VALUE (a "*" token matches
 * every member or element). Returns how many values were replaced; 0 when
 * the pointer leads nowhere. */
size_t redact_pointer(json_t *doc, const char *pointer);

/* Checks a JSON pointer's syntax ("" or "/a/b~1c"). */
blt_status redact_pointer_check(const char *pointer, struct blt_err *err);

#endif
