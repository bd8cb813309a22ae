/* Requests to the target: headers, optional SigV4 signing, reading the
 * answer by the rules of SPEC section 2, and curl commands that reproduce
 * them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "blt/httpc.h"
#include "blt/sigv4.h"
#include "conform.h"
#include "results.h"

#define LBT_TARGET AWSJSON_TARGET_PREFIX "ListBatchLoadTasks"
#define BODY_SHOWN 300

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Adds Host, X-Amz-Date, the session token and Authorization to hdr. */
static bool sign_request(const struct conform_config *cfg,
			 const struct creq *rq, const char *target,
			 const char *ctype, char hdr[][2048], size_t *n,
			 char *errmsg, size_t errsz)
{
	struct sigv4_header sh[5];
	size_t ns = 0;
	char amz_date[17];
	char auth[1024];
	struct blt_err err = {0};
	const char *token = getenv("AWS_SESSION_TOKEN");
	struct sigv4_creds creds = {
		.access_key_id = getenv("AWS_ACCESS_KEY_ID"),
		.secret_access_key = getenv("AWS_SECRET_ACCESS_KEY"),
		.session_token = token && *token ? token : NULL};

	sigv4_amz_date_now(amz_date);
	sh[ns++] = (struct sigv4_header){"host", cfg->host};
	sh[ns++] = (struct sigv4_header){"x-amz-date", amz_date};
	if (!rq->no_target)
		sh[ns++] = (struct sigv4_header){"x-amz-target", target};
	if (*ctype)
		sh[ns++] = (struct sigv4_header){"content-type", ctype};
	if (creds.session_token)
		sh[ns++] = (struct sigv4_header){"x-amz-security-token",
						 creds.session_token};
	struct sigv4_request r = {.method = rq->method ? rq->method : "POST",
				  .path = cfg->path,
				  .headers = sh,
				  .nheaders = ns,
				  .body = rq->body ? rq->body : "",
				  .body_len = rq->len};
	if (sigv4_sign(&r, &creds, cfg->region, AWSJSON_SIGV4_SERVICE,
		       amz_date, auth, sizeof(auth), &err)) {
		snprintf(errmsg, errsz, "signing failed: %.400s", err.msg);
		return false;
	}
	snprintf(hdr[(*n)++], 2048, "Host: %s", cfg->host);
	snprintf(hdr[(*n)++], 2048, "X-Amz-Date: %s", amz_date);
	if (creds.session_token)
		snprintf(hdr[(*n)++], 2048, "X-Amz-Security-Token: %s",
			 creds.session_token);
	snprintf(hdr[(*n)++], 2048, "Authorization: %s", auth);
	return true;
}

/* Reads status, headers, JSON and error type into rs. */
static void read_answer(struct httpc_response *hr, struct cresp *rs)
{
	rs->answered = true;
	rs->status = hr->status;
	rs->ms = hr->elapsed_ms;
	rs->len = hr->body.len;
	rs->body = malloc(rs->len + 1);
	if (rs->body) {
		if (rs->len)
			memcpy(rs->body, hr->body.data, rs->len);
		rs->body[rs->len] = '\0';
	}
	rs->ctype = dup_or_null(httpc_response_header(hr, "content-type"));
	rs->reqid = dup_or_null(httpc_response_header(hr, "x-amzn-requestid"));
	rs->errtype_header =
		dup_or_null(httpc_response_header(hr, "x-amzn-errortype"));
	if (rs->body && rs->len)
		rs->json = canon_parse(rs->body, rs->len, rs->len + 1, 64,
				       NULL);
	if (rs->status != 200) {
		rs->has_type = awsjson_error_read_type(
			rs->errtype_header, rs->json, rs->type,
			sizeof(rs->type));
		if (rs->json)
			rs->message = awsjson_error_read_message(rs->json);
	}
}

bool conform_send(struct httpc *h, const struct conform_config *cfg,
		  const struct creq *rq, struct cresp *rs)
{
	char hdr[8][2048];
	const char *ptrs[8];
	size_t n = 0;
	const char *target = rq->target ? rq->target : LBT_TARGET;
	const char *ctype = rq->ctype ? rq->ctype : AWSJSON_CONTENT_TYPE;
	struct httpc_response hr;
	struct blt_err err = {0};

	memset(rs, 0, sizeof(*rs));
	memset(&hr, 0, sizeof(hr));
	snprintf(hdr[n++], sizeof(hdr[0]), "Content-Type:%s%s",
		 *ctype ? " " : "", ctype);
	/* libcurl sends a header with no value when it ends in ';' */
	if (!rq->no_target && *target)
		snprintf(hdr[n++], sizeof(hdr[0]), "X-Amz-Target: %s", target);
	else if (!rq->no_target)
		snprintf(hdr[n++], sizeof(hdr[0]), "X-Amz-Target;");
	snprintf(hdr[n++], sizeof(hdr[0]), "Expect:");
	if (cfg->sign && !sign_request(cfg, rq, target, ctype, hdr, &n,
				       rs->neterr, sizeof(rs->neterr))) {
		rs->net = BLT_EAUTH;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		ptrs[i] = hdr[i];
	if (httpc_send(h, rq->method ? rq->method : "POST", cfg->target, ptrs,
		       n, rq->body ? rq->body : "", rq->len, &hr, &err)) {
		rs->net = err.code ? err.code : BLT_ENET;
		snprintf(rs->neterr, sizeof(rs->neterr), "%s",
			 err.msg[0] ? err.msg : blt_status_name(rs->net));
		return false;
	}
	read_answer(&hr, rs);
	httpc_response_free(&hr);
	return true;
}

bool conform_throttled(const struct cresp *rs)
{
	return rs->answered &&
	       (rs->status == 429 ||
		(rs->has_type && strcmp(rs->type, "ThrottlingException") == 0));
}

void cresp_free(struct cresp *rs)
{
	free(rs->body);
	free(rs->ctype);
	free(rs->reqid);
	free(rs->errtype_header);
	json_decref(rs->json);
	memset(rs, 0, sizeof(*rs));
}

/* Appends s in single quotes, each ' written as '\''. */
static void shell_quote(struct blt_buf *out, const char *s, size_t len)
{
	buf_puts(out, "'", NULL);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_puts(out, "'\\''", NULL);
		else
			buf_append(out, &s[i], 1, NULL);
	}
	buf_puts(out, "'", NULL);
}

static void quoted_opt(struct blt_buf *out, const char *opt, const char *v)
{
	buf_printf(out, NULL, " %s ", opt);
	shell_quote(out, v, strlen(v));
}

void conform_curl(const struct conform_config *cfg, const struct creq *rq,
		  struct blt_buf *out)
{
	char h[2048];
	const char *ctype = rq->ctype ? rq->ctype : AWSJSON_CONTENT_TYPE;

	buf_puts(out, "curl -sS -i", NULL);
	if (rq->method && strcmp(rq->method, "POST") != 0)
		buf_printf(out, NULL, " -X %s", rq->method);
	buf_puts(out, " ", NULL);
	shell_quote(out, cfg->target, strlen(cfg->target));
	snprintf(h, sizeof(h), "Content-Type:%s%s", *ctype ? " " : "", ctype);
	quoted_opt(out, "-H", h);
	if (!rq->no_target) {
		if (rq->target && !*rq->target)
			snprintf(h, sizeof(h), "X-Amz-Target;");
		else
			snprintf(h, sizeof(h), "X-Amz-Target: %s",
				 rq->target ? rq->target : LBT_TARGET);
		quoted_opt(out, "-H", h);
	}
	if (cfg->sign) {
		snprintf(h, sizeof(h), "aws:amz:%s:%s", cfg->region,
			 AWSJSON_SIGV4_SERVICE);
		quoted_opt(out, "--aws-sigv4", h);
		buf_puts(
		    out,
		    " --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"",
		    NULL);
		if (getenv("AWS_SESSION_TOKEN") && *getenv("AWS_SESSION_TOKEN"))
			buf_puts(out,
				 " -H \"X-Amz-Security-Token: "
				 "$AWS_SESSION_TOKEN\"",
				 NULL);
	}
	buf_puts(out, " --data-raw ", NULL);
	shell_quote(out, rq->body ? rq->body : "", rq->len);
}

void conform_describe(const struct cresp *rs, struct blt_buf *out)
{
	if (!rs->answered) {
		buf_puts(out, "no HTTP answer: ", NULL);
		results_put_text(out, rs->neterr, strlen(rs->neterr), false);
		return;
	}
	buf_printf(out, NULL, "HTTP %ld", rs->status);
	if (rs->status != 200) {
		buf_puts(out, ", error type ", NULL);
		if (rs->has_type)
			results_put_text(out, rs->type, strlen(rs->type),
					 false);
		else
			buf_puts(out, "(none readable)", NULL);
	}
	buf_puts(out, ", Content-Type ", NULL);
	if (rs->ctype)
		results_put_text(out, rs->ctype, strlen(rs->ctype), false);
	else
		buf_puts(out, "(none)", NULL);
	if (!rs->len) {
		buf_puts(out, ", empty body", NULL);
		return;
	}
	buf_puts(out, rs->json ? ", body: " : ", body (not JSON): ", NULL);
	results_put_text(out, rs->body,
			 rs->len < BODY_SHOWN ? rs->len : BODY_SHOWN, false);
	if (rs->len > BODY_SHOWN)
		buf_printf(out, NULL, "... (%zu bytes)", rs->len);
}

void conform_vtext(char *dst, size_t n, const char *fmt, va_list ap)
{
	struct blt_buf b;
	char raw[2048];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	buf_init(&b, 4 * sizeof(raw));
	results_put_text(&b, raw, strlen(raw), false);
	snprintf(dst, n, "%s", b.data ? b.data : "");
	buf_free(&b);
}

void conform_deviation(struct blt_buf *out, const struct conform_config *cfg,
		       const char *lead, const struct creq *rq,
		       const struct cresp *rs, const char *fmt, va_list ap)
{
	char msg[2048];

	conform_vtext(msg, sizeof(msg), fmt, ap);
	buf_puts(out, lead, NULL);
	buf_puts(out, msg, NULL);
	buf_puts(out, "\n", NULL);
	if (rq) {
		buf_puts(out, "    request:  ", NULL);
		conform_curl(cfg, rq, out);
		buf_puts(out, "\n", NULL);
	}
	if (rs) {
		buf_puts(out, "    response: ", NULL);
		conform_describe(rs, out);
		buf_puts(out, "\n", NULL);
	}
}

json_t *conform_json_text(const char *s)
{
	json_t *v = json_string(s ? s : "");
	struct blt_buf b;

	if (v)
		return v;
	/* not valid UTF-8: keep ASCII, escape every other byte */
	buf_init(&b, strlen(s) * 4 + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			buf_append(&b, p, 1, NULL);
		else
			buf_printf(&b, NULL, "\\x%02x", *p);
	}
	v = json_string(b.data ? b.data : "");
	buf_free(&b);
	return v;
}

char *conform_body(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The body with MaxResults max when has_max. */
static char *list_body(bool has_max, long long max, const char *status,
		       const char *token)
{
	json_t *o = json_object();
	char *s;

	if (has_max)
		json_object_set_new(o, "MaxResults", json_integer(max));
	if (status)
		json_object_set_new(o, "TaskStatus", json_string(status));
	if (token)
		json_object_set_new(o, "NextToken", json_string(token));
	s = conform_body(o);
	json_decref(o);
	return s;
}

char *conform_list_body_max(long long max, const char *status,
			    const char *token)
{
	return list_body(true, max, status, token);
}

char *conform_list_body(int max, const char *status, const char *token)
{
	return list_body(max != 0, max, status, token);
}
