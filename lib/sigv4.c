/* AWS Signature Version 4: canonical request, string to sign, signing key,
 * signature, and the Authorization header's parser and verification. */
#include "blt/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "blt/clock.h"
#include "blt/hex.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
/* Caps: the canonical request (the body is only hashed, so this bounds the
 * path, query and headers), one header name, the number of headers. */
#define SIGV4_CANON_MAX (1024 * 1024)
#define SIGV4_NAME_MAX 128
#define SIGV4_HEADERS_MAX 256
#define SIGV4_AUTH_MAX 4096

/* The hex SHA-256 of n bytes at p. */
static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = sizeof(md);

	EVP_Digest(p ? p : "", n, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, sizeof(md), out);
}

/* HMAC-SHA256 of n bytes at p under key. */
static void hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
			unsigned char out[32])
{
	unsigned int outlen = 32;

	HMAC(EVP_sha256(), key, (int)keylen, p, n, out, &outlen);
}

static bool is_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends n bytes at s URI-encoded the AWS way: unreserved characters as
 * they are, every other byte as %XX with upper-case hex; '/' is kept when
 * keep_slash is true. */
static blt_status uri_encode(struct blt_buf *out, const char *s, size_t n,
			     bool keep_slash, struct blt_err *err)
{
	blt_status st = BLT_OK;

	for (size_t i = 0; i < n && !st; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3] = {'%', hex_digit(c >> 4, true),
			       hex_digit(c, true)};

		if (is_unreserved(c) || (keep_slash && c == '/'))
			st = buf_append(out, &s[i], 1, err);
		else
			st = buf_append(out, esc, 3, err);
	}
	return st;
}

/* Appends the percent-decoded form of n bytes at s ('+' stays '+'); a '%'
 * not followed by two hex digits is kept as it is. */
static blt_status uri_decode(struct blt_buf *out, const char *s, size_t n,
			     struct blt_err *err)
{
	blt_status st = BLT_OK;

	for (size_t i = 0; i < n && !st; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '%' && i + 2 < n) {
			hi = hex_value((unsigned char)s[i + 1]);
			lo = hex_value((unsigned char)s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			char c = (char)(hi * 16 + lo);

			st = buf_append(out, &c, 1, err);
			i += 2;
		} else {
			st = buf_append(out, &s[i], 1, err);
		}
	}
	return st;
}

/* The canonical URI: the path URI-encoded once with '/' kept; "/" when the
 * path is empty. */
static blt_status canonical_uri(const char *path, struct blt_buf *out,
				struct blt_err *err)
{
	if (!path || !*path)
		return buf_puts(out, "/", err);
	return uri_encode(out, path, strlen(path), true, err);
}

/* One query parameter, already in canonical (encoded) form. */
struct query_param {
	char *name;
	char *value;
};

static int query_param_cmp(const void *a, const void *b)
{
	const struct query_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

/* Decodes then re-encodes n bytes at s into a new string in *out. */
static blt_status query_part(const char *s, size_t n, char **out,
			     struct blt_err *err)
{
	struct blt_buf dec, enc;
	blt_status st;

	buf_init(&dec, SIGV4_CANON_MAX);
	buf_init(&enc, SIGV4_CANON_MAX);
	st = uri_decode(&dec, s, n, err);
	if (!st)
		st = uri_encode(&enc, dec.data ? dec.data : "", dec.len, false,
				err);
	buf_free(&dec);
	if (st) {
		buf_free(&enc);
		return st;
	}
	*out = buf_take(&enc);
	return *out ? BLT_OK : blt_fail(err, BLT_ENOMEM, "out of memory");
}

/* Splits the raw query into params (at most max), each part normalised. */
static blt_status query_split(const char *query, struct query_param *params,
			      size_t max, size_t *count, struct blt_err *err)
{
	const char *p = query;
	blt_status st = BLT_OK;

	*count = 0;
	while (*p && !st) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;

		if (len > 0) {
			if (*count == max)
				return blt_fail(err, BLT_ELIMIT,
						"query has more than %zu "
						"parameters",
						max);
			params[*count].name = NULL;
			params[*count].value = NULL;
			(*count)++;
			st = query_part(p, nlen, &params[*count - 1].name, err);
			if (!st)
				st = query_part(eq ? eq + 1 : p + len,
						eq ? len - nlen - 1 : 0,
						&params[*count - 1].value, err);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return st;
}

/* The canonical query string: parameters encoded, sorted by name then
 * value, "name=value" joined with '&' ("name=" when there is no value). */
static blt_status canonical_query(const char *query, struct blt_buf *out,
				  struct blt_err *err)
{
	struct query_param *params = NULL;
	size_t count = 0;
	blt_status st = BLT_OK;

	if (!query || !*query)
		return BLT_OK;
	params = calloc(SIGV4_HEADERS_MAX, sizeof(*params));
	if (!params)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	st = query_split(query, params, SIGV4_HEADERS_MAX, &count, err);
	if (st)
		goto fail;
	qsort(params, count, sizeof(*params), query_param_cmp);
	for (size_t i = 0; i < count && !st; i++)
		st = buf_printf(out, err, "%s%s=%s", i ? "&" : "",
				params[i].name, params[i].value);
fail:
	for (size_t i = 0; i < count; i++) {
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
	return st;
}

/* Appends value with leading and trailing blanks removed and each inner
 * run of blanks (space or tab) collapsed into one space. */
static blt_status append_trimmed(struct blt_buf *out, const char *value,
				 struct blt_err *err)
{
	const char *p = value;
	blt_status st = BLT_OK;
	bool pending = false;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p && !st; p++) {
		if (*p == ' ' || *p == '\t') {
			pending = true;
			continue;
		}
		if (pending)
			st = buf_append(out, " ", 1, err);
		pending = false;
		if (!st)
			st = buf_append(out, p, 1, err);
	}
	return st;
}

/* Appends "name:value\n" for one signed header: every header of r with that
 * name (any case), values trimmed and joined with ','. */
static blt_status canonical_header(const struct sigv4_request *r,
				   const char *name, struct blt_buf *out,
				   struct blt_err *err)
{
	blt_status st = buf_printf(out, err, "%s:", name);
	bool found = false;

	for (size_t i = 0; i < r->nheaders && !st; i++) {
		if (strcasecmp(r->headers[i].name, name) != 0)
			continue;
		if (found)
			st = buf_append(out, ",", 1, err);
		if (!st)
			st = append_trimmed(out, r->headers[i].value, err);
		found = true;
	}
	if (!st && !found)
		st = blt_fail(err, BLT_EINVAL,
			      "signed header '%s' is not in the request", name);
	if (!st)
		st = buf_append(out, "\n", 1, err);
	return st;
}

/* Appends the canonical headers for the semicolon-separated list. */
static blt_status canonical_headers(const struct sigv4_request *r,
				    const char *signed_headers,
				    struct blt_buf *out, struct blt_err *err)
{
	const char *p = signed_headers;
	char name[SIGV4_NAME_MAX];
	blt_status st = BLT_OK;

	while (!st) {
		size_t len = strcspn(p, ";");

		if (len == 0)
			return blt_fail(err, BLT_EINVAL,
					"signed header list '%s' has an empty "
					"name",
					signed_headers);
		if (len >= sizeof(name))
			return blt_fail(err, BLT_ELIMIT,
					"signed header name longer than %d "
					"bytes",
					SIGV4_NAME_MAX - 1);
		memcpy(name, p, len);
		name[len] = '\0';
		st = canonical_header(r, name, out, err);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return st;
}

blt_status sigv4_canonical_request(const struct sigv4_request *r,
				   const char *signed_headers,
				   struct blt_buf *out, struct blt_err *err)
{
	char payload[65];
	blt_status st;

	if (!r->method || !*r->method)
		return blt_fail(err, BLT_EINVAL, "request has no method");
	if (!signed_headers || !*signed_headers)
		return blt_fail(err, BLT_EINVAL, "signed header list is empty");
	st = buf_printf(out, err, "%s\n", r->method);
	if (!st)
		st = canonical_uri(r->path, out, err);
	if (!st)
		st = buf_append(out, "\n", 1, err);
	if (!st)
		st = canonical_query(r->query, out, err);
	if (!st)
		st = buf_append(out, "\n", 1, err);
	if (!st)
		st = canonical_headers(r, signed_headers, out, err);
	if (!st)
		st = buf_printf(out, err, "\n%s\n", signed_headers);
	sha256_hex(r->body, r->body_len, payload);
	if (!st)
		st = buf_puts(out, payload, err);
	return st;
}

/* True when s is exactly n decimal digits. */
static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Checks YYYYMMDD: digits, month 1..12, day 1..31. */
static bool valid_date8(const char *s)
{
	int month, day;

	if (strlen(s) != 8 || !all_digits(s, 8))
		return false;
	month = (s[4] - '0') * 10 + (s[5] - '0');
	day = (s[6] - '0') * 10 + (s[7] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* Checks YYYYMMDDTHHMMSSZ. */
static bool valid_amz_date(const char *s)
{
	char date[9];
	int hh, mm, ss;

	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z' ||
	    !all_digits(s + 9, 6))
		return false;
	memcpy(date, s, 8);
	date[8] = '\0';
	hh = (s[9] - '0') * 10 + (s[10] - '0');
	mm = (s[11] - '0') * 10 + (s[12] - '0');
	ss = (s[13] - '0') * 10 + (s[14] - '0');
	return valid_date8(date) && hh < 24 && mm < 60 && ss < 61;
}

blt_status sigv4_string_to_sign(const char *amz_date, const char *region,
				const char *service,
				const char *canonical_request,
				struct blt_buf *out, struct blt_err *err)
{
	char hash[65];

	if (!valid_amz_date(amz_date))
		return blt_fail(err, BLT_EINVAL,
				"amz date '%.40s' is not YYYYMMDDTHHMMSSZ",
				amz_date ? amz_date : "(null)");
	if (!region || !*region || !service || !*service)
		return blt_fail(err, BLT_EINVAL,
				"scope needs a region and a service");
	sha256_hex(canonical_request, strlen(canonical_request), hash);
	return buf_printf(out, err,
			  SIGV4_ALGORITHM "\n%s\n%.8s/%s/%s/" SIGV4_TERMINATOR
					  "\n%s",
			  amz_date, amz_date, region, service, hash);
}

void sigv4_signing_key(const char *secret, const char *date, const char *region,
		       const char *service, unsigned char key[32])
{
	size_t slen = strlen(secret);
	char *k = malloc(slen + 5);
	unsigned char cur[32];

	if (!k) {
		memset(key, 0, 32);
		return;
	}
	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, slen + 1);
	hmac_sha256(k, slen + 4, date, strlen(date), cur);
	OPENSSL_cleanse(k, slen + 4);
	free(k);
	hmac_sha256(cur, 32, region, strlen(region), cur);
	hmac_sha256(cur, 32, service, strlen(service), cur);
	hmac_sha256(cur, 32, SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR), key);
	OPENSSL_cleanse(cur, sizeof(cur));
}

/* Step 4: the hex signature of the request for signed_headers. */
static blt_status compute_signature(const struct sigv4_request *r,
				    const char *signed_headers,
				    const char *secret, const char *region,
				    const char *service, const char *amz_date,
				    char sig[65], struct blt_err *err)
{
	struct blt_buf canon, sts;
	unsigned char key[32], mac[32];
	char date[9];
	blt_status st;

	buf_init(&canon, SIGV4_CANON_MAX);
	buf_init(&sts, 1024);
	st = sigv4_canonical_request(r, signed_headers, &canon, err);
	if (!st)
		st = sigv4_string_to_sign(amz_date, region, service, canon.data,
					  &sts, err);
	if (st)
		goto fail;
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	sigv4_signing_key(secret, date, region, service, key);
	hmac_sha256(key, sizeof(key), sts.data, sts.len, mac);
	hex_encode(mac, sizeof(mac), sig);
	OPENSSL_cleanse(key, sizeof(key));
fail:
	buf_free(&canon);
	buf_free(&sts);
	return st;
}

/* Finds the only header called name in r (any case). NULL and *count 0
 * when absent; *count > 1 when repeated. */
static const char *find_header(const struct sigv4_request *r, const char *name,
			       size_t *count)
{
	const char *value = NULL;

	*count = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0) {
			if (!value)
				value = r->headers[i].value;
			(*count)++;
		}
	}
	return value;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Builds the sorted, de-duplicated, lower-case list of the names in
 * r->headers (authorization excepted) into out. */
static blt_status signed_header_list(const struct sigv4_request *r,
				     struct blt_buf *out, struct blt_err *err)
{
	char names[SIGV4_HEADERS_MAX][SIGV4_NAME_MAX];
	char *sorted[SIGV4_HEADERS_MAX];
	size_t n = 0;
	blt_status st = BLT_OK;

	if (r->nheaders > SIGV4_HEADERS_MAX)
		return blt_fail(err, BLT_ELIMIT, "more than %d headers",
				SIGV4_HEADERS_MAX);
	for (size_t i = 0; i < r->nheaders; i++) {
		size_t len = strlen(r->headers[i].name);

		if (len == 0 || len >= SIGV4_NAME_MAX)
			return blt_fail(err, BLT_EINVAL,
					"header name '%.40s' is empty or "
					"longer than %d bytes",
					r->headers[i].name, SIGV4_NAME_MAX - 1);
		if (strcasecmp(r->headers[i].name, "authorization") == 0)
			continue;
		for (size_t j = 0; j <= len; j++)
			names[n][j] =
			    (char)tolower((unsigned char)r->headers[i].name[j]);
		sorted[n] = names[n];
		n++;
	}
	qsort(sorted, n, sizeof(sorted[0]), name_cmp);
	for (size_t i = 0; i < n && !st; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		st = buf_printf(out, err, "%s%s", out->len ? ";" : "",
				sorted[i]);
	}
	return st;
}

blt_status sigv4_sign(const struct sigv4_request *r,
		      const struct sigv4_creds *creds, const char *region,
		      const char *service, const char *amz_date, char *out,
		      size_t outsz, struct blt_err *err)
{
	struct blt_buf list;
	char sig[65];
	size_t count;
	const char *date_hdr = find_header(r, "x-amz-date", &count);
	blt_status st = BLT_OK;
	int n;

	buf_init(&list, SIGV4_CANON_MAX);
	if (!find_header(r, "host", &count))
		st = blt_fail(err, BLT_EINVAL, "request has no Host header");
	else if (!date_hdr || strcmp(date_hdr, amz_date) != 0)
		st = blt_fail(err, BLT_EINVAL,
			      "request's X-Amz-Date does not carry '%.20s'",
			      amz_date);
	if (!st)
		st = signed_header_list(r, &list, err);
	if (!st)
		st = compute_signature(r, list.data, creds->secret_access_key,
				       region, service, amz_date, sig, err);
	if (st)
		goto fail;
	n = snprintf(
	    out, outsz,
	    SIGV4_ALGORITHM " Credential=%s/%.8s/%s/%s/" SIGV4_TERMINATOR
			    ", SignedHeaders=%s, Signature=%s",
	    creds->access_key_id, amz_date, region, service, list.data, sig);
	if (n < 0 || (size_t)n >= outsz)
		st = blt_fail(err, BLT_ELIMIT,
			      "Authorization value needs %d bytes, the buffer "
			      "holds %zu",
			      n, outsz);
fail:
	buf_free(&list);
	return st;
}

/* Copies n bytes at s into a field of size cap, or fails naming what. */
static blt_status copy_field(char *field, size_t cap, const char *s, size_t n,
			     const char *what, struct blt_err *err)
{
	if (n >= cap)
		return blt_fail(err, BLT_ELIMIT, "%s is longer than %zu bytes",
				what, cap - 1);
	memcpy(field, s, n);
	field[n] = '\0';
	return BLT_OK;
}

/* True when every one of n bytes at s passes ok(). */
static bool all_chars(const char *s, size_t n, bool (*ok)(unsigned char))
{
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	return true;
}

static bool key_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

static bool scope_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* A lower-case HTTP token character (RFC 9110 tchar, no upper case). */
static bool header_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool lower_hex_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Checks one scope part (region or service) and copies it. */
static blt_status scope_part(char *field, size_t cap, const char *s, size_t n,
			     const char *what, struct blt_err *err)
{
	if (n == 0)
		return blt_fail(err, BLT_EPARSE, "Credential has an empty %s",
				what);
	if (!all_chars(s, n, scope_char))
		return blt_fail(err, BLT_EPARSE,
				"Credential %s '%.*s' is not lower-case "
				"letters, digits and '-'",
				what, (int)(n > 64 ? 64 : n), s);
	return copy_field(field, cap, s, n, what, err);
}

/* Credential=AKID/YYYYMMDD/REGION/SERVICE/aws4_request */
static blt_status parse_credential(const char *v, size_t n,
				   struct sigv4_auth *out, struct blt_err *err)
{
	const char *part[6];
	size_t len[6];
	size_t parts = 0;
	const char *p = v, *end = v + n;
	blt_status st;

	while (parts < 6) {
		const char *slash = memchr(p, '/', (size_t)(end - p));

		part[parts] = p;
		len[parts] = (size_t)((slash ? slash : end) - p);
		parts++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (parts != 5)
		return blt_fail(err, BLT_EPARSE,
				"Credential has %s%zu parts, expected 5 "
				"(AKID/DATE/REGION/SERVICE/aws4_request)",
				parts == 6 ? "more than " : "",
				parts == 6 ? (size_t)5 : parts);
	if (len[0] == 0)
		return blt_fail(err, BLT_EPARSE,
				"Credential has an empty access key id");
	if (!all_chars(part[0], len[0], key_char))
		return blt_fail(err, BLT_EPARSE,
				"Credential access key id has a character "
				"other than letters, digits, '_', '-', '.'");
	st = copy_field(out->access_key_id, sizeof(out->access_key_id), part[0],
			len[0], "Credential access key id", err);
	if (st)
		return st;
	if (len[1] == 8) {
		memcpy(out->date, part[1], 8);
		out->date[8] = '\0';
	}
	if (len[1] != 8 || !valid_date8(out->date))
		return blt_fail(err, BLT_EPARSE,
				"Credential date '%.*s' is not YYYYMMDD",
				(int)(len[1] > 32 ? 32 : len[1]), part[1]);
	st = scope_part(out->region, sizeof(out->region), part[2], len[2],
			"region", err);
	if (!st)
		st = scope_part(out->service, sizeof(out->service), part[3],
				len[3], "service", err);
	if (!st && (len[4] != strlen(SIGV4_TERMINATOR) ||
		    memcmp(part[4], SIGV4_TERMINATOR, len[4]) != 0))
		st = blt_fail(
		    err, BLT_EPARSE,
		    "Credential terminator '%.*s' is not " SIGV4_TERMINATOR,
		    (int)(len[4] > 32 ? 32 : len[4]), part[4]);
	return st;
}

/* SignedHeaders=a;b;c: lower-case names, sorted, no repeats. */
static blt_status parse_signed_headers(const char *v, size_t n,
				       struct sigv4_auth *out,
				       struct blt_err *err)
{
	const char *p = v, *end = v + n, *prev = NULL;
	size_t prev_len = 0;

	if (n == 0)
		return blt_fail(err, BLT_EPARSE, "SignedHeaders is empty");
	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		size_t len = (size_t)((semi ? semi : end) - p);
		int c;

		if (len == 0)
			return blt_fail(err, BLT_EPARSE,
					"SignedHeaders has an empty name");
		if (!all_chars(p, len, header_char))
			return blt_fail(err, BLT_EPARSE,
					"SignedHeaders name '%.*s' is not a "
					"lower-case header name",
					(int)(len > 64 ? 64 : len), p);
		if (prev) {
			c = memcmp(prev, p, prev_len < len ? prev_len : len);
			if (c == 0)
				c = prev_len < len ? -1 : prev_len > len;
			if (c == 0)
				return blt_fail(err, BLT_EPARSE,
						"SignedHeaders repeats '%.*s'",
						(int)(len > 64 ? 64 : len), p);
			if (c > 0)
				return blt_fail(
				    err, BLT_EPARSE,
				    "SignedHeaders is not sorted "
				    "('%.*s' after '%.*s')",
				    (int)(len > 64 ? 64 : len), p,
				    (int)(prev_len > 64 ? 64 : prev_len), prev);
		}
		prev = p;
		prev_len = len;
		if (!semi)
			break;
		p = semi + 1;
	}
	return copy_field(out->signed_headers, sizeof(out->signed_headers), v,
			  n, "SignedHeaders", err);
}

/* Signature=64 lower-case hex digits */
static blt_status parse_signature(const char *v, size_t n,
				  struct sigv4_auth *out, struct blt_err *err)
{
	if (n != 64 || !all_chars(v, n, lower_hex_char))
		return blt_fail(err, BLT_EPARSE,
				"Signature is not 64 lower-case hex digits "
				"(%zu characters)",
				n);
	return copy_field(out->signature, sizeof(out->signature), v, n,
			  "Signature", err);
}

/* The three components and which of them were seen. */
static const char *const component_names[3] = {"Credential", "SignedHeaders",
					       "Signature"};

/* Parses one "Name=value" component (n bytes at s), once each. */
static blt_status parse_component(const char *s, size_t n, bool seen[3],
				  struct sigv4_auth *out, struct blt_err *err)
{
	const char *eq = memchr(s, '=', n);
	size_t nlen = eq ? (size_t)(eq - s) : n;
	size_t vlen = eq ? n - nlen - 1 : 0;
	int which = -1;

	if (n == 0)
		return blt_fail(err, BLT_EPARSE, "empty component");
	for (int i = 0; i < 3; i++)
		if (strlen(component_names[i]) == nlen &&
		    memcmp(component_names[i], s, nlen) == 0)
			which = i;
	if (which < 0)
		return blt_fail(err, BLT_EPARSE, "unknown component '%.*s'",
				(int)(nlen > 40 ? 40 : nlen), s);
	if (!eq)
		return blt_fail(err, BLT_EPARSE, "component %s has no '='",
				component_names[which]);
	if (seen[which])
		return blt_fail(err, BLT_EPARSE, "duplicate component %s",
				component_names[which]);
	seen[which] = true;
	if (which == 0)
		return parse_credential(eq + 1, vlen, out, err);
	if (which == 1)
		return parse_signed_headers(eq + 1, vlen, out, err);
	return parse_signature(eq + 1, vlen, out, err);
}

/* Reads the algorithm token at *p and moves *p past it and its blanks. */
static blt_status parse_algorithm(const char **p, struct blt_err *err)
{
	size_t len = strcspn(*p, " \t");

	if (len == 0 || memchr(*p, '=', len) || memchr(*p, ',', len))
		return blt_fail(err, BLT_EPARSE,
				"missing algorithm (expected " SIGV4_ALGORITHM
				" first)");
	if (len != strlen(SIGV4_ALGORITHM) ||
	    memcmp(*p, SIGV4_ALGORITHM, len) != 0)
		return blt_fail(
		    err, BLT_EPARSE,
		    "unknown algorithm '%.*s' (expected " SIGV4_ALGORITHM ")",
		    (int)(len > 40 ? 40 : len), *p);
	*p += len;
	if (**p != ' ' && **p != '\t')
		return blt_fail(err, BLT_EPARSE,
				"no Credential, SignedHeaders or Signature "
				"after the algorithm");
	while (**p == ' ' || **p == '\t')
		(*p)++;
	return BLT_OK;
}

blt_status sigv4_auth_parse(const char *value, struct sigv4_auth *out,
			    struct blt_err *err)
{
	const char *p = value;
	bool seen[3] = {false, false, false};
	blt_status st;

	memset(out, 0, sizeof(*out));
	if (!value || !*value)
		return blt_fail(err, BLT_EPARSE, "Authorization is empty");
	if (strlen(value) > SIGV4_AUTH_MAX)
		return blt_fail(err, BLT_ELIMIT,
				"Authorization is longer than %d bytes",
				SIGV4_AUTH_MAX);
	while (*p == ' ' || *p == '\t')
		p++;
	st = parse_algorithm(&p, err);
	while (!st && *p) {
		size_t n = strcspn(p, ",");
		size_t vn = n;

		while (vn > 0 && (p[vn - 1] == ' ' || p[vn - 1] == '\t'))
			vn--;
		if (memchr(p, ' ', vn) || memchr(p, '\t', vn))
			return blt_fail(
			    err, BLT_EPARSE,
			    "blank inside component '%.*s' (components "
			    "are separated by ',')",
			    (int)(vn > 40 ? 40 : vn), p);
		st = parse_component(p, vn, seen, out, err);
		p += n;
		if (*p == ',') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p && !st)
				st = blt_fail(err, BLT_EPARSE,
					      "empty component after the last "
					      "','");
		}
	}
	for (int i = 0; i < 3 && !st; i++)
		if (!seen[i])
			st = blt_fail(err, BLT_EPARSE, "missing %s",
				      component_names[i]);
	if (st)
		memset(out, 0, sizeof(*out));
	return st;
}

/* True when the semicolon-separated list holds name. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p; p = strchr(p, ';')) {
		if (*p == ';')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ';' || !p[n]))
			return true;
	}
	return false;
}

/* Checks that every signed header is in r and that host, x-amz-date are
 * signed and authorization is not. */
static blt_status check_signed_present(const struct sigv4_request *r,
				       const char *list, struct blt_err *err)
{
	char name[SIGV4_NAME_MAX];
	const char *p = list;
	size_t count;

	if (!list_has(list, "host") || !list_has(list, "x-amz-date"))
		return blt_fail(err, BLT_EAUTH,
				"SignedHeaders '%.200s' must include host and "
				"x-amz-date",
				list);
	if (list_has(list, "authorization"))
		return blt_fail(err, BLT_EAUTH,
				"SignedHeaders must not include authorization");
	while (*p) {
		size_t len = strcspn(p, ";");

		if (len >= sizeof(name))
			return blt_fail(err, BLT_EAUTH,
					"signed header name too long");
		memcpy(name, p, len);
		name[len] = '\0';
		if (!find_header(r, name, &count))
			return blt_fail(err, BLT_EAUTH,
					"signed header '%s' is missing from "
					"the request",
					name);
		p += len + (p[len] == ';');
	}
	return BLT_OK;
}

/* Turns the error in err into BLT_EAUTH with context prefixed. */
static blt_status as_auth_error(struct blt_err *err, const char *context)
{
	blt_err_prefix(err, "%s", context);
	if (err)
		err->code = BLT_EAUTH;
	return BLT_EAUTH;
}

/* Finds the request's Authorization and X-Amz-Date and parses the first;
 * sets *verdict for what is missing or malformed. */
static blt_status verify_inputs(const struct sigv4_request *r,
				struct sigv4_auth *auth, const char **amz_date,
				enum sigv4_verdict *verdict,
				struct blt_err *err)
{
	size_t count;
	const char *value = find_header(r, "authorization", &count);

	*verdict = SIGV4_MISSING;
	if (!value)
		return blt_fail(err, BLT_EAUTH, "no Authorization header");
	*verdict = SIGV4_MALFORMED;
	if (count > 1)
		return blt_fail(err, BLT_EAUTH,
				"Authorization header appears %zu times",
				count);
	if (sigv4_auth_parse(value, auth, err))
		return as_auth_error(err, "malformed Authorization");
	*amz_date = find_header(r, "x-amz-date", &count);
	if (!*amz_date)
		return blt_fail(err, BLT_EAUTH, "no X-Amz-Date header");
	if (count > 1)
		return blt_fail(err, BLT_EAUTH,
				"X-Amz-Date header appears %zu times", count);
	if (!valid_amz_date(*amz_date))
		return blt_fail(err, BLT_EAUTH,
				"X-Amz-Date '%.40s' is not YYYYMMDDTHHMMSSZ",
				*amz_date);
	return check_signed_present(r, auth->signed_headers, err);
}

/* A client that sends X-Amz-Content-Sha256 signs with that value as the
 * payload hash (curl does); blt always hashes the body, so a value that is
 * not the body's hash (UNSIGNED-PAYLOAD included) is named as the reason. */
static blt_status check_content_sha256(const struct sigv4_request *r,
				       struct blt_err *err)
{
	size_t count;
	const char *value = find_header(r, "x-amz-content-sha256", &count);
	char hash[65];

	if (!value)
		return BLT_OK;
	sha256_hex(r->body, r->body_len, hash);
	if (count > 1 || strcmp(value, hash) != 0)
		return blt_fail(err, BLT_EAUTH,
				"X-Amz-Content-Sha256 is not the SHA-256 of "
				"the body");
	return BLT_OK;
}

blt_status sigv4_verify_verdict(const struct sigv4_request *r,
				const char *access_key_id, const char *secret,
				const char *service,
				enum sigv4_verdict *verdict,
				struct blt_err *err)
{
	struct sigv4_auth auth;
	const char *amz_date = NULL;
	char sig[65];

	if (verify_inputs(r, &auth, &amz_date, verdict, err))
		return BLT_EAUTH;
	*verdict = SIGV4_UNKNOWN_KEY;
	if (strcmp(auth.access_key_id, access_key_id) != 0)
		return blt_fail(err, BLT_EAUTH,
				"access key id '%s' is not the expected one",
				auth.access_key_id);
	*verdict = SIGV4_MISMATCH;
	if (strcmp(auth.service, service) != 0)
		return blt_fail(err, BLT_EAUTH,
				"credential scope names service '%s', "
				"expected '%s'",
				auth.service, service);
	if (memcmp(auth.date, amz_date, 8) != 0)
		return blt_fail(err, BLT_EAUTH,
				"credential scope date %s differs from the "
				"date of X-Amz-Date %.8s",
				auth.date, amz_date);
	if (check_content_sha256(r, err))
		return BLT_EAUTH;
	*verdict = SIGV4_MALFORMED;
	if (compute_signature(r, auth.signed_headers, secret, auth.region,
			      service, amz_date, sig, err))
		return as_auth_error(err, "cannot recompute the signature");
	*verdict = SIGV4_MISMATCH;
	if (CRYPTO_memcmp(sig, auth.signature, 64) != 0)
		return blt_fail(err, BLT_EAUTH,
				"signature does not match: the request "
				"differs from what was signed, or the secret "
				"differs");
	*verdict = SIGV4_VALID;
	return BLT_OK;
}

blt_status sigv4_verify(const struct sigv4_request *r,
			const char *access_key_id, const char *secret,
			const char *service, struct blt_err *err)
{
	enum sigv4_verdict verdict;

	return sigv4_verify_verdict(r, access_key_id, secret, service, &verdict,
				    err);
}

void sigv4_amz_date_now(char out[17])
{
	time_t secs = (time_t)clock_now();
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

blt_status sigv4_parse_keypair(const char *arg, char **akid, char **secret,
			       struct blt_err *err)
{
	const char *colon = arg ? strchr(arg, ':') : NULL;
	char *copy;

	*akid = NULL;
	*secret = NULL;
	if (!colon)
		return blt_fail(err, BLT_EUSAGE,
				"expected AKID:SECRET, found no ':'");
	if (colon == arg)
		return blt_fail(err, BLT_EUSAGE,
				"expected AKID:SECRET, the access key id "
				"before ':' is empty");
	if (!colon[1])
		return blt_fail(err, BLT_EUSAGE,
				"expected AKID:SECRET, the secret after ':' "
				"is empty");
	copy = strdup(arg);
	if (!copy)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	copy[colon - arg] = '\0';
	*akid = copy;
	*secret = copy + (colon - arg) + 1;
	return BLT_OK;
}
