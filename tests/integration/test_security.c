/* The guarantees of docs/security.md, one test each, against the real
 * servers and tools: blt-proxy record is never a relay to another host nor
 * a signer of other services' requests; no credential reaches a cassette,
 * journal, log, report or HAR file; only well-formed HTTP is accepted; a
 * recording holds what the client sent; files get private modes; client
 * bytes are escaped; a log flood is counted; a near miss costs bounded
 * work. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/base64.h"
#include "blt/buf.h"
#include "hostile_wire.h"
#include "record_test.h"

/* The planted credentials (AWS's documented example keys) and other
 * secrets a request may carry. */
#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFETEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define SECRET_URL "wJalrXUtnFETEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY"
#define SECRET_URL_LC "wJalrXUtnFETEMI%2fK7MDENG%2fbPxRfiCYEXAMPLEKEY"
#define TOKEN "AQoDYXdzEJrEXAMPLESESSIONTOKENplantedBySecurityTests"
#define SIG "5ec7e7a95e5ec7e7a95e5ec7e7a95e5ec7e7a95e5ec7e7a95e5ec7e7a95e5ec7"
#define APIKEY "planted-api-key-6f1c2d9e"
#define COOKIE "planted-cookie-93ab17c4"
#define PASSWORD "planted-password-0c7e51"

#define LBT HW_TARGET_LBT
#define DEADLINE_MS 30000

static const char *const planted[] = {
	AKID, SECRET, SECRET_URL, SECRET_URL_LC, TOKEN,
	SIG,  APIKEY, COOKIE,	  PASSWORD};
#define NPLANTED (sizeof(planted) / sizeof(planted[0]))

static char dir[64];

static void setup(void)
{
	rt_tmpdir(dir, sizeof(dir));
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_REGION");
	umask(022);
}

static void teardown(void)
{
	rt_rmdir(dir);
}

TestSuite(security, .init = setup, .fini = teardown, .timeout = 240);

/* ---- helpers ---- */

/* A byte string literal and its length (NULs included). */
#define HB(s) {s, sizeof(s) - 1}

static void set_creds(void)
{
	setenv("AWS_ACCESS_KEY_ID", AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN, 1);
}

/* dir/name into out. */
static void in_dir(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* A request text: POST target, Host, Content-Type, the X-Amz-Target xt
 * (none when NULL), elen bytes of extra header lines (CRLF-ended) and the
 * body. New string; its length in *len. */
static char *req_text(const char *target, const char *xt, const char *extra,
		      size_t elen, const char *body, size_t blen, size_t *len)
{
	struct blt_buf b;

	buf_init(&b, (size_t)8 << 20);
	buf_printf(&b, NULL,
		   "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		   "Content-Type: " HW_CT "\r\n",
		   target);
	if (xt)
		buf_printf(&b, NULL, "X-Amz-Target: %s\r\n", xt);
	if (elen)
		buf_append(&b, extra, elen, NULL);
	buf_printf(&b, NULL, "Content-Length: %zu\r\n\r\n", blen);
	if (blen)
		buf_append(&b, body, blen, NULL);
	*len = b.len;
	return buf_take(&b);
}

/* Sends one raw request to port and reads the answer into r. */
static void send_raw(unsigned short port, const char *target, const char *xt,
		     const char *extra, size_t elen, const char *body,
		     size_t blen, struct hw_result *r)
{
	struct hw_opts o = {.deadline_ms = DEADLINE_MS};
	size_t len;
	char *text = req_text(target, xt, extra, elen, body, blen, &len);

	cr_assert_not_null(text);
	hw_exchange(port, text, len, &o, r);
	free(text);
}

/* send_raw of a plain ListBatchLoadTasks with body "{}". */
static void send_simple(unsigned short port, const char *target,
			struct hw_result *r)
{
	send_raw(port, target, LBT, NULL, 0, "{}", 2, r);
}

/* A whole 400 whose connection the server closes. */
static bool refused(const struct hw_result *r)
{
	char conn[32] = "";

	hw_header(r, "connection", conn, sizeof(conn));
	return r->complete && r->status == 400 && strcasecmp(conn, "close") == 0;
}

/* Starts blt-proxy replay on the cassette with the extra arguments. */
static void start_replay(struct test_proc *p, const char *cassette,
			 const char *const *extra)
{
	char bin[1024];
	char *argv[24] = {bin,		 "replay",     "--listen",
			  "127.0.0.1:0", "--cassette", (char *)cassette};
	size_t n = 6;

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-proxy"));
	for (size_t i = 0; extra && extra[i] && n < 23; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	cr_assert(test_proc_start(p, argv, 60000),
		  "blt-proxy replay did not start");
}

/* Runs blt-cassette with the arguments (NULL-ended); output into *out. */
static int run_cassette_tool(const char *const *args, char **out)
{
	char bin[1024];
	char *argv[16] = {bin};
	size_t n = 1;

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-cassette"));
	while (args[n - 1] && n < 15) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	return test_run(argv, out, 60000);
}

/* Reads a file that must exist. New string; its length in *len (may be
 * NULL). */
static char *slurp(const char *path, size_t *len)
{
	char *s = test_slurp(path, len);

	cr_assert_not_null(s, "cannot read %s", path);
	return s;
}

/* Fails the test when any 16-byte window of a planted secret occurs in
 * the n bytes at hay (what names the output). */
static void expect_no_secret(const char *what, const char *hay, size_t n)
{
	for (size_t i = 0; i < NPLANTED; i++) {
		const char *s = planted[i];
		size_t len = strlen(s);

		for (size_t k = 0; k + 16 <= len; k++) {
			const char *at = memmem(hay, n, s + k, 16);

			cr_expect_null(at,
				       "%s holds a part of the planted secret "
				       "%s: ...%.60s...",
				       what, s, at ? at : "");
			if (at)
				break;
		}
	}
}

/* expect_no_secret on a file's contents. */
static void expect_file_clean(const char *path)
{
	size_t len = 0;
	char *text = slurp(path, &len);

	expect_no_secret(path, text, len);
	free(text);
}

/* Writes text to path. */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* A one-interaction cassette whose request has path and one extra header
 * (name and value; name NULL for none). */
static void write_cassette(const char *path, const char *rpath,
			   const char *hname, const char *hvalue)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"blt_cassette\": 1, \"meta\": {\"recorded_at\": "
		 "\"2026-01-01T00:00:00.000Z\", \"upstream\": "
		 "\"http://127.0.0.1:9\", \"tool\": \"test\"}, "
		 "\"interactions\": [{\"id\": 1, \"request\": {\"method\": "
		 "\"POST\", \"path\": \"%s\", \"operation\": "
		 "\"ListBatchLoadTasks\", \"headers\": {%s%s%s%s%s"
		 "\"x-amz-target\": \"" LBT "\"}, \"body\": {}}, "
		 "\"response\": {\"status\": 200, \"headers\": {}, \"body\": "
		 "{\"BatchLoadTasks\": []}}, \"token_from\": null}]}\n",
		 rpath, hname ? "\"" : "", hname ? hname : "",
		 hname ? "\": \"" : "", hname ? hvalue : "",
		 hname ? "\", " : "");
	write_text(path, text);
}

/* The mode bits of path (which must exist). */
static unsigned mode_of(const char *path)
{
	struct stat sb;

	cr_assert_eq(stat(path, &sb), 0, "%s: %s", path, strerror(errno));
	return (unsigned)(sb.st_mode & 07777);
}

/* Bytes a terminal could act on: controls other than newline and tab,
 * DEL, and anything outside ASCII. Returns the offset of the first, or
 * -1. */
static long first_raw_byte(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			return (long)i;
	}
	return -1;
}

/* ---- 1. record reaches no host but its upstream ---- */

/* Request targets that are not origin-form, around 127.0.0.1:{P}. */
static const char *const off_target_fmts[] = {
	"@127.0.0.1:{P}/",	"x@127.0.0.1:{P}/",	":x@127.0.0.1:{P}/",
	"%40127.0.0.1:{P}/",	"x%40127.0.0.1:{P}/",	"\\@127.0.0.1:{P}/",
	"\\\\127.0.0.1:{P}/",	"/\\@127.0.0.1:{P}/",	"http://127.0.0.1:{P}/",
	"127.0.0.1:{P}",		"@127.0.0.1:{P}/?q=1",	"#@127.0.0.1:{P}/",
	NULL};

/* Origin-form targets that only look like another host: they are paths of
 * the upstream. */
static const char *const path_fmts[] = {
	"/@127.0.0.1:{P}/", "//127.0.0.1:{P}/", "/%40127.0.0.1:{P}/",
	"/.%2e/@127.0.0.1:{P}/", NULL};

/* fmt with "{P}" replaced by port, into out. */
static void with_port(char *out, size_t n, const char *fmt, unsigned port)
{
	const char *p = strstr(fmt, "{P}");

	cr_assert_not_null(p);
	snprintf(out, n, "%.*s%u%s", (int)(p - fmt), fmt, port, p + 3);
}

/* Exports the cassette cas to the HAR file har and imports it back into
 * imp (every entry), each step expected to succeed. */
static void har_round_trip(const char *cas, const char *har, const char *imp)
{
	const char *exp[] = {"export-har", cas, "-o", har, NULL};
	const char *im[] = {"import-har", har, "-o", imp, "--all", NULL};
	char *o = NULL;

	cr_expect_eq(run_cassette_tool(exp, &o), 0, "%s", o);
	free(o);
	cr_expect_eq(run_cassette_tool(im, &o), 0, "%s", o);
	free(o);
}

Test(security, record_reaches_no_host_but_the_upstream)
{
	struct rt_raw trap;
	struct test_proc fake, proxy;
	struct hw_result r;
	char ups[3][128], cas[160], target[128];
	const char *disc[] = {"--discovery-url", NULL, NULL};
	unsigned long hits;

	set_creds();
	rt_raw_start(&trap, RT_RAW_ECHO_AUTH);
	rt_start_fake(&fake, NULL);
	snprintf(ups[0], sizeof(ups[0]), "%s", fake.url);
	snprintf(ups[1], sizeof(ups[1]), "%s/", fake.url);
	snprintf(ups[2], sizeof(ups[2]), "aws:us-east-1");
	disc[1] = fake.url;
	for (int k = 0; k < 3; k++) {
		snprintf(cas, sizeof(cas), "%s/trap%d.json", dir, k);
		rt_start_proxy(&proxy, ups[k], cas, k == 2 ? disc : NULL);
		for (size_t i = 0; off_target_fmts[i]; i++) {
			with_port(target, sizeof(target), off_target_fmts[i],
				  trap.port);
			send_simple(proxy.port, target, &r);
			cr_expect(refused(&r), "upstream %s, target '%s': %s",
				  ups[k], target, hw_describe(&r));
			hw_result_free(&r);
		}
		for (size_t i = 0; path_fmts[i]; i++) {
			with_port(target, sizeof(target), path_fmts[i],
				  trap.port);
			send_simple(proxy.port, target, &r);
			cr_expect(r.complete, "upstream %s, target '%s': %s",
				  ups[k], target, hw_describe(&r));
			hw_result_free(&r);
		}
		send_simple(proxy.port, "/", &r);
		cr_expect_eq(r.status, 200, "upstream %s: a normal request: %s",
			     ups[k], hw_describe(&r));
		hw_result_free(&r);
		rt_stop_proxy(&proxy);
	}
	hits = rt_raw_connections(&trap);
	cr_expect_eq(hits, 0,
		     "%lu connections reached the trap listener, each with a "
		     "fresh SigV4 signature and the session token",
		     hits);
	test_proc_stop(&fake, SIGTERM);
	rt_raw_stop(&trap);
}

/* Targets every server refuses before its handler sees them. */
static const char *const bad_targets[] = {
	"@127.0.0.1:9/", "x@127.0.0.1:9/", "%40127.0.0.1:9/", "\\@127.0.0.1:9/",
	"http://127.0.0.1:9/", "127.0.0.1:9", "*", "/\\x", "/%zz", "/%4",
	"/a\x01", "/?q=\x7f", "/\x80", "/a|b", "/a\"b", NULL};

Test(security, every_server_refuses_targets_that_are_not_origin_form)
{
	const char *fake_args[] = {"--generate", "5", "--seed", "1", NULL};
	struct test_proc srv[3], fake;
	const char *names[3] = {"blt-fake", "blt-proxy replay",
				"blt-proxy record"};
	struct hw_result r;
	char cas[160];

	rt_start_fake(&srv[0], fake_args);
	start_replay(&srv[1], test_src("cassettes/reference/small.json"),
		     NULL);
	rt_start_fake(&fake, fake_args);
	in_dir(cas, sizeof(cas), "rec.json");
	rt_start_proxy(&srv[2], fake.url, cas, NULL);
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; bad_targets[i]; i++) {
			send_simple(srv[k].port, bad_targets[i], &r);
			cr_expect(refused(&r), "%s: target '%s': %s", names[k],
				  bad_targets[i], hw_describe(&r));
			hw_result_free(&r);
		}
		send_simple(srv[k].port, "/", &r);
		cr_expect(r.complete && r.status != 400,
			  "%s: target '/': %s", names[k], hw_describe(&r));
		hw_result_free(&r);
	}
	test_proc_stop(&srv[0], SIGTERM);
	test_proc_stop(&srv[1], SIGTERM);
	rt_stop_proxy(&srv[2]);
	test_proc_stop(&fake, SIGTERM);
}

/* Request heads every server refuses: a method that is not a token, and a
 * line with no header name, which libmicrohttpd would take for the end of
 * the head (what follows it then becomes the body or another request). */
#define HEAD_REST                                                              \
	"X-Amz-Target: " LBT "\r\nContent-Type: " HW_CT "\r\n"
static const struct {
	const char *bytes;
	size_t len;
} bad_heads[] = {
	HB("PO\x01ST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("\x1b[2J / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("P\xc3\xb6ST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("P@ST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n: v\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n: v\r\n\r\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n:x\r\n\r\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n:\r\n\r\n{}"),
	HB("POST / HTTP/1.0\r\n: v\r\n\r\n"),
};

/* Odd heads that are well-formed and must be answered as usual. */
static const struct {
	const char *bytes;
	size_t len;
} fine_heads[] = {
	HB("\r\nPOST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\n\r\n{}"),
	HB("POST / HTTP/1.1\nHost: h\nX-Amz-Target: " LBT
	   "\nContent-Type: " HW_CT "\nContent-Length: 2\n\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\nX-Empty:\r\n\r\n{}"),
	HB("POST / HTTP/1.1\r\nHost: h\r\n" HEAD_REST
	   "Content-Length: 2\r\nX-Blanks: a  \t \r\n\r\n{}"),
};

Test(security, every_server_refuses_odd_methods_and_nameless_lines)
{
	const char *fake_args[] = {"--generate", "5", "--seed", "1", NULL};
	struct hw_opts o = {.deadline_ms = DEADLINE_MS};
	struct test_proc srv[2], proxy;
	struct rt_raw up;
	struct hw_result r;
	char cas[160], upurl[64];
	unsigned short ports[3];

	set_creds();
	rt_raw_start(&up, RT_RAW_ECHO_AUTH);
	snprintf(upurl, sizeof(upurl), "http://127.0.0.1:%u", up.port);
	rt_start_fake(&srv[0], fake_args);
	start_replay(&srv[1], test_src("cassettes/reference/small.json"),
		     NULL);
	in_dir(cas, sizeof(cas), "odd.json");
	rt_start_proxy(&proxy, upurl, cas, NULL);
	ports[0] = srv[0].port;
	ports[1] = srv[1].port;
	ports[2] = proxy.port;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]);
		     i++) {
			hw_exchange(ports[k], bad_heads[i].bytes,
				    bad_heads[i].len, &o, &r);
			cr_expect(refused(&r), "server %d, head %zu: %s", k, i,
				  hw_describe(&r));
			hw_result_free(&r);
		}
	cr_expect_eq(rt_raw_connections(&up), 0,
		     "record forwarded a head it should have refused");
	for (size_t i = 0; i < sizeof(fine_heads) / sizeof(fine_heads[0]);
	     i++) {
		hw_exchange(ports[0], fine_heads[i].bytes, fine_heads[i].len,
			    &o, &r);
		cr_expect(r.complete && r.status == 200,
			  "blt-fake, head %zu: %s", i, hw_describe(&r));
		hw_result_free(&r);
		hw_exchange(ports[2], fine_heads[i].bytes, fine_heads[i].len,
			    &o, &r);
		cr_expect(r.complete && r.status == 200, "record, head %zu: %s",
			  i, hw_describe(&r));
		hw_result_free(&r);
	}
	cr_expect_eq(rt_raw_connections(&up),
		     sizeof(fine_heads) / sizeof(fine_heads[0]));
	/* The same, a byte at a time: the head arrives in many reads. */
	{
		struct hw_opts slow = {.trickle_ms = 1,
				       .deadline_ms = DEADLINE_MS};

		hw_exchange(ports[0], fine_heads[2].bytes, fine_heads[2].len,
			    &slow, &r);
		cr_expect(r.complete && r.status == 200,
			  "a head a byte at a time: %s", hw_describe(&r));
		hw_result_free(&r);
		hw_exchange(ports[0], bad_heads[5].bytes, bad_heads[5].len,
			    &slow, &r);
		cr_expect(refused(&r), "a nameless line a byte at a time: %s",
			  hw_describe(&r));
		hw_result_free(&r);
	}
	test_proc_stop(&srv[0], SIGTERM);
	test_proc_stop(&srv[1], SIGTERM);
	rt_stop_proxy(&proxy);
	rt_raw_stop(&up);
}

/* ---- 1. record signs and forwards only Timestream Write ---- */

static const char *const foreign_targets[] = {
	"Foo_20200101.Bar", "Timestream_20181101X.ListBatchLoadTasks",
	"timestream_20181101.ListBatchLoadTasks", "DynamoDB_20120810.Scan",
	NULL};
#define NFOREIGN 4

Test(security, record_forwards_only_timestream_targets)
{
	const char *widen[] = {"--forward-target", "Foo_20200101.", NULL};
	struct rt_raw up;
	struct test_proc proxy;
	struct hw_result r;
	char cas[160], upurl[64], type[64];
	struct cassette *c;

	set_creds();
	rt_raw_start(&up, RT_RAW_ECHO_AUTH);
	snprintf(upurl, sizeof(upurl), "http://127.0.0.1:%u", up.port);
	in_dir(cas, sizeof(cas), "fwd.json");
	rt_start_proxy(&proxy, upurl, cas, NULL);
	/* The list's NULL end stands for a request without X-Amz-Target. */
	for (size_t i = 0; i < NFOREIGN + 1; i++) {
		send_raw(proxy.port, "/", foreign_targets[i], NULL, 0, "{}", 2,
			 &r);
		type[0] = '\0';
		hw_header(&r, "x-amzn-errortype", type, sizeof(type));
		cr_expect(r.complete && r.status == 400 &&
			      strcmp(type, "UnknownOperationException") == 0,
			  "target %s: %s",
			  foreign_targets[i] ? foreign_targets[i] : "(absent)",
			  hw_describe(&r));
		hw_result_free(&r);
	}
	cr_expect_eq(rt_raw_connections(&up), 0,
		     "a request for another service reached the upstream, "
		     "re-signed with the proxy's credentials");
	send_simple(proxy.port, "/", &r);
	cr_expect_eq(r.status, 200, "%s", hw_describe(&r));
	hw_result_free(&r);
	rt_stop_proxy(&proxy);
	c = rt_load_checked(cas);
	cr_expect_eq(cassette_count(c), 1, "only the forwarded request is "
		     "recorded");
	cassette_free(c);
	/* --forward-target widens the set. */
	in_dir(cas, sizeof(cas), "fwd2.json");
	rt_start_proxy(&proxy, upurl, cas, widen);
	send_raw(proxy.port, "/", "Foo_20200101.Bar", NULL, 0, "{}", 2, &r);
	cr_expect_eq(r.status, 200, "%s", hw_describe(&r));
	hw_result_free(&r);
	send_raw(proxy.port, "/", "Bar_20200101.Foo", NULL, 0, "{}", 2, &r);
	cr_expect_eq(r.status, 400, "%s", hw_describe(&r));
	hw_result_free(&r);
	rt_stop_proxy(&proxy);
	cr_expect_eq(rt_raw_connections(&up), 2);
	rt_raw_stop(&up);
}

/* ---- 2. credentials in the request target ---- */

#define PRESIGNED                                                              \
	"/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID            \
	"%2F20260101%2Fus-east-1%2Ftimestream%2Faws4_request&X-Amz-Date="      \
	"20260101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&"         \
	"X-Amz-Security-Token=" TOKEN "&X-Amz-Signature=" SIG "&Keep=visible"

static const char *const secret_targets[] = {
	PRESIGNED,
	"/" SECRET_URL "/x?db_password=" PASSWORD "&Api-Key=" APIKEY,
	"/?note=pre" TOKEN "post",
	"/?X%2DAmz%2DSignature=" SIG,
	"/" SECRET,
	NULL};

Test(security, credentials_in_the_request_target_are_redacted)
{
	struct test_proc fake, proxy;
	struct hw_result r;
	char cas[160], journal[176], other[160], har[160], out[160];
	char *text, *log = NULL;
	size_t len;
	int status;

	set_creds();
	rt_start_fake(&fake, NULL);
	in_dir(cas, sizeof(cas), "q.json");
	snprintf(journal, sizeof(journal), "%s.journal", cas);
	rt_start_proxy(&proxy, fake.url, cas, NULL);
	for (size_t i = 0; secret_targets[i]; i++) {
		send_simple(proxy.port, secret_targets[i], &r);
		cr_expect(r.complete, "%s: %s", secret_targets[i],
			  hw_describe(&r));
		hw_result_free(&r);
	}
	expect_file_clean(journal);
	status = test_proc_stop_log(&proxy, SIGTERM, &log);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_not_null(log);
	expect_no_secret("the record log", log, strlen(log));
	free(log);
	text = slurp(cas, &len);
	expect_no_secret(cas, text, len);
	cr_expect_not_null(strstr(text, "X-Amz-Signature=REDACTED"),
			   "the parameter is kept, its value redacted");
	cr_expect_not_null(strstr(text, "Keep=visible"),
			   "other parameters are kept");
	free(text);
	test_proc_stop(&fake, SIGTERM);

	/* blt-cassette lint finds them, and redact removes them. */
	in_dir(other, sizeof(other), "hand.json");
	write_cassette(other,
		       "/?Api-Key=" APIKEY "&db_password=" PASSWORD
		       "&X-Amz-Security-Token=" TOKEN "&Keep=visible",
		       NULL, NULL);
	{
		const char *lint[] = {"lint", other, NULL};
		const char *redact[] = {"redact", other, NULL};
		char *o = NULL;

		cr_expect_eq(run_cassette_tool(lint, &o), 1, "lint: %s", o);
		cr_expect(o && strstr(o, "/interactions/0/request/path") &&
			      strstr(o, "Api-Key"),
			  "lint does not name the parameter: %s", o);
		free(o);
		cr_expect_eq(run_cassette_tool(redact, &o), 0, "redact: %s",
			     o);
		free(o);
		expect_file_clean(other);
		text = slurp(other, NULL);
		cr_expect_not_null(strstr(text, "Keep=visible"), "%s", text);
		free(text);
		cr_expect_eq(run_cassette_tool(lint, &o), 0, "lint: %s", o);
		free(o);
	}

	/* import-har redacts a URL's query the same way. */
	in_dir(har, sizeof(har), "in.har");
	in_dir(out, sizeof(out), "from-har.json");
	write_text(har,
		   "{\"log\": {\"version\": \"1.2\", \"entries\": [{"
		   "\"request\": {\"method\": \"POST\", \"url\": "
		   "\"https://ingest.timestream.us-east-1.amazonaws.com"
		   "/?Api-Key=" APIKEY "&X-Amz-Security-Token=" TOKEN
		   "&X-Amz-Signature=" SIG "\", \"headers\": [{\"name\": "
		   "\"X-Amz-Target\", \"value\": \"" LBT "\"}], "
		   "\"postData\": {\"mimeType\": \"" HW_CT "\", \"text\": "
		   "\"{}\"}}, \"response\": {\"status\": 200, \"headers\": [], "
		   "\"content\": {\"mimeType\": \"" HW_CT "\", \"text\": "
		   "\"{\\\"BatchLoadTasks\\\": []}\"}}, \"time\": 1}]}}\n");
	{
		const char *imp[] = {"import-har", har, "-o", out, NULL};
		char *o = NULL;

		cr_expect_eq(run_cassette_tool(imp, &o), 0, "import-har: %s",
			     o);
		free(o);
		expect_file_clean(out);
	}
}

/* ---- 3. header names are tokens, values hold no CR, LF or NUL ---- */

static const struct {
	const char *bytes;
	size_t len;
} bad_headers[] = {
	HB("Cookie : session=" COOKIE "\r\n"),
	HB("Authorization\t: Bearer " COOKIE "\r\n"),
	HB("Transfer-Encoding : chunked\r\n"),
	HB("X Api Key: " APIKEY "\r\n"),
	HB("X-Key\x01: " APIKEY "\r\n"),
	HB("X-Note: a\rInjected: " COOKIE "\r\n"),
	HB("X-Note: a\0" COOKIE "\r\n"),
	HB("X-Note: \x1b]0;" COOKIE "\a\r\n"),
};
#define NBAD_HEADERS (sizeof(bad_headers) / sizeof(bad_headers[0]))

Test(security, header_names_are_tokens_and_values_are_clean)
{
	const char *fake_args[] = {"--generate", "5", "--seed", "1", NULL};
	struct rt_raw up;
	struct test_proc proxy, others[2];
	struct hw_result r;
	char cas[160], upurl[64], hand[160];
	char *log = NULL, *text;
	size_t len;
	struct cassette *c;

	set_creds();
	rt_raw_start(&up, RT_RAW_ECHO_AUTH);
	snprintf(upurl, sizeof(upurl), "http://127.0.0.1:%u", up.port);
	in_dir(cas, sizeof(cas), "hdr.json");
	rt_start_proxy(&proxy, upurl, cas, NULL);
	rt_start_fake(&others[0], fake_args);
	start_replay(&others[1], test_src("cassettes/reference/small.json"),
		     NULL);
	for (size_t i = 0; i < NBAD_HEADERS; i++) {
		unsigned short ports[3] = {proxy.port, others[0].port,
					   others[1].port};

		for (int k = 0; k < 3; k++) {
			send_raw(ports[k], "/", LBT, bad_headers[i].bytes,
				 bad_headers[i].len, "{}", 2, &r);
			cr_expect(refused(&r), "server %d, header case %zu: %s",
				  k, i, hw_describe(&r));
			hw_result_free(&r);
		}
	}
	cr_expect_eq(rt_raw_connections(&up), 0,
		     "a malformed header reached the upstream");
	send_simple(proxy.port, "/", &r);
	cr_expect_eq(r.status, 200, "%s", hw_describe(&r));
	hw_result_free(&r);
	cr_expect(WIFEXITED(test_proc_stop_log(&proxy, SIGTERM, &log)));
	cr_assert_not_null(log);
	expect_no_secret("the record log", log, strlen(log));
	free(log);
	c = rt_load_checked(cas);
	cr_expect_eq(cassette_count(c), 1, "nothing refused is recorded");
	cassette_free(c);
	text = slurp(cas, &len);
	expect_no_secret(cas, text, len);
	free(text);
	test_proc_stop(&others[0], SIGTERM);
	test_proc_stop(&others[1], SIGTERM);
	rt_raw_stop(&up);

	/* A cassette written elsewhere: lint names the header that is not a
	 * token, and redact blanks its value. */
	in_dir(hand, sizeof(hand), "hand.json");
	write_cassette(hand, "/", "cookie ", COOKIE);
	{
		const char *lint[] = {"lint", hand, NULL};
		const char *redact[] = {"redact", hand, NULL};
		char *o = NULL;

		cr_expect_eq(run_cassette_tool(lint, &o), 1, "lint: %s", o);
		cr_expect(o && strstr(o, "headers/cookie "), "lint: %s", o);
		free(o);
		cr_expect_eq(run_cassette_tool(redact, &o), 0, "%s", o);
		free(o);
		expect_file_clean(hand);
	}
}

/* ---- 4. a recorded body is what the client sent ---- */

/* Bodies one byte away from the raw ones request_bodies_are_recorded_as_sent
 * records. */
static const struct {
	const char *bytes;
	size_t len;
} near_raw[] = {
	HB("[1] "), HB("[2]"), HB(" [1]"), HB("{\"MaxResults\":1\0 }"),
	HB("\xff\xfe{ }"), HB("\xff\xfd{}"),
};

Test(security, request_bodies_are_recorded_as_sent)
{
	static const char nul_body[] = "{\"MaxResults\":1\0}";
	static const char bad_utf8[] = "\xff\xfe{}";
	struct test_proc fake, proxy, replay;
	struct hw_result r;
	char cas[160];
	struct cassette *c;
	struct blt_buf raw;
	int seen[4];

	rt_start_fake(&fake, NULL);
	in_dir(cas, sizeof(cas), "bodies.json");
	rt_start_proxy(&proxy, fake.url, cas, NULL);
	send_raw(proxy.port, "/", LBT, NULL, 0, nul_body, sizeof(nul_body) - 1,
		 &r);
	seen[0] = r.status;
	hw_result_free(&r);
	send_raw(proxy.port, "/", LBT, NULL, 0, "{\"MaxResults\":1}", 16, &r);
	seen[1] = r.status;
	hw_result_free(&r);
	send_raw(proxy.port, "/", LBT, NULL, 0, "[1]", 3, &r);
	seen[2] = r.status;
	hw_result_free(&r);
	send_raw(proxy.port, "/", LBT, NULL, 0, bad_utf8, 4, &r);
	seen[3] = r.status;
	hw_result_free(&r);
	cr_expect(seen[0] == 400 && seen[1] == 200 && seen[2] == 400 &&
		      seen[3] == 400,
		  "upstream answers %d %d %d %d", seen[0], seen[1], seen[2],
		  seen[3]);
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);

	c = rt_load_checked(cas);
	cr_assert_eq(cassette_count(c), 4);
	buf_init(&raw, 1 << 20);
	cr_expect_not_null(json_object_get(cassette_at(c, 0)->request,
					   "body_base64"),
			   "a body with a NUL byte is stored as base64");
	cr_expect_eq(cassette_body_bytes(cassette_at(c, 0)->request, &raw,
					 NULL),
		     BLT_OK);
	cr_expect(raw.len == sizeof(nul_body) - 1 &&
		      memcmp(raw.data, nul_body, raw.len) == 0,
		  "the stored bytes differ from the sent ones");
	cr_expect_not_null(json_object_get(cassette_at(c, 2)->request,
					   "body_text"),
			   "a JSON body that is not an object is raw text");
	cr_expect_not_null(json_object_get(cassette_at(c, 3)->request,
					   "body_base64"));
	buf_free(&raw);
	cassette_free(c);

	/* Replay answers each as recorded: the valid request its 200. */
	start_replay(&replay, cas, NULL);
	send_raw(replay.port, "/", LBT, NULL, 0, "{\"MaxResults\":1}", 16, &r);
	cr_expect_eq(r.status, 200, "a valid request: %s", hw_describe(&r));
	hw_result_free(&r);
	send_raw(replay.port, "/", LBT, NULL, 0, nul_body, sizeof(nul_body) - 1,
		 &r);
	cr_expect_eq(r.status, 400, "the NUL body: %s", hw_describe(&r));
	hw_result_free(&r);
	send_raw(replay.port, "/", LBT, NULL, 0, "[1]", 3, &r);
	cr_expect_eq(r.status, 400, "[1]: %s", hw_describe(&r));
	hw_result_free(&r);
	send_raw(replay.port, "/", LBT, NULL, 0, bad_utf8, 4, &r);
	cr_expect_eq(r.status, 400, "bytes: %s", hw_describe(&r));
	hw_result_free(&r);
	/* Raw bodies match byte for byte: a blank, another digit or another
	 * byte after the NUL is a different request. */
	for (size_t i = 0; i < sizeof(near_raw) / sizeof(near_raw[0]); i++) {
		char type[64] = "";

		send_raw(replay.port, "/", LBT, NULL, 0, near_raw[i].bytes,
			 near_raw[i].len, &r);
		hw_header(&r, "x-amzn-errortype", type, sizeof(type));
		cr_expect(r.status == 404 &&
			      strcmp(type, "NoMatchingInteraction") == 0,
			  "raw body %zu matched a different recorded one: %s",
			  i, hw_describe(&r));
		hw_result_free(&r);
	}
	test_proc_stop(&replay, SIGTERM);
}

/* ---- 5. file modes ---- */

/* Records one request into cas under the current umask, checking the
 * journal's mode while the recording runs. */
static void record_one(const char *upstream, const char *cas)
{
	struct test_proc proxy;
	struct hw_result r;
	char journal[200];

	snprintf(journal, sizeof(journal), "%s.journal", cas);
	rt_start_proxy(&proxy, upstream, cas, NULL);
	send_simple(proxy.port, "/", &r);
	cr_expect_eq(r.status, 200, "%s", hw_describe(&r));
	hw_result_free(&r);
	cr_expect_eq(mode_of(journal), 0600, "journal mode %o",
		     mode_of(journal));
	rt_stop_proxy(&proxy);
}

Test(security, files_follow_the_umask_and_journals_are_private)
{
	struct test_proc fake, replay;
	struct hw_result r;
	char cas[160], cas2[160], rep[160], junit[160], har[160], imp[160];

	rt_start_fake(&fake, NULL);
	in_dir(cas, sizeof(cas), "m077.json");
	in_dir(cas2, sizeof(cas2), "m002.json");
	umask(077);
	record_one(fake.url, cas);
	cr_expect_eq(mode_of(cas), 0600, "cassette mode %o under umask 077",
		     mode_of(cas));
	umask(0);
	record_one(fake.url, cas2);
	cr_expect_eq(mode_of(cas2), 0666, "cassette mode %o under umask 0",
		     mode_of(cas2));
	test_proc_stop(&fake, SIGTERM);

	umask(027);
	in_dir(rep, sizeof(rep), "report.json");
	in_dir(junit, sizeof(junit), "junit.xml");
	{
		const char *args[] = {"--report", rep, "--junit", junit, NULL};

		start_replay(&replay, cas, args);
	}
	send_simple(replay.port, "/", &r);
	hw_result_free(&r);
	test_proc_stop(&replay, SIGTERM);
	cr_expect_eq(mode_of(rep), 0640, "report mode %o", mode_of(rep));
	cr_expect_eq(mode_of(junit), 0640, "junit mode %o", mode_of(junit));
	in_dir(har, sizeof(har), "out.har");
	in_dir(imp, sizeof(imp), "back.json");
	har_round_trip(cas, har, imp);
	cr_expect_eq(mode_of(har), 0640, "HAR mode %o", mode_of(har));
	cr_expect_eq(mode_of(imp), 0640, "imported mode %o", mode_of(imp));
	/* A file that exists keeps its mode when it is rewritten. */
	cr_assert_eq(chmod(cas2, 0604), 0);
	{
		const char *red[] = {"redact", cas2, "--rule", "json:/*",
				     NULL};
		char *o = NULL;

		cr_expect_eq(run_cassette_tool(red, &o), 0, "%s", o);
		free(o);
	}
	cr_expect_eq(mode_of(cas2), 0604, "rewritten mode %o", mode_of(cas2));
}

/* A link planted where a cassette or report will be written lends the new
 * file neither its target's mode nor its set-id bits, and the target is
 * left as it was. */
Test(security, a_planted_link_lends_no_mode)
{
	struct test_proc fake, replay;
	struct hw_result r;
	char cas[160], bait[160], rep[160], bait2[160];
	struct stat sb;
	char *text;

	umask(022);
	in_dir(bait, sizeof(bait), "bait.json");
	in_dir(cas, sizeof(cas), "linked.json");
	write_text(bait, "bait\n");
	/* Another user's file where root can make one (chown clears the
	 * set-id bits, so the mode comes after it). */
	if (geteuid() == 0)
		cr_assert_eq(chown(bait, 65534, 65534), 0);
	cr_assert_eq(chmod(bait, 04777), 0);
	cr_assert_eq(symlink(bait, cas), 0);
	rt_start_fake(&fake, NULL);
	record_one(fake.url, cas);
	test_proc_stop(&fake, SIGTERM);
	cr_assert_eq(lstat(cas, &sb), 0);
	cr_expect(S_ISREG(sb.st_mode), "the cassette is still a link");
	cr_expect_eq(sb.st_mode & 07777, 0644,
		     "the cassette took mode %o from the link's target",
		     (unsigned)(sb.st_mode & 07777));
	text = slurp(bait, NULL);
	cr_expect_str_eq(text, "bait\n", "the link's target was written");
	free(text);
	cr_expect_eq(mode_of(bait), 04777);

	/* The same for a report, through a link to a file of this user's. */
	in_dir(bait2, sizeof(bait2), "bait-report.json");
	in_dir(rep, sizeof(rep), "linked-report.json");
	write_text(bait2, "bait\n");
	cr_assert_eq(chmod(bait2, 0666), 0);
	cr_assert_eq(symlink(bait2, rep), 0);
	{
		const char *args[] = {"--report", rep, NULL};

		start_replay(&replay, cas, args);
	}
	send_simple(replay.port, "/", &r);
	hw_result_free(&r);
	test_proc_stop(&replay, SIGTERM);
	cr_assert_eq(lstat(rep, &sb), 0);
	cr_expect(S_ISREG(sb.st_mode) && (sb.st_mode & 07777) == 0644,
		  "report: mode %o, %s", (unsigned)(sb.st_mode & 07777),
		  S_ISREG(sb.st_mode) ? "a file" : "not a file");
	text = slurp(bait2, NULL);
	cr_expect_str_eq(text, "bait\n", "the report's link target changed");
	free(text);
}

/* ---- 6. a planted journal ---- */

/* Runs blt-proxy record on cas (upstream: nothing) until it exits or
 * 8 s pass; returns its status and its output in *out. */
static int record_briefly(const char *cas, char **out)
{
	char bin[1024];
	char *argv[] = {bin,	      "record",		 "--listen",
			"127.0.0.1:0", "--upstream",	 "http://127.0.0.1:9",
			"--cassette", (char *)cas, NULL};

	snprintf(bin, sizeof(bin), "%s", test_bin("blt-proxy"));
	return test_run(argv, out, 8000);
}

Test(security, a_planted_journal_is_never_followed)
{
	static const char journal_text[] =
		"{\"blt_journal\":1,\"mode\":\"replace\",\"meta\":{}}\n";
	char cas[160], journal[176], elsewhere[160];
	char *out = NULL, *text;
	struct stat sb;
	int rc;

	in_dir(cas, sizeof(cas), "victim.json");
	in_dir(elsewhere, sizeof(elsewhere), "elsewhere");
	snprintf(journal, sizeof(journal), "%s.journal", cas);
	cr_assert_eq(symlink(elsewhere, journal), 0);

	rc = record_briefly(cas, &out);
	cr_expect_eq(rc, 2, "a dangling journal link: exit %d: %s", rc, out);
	cr_expect(out && strstr(out, journal), "the message names %s: %s",
		  journal, out);
	free(out);
	cr_expect_neq(access(elsewhere, F_OK), 0,
		      "the recording was written through the link");
	cr_expect(lstat(journal, &sb) == 0 && S_ISLNK(sb.st_mode),
		  "the link is left for its owner to look at");

	/* A link to an existing file: neither read nor written. */
	write_text(elsewhere, journal_text);
	rc = record_briefly(cas, &out);
	cr_expect_eq(rc, 2, "a journal link to a file: exit %d: %s", rc, out);
	free(out);
	text = slurp(elsewhere, NULL);
	cr_expect_str_eq(text, journal_text, "the link's target changed");
	free(text);
	cr_expect_neq(access(cas, F_OK), 0, "a cassette was recovered from "
		      "the link's target");
	{
		const char *rec[] = {"recover", cas, NULL};

		rc = run_cassette_tool(rec, &out);
		cr_expect_eq(rc, 2, "blt-cassette recover: exit %d: %s", rc,
			     out);
		free(out);
		cr_expect_neq(access(cas, F_OK), 0);
	}

	/* A regular journal that another user owns is not recovered. */
	unlink(journal);
	write_text(journal, journal_text);
	if (geteuid() != 0) {
		cr_log_warn("not root: the other-owner case needs chown");
		return;
	}
	cr_assert_eq(chown(journal, 65534, 65534), 0);
	rc = record_briefly(cas, &out);
	cr_expect_eq(rc, 2, "a journal owned by another user: exit %d: %s",
		     rc, out);
	cr_expect(out && strstr(out, "owned"), "%s", out);
	free(out);
	cr_expect_neq(access(cas, F_OK), 0, "it was recovered");
}

/* ---- 7. client bytes are escaped in logs and reports ---- */

Test(security, client_bytes_are_escaped_in_logs_and_reports)
{
	static const char esc_body[] =
		"{\"NextToken\":\"\\u001b]0;owned\\u0007\","
		"\"TaskStatus\":\"\\u001b[2J\"}";
	struct test_proc replay, fake, proxy;
	struct hw_result r;
	char rep[160], junit[160], cas[160];
	char *log = NULL, *text;
	size_t len;
	long at;

	in_dir(rep, sizeof(rep), "esc-report.json");
	in_dir(junit, sizeof(junit), "esc-junit.xml");
	{
		const char *args[] = {"--report", rep, "--junit", junit, NULL};

		start_replay(&replay,
			     test_src("cassettes/reference/small.json"), args);
	}
	send_raw(replay.port, "/", LBT, NULL, 0, esc_body, strlen(esc_body),
		 &r);
	hw_result_free(&r);
	send_raw(replay.port, "/", "Timestream_20181101.\xc2\x9b" "31m", NULL,
		 0, "{}", 2, &r);
	hw_result_free(&r);
	send_raw(replay.port, "/", LBT, "Content-Type: text/\x9b" "2J\r\n",
		 strlen("Content-Type: text/\x9b" "2J\r\n"), "{}", 2, &r);
	hw_result_free(&r);
	test_proc_stop_log(&replay, SIGTERM, &log);
	cr_assert_not_null(log);
	at = first_raw_byte(log, strlen(log));
	cr_expect_eq(at, -1, "replay's log holds a raw byte 0x%02x at %ld",
		     at >= 0 ? (unsigned char)log[at] : 0, at);
	cr_expect_not_null(strstr(log, "\\x1b"), "the escape is shown as "
			   "\\x1b: %s", log);
	free(log);
	text = slurp(rep, &len);
	at = first_raw_byte(text, len);
	cr_expect_eq(at, -1, "the report holds a raw byte 0x%02x at %ld",
		     at >= 0 ? (unsigned char)text[at] : 0, at);
	free(text);
	text = slurp(junit, &len);
	at = first_raw_byte(text, len);
	cr_expect_eq(at, -1, "the JUnit file holds a raw byte 0x%02x at %ld",
		     at >= 0 ? (unsigned char)text[at] : 0, at);
	free(text);

	/* record quotes a refused target escaped. */
	rt_start_fake(&fake, NULL);
	in_dir(cas, sizeof(cas), "esc.json");
	rt_start_proxy(&proxy, fake.url, cas, NULL);
	send_raw(proxy.port, "/", "Evil\xc2\x9b[2J", NULL, 0, "{}", 2, &r);
	hw_result_free(&r);
	test_proc_stop_log(&proxy, SIGTERM, &log);
	cr_assert_not_null(log);
	at = first_raw_byte(log, strlen(log));
	cr_expect_eq(at, -1, "record's log holds a raw byte at %ld: %s", at,
		     log);
	free(log);
	test_proc_stop(&fake, SIGTERM);
}

/* ---- 8. the near-miss explanation is bounded ---- */

#define BIG_CASSETTE 100000

/* Writes a cassette of n ListBatchLoadTasks interactions, each with its
 * own body. */
static void write_big_cassette(const char *path, size_t n)
{
	struct blt_buf b;
	FILE *f;

	buf_init(&b, (size_t)256 << 20);
	buf_puts(&b,
		 "{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
		 "\"2026-01-01T00:00:00.000Z\",\"upstream\":\"http://h\","
		 "\"tool\":\"test\"},\"interactions\":[",
		 NULL);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, NULL,
			   "%s{\"id\":%zu,\"request\":{\"method\":\"POST\","
			   "\"path\":\"/\",\"operation\":\"ListBatchLoadTasks\","
			   "\"headers\":{\"x-amz-target\":\"" LBT "\"},"
			   "\"body\":{\"MaxResults\":%zu,\"Pad\":%zu}},"
			   "\"response\":{\"status\":200,\"headers\":{},"
			   "\"body\":{\"BatchLoadTasks\":[]}},"
			   "\"token_from\":null}",
			   i ? "," : "", i + 1, i % 100 + 1, i);
	buf_puts(&b, "]}\n", NULL);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(b.data, 1, b.len, f), b.len);
	cr_assert_eq(fclose(f), 0);
	buf_free(&b);
}

Test(security, the_near_miss_search_is_bounded)
{
	struct test_proc replay;
	struct hw_result r;
	struct blt_buf body;
	char cas[160], type[64];
	const char *msg;
	size_t first = 0, total = 0;

	in_dir(cas, sizeof(cas), "big.json");
	write_big_cassette(cas, BIG_CASSETTE);
	start_replay(&replay, cas, NULL);
	/* An unmatched body of just under 1 MiB, within the bounds of the
	 * input (a body beyond them is matched as bytes: next test). */
	buf_init(&body, (size_t)2 << 20);
	buf_puts(&body, "{\"MaxResults\":1,\"Note\":\"", NULL);
	while (body.len < 1048000)
		buf_puts(&body, "xxxxxxxxxxxxxxxx", NULL);
	buf_puts(&body, "\"}", NULL);
	send_raw(replay.port, "/", LBT, NULL, 0, body.data, body.len, &r);
	type[0] = '\0';
	hw_header(&r, "x-amzn-errortype", type, sizeof(type));
	cr_expect(r.complete && r.status == 404 &&
		      strcmp(type, "NoMatchingInteraction") == 0,
		  "%s", hw_describe(&r));
	msg = r.body ? strstr(r.body, "closest among the first ") : NULL;
	cr_expect(msg && sscanf(msg, "closest among the first %zu of %zu",
				&first, &total) == 2,
		  "the message says how far the search went: %.300s",
		  r.body ? r.body : "");
	cr_expect(first > 0 && first < total && total == BIG_CASSETTE,
		  "compared %zu of %zu", first, total);
	hw_result_free(&r);
	buf_free(&body);
	test_proc_stop(&replay, SIGTERM);
}

/* A body of just under 1 MiB made of ~100,000 members (compact). */
static void many_members(struct blt_buf *b)
{
	buf_init(b, (size_t)2 << 20);
	buf_puts(b, "{\"MaxResults\":1", NULL);
	for (size_t i = 0; b->len < 1048000; i++)
		buf_printf(b, NULL, ",\"m%zu\":0", i);
	buf_puts(b, "}", NULL);
}

/* Sends body to the replay; the status and, for a miss, the message. */
static int ask(unsigned short port, const char *body, size_t len,
	       char *msg, size_t msglen)
{
	struct hw_result r;
	int status;

	send_raw(port, "/", LBT, NULL, 0, body, len, &r);
	cr_assert(r.complete, "%s", hw_describe(&r));
	status = r.status;
	snprintf(msg, msglen, "%s", r.body ? r.body : "");
	hw_result_free(&r);
	return status;
}

Test(security, a_body_beyond_the_input_matches_as_bytes)
{
	struct test_proc replay;
	static const char small[] =
		"{ \"TaskStatus\": \"CREATED\", \"MaxResults\": 5 }";
	struct blt_buf big, cas_text;
	char cas[160], msg[2048];
	FILE *f;

	in_dir(cas, sizeof(cas), "beyond.json");
	many_members(&big);
	/* Interaction 1 holds the big body as JSON (as a generated cassette
	 * or an older recording does), 2 a small one. */
	buf_init(&cas_text, (size_t)4 << 20);
	buf_printf(&cas_text, NULL,
		   "{\"blt_cassette\":1,\"meta\":{\"recorded_at\":"
		   "\"2026-01-01T00:00:00.000Z\",\"upstream\":\"http://h\","
		   "\"tool\":\"test\"},\"interactions\":["
		   "{\"id\":1,\"request\":{\"method\":\"POST\",\"path\":\"/\","
		   "\"operation\":\"ListBatchLoadTasks\",\"headers\":{"
		   "\"x-amz-target\":\"" LBT "\"},\"body\":%s},"
		   "\"response\":{\"status\":200,\"headers\":{},"
		   "\"body\":{\"BatchLoadTasks\":[]}},\"token_from\":null},"
		   "{\"id\":2,\"request\":{\"method\":\"POST\",\"path\":\"/\","
		   "\"operation\":\"ListBatchLoadTasks\",\"headers\":{"
		   "\"x-amz-target\":\"" LBT "\"},\"body\":{\"MaxResults\":5,"
		   "\"TaskStatus\":\"CREATED\"}},"
		   "\"response\":{\"status\":200,\"headers\":{},"
		   "\"body\":{\"BatchLoadTasks\":[]}},\"token_from\":null}]}\n",
		   big.data);
	f = fopen(cas, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(cas_text.data, 1, cas_text.len, f), cas_text.len);
	cr_assert_eq(fclose(f), 0);
	buf_free(&cas_text);
	start_replay(&replay, cas, NULL);

	cr_expect_eq(ask(replay.port, big.data, big.len, msg, sizeof(msg)),
		     200, "the recorded big body matches itself: %.400s", msg);
	/* One byte different, in the middle: a miss naming interaction 1. */
	big.data[big.len / 2] = big.data[big.len / 2] == '1' ? '2' : '1';
	cr_expect_eq(ask(replay.port, big.data, big.len, msg, sizeof(msg)),
		     404, "%.400s", msg);
	cr_expect(strstr(msg, "NoMatchingInteraction") &&
			  strstr(msg, "closest: interaction 1 of ") &&
			  strstr(msg, "first difference at byte"),
		  "the miss names the closest request: %.600s", msg);
	/* A small body still matches by its canonical form. */
	cr_expect_eq(ask(replay.port, small, strlen(small), msg, sizeof(msg)),
		     200, "a small body in another order: %.400s", msg);
	buf_free(&big);
	test_proc_stop(&replay, SIGTERM);
}

/* ---- logs cannot be flooded ---- */

#define FLOOD 60

Test(security, a_log_flood_is_counted_and_the_report_keeps_all)
{
	struct test_proc replay;
	struct hw_result r;
	char rep[160];
	char *log = NULL, *text;
	const char *p;
	size_t lines = 0, in_report = 0;
	json_t *doc, *v;
	size_t i;

	in_dir(rep, sizeof(rep), "flood.json");
	{
		const char *args[] = {"--report", rep, NULL};

		start_replay(&replay,
			     test_src("cassettes/reference/small.json"), args);
	}
	for (int k = 0; k < FLOOD; k++) {
		send_simple(replay.port, "/", &r);
		cr_expect(r.complete, "%s", hw_describe(&r));
		hw_result_free(&r);
	}
	test_proc_stop_log(&replay, SIGTERM, &log);
	cr_assert_not_null(log);
	for (p = log; (p = strstr(p, "CLIENT-SIGV4: request")); p++)
		lines++;
	cr_expect(lines >= 1 && lines <= 5,
		  "%zu CLIENT-SIGV4 lines for %d unsigned requests", lines,
		  FLOOD);
	cr_expect_not_null(strstr(log, "CLIENT-SIGV4: 55 more"),
			   "the summary counts the rest: %s", log);
	free(log);
	text = slurp(rep, NULL);
	doc = json_loads(text, 0, NULL);
	cr_assert_not_null(doc);
	json_array_foreach(json_object_get(doc, "violations"), i, v)
		in_report += strcmp(json_string_value(json_object_get(v,
								     "rule")),
				    "CLIENT-SIGV4") == 0;
	cr_expect_eq(in_report, FLOOD, "the report keeps %zu of %d",
		     in_report, FLOOD);
	json_decref(doc);
	free(text);
}

/* ---- every output, searched for every planted secret ---- */

#define SIGNED_HEADERS                                                         \
	"X-Api-Key: " APIKEY "\r\nCookie: session=" COOKIE                     \
	"\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" AKID                 \
	"/20260101/us-east-1/timestream/aws4_request, SignedHeaders=host, "    \
	"Signature=" SIG "\r\nX-Amz-Date: 20260101T000000Z\r\n"

/* Sends the requests that carry the planted secrets to port. */
static void send_planted(unsigned short port)
{
	static const char *const bodies[] = {
		"{}", "{\"MaxResults\":5}", "{\"NextToken\":\"" SECRET "\"}",
		"{\"MaxResults\":5,\"Note\":\"" TOKEN "\"}"};
	struct hw_result r;

	for (size_t i = 0; secret_targets[i]; i++) {
		send_simple(port, secret_targets[i], &r);
		hw_result_free(&r);
	}
	for (size_t i = 0; i < 4; i++) {
		send_raw(port, "/", LBT, SIGNED_HEADERS,
			 strlen(SIGNED_HEADERS), bodies[i], strlen(bodies[i]),
			 &r);
		hw_result_free(&r);
	}
	send_raw(port, "/", "Timestream_20181101." TOKEN, NULL, 0, "{}", 2,
		 &r);
	hw_result_free(&r);
	send_raw(port, "/", LBT, "Content-Type: " TOKEN "\r\n",
		 strlen("Content-Type: " TOKEN "\r\n"), "{}", 2, &r);
	hw_result_free(&r);
	send_simple(port, "/?X-Amz-Security-Token=" TOKEN "&bad=\x01", &r);
	hw_result_free(&r);
}

Test(security, no_planted_secret_reaches_any_output)
{
	struct test_proc fake, proxy, replay;
	char cas[160], journal[176], down[160], har[160], rep[160];
	char junit[160], imp[160];
	char *log = NULL;

	set_creds();
	rt_start_fake(&fake, NULL);
	in_dir(cas, sizeof(cas), "all.json");
	snprintf(journal, sizeof(journal), "%s.journal", cas);
	rt_start_proxy(&proxy, fake.url, cas, NULL);
	send_planted(proxy.port);
	expect_file_clean(journal);
	test_proc_stop_log(&proxy, SIGTERM, &log);
	cr_assert_not_null(log);
	expect_no_secret("the record log", log, strlen(log));
	free(log);
	expect_file_clean(cas);
	test_proc_stop(&fake, SIGTERM);

	/* An upstream that is down: the errors name no secret either. */
	{
		char url[64];

		snprintf(url, sizeof(url), "http://127.0.0.1:%u",
			 rt_closed_port());
		in_dir(down, sizeof(down), "down.json");
		rt_start_proxy(&proxy, url, down, NULL);
		send_planted(proxy.port);
		test_proc_stop_log(&proxy, SIGTERM, &log);
		cr_assert_not_null(log);
		expect_no_secret("the record log (upstream down)", log,
				 strlen(log));
		free(log);
	}

	in_dir(har, sizeof(har), "all.har");
	in_dir(imp, sizeof(imp), "all-back.json");
	har_round_trip(cas, har, imp);
	expect_file_clean(har);
	expect_file_clean(imp);

	in_dir(rep, sizeof(rep), "all-report.json");
	in_dir(junit, sizeof(junit), "all-junit.xml");
	{
		const char *args[] = {"--report", rep, "--junit", junit, NULL};

		start_replay(&replay, cas, args);
	}
	send_planted(replay.port);
	test_proc_stop_log(&replay, SIGTERM, &log);
	cr_assert_not_null(log);
	expect_no_secret("the replay log", log, strlen(log));
	free(log);
	expect_file_clean(rep);
	expect_file_clean(junit);
}
