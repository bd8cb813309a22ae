/* The echo server shared by the http layer's tests. */
#include "http_echo.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the description of req into the reply body. */
static void describe(const struct httpd_request *req, struct blt_buf *b)
{
	size_t i;

	buf_printf(b, NULL, "%s %s%s%s\n", req->method, req->path,
		   req->query ? "?" : "", req->query ? req->query : "");
	for (i = 0; i < req->nheaders; i++)
		buf_printf(b, NULL, "%s: %s\n", req->headers[i].name,
			   req->headers[i].value);
	buf_puts(b, "\n", NULL);
	buf_append(b, req->body, req->body_len, NULL);
}

/* Applies the x-test-* instructions that shape the reply. */
static void obey(struct http_echo *e, const struct httpd_request *req,
		 struct httpd_reply *reply)
{
	const char *v;

	if ((v = httpd_request_header(req, "x-test-delay"))) {
		reply->delay_ms = (unsigned)atoi(v);
		atomic_fetch_add(&e->seen_slow, 1);
	}
	if (httpd_request_header(req, "x-test-reset"))
		reply->reset = true;
	if ((v = httpd_request_header(req, "x-test-status")))
		reply->status = atoi(v);
	if ((v = httpd_request_header(req, "x-test-ctype")))
		httpd_reply_header(reply, "Content-Type", v, NULL);
	if ((v = httpd_request_header(req, "x-test-size"))) {
		size_t n = (size_t)atol(v);

		buf_reset(&reply->body);
		while (n--)
			buf_append(&reply->body, "x", 1, NULL);
	}
}

void http_echo_handler(void *ctx, const struct httpd_request *req,
		       struct httpd_reply *reply)
{
	struct http_echo *e = ctx;
	char num[32];

	describe(req, &reply->body);
	snprintf(num, sizeof(num), "%llu", req->seq);
	httpd_reply_header(reply, "x-seq", num, NULL);
	snprintf(num, sizeof(num), "%zu", req->body_len);
	httpd_reply_header(reply, "x-body-len", num, NULL);
	obey(e, req, reply);
	atomic_fetch_add(&e->seen, 1);
}

void http_echo_start(struct http_echo *e, size_t body_max)
{
	struct httpd_config cfg = {0};
	struct blt_err err = {0};

	memset(e, 0, sizeof(*e));
	cfg.listen = "127.0.0.1:0";
	cfg.body_max = body_max;
	cfg.handler = http_echo_handler;
	cfg.ctx = e;
	cr_assert_eq(httpd_start(&cfg, &e->server, &err), BLT_OK, "%s",
		     err.msg);
}

void http_echo_stop(struct http_echo *e)
{
	httpd_stop(e->server);
	e->server = NULL;
}
