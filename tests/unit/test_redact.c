/* Unit tests for the redaction rules (lib/redact.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "blt/redact.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SESSION "FQoGZXIvYXdzEXAMPLESESSIONTOKEN"

static struct redact_rules rules;

static void setup(void)
{
	struct blt_err err;

	redact_rules_init(&rules);
	cr_assert_eq(redact_secret_add(&rules, SECRET, &err), BLT_OK);
	cr_assert_eq(redact_secret_add(&rules, SESSION, &err), BLT_OK);
}

static void teardown(void)
{
	redact_rules_free(&rules);
}

TestSuite(redact, .init = setup, .fini = teardown);

Test(redact, default_header_names)
{
	const char *secret[] = {"Authorization",
				"x-amz-security-token",
				"Cookie",
				"set-cookie",
				"X-Session-Token",
				"x-client-secret",
				"X-Password",
				"x-api-key",
				"proxy-authorization",
				"X-Amz-Credential"};
	const char *plain[] = {"content-type",	      "x-amz-target",
			       "x-amz-date",	      "x-amzn-requestid",
			       "user-agent",	      "amz-sdk-invocation-id",
			       "x-amz-content-sha256"};

	for (size_t i = 0; i < sizeof(secret) / sizeof(*secret); i++)
		cr_assert(redact_header_needed(&rules, secret[i], "v", NULL, 0),
			  "%s", secret[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		cr_assert_not(redact_header_needed(&rules, plain[i],
						   "application/x-amz-json-1.0",
						   NULL, 0),
			      "%s", plain[i]);
}

Test(redact, header_values_carrying_credentials)
{
	const char *sig = "0123456789abcdef0123456789abcdef";
	const char *extra[] = {sig};

	cr_assert(
	    redact_header_needed(&rules, "x-debug", "key=" SECRET, NULL, 0));
	cr_assert(redact_header_needed(&rules, "x-echo", SESSION, NULL, 0));
	cr_assert(redact_header_needed(
	    &rules, "x-trace", "AWS4-HMAC-SHA256 Credential=a/b", NULL, 0));
	cr_assert(redact_header_needed(
	    &rules, "x-url", "https://h/?X-Amz-Signature=ab", NULL, 0));
	cr_assert(
	    redact_header_needed(&rules, "x-auth2", "Bearer abc", NULL, 0));
	cr_assert(redact_header_needed(&rules, "x-echo", sig, extra, 1));
	cr_assert_not(
	    redact_header_needed(&rules, "x-echo", "harmless", extra, 1));
}

Test(redact, user_header_rule)
{
	struct blt_err err;

	cr_assert_not(
	    redact_header_needed(&rules, "X-Tenant", "acme", NULL, 0));
	cr_assert_eq(redact_rule_add(&rules, "header:x-TENANT", &err), BLT_OK);
	cr_assert(redact_header_needed(&rules, "X-Tenant", "acme", NULL, 0));
}

Test(redact, bad_rules_are_usage_errors)
{
	struct blt_err err;

	cr_assert_eq(redact_rule_add(&rules, "cookie:x", &err), BLT_EUSAGE);
	cr_assert(strstr(err.msg, "header:NAME") != NULL, "%s", err.msg);
	cr_assert_eq(redact_rule_add(&rules, "header:", &err), BLT_EUSAGE);
	cr_assert_eq(redact_rule_add(&rules, "json:a/b", &err), BLT_EUSAGE);
	cr_assert_eq(redact_rule_add(&rules, "json:/a~2", &err), BLT_EUSAGE);
	cr_assert_eq(redact_secret_add(&rules, "abc", &err), BLT_EINVAL);
}

Test(redact, bytes_replaces_every_occurrence)
{
	const char *text = "a" SECRET "b" SESSION SECRET;
	char *out;
	size_t len;

	cr_assert_eq(
	    redact_bytes(&rules, text, strlen(text), NULL, 0, &out, &len), 3);
	cr_assert_str_eq(out, "aREDACTEDbREDACTEDREDACTED");
	cr_assert_eq(len, strlen(out));
	free(out);
	cr_assert_eq(redact_bytes(&rules, "plain", 5, NULL, 0, &out, &len), 0);
	cr_assert_null(out);
}

Test(redact, pointer_rules_and_wildcards)
{
	json_t *doc = json_pack(
	    "{s:[{s:s,s:s},{s:s,s:s}],s:s,s:{s:i}}", "BatchLoadTasks", "TaskId",
	    "A1", "DatabaseName", "db1", "TaskId", "A2", "DatabaseName", "db2",
	    "NextToken", "tok", "a/b", "~c", 1);

	cr_assert_eq(redact_pointer(doc, "/BatchLoadTasks/*/DatabaseName"), 2);
	cr_assert_eq(redact_pointer(doc, "/BatchLoadTasks/1/TaskId"), 1);
	cr_assert_eq(redact_pointer(doc, "/a~1b/~0c"), 1);
	cr_assert_eq(redact_pointer(doc, "/missing/x"), 0);
	cr_assert_eq(redact_pointer(doc, "/BatchLoadTasks/7"), 0);
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(s,
			 "{\"BatchLoadTasks\":[{\"DatabaseName\":\"REDACTED\","
			 "\"TaskId\":\"A1\"},{\"DatabaseName\":\"REDACTED\","
			 "\"TaskId\":\"REDACTED\"}],\"NextToken\":\"tok\","
			 "\"a/b\":{\"~c\":\"REDACTED\"}}");
	free(s);
	json_decref(doc);
}

Test(redact, message_headers_body_and_text)
{
	struct blt_err err;
	json_t *msg =
	    json_pack("{s:s,s:{s:s,s:s,s:s},s:{s:s,s:s}}", "method", "POST",
		      "headers", "authorization", "AWS4-HMAC-SHA256 x",
		      "x-amz-target", "Timestream_20181101.ListBatchLoadTasks",
		      "x-amz-security-token", SESSION, "body", "NextToken",
		      "secret-token", "Note", "key is " SECRET);

	cr_assert_eq(redact_rule_add(&rules, "json:/NextToken", &err), BLT_OK);
	cr_assert_eq(redact_message(&rules, msg, NULL, 0), 4);
	char *s = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert(strstr(s, SECRET) == NULL && strstr(s, SESSION) == NULL, "%s",
		  s);
	cr_assert(strstr(s, "\"authorization\":\"REDACTED\"") != NULL, "%s", s);
	cr_assert(strstr(s, "\"NextToken\":\"REDACTED\"") != NULL, "%s", s);
	cr_assert(strstr(s, "\"Note\":\"key is REDACTED\"") != NULL, "%s", s);
	cr_assert(strstr(s, "ListBatchLoadTasks") != NULL, "%s", s);
	free(s);
	cr_assert_eq(redact_message(&rules, msg, NULL, 0), 0,
		     "redacting twice changes nothing");
	json_decref(msg);

	msg = json_pack("{s:s}", "body_text", "x=" SESSION);
	cr_assert_eq(redact_message(&rules, msg, NULL, 0), 1);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "body_text")),
			 "x=REDACTED");
	json_decref(msg);
}

Test(redact, base64_bodies_are_scrubbed)
{
	/* "\xff" SECRET "\xfe" in base64. */
	unsigned char raw[64];
	char b64[128];
	size_t n = 0;

	raw[n++] = 0xff;
	memcpy(raw + n, SECRET, strlen(SECRET));
	n += strlen(SECRET);
	raw[n++] = 0xfe;
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = raw[i] << 16;
		v |= (i + 1 < n ? raw[i + 1] : 0) << 8;
		v |= i + 2 < n ? raw[i + 2] : 0;
		b64[o++] = tbl[(v >> 18) & 63];
		b64[o++] = tbl[(v >> 12) & 63];
		b64[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		b64[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	b64[o] = '\0';
	json_t *msg = json_pack("{s:s}", "body_base64", b64);

	cr_assert_eq(redact_message(&rules, msg, NULL, 0), 1);
	/* 0xff "REDACTED" 0xfe */
	cr_assert_str_eq(json_string_value(json_object_get(msg, "body_base64")),
			 "/1JFREFDVEVE/g==");
	json_decref(msg);
}

/* redact_path on target; want is the expected result, NULL for "nothing
 * to redact". */
static void path_is(const char *target, const char *want)
{
	char *out = NULL;
	long n = redact_path(&rules, target, NULL, 0, &out, NULL);

	if (!want) {
		cr_assert_eq(n, 0, "%s: redacted into %s", target,
			     out ? out : "?");
		cr_assert_null(out);
		return;
	}
	cr_assert_gt(n, 0, "%s: nothing redacted", target);
	cr_assert_str_eq(out, want, "%s", target);
	free(out);
}

Test(redact, path_presigned_and_secret_named_parameters)
{
	path_is("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F"
		"20260101&X-Amz-Signature=5e5e&X-Amz-Security-Token=t0k&a=1",
		"/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&"
		"X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&a=1");
	path_is("/?Signature=abc&AWSAccessKeyId=AKID&Expires=1",
		"/?Signature=REDACTED&AWSAccessKeyId=REDACTED&Expires=1");
	path_is("/x?db_password=p&api_key=k&client-secret=s&plain=v",
		"/x?db_password=REDACTED&api_key=REDACTED&"
		"client-secret=REDACTED&plain=v");
	/* Names are compared %-decoded, in any letter case. */
	path_is("/?X%2DAmz%2DSignature=5e&x-amz-signature=5e",
		"/?X%2DAmz%2DSignature=REDACTED&x-amz-signature=REDACTED");
	/* A value that looks like an Authorization header. */
	path_is("/?auth_header=Bearer%20abc", "/?auth_header=REDACTED");
	path_is("/?a=1&b&c=", NULL);
	path_is("/", NULL);
	/* Redacting twice changes nothing more. */
	path_is("/?X-Amz-Signature=REDACTED", NULL);
}

Test(redact, path_secret_values_anywhere)
{
	path_is("/?note=pre" SESSION "post", "/?note=REDACTED");
	path_is("/?k=wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY",
		"/?k=REDACTED");
	path_is("/?k=wJalrXUtnFEMI%2fK7MDENG%2bbPxRfiCYEXAMPLEKEY",
		"/?k=REDACTED");
	path_is("/a/" SESSION "/b", "/a/REDACTED/b");
	/* The secret key holds a '/': it spans segments. */
	path_is("/x/" SECRET, "/REDACTED");
	/* The name holds the token (whose name says TOKEN, too). */
	path_is("/?" SESSION "=1", "/?REDACTED=REDACTED");
}

Test(redact, path_names_what_it_redacted)
{
	struct blt_buf names;
	char *out = NULL;

	buf_init(&names, 1024);
	cr_assert_eq(redact_path(&rules, "/?Api-Key=k&a=b&Token=t", NULL, 0,
				 &out, &names),
		     2);
	cr_assert_str_eq(names.data, "Api-Key, Token");
	free(out);
	buf_free(&names);
}

Test(redact, bytes_find_escaped_secrets)
{
	char *out = NULL;
	size_t len;

	cr_assert_eq(redact_bytes(&rules,
				  "x=wJalrXUtnFEMI%2fK7MDENG%2BbPxRfiCYEXAMPLEKEY;",
				  47, NULL, 0, &out, &len),
		     1);
	cr_assert_str_eq(out, "x=REDACTED;");
	free(out);
}

Test(redact, header_names_that_are_not_tokens)
{
	cr_assert(redact_header_needed(&rules, "cookie ", "x", NULL, 0));
	cr_assert(redact_header_needed(&rules, "x note", "x", NULL, 0));
	cr_assert_not(redact_header_needed(&rules, "x-note", "x", NULL, 0));
}

Test(redact, message_path_method_and_operation)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:{}}", "method", "POST",
			      "path", "/?X-Amz-Signature=5e&q=" SESSION,
			      "operation", "Op" SESSION, "headers");

	cr_assert_eq(redact_message(&rules, m, NULL, 0), 3);
	cr_assert_str_eq(json_string_value(json_object_get(m, "path")),
			 "/?X-Amz-Signature=REDACTED&q=REDACTED");
	cr_assert_str_eq(json_string_value(json_object_get(m, "operation")),
			 "OpREDACTED");
	json_decref(m);
}

Test(redact, secrets_from_the_environment)
{
	struct redact_rules r;
	struct blt_err err;

	redact_rules_init(&r);
	setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "abc", 1);
	setenv("AWS_SESSION_TOKEN", SESSION, 1);
	cr_assert_eq(redact_secrets_from_env(&r, &err), BLT_EINVAL);
	cr_assert(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"), "%s", err.msg);
	cr_assert_eq(r.nsecrets, 2, "the two usable ones are added");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	redact_rules_free(&r);
}
