/* The HTTP server layer: libmicrohttpd with whole-body delivery and a cap. */
#include "blt/httpd.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "blt/awsjson.h"
#include "blt/clock.h"
#include "blt/log.h"

#define HTTPD_URI_MAX (64 * 1024)
#define HTTPD_REPLY_BODY_MAX (64u * 1024 * 1024)
#define HTTPD_DRAIN_MAX (4u * 1024 * 1024)
#define HTTPD_STOP_GRACE_MS 5000
#define HTTPD_CONNECTION_LIMIT 16384

/* Where a request on a connection stands. */
enum rq_state { RQ_NEW, RQ_BODY, RQ_DELAYED, RQ_DONE };

/* Per-connection state, reused by every request of a keep-alive connection
 * so that a request costs no allocation of its own. */
struct hconn {
	struct httpd *h;
	struct MHD_Connection *mc;
	struct blt_buf body; /* the upload, capped at body_max */
	struct blt_buf uri;  /* raw path, NUL, raw query (when has_query) */
	bool has_query;
	bool target_ok; /* the request target is origin-form */
	bool too_large; /* the upload passed body_max: answer 413 */
	bool counted;	/* counted in h->inflight */
	enum rq_state state;
	size_t drained; /* bytes discarded past the cap */
	unsigned long long seq;
	struct MHD_Response *pending; /* a delayed answer, owned */
	unsigned pending_status;
	uint64_t due_ms; /* when the delayed answer goes out */
	struct hconn *next_due;
};

struct httpd {
	struct MHD_Daemon *daemon;
	int lsock;
	httpd_handler handler;
	void *ctx;
	size_t body_max;
	unsigned short port;
	char url[96];
	atomic_ullong seq;
	atomic_ullong connections;
	atomic_long inflight;
	/* The delay timer: a list of suspended connections sorted by due_ms. */
	pthread_t timer;
	bool sync_ready; /* lock and wake are initialised */
	bool timer_started;
	bool timer_stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct hconn *due;
};

/* ---- The listening socket ---- */

/* Opens, binds and listens on one resolved address; -1 with errno set. */
static int listen_one(const struct addrinfo *ai)
{
	int one = 1;
	int fd = socket(ai->ai_family,
			ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int saved;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    listen(fd, SOMAXCONN) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Binds host:port, IPv4 addresses first. "localhost" is 127.0.0.1 without
 * asking the resolver (RFC 6761), so it works on a machine with no
 * /etc/hosts. On success *fd is the listening socket, owned by the
 * caller. */
static blt_status listen_open(const char *host, unsigned short port, int *fd,
			      struct blt_err *err)
{
	struct addrinfo hints = {0};
	struct addrinfo *res = NULL;
	const struct addrinfo *ai;
	char service[8];
	int rc, pass, saved = EADDRNOTAVAIL;

	if (strcasecmp(host, "localhost") == 0)
		host = "127.0.0.1";
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0)
		return blt_fail(err, BLT_EUSAGE, "cannot resolve host '%s': %s",
				host, gai_strerror(rc));
	*fd = -1;
	for (pass = 0; pass < 2 && *fd < 0; pass++)
		for (ai = res; ai && *fd < 0; ai = ai->ai_next) {
			if ((ai->ai_family == AF_INET) != (pass == 0))
				continue;
			*fd = listen_one(ai);
			if (*fd < 0)
				saved = errno;
		}
	freeaddrinfo(res);
	if (*fd < 0)
		return blt_fail(err, BLT_EIO, "cannot listen on %s:%u: %s",
				host, (unsigned)port, strerror(saved));
	return BLT_OK;
}

/* Fills h->port and h->url from the bound socket. */
static blt_status listen_describe(struct httpd *h, bool *v6,
				  struct blt_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char num[INET6_ADDRSTRLEN];
	char service[8];

	if (getsockname(h->lsock, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, num, sizeof(num), service,
			sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return blt_fail(err, BLT_EIO,
				"cannot read the bound address: %s",
				strerror(errno));
	*v6 = ss.ss_family == AF_INET6;
	h->port = (unsigned short)atoi(service);
	snprintf(h->url, sizeof(h->url),
		 *v6 ? "http://[%s]:%s" : "http://%s:%s", num, service);
	return BLT_OK;
}

/* ---- The delay timer ---- */

/* Inserts c into the due list, kept sorted by due_ms. Holds h->lock. */
static void timer_insert(struct httpd *h, struct hconn *c)
{
	struct hconn **pp = &h->due;

	assert(c->next_due == NULL); /* a connection waits once at a time */
	while (*pp && (*pp)->due_ms <= c->due_ms)
		pp = &(*pp)->next_due;
	c->next_due = *pp;
	*pp = c;
}

/* Suspends c's connection and schedules its resumption in delay_ms. */
static void timer_schedule(struct httpd *h, struct hconn *c, unsigned delay_ms)
{
	MHD_suspend_connection(c->mc);
	pthread_mutex_lock(&h->lock);
	c->due_ms = (uint64_t)clock_mono_ms() + delay_ms;
	timer_insert(h, c);
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

/* Sleeps on h->wake until the first due time or a signal. Holds h->lock. */
static void timer_sleep(struct httpd *h)
{
	struct timespec ts;
	uint64_t due;

	if (!h->due) {
		pthread_cond_wait(&h->wake, &h->lock);
		return;
	}
	due = h->due->due_ms;
	ts.tv_sec = (time_t)(due / 1000u);
	ts.tv_nsec = (long)(due % 1000u) * 1000000L;
	pthread_cond_timedwait(&h->wake, &h->lock, &ts);
}

/* The timer thread: resumes each suspended connection when it is due, and
 * every one of them when asked to stop. */
static void *timer_main(void *arg)
{
	struct httpd *h = arg;
	struct hconn *c;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->due &&
		       (h->timer_stop ||
			h->due->due_ms <= (uint64_t)clock_mono_ms())) {
			c = h->due;
			h->due = c->next_due;
			c->next_due = NULL;
			MHD_resume_connection(c->mc);
		}
		if (h->timer_stop)
			break;
		timer_sleep(h);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Starts the timer thread with a monotonic condition variable. */
static blt_status timer_start(struct httpd *h, struct blt_err *err)
{
	pthread_condattr_t attr;
	int rc;

	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &attr);
	pthread_condattr_destroy(&attr);
	h->sync_ready = true;
	rc = pthread_create(&h->timer, NULL, timer_main, h);
	if (rc != 0)
		return blt_fail(err, BLT_ENOMEM,
				"cannot start the delay timer thread: %s",
				strerror(rc));
	h->timer_started = true;
	return BLT_OK;
}

/* Resumes every waiting connection and ends the timer thread. */
static void timer_stop(struct httpd *h)
{
	if (!h->timer_started)
		return;
	pthread_mutex_lock(&h->lock);
	h->timer_stop = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->timer, NULL);
	h->timer_started = false;
}

/* ---- Replies ---- */

/* A response owning a copy of text (or NULL when out of memory). */
static struct MHD_Response *response_text(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n + 1);

	if (!copy)
		return NULL;
	memcpy(copy, text, n + 1);
	return MHD_create_response_from_buffer(n, copy, MHD_RESPMEM_MUST_FREE);
}

/* Queues an AWS JSON error of type e with its x-amzn-ErrorType header;
 * with close, the connection is closed after it. */
static enum MHD_Result queue_error(struct MHD_Connection *mc, unsigned status,
				   enum awsjson_error e, const char *msg,
				   bool close)
{
	char *body = awsjson_error_body(e, msg);
	struct MHD_Response *r = body ? response_text(body) : NULL;
	enum MHD_Result ok;

	free(body);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "x-amzn-ErrorType", awsjson_error_name(e));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				AWSJSON_CONTENT_TYPE);
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(mc, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* Queues the 413 for an upload over body_max. */
static enum MHD_Result queue_too_large(struct hconn *c)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "request body exceeds %zu bytes",
		 c->h->body_max);
	c->state = RQ_DONE;
	return queue_error(c->mc, 413, AWSJSON_ERR_REQUEST_TOO_LARGE, msg,
			   false);
}

blt_status httpd_reply_header(struct httpd_reply *r, const char *name,
			      const char *value, struct blt_err *err)
{
	char *n, *v;

	if (r->nheaders >= HTTPD_MAX_HEADERS)
		return blt_fail(err, BLT_ELIMIT,
				"reply has more than %d headers (adding '%s')",
				HTTPD_MAX_HEADERS, name);
	n = strdup(name);
	v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	r->header_names[r->nheaders] = n;
	r->header_values[r->nheaders] = v;
	r->nheaders++;
	return BLT_OK;
}

/* Prepares an empty 200 reply. */
static void reply_init(struct httpd_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	buf_init(&r->body, HTTPD_REPLY_BODY_MAX);
}

/* Frees what the reply still owns. */
static void reply_free(struct httpd_reply *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->header_names[i]);
		free(r->header_values[i]);
	}
	r->nheaders = 0;
	buf_free(&r->body);
}

/* Adds the reply's headers to resp; Content-Length and Transfer-Encoding
 * are the server's business and skipped. Returns false when libmicrohttpd
 * refuses a header (say, a newline in a value). */
static bool reply_headers(const struct httpd_reply *r,
			  struct MHD_Response *resp)
{
	bool has_type = false;
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		const char *n = r->header_names[i];

		if (!strcasecmp(n, "content-length") ||
		    !strcasecmp(n, "transfer-encoding"))
			continue;
		if (!strcasecmp(n, "content-type"))
			has_type = true;
		if (MHD_add_response_header(resp, n, r->header_values[i]) !=
		    MHD_YES)
			return false;
	}
	if (!has_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					AWSJSON_CONTENT_TYPE);
	return true;
}

struct httpd_prepared {
	struct MHD_Response *resp;
	unsigned status;
};

blt_status httpd_prepared_new(int status, const char *const *names,
			      const char *const *values, size_t n,
			      const char *body, size_t len,
			      struct httpd_prepared **out, struct blt_err *err)
{
	struct httpd_reply r;
	struct httpd_prepared *p = NULL;
	blt_status st = BLT_OK;

	*out = NULL;
	reply_init(&r);
	r.status = status;
	for (size_t i = 0; i < n && !st; i++)
		st = httpd_reply_header(&r, names[i], values[i], err);
	if (!st && (status < 100 || status > 599))
		st = blt_fail(err, BLT_EINVAL, "status %d is not 100 to 599",
			      status);
	if (!st && !(p = calloc(1, sizeof(*p))))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (!st)
		p->resp = MHD_create_response_from_buffer(
			len, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!st && (!p->resp || !reply_headers(&r, p->resp)))
		st = blt_fail(err, BLT_EINVAL, "libmicrohttpd refused the "
			      "prepared answer");
	reply_free(&r);
	if (st) {
		httpd_prepared_free(p);
		return st;
	}
	p->status = (unsigned)status;
	*out = p;
	return BLT_OK;
}

void httpd_prepared_free(struct httpd_prepared *p)
{
	if (!p)
		return;
	if (p->resp)
		MHD_destroy_response(p->resp);
	free(p);
}

/* Turns the handler's reply into a response, taking its body. NULL when
 * the reply cannot be sent as it is. */
static struct MHD_Response *reply_response(struct httpd_reply *r)
{
	struct MHD_Response *resp;
	size_t len = r->body.len;
	char *body;

	if (r->status < 100 || r->status > 599)
		return NULL;
	body = buf_take(&r->body);
	if (!body)
		return NULL;
	resp =
	    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return NULL;
	}
	if (!reply_headers(r, resp)) {
		MHD_destroy_response(resp);
		return NULL;
	}
	return resp;
}

/* ---- What a request may hold ---- */

/* RFC 3986 unreserved and sub-delims, ':' and '@': a pchar other than a
 * %-escape. */
static bool pchar_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~!$&'()*+,;=:@", c));
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

bool httpd_target_ok(const char *target, size_t n)
{
	if (n == 0 || target[0] != '/')
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)target[i];

		if (c == '%') {
			if (i + 2 >= n || !is_hex((unsigned char)target[i + 1]) ||
			    !is_hex((unsigned char)target[i + 2]))
				return false;
			i += 2;
		} else if (c != '/' && c != '?' && !pchar_plain(c)) {
			return false;
		}
	}
	return true;
}

bool httpd_token_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') ||
		      (c && strchr("!#$%&'*+-.^_`|~", c))))
			return false;
	}
	return true;
}

bool httpd_field_value_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* ---- Requests ---- */

/* Gathers request headers in the order received, duplicates kept. */
struct header_list {
	struct blt_header *items;
	size_t n;
	size_t max;
	bool overflow;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
				      const char *key, const char *value)
{
	struct header_list *l = cls;

	(void)kind;
	if (l->n >= l->max) {
		l->overflow = true;
		return MHD_NO;
	}
	l->items[l->n].name = key;
	l->items[l->n].value = value ? value : "";
	l->n++;
	return MHD_YES;
}

const char *httpd_request_header(const struct httpd_request *r,
				 const char *name)
{
	return header_find(r->headers, r->nheaders, name);
}

/* Called once per request with the raw URI, before any parsing: records
 * the raw path and query in the connection state and starts the request.
 * The return value becomes the request's con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct hconn *c = ci ? ci->socket_context : NULL;
	const char *q;

	(void)cls;
	if (!c)
		return NULL;
	c->state = RQ_NEW;
	c->too_large = false;
	c->drained = 0;
	buf_reset(&c->body);
	buf_reset(&c->uri);
	c->target_ok = httpd_target_ok(uri, strlen(uri));
	q = strchr(uri, '?');
	c->has_query = q != NULL;
	if (buf_append(&c->uri, uri, q ? (size_t)(q - uri) : strlen(uri),
		       NULL) ||
	    buf_append(&c->uri, "", 1, NULL) ||
	    (q && buf_puts(&c->uri, q + 1, NULL)))
		return NULL;
	return c;
}

/* True when the request announces a body over the cap and waits for
 * "100 Continue" before sending it, so answering now loses nothing. */
static bool early_too_large(struct hconn *c)
{
	const char *cl = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND,
						     "Content-Length");
	const char *ex =
	    MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Expect");
	unsigned long long n;
	char *end;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno || end == cl || n <= c->h->body_max)
		return false;
	return (ex && !strcasecmp(ex, "100-continue")) ||
	       n - c->h->body_max > HTTPD_DRAIN_MAX;
}

/* Headers a request carries at most once: a second Content-Length makes
 * its framing ambiguous (a smuggling vector behind a proxy), and a second
 * X-Amz-Target, Content-Type or credential header makes its meaning so. */
#define SINGLETON(name) {name, sizeof(name) - 1}
static const struct {
	const char *name;
	size_t len;
} singletons[] = {
	SINGLETON("Content-Length"), SINGLETON("Transfer-Encoding"),
	SINGLETON("Content-Type"),   SINGLETON("Host"),
	SINGLETON("X-Amz-Target"),   SINGLETON("Authorization"),
	SINGLETON("X-Amz-Date"),     SINGLETON("X-Amz-Security-Token")};

#define NSINGLETONS (sizeof(singletons) / sizeof(singletons[0]))

static enum MHD_Result count_singleton(void *cls, enum MHD_ValueKind kind,
				       const char *key, const char *value)
{
	unsigned *counts = cls;
	size_t len = strlen(key);

	(void)kind;
	(void)value;
	for (size_t i = 0; i < NSINGLETONS; i++)
		if (len == singletons[i].len &&
		    strcasecmp(key, singletons[i].name) == 0)
			counts[i]++;
	return MHD_YES;
}

/* The first header that appears more than once, with its count, or NULL. */
static const char *repeated_singleton(struct MHD_Connection *mc,
				      unsigned *count)
{
	unsigned counts[NSINGLETONS] = {0};

	MHD_get_connection_values(mc, MHD_HEADER_KIND, count_singleton,
				  counts);
	for (size_t i = 0; i < NSINGLETONS; i++) {
		if (counts[i] > 1) {
			*count = counts[i];
			return singletons[i].name;
		}
	}
	return NULL;
}

/* The first header that is not well-formed, found by
 * MHD_get_connection_values_n. */
struct bad_header {
	bool found;
	size_t index;	      /* 1-based position of the header */
	bool bad_name;	      /* its name is not a token (else its value is bad) */
	const char *key;      /* its name */
	size_t key_size;
	const char *prev_end; /* where the previous header's value ended */
};

/* Whether bytes hid behind a NUL in the line of the header whose value
 * ended at end (its NUL), the next header's name starting at next (NULL
 * after the last one). libmicrohttpd 0.9 ends a value at a NUL byte and
 * drops the rest of the line without a word; it parses the request head in
 * place, turning each line's CR and LF into NULs. So a value that ends
 * where its line ends is followed by one NUL (LF) or two (CRLF) and then the
 * next name or, after the last header, the blank line (NULs too). */
static bool nul_hidden(const char *end, const char *next)
{
	if (next)
		return !(end + 1 == next || (end + 2 == next && end[1] == '\0'));
	return end[1] != '\0';
}

/* Marks the header at index (name key) as the bad one. */
static enum MHD_Result header_bad(struct bad_header *b, size_t index,
				  bool bad_name, const char *key,
				  size_t key_size)
{
	b->found = true;
	b->index = index;
	b->bad_name = bad_name;
	b->key = key;
	b->key_size = key_size;
	return MHD_NO;
}

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind,
				    const char *key, size_t key_size,
				    const char *value, size_t value_size)
{
	struct bad_header *b = cls;

	(void)kind;
	if (!key || key_size != strlen(key) || !httpd_token_ok(key, key_size))
		return header_bad(b, b->index + 1, true, key, key_size);
	if (b->prev_end && nul_hidden(b->prev_end, key))
		return header_bad(b, b->index, false, b->key, b->key_size);
	b->index++;
	b->key = key;
	b->key_size = key_size;
	if (value && (value_size != strlen(value) ||
		      !httpd_field_value_ok(value, value_size)))
		return header_bad(b, b->index, false, key, key_size);
	b->prev_end = value ? value + value_size : NULL;
	return MHD_YES;
}

/* Whether the request head ends with an empty line right after from (the
 * NUL that ended the last header's value, or the version's): libmicrohttpd
 * takes a line whose name is empty (": v") for the end of the head, drops
 * it and reads what follows as the body or the next request. Its head,
 * method to the end of that line, is parsed in place with CR, LF and the
 * colon turned into NULs, so an empty end is at most the four NULs of
 * CRLF CRLF and holds nothing else. */
static bool head_ends_clean(struct MHD_Connection *mc, const char *method,
			    const char *from)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	    mc, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	const char *end;

	if (!ci || !ci->header_size || from < method)
		return true;
	end = method + ci->header_size;
	if (end < from || end - from > 4)
		return false;
	for (; from < end; from++)
		if (*from)
			return false;
	return true;
}

/* Whether the method is a token, the request target origin-form, every
 * header name a token with a clean value and the head's end an empty
 * line; when not, msg says which part is wrong without quoting a value
 * (it may carry a credential). */
static bool well_formed(struct hconn *c, const char *method,
			const char *version, char *msg, size_t n)
{
	struct bad_header b = {false, 0, false, NULL, 0, NULL};
	struct blt_buf name;

	if (!method || !httpd_token_ok(method, strlen(method))) {
		buf_init(&name, 256);
		if (method)
			log_escape(&name, method,
				   strlen(method) < 40 ? strlen(method) : 40,
				   NULL);
		snprintf(msg, n,
			 "the method '%s' is not an HTTP token (RFC 9110: "
			 "letters, digits and !#$%%&'*+-.^_`|~)",
			 name.data ? name.data : "");
		buf_free(&name);
		return false;
	}
	if (!c->target_ok) {
		snprintf(msg, n,
			 "the request target is not origin-form: blt servers "
			 "take only /PATH[?QUERY] made of letters, digits, "
			 "%%-escapes and -._~!$&'()*+,;=:@/?");
		return false;
	}
	MHD_get_connection_values_n(c->mc, MHD_HEADER_KIND, check_header, &b);
	if (!b.found && b.prev_end && nul_hidden(b.prev_end, NULL))
		header_bad(&b, b.index, false, b.key, b.key_size);
	if (!b.found && version &&
	    !head_ends_clean(c->mc, method,
			     b.prev_end ? b.prev_end
					: version + strlen(version))) {
		snprintf(msg, n,
			 "line %zu of the request head is neither a header "
			 "nor the empty line that ends the head (a header "
			 "with no name before its colon?)",
			 b.index + 2);
		return false;
	}
	if (!b.found)
		return true;
	buf_init(&name, 256);
	if (b.key)
		log_escape(&name, b.key, b.key_size < 40 ? b.key_size : 40,
			   NULL);
	if (b.bad_name)
		snprintf(msg, n,
			 "header %zu: the name '%s' is not an HTTP token "
			 "(RFC 9110: letters, digits and !#$%%&'*+-.^_`|~, "
			 "nothing before the colon)",
			 b.index, name.data ? name.data : "");
	else
		snprintf(msg, n,
			 "header %zu (%s): its value holds a control byte "
			 "(CR, LF, NUL or another), which no header may",
			 b.index, name.data ? name.data : "");
	buf_free(&name);
	return false;
}

/* The first call for a request: numbers it, refuses a malformed method,
 * target, header or head and a header given twice that must come once, and
 * checks Content-Length. */
static enum MHD_Result request_begin(struct hconn *c, const char *method,
				     const char *version)
{
	unsigned count = 0;
	const char *twice = repeated_singleton(c->mc, &count);
	char msg[256];

	c->seq = atomic_fetch_add(&c->h->seq, 1);
	c->counted = true;
	atomic_fetch_add(&c->h->inflight, 1);
	c->state = RQ_BODY;
	if (!well_formed(c, method, version, msg, sizeof(msg))) {
		/* The peer cannot be trusted to frame the next request. */
		c->state = RQ_DONE;
		return queue_error(c->mc, 400, AWSJSON_ERR_SERIALIZATION, msg,
				   true);
	}
	if (twice) {
		snprintf(msg, sizeof(msg),
			 "the request carries %u %s headers; it may carry one",
			 count, twice);
		c->state = RQ_DONE;
		return queue_error(c->mc, 400, AWSJSON_ERR_SERIALIZATION, msg,
				   true);
	}
	if (early_too_large(c))
		return queue_too_large(c);
	return MHD_YES;
}

/* Takes one piece of the upload; past the cap it is drained, up to
 * HTTPD_DRAIN_MAX bytes, after which the connection is closed. */
static enum MHD_Result request_absorb(struct hconn *c, const char *data,
				      size_t n)
{
	if (!c->too_large && buf_append(&c->body, data, n, NULL) == BLT_OK)
		return MHD_YES;
	c->too_large = true;
	c->drained += n;
	return c->drained > HTTPD_DRAIN_MAX ? MHD_NO : MHD_YES;
}

/* Sends resp now or, when delay_ms is set, after the delay. Takes resp. */
static enum MHD_Result request_answer(struct hconn *c, unsigned status,
				      struct MHD_Response *resp,
				      unsigned delay_ms)
{
	enum MHD_Result ok;

	if (delay_ms) {
		c->pending = resp;
		c->pending_status = status;
		c->state = RQ_DELAYED;
		timer_schedule(c->h, c, delay_ms);
		return MHD_YES;
	}
	c->state = RQ_DONE;
	ok = MHD_queue_response(c->mc, status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* Calls the handler and answers what it replied. */
static enum MHD_Result request_run(struct hconn *c, struct httpd_request *req)
{
	struct httpd_reply reply;
	struct MHD_Response *resp;
	unsigned status, delay;

	reply_init(&reply);
	c->h->handler(c->h->ctx, req, &reply);
	if (reply.reset) {
		reply_free(&reply);
		c->state = RQ_DONE;
		return MHD_NO;
	}
	if (reply.prepared && !reply.delay_ms) {
		/* Queued as it is: libmicrohttpd counts its users, and the
		 * prepared answer keeps its own reference. */
		reply_free(&reply);
		c->state = RQ_DONE;
		return MHD_queue_response(c->mc, reply.prepared->status,
					  reply.prepared->resp);
	}
	resp = reply_response(&reply);
	status = (unsigned)reply.status;
	delay = reply.delay_ms;
	reply_free(&reply);
	if (!resp) {
		c->state = RQ_DONE;
		return queue_error(c->mc, 500, AWSJSON_ERR_INTERNAL_SERVER,
				   "the server built an invalid reply", false);
	}
	return request_answer(c, status, resp, delay);
}

/* The last call for a request: the body is complete. */
static enum MHD_Result request_finish(struct hconn *c, const char *method,
				      const char *version)
{
	struct blt_header headers[HTTPD_MAX_REQ_HEADERS];
	struct header_list hl = {headers, 0, HTTPD_MAX_REQ_HEADERS, false};
	struct httpd_request req;

	if (c->too_large)
		return queue_too_large(c);
	MHD_get_connection_values(c->mc, MHD_HEADER_KIND, collect_header, &hl);
	if (hl.overflow) {
		c->state = RQ_DONE;
		return queue_error(c->mc, 431, AWSJSON_ERR_SERIALIZATION,
				   "the request has too many headers", true);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = c->uri.data;
	req.query = c->has_query ? c->uri.data + strlen(c->uri.data) + 1 : NULL;
	req.version = version;
	req.headers = headers;
	req.nheaders = hl.n;
	req.body = c->body.data ? c->body.data : "";
	req.body_len = c->body.len;
	req.seq = c->seq;
	req.local_url = c->h->url;
	return request_run(c, &req);
}

/* Sends the delayed answer once the timer has resumed the connection. */
static enum MHD_Result request_resumed(struct hconn *c)
{
	struct MHD_Response *resp = c->pending;
	enum MHD_Result ok;

	c->pending = NULL;
	c->state = RQ_DONE;
	ok = MHD_queue_response(c->mc, c->pending_status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* libmicrohttpd's access handler: called once when the headers are in,
 * once per piece of the body, and once more at its end. */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *mc,
				 const char *url, const char *method,
				 const char *version, const char *upload,
				 size_t *upload_size, void **con_cls)
{
	struct hconn *c = *con_cls;

	(void)cls;
	(void)url;
	if (!c)
		return MHD_NO;
	switch (c->state) {
	case RQ_NEW:
		return request_begin(c, method, version);
	case RQ_BODY:
		if (*upload_size) {
			size_t n = *upload_size;

			*upload_size = 0;
			return request_absorb(c, upload, n);
		}
		return request_finish(c, method, version);
	case RQ_DELAYED:
		return request_resumed(c);
	case RQ_DONE:
		break;
	}
	*upload_size = 0;
	return MHD_YES;
}

/* Called when a request ends, answered or not. */
static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct hconn *c = *con_cls;

	(void)cls;
	(void)mc;
	(void)toe;
	if (!c)
		return;
	if (c->pending) {
		MHD_destroy_response(c->pending);
		c->pending = NULL;
	}
	if (c->counted)
		atomic_fetch_sub(&c->h->inflight, 1);
	c->counted = false;
	c->state = RQ_DONE;
}

/* Creates the per-connection state when a connection opens and frees it
 * when it closes. */
static void on_connection(void *cls, struct MHD_Connection *mc,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *h = cls;
	struct hconn *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		c = calloc(1, sizeof(*c));
		if (c) {
			c->h = h;
			c->mc = mc;
			buf_init(&c->body, h->body_max);
			buf_init(&c->uri, HTTPD_URI_MAX);
		}
		*socket_context = c;
		atomic_fetch_add(&h->connections, 1);
		return;
	}
	if (!c)
		return;
	buf_free(&c->body);
	buf_free(&c->uri);
	free(c);
	*socket_context = NULL;
}

/* ---- Life cycle ---- */

/* libmicrohttpd's per-connection memory pool (request line, headers, read
 * buffer; bodies go to our own buffer): 8 KiB instead of 32 KiB, since it
 * clears the pool for every request. An SDK's request head takes about
 * 2 KiB; one beyond the pool is refused (431). */
#define HTTPD_CONNECTION_MEMORY (8 * 1024)

/* Starts libmicrohttpd on the bound socket. It polls with poll(2), not
 * epoll: libmicrohttpd 0.9.75's epoll loop stalls (until the idle timeout)
 * once a thread holds 128 or more busy keep-alive connections, while poll
 * keeps its rate at 1024 connections (bench/soak.sh shows both). */
static blt_status daemon_start(struct httpd *h, const struct httpd_config *cfg,
			       bool v6, struct blt_err *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
			 MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0);
	unsigned threads = cfg->threads ? cfg->threads : 1;
	unsigned timeout = cfg->timeout_s ? cfg->timeout_s : 30;

	h->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_access, h, MHD_OPTION_LISTEN_SOCKET,
	    (MHD_socket)h->lsock, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_CONNECTION_LIMIT,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_THREAD_POOL_SIZE,
	    threads > 1 ? threads : 0u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTPD_CONNECTION_MEMORY, MHD_OPTION_END);
	if (!h->daemon)
		return blt_fail(err, BLT_EIO,
				"libmicrohttpd could not start on %s", h->url);
	return BLT_OK;
}

blt_status httpd_start(const struct httpd_config *cfg, struct httpd **out,
		       struct blt_err *err)
{
	char host[256];
	unsigned short port;
	struct httpd *h = NULL;
	bool v6 = false;
	blt_status st;

	*out = NULL;
	if (!cfg || !cfg->handler)
		return blt_fail(err, BLT_EINVAL, "httpd_start: no handler");
	st = httpd_parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:0", host,
				sizeof(host), &port, err);
	if (st)
		goto fail;
	h = calloc(1, sizeof(*h));
	if (!h) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	h->lsock = -1;
	h->handler = cfg->handler;
	h->ctx = cfg->ctx;
	h->body_max = cfg->body_max ? cfg->body_max : HTTPD_BODY_MAX_DEFAULT;
	st = listen_open(host, port, &h->lsock, err);
	if (!st)
		st = listen_describe(h, &v6, err);
	if (!st)
		st = timer_start(h, err);
	if (!st)
		st = daemon_start(h, cfg, v6, err);
	if (st)
		goto fail;
	*out = h;
	return BLT_OK;
fail:
	httpd_stop(h);
	return st;
}

unsigned short httpd_port(const struct httpd *h)
{
	return h->port;
}

const char *httpd_url(const struct httpd *h)
{
	return h->url;
}

unsigned long long httpd_connections(const struct httpd *h)
{
	return atomic_load(&((struct httpd *)h)->connections);
}

void httpd_announce(const struct httpd *h)
{
	httpd_announce_to(h, stdout);
}

void httpd_announce_to(const struct httpd *h, FILE *to)
{
	fprintf(to, "listening on %s\n", h->url);
	fflush(to);
}

/* The signals httpd_wait_signal takes. */
static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

void httpd_block_signals(void)
{
	sigset_t set;

	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int httpd_wait_signal(void)
{
	sigset_t set;
	int sig = 0;

	stop_signals(&set);
	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}

/* Waits (up to HTTPD_STOP_GRACE_MS) for the requests in flight. */
static void wait_quiet(struct httpd *h)
{
	struct timespec tick = {0, 5 * 1000000L};
	int waited = 0;

	while (atomic_load(&h->inflight) > 0 && waited < HTTPD_STOP_GRACE_MS) {
		nanosleep(&tick, NULL);
		waited += 5;
	}
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	if (h->daemon) {
		MHD_quiesce_daemon(h->daemon);
		wait_quiet(h);
	}
	timer_stop(h);
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	if (h->lsock >= 0)
		close(h->lsock);
	if (h->sync_ready) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->wake);
	}
	free(h);
}
