/* blt-proxy record: its options, the token links between interactions, and
 * the upstream (URL, endpoint discovery, forwarding with SigV4 re-signing). */
#ifndef BLT_PROXY_RECORD_H
#define BLT_PROXY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "blt/err.h"
#include "blt/httpc.h"
#include "blt/httpd.h"
#include "blt/redact.h"
#include "blt/sigv4.h"

#define RECORD_THREADS_DEFAULT 16
#define RECORD_THREADS_MAX 128
#define RECORD_TIMEOUT_DEFAULT_MS 30000
#define RECORD_TIMEOUT_MAX_MS 3600000
#define RECORD_FORWARD_TARGETS_MAX 16
#define RECORD_FORWARD_MAX (HTTPD_MAX_HEADERS + 8) /* headers sent upstream */

/* The command line of blt-proxy record. Strings point into argv. */
struct record_opts {
	const char *upstream;	   /* URL or aws:REGION */
	const char *cassette;	   /* the file to write */
	const char *listen;	   /* 127.0.0.1:0 by default */
	const char *advertise;	   /* --advertise URL, else NULL */
	const char *upstream_ca;   /* extra CA bundle, or NULL */
	const char *discovery_url; /* overrides the DescribeEndpoints host */
	const char *region;	   /* --region, else NULL */
	bool no_resign;
	bool append;
	bool fsync; /* fdatasync each journal line before answering */
	bool help;
	long timeout_ms;
	unsigned threads;
	/* --forward-target: X-Amz-Target prefixes forwarded besides
	 * Timestream_20181101. */
	const char *forward_targets[RECORD_FORWARD_TARGETS_MAX];
	size_t nforward_targets;
};

/* Parses argv (argv[0] is "record"), adding --redact rules to rules.
 * BLT_EUSAGE with a message naming the flag when something is wrong. With
 * --help, o->help is set and nothing else is checked. */
blt_status record_opts_parse(int argc, char **argv, struct record_opts *o,
			     struct redact_rules *rules, struct blt_err *err);

/* The usage text of blt-proxy record. */
void record_usage(FILE *out);

/* Token links: which interaction's response issued a NextToken. A
 * thread-safe map from token text to interaction id. */
struct record_tokens;

blt_status record_tokens_new(struct record_tokens **out, struct blt_err *err);

/* Records that interaction id issued token (copied). A token issued again
 * points to its latest issuer. BLT_ELIMIT past CASSETTE_INTERACTIONS_MAX
 * tokens. */
blt_status record_tokens_put(struct record_tokens *t, const char *token,
			     long id, struct blt_err *err);

/* The id of the interaction that issued token; 0 when unknown. */
long record_tokens_get(struct record_tokens *t, const char *token);

size_t record_tokens_count(struct record_tokens *t);

void record_tokens_free(struct record_tokens *t);

/* Where requests go: "scheme://authority" plus an optional base path. */
struct record_upstream {
	char scheme[8];	     /* "http" or "https" */
	char authority[256]; /* host[:port] as written: the Host header */
	char base[256];	     /* path prefix without a trailing '/', or "" */
};

/* Parses an http:// or https:// URL: scheme://HOST[:PORT] and an optional
 * base path, nothing else (no user, query or fragment). BLT_EUSAGE naming
 * what is wrong. */
blt_status record_upstream_parse(const char *url, struct record_upstream *out,
				 struct blt_err *err);

/* Writes "scheme://authority" + base into out. */
void record_upstream_url(const struct record_upstream *u, char *out,
			 size_t outsz);

/* How requests are signed on their way upstream. */
struct record_signer {
	bool resign; /* false: forward the client's headers as is */
	struct sigv4_creds creds;
	const char *region;
};

/* Asks discovery_url for the cell endpoint with a DescribeEndpoints call
 * (signed when s->resign) and fills out with the first Endpoints[].Address:
 * a URL when it carries a scheme ("http://127.0.0.1:8080", as blt servers
 * on plain HTTP answer), else the discovery URL's scheme and that
 * host[:port]; *cache_minutes gets its
 * CachePeriodInMinutes (0 when absent). Errors name the discovery URL and
 * what went wrong. */
blt_status record_discover(struct httpc *c, const char *discovery_url,
			   const struct record_signer *s,
			   struct record_upstream *out, long *cache_minutes,
			   struct blt_err *err);

/* True for headers that are not forwarded either way: hop-by-hop headers
 * (Connection, Keep-Alive, Transfer-Encoding, TE, Trailer, Upgrade,
 * Proxy-*), the ones a Connection header names (connection may be NULL),
 * and Content-Length (recomputed). */
bool record_hop_header(const char *name, const char *connection);

/* True when record forwards a request with this X-Amz-Target (NULL when
 * absent): one of the Timestream_20181101 service or starting with one of
 * o's --forward-target prefixes. */
bool record_target_forwarded(const struct record_opts *o, const char *target);

/* What goes upstream for one request. */
struct record_outgoing {
	struct httpc_url url; /* owned: built by httpc_url_join */
	char *lines[RECORD_FORWARD_MAX]; /* owned: "Name: value" (or "Name;") */
	size_t n;
	struct sigv4_header sign[8];
	size_t nsign;
	char amz_date[17];
	char auth[1024];
	char sig[65]; /* the proxy's signature, "" when not re-signed */
};

/* Builds what record_forward sends for req (an origin-form request as
 * httpd hands it over) to u: the URL (u's base path plus req's path and
 * query, through httpc_url_join, so %-escapes go out in lower case) and
 * the client's headers minus
 * hop-by-hop ones, Expect and Accept-Encoding, each byte for byte; re-signed
 * by s when s->resign (the client's Host, Authorization, X-Amz-Date and
 * X-Amz-Security-Token dropped, Host set to u's, X-Amz-Security-Token
 * added from the session token). Without re-signing the client's Host is
 * kept, so its signature can still hold. Release out with
 * record_outgoing_free, also after a failure. */
blt_status record_outgoing_build(const struct record_upstream *u,
				 const struct record_signer *s,
				 const struct httpd_request *req,
				 struct record_outgoing *out,
				 struct blt_err *err);

void record_outgoing_free(struct record_outgoing *o);

/* Sends req to u as record_outgoing_build says. The signature the proxy
 * computed is written to sig_out (64 hex digits, "" when unsigned). On
 * BLT_OK resp holds the answer; release it with httpc_response_free. */
blt_status record_forward(struct httpc *c, const struct record_upstream *u,
			  const struct record_signer *s,
			  const struct httpd_request *req,
			  struct httpc_response *resp, char sig_out[65],
			  struct blt_err *err);

/* Copies the signature of a SigV4 Authorization value into out ("" when
 * there is none). */
void record_signature_of(const char *authorization, char out[65]);

#endif
