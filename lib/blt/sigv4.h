/* AWS Signature Version 4 with OpenSSL, in the steps the specification
 * names: canonical request, string to sign, signing key, signature; plus the
 * Authorization header's parser and verification.
 *
 * Concurrency: no function keeps state between calls; all may run in
 * any number of threads at once. */
#ifndef BLT_SIGV4_H
#define BLT_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

struct sigv4_header {
	const char *name;
	const char *value;
};

/* The parts of an HTTP request that a signature covers. headers must hold
 * every header that is to be signed (host and x-amz-date among them); names
 * are matched without regard to case. */
struct sigv4_request {
	const char *method;
	const char *path;  /* e.g. "/" (not yet URI-encoded) */
	const char *query; /* raw query string without '?', or NULL */
	const struct sigv4_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
};

struct sigv4_creds {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL when none */
};

/* What an Authorization header says. */
struct sigv4_auth {
	char access_key_id[128];
	char date[9]; /* YYYYMMDD */
	char region[64];
	char service[64];
	char signed_headers[1024]; /* "content-type;host;x-amz-date" */
	char signature[65];	   /* 64 lower-case hex digits */
};

/* Step 1: appends the canonical request. signed_headers is the
 * semicolon-separated lower-case list to include (each must be present in
 * r->headers). */
blt_status sigv4_canonical_request(const struct sigv4_request *r,
				   const char *signed_headers,
				   struct blt_buf *out, struct blt_err *err);

/* Step 2: appends the string to sign for amz_date (YYYYMMDDTHHMMSSZ), the
 * scope's region and service, and the canonical request's text. */
blt_status sigv4_string_to_sign(const char *amz_date, const char *region,
				const char *service,
				const char *canonical_request,
				struct blt_buf *out, struct blt_err *err);

/* Step 3: the signing key HMAC chain for date (YYYYMMDD). */
void sigv4_signing_key(const char *secret, const char *date, const char *region,
		       const char *service, unsigned char key[32]);

/* All steps: the Authorization header value for r, signing every header in
 * r->headers (lower-cased, sorted; repeated names once, their values joined
 * with ','), except an Authorization header, which is never signed. r must
 * carry x-amz-date (equal to amz_date) and host. With temporary credentials
 * the caller puts X-Amz-Security-Token (creds->session_token) in r->headers
 * itself, so that it is signed and sent. Written into out (NUL-terminated);
 * BLT_ELIMIT when outsz is too small. */
blt_status sigv4_sign(const struct sigv4_request *r,
		      const struct sigv4_creds *creds, const char *region,
		      const char *service, const char *amz_date, char *out,
		      size_t outsz, struct blt_err *err);

/* Parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=hex". Every malformation is an error that
 * names the part that is wrong. */
blt_status sigv4_auth_parse(const char *value, struct sigv4_auth *out,
			    struct blt_err *err);

/* Why a verification failed, for callers that answer with the matching
 * AWS error: MISSING (no Authorization: MissingAuthenticationToken),
 * MALFORMED (Authorization or X-Amz-Date malformed, a signed header absent:
 * IncompleteSignature), UNKNOWN_KEY (another access key id:
 * UnrecognizedClient), MISMATCH (scope or signature differ:
 * InvalidSignature). */
enum sigv4_verdict {
	SIGV4_VALID = 0,
	SIGV4_MISSING,
	SIGV4_MALFORMED,
	SIGV4_UNKNOWN_KEY,
	SIGV4_MISMATCH
};

/* Verifies the Authorization header carried in r->headers against the
 * secret for access_key_id: the key id, the scope's service, the date of
 * x-amz-date, the signed headers and the signature (compared in constant
 * time). BLT_EAUTH with a reason when anything differs. */
blt_status sigv4_verify(const struct sigv4_request *r,
			const char *access_key_id, const char *secret,
			const char *service, struct blt_err *err);

/* sigv4_verify that also reports the kind of failure in *verdict
 * (SIGV4_VALID when it returns BLT_OK). */
blt_status sigv4_verify_verdict(const struct sigv4_request *r,
				const char *access_key_id, const char *secret,
				const char *service,
				enum sigv4_verdict *verdict,
				struct blt_err *err);

/* The current time as YYYYMMDDTHHMMSSZ, from the injectable clock
 * (BLT_FAKE_TIME=epoch-seconds in the environment fixes it). */
void sigv4_amz_date_now(char out[17]);

/* Parses "AKID:SECRET" (the --verify-sigv4 argument). The outputs point
 * into a copy the caller frees with free(*akid). */
blt_status sigv4_parse_keypair(const char *arg, char **akid, char **secret,
			       struct blt_err *err);

#endif
