/* Unit tests for the libmicrohttpd layer, driven over loopback by httpc. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/httpc.h"
#include "blt/httpd.h"
#include "http_echo.h"

static struct http_echo echo;

static void echo_up(void)
{
	http_echo_start(&echo, 1000);
}

static void echo_down(void)
{
	http_echo_stop(&echo);
}

/* POSTs body to the echo server with extra headers; the test fails unless
 * the transfer succeeds. */
static void post(struct httpc *c, const char *const *hdrs, size_t n,
		 const char *body, size_t len, struct httpc_response *resp)
{
	struct blt_err err = {0};

	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), hdrs, n,
				body, len, resp, &err),
		     BLT_OK, "%s", err.msg);
}

static struct httpc *client(void)
{
	struct httpc *c = NULL;
	struct blt_err err = {0};

	cr_assert_eq(httpc_new(NULL, &c, &err), BLT_OK, "%s", err.msg);
	return c;
}

/* ---- Listen address parsing ---- */

struct listen_case {
	const char *text;
	const char *host; /* expected host, or NULL when rejected */
	unsigned short port;
	const char *why; /* a phrase the error must contain */
};

static const struct listen_case listen_cases[] = {
    {"127.0.0.1:0", "127.0.0.1", 0, NULL},
    {"[::1]:8080", "::1", 8080, NULL},
    {"localhost:80", "localhost", 80, NULL},
    {"0.0.0.0:65535", "0.0.0.0", 65535, NULL},
    {"", NULL, 0, "empty"},
    {"127.0.0.1", NULL, 0, "missing ':PORT'"},
    {"127.0.0.1:", NULL, 0, "missing port"},
    {"127.0.0.1:abc", NULL, 0, "'abc' is not a number"},
    {"127.0.0.1:-1", NULL, 0, "'-1' is not a number"},
    {"127.0.0.1:70000", NULL, 0, "70000 is out of range"},
    {"127.0.0.1:1234567", NULL, 0, "not a number"},
    {":8080", NULL, 0, "missing host"},
    {"::1:80", NULL, 0, "needs brackets"},
    {"[::1:80", NULL, 0, "missing ']'"},
    {"[::1]80", NULL, 0, "expected ':PORT'"},
    {"[nothex]:80", NULL, 0, "'nothex' is not an IPv6 address"},
    {"bad host:80", NULL, 0, "invalid character ' '"},
    {"host/x:80", NULL, 0, "invalid character '/'"},
};

Test(httpd, parse_listen_table)
{
	size_t i;

	for (i = 0; i < sizeof(listen_cases) / sizeof(listen_cases[0]); i++) {
		const struct listen_case *lc = &listen_cases[i];
		char host[64] = "";
		unsigned short port = 1;
		struct blt_err err = {0};
		blt_status st = httpd_parse_listen(lc->text, host, sizeof(host),
						   &port, &err);

		if (lc->host) {
			cr_assert_eq(st, BLT_OK, "%s: %s", lc->text, err.msg);
			cr_assert_str_eq(host, lc->host, "%s", lc->text);
			cr_assert_eq(port, lc->port, "%s", lc->text);
			continue;
		}
		cr_assert_eq(st, BLT_EUSAGE, "'%s' accepted", lc->text);
		cr_assert(strstr(err.msg, lc->why),
			  "'%s': message '%s' lacks "
			  "'%s'",
			  lc->text, err.msg, lc->why);
	}
}

Test(httpd, parse_listen_host_too_long)
{
	char host[8];
	unsigned short port;
	struct blt_err err = {0};

	cr_assert_eq(httpd_parse_listen("abcdefghij:80", host, sizeof(host),
					&port, &err),
		     BLT_EUSAGE);
	cr_assert(strstr(err.msg, "longer than 7"), "%s", err.msg);
	cr_assert_eq(httpd_parse_listen(NULL, host, sizeof(host), &port, &err),
		     BLT_EUSAGE);
}

/* ---- Start, port, URL, announce ---- */

Test(httpd, port_zero_gets_a_real_port_and_url, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	char want[64];

	cr_assert_neq(httpd_port(echo.server), 0);
	snprintf(want, sizeof(want), "http://127.0.0.1:%u",
		 (unsigned)httpd_port(echo.server));
	cr_assert_str_eq(httpd_url(echo.server), want);
}

static void redirect_out(void)
{
	cr_redirect_stdout();
	echo_up();
}

Test(httpd, announce_prints_the_line, .init = redirect_out, .fini = echo_down,
     .timeout = 10)
{
	char want[96];

	snprintf(want, sizeof(want), "listening on http://127.0.0.1:%u\n",
		 (unsigned)httpd_port(echo.server));
	httpd_announce(echo.server);
	cr_assert_stdout_eq_str(want);
}

Test(httpd, start_rejects_bad_address_and_busy_port, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	struct httpd_config cfg = {0};
	struct httpd *h = (struct httpd *)1;
	struct blt_err err = {0};
	char busy[64];

	cfg.handler = http_echo_handler;
	cfg.listen = "127.0.0.1:http";
	cr_assert_eq(httpd_start(&cfg, &h, &err), BLT_EUSAGE);
	cr_assert_null(h);
	cr_assert(strstr(err.msg, "'http' is not a number"), "%s", err.msg);
	snprintf(busy, sizeof(busy), "127.0.0.1:%u",
		 (unsigned)httpd_port(echo.server));
	cfg.listen = busy;
	cr_assert_eq(httpd_start(&cfg, &h, &err), BLT_EIO);
	cr_assert(strstr(err.msg, "cannot listen on 127.0.0.1:") &&
		      strstr(err.msg, "in use"),
		  "%s", err.msg);
}

Test(httpd, localhost_binds_loopback_v4, .timeout = 10)
{
	struct httpd_config cfg = {0};
	struct httpd *h = NULL;
	struct blt_err err = {0};

	cfg.handler = http_echo_handler;
	cfg.ctx = &echo;
	cfg.listen = "localhost:0";
	cr_assert_eq(httpd_start(&cfg, &h, &err), BLT_OK, "%s", err.msg);
	cr_assert(!strncmp(httpd_url(h), "http://127.0.0.1:", 17), "%s",
		  httpd_url(h));
	httpd_stop(h);
}

/* ---- Requests ---- */

Test(httpd, echo_round_trip, .init = echo_up, .fini = echo_down, .timeout = 10)
{
	static const char *const hdrs[] = {"X-Amz-Target: Svc.Op",
					   "Content-Type: application/json"};
	struct httpc *c = client();
	struct httpc_response r;
	struct blt_err err = {0};
	char url[128];

	post(c, hdrs, 2, "{\"a\":1}", 7, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(!strncmp(r.body.data, "POST /\n", 7), "%s", r.body.data);
	cr_assert(strstr(r.body.data, "\nX-Amz-Target: Svc.Op\n"), "%s",
		  r.body.data);
	cr_assert(strstr(r.body.data, "\n\n{\"a\":1}"), "%s", r.body.data);
	cr_assert_str_eq(httpc_response_header(&r, "content-type"),
			 "application/x-amz-json-1.0");
	cr_assert_str_eq(httpc_response_header(&r, "x-body-len"), "7");
	httpc_response_free(&r);
	snprintf(url, sizeof(url), "%s/a%%20b/c?x=1&y=%%2F",
		 httpd_url(echo.server));
	cr_assert_eq(httpc_send(c, "PUT", url, NULL, 0, "", 0, &r, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert(!strncmp(r.body.data, "PUT /a%20b/c?x=1&y=%2F\n", 23), "%s",
		  r.body.data);
	httpc_response_free(&r);
	httpc_free(c);
}

Test(httpd, handler_content_type_and_status_kept, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char *const hdrs[] = {"x-test-ctype: text/plain",
					   "x-test-status: 418"};
	struct httpc *c = client();
	struct httpc_response r;

	post(c, hdrs, 2, "", 0, &r);
	cr_assert_eq(r.status, 418);
	cr_assert_str_eq(httpc_response_header(&r, "content-type"),
			 "text/plain");
	httpc_response_free(&r);
	httpc_free(c);
}

Test(httpd, invalid_status_is_a_500, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	static const char *const hdrs[] = {"x-test-status: 42"};
	struct httpc *c = client();
	struct httpc_response r;

	post(c, hdrs, 1, "", 0, &r);
	cr_assert_eq(r.status, 500);
	cr_assert(strstr(r.body.data, "InternalServerException"), "%s", r.body.data);
	httpc_response_free(&r);
	httpc_free(c);
}

Test(httpd, duplicate_headers_kept_in_order, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	static const char *const hdrs[] = {"X-Dup: one", "X-Other: mid",
					   "X-Dup: two"};
	struct httpc *c = client();
	struct httpc_response r;

	post(c, hdrs, 3, "", 0, &r);
	cr_assert(strstr(r.body.data, "X-Dup: one\nX-Other: mid\nX-Dup: two\n"),
		  "%s", r.body.data);
	httpc_response_free(&r);
	httpc_free(c);
}

/* ---- The body cap ---- */

static const char *too_large_body =
    "{\"__type\":\"blt#RequestTooLarge\","
    "\"message\":\"request body exceeds 1000 bytes\"}";

Test(httpd, body_at_cap_accepted_one_over_is_413, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	char body[1001];
	struct httpc *c = client();
	struct httpc_response r;

	memset(body, 'b', sizeof(body));
	post(c, NULL, 0, body, 1000, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(httpc_response_header(&r, "x-body-len"), "1000");
	httpc_response_free(&r);
	post(c, NULL, 0, body, 1001, &r);
	cr_assert_eq(r.status, 413);
	cr_assert_str_eq(r.body.data, too_large_body);
	cr_assert_str_eq(httpc_response_header(&r, "x-amzn-errortype"),
			 "RequestTooLarge");
	cr_assert_str_eq(httpc_response_header(&r, "content-type"),
			 "application/x-amz-json-1.0");
	httpc_response_free(&r);
	post(c, NULL, 0, "{}", 2, &r);
	cr_assert_eq(r.status, 200, "the connection still serves after 413");
	httpc_response_free(&r);
	httpc_free(c);
}

Test(httpd, chunked_upload_within_and_over_cap, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char *const hdrs[] = {"Transfer-Encoding: chunked"};
	char body[1500];
	struct httpc *c = client();
	struct httpc_response r;

	memset(body, 'c', sizeof(body));
	post(c, hdrs, 1, body, 999, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body.data, "Transfer-Encoding: chunked\n"), "%s",
		  r.body.data);
	cr_assert_str_eq(httpc_response_header(&r, "x-body-len"), "999");
	httpc_response_free(&r);
	post(c, hdrs, 1, body, sizeof(body), &r);
	cr_assert_eq(r.status, 413);
	cr_assert_str_eq(r.body.data, too_large_body);
	httpc_response_free(&r);
	httpc_free(c);
}

/* Connects a raw TCP socket to the echo server. */
static int raw_connect(void)
{
	struct sockaddr_in sa = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons(httpd_port(echo.server));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads until the peer closes or until want appears; returns the text. */
static char *raw_read_until(int fd, const char *want)
{
	static char got[8192];
	size_t n = 0;
	ssize_t k;

	got[0] = '\0';
	while (n < sizeof(got) - 1 && !strstr(got, want) &&
	       (k = read(fd, got + n, sizeof(got) - 1 - n)) > 0) {
		n += (size_t)k;
		got[n] = '\0';
	}
	return got;
}

Test(httpd, expect_continue_over_cap_answered_before_body, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: x\r\n"
				  "Content-Length: 5000\r\n"
				  "Expect: 100-continue\r\n\r\n";
	int fd = raw_connect();
	char *got;

	cr_assert_eq(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	got = raw_read_until(fd, "bytes\"}");
	cr_assert(!strncmp(got, "HTTP/1.1 413", 12), "%s", got);
	cr_assert(strstr(got, too_large_body), "%s", got);
	cr_assert_eq(atomic_load(&echo.seen), 0);
	close(fd);
}

/* A header that must come once, given twice, is refused with a 400 and the
 * connection closed: two Content-Lengths make the framing ambiguous. */
Test(httpd, repeated_singleton_headers_are_refused, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char *const reqs[] = {
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
		"Content-Length: 5\r\n\r\n{}abc",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
		"X-Amz-Target: A.B\r\nx-amz-target: A.B\r\n\r\n{}"};
	static const char *const names[] = {"2 Content-Length",
					    "2 X-Amz-Target"};

	for (size_t i = 0; i < 2; i++) {
		int fd = raw_connect();
		char *got;
		char more;

		cr_assert_eq(write(fd, reqs[i], strlen(reqs[i])),
			     (ssize_t)strlen(reqs[i]));
		got = raw_read_until(fd, "one\"}");
		cr_assert(!strncmp(got, "HTTP/1.1 400", 12), "%s", got);
		cr_assert(strstr(got, "SerializationException"), "%s", got);
		cr_assert(strstr(got, names[i]), "%s", got);
		cr_assert_eq(read(fd, &more, 1), 0, "the connection stays open");
		close(fd);
	}
	cr_assert_eq(atomic_load(&echo.seen), 0, "the handler saw a request");
}

Test(httpd, expect_continue_within_cap_gets_100_then_200, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: x\r\n"
				  "Content-Length: 4\r\n"
				  "Expect: 100-continue\r\n\r\n";
	int fd = raw_connect();
	char *got;

	cr_assert_eq(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	got = raw_read_until(fd, "\r\n\r\n");
	cr_assert(!strncmp(got, "HTTP/1.1 100", 12), "%s", got);
	cr_assert_eq(write(fd, "ping", 4), 4);
	got = raw_read_until(fd, "\n\nping");
	cr_assert(!strncmp(got, "HTTP/1.1 200", 12), "%s", got);
	close(fd);
}

/* ---- Reset, delay, seq, keep-alive ---- */

Test(httpd, reset_closes_without_answer, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	static const char *const hdrs[] = {"x-test-reset: 1"};
	struct httpc *c = client();
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), hdrs, 1, "",
				0, &r, &err),
		     BLT_ENET);
	cr_assert(strstr(err.msg, "empty reply"), "%s", err.msg);
	httpc_free(c);
}

struct slow_call {
	atomic_int done;
	long status;
};

static void *slow_thread(void *arg)
{
	static const char *const hdrs[] = {"x-test-delay: 1500"};
	struct slow_call *s = arg;
	struct httpc *c = client();
	struct httpc_response r;

	post(c, hdrs, 1, "", 0, &r);
	s->status = r.status;
	atomic_store(&s->done, 1);
	httpc_response_free(&r);
	httpc_free(c);
	return NULL;
}

Test(httpd, delay_does_not_hold_other_connections, .init = echo_up,
     .fini = echo_down, .timeout = 15)
{
	struct slow_call slow = {0};
	pthread_t t;
	struct httpc *c = client();
	struct httpc_response r;

	pthread_create(&t, NULL, slow_thread, &slow);
	while (atomic_load(&echo.seen_slow) == 0)
		usleep(1000);
	post(c, NULL, 0, "fast", 4, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(atomic_load(&slow.done), 0,
		     "the fast request finished after the delayed one");
	httpc_response_free(&r);
	pthread_join(t, NULL);
	cr_assert_eq(slow.status, 200);
	httpc_free(c);
}

Test(httpd, seq_counts_requests_and_keep_alive_reuses_one_connection,
     .init = echo_up, .fini = echo_down, .timeout = 20)
{
	struct httpc *c = client();
	struct httpc_response r;
	char want[32];
	int i;

	for (i = 0; i < 100; i++) {
		post(c, NULL, 0, "{}", 2, &r);
		snprintf(want, sizeof(want), "%d", i);
		cr_assert_str_eq(httpc_response_header(&r, "x-seq"), want);
		httpc_response_free(&r);
	}
	cr_assert_eq(httpd_connections(echo.server), 1);
	httpc_free(c);
}

Test(httpd, stop_lets_a_request_in_flight_finish, .init = echo_up,
     .timeout = 15)
{
	struct slow_call slow = {0};
	pthread_t t;

	pthread_create(&t, NULL, slow_thread, &slow);
	while (atomic_load(&echo.seen_slow) == 0)
		usleep(1000);
	httpd_stop(echo.server);
	pthread_join(t, NULL);
	cr_assert_eq(slow.status, 200);
}

/* ---- Signals ---- */

/* The child: serves until SIGTERM, reporting its port on fd. */
static void serve_until_signal(int fd)
{
	struct httpd_config cfg = {0};
	struct httpd *h;
	unsigned short port;
	int sig;

	httpd_block_signals();
	cfg.handler = http_echo_handler;
	cfg.ctx = &echo;
	if (httpd_start(&cfg, &h, NULL) != BLT_OK)
		_exit(3);
	port = httpd_port(h);
	if (write(fd, &port, sizeof(port)) != sizeof(port))
		_exit(4);
	sig = httpd_wait_signal();
	httpd_stop(h);
	_exit(sig == SIGTERM ? 0 : 5);
}

Test(httpd, sigterm_stops_cleanly, .timeout = 15)
{
	int fds[2];
	unsigned short port = 0;
	char url[64];
	pid_t pid;
	int status = -1;
	struct httpc *c = client();
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0)
		serve_until_signal(fds[1]);
	cr_assert_eq(read(fds[0], &port, sizeof(port)), sizeof(port));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)port);
	cr_assert_eq(httpc_send(c, "GET", url, NULL, 0, NULL, 0, &r, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(r.status, 200);
	httpc_response_free(&r);
	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "child status %d", status);
	httpc_free(c);
}

/* ---- Idle timeout and thread pool ---- */

Test(httpd, idle_connection_is_closed_after_timeout, .timeout = 15)
{
	struct httpd_config cfg = {0};
	struct blt_err err = {0};
	char buf[16];
	int fd;

	memset(&echo, 0, sizeof(echo));
	cfg.handler = http_echo_handler;
	cfg.ctx = &echo;
	cfg.timeout_s = 1;
	cr_assert_eq(httpd_start(&cfg, &echo.server, &err), BLT_OK, "%s",
		     err.msg);
	fd = raw_connect();
	cr_assert_eq(read(fd, buf, sizeof(buf)), 0,
		     "the server closes an idle connection");
	close(fd);
	httpd_stop(echo.server);
}

static void *pool_client(void *arg)
{
	struct httpc *c = client();
	struct httpc_response r;
	int i, *ok = arg;

	for (i = 0; i < 50; i++) {
		if (httpc_send(c, "POST", httpd_url(echo.server), NULL, 0, "{}",
			       2, &r, NULL) == BLT_OK &&
		    r.status == 200)
			(*ok)++;
		httpc_response_free(&r);
	}
	httpc_free(c);
	return NULL;
}

Test(httpd, thread_pool_serves_concurrent_clients, .timeout = 30)
{
	struct httpd_config cfg = {0};
	struct blt_err err = {0};
	pthread_t t[4];
	int ok[4] = {0}, i;

	memset(&echo, 0, sizeof(echo));
	cfg.handler = http_echo_handler;
	cfg.ctx = &echo;
	cfg.threads = 3;
	cr_assert_eq(httpd_start(&cfg, &echo.server, &err), BLT_OK, "%s",
		     err.msg);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, pool_client, &ok[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(ok[i], 50, "client %d: %d of 50", i, ok[i]);
	}
	cr_assert_eq(atomic_load(&echo.seen), 200);
	cr_assert_eq(httpd_connections(echo.server), 4);
	httpd_stop(echo.server);
}

Test(httpd, reset_on_a_reused_connection_fails_the_client, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	static const char *const hdrs[] = {"x-test-reset: 1"};
	struct httpc *c = client();
	struct httpc_response r;
	struct blt_err err = {0};

	post(c, NULL, 0, "", 0, &r);
	httpc_response_free(&r);
	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), hdrs, 1, "",
				0, &r, &err),
		     BLT_ENET);
	cr_assert(strstr(err.msg, "empty reply"), "%s", err.msg);
	/* libcurl retries once on a reused connection that died silently. */
	cr_assert(atomic_load(&echo.seen) == 2 || atomic_load(&echo.seen) == 3,
		  "handler calls: %d", atomic_load(&echo.seen));
	httpc_free(c);
}

/* ---- Prepared answers ---- */

static const char prepared_body[] = "{\"BatchLoadTasks\":[]}";

/* Answers every request with the prepared answer in ctx, except that a
 * request carrying x-test-delay gets it after a delay (which falls back to
 * the reply's own, empty body). */
static void prepared_handler(void *ctx, const struct httpd_request *req,
			     struct httpd_reply *reply)
{
	reply->prepared = ctx;
	reply->status = 500; /* ignored while prepared is used */
	if (httpd_request_header(req, "x-test-delay"))
		reply->delay_ms = 10;
}

static void *prepared_client(void *arg)
{
	const char *url = arg;
	struct httpc *c = client();
	struct httpc_response r;
	long good = 0;

	for (int i = 0; i < 200; i++) {
		if (httpc_send(c, "POST", url, NULL, 0, "{}", 2, &r, NULL) ==
			    BLT_OK &&
		    r.status == 201 && r.body.len == strlen(prepared_body) &&
		    !memcmp(r.body.data, prepared_body, r.body.len) &&
		    httpc_response_header(&r, "x-amzn-requestid") &&
		    !strcmp(httpc_response_header(&r, "content-type"),
			    "application/x-amz-json-1.0"))
			good++;
		httpc_response_free(&r);
	}
	httpc_free(c);
	return (void *)good;
}

Test(httpd, prepared_answer_is_sent_many_times_from_every_thread,
     .timeout = 30)
{
	const char *names[] = {"x-amzn-RequestId", "Content-Length"};
	const char *values[] = {"recorded-id", "999"};
	struct httpd_prepared *p = NULL;
	struct httpd_config cfg = {0};
	struct httpd *h = NULL;
	struct blt_err err = {0};
	pthread_t t[3];
	void *good;
	const char *delay[] = {"x-test-delay: 1"};
	struct httpc *c;
	struct httpc_response r;

	cr_assert_eq(httpd_prepared_new(201, names, values, 2, prepared_body,
					strlen(prepared_body), &p, &err),
		     BLT_OK, "%s", err.msg);
	cfg.handler = prepared_handler;
	cfg.ctx = p;
	cfg.threads = 3;
	cr_assert_eq(httpd_start(&cfg, &h, &err), BLT_OK, "%s", err.msg);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, prepared_client,
			       (void *)httpd_url(h));
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], &good);
		cr_expect_eq((long)good, 200, "client %d got %ld good answers",
			     i, (long)good);
	}
	c = client();
	cr_assert_eq(httpc_send(c, "POST", httpd_url(h), delay, 1, "{}", 2, &r,
				&err),
		     BLT_OK, "%s", err.msg);
	cr_expect_eq(r.status, 500, "a delayed reply is the reply's own");
	httpc_response_free(&r);
	httpc_free(c);
	httpd_stop(h);
	httpd_prepared_free(p);
	cr_assert_eq(httpd_prepared_new(99, NULL, NULL, 0, "", 0, &p, &err),
		     BLT_EINVAL);
	cr_assert_null(p);
}

Test(httpd, origin_form_targets_only)
{
	static const char *const ok[] = {
		"/", "/?", "/a/b?c=d&e=%2F", "//x", "/@h:1/", "/%40h",
		"/a;b=c,d/~x/!$&'()*+:@", "/?q=/?a", NULL};
	static const char *const bad[] = {
		"", "*", "@h:1/", "x@h", "%40h/", "h:80", "http://h/", "\\h",
		"/\\x", "/a b", "/%zz", "/%4", "/%", "/a#b", "/a|b", "/a\"b",
		"/\x01", "/?q=\x7f", "/\x80", "/a<b>", "/{x}", NULL};

	for (size_t i = 0; ok[i]; i++)
		cr_assert(httpd_target_ok(ok[i], strlen(ok[i])), "%s", ok[i]);
	for (size_t i = 0; bad[i]; i++)
		cr_assert_not(httpd_target_ok(bad[i], strlen(bad[i])), "%s",
			      bad[i]);
}

Test(httpd, header_tokens_and_values)
{
	cr_assert(httpd_token_ok("X-Amz-Target", 12));
	cr_assert(httpd_token_ok("a!#$%&'*+-.^_`|~9", 17));
	cr_assert_not(httpd_token_ok("", 0));
	cr_assert_not(httpd_token_ok("Cookie ", 7));
	cr_assert_not(httpd_token_ok("a:b", 3));
	cr_assert_not(httpd_token_ok("a\tb", 3));
	cr_assert_not(httpd_token_ok("a\0b", 3));
	cr_assert(httpd_field_value_ok("v a\tl\x80\xff", 7));
	cr_assert(httpd_field_value_ok("", 0));
	cr_assert_not(httpd_field_value_ok("a\rb", 3));
	cr_assert_not(httpd_field_value_ok("a\nb", 3));
	cr_assert_not(httpd_field_value_ok("a\0b", 3));
	cr_assert_not(httpd_field_value_ok("\x1b[2J", 4));
	cr_assert_not(httpd_field_value_ok("\x7f", 1));
}
