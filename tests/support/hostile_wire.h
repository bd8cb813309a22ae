/* A raw-socket HTTP client for the hostile-input tests: it sends any bytes
 * (broken HTTP included), optionally one byte at a time, and reads what the
 * server answers within a deadline, telling an answer from a close or a
 * hang. */
#ifndef BLT_HOSTILE_WIRE_H
#define BLT_HOSTILE_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define HW_TARGET_LBT "Timestream_20181101.ListBatchLoadTasks"
#define HW_CT "application/x-amz-json-1.0"
#define HW_READ_MAX ((size_t)1 << 20)

/* How to send. */
struct hw_opts {
	int trickle_ms;	 /* > 0: one byte, then this many ms, and so on */
	bool shut_wr;	 /* shutdown(SHUT_WR) once everything is sent */
	int deadline_ms; /* the whole exchange; 10000 when 0 */
};

/* What came back. */
struct hw_result {
	int status;	  /* of the first final response; 0 when none */
	bool complete;	  /* that response arrived whole (headers and body) */
	bool closed;	  /* the server closed (EOF or reset) */
	bool reset;	  /* ... with a reset */
	bool hung;	  /* the deadline passed with neither */
	bool send_failed; /* the server stopped taking bytes (closed early) */
	char *data;	  /* everything read (NUL-terminated; owned) */
	size_t len;
	const char *body; /* the first final response's body, inside data */
	size_t body_len;
	double elapsed_ms;
};

/* Connects to 127.0.0.1:port; returns the socket or -1 (errno set). */
int hw_connect(unsigned short port);

/* Sends len bytes of data on a new connection to port as o says, reading
 * meanwhile, and reads until a whole response has arrived, the server
 * closes, or the deadline passes. o may be NULL (send at once, no
 * shutdown). Release r with hw_result_free. */
void hw_exchange(unsigned short port, const char *data, size_t len,
		 const struct hw_opts *o, struct hw_result *r);

void hw_result_free(struct hw_result *r);

/* A new request text (caller frees): POST / HTTP/1.1 with Host,
 * Content-Type, X-Amz-Target ListBatchLoadTasks, the extra header lines
 * (each ending in CRLF, may be NULL), a Content-Length of len and body.
 * The length is returned in *out_len. */
char *hw_request(const char *extra, const char *body, size_t len,
		 size_t *out_len);

/* The value of header name in the first final response of r, copied into
 * out (size outsz); false when absent. */
bool hw_header(const struct hw_result *r, const char *name, char *out,
	       size_t outsz);

/* A short printable description of r for failure messages (static
 * buffer). */
const char *hw_describe(const struct hw_result *r);

#endif
