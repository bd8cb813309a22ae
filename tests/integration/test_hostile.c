/* Hostile input against each server (blt-fake, blt-proxy replay, blt-proxy
 * record in front of blt-fake), over raw sockets: every case gets a 4xx or
 * a clean close within a deadline that only detects hangs, never a 5xx, and
 * the server still answers a normal request afterwards. Record mode must not
 * write anything garbage into its cassette. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "blt/buf.h"
#include "blt/cassette.h"
#include "hostile_wire.h"
#include "record_test.h"

#define MARK "X-Hostile-Case"
#define NORMAL_BODY "{}"
/* A hang detector, not a speed requirement: the servers' idle connection
 * timeout (30 s) plus a margin, since a server may only notice a client
 * that stopped mid-request when that timeout strikes. */
#define DEADLINE_MS 40000
#define BIG ((size_t)2 << 20)

enum server { SRV_FAKE = 1, SRV_REPLAY = 2, SRV_RECORD = 4 };
#define SRV_ALL (SRV_FAKE | SRV_REPLAY | SRV_RECORD)

/* What a case must get. */
enum expect {
	EX_4XX,		 /* a whole 4xx response */
	EX_4XX_OR_CLOSE, /* that, or a close with no response at all */
	EX_413,		 /* a whole 413 */
	EX_200,		 /* a whole 200 (well-formed, if unusual, requests) */
	EX_NO5XX	 /* a whole response below 500, or a bare close */
};

/* A case's bytes; mk is the marker header line to include (CRLF-ended). */
typedef char *(*build_fn)(const char *mk, size_t *len);

struct hcase {
	const char *name;
	build_fn build;
	enum expect expect;
	bool shut_wr;
};

/* ---- builders ---- */

static struct blt_buf bb;

static void bb_start(void)
{
	buf_init(&bb, 8 << 20);
}

static char *bb_take(size_t *len)
{
	*len = bb.len;
	return buf_take(&bb);
}

static void bb_repeat(const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		cr_assert_eq(buf_puts(&bb, s, NULL), BLT_OK);
}

/* A normal ListBatchLoadTasks request with mk and extra header lines. */
static char *post(const char *mk, const char *extra, const char *body,
		  size_t blen, size_t *len)
{
	char headers[4096];

	snprintf(headers, sizeof(headers), "%s%s", mk, extra ? extra : "");
	return hw_request(headers, body, blen, len);
}

static char *post_text(const char *mk, const char *body, size_t *len)
{
	return post(mk, NULL, body, strlen(body), len);
}

/* Request head without Content-Length; the caller adds framing. */
static void bb_head(const char *mk, const char *extra)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		   "Content-Type: " HW_CT "\r\nX-Amz-Target: " HW_TARGET_LBT
		   "\r\n%s%s",
		   mk, extra ? extra : "");
}

static char *b_malformed_json(const char *mk, size_t *len)
{
	return post_text(mk, "{\"MaxResults\":", len);
}

static char *b_json_not_object(const char *mk, size_t *len)
{
	return post_text(mk, "[1,2,3]", len);
}

static char *b_nul_in_body(const char *mk, size_t *len)
{
	return post(mk, NULL, "{\"MaxResults\":1\0}", 17, len);
}

static char *b_utf8_body(const char *mk, size_t *len)
{
	return post_text(mk, "{\"TaskStatus\":\"CREA\xff\xfe\xc0\xafTED\"}",
			 len);
}

static char *b_utf8_header(const char *mk, size_t *len)
{
	return post(mk, "X-Blt-Junk: \xff\xfe\xc0\xaf\xed\xa0\x80\r\n",
		    NORMAL_BODY, 2, len);
}

static char *b_utf8_target(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: " HW_CT
		   "\r\nX-Amz-Target: Timestream_20181101.ListBatch\xff\xfe"
		   "LoadTasks\r\n%sContent-Length: 2\r\n\r\n{}",
		   mk);
	return bb_take(len);
}

static char *b_long_utf8_target(const char *mk, size_t *len)
{
	bb_start();
	buf_puts(&bb,
		 "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: " HW_CT
		 "\r\nX-Amz-Target: Timestream_20181101.x",
		 NULL);
	bb_repeat("\xe2\x82\xac", 100); /* U+20AC, valid UTF-8 */
	buf_printf(&bb, NULL, "\r\n%sContent-Length: 2\r\n\r\n{}", mk);
	return bb_take(len);
}

static char *b_utf8_path(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST /\xff\xfe/%%ff HTTP/1.1\r\nHost: x\r\n"
		   "Content-Type: " HW_CT "\r\nX-Amz-Target: " HW_TARGET_LBT
		   "\r\n%sContent-Length: 2\r\n\r\n{}",
		   mk);
	return bb_take(len);
}

static char *b_deep_open(const char *mk, size_t *len)
{
	char *body = malloc(100000);
	char *out;

	memset(body, '[', 100000);
	out = post(mk, NULL, body, 100000, len);
	free(body);
	return out;
}

static char *b_deep_closed(const char *mk, size_t *len)
{
	char *body = malloc(200000);
	char *out;

	memset(body, '[', 100000);
	memset(body + 100000, ']', 100000);
	out = post(mk, NULL, body, 200000, len);
	free(body);
	return out;
}

static char *b_deep_object(const char *mk, size_t *len)
{
	struct blt_buf b;
	char *out;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 50000; i++)
		buf_puts(&b, "{\"a\":", NULL);
	out = post(mk, NULL, b.data, b.len, len);
	buf_free(&b);
	return out;
}

static char *b_deep_member(const char *mk, size_t *len)
{
	char *body = malloc(100014);
	char *out;

	memcpy(body, "{\"MaxResults\":", 14);
	memset(body + 14, '[', 100000);
	out = post(mk, NULL, body, 100014, len);
	free(body);
	return out;
}

static char *b_huge_float(const char *mk, size_t *len)
{
	return post_text(mk, "{\"MaxResults\":1e400}", len);
}

static char *b_tiny_float(const char *mk, size_t *len)
{
	return post_text(mk, "{\"MaxResults\":1e-400}", len);
}

/* {"MaxResults":<sign><400 digits>} */
static char *digits_body(const char *mk, const char *sign, size_t *len)
{
	char body[512];
	size_t n;

	n = (size_t)snprintf(body, sizeof(body), "{\"MaxResults\":%s", sign);
	memset(body + n, '9', 400);
	memcpy(body + n + 400, "}", 2);
	return post_text(mk, body, len);
}

static char *b_huge_int(const char *mk, size_t *len)
{
	return digits_body(mk, "", len);
}

static char *b_huge_negative(const char *mk, size_t *len)
{
	return digits_body(mk, "-", len);
}

static char *b_huge_unknown_member(const char *mk, size_t *len)
{
	return post_text(mk, "{\"Other\":1e400,\"More\":-1e999}", len);
}

/* {"Pad":"xxxx...","MaxResults":1} of n bytes in all. */
static char *big_body(size_t n)
{
	char *body = malloc(n);

	memcpy(body, "{\"Pad\":\"", 8);
	memset(body + 8, 'x', n - 8);
	memcpy(body + n - 17, "\",\"MaxResults\":1}", 17);
	return body;
}

static char *b_oversized(const char *mk, size_t *len)
{
	char *body = big_body(BIG);
	char *out = post(mk, NULL, body, BIG, len);

	free(body);
	return out;
}

static char *b_oversized_expect(const char *mk, size_t *len)
{
	bb_head(mk, "Expect: 100-continue\r\n");
	buf_printf(&bb, NULL, "Content-Length: %zu\r\n\r\n", BIG);
	return bb_take(len);
}

static char *b_oversized_chunked(const char *mk, size_t *len)
{
	char *body = big_body(BIG);

	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\n");
	for (size_t off = 0; off < BIG; off += 65536) {
		buf_printf(&bb, NULL, "%x\r\n", 65536);
		buf_append(&bb, body + off, 65536, NULL);
		buf_puts(&bb, "\r\n", NULL);
	}
	buf_puts(&bb, "0\r\n\r\n", NULL);
	free(body);
	return bb_take(len);
}

static char *b_cl_bigger(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 100\r\n\r\n{}");
	return bb_take(len);
}

static char *b_cl_smaller(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 2\r\n\r\n{\"MaxResults\":1}");
	return bb_take(len);
}

static char *b_cl_negative(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: -1\r\n\r\n{}");
	return bb_take(len);
}

static char *b_cl_not_number(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: two\r\n\r\n{}");
	return bb_take(len);
}

static char *b_cl_huge(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 99999999999999999999999\r\n\r\n{}");
	return bb_take(len);
}

static char *b_chunked_valid(const char *mk, size_t *len)
{
	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\n"
		    "1\r\n{\r\n1;ext=1\r\n}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_chunked_bad_size(const char *mk, size_t *len)
{
	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_chunked_huge_size(const char *mk, size_t *len)
{
	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\n"
		    "ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_chunked_negative(const char *mk, size_t *len)
{
	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_chunked_short(const char *mk, size_t *len)
{
	bb_head(mk, "Transfer-Encoding: chunked\r\n\r\na\r\n{}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_chunked_and_length(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "2\r\n{}\r\n0\r\n\r\n");
	return bb_take(len);
}

static char *b_dup_target_same(const char *mk, size_t *len)
{
	return post(mk, "X-Amz-Target: " HW_TARGET_LBT "\r\n", NORMAL_BODY, 2,
		    len);
}

static char *b_dup_target_differ(const char *mk, size_t *len)
{
	return post(mk,
		    "X-Amz-Target: Timestream_20181101.DescribeEndpoints\r\n",
		    NORMAL_BODY, 2, len);
}

static char *b_dup_length_same(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
	return bb_take(len);
}

static char *b_dup_length_differ(const char *mk, size_t *len)
{
	bb_head(mk, "Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}");
	return bb_take(len);
}

static char *b_http10_no_host(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST / HTTP/1.0\r\nContent-Type: " HW_CT
		   "\r\nX-Amz-Target: " HW_TARGET_LBT
		   "\r\n%sContent-Length: 2\r\n\r\n{}",
		   mk);
	return bb_take(len);
}

static char *b_http11_no_host(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST / HTTP/1.1\r\nContent-Type: " HW_CT
		   "\r\nX-Amz-Target: " HW_TARGET_LBT
		   "\r\n%sContent-Length: 2\r\n\r\n{}",
		   mk);
	return bb_take(len);
}

static char *b_get(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL, "GET /?x=%%ff%%00 HTTP/1.1\r\nHost: x\r\n%s\r\n",
		   mk);
	return bb_take(len);
}

static char *b_garbage_binary(const char *mk, size_t *len)
{
	static const char g[] = "\x00\x01\x02\xff\xfe garbage \x7f\r\n\r\n\x80";

	(void)mk;
	bb_start();
	buf_append(&bb, g, sizeof(g) - 1, NULL);
	return bb_take(len);
}

static char *b_garbage_text(const char *mk, size_t *len)
{
	(void)mk;
	bb_start();
	buf_puts(&bb, "hello there, this is not HTTP\r\n\r\n", NULL);
	return bb_take(len);
}

static char *b_tls_hello(const char *mk, size_t *len)
{
	static const char g[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
				"0123456789abcdef0123456789abcdef\x00\x00";

	(void)mk;
	bb_start();
	buf_append(&bb, g, sizeof(g) - 1, NULL);
	return bb_take(len);
}

static char *b_long_line(const char *mk, size_t *len)
{
	bb_start();
	buf_puts(&bb, "POST /", NULL);
	bb_repeat("aaaaaaaaaa", 10000);
	buf_printf(&bb, NULL,
		   " HTTP/1.1\r\nHost: x\r\n%sContent-Length: 2\r\n\r\n{}", mk);
	return bb_take(len);
}

static char *b_long_header(const char *mk, size_t *len)
{
	bb_head(mk, "X-Long: ");
	bb_repeat("bbbbbbbbbb", 10000);
	buf_puts(&bb, "\r\nContent-Length: 2\r\n\r\n{}", NULL);
	return bb_take(len);
}

static char *b_many_headers(const char *mk, size_t *len)
{
	bb_head(mk, NULL);
	for (int i = 0; i < 1000; i++)
		buf_printf(&bb, NULL, "X-H%d: v%d\r\n", i, i);
	buf_puts(&bb, "Content-Length: 2\r\n\r\n{}", NULL);
	return bb_take(len);
}

static char *b_no_colon(const char *mk, size_t *len)
{
	bb_head(mk, "ThisHeaderHasNoColon\r\nContent-Length: 2\r\n\r\n{}");
	return bb_take(len);
}

static char *b_bare_lf(const char *mk, size_t *len)
{
	bb_start();
	buf_printf(&bb, NULL,
		   "POST / HTTP/1.1\nHost: x\nContent-Type: " HW_CT
		   "\nX-Amz-Target: " HW_TARGET_LBT
		   "\n%sContent-Length: 2\n\n{}",
		   mk);
	return bb_take(len);
}

static char *b_nul_in_header(const char *mk, size_t *len)
{
	bb_head(mk, NULL);
	buf_append(&bb, "X-Nul: a\0b\r\nContent-Length: 2\r\n\r\n{}", 36, NULL);
	return bb_take(len);
}

static char *b_empty_body(const char *mk, size_t *len)
{
	return post(mk, NULL, "", 0, len);
}

static char *b_normal(const char *mk, size_t *len)
{
	return post_text(mk, NORMAL_BODY, len);
}

static char *b_garbage_after(const char *mk, size_t *len)
{
	char *first = post_text(mk, NORMAL_BODY, len);

	bb_start();
	buf_append(&bb, first, *len, NULL);
	buf_puts(&bb, "\x01\x02 not a second request\r\n\r\n", NULL);
	free(first);
	return bb_take(len);
}

static const struct hcase cases[] = {
    {"malformed_json", b_malformed_json, EX_4XX, false},
    {"json_not_object", b_json_not_object, EX_4XX, false},
    {"nul_in_body", b_nul_in_body, EX_4XX, false},
    {"invalid_utf8_body", b_utf8_body, EX_4XX, false},
    {"invalid_utf8_header_value", b_utf8_header, EX_NO5XX, false},
    {"invalid_utf8_target", b_utf8_target, EX_4XX, false},
    {"long_utf8_target", b_long_utf8_target, EX_4XX, false},
    {"invalid_utf8_path", b_utf8_path, EX_NO5XX, false},
    {"deep_nesting_unclosed", b_deep_open, EX_4XX, false},
    {"deep_nesting_closed", b_deep_closed, EX_4XX, false},
    {"deep_nesting_objects", b_deep_object, EX_4XX, false},
    {"deep_nesting_in_member", b_deep_member, EX_4XX, false},
    {"number_1e400", b_huge_float, EX_4XX, false},
    {"number_1e-400", b_tiny_float, EX_4XX, false},
    {"integer_400_digits", b_huge_int, EX_4XX, false},
    {"integer_minus_400_digits", b_huge_negative, EX_4XX, false},
    {"huge_numbers_unknown_members", b_huge_unknown_member, EX_4XX, false},
    {"body_2mib", b_oversized, EX_413, false},
    {"body_2mib_expect_continue", b_oversized_expect, EX_413, false},
    {"body_2mib_chunked", b_oversized_chunked, EX_413, false},
    {"content_length_bigger_then_close", b_cl_bigger, EX_4XX_OR_CLOSE, true},
    {"content_length_smaller", b_cl_smaller, EX_4XX, false},
    {"content_length_negative", b_cl_negative, EX_4XX_OR_CLOSE, true},
    {"content_length_not_a_number", b_cl_not_number, EX_4XX_OR_CLOSE, true},
    {"content_length_huge", b_cl_huge, EX_4XX_OR_CLOSE, true},
    {"chunked_valid", b_chunked_valid, EX_200, false},
    {"chunked_bad_size", b_chunked_bad_size, EX_4XX_OR_CLOSE, true},
    {"chunked_huge_size", b_chunked_huge_size, EX_4XX_OR_CLOSE, true},
    {"chunked_negative_size", b_chunked_negative, EX_4XX_OR_CLOSE, true},
    {"chunked_short_chunk", b_chunked_short, EX_4XX_OR_CLOSE, true},
    {"chunked_and_content_length", b_chunked_and_length, EX_NO5XX, true},
    {"duplicate_target_same", b_dup_target_same, EX_4XX, false},
    {"duplicate_target_different", b_dup_target_differ, EX_4XX, false},
    {"duplicate_content_length_same", b_dup_length_same, EX_4XX, false},
    {"duplicate_content_length_different", b_dup_length_differ, EX_4XX_OR_CLOSE,
     true},
    {"http10_without_host", b_http10_no_host, EX_200, false},
    {"http11_without_host", b_http11_no_host, EX_NO5XX, false},
    {"get_with_bad_query", b_get, EX_4XX, false},
    {"garbage_binary", b_garbage_binary, EX_4XX_OR_CLOSE, true},
    {"garbage_text", b_garbage_text, EX_4XX_OR_CLOSE, true},
    {"tls_client_hello", b_tls_hello, EX_4XX_OR_CLOSE, true},
    {"request_line_100kb", b_long_line, EX_4XX_OR_CLOSE, false},
    {"header_value_100kb", b_long_header, EX_4XX_OR_CLOSE, false},
    {"headers_1000", b_many_headers, EX_4XX_OR_CLOSE, false},
    {"header_without_colon", b_no_colon, EX_4XX_OR_CLOSE, false},
    {"bare_lf_line_ends", b_bare_lf, EX_NO5XX, false},
    {"nul_in_header", b_nul_in_header, EX_NO5XX, false},
    {"empty_body", b_empty_body, EX_200, false},
    {"half_closed", b_normal, EX_200, true},
    {"garbage_after_a_request", b_garbage_after, EX_200, false},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- the servers ---- */

struct target {
	enum server kind;
	struct test_proc proc;
	struct test_proc fake; /* record's upstream */
	char dir[64];
	char cassette[128];
	/* record: what each case's client saw, to check the cassette */
	int seen_status[NCASES];
	bool seen_whole[NCASES];
};

static const char *server_name(enum server s)
{
	return s == SRV_FAKE	 ? "blt-fake"
	       : s == SRV_REPLAY ? "blt-proxy replay"
				 : "blt-proxy record";
}

static void target_start(struct target *t, enum server kind)
{
	const char *fake_args[] = {"--generate", "20", "--seed", "1", NULL};
	char bin[1024];

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	if (kind == SRV_FAKE) {
		rt_start_fake(&t->proc, fake_args);
	} else if (kind == SRV_REPLAY) {
		char cas[1024];
		char *argv[] = {bin,	       "replay",     "--listen",
				"127.0.0.1:0", "--cassette", cas,
				NULL};

		snprintf(bin, sizeof(bin), "%s", test_bin("blt-proxy"));
		snprintf(cas, sizeof(cas), "%s",
			 test_src("cassettes/reference/small.json"));
		cr_assert(test_proc_start(&t->proc, argv, 20000),
			  "blt-proxy replay did not start");
	} else {
		rt_tmpdir(t->dir, sizeof(t->dir));
		snprintf(t->cassette, sizeof(t->cassette), "%s/hostile.json",
			 t->dir);
		rt_start_fake(&t->fake, fake_args);
		rt_start_proxy(&t->proc, t->fake.url, t->cassette, NULL);
	}
}

static void target_stop(struct target *t)
{
	int status = test_proc_stop(&t->proc, SIGTERM);

	cr_expect(WIFEXITED(status), "%s died (status %d)",
		  server_name(t->kind), status);
	if (t->kind == SRV_RECORD)
		test_proc_stop(&t->fake, SIGTERM);
}

/* ---- running cases ---- */

/* Whether r is what expect asks for. */
static bool meets(const struct hw_result *r, enum expect expect)
{
	bool bare_close = r->closed && r->status == 0;
	bool whole4xx = r->complete && r->status >= 400 && r->status < 500;

	if (r->hung)
		return false;
	switch (expect) {
	case EX_4XX:
		return whole4xx;
	case EX_4XX_OR_CLOSE:
		return whole4xx || bare_close;
	case EX_413:
		return r->complete && r->status == 413;
	case EX_200:
		return r->complete && r->status == 200;
	case EX_NO5XX:
		return (r->complete && r->status >= 200 && r->status < 500) ||
		       bare_close;
	}
	return false;
}

/* A normal request on a fresh connection must get a whole 200. */
static void expect_still_serving(const struct target *t, const char *after)
{
	char mk[128];
	size_t len;
	char *req;
	struct hw_result r;
	struct hw_opts o = {.deadline_ms = DEADLINE_MS};

	snprintf(mk, sizeof(mk), MARK ": after-%s\r\n", after);
	req = post_text(mk, NORMAL_BODY, &len);
	hw_exchange(t->proc.port, req, len, &o, &r);
	cr_expect(r.complete && r.status == 200,
		  "%s: after %s, a normal request got %s", server_name(t->kind),
		  after, hw_describe(&r));
	hw_result_free(&r);
	free(req);
}

/* Sends case i and checks the answer and that the server still serves;
 * returns whether the case met its expectation. */
static bool run_case(struct target *t, size_t i)
{
	const struct hcase *c = &cases[i];
	struct hw_opts o = {.shut_wr = c->shut_wr, .deadline_ms = DEADLINE_MS};
	struct hw_result r;
	char mk[128];
	size_t len = 0;
	char *req;
	bool ok;

	snprintf(mk, sizeof(mk), MARK ": %s\r\n", c->name);
	req = c->build(mk, &len);
	cr_assert_not_null(req, "%s: cannot build the request", c->name);
	hw_exchange(t->proc.port, req, len, &o, &r);
	ok = meets(&r, c->expect);
	if (getenv("BLT_HOSTILE_VERBOSE"))
		fprintf(stderr, "%s: %s: %s\n", server_name(t->kind), c->name,
			hw_describe(&r));
	cr_expect(ok, "%s: %s: %s", server_name(t->kind), c->name,
		  hw_describe(&r));
	t->seen_status[i] = r.status;
	t->seen_whole[i] = r.complete;
	hw_result_free(&r);
	free(req);
	expect_still_serving(t, c->name);
	return ok;
}

/* ---- the record cassette ---- */

static const char *marker_of(const struct cassette_interaction *it)
{
	return json_string_value(json_object_get(
	    json_object_get(it->request, "headers"), "x-hostile-case"));
}

/* Index of the case named m, or NCASES. */
static size_t case_index(const char *m)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, m) == 0)
			return i;
	return NCASES;
}

/* The saved cassette lints, and every interaction in it is one whose
 * client saw the same whole answer: nothing half-read, nothing the proxy
 * made up, no request cut short. */
static void check_record_cassette(struct target *t)
{
	char *argv[] = {(char *)test_bin("blt-cassette"), "lint", t->cassette,
			NULL};
	char *out = NULL;
	int rc = test_run(argv, &out, 30000);
	struct cassette *cas;
	int count[NCASES] = {0};

	cr_expect_eq(rc, 0, "blt-cassette lint %s: %s", t->cassette,
		     out ? out : "");
	free(out);
	cas = rt_load_checked(t->cassette);
	for (size_t k = 0; k < cassette_count(cas); k++) {
		const struct cassette_interaction *it = cassette_at(cas, k);
		const char *m = marker_of(it);
		int st = (int)json_integer_value(
		    json_object_get(it->response, "status"));
		size_t i;

		cr_expect_not_null(m, "interaction %ld has no case marker",
				   it->id);
		cr_expect(st >= 100 && st < 600,
			  "interaction %ld (%s) recorded status %d", it->id,
			  m ? m : "?", st);
		if (!m || strncmp(m, "after-", 6) == 0)
			continue;
		i = case_index(m);
		cr_expect_lt(i, NCASES, "unknown marker %s", m);
		if (i == NCASES)
			continue;
		count[i]++;
		cr_expect(t->seen_whole[i] && t->seen_status[i] == st,
			  "%s was recorded with status %d but its client saw "
			  "%s %d",
			  m, st, t->seen_whole[i] ? "a whole" : "no whole",
			  t->seen_status[i]);
		cr_expect_leq(count[i], 1, "%s recorded twice", m);
	}
	cassette_free(cas);
}

/* Runs every case against this server. */
static void run_all(enum server kind)
{
	struct target t;
	size_t failed = 0;

	target_start(&t, kind);
	for (size_t i = 0; i < NCASES; i++)
		if (!run_case(&t, i))
			failed++;
	target_stop(&t);
	if (kind == SRV_RECORD) {
		check_record_cassette(&t);
		rt_rmdir(t.dir);
	}
	cr_expect_eq(failed, 0, "%zu hostile cases failed against %s", failed,
		     server_name(kind));
}

/* ---- slow and silent clients ---- */

#define SLOW_CLIENTS 3
#define SILENT_CLIENTS 2
#define TRICKLE_MS 50

struct slow_client {
	const struct target *t;
	int n;
	bool silent;
	atomic_int *running;
	struct hw_result r;
};

/* A normal request one byte per TRICKLE_MS; or (silent) a TLS ClientHello
 * or half a request head, then nothing, never closing. */
static void *slow_main(void *arg)
{
	struct slow_client *c = arg;
	struct hw_opts o = {.trickle_ms = c->silent ? 0 : TRICKLE_MS,
			    .deadline_ms = DEADLINE_MS};
	char mk[64];
	size_t len;
	char *req;

	snprintf(mk, sizeof(mk), MARK ": slow-%d\r\n", c->n);
	if (!c->silent)
		req = b_normal(mk, &len);
	else if (c->n % 2)
		req = b_tls_hello(mk, &len);
	else
		req = strdup("POST / HTTP/1.1\r\nHost: x\r\nContent-Le");
	if (c->silent && !(c->n % 2))
		len = strlen(req);
	hw_exchange(c->t->proc.port, req, len, &o, &c->r);
	free(req);
	atomic_fetch_sub(c->running, 1);
	return NULL;
}

/* Trickling and silent clients do not stop the server from answering
 * others meanwhile; the tricklers are answered in the end and the silent
 * ones are closed by the server's idle timeout. */
static void run_slow(enum server kind)
{
	struct slow_client c[SLOW_CLIENTS + SILENT_CLIENTS];
	pthread_t th[SLOW_CLIENTS + SILENT_CLIENTS];
	atomic_int running = SLOW_CLIENTS;
	atomic_int silent_running = SILENT_CLIENTS;
	struct target t;
	int during = 0;

	target_start(&t, kind);
	for (int i = 0; i < SLOW_CLIENTS + SILENT_CLIENTS; i++) {
		c[i] = (struct slow_client){
		    .t = &t,
		    .n = i,
		    .silent = i >= SLOW_CLIENTS,
		    .running = i >= SLOW_CLIENTS ? &silent_running : &running};
		cr_assert_eq(pthread_create(&th[i], NULL, slow_main, &c[i]), 0);
	}
	/* Others are served while the slow ones are still sending. */
	while (atomic_load(&running) == SLOW_CLIENTS && during < 1000) {
		char mk[64];

		snprintf(mk, sizeof(mk), "during-slow-%d", during++);
		expect_still_serving(&t, mk);
	}
	for (int i = 0; i < SLOW_CLIENTS + SILENT_CLIENTS; i++) {
		const struct hw_result *r = &c[i].r;

		pthread_join(th[i], NULL);
		if (c[i].silent)
			cr_expect(r->closed && !r->hung && r->status == 0,
				  "%s: silent client %d: %s", server_name(kind),
				  i, hw_describe(r));
		else
			cr_expect(r->complete && r->status == 200,
				  "%s: trickling client %d: %s",
				  server_name(kind), i, hw_describe(r));
		hw_result_free(&c[i].r);
	}
	cr_expect_geq(during, 5,
		      "%s: only %d requests were served while slow clients "
		      "trickled",
		      server_name(kind), during);
	target_stop(&t);
	if (kind == SRV_RECORD) {
		char *argv[] = {(char *)test_bin("blt-cassette"), "lint",
				t.cassette, NULL};
		char *out = NULL;

		cr_expect_eq(test_run(argv, &out, 30000), 0, "lint: %s",
			     out ? out : "");
		free(out);
		rt_rmdir(t.dir);
	}
}


TestSuite(hostile, .timeout = 300);

Test(hostile, blt_fake_slow_clients)
{
	run_slow(SRV_FAKE);
}

Test(hostile, blt_proxy_replay_slow_clients)
{
	run_slow(SRV_REPLAY);
}

Test(hostile, blt_proxy_record_slow_clients)
{
	run_slow(SRV_RECORD);
}

Test(hostile, blt_fake)
{
	run_all(SRV_FAKE);
}

Test(hostile, blt_proxy_replay)
{
	run_all(SRV_REPLAY);
}

Test(hostile, blt_proxy_record)
{
	run_all(SRV_RECORD);
}
