/* Unit tests for the libcurl layer against real loopback servers: the echo
 * httpd, a raw socket server that answers canned bytes, and openssl
 * s_server for TLS. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
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
#include "blt_test.h"
#include "http_echo.h"

static struct http_echo echo;

static void echo_up(void)
{
	http_echo_start(&echo, 4 * 1024 * 1024);
}

static void echo_down(void)
{
	http_echo_stop(&echo);
}

static struct httpc *client_with(long timeout_ms, size_t body_max,
				 const char *ca_file)
{
	struct httpc_opts o = {0};
	struct httpc *c = NULL;
	struct blt_err err = {0};

	o.timeout_ms = timeout_ms;
	o.body_max = body_max;
	o.ca_file = ca_file;
	cr_assert_eq(httpc_new(&o, &c, &err), BLT_OK, "%s", err.msg);
	return c;
}

/* A loopback listening socket on a free port. */
static int listen_any(unsigned short *port)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* ---- Errors that name the cause ---- */

Test(httpc, refused_names_the_peer, .timeout = 10)
{
	unsigned short port;
	int fd = listen_any(&port);
	struct httpc *c = client_with(0, 0, NULL);
	struct httpc_response r;
	struct blt_err err = {0};
	char url[64], want[64];

	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)port);
	snprintf(want, sizeof(want), "connection refused by 127.0.0.1:%u",
		 (unsigned)port);
	cr_assert_eq(httpc_send(c, "GET", url, NULL, 0, NULL, 0, &r, &err),
		     BLT_ENET);
	cr_assert_str_eq(err.msg, want);
	httpc_free(c);
}

Test(httpc, timeout_against_a_delaying_handler, .init = echo_up,
     .fini = echo_down, .timeout = 15)
{
	static const char *const hdrs[] = {"x-test-delay: 1000"};
	struct httpc *c = client_with(200, 0, NULL);
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), hdrs, 1,
				"{}", 2, &r, &err),
		     BLT_ETIMEOUT, "%s", err.msg);
	cr_assert(strstr(err.msg, "timed out after 200 ms"), "%s", err.msg);
	httpc_free(c);
}

Test(httpc, response_body_cap, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	static const char *const at_cap[] = {"x-test-size: 100"};
	static const char *const over[] = {"x-test-size: 101"};
	struct httpc *c = client_with(0, 100, NULL);
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), at_cap, 1,
				"", 0, &r, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(r.body.len, 100);
	httpc_response_free(&r);
	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), over, 1, "",
				0, &r, &err),
		     BLT_ENET);
	cr_assert_str_eq(err.msg, "response body exceeds 100 bytes");
	cr_assert_eq(r.nheaders, 0, "a failed send leaves resp empty");
	httpc_free(c);
}

Test(httpc, bad_url_is_invalid_input, .timeout = 10)
{
	struct httpc *c = client_with(0, 0, NULL);
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(httpc_send(c, "GET", "ftp://127.0.0.1/?X-Amz-Signature=5e",
				NULL, 0, NULL, 0, &r, &err),
		     BLT_EINVAL);
	cr_assert(strstr(err.msg, "bad URL for 127.0.0.1:21"), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "Signature"),
		       "the message quotes the query: %s", err.msg);
	httpc_free(c);
}

/* ---- What goes on the wire ---- */

Test(httpc, no_expect_and_no_invented_content_type, .init = echo_up,
     .fini = echo_down, .timeout = 20)
{
	size_t len = 2 * 1024 * 1024;
	char *body = malloc(len);
	struct httpc *c = client_with(0, 8 * 1024 * 1024, NULL);
	struct httpc_response r;
	struct blt_err err = {0};

	memset(body, 'q', len);
	cr_assert_eq(httpc_send(c, "POST", httpd_url(echo.server), NULL, 0,
				body, len, &r, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_eq(r.status, 200);
	cr_assert_null(strstr(r.body.data, "Expect:"), "%.300s", r.body.data);
	cr_assert_null(strstr(r.body.data, "Content-Type:"), "%.300s",
		       r.body.data);
	cr_assert_eq(r.body.len > len, 1);
	httpc_response_free(&r);
	free(body);
	httpc_free(c);
}

Test(httpc, methods_head_get_delete, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	static const char *const methods[] = {"GET", "HEAD", "DELETE", "POST"};
	struct httpc *c = client_with(0, 0, NULL);
	struct httpc_response r;
	struct blt_err err = {0};
	size_t i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(httpc_send(c, methods[i], httpd_url(echo.server),
					NULL, 0, NULL, 0, &r, &err),
			     BLT_OK, "%s: %s", methods[i], err.msg);
		cr_assert_eq(r.status, 200);
		if (!strcmp(methods[i], "HEAD"))
			cr_assert_eq(r.body.len, 0);
		else
			cr_assert(!strncmp(r.body.data, methods[i],
					   strlen(methods[i])),
				  "%s", r.body.data);
		httpc_response_free(&r);
	}
	cr_assert_eq(httpd_connections(echo.server), 1);
	httpc_free(c);
}

Test(httpc, two_clients_two_connections, .init = echo_up, .fini = echo_down,
     .timeout = 10)
{
	struct httpc *a = client_with(0, 0, NULL);
	struct httpc *b = client_with(0, 0, NULL);
	struct httpc_response r;
	int i;

	for (i = 0; i < 6; i++) {
		cr_assert_eq(httpc_send(i % 2 ? a : b, "POST",
					httpd_url(echo.server), NULL, 0, "", 0,
					&r, NULL),
			     BLT_OK);
		httpc_response_free(&r);
	}
	cr_assert_eq(httpd_connections(echo.server), 2);
	httpc_free(a);
	httpc_free(b);
}

/* ---- A raw server for exact response bytes ---- */

struct canned {
	int lfd;
	const char *bytes;
	bool rst; /* end with a TCP reset instead of a close */
};

/* Accepts one connection, reads the request head, writes the canned
 * bytes and closes (or resets). */
static void *canned_main(void *arg)
{
	struct canned *cn = arg;
	char req[4096];
	int fd = accept(cn->lfd, NULL, NULL);
	struct linger lg = {1, 0};

	if (fd < 0)
		return NULL;
	(void)read(fd, req, sizeof(req));
	if (cn->bytes[0])
		(void)write(fd, cn->bytes, strlen(cn->bytes));
	if (cn->rst) {
		usleep(100 * 1000);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
	return NULL;
}

/* Serves bytes once and sends one GET to it with a fresh client. */
static blt_status canned_get(const char *bytes, bool rst,
			     struct httpc_response *r, struct blt_err *err)
{
	struct canned cn = {0};
	unsigned short port;
	pthread_t t;
	char url[64];
	struct httpc *c = client_with(0, 0, NULL);
	blt_status st;

	cn.lfd = listen_any(&port);
	cn.bytes = bytes;
	cn.rst = rst;
	pthread_create(&t, NULL, canned_main, &cn);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)port);
	st = httpc_send(c, "GET", url, NULL, 0, NULL, 0, r, err);
	pthread_join(t, NULL);
	close(cn.lfd);
	httpc_free(c);
	return st;
}

Test(httpc, last_response_headers_lowercased_and_trimmed, .timeout = 10)
{
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(
	    canned_get("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
		       "HTTP/1.1 200 OK\r\n"
		       "X-Mixed-Case:   padded value  \r\n"
		       "Content-Length: 2\r\n\r\nok",
		       false, &r, &err),
	    BLT_OK, "%s", err.msg);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body.data, "ok");
	cr_assert_null(httpc_response_header(&r, "x-interim"));
	cr_assert_str_eq(r.headers[0].name, "x-mixed-case");
	cr_assert_str_eq(r.headers[0].value, "padded value");
	cr_assert_str_eq(httpc_response_header(&r, "X-MIXED-CASE"),
			 "padded value");
	httpc_response_free(&r);
}

Test(httpc, empty_reply_is_named, .timeout = 10)
{
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(canned_get("", false, &r, &err), BLT_ENET);
	cr_assert(strstr(err.msg, "empty reply"), "%s", err.msg);
}

Test(httpc, reset_in_the_body_is_named, .timeout = 10)
{
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(canned_get("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
				"short",
				true, &r, &err),
		     BLT_ENET);
	cr_assert(strstr(err.msg, "reset") &&
		      strstr(err.msg, "reading the response body"),
		  "%s", err.msg);
}

Test(httpc, early_close_in_the_body_is_named, .timeout = 10)
{
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(canned_get("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
				"short",
				false, &r, &err),
		     BLT_ENET);
	cr_assert(strstr(err.msg, "before the end of the response body"), "%s",
		  err.msg);
}

Test(httpc, a_status_line_that_is_not_http_is_named, .timeout = 10)
{
	struct httpc_response r;
	struct blt_err err = {0};

	cr_assert_eq(canned_get("HTTP/1.1 2\x1b[2J00 OK\r\nContent-Length: 2"
				"\r\n\r\n{}",
				false, &r, &err),
		     BLT_ENET);
	cr_assert(strstr(err.msg, "answered something that is not HTTP") &&
		      !strstr(err.msg, "bad URL") && !strchr(err.msg, '\x1b'),
		  "%s", err.msg);
}

/* ---- TLS ---- */

Test(httpc, tls_to_a_plain_server_fails_naming_tls, .init = echo_up,
     .fini = echo_down, .timeout = 10)
{
	struct httpc *c = client_with(0, 0, NULL);
	struct httpc_response r;
	struct blt_err err = {0};
	char url[64];

	snprintf(url, sizeof(url), "https://127.0.0.1:%u/",
		 (unsigned)httpd_port(echo.server));
	cr_assert_eq(httpc_send(c, "GET", url, NULL, 0, NULL, 0, &r, &err),
		     BLT_ENET);
	cr_assert(!strncmp(err.msg, "TLS: ", 5), "%s", err.msg);
	httpc_free(c);
}

static char tls_dir[64];

/* Makes a self-signed certificate for 127.0.0.1 in a temporary directory. */
static void make_cert(void)
{
	char subj[] = "/CN=127.0.0.1";
	char key[128], crt[128];
	char *argv[] = {"/usr/bin/openssl",
			"req",
			"-x509",
			"-newkey",
			"rsa:2048",
			"-nodes",
			"-keyout",
			key,
			"-out",
			crt,
			"-days",
			"1",
			"-subj",
			subj,
			"-addext",
			"subjectAltName=IP:127.0.0.1",
			NULL};

	snprintf(tls_dir, sizeof(tls_dir), "/tmp/blt-httpc-XXXXXX");
	cr_assert_not_null(mkdtemp(tls_dir));
	snprintf(key, sizeof(key), "%s/key.pem", tls_dir);
	snprintf(crt, sizeof(crt), "%s/cert.pem", tls_dir);
	cr_assert_eq(test_run(argv, NULL, 30000), 0, "openssl req failed");
}

/* Starts openssl s_server -www on a free port; returns its pid. */
static pid_t start_s_server(unsigned short *port)
{
	int fd = listen_any(port);
	char accept_arg[32], key[128], crt[128];
	char *argv[] = {"openssl", "s_server", "-accept", accept_arg,
			"-cert",   crt,	       "-key",	  key,
			"-www",	   "-quiet",   NULL};
	pid_t pid;

	close(fd); /* the port is free again for s_server */
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%u",
		 (unsigned)*port);
	snprintf(key, sizeof(key), "%s/key.pem", tls_dir);
	snprintf(crt, sizeof(crt), "%s/cert.pem", tls_dir);
	pid = fork();
	if (pid == 0) {
		execvp("openssl", argv);
		_exit(127);
	}
	return pid;
}

/* GETs url until something answers at TCP level (s_server starting up). */
static blt_status tls_get(struct httpc *c, const char *url,
			  struct httpc_response *r, struct blt_err *err)
{
	blt_status st = BLT_ENET;
	int i;

	for (i = 0; i < 100; i++) {
		st = httpc_send(c, "GET", url, NULL, 0, NULL, 0, r, err);
		if (!(st == BLT_ENET && strstr(err->msg, "refused")))
			break;
		usleep(50 * 1000);
	}
	return st;
}

Test(httpc, tls_verification_on_and_ca_file_honoured, .init = make_cert,
     .timeout = 40)
{
	unsigned short port;
	pid_t pid = start_s_server(&port);
	char url[64], ca[128];
	struct httpc *strict = client_with(0, 0, NULL);
	struct httpc *trusting;
	struct httpc_response r;
	struct blt_err err = {0};
	blt_status st;

	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", (unsigned)port);
	snprintf(ca, sizeof(ca), "%s/cert.pem", tls_dir);
	st = tls_get(strict, url, &r, &err);
	cr_assert_eq(st, BLT_ENET, "a self-signed server was trusted");
	cr_assert(strstr(err.msg, "TLS: certificate verify failed"), "%s",
		  err.msg);
	trusting = client_with(0, 0, ca);
	st = tls_get(trusting, url, &r, &err);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	cr_assert_eq(st, BLT_OK, "%s", err.msg);
	cr_assert_eq(r.status, 200);
	httpc_response_free(&r);
	httpc_free(strict);
	httpc_free(trusting);
}

/* ---- Global init ---- */

static void *init_thread(void *arg)
{
	(void)arg;
	httpc_global_init();
	return NULL;
}

Test(httpc, global_init_from_many_threads, .timeout = 10)
{
	pthread_t t[8];
	struct httpc *c;
	int i;

	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, init_thread, NULL);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	c = client_with(0, 0, NULL);
	cr_assert_not_null(c);
	httpc_free(c);
}
