/* blt-conform's shared parts: the check catalogue, the configuration that the
 * runner hands to the check processes, the client for the target, walks and
 * the per-check report. */
#ifndef BLT_CONFORM_H
#define BLT_CONFORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blt/awsjson.h"
#include "blt/buf.h"
#include "blt/err.h"
#include "blt/spawn.h"

struct httpc;

enum check_level { CHECK_MUST, CHECK_SHOULD };

/* One row of SPEC section 3. */
struct check_def {
	const char *id;          /* "PAG-SIZE" */
	enum check_level level;
	const char *requirement; /* the sentence the check enforces */
};

/* The whole catalogue, in SPEC order. */
extern const struct check_def conform_checks[];
extern const size_t conform_ncheck;

/* The row for id, or NULL. */
const struct check_def *conform_check_find(const char *id);

/* "must" or "should". */
const char *conform_level_name(enum check_level l);

#define CONFORM_URL_MAX 1024
#define CONFORM_PATH_MAX 1024

/* What every check process needs. The runner fills it from the command line
 * and passes it to the check processes through the environment, because
 * Criterion runs each test in a fresh process. */
struct conform_config {
	char target[CONFORM_URL_MAX]; /* base URL of the server under test */
	char host[256];               /* host[:port] as sent in Host */
	char path[256];               /* request path, "/" by default */
	enum awsjson_profile profile;
	bool exact;                   /* --compare exact (else shape) */
	bool strict;
	uint64_t seed;
	char region[64];
	long timeout_ms;
	char results[CONFORM_PATH_MAX]; /* directory for the check records */
	char fake[CONFORM_PATH_MAX];    /* blt-fake, when embedded */
	bool embedded;                  /* no --target: REP uses its own fakes */
	char cassettes[65536];          /* cassette files, one a line */
	bool sign;                      /* AWS credentials present */
};

/* Writes cfg into the environment (BLT_CONFORM_*). */
blt_status conform_config_export(const struct conform_config *cfg,
				 struct blt_err *err);

/* Reads the configuration back in a check process. */
blt_status conform_config_import(struct conform_config *cfg,
				 struct blt_err *err);

/* Splits a URL into cfg->host and cfg->path after checking that it is an
 * http or https URL with a host; a clear error otherwise. */
blt_status conform_parse_target(struct conform_config *cfg, const char *url,
				struct blt_err *err);

/* A request to the target. */
struct creq {
	const char *target; /* X-Amz-Target; NULL for ListBatchLoadTasks */
	const char *ctype;  /* Content-Type; NULL for the protocol's, "" none */
	const char *body;   /* bytes sent, may be NULL for an empty body */
	size_t len;
	const char *method; /* NULL for POST */
};

/* The answer and what was read from it. */
struct cresp {
	bool answered;       /* an HTTP response arrived */
	blt_status net;      /* when not answered: BLT_ETIMEOUT or BLT_ENET */
	char neterr[BLT_ERR_MSG_MAX];
	long status;
	char *body;          /* NUL-terminated copy */
	size_t len;
	char *ctype;         /* Content-Type, or NULL */
	char *reqid;         /* x-amzn-RequestId, or NULL */
	char *errtype_header; /* x-amzn-ErrorType, or NULL */
	json_t *json;        /* the body parsed, or NULL when not JSON */
	bool has_type;       /* an error type was readable (SPEC section 2) */
	char type[128];
	const char *message; /* borrowed from json; NULL when none */
	double ms;
};

/* Sends rq to the target, signing it when credentials are configured.
 * Returns false (rs->answered false, rs->neterr set) when no HTTP answer
 * came. rs must be released with cresp_free. */
bool conform_send(struct httpc *h, const struct conform_config *cfg,
		  const struct creq *rq, struct cresp *rs);

void cresp_free(struct cresp *rs);

/* Appends a curl command that reproduces rq, shell-quoted. */
void conform_curl(const struct conform_config *cfg, const struct creq *rq,
		  struct blt_buf *out);

/* Appends a short description of rs: status, error type, body start. */
void conform_describe(const struct cresp *rs, struct blt_buf *out);

/* A body from a JSON value (compact); a new string the caller frees. */
char *conform_body(const json_t *v);

/* The state of one running check (in its own process). */
struct check {
	const struct check_def *def;
	struct conform_config cfg;
	struct httpc *http;
	struct blt_buf report;  /* deviations and notes, for the record */
	unsigned deviations;
	unsigned shown;         /* deviations written out in full */
	unsigned sent;          /* requests sent */
	bool skipped;
	char skip_reason[512];
	bool dead;              /* the target stopped answering */
};

/* Starts check id in this process: leaves a marker in the results
 * directory first, then reads the configuration and opens a client. On a
 * setup error it records that the check could not start (a failure) and
 * aborts the test. */
void check_begin(struct check *ck, const char *id);

/* Sends rq and returns true when an HTTP answer came. When none came, it is
 * a deviation of this check (with the curl command) and ck->dead is set: the
 * check should stop sending. */
bool check_send(struct check *ck, const struct creq *rq, struct cresp *rs);

/* Records a deviation: the message, the request as curl and the response
 * (rq and rs may be NULL). Only the first few are written in full. */
void check_fail(struct check *ck, const struct creq *rq,
		const struct cresp *rs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds an explanatory line to the report. */
void check_note(struct check *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks the check as unable to run, with the reason. A deviation recorded
 * earlier or later still makes it fail. */
void check_skip(struct check *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes the check's record and tells Criterion the outcome (a failed
 * assertion with the report, a skip, or a pass). Does not return when the
 * test fails or is skipped. */
void check_end(struct check *ck);

/* Client-side helpers for building requests. */

/* A ListBatchLoadTasks body: max 0 leaves MaxResults out, status NULL leaves
 * TaskStatus out, token NULL leaves NextToken out. New string. */
char *conform_list_body(int max, const char *status, const char *token);

/* A walk through every page of one listing. */
#define WALK_PAGES_MAX 20000

enum walk_outcome {
	WALK_ENDED,     /* an absent or empty NextToken ended it */
	WALK_CYCLE,     /* a token came back */
	WALK_TOO_LONG,  /* more pages than items + 2 */
	WALK_REJECTED,  /* a page was not a 200 with a readable body */
	WALK_NO_ANSWER  /* the target did not answer */
};

struct walk_item {
	char id[64];      /* TaskId, "" when absent or not a string */
	char status[64];  /* TaskStatus, "" when absent */
	size_t page;
};

struct walk {
	enum walk_outcome outcome;
	char problem[1024]; /* what went wrong, with the evidence */
	struct walk_item *items;
	size_t n, cap;
	size_t pages;
	size_t max_page;    /* the largest page seen */
	char last_token[4096];
	const char *status; /* the filter (borrowed) */
	char **sent_token;  /* [page - 1]: the NextToken sent, or NULL */
	int *sent_max;      /* [page - 1]: the MaxResults sent, 0 absent */
	size_t sent_n, sent_cap;
};

/* The request that fetched page (1-based) of w: a new body string for rq,
 * which the caller frees. NULL when the page was not fetched. */
char *walk_page_request(const struct walk *w, size_t page, struct creq *rq);

/* Reports a walk that did not end normally: as a deviation of ck when
 * as_deviation, else as a skip of ck that names PAG-END. A walk rejected
 * with an error is always a deviation. Returns true when w ended. */
bool walk_check_end(struct check *ck, const struct walk *w,
		    bool as_deviation);

/* max_seq holds the MaxResults of page 1, 2, ... (0 = absent), the last
 * repeating; status NULL for no filter. on_page, when not NULL, sees every
 * answered request and response (200 or not). */
typedef void (*walk_page_fn)(struct check *ck, const struct creq *rq,
			     const struct cresp *rs, void *arg);

void walk_run(struct check *ck, const int *max_seq, size_t nmax,
	      const char *status, struct walk *w, walk_page_fn on_page,
	      void *arg);

void walk_free(struct walk *w);

/* Sends body and returns the NextToken of a 200 answer as a new string, or
 * NULL (no answer, no token, an empty one). With must_succeed, an answer
 * other than 200 is a deviation of ck's check. */
char *walk_first_token(struct check *ck, const char *body,
		       bool must_succeed);

/* True when ids (in order) of a and b are equal. */
bool walk_same_order(const struct walk *a, const struct walk *b);

/* Sorted, de-duplicated TaskIds of w: a new array of borrowed pointers
 * (free() it) and its length in *n. */
const char **walk_id_set(const struct walk *w, size_t *n);

/* What answer a client mistake may get. */
enum expect_kind {
	EXPECT_4XX,           /* any 4xx */
	EXPECT_VALIDATION,    /* ValidationException, the profile's status */
	EXPECT_VAL_OR_SER,    /* Validation- or SerializationException, 4xx */
	EXPECT_SERIALIZATION, /* SerializationException, 4xx */
	EXPECT_UNKNOWN_OP     /* UnknownOperationException, 4xx */
};

/* Judges an answer to a client mistake (what names it in the report);
 * returns true when it was as expected. */
bool expect_judge(struct check *ck, const struct creq *rq,
		  const struct cresp *rs, enum expect_kind k, const char *what);

/* Sends rq and judges the answer. */
void expect_error(struct check *ck, const struct creq *rq,
		  enum expect_kind k, const char *what);

/* The same for a body sent to ListBatchLoadTasks. */
void expect_error_body(struct check *ck, const char *body,
		       enum expect_kind k, const char *what);

/* Sends body and records a deviation unless the answer is a 200 with a JSON
 * object. */
void expect_ok_body(struct check *ck, const char *body, const char *what);

/* The six TaskStatus values. */
extern const char *const conform_statuses[6];

/* The shared batteries of requests, for the checks that look at every
 * response of a kind. */

/* Sends the standard valid requests (walks with MaxResults absent, 1..100,
 * each filter, the edges) and calls fn for each answered one. */
void battery_valid(struct check *ck, walk_page_fn fn, void *arg);

/* Sends every client mistake of the catalogue (RNG-OUT, RNG-TYPE, ENU-BAD,
 * ERR-JSON, ERR-TARGET, bad tokens, wrong JSON types, wrong content types)
 * and calls fn for each answered one. */
void battery_mistakes(struct check *ck, walk_page_fn fn, void *arg);

/* Runs blt-fake with extra arguments (NULL-terminated) on 127.0.0.1:0; its
 * URL is child->url. Its stderr is silenced unless BLT_CONFORM_FAKE_LOG is
 * set. The child dies with its parent. */
blt_status fake_start(const char *fake, const char *profile,
		      const char *const *extra, struct spawn_child *child,
		      struct blt_err *err);

/* Stops it (SIGTERM, then SIGKILL after a grace period). A child that was
 * never started is a no-op. */
void fake_stop(struct spawn_child *child);

#endif
