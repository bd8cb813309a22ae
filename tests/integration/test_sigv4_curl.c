/* SigV4 against an oracle: curl's own --aws-sigv4 signs generated requests,
 * a capture server records what it sent, and blt's signer must produce the
 * same Authorization byte for byte; blt's verifier must accept each request
 * and reject it after a one-byte change. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blt/rng.h"
#include "blt/sigv4.h"
#include "blt_test.h"

#define CURL_BIN "/usr/bin/curl"
#define NREQUESTS 240
#define RAW_MAX 65536
#define MAXH 24

/* The capture server: one request per connection, kept in last[]. */
struct capture {
	int fd;
	unsigned short port;
	pthread_t thread;
	pthread_mutex_t lock;
	char last[RAW_MAX + 1];
	size_t last_len;
};

/* The byte count of the body announced by the head in raw, 0 if none. */
static size_t content_length(const char *raw)
{
	const char *p = raw;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			return (size_t)strtoul(p + 15, NULL, 10);
	}
	return 0;
}

/* Reads one whole request (head and body) from c into buf. */
static size_t read_request(int c, char *buf)
{
	size_t len = 0;
	char *end = NULL;

	while (len < RAW_MAX) {
		ssize_t n = recv(c, buf + len, RAW_MAX - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (!end)
			end = strstr(buf, "\r\n\r\n");
		if (end && len >= (size_t)(end + 4 - buf) + content_length(buf))
			break;
	}
	return len;
}

static void *capture_main(void *arg)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0"
				    "\r\nConnection: close\r\n\r\n";
	struct capture *cap = arg;
	char *buf = malloc(RAW_MAX + 1);

	for (;;) {
		int c = accept(cap->fd, NULL, NULL);
		size_t len;

		if (c < 0)
			break;
		len = read_request(c, buf);
		pthread_mutex_lock(&cap->lock);
		memcpy(cap->last, buf, len);
		cap->last[len] = '\0';
		cap->last_len = len;
		pthread_mutex_unlock(&cap->lock);
		if (write(c, reply, sizeof(reply) - 1) < 0)
			perror("capture reply");
		close(c);
	}
	free(buf);
	return NULL;
}

static void capture_start(struct capture *cap)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cap->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(cap->fd >= 0);
	cr_assert_eq(bind(cap->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(cap->fd, 8), 0);
	cr_assert_eq(getsockname(cap->fd, (struct sockaddr *)&a, &alen), 0);
	cap->port = ntohs(a.sin_port);
	pthread_mutex_init(&cap->lock, NULL);
	cap->last_len = 0;
	cr_assert_eq(pthread_create(&cap->thread, NULL, capture_main, cap), 0);
}

static void capture_stop(struct capture *cap)
{
	shutdown(cap->fd, SHUT_RDWR);
	close(cap->fd);
	pthread_join(cap->thread, NULL);
}

/* One generated request: what curl is told to send. */
struct gen {
	const char *akid, *secret, *region;
	char date[17];
	char method[8];
	char target[160]; /* path and query as on the wire */
	char hname[MAXH][48];
	char hvalue[MAXH][160];
	size_t nh;
	unsigned char body[1000];
	size_t body_len;
	bool has_body;
};

/* A random string of n characters from set. */
static void rand_str(struct blt_rng *rng, char *out, size_t n, const char *set)
{
	size_t m = strlen(set);

	for (size_t i = 0; i < n; i++)
		out[i] = set[rng_below(rng, m)];
	out[n] = '\0';
}

static void add_header(struct gen *g, const char *name, const char *value)
{
	cr_assert_lt(g->nh, MAXH);
	snprintf(g->hname[g->nh], sizeof(g->hname[0]), "%s", name);
	snprintf(g->hvalue[g->nh], sizeof(g->hvalue[0]), "%s", value);
	g->nh++;
}

/* A JSON body of the operation, or random bytes. */
static void gen_body(struct gen *g, struct blt_rng *rng)
{
	static const char *const status[] = {"CREATED", "IN_PROGRESS", "FAILED",
					     "SUCCEEDED"};
	char token[64];

	g->has_body = true;
	switch (rng_below(rng, 4)) {
	case 0:
		g->body_len = 0;
		return;
	case 1:
		g->body_len = (size_t)snprintf(
		    (char *)g->body, sizeof(g->body),
		    "{\"MaxResults\":%u,\"TaskStatus\":\"%s\"}",
		    (unsigned)rng_below(rng, 101), status[rng_below(rng, 4)]);
		return;
	case 2:
		rand_str(rng, token, 40, "ABCDEFabcdef0123456789+/=");
		g->body_len =
		    (size_t)snprintf((char *)g->body, sizeof(g->body),
				     "{\"NextToken\":\"%s\"}\n", token);
		return;
	default:
		g->body_len = rng_below(rng, sizeof(g->body));
		for (size_t i = 0; i < g->body_len; i++)
			g->body[i] = (unsigned char)rng_below(rng, 256);
	}
}

/* Upper- or lower-cases each letter of name at random. */
static void mix_case(struct blt_rng *rng, char *name)
{
	for (char *p = name; *p; p++)
		if (rng_below(rng, 2))
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
}

static const char *const regions[] = {
    "us-east-1",    "us-east-2",      "us-west-2",	"eu-west-1",
    "eu-central-1", "ap-southeast-2", "ap-northeast-1", "eu-north-1",
    "ca-central-1", "sa-east-1",      "ap-south-1",	"me-south-1"};

/* The optional headers an SDK sends, some of them. */
static void gen_sdk_headers(struct gen *g, struct blt_rng *rng)
{
	char v[160];

	if (rng_below(rng, 4)) {
		strcpy(v, "application/x-amz-json-1.0");
		if (rng_below(rng, 3) == 0)
			strcat(v, "; charset=utf-8");
		add_header(g, "Content-Type", v);
	}
	if (rng_below(rng, 4))
		add_header(g, "X-Amz-Target",
			   rng_below(rng, 5) ? "Timestream_20181101."
					       "ListBatchLoadTasks"
					     : "Timestream_20181101."
					       "DescribeEndpoints");
	if (rng_below(rng, 3) == 0) {
		rand_str(rng, v, 20 + rng_below(rng, 100),
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+/=");
		add_header(g, "X-Amz-Security-Token", v);
	}
	if (rng_below(rng, 3) == 0) {
		rand_str(rng, v, 36, "0123456789abcdef");
		v[8] = v[13] = v[18] = v[23] = '-';
		add_header(g, "amz-sdk-invocation-id", v);
		add_header(g, "amz-sdk-request", "attempt=1; max=3");
	}
	if (rng_below(rng, 4) == 0)
		add_header(g, "User-Agent",
			   "aws-sdk-js/3.943.0 ua/2.1 os/linux");
}

/* Custom headers with mixed-case names and values that carry inner runs
 * of blanks and trailing blanks. */
static void gen_custom_headers(struct gen *g, struct blt_rng *rng)
{
	size_t n = rng_below(rng, 5);
	char name[48], v[160];

	for (size_t i = 0; i < n; i++) {
		size_t len = 1 + rng_below(rng, 60);

		snprintf(name, sizeof(name), "x-test-%c%zu",
			 (char)('a' + rng_below(rng, 26)), i);
		mix_case(rng, name);
		rand_str(rng, v, len, "abcXYZ019 ;,=/:._-~!*()'\"\t   ");
		v[0] = v[0] == ' ' || v[0] == '\t' ? 'q' : v[0];
		add_header(g, name, v);
	}
}

/* A path segment or query part: unreserved characters and upper-case
 * escapes (curl 7.88 signs the path and query as they are on the wire, so
 * only text already in AWS's canonical encoding is comparable). */
static void gen_part(struct blt_rng *rng, char *out, size_t n, bool in_path)
{
	static const char *const escapes[] = {"%20",	"%3D", "%26",
					      "%C3%BC", "%2B", "%2F"};

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char c[2] = {0, 0};

		/* A "%2F" in the path decodes to a separator: sigv4 takes the
		 * path decoded, so it cannot tell the two apart. */
		if (rng_below(rng, 6) == 0) {
			strcat(out, escapes[rng_below(rng, in_path ? 5 : 6)]);
			continue;
		}
		rand_str(rng, c, 1, "abcdefXYZ0123456789-._~");
		strcat(out, c);
	}
}

struct qparam {
	char name[64], value[64];
};

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

/* A query already sorted the AWS way (curl 7.88 does not sort it): by
 * name, then by value. Half of the queries of two or more parameters
 * repeat a name, so that the order of values is tested too. */
static void gen_query(struct gen *g, struct blt_rng *rng)
{
	struct qparam q[5];
	size_t n = 1 + rng_below(rng, 5);

	for (size_t i = 0; i < n; i++) {
		gen_part(rng, q[i].name, 1 + rng_below(rng, 4), false);
		gen_part(rng, q[i].value, rng_below(rng, 6), false);
	}
	if (n >= 2 && rng_below(rng, 2))
		for (size_t i = 1; i < n; i += 2)
			strcpy(q[i].name, q[0].name);
	qsort(q, n, sizeof(q[0]), qparam_cmp);
	for (size_t i = 0; i < n; i++) {
		strcat(g->target, i ? "&" : "?");
		strcat(g->target, q[i].name);
		strcat(g->target, "=");
		strcat(g->target, q[i].value);
	}
}

/* The path and query on the wire. */
static void gen_target(struct gen *g, struct blt_rng *rng)
{
	char seg[64];

	strcpy(g->target, "/");
	if (rng_below(rng, 2)) {
		g->target[0] = '\0';
		for (size_t i = 0, n = 1 + rng_below(rng, 3); i < n; i++) {
			gen_part(rng, seg, 1 + rng_below(rng, 8), true);
			strcat(g->target, "/");
			strcat(g->target, seg);
		}
		if (rng_below(rng, 3) == 0)
			strcat(g->target, "/");
	}
	if (rng_below(rng, 4) == 0)
		gen_query(g, rng);
}

static void gen_request(struct gen *g, struct blt_rng *rng)
{
	static const char *const methods[] = {"POST", "POST",  "POST",	"GET",
					      "PUT",  "PATCH", "DELETE"};
	bool second = rng_below(rng, 2);

	memset(g, 0, sizeof(*g));
	g->akid = second ? "AKIAIOSFODNN7EXAMPLE" : "AKIDEXAMPLE";
	g->secret = second ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
			   : "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	g->region =
	    regions[rng_below(rng, sizeof(regions) / sizeof(regions[0]))];
	snprintf(g->date, sizeof(g->date), "%04u%02u%02uT%02u%02u%02uZ",
		 (unsigned)(2015 + rng_below(rng, 21)),
		 (unsigned)(1 + rng_below(rng, 12)),
		 (unsigned)(1 + rng_below(rng, 28)),
		 (unsigned)rng_below(rng, 24), (unsigned)rng_below(rng, 60),
		 (unsigned)rng_below(rng, 60));
	strcpy(g->method, methods[rng_below(rng, 7)]);
	gen_target(g, rng);
	add_header(g, "X-Amz-Date", g->date);
	gen_sdk_headers(g, rng);
	gen_custom_headers(g, rng);
	if (strcmp(g->method, "GET") != 0)
		gen_body(g, rng);
	if (rng_below(rng, 4) == 0) {
		/* curl signs with this value as the payload hash; an SDK sends
		 * the body's real hash, and so does this test. */
		unsigned char md[32];
		char hex[65];

		EVP_Digest(g->body, g->body_len, md, NULL, EVP_sha256(), NULL);
		for (int i = 0; i < 32; i++)
			sprintf(hex + 2 * i, "%02x", md[i]);
		add_header(g, "X-Amz-Content-Sha256", hex);
	}
}

/* Runs curl for g against the capture server; the body goes through a
 * file so that any byte can be sent. */
static void run_curl(const struct gen *g, unsigned short port)
{
	char sig[128], user[160], url[256], data[64];
	char hdr[MAXH][220];
	char *argv[16 + 2 * MAXH];
	size_t a = 0;
	char *out = NULL;
	char path[] = "/tmp/blt-sigv4-body.XXXXXX";
	int fd = mkstemp(path), rc;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, g->body, g->body_len), (ssize_t)g->body_len);
	close(fd);
	snprintf(sig, sizeof(sig), "aws:amz:%s:timestream", g->region);
	snprintf(user, sizeof(user), "%s:%s", g->akid, g->secret);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, g->target);
	snprintf(data, sizeof(data), "@%s", path);
	argv[a++] = CURL_BIN;
	argv[a++] = "-sS";
	argv[a++] = "-o";
	argv[a++] = "/dev/null";
	argv[a++] = "--aws-sigv4";
	argv[a++] = sig;
	argv[a++] = "--user";
	argv[a++] = user;
	argv[a++] = "-X";
	argv[a++] = (char *)g->method;
	for (size_t i = 0; i < g->nh; i++) {
		snprintf(hdr[i], sizeof(hdr[i]), "%s: %s", g->hname[i],
			 g->hvalue[i]);
		argv[a++] = "-H";
		argv[a++] = hdr[i];
	}
	if (g->has_body) {
		argv[a++] = "--data-binary";
		argv[a++] = data;
	}
	argv[a++] = url;
	argv[a] = NULL;
	rc = test_run(argv, &out, 20000);
	unlink(path);
	cr_assert_eq(rc, 0, "curl failed (%d): %s", rc, out ? out : "");
	free(out);
}

/* A request as the capture server saw it, split into its parts. */
struct seen {
	char raw[RAW_MAX + 1];
	char method[16];
	char path[256];
	char *query;
	char reversed[512]; /* the query's parameters in reverse order */
	struct sigv4_header h[64];
	size_t nh;
	const char *auth;
	const char *body;
	size_t body_len;
};

/* Percent-decodes s in place (the wire path into sigv4's unencoded form). */
static void decode_in_place(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		unsigned int c;

		if (*p == '%' && sscanf(p + 1, "%2x", &c) == 1) {
			*w++ = (char)c;
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

/* True when the same name and value is already in s (curl sends its
 * X-Amz-Date twice when -H gives one; the signature covers it once). */
static bool already_seen(const struct seen *s, const char *name,
			 const char *value)
{
	for (size_t i = 0; i < s->nh; i++)
		if (strcasecmp(s->h[i].name, name) == 0 &&
		    strcmp(s->h[i].value, value) == 0)
			return true;
	return false;
}

/* Splits the raw request in s into method, path, query, headers, body. */
static void parse_seen(struct seen *s, size_t raw_len)
{
	char *line, *end = strstr(s->raw, "\r\n\r\n"), *target;

	cr_assert_not_null(end, "no end of head in: %s", s->raw);
	s->body = end + 4;
	s->body_len = raw_len - (size_t)(end + 4 - s->raw);
	*end = '\0';
	line = strstr(s->raw, "\r\n");
	cr_assert_not_null(line);
	*line = '\0';
	target = strchr(s->raw, ' ');
	cr_assert_not_null(target);
	*target++ = '\0';
	snprintf(s->method, sizeof(s->method), "%.15s", s->raw);
	*strchr(target, ' ') = '\0';
	s->query = strchr(target, '?');
	if (s->query)
		*s->query++ = '\0';
	snprintf(s->path, sizeof(s->path), "%s", target);
	decode_in_place(s->path);
	s->nh = 0;
	s->auth = NULL;
	for (char *p = line + 2; p && *p;) {
		char *next = strstr(p, "\r\n"), *colon = strchr(p, ':');

		if (next)
			*next = '\0';
		cr_assert_not_null(colon, "header without ':': %s", p);
		*colon = '\0';
		for (colon++; *colon == ' '; colon++)
			;
		if (strcasecmp(p, "Authorization") == 0)
			s->auth = colon;
		else if (!already_seen(s, p, colon)) {
			cr_assert_lt(s->nh, 63);
			s->h[s->nh++] = (struct sigv4_header){p, colon};
		}
		p = next ? next + 2 : NULL;
	}
	cr_assert_not_null(s->auth, "curl sent no Authorization");
}

/* The headers of s named in list, for sigv4_sign. */
static size_t select_signed(const struct seen *s, const char *list,
			    struct sigv4_header *out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nh; i++) {
		char want[64];
		const char *name = s->h[i].name;
		size_t len = strlen(name);

		for (size_t j = 0; j <= len && j < sizeof(want); j++)
			want[j] = (char)((name[j] >= 'A' && name[j] <= 'Z')
					     ? name[j] + 32
					     : name[j]);
		for (const char *p = list; p; p = strchr(p, ';')) {
			p += *p == ';';
			if (strncmp(p, want, len) == 0 &&
			    (p[len] == ';' || !p[len])) {
				out[n++] = s->h[i];
				break;
			}
		}
	}
	return n;
}

/* The SignedHeaders curl should produce for g: host, then every -H header
 * lower-cased, sorted and deduplicated. */
static void expected_list(const struct gen *g, char *out, size_t outsz)
{
	struct sigv4_header h[MAXH + 1];
	struct sigv4_creds creds = {"A", "S", NULL};
	struct sigv4_request r = {"GET", "/", NULL, h, 0, NULL, 0};
	char auth[2048];
	struct blt_err err;
	char *p, *q;

	h[r.nheaders++] = (struct sigv4_header){"host", "x"};
	for (size_t i = 0; i < g->nh; i++)
		h[r.nheaders++] =
		    (struct sigv4_header){g->hname[i], g->hvalue[i]};
	cr_assert_eq(
	    sigv4_sign(&r, &creds, "r", "s", g->date, auth, sizeof(auth), &err),
	    BLT_OK, "%s", err.msg);
	p = strstr(auth, "SignedHeaders=") + 14;
	q = strchr(p, ',');
	snprintf(out, outsz, "%.*s", (int)(q - p), p);
}

static struct capture cap;
static struct seen seen_req;

/* How much variety the generated requests had, so that a generator that
 * stopped varying something fails the test instead of passing quietly. */
static struct {
	int query, escaped_path, content_sha, blank_runs, binary_body;
	int session_token, methods[8], repeated_name;
} variety;

/* True when a query parameter name occurs twice in target's query. */
static bool repeats_a_name(const char *target)
{
	const char *q = strchr(target, '?');
	char names[5][64];
	size_t n = 0;

	for (const char *p = q; p && n < 5; p = strchr(p + 1, '&')) {
		size_t len = strcspn(p + 1, "=&");

		snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p + 1);
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], names[n]) == 0)
				return true;
		n++;
	}
	return false;
}

/* Writes the parameters of query (a=1&b=2) into out in reverse order
 * (b=2&a=1): a signer must sort them back. */
static void reverse_query(const char *query, char *out, size_t outsz)
{
	size_t len = strlen(query);
	size_t o = 0;

	out[0] = '\0';
	while (len > 0) {
		const char *start = query + len;

		while (start > query && start[-1] != '&')
			start--;
		o += (size_t)snprintf(out + o, outsz - o, "%s%.*s",
				      o ? "&" : "", (int)(query + len - start),
				      start);
		cr_assert_lt(o, outsz);
		len = start > query ? (size_t)(start - query) - 1 : 0;
	}
}

static void count_variety(const struct gen *g)
{
	static const char *const m[] = {"POST", "GET", "PUT", "PATCH",
					"DELETE"};

	variety.query += strchr(g->target, '?') != NULL;
	variety.repeated_name += repeats_a_name(g->target);
	variety.escaped_path +=
	    strcspn(g->target, "?") > strcspn(g->target, "%");
	for (size_t i = 0; i < g->nh; i++) {
		variety.content_sha +=
		    strcasecmp(g->hname[i], "x-amz-content-sha256") == 0;
		variety.session_token +=
		    strcasecmp(g->hname[i], "x-amz-security-token") == 0;
		variety.blank_runs += strstr(g->hvalue[i], "  ") != NULL;
	}
	variety.binary_body += memchr(g->body, 0, g->body_len) != NULL;
	for (int i = 0; i < 5; i++)
		variety.methods[i] += strcmp(g->method, m[i]) == 0;
}

/* Sends g through curl and checks blt's signature against curl's. */
static void check_one(const struct gen *g, int n)
{
	struct sigv4_header signed_h[64];
	struct sigv4_creds creds = {g->akid, g->secret, NULL};
	struct sigv4_auth auth;
	struct sigv4_request r;
	char mine[2048], want_list[1024];
	struct blt_err err;

	cap.last_len = 0;
	run_curl(g, cap.port);
	pthread_mutex_lock(&cap.lock);
	memcpy(seen_req.raw, cap.last, cap.last_len + 1);
	parse_seen(&seen_req, cap.last_len);
	pthread_mutex_unlock(&cap.lock);
	cr_assert_eq(sigv4_auth_parse(seen_req.auth, &auth, &err), BLT_OK,
		     "request %d: curl's Authorization: %s", n, err.msg);
	expected_list(g, want_list, sizeof(want_list));
	cr_assert_str_eq(auth.signed_headers, want_list,
			 "request %d: curl signed another set of headers", n);
	r = (struct sigv4_request){
	    seen_req.method,
	    seen_req.path,
	    seen_req.query,
	    signed_h,
	    select_signed(&seen_req, auth.signed_headers, signed_h),
	    seen_req.body,
	    seen_req.body_len};
	cr_assert_eq(sigv4_sign(&r, &creds, g->region, "timestream", g->date,
				mine, sizeof(mine), &err),
		     BLT_OK, "request %d: %s", n, err.msg);
	cr_assert_str_eq(mine, seen_req.auth,
			 "request %d differs from curl (%s %s)", n, g->method,
			 g->target);
	if (!seen_req.query)
		return;
	/* The same request with its parameters in reverse order on the
	 * wire signs the same: names sort, and a repeated name's values. */
	reverse_query(seen_req.query, seen_req.reversed,
		      sizeof(seen_req.reversed));
	r.query = seen_req.reversed;
	cr_assert_eq(sigv4_sign(&r, &creds, g->region, "timestream", g->date,
				mine, sizeof(mine), &err),
		     BLT_OK, "request %d: %s", n, err.msg);
	cr_assert_str_eq(mine, seen_req.auth,
			 "request %d, query reversed to %s, differs from curl "
			 "(%s %s)",
			 n, seen_req.reversed, g->method, g->target);
}

/* The request last captured, as sigv4_verify sees it, with mutable
 * copies of the parts that a one-byte change touches. */
struct verifiable {
	char method[16];
	char path[256];
	char auth[2048];
	unsigned char body[1024];
	char values[64][256];
	struct sigv4_header h[65];
	struct sigv4_request r;
};

static void make_verifiable(struct verifiable *v)
{
	size_t i;

	strcpy(v->method, seen_req.method);
	strcpy(v->path, seen_req.path);
	snprintf(v->auth, sizeof(v->auth), "%s", seen_req.auth);
	memcpy(v->body, seen_req.body, seen_req.body_len);
	for (i = 0; i < seen_req.nh; i++) {
		snprintf(v->values[i], sizeof(v->values[i]), "%s",
			 seen_req.h[i].value);
		v->h[i] =
		    (struct sigv4_header){seen_req.h[i].name, v->values[i]};
	}
	v->h[i] = (struct sigv4_header){"Authorization", v->auth};
	v->r = (struct sigv4_request){
	    v->method,	     v->path, seen_req.query,	v->h,
	    seen_req.nh + 1, v->body, seen_req.body_len};
}

/* Changes one byte of s (a C string of n bytes when is_str) at a random
 * position, asserts that verification fails, and restores it. */
static void mutate(struct verifiable *v, unsigned char *s, size_t n,
		   bool is_str, const struct gen *g, const char *what,
		   struct blt_rng *rng)
{
	struct blt_err err;
	size_t pos;
	unsigned char orig, c;

	if (n == 0)
		return;
	pos = rng_below(rng, n);
	orig = s[pos];
	c = (unsigned char)(orig ^ (1 + rng_below(rng, 255)));
	if (is_str && (c == 0 || ((c == ' ' || c == '\t') &&
				  (orig == ' ' || orig == '\t'))))
		c = orig == 'z' ? 'y' : 'z';
	s[pos] = c;
	cr_assert_eq(
	    sigv4_verify(&v->r, g->akid, g->secret, "timestream", &err),
	    BLT_EAUTH, "changing %s at %zu (0x%02x to 0x%02x) still verifies",
	    what, pos, orig, c);
	s[pos] = orig;
}

/* Verifies the captured request, then breaks it one byte at a time. */
static void check_verify(const struct gen *g, struct blt_rng *rng)
{
	static struct verifiable v;
	struct sigv4_auth auth;
	struct blt_err err;

	make_verifiable(&v);
	cr_assert_eq(sigv4_verify(&v.r, g->akid, g->secret, "timestream", &err),
		     BLT_OK, "curl's request: %s", err.msg);
	cr_assert_eq(sigv4_auth_parse(v.auth, &auth, &err), BLT_OK);
	for (int k = 0; k < 8; k++) {
		mutate(&v, v.body, v.r.body_len, false, g, "the body", rng);
		mutate(&v, (unsigned char *)v.method, strlen(v.method), true, g,
		       "the method", rng);
		mutate(&v, (unsigned char *)v.path, strlen(v.path), true, g,
		       "the path", rng);
		mutate(&v, (unsigned char *)v.auth, strlen(v.auth), true, g,
		       "the Authorization", rng);
		for (size_t i = 0; i < seen_req.nh; i++) {
			char lower[64];

			snprintf(lower, sizeof(lower), "%s", v.h[i].name);
			for (char *p = lower; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32
								   : *p);
			if (strstr(auth.signed_headers, lower))
				mutate(&v, (unsigned char *)v.values[i],
				       strlen(v.values[i]), true, g, lower,
				       rng);
		}
	}
	cr_assert_eq(sigv4_verify(&v.r, g->akid, g->secret, "timestream", &err),
		     BLT_OK, "restored: %s", err.msg);
}

Test(sigv4_curl, signer_agrees_with_curl_and_verifier_rejects_changes,
     .timeout = 300)
{
	struct blt_rng rng;
	static struct gen g;
	int agreed = 0;

	cr_assert_eq(access(CURL_BIN, X_OK), 0, CURL_BIN " is needed");
	capture_start(&cap);
	rng_seed(&rng, 20150830);
	for (int n = 0; n < NREQUESTS; n++) {
		gen_request(&g, &rng);
		check_one(&g, n);
		agreed++;
		count_variety(&g);
		check_verify(&g, &rng);
	}
	capture_stop(&cap);
	cr_assert_eq(agreed, NREQUESTS);
	cr_assert(variety.query >= 20 && variety.escaped_path >= 20 &&
		      variety.content_sha >= 20 && variety.blank_runs >= 20 &&
		      variety.binary_body >= 10 &&
		      variety.session_token >= 20 &&
		      variety.repeated_name >= 10,
		  "too little variety: query %d, escaped path %d, "
		  "content sha %d, blank runs %d, binary body %d, token %d, "
		  "repeated query name %d",
		  variety.query, variety.escaped_path, variety.content_sha,
		  variety.blank_runs, variety.binary_body,
		  variety.session_token, variety.repeated_name);
	for (int i = 0; i < 5; i++)
		cr_assert_geq(variety.methods[i], 5, "method %d: %d", i,
			      variety.methods[i]);
}
