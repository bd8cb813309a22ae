/* libFuzzer target: the SigV4 Authorization parser, and verification of a
 * fixed request whose Authorization header is the input. */
#include <stdbool.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/sigv4.h"

#include "fuzz.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define AMZ_DATE "20150830T123600Z"
#define ALL_SIGNED "content-type;host;x-amz-date;x-amz-target"
#define BODY "{\"MaxResults\":2}"

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

/* A successful parse fills every field by the struct's contract. */
static void check_auth(const struct sigv4_auth *a)
{
	FUZZ_CHECK(a->access_key_id[0], "empty access key id");
	FUZZ_CHECK(strlen(a->date) == 8 && all_of(a->date, "0123456789"),
		   "date '%s'", a->date);
	FUZZ_CHECK(a->region[0] && a->service[0], "empty scope part");
	FUZZ_CHECK(a->signed_headers[0], "empty SignedHeaders");
	FUZZ_CHECK(strlen(a->signature) == 64 &&
		       all_of(a->signature, "0123456789abcdef"),
		   "signature '%s'", a->signature);
}

/* The error body the servers build from the reason, as blt-fake does
 * ("Authorization: <reason>"). */
static void check_reason(enum awsjson_error e, const char *reason)
{
	char msg[BLT_ERR_MSG_MAX + 32];
	char *body;

	snprintf(msg, sizeof(msg), "Authorization: %s", reason);
	body = awsjson_error_body(e, msg);
	FUZZ_CHECK(body != NULL,
		   "awsjson_error_body(%s) returned NULL for the message "
		   "\"%s\" (the servers then answer 500 with no body)",
		   awsjson_error_name(e), msg);
	free(body);
}

/* Verifies the fixed request carrying authz. */
static void verify(const char *authz)
{
	struct sigv4_header hs[] = {
	    {"Host", "127.0.0.1:8080"},
	    {"Authorization", authz},
	    {"X-Amz-Date", AMZ_DATE},
	    {"Content-Type", AWSJSON_CONTENT_TYPE},
	    {"X-Amz-Target", AWSJSON_TARGET_PREFIX "ListBatchLoadTasks"},
	};
	struct sigv4_request r = {"POST", "/", NULL, hs, 5, BODY, strlen(BODY)};
	enum sigv4_verdict verdict;
	struct blt_err err = {0};
	struct sigv4_auth a;
	blt_status st;

	st = sigv4_verify_verdict(&r, AKID, SECRET, AWSJSON_SIGV4_SERVICE,
				  &verdict, &err);
	FUZZ_CHECK((st == BLT_OK) == (verdict == SIGV4_VALID),
		   "status %d with verdict %d", st, (int)verdict);
	if (st != BLT_OK) {
		FUZZ_CHECK(st == BLT_EAUTH && err.msg[0],
			   "failure %d without a reason", st);
		check_reason(verdict == SIGV4_MISMATCH
				 ? AWSJSON_ERR_INVALID_SIGNATURE
				 : AWSJSON_ERR_INCOMPLETE_SIGNATURE,
			     err.msg);
		return;
	}
	FUZZ_CHECK(sigv4_auth_parse(authz, &a, NULL) == BLT_OK,
		   "verified but does not parse");
	FUZZ_CHECK(!strcmp(a.access_key_id, AKID) &&
		       !strcmp(a.service, AWSJSON_SIGV4_SERVICE) &&
		       !strncmp(a.date, AMZ_DATE, 8),
		   "verified with another key, service or date");
	if (!strcmp(a.signed_headers, ALL_SIGNED)) {
		char want[512];
		struct sigv4_creds c = {AKID, SECRET, NULL};
		struct sigv4_header rest[] = {hs[0], hs[2], hs[3], hs[4]};
		struct sigv4_request u = r;

		u.headers = rest;
		u.nheaders = 4;
		FUZZ_CHECK(sigv4_sign(&u, &c, a.region, AWSJSON_SIGV4_SERVICE,
				      AMZ_DATE, want, sizeof(want),
				      NULL) == BLT_OK,
			   "sign");
		FUZZ_CHECK(strstr(want, a.signature) != NULL,
			   "verified signature %s differs from %s", a.signature,
			   want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_str(data, size);
	struct sigv4_auth a;
	struct blt_err err = {0};

	if (sigv4_auth_parse(value, &a, &err) == BLT_OK)
		check_auth(&a);
	else
		FUZZ_CHECK(err.msg[0], "parse failure without a reason");
	verify(value);
	free(value);
	return 0;
}
