/* Unit tests for SigV4: known answers, canonicalisation, the Authorization
 * parser, verification and its rejection of every one-byte change. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/buf.h"
#include "blt/rng.h"
#include "blt/sigv4.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define EMPTY_SHA                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Expected values computed outside blt with openssl dgst -sha256 -mac HMAC
 * and sha256sum over the canonical texts written out by hand. */
#define KEY_SERVICE                                                            \
	"938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75"
#define SIG_GET_VANILLA                                                        \
	"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define SIG_POST_FORM                                                          \
	"ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
#define HASH_GET_VANILLA                                                       \
	"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"

static const struct sigv4_creds creds = {AKID, SECRET, NULL};

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

Test(sigv4, signing_key_known_answer)
{
	unsigned char key[32];
	char h[65];

	sigv4_signing_key(SECRET, "20150830", "us-east-1", "service", key);
	hex(key, 32, h);
	cr_assert_str_eq(h, KEY_SERVICE);
	sigv4_signing_key(SECRET, "20150831", "us-east-1", "service", key);
	hex(key, 32, h);
	cr_assert_str_neq(h, KEY_SERVICE, "the date is part of the key");
}

Test(sigv4, get_vanilla_steps)
{
	struct sigv4_header h[] = {{"Host", "example.amazonaws.com"},
				   {"X-Amz-Date", DATE}};
	struct sigv4_request r = {"GET", "/", NULL, h, 2, NULL, 0};
	struct blt_buf canon, sts;
	struct blt_err err;

	buf_init(&canon, 1 << 16);
	buf_init(&sts, 1 << 16);
	cr_assert_eq(
	    sigv4_canonical_request(&r, "host;x-amz-date", &canon, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_str_eq(canon.data,
			 "GET\n/\n\nhost:example.amazonaws.com\n"
			 "x-amz-date:" DATE "\n\nhost;x-amz-date\n" EMPTY_SHA);
	cr_assert_eq(sigv4_string_to_sign(DATE, "us-east-1", "service",
					  canon.data, &sts, &err),
		     BLT_OK);
	cr_assert_str_eq(
	    sts.data,
	    "AWS4-HMAC-SHA256\n" DATE "\n"
	    "20150830/us-east-1/service/aws4_request\n" HASH_GET_VANILLA);
	buf_free(&canon);
	buf_free(&sts);
}

Test(sigv4, get_vanilla_and_post_form_signatures)
{
	struct sigv4_header g[] = {{"Host", "example.amazonaws.com"},
				   {"X-Amz-Date", DATE}};
	struct sigv4_header p[] = {
	    {"Content-Type", "application/x-www-form-urlencoded"},
	    {"Host", "example.amazonaws.com"},
	    {"X-Amz-Date", DATE}};
	struct sigv4_request rg = {"GET", "/", NULL, g, 2, NULL, 0};
	struct sigv4_request rp = {"POST", "/", "", p, 3, "Param1=value1", 13};
	char out[512];
	struct blt_err err;

	cr_assert_eq(sigv4_sign(&rg, &creds, "us-east-1", "service", DATE, out,
				sizeof(out), &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_str_eq(
	    out, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
		 "20150830/us-east-1/service/aws4_request, "
		 "SignedHeaders=host;x-amz-date, Signature=" SIG_GET_VANILLA);
	cr_assert_eq(sigv4_sign(&rp, &creds, "us-east-1", "service", DATE, out,
				sizeof(out), &err),
		     BLT_OK, "%s", err.msg);
	cr_assert(strstr(out, "SignedHeaders=content-type;host;x-amz-date, "
			      "Signature=" SIG_POST_FORM),
		  "%s", out);
}

/* The canonical request of r for list, in a static buffer. */
static const char *canon_of(const struct sigv4_request *r, const char *list)
{
	static char text[4096];
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, sizeof(text) - 1);
	cr_assert_eq(sigv4_canonical_request(r, list, &b, &err), BLT_OK, "%s",
		     err.msg);
	strcpy(text, b.data);
	buf_free(&b);
	return text;
}

Test(sigv4, canonical_uri_query_and_headers)
{
	struct sigv4_header h[] = {{"host", "h"},
				   {"X-Multi", "  a   b\t\tc  "},
				   {"x-dup", "one"},
				   {"X-DUP", " two "}};
	struct sigv4_request r = {"GET",
				  "/example space/\xc3\xbc~a.b_c-d",
				  "b=2&a=1&a=0&%7e=x&sp=a%20b+c&flag&e=",
				  h,
				  4,
				  NULL,
				  0};

	cr_assert_str_eq(canon_of(&r, "host;x-dup;x-multi"),
			 "GET\n/example%20space/%C3%BC~a.b_c-d\n"
			 "a=0&a=1&b=2&e=&flag=&sp=a%20b%2Bc&~=x\n"
			 "host:h\nx-dup:one,two\nx-multi:a b c\n\n"
			 "host;x-dup;x-multi\n" EMPTY_SHA);
	r.path = "";
	r.query = NULL;
	cr_assert(strncmp(canon_of(&r, "host"), "GET\n/\n\nhost:h\n", 14) == 0);
}

Test(sigv4, canonical_request_errors_name_the_part)
{
	struct sigv4_header h[] = {{"host", "h"}};
	struct sigv4_request r = {"GET", "/", NULL, h, 1, NULL, 0};
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 4096);
	cr_assert_eq(sigv4_canonical_request(&r, "host;x-amz-date", &b, &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "'x-amz-date' is not in the request"), "%s",
		  err.msg);
	buf_reset(&b);
	cr_assert_eq(sigv4_canonical_request(&r, "host;;x", &b, &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "empty name"), "%s", err.msg);
	buf_free(&b);
}

Test(sigv4, sign_requires_host_and_date_and_room)
{
	struct sigv4_header h[] = {
	    {"host", "h"}, {"x-amz-date", DATE}, {"Authorization", "old"}};
	struct sigv4_request r = {"POST", "/", NULL, h, 3, "{}", 2};
	char out[512];
	struct blt_err err;

	cr_assert_eq(sigv4_sign(&r, &creds, "eu-west-1", "timestream", DATE,
				out, sizeof(out), &err),
		     BLT_OK);
	cr_assert(strstr(out, "SignedHeaders=host;x-amz-date,"),
		  "authorization is never signed: %s", out);
	cr_assert_eq(sigv4_sign(&r, &creds, "eu-west-1", "timestream", DATE,
				out, 60, &err),
		     BLT_ELIMIT);
	cr_assert_eq(sigv4_sign(&r, &creds, "eu-west-1", "timestream",
				"20150830T123601Z", out, sizeof(out), &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "X-Amz-Date"), "%s", err.msg);
	r.headers = h + 1;
	r.nheaders = 1;
	cr_assert_eq(sigv4_sign(&r, &creds, "eu-west-1", "timestream", DATE,
				out, sizeof(out), &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "Host"), "%s", err.msg);
}

#define GOOD_CRED                                                              \
	"Credential=AKIDEXAMPLE/20150830/us-east-1/timestream/"                \
	"aws4_request"
#define GOOD_SH "SignedHeaders=host;x-amz-date"
#define GOOD_SIG "Signature=" SIG_GET_VANILLA

Test(sigv4, parse_accepts_well_formed_values)
{
	static const char *const ok[] = {
	    "AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG,
	    "AWS4-HMAC-SHA256 " GOOD_CRED "," GOOD_SH "," GOOD_SIG,
	    "AWS4-HMAC-SHA256   " GOOD_SIG ",  " GOOD_SH " , " GOOD_CRED,
	};
	struct sigv4_auth a;
	struct blt_err err;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(sigv4_auth_parse(ok[i], &a, &err), BLT_OK,
			     "%s: %s", ok[i], err.msg);
		cr_assert_str_eq(a.access_key_id, "AKIDEXAMPLE");
		cr_assert_str_eq(a.date, "20150830");
		cr_assert_str_eq(a.region, "us-east-1");
		cr_assert_str_eq(a.service, "timestream");
		cr_assert_str_eq(a.signed_headers, "host;x-amz-date");
		cr_assert_str_eq(a.signature, SIG_GET_VANILLA);
	}
}

struct bad_auth {
	const char *value;
	const char *fragment;
};

static const struct bad_auth bad_auths[] = {
    {"", "Authorization is empty"},
    {GOOD_CRED ", " GOOD_SH ", " GOOD_SIG, "missing algorithm"},
    {"AWS4-HMAC-SHA1 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG,
     "unknown algorithm 'AWS4-HMAC-SHA1'"},
    {"aws4-hmac-sha256 " GOOD_CRED, "unknown algorithm"},
    {"AWS4-HMAC-SHA256", "no Credential, SignedHeaders or Signature"},
    {"AWS4-HMAC-SHA256 " GOOD_SH ", " GOOD_SIG, "missing Credential"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SIG, "missing SignedHeaders"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH, "missing Signature"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "Credential has 4 parts, expected 5"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/x/y/"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "Credential has more than 5 parts"},
    {"AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/timestream/"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "empty access key id"},
    {"AWS4-HMAC-SHA256 Credential=AKID\"X/20150830/us-east-1/timestream/"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "access key id has a char"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/"
     "timestream/aws4_request, " GOOD_SH ", " GOOD_SIG,
     "Credential date '2015083' is not YYYYMMDD"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20151330/us-east-1/"
     "timestream/aws4_request, " GOOD_SH ", " GOOD_SIG,
     "Credential date '20151330'"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015O830/us-east-1/"
     "timestream/aws4_request, " GOOD_SH ", " GOOD_SIG,
     "Credential date '2015O830'"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830//timestream/"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "empty region"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/US-EAST-1/"
     "timestream/aws4_request, " GOOD_SH ", " GOOD_SIG,
     "region 'US-EAST-1' is not lower-case"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1//"
     "aws4_request, " GOOD_SH ", " GOOD_SIG,
     "empty service"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
     "timestream/aws4_requests, " GOOD_SH ", " GOOD_SIG,
     "terminator 'aws4_requests' is not aws4_request"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
     "timestream/, " GOOD_SH ", " GOOD_SIG,
     "terminator '' is not"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=, " GOOD_SIG,
     "SignedHeaders is empty"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED
     ", SignedHeaders=host;;x-amz-date, " GOOD_SIG,
     "SignedHeaders has an empty name"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;, " GOOD_SIG,
     "SignedHeaders has an empty name"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=Host;x-amz-date, " GOOD_SIG,
     "name 'Host' is not a lower-case header name"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=x-amz-date;host, " GOOD_SIG,
     "not sorted ('host' after 'x-amz-date')"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;host, " GOOD_SIG,
     "SignedHeaders repeats 'host'"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", Signature=abc",
     "Signature is not 64 lower-case hex digits (3 characters)"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", Signature="
     "5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31",
     "Signature is not 64 lower-case hex digits"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG "0",
     "(65 characters)"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", Signature=",
     "(0 characters)"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ", Foo=bar",
     "unknown component 'Foo'"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ", " GOOD_SH,
     "duplicate component SignedHeaders"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_CRED ", " GOOD_SH,
     "duplicate component Credential"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", , " GOOD_SH ", " GOOD_SIG,
     "empty component"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ",",
     "empty component after the last ','"},
    {"AWS4-HMAC-SHA256 " GOOD_CRED " " GOOD_SH ", " GOOD_SIG,
     "blank inside component"},
    {"AWS4-HMAC-SHA256 Credential, " GOOD_SH ", " GOOD_SIG,
     "component Credential has no '='"},
    {"AWS4-HMAC-SHA256 credential=AKIDEXAMPLE/20150830/us-east-1/"
     "timestream/aws4_request, " GOOD_SH ", " GOOD_SIG,
     "unknown component 'credential'"},
};

Test(sigv4, parse_rejects_malformed_values_naming_the_part)
{
	struct sigv4_auth a;
	struct blt_err err;

	for (size_t i = 0; i < sizeof(bad_auths) / sizeof(bad_auths[0]); i++) {
		const struct bad_auth *b = &bad_auths[i];

		err.msg[0] = '\0';
		cr_assert_neq(sigv4_auth_parse(b->value, &a, &err), BLT_OK,
			      "accepted: %s", b->value);
		cr_assert(strstr(err.msg, b->fragment) != NULL,
			  "value: %s\nexpected: %s\ngot: %s", b->value,
			  b->fragment, err.msg);
		cr_assert_eq(a.access_key_id[0], '\0',
			     "a failed parse leaves no partial result");
	}
}

/* An Authorization value with the given Credential key id, region and
 * SignedHeaders, in a static buffer. */
static const char *auth_with(const char *akid, const char *region,
			     const char *signed_headers)
{
	static char v[16384];

	snprintf(v, sizeof(v),
		 "AWS4-HMAC-SHA256 Credential=%s/20150830/%s/timestream/"
		 "aws4_request, SignedHeaders=%s, " GOOD_SIG,
		 akid, region, signed_headers);
	return v;
}

/* A string of n copies of c followed by tail, in a static buffer. */
static const char *repeat(char c, size_t n, const char *tail)
{
	static char s[8192];

	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

Test(sigv4, parse_caps_fixed_fields_without_overflow)
{
	struct sigv4_auth a;
	struct blt_err err;

	cr_assert_eq(
	    sigv4_auth_parse(
		auth_with(repeat('A', 127, ""), "us-east-1", "host"), &a, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(strlen(a.access_key_id), 127);
	cr_assert_eq(
	    sigv4_auth_parse(
		auth_with(repeat('A', 128, ""), "us-east-1", "host"), &a, &err),
	    BLT_ELIMIT);
	cr_assert(strstr(err.msg, "access key id is longer than 127"), "%s",
		  err.msg);
	cr_assert_eq(
	    sigv4_auth_parse(auth_with("AKID", repeat('r', 63, ""), "host"), &a,
			     &err),
	    BLT_OK);
	cr_assert_eq(
	    sigv4_auth_parse(auth_with("AKID", repeat('r', 64, ""), "host"), &a,
			     &err),
	    BLT_ELIMIT);
	cr_assert(strstr(err.msg, "region is longer than 63"), "%s", err.msg);
	/* 1018 + ";host" = 1023 bytes fits; one more does not. */
	cr_assert_eq(sigv4_auth_parse(auth_with("AKID", "us-east-1",
						repeat('a', 1018, ";host")),
				      &a, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(strlen(a.signed_headers), 1023);
	cr_assert_eq(sigv4_auth_parse(auth_with("AKID", "us-east-1",
						repeat('a', 1019, ";host")),
				      &a, &err),
		     BLT_ELIMIT);
	cr_assert(strstr(err.msg, "SignedHeaders is longer than 1023"), "%s",
		  err.msg);
	cr_assert_eq(sigv4_auth_parse(
			 auth_with("AKID", "us-east-1", repeat('a', 5000, "")),
			 &a, &err),
		     BLT_ELIMIT);
	cr_assert(strstr(err.msg, "Authorization is longer than"), "%s",
		  err.msg);
}

/* A signed request kept with its storage, so that tests can change it. */
struct signed_req {
	char method[8];
	char path[64];
	char names[8][32];
	char values[8][96];
	struct sigv4_header h[9];
	size_t nh; /* without Authorization */
	unsigned char body[200];
	size_t body_len;
	char auth[512];
	struct sigv4_request r;
};

/* Fills s with a random request signed for timestream by sigv4_sign. */
static void make_signed(struct signed_req *s, struct blt_rng *rng)
{
	static const char *const methods[] = {"POST", "GET", "PUT", "DELETE"};
	static const char *const regions[] = {"us-east-1", "eu-west-1",
					      "ap-southeast-2"};
	char date[17];
	struct blt_err err;
	const char *region = regions[rng_below(rng, 3)];

	memset(s, 0, sizeof(*s));
	strcpy(s->method, methods[rng_below(rng, 4)]);
	snprintf(s->path, sizeof(s->path), "/p%u/q r",
		 (unsigned)rng_below(rng, 1000));
	snprintf(date, sizeof(date), "20%02u%02u%02uT%02u%02u%02uZ",
		 (unsigned)(15 + rng_below(rng, 20)),
		 (unsigned)(1 + rng_below(rng, 12)),
		 (unsigned)(1 + rng_below(rng, 28)),
		 (unsigned)rng_below(rng, 24), (unsigned)rng_below(rng, 60),
		 (unsigned)rng_below(rng, 60));
	strcpy(s->names[0], "Host");
	strcpy(s->values[0], "timestream.example.com");
	strcpy(s->names[1], "X-Amz-Date");
	strcpy(s->values[1], date);
	strcpy(s->names[2], "Content-Type");
	strcpy(s->values[2], "application/x-amz-json-1.0");
	strcpy(s->names[3], "X-Amz-Target");
	strcpy(s->values[3], "Timestream_20181101.ListBatchLoadTasks");
	s->nh = 4 + rng_below(rng, 3);
	for (size_t i = 4; i < s->nh; i++) {
		snprintf(s->names[i], sizeof(s->names[i]), "X-Extra-%zu", i);
		for (size_t j = 0; j < 20; j++)
			s->values[i][j] = (char)('!' + rng_below(rng, 94));
	}
	for (size_t i = 0; i < s->nh; i++) {
		s->h[i].name = s->names[i];
		s->h[i].value = s->values[i];
	}
	s->body_len = rng_below(rng, sizeof(s->body));
	for (size_t i = 0; i < s->body_len; i++)
		s->body[i] = (unsigned char)rng_below(rng, 256);
	s->r = (struct sigv4_request){s->method, s->path, NULL,	      s->h,
				      s->nh,	 s->body, s->body_len};
	cr_assert_eq(sigv4_sign(&s->r, &creds, region, "timestream", date,
				s->auth, sizeof(s->auth), &err),
		     BLT_OK, "%s", err.msg);
	s->h[s->nh].name = "Authorization";
	s->h[s->nh].value = s->auth;
	s->r.nheaders = s->nh + 1;
}

/* Asserts that s verifies; what names the change for the message. */
static void expect_verdict(struct signed_req *s, bool valid, const char *what,
			   size_t pos)
{
	struct blt_err err;
	blt_status st = sigv4_verify(&s->r, AKID, SECRET, "timestream", &err);

	if (valid)
		cr_assert_eq(st, BLT_OK, "%s: %s", what, err.msg);
	else
		cr_assert_eq(st, BLT_EAUTH,
			     "a one-byte change of %s at %zu verified", what,
			     pos);
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Changes byte pos of the C string s to every other value in turn that
 * keeps it a C string (and not a blank for a blank: header values are
 * compared with blanks collapsed), and asserts that verification fails. */
static void mutate_string(struct signed_req *s, char *str, size_t pos,
			  const char *what, struct blt_rng *rng)
{
	unsigned char orig = (unsigned char)str[pos];

	for (int k = 0; k < 4; k++) {
		unsigned char c =
		    (unsigned char)(orig ^ (1 + rng_below(rng, 255)));
		if (c == 0 || (blank(c) && blank(orig)))
			continue;
		str[pos] = (char)c;
		expect_verdict(s, false, what, pos);
	}
	str[pos] = (char)orig;
}

Test(sigv4, verify_rejects_every_one_byte_change)
{
	struct signed_req *s = malloc(sizeof(*s));
	struct blt_rng rng;

	rng_seed(&rng, 4);
	for (int n = 0; n < 40; n++) {
		make_signed(s, &rng);
		expect_verdict(s, true, "the unchanged request", 0);
		for (size_t i = 0; i < s->body_len; i++) {
			unsigned char orig = s->body[i];

			s->body[i] ^= (unsigned char)(1 + rng_below(&rng, 255));
			expect_verdict(s, false, "the body", i);
			s->body[i] = orig;
		}
		for (size_t i = 0; s->method[i]; i++)
			mutate_string(s, s->method, i, "the method", &rng);
		for (size_t i = 0; s->path[i]; i++)
			mutate_string(s, s->path, i, "the path", &rng);
		for (size_t h = 0; h < s->nh; h++)
			for (size_t i = 0; s->values[h][i]; i++)
				mutate_string(s, s->values[h], i, s->names[h],
					      &rng);
		for (size_t i = 0; s->auth[i]; i++)
			mutate_string(s, s->auth, i, "the Authorization", &rng);
		expect_verdict(s, true, "the restored request", 0);
	}
	free(s);
}

Test(sigv4, verify_reports_the_reason)
{
	struct signed_req s;
	struct blt_rng rng;
	struct blt_err err;
	enum sigv4_verdict v;
	char saved[512];

	rng_seed(&rng, 9);
	make_signed(&s, &rng);
	cr_assert_eq(
	    sigv4_verify_verdict(&s.r, AKID, SECRET, "timestream", &v, &err),
	    BLT_OK);
	cr_assert_eq(v, SIGV4_VALID);
	cr_assert_eq(sigv4_verify_verdict(&s.r, "AKIAIOSFODNN7EXAMPLE", SECRET,
					  "timestream", &v, &err),
		     BLT_EAUTH);
	cr_assert_eq(v, SIGV4_UNKNOWN_KEY);
	cr_assert(strstr(err.msg, "access key id 'AKIDEXAMPLE'"), "%s",
		  err.msg);
	cr_assert_eq(sigv4_verify_verdict(&s.r, AKID, SECRET, "s3", &v, &err),
		     BLT_EAUTH);
	cr_assert_eq(v, SIGV4_MISMATCH);
	cr_assert(strstr(err.msg, "service 'timestream', expected 's3'"), "%s",
		  err.msg);
	cr_assert_eq(
	    sigv4_verify_verdict(&s.r, AKID, "wrong", "timestream", &v, &err),
	    BLT_EAUTH);
	cr_assert_eq(v, SIGV4_MISMATCH);
	cr_assert(strstr(err.msg, "signature does not match"), "%s", err.msg);
	/* The scope's date must be the date of X-Amz-Date. */
	strcpy(saved, s.values[1]);
	s.values[1][7] = s.values[1][7] == '1' ? '2' : '1';
	cr_assert_eq(sigv4_verify(&s.r, AKID, SECRET, "timestream", &err),
		     BLT_EAUTH);
	cr_assert(strstr(err.msg, "differs from the date of X-Amz-Date"), "%s",
		  err.msg);
	strcpy(s.values[1], "2015-08-30");
	cr_assert_eq(sigv4_verify(&s.r, AKID, SECRET, "timestream", &err),
		     BLT_EAUTH);
	cr_assert(strstr(err.msg, "is not YYYYMMDDTHHMMSSZ"), "%s", err.msg);
	strcpy(s.values[1], saved);
	/* A signed header that is gone. */
	strcpy(s.names[3], "X-Other");
	cr_assert_eq(
	    sigv4_verify_verdict(&s.r, AKID, SECRET, "timestream", &v, &err),
	    BLT_EAUTH);
	cr_assert_eq(v, SIGV4_MALFORMED);
	cr_assert(strstr(err.msg, "'x-amz-target' is missing"), "%s", err.msg);
	strcpy(s.names[3], "X-Amz-Target");
	/* No Authorization at all, then a malformed one. */
	s.r.nheaders = s.nh;
	cr_assert_eq(
	    sigv4_verify_verdict(&s.r, AKID, SECRET, "timestream", &v, &err),
	    BLT_EAUTH);
	cr_assert_eq(v, SIGV4_MISSING);
	cr_assert(strstr(err.msg, "no Authorization header"), "%s", err.msg);
	s.r.nheaders = s.nh + 1;
	s.h[s.nh].value = "AWS4-HMAC-SHA256 Signature=00";
	cr_assert_eq(
	    sigv4_verify_verdict(&s.r, AKID, SECRET, "timestream", &v, &err),
	    BLT_EAUTH);
	cr_assert_eq(v, SIGV4_MALFORMED);
	cr_assert(strstr(err.msg, "malformed Authorization: Signature is not"),
		  "%s", err.msg);
}

Test(sigv4, verify_requires_host_and_date_signed)
{
	struct sigv4_header h[] = {
	    {"Host", "h"}, {"X-Amz-Date", DATE}, {"Authorization", NULL}};
	struct sigv4_header only_host[] = {{"Host", "h"}, {"x-amz-date", DATE}};
	struct sigv4_request r = {"GET", "/", NULL, only_host, 2, NULL, 0};
	char auth[512], *sh;
	struct blt_err err;

	cr_assert_eq(sigv4_sign(&r, &creds, "us-east-1", "timestream", DATE,
				auth, sizeof(auth), &err),
		     BLT_OK);
	/* Rewrite the list to "host" alone: still well formed, not enough. */
	sh = strstr(auth, "host;x-amz-date");
	memmove(sh + 4, sh + 15, strlen(sh + 15) + 1);
	h[2].value = auth;
	r.headers = h;
	r.nheaders = 3;
	cr_assert_eq(sigv4_verify(&r, AKID, SECRET, "timestream", &err),
		     BLT_EAUTH);
	cr_assert(strstr(err.msg, "must include host and x-amz-date"), "%s",
		  err.msg);
}

Test(sigv4, verify_names_a_content_sha256_that_is_not_the_body_hash)
{
	struct sigv4_header h[] = {{"Host", "h"},
				   {"X-Amz-Date", DATE},
				   {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"},
				   {"Authorization", NULL}};
	struct sigv4_request r = {"POST", "/", NULL, h, 3, "", 0};
	char auth[512];
	struct blt_err err;

	cr_assert_eq(sigv4_sign(&r, &creds, "us-east-1", "timestream", DATE,
				auth, sizeof(auth), &err),
		     BLT_OK);
	h[3].value = auth;
	r.nheaders = 4;
	cr_assert_eq(sigv4_verify(&r, AKID, SECRET, "timestream", &err),
		     BLT_EAUTH);
	cr_assert(strstr(err.msg, "X-Amz-Content-Sha256 is not the SHA-256"),
		  "%s", err.msg);
	h[2].value = EMPTY_SHA;
	r.nheaders = 3;
	cr_assert_eq(sigv4_sign(&r, &creds, "us-east-1", "timestream", DATE,
				auth, sizeof(auth), &err),
		     BLT_OK);
	r.nheaders = 4;
	cr_assert_eq(sigv4_verify(&r, AKID, SECRET, "timestream", &err), BLT_OK,
		     "%s", err.msg);
}

Test(sigv4, amz_date_now_uses_the_injectable_clock)
{
	char d[17];

	setenv("BLT_FAKE_TIME", "1440938160", 1);
	sigv4_amz_date_now(d);
	cr_assert_str_eq(d, DATE);
	unsetenv("BLT_FAKE_TIME");
}

Test(sigv4, parse_keypair_splits_at_the_first_colon)
{
	char *akid, *secret;
	struct blt_err err;

	cr_assert_eq(sigv4_parse_keypair(AKID ":" SECRET, &akid, &secret, &err),
		     BLT_OK);
	cr_assert_str_eq(akid, AKID);
	cr_assert_str_eq(secret, SECRET);
	free(akid);
	cr_assert_eq(sigv4_parse_keypair("A:b:c", &akid, &secret, &err),
		     BLT_OK);
	cr_assert_str_eq(akid, "A");
	cr_assert_str_eq(secret, "b:c");
	free(akid);
	cr_assert_eq(sigv4_parse_keypair(AKID, &akid, &secret, &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "no ':'"), "%s", err.msg);
	cr_assert_null(akid);
	cr_assert_eq(sigv4_parse_keypair(":x", &akid, &secret, &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "access key id"), "%s", err.msg);
	cr_assert_eq(sigv4_parse_keypair("x:", &akid, &secret, &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "secret"), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "x:"), "the message never echoes input");
}
