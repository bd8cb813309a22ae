/* Helpers for blt-proxy record's integration tests. */
#define _GNU_SOURCE /* strcasestr */
#include "record_test.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/awsjson.h"
#include "blt/schema.h"

void rt_tmpdir(char *out, size_t outsz)
{
	snprintf(out, outsz, "/tmp/blt-record-XXXXXX");
	cr_assert_not_null(mkdtemp(out), "mkdtemp");
}

void rt_rmdir(const char *dir)
{
	char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};

	test_run(argv, NULL, 10000);
}

/* Copies argv pieces into a NULL-ended array (at most 32). */
static size_t add_args(char **argv, size_t n, const char *const *extra)
{
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	return n;
}

void rt_start_fake(struct test_proc *p, const char *const *extra)
{
	char bin[1024];
	char *argv[32] = {bin, "--listen", "127.0.0.1:0"};

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-fake"));
	add_args(argv, 3, extra);
	cr_assert(test_proc_start(p, argv, 10000), "blt-fake did not start");
}

void rt_start_proxy(struct test_proc *p, const char *upstream,
		    const char *cassette, const char *const *extra)
{
	char bin[1024];
	char *argv[32] = {bin,		 "record",	  "--listen",
			  "127.0.0.1:0", "--upstream",	  (char *)upstream,
			  "--cassette",	 (char *)cassette};

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-proxy"));
	add_args(argv, 8, extra);
	cr_assert(test_proc_start(p, argv, 20000),
		  "blt-proxy record did not start");
}

void rt_stop_proxy(struct test_proc *p)
{
	int status = test_proc_stop(p, SIGTERM);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "blt-proxy record did not exit cleanly (status %d)", status);
}

blt_status rt_list(struct httpc *c, const char *url, const char *body,
		   const char *const *extra, size_t nextra,
		   struct httpc_response *resp, struct blt_err *err)
{
	const char *headers[40] = {"Content-Type: " AWSJSON_CONTENT_TYPE,
				   "X-Amz-Target: " AWSJSON_TARGET_PREFIX
				   "ListBatchLoadTasks"};
	size_t n = 2;

	for (size_t i = 0; i < nextra && n < 40; i++)
		headers[n++] = extra[i];
	return httpc_send(c, "POST", url, headers, n, body, strlen(body), resp,
			  err);
}

struct httpc *rt_client(void)
{
	struct httpc_opts o = {.timeout_ms = 20000};
	struct httpc *c = NULL;
	struct blt_err err;

	httpc_global_init();
	cr_assert_eq(httpc_new(&o, &c, &err), BLT_OK, "%s", err.msg);
	return c;
}

struct cassette *rt_load_checked(const char *path)
{
	struct schema_violation v[4];
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	struct cassette *c = NULL;
	struct blt_err err;
	size_t bad;

	cr_assert_not_null(doc, "%s: %s", path, jerr.text);
	bad = schema_validate(schema_builtin(SCHEMA_CASSETTE), doc, v, 4);
	cr_assert_eq(bad, 0, "%s: %s: %s", path, bad ? v[0].pointer : "",
		     bad ? v[0].message : "");
	json_decref(doc);
	cr_assert_eq(
	    cassette_load(&(struct cassette_load_opts){.path = path}, &c, &err),
	    BLT_OK, "%s", err.msg);
	return c;
}

json_t *rt_body_json(const struct httpc_response *r)
{
	return json_loadb(r->body.data ? r->body.data : "", r->body.len, 0,
			  NULL);
}

/* A socket bound to 127.0.0.1:0; its port in *port. */
static int bind_loopback(unsigned short *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	*port = ntohs(a.sin_port);
	return fd;
}

unsigned short rt_closed_port(void)
{
	unsigned short port;
	int fd = bind_loopback(&port);

	close(fd);
	return port;
}

/* Reads a whole request (headers and Content-Length body) into buf. */
static size_t read_request(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char *end = NULL;
	size_t want = 0;

	while (n < cap - 1) {
		ssize_t got = read(fd, buf + n, cap - 1 - n);

		if (got <= 0)
			break;
		n += (size_t)got;
		buf[n] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			const char *cl = strcasestr(buf, "\ncontent-length:");

			want = (size_t)(end + 4 - buf) +
			       (cl ? strtoul(cl + 16, NULL, 10) : 0);
		}
		if (end && n >= want)
			break;
	}
	buf[n] = '\0';
	return n;
}

/* Copies the value of header name from a raw request into out. */
static void header_value(const char *req, const char *name, char *out,
			 size_t outsz)
{
	char pat[64];
	const char *p;
	size_t len;

	snprintf(pat, sizeof(pat), "\n%s:", name);
	p = strcasestr(req, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	len = strcspn(p, "\r\n");
	snprintf(out, outsz, "%.*s", (int)len, p);
}

static void write_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Answers with the request's credentials echoed in headers and body. */
static void answer_echo(struct rt_raw *r, int fd, const char *req)
{
	char auth[1024], token[512], body[4096], head[8192];
	const char *sig;

	header_value(req, "authorization", auth, sizeof(auth));
	header_value(req, "x-amz-security-token", token, sizeof(token));
	sig = strstr(auth, "Signature=");
	pthread_mutex_lock(&r->lock);
	if (r->nauth < 64)
		snprintf(r->auth[r->nauth++], sizeof(r->auth[0]), "%s", auth);
	pthread_mutex_unlock(&r->lock);
	snprintf(body, sizeof(body),
		 "{\"BatchLoadTasks\":[],\"Echo\":\"%s\",\"Token\":\"%s\","
		 "\"Sig\":\"%s\"}",
		 auth, token, sig ? sig + 10 : "");
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: " AWSJSON_CONTENT_TYPE
		 "\r\nx-echo-auth: %s\r\nx-debug-sig: %s\r\nx-echo-token: "
		 "%s\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
		 auth, sig ? sig + 10 : "", token, strlen(body));
	write_str(fd, head);
	write_str(fd, body);
}

static void *raw_main(void *arg)
{
	struct rt_raw *r = arg;
	static char req[65536];
	int held[256];
	size_t nheld = 0;

	for (;;) {
		int fd = accept(r->fd, NULL, NULL);

		if (fd < 0)
			break;
		pthread_mutex_lock(&r->lock);
		r->connections++;
		pthread_mutex_unlock(&r->lock);
		read_request(fd, req, sizeof(req));
		if (r->mode == RT_RAW_SILENT && nheld < 256) {
			held[nheld++] = fd;
			continue;
		}
		if (r->mode == RT_RAW_HALF)
			write_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: "
				      "application/x-amz-json-1.0\r\n"
				      "Content-Length: 100\r\n\r\n"
				      "{\"BatchLoadTasks\":[{\"TaskId\":");
		else
			answer_echo(r, fd, req);
		close(fd);
	}
	for (size_t i = 0; i < nheld; i++)
		close(held[i]);
	return NULL;
}

void rt_raw_start(struct rt_raw *r, enum rt_raw_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	pthread_mutex_init(&r->lock, NULL);
	r->fd = bind_loopback(&r->port);
	cr_assert_eq(listen(r->fd, 64), 0);
	cr_assert_eq(pthread_create(&r->thread, NULL, raw_main, r), 0);
}

void rt_raw_stop(struct rt_raw *r)
{
	shutdown(r->fd, SHUT_RDWR);
	pthread_join(r->thread, NULL);
	close(r->fd);
	pthread_mutex_destroy(&r->lock);
}

unsigned long rt_raw_connections(struct rt_raw *r)
{
	unsigned long n;

	pthread_mutex_lock(&r->lock);
	n = r->connections;
	pthread_mutex_unlock(&r->lock);
	return n;
}
