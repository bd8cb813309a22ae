/* A raw-socket HTTP client for the hostile-input tests. */
#define _GNU_SOURCE /* memmem */
#include "hostile_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int hw_connect(unsigned short port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The value of name within the header block [h, h + n), or NULL; *vlen
 * gets its length. */
static const char *find_header(const char *h, size_t n, const char *name,
			       size_t *vlen)
{
	size_t nl = strlen(name);
	const char *end = h + n;
	const char *line = memchr(h, '\n', n); /* skip the status line */

	while (line && ++line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v;

		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > nl && line[nl] == ':' &&
		    strncasecmp(line, name, nl) == 0) {
			v = line + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen &&
			       (v[*vlen - 1] == '\r' || v[*vlen - 1] == ' '))
				(*vlen)--;
			return v;
		}
		line = eol;
	}
	return NULL;
}

/* Whether a chunked body starting at p (n bytes) is whole. */
static bool chunked_done(const char *p, size_t n)
{
	size_t pos = 0;

	for (;;) {
		const char *eol = memmem(p + pos, n - pos, "\r\n", 2);
		unsigned long size;
		char *stop;

		if (!eol)
			return false;
		size = strtoul(p + pos, &stop, 16);
		if (stop == p + pos)
			return true; /* not chunked after all: stop reading */
		pos = (size_t)(eol - p) + 2;
		if (size == 0)
			return memmem(p + pos, n - pos, "\r\n", 2) != NULL;
		if (n - pos < size + 2)
			return false;
		pos += size + 2;
	}
}

/* Looks for the first final response in r->data and fills status,
 * complete and body. */
static void parse(struct hw_result *r)
{
	size_t pos = 0;

	for (;;) {
		const char *start = r->data + pos;
		const char *eoh = memmem(start, r->len - pos, "\r\n\r\n", 4);
		size_t hlen;
		size_t vlen;
		const char *v;
		int status;

		if (!eoh || sscanf(start, "HTTP/%*d.%*d %d", &status) != 1)
			return;
		hlen = (size_t)(eoh - start) + 4;
		if (status >= 100 && status < 200) {
			pos += hlen;
			continue;
		}
		r->status = status;
		r->body = start + hlen;
		r->body_len = r->len - pos - hlen;
		if ((v = find_header(start, hlen, "transfer-encoding",
				     &vlen)) &&
		    vlen == 7 && strncasecmp(v, "chunked", 7) == 0)
			r->complete = chunked_done(r->body, r->body_len);
		else if ((v = find_header(start, hlen, "content-length",
					  &vlen)))
			r->complete = r->body_len >= strtoul(v, NULL, 10);
		else
			r->complete =
			    status == 204 || status == 304 || r->closed;
		return;
	}
}

/* Reads what is there; returns false once the exchange is over. */
static bool read_some(int fd, struct hw_result *r)
{
	char chunk[65536];
	ssize_t n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		r->closed = true;
		r->reset = n < 0;
		parse(r);
		return false;
	}
	if (r->len + (size_t)n > HW_READ_MAX)
		n = (ssize_t)(HW_READ_MAX - r->len);
	memcpy(r->data + r->len, chunk, (size_t)n);
	r->len += (size_t)n;
	r->data[r->len] = '\0';
	parse(r);
	return !r->complete && r->len < HW_READ_MAX;
}

/* Waits up to ms for input (or until the deadline) and reads it. */
static bool wait_read(int fd, struct hw_result *r, int ms, double deadline)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	double left = deadline - now_ms();

	if (left <= 0)
		return false;
	if (ms < 0 || ms > left)
		ms = (int)left + 1;
	if (poll(&p, 1, ms) > 0)
		return read_some(fd, r);
	return true;
}

/* Sends while reading; returns false when the exchange is already over. */
static bool send_all(int fd, const char *data, size_t len,
		     const struct hw_opts *o, struct hw_result *r,
		     double deadline)
{
	size_t off = 0;

	while (off < len) {
		size_t n = o->trickle_ms > 0 ? 1 : len - off;
		struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
		ssize_t w;

		if (now_ms() >= deadline)
			return false;
		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !read_some(fd, r))
			return false;
		if (!(p.revents & POLLOUT))
			continue;
		w = send(fd, data + off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0) {
			r->send_failed = true;
			return true; /* read what the server said before */
		}
		off += (size_t)w;
		if (o->trickle_ms > 0 && off < len &&
		    !wait_read(fd, r, o->trickle_ms, deadline))
			return false;
	}
	return true;
}

void hw_exchange(unsigned short port, const char *data, size_t len,
		 const struct hw_opts *o, struct hw_result *r)
{
	static const struct hw_opts none = {0};
	double t0 = now_ms();
	double deadline;
	int fd;

	memset(r, 0, sizeof(*r));
	o = o ? o : &none;
	deadline = t0 + (o->deadline_ms > 0 ? o->deadline_ms : 10000);
	r->data = calloc(1, HW_READ_MAX + 1);
	fd = r->data ? hw_connect(port) : -1;
	if (fd < 0) {
		r->closed = true;
		r->send_failed = true;
		return;
	}
	if (send_all(fd, data, len, o, r, deadline)) {
		if (o->shut_wr && !r->send_failed)
			shutdown(fd, SHUT_WR);
		while (wait_read(fd, r, -1, deadline))
			;
	}
	r->hung = !r->complete && !r->closed;
	r->elapsed_ms = now_ms() - t0;
	close(fd);
}

void hw_result_free(struct hw_result *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

char *hw_request(const char *extra, const char *body, size_t len,
		 size_t *out_len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Content-Type: " HW_CT "\r\n"
			 "X-Amz-Target: " HW_TARGET_LBT "\r\n"
			 "%sContent-Length: %zu\r\n\r\n",
			 extra ? extra : "", len);
	size_t hl = n > 0 && (size_t)n < sizeof(head) ? (size_t)n : 0;
	char *out = hl ? malloc(hl + len + 1) : NULL;

	if (!out)
		return NULL;
	memcpy(out, head, hl);
	if (len)
		memcpy(out + hl, body, len);
	out[hl + len] = '\0';
	*out_len = hl + len;
	return out;
}

bool hw_header(const struct hw_result *r, const char *name, char *out,
	       size_t outsz)
{
	size_t vlen;
	const char *v;

	if (!r->status || !r->body)
		return false;
	v = find_header(r->data, (size_t)(r->body - r->data), name, &vlen);
	if (!v)
		return false;
	snprintf(out, outsz, "%.*s", (int)vlen, v);
	return true;
}

const char *hw_describe(const struct hw_result *r)
{
	static char s[512];
	size_t i;
	size_t n;

	n = (size_t)snprintf(s, sizeof(s),
			     "status %d%s%s%s%s%s after %.0f ms; read %zu "
			     "bytes: ",
			     r->status, r->complete ? " complete" : "",
			     r->closed ? " closed" : "",
			     r->reset ? " (reset)" : "", r->hung ? " HUNG" : "",
			     r->send_failed ? " send-failed" : "",
			     r->elapsed_ms, r->len);
	for (i = 0; i < r->len && n + 5 < sizeof(s); i++) {
		unsigned char c = (unsigned char)r->data[i];

		if (c == '\r' || c == '\n')
			s[n++] = c == '\n' ? '|' : ' ';
		else
			s[n++] = c >= 32 && c < 127 ? (char)c : '.';
		if (n > 300)
			break;
	}
	s[n] = '\0';
	return s;
}
