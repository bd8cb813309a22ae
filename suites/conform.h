/* blt-conform's shared parts: the check catalogue, the configuration that the
 * runner hands to the check processes, the client for the target (with its
 * retries, pacing and budget), the observers that judge every response and
 * every walk, walks, and the per-check record. */
#ifndef BLT_CONFORM_H
#define BLT_CONFORM_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blt/awsjson.h"
#include "blt/buf.h"
#include "blt/err.h"
#include "blt/rng.h"
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
/* The suite's own copies of the operation's constants. They stay apart
 * from lib/lbt.h (LBT_STATUS_COUNT, LBT_MAX_RESULTS_MAX) on purpose: the
 * checks state the contract independently of the code that serves it
 * (blt-fake and the proxy use lib/lbt.h), so that one wrong constant
 * cannot hide in both. */
#define CONFORM_NSTATUSES 6 /* TaskStatus values (conform_statuses) */
#define CONFORM_PAGE_MAX 100 /* MaxResults' bound, and a page's size
				 when MaxResults is absent */

/* A request's timeout without --timeout. */
#define CONFORM_TIMEOUT_DEFAULT_MS 5000

/* The bytes of all cassette paths together (conform_config.cassettes). */
#define CONFORM_CASSETTES_MAX 65536

/* Whether the target's NextTokens can be used twice (the runner's survey
 * finds out before the checks start; PAG-REPEAT judges it). */
enum repeat_fact {
	REPEAT_UNKNOWN, /* no token to try (fewer than two tasks) */
	REPEAT_YES,     /* a token sent twice got the same page twice */
	REPEAT_NO       /* the second sending was refused or differed */
};

/* What the survey learnt about the target. */
struct target_facts {
	size_t tasks;          /* TaskIds of the survey's walk */
	bool tasks_exact;      /* the walk ended (else "at least") */
	size_t per_status[CONFORM_NSTATUSES];  /* by conform_statuses */
	enum repeat_fact repeat;
	char repeat_why[512];  /* the evidence when REPEAT_NO */
	char unlisted[256];    /* why the survey got no first page ("" when
				  it did): tasks and per_status say nothing */
};

/* What every check process needs. The runner fills it from the command line
 * and the survey and passes it to the check processes through the
 * environment, because Criterion runs each test in a fresh process. */
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
	unsigned retries;             /* --retries */
	long backoff_ms;              /* --backoff: the first retry's cap */
	double rate;                  /* --rate, requests per second; 0 none */
	uint64_t max_requests;        /* --max-requests; 0 none */
	bool fail_fast;               /* -f */
	char results[CONFORM_PATH_MAX]; /* directory for the check records */
	char fake[CONFORM_PATH_MAX];    /* blt-fake, when embedded */
	bool embedded;                  /* no --target: REP has own fakes */
	char *cassettes;                /* cassette files, one a line, at
					   most CONFORM_CASSETTES_MAX bytes;
					   owned (conform_config_free), NULL
					   for none */
	bool sign;                      /* AWS credentials present */
	struct target_facts facts;
	uint64_t rep_requests;          /* interactions the REP checks send */
	char plan[2048];                /* "ID=ALLOT:LEVEL:NEED;..." */
};

/* Frees what cfg owns (the cassette list); cfg stays usable. */
void conform_config_free(struct conform_config *cfg);

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

/* What a request is: it decides what the observers judge and what may be
 * retried. */
enum creq_kind {
	CREQ_OTHER,  /* neither of the two below (DescribeEndpoints, ...) */
	CREQ_VALID,  /* the contract says it succeeds: 5xx answers retried */
	CREQ_MISTAKE /* a client mistake: a 5xx is an ERR-NO5XX deviation */
};

/* A request to the target. */
struct creq {
	const char *target; /* X-Amz-Target; NULL for ListBatchLoadTasks, ""
			       sends the header empty */
	bool no_target;     /* leave X-Amz-Target out */
	const char *ctype;  /* Content-Type; NULL for the protocol's, "" none */
	const char *body;   /* bytes sent, may be NULL for an empty body */
	size_t len;
	const char *method; /* NULL for POST */
	enum creq_kind kind;
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

/* Sends rq to the target once, signing it when credentials are
 * configured. Returns false (rs->answered false, rs->neterr set) when no
 * HTTP answer came. rs must be released with cresp_free. */
bool conform_send(struct httpc *h, const struct conform_config *cfg,
		  const struct creq *rq, struct cresp *rs);

void cresp_free(struct cresp *rs);

/* True when rs is a ThrottlingException (by type, whatever the status) or
 * a 429. */
bool conform_throttled(const struct cresp *rs);

/* Sleeps before retry number attempt + 1: a random time (from jitter)
 * between 0 and a cap that starts at base_ms and doubles with each
 * attempt, up to 20 s (exponential backoff with full jitter). */
void conform_backoff(struct blt_rng *jitter, long base_ms, unsigned attempt);

/* Appends a curl command that reproduces rq, shell-quoted. */
void conform_curl(const struct conform_config *cfg, const struct creq *rq,
		  struct blt_buf *out);

/* Appends a short description of rs: status, error type, body start;
 * what the target sent is escaped (results_put_text). */
void conform_describe(const struct cresp *rs, struct blt_buf *out);

/* Formats a one-line message into dst (n bytes, cut to fit) with what
 * the arguments quote escaped by results_put_text: a target's bytes in
 * it never reach a terminal or a report raw, and cannot start a line. */
void conform_vtext(char *dst, size_t n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Appends one deviation: lead, the message (as conform_vtext), then the
 * request as a curl command and the response, each when given. */
void conform_deviation(struct blt_buf *out, const struct conform_config *cfg,
		       const char *lead, const struct creq *rq,
		       const struct cresp *rs, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* A body from a JSON value (compact); a new string the caller frees. */
char *conform_body(const json_t *v);

/* A JSON string of s (NULL as ""), with the bytes that are not valid UTF-8
 * written as \xNN. New reference. */
json_t *conform_json_text(const char *s);

/* ---- pacing, the request budget and the run's shared counters ------- */

/* The counters every process of a run shares (a small file mapped in the
 * results directory): requests sent, the pace of --rate, checks finished,
 * and the fail-fast stop. */
struct pace;

/* Maps the shared counters of dir (creating them with create). NULL when
 * they cannot be mapped (err says why). Release with pace_close. */
struct pace *pace_open(const char *dir, bool create, struct blt_err *err);

void pace_close(struct pace *p);

/* Takes one request from the run's budget (max 0: none) and waits for its
 * slot under rate (0: none). False when the budget is used up. */
bool pace_take(struct pace *p, uint64_t max, double rate);

/* Requests taken so far. */
uint64_t pace_sent(const struct pace *p);

/* Counts a finished check; returns the count. */
unsigned pace_check_done(struct pace *p);
unsigned pace_checks_done(const struct pace *p);

/* The fail-fast stop: set once a check failed; read by the others. */
void pace_stop(struct pace *p);
bool pace_stopped(const struct pace *p);

/* ---- observers ------------------------------------------------------- */

/* The invariants that judge every response and every walk of the run,
 * whichever check made them. */
enum obs_id {
	OBS_PAG_SIZE,
	OBS_PAG_END,
	OBS_PAG_DUP,
	OBS_ENU_RESP,
	OBS_SCH_RESP,
	OBS_SCH_TIME,
	OBS_HDR_CTYPE,
	OBS_HDR_REQID,
	OBS_ERR_TYPE,
	OBS_ERR_STATUS,
	OBS_ERR_MSG,
	OBS_ERR_NO5XX,
	OBS_COUNT
};

/* The check ID an observer reports under. */
const char *observe_check_id(enum obs_id o);

/* The observer of o's check id, or -1 when it is not an observer. */
int observe_lookup(const char *id);

struct obs_tally {
	unsigned judged;     /* responses, pages, tasks or walks examined */
	unsigned deviations;
	unsigned shown;
	struct blt_buf text; /* the deviations written out (a few) */
};

/* One process's observations. */
struct observer {
	const struct conform_config *cfg; /* borrowed */
	const char *source;               /* the check id, or "survey" */
	struct obs_tally t[OBS_COUNT];
	char **reqids;                    /* every x-amzn-RequestId seen */
	size_t nreqid, capreqid;
	bool private_reqids;              /* not compared across the run */
};

void observe_init(struct observer *o, const struct conform_config *cfg,
		  const char *source);
void observe_free(struct observer *o);

/* Judges one answered response by every response invariant. */
void observe_response(struct observer *o, const struct creq *rq,
		      const struct cresp *rs);

struct walk;

/* Judges one walk by PAG-END and PAG-DUP. */
void observe_walk(struct observer *o, const struct walk *w);

/* Forgets the request ids seen so far (the next responses come from
 * another server), and keeps them out of the run-wide comparison. */
void observe_forget_reqids(struct observer *o);

/* The observations as a JSON object (new reference) for the record. */
json_t *observe_to_json(const struct observer *o);

/* ---- one check ------------------------------------------------------- */

/* The state of one running check (in its own process). */
struct check {
	const struct check_def *def;
	struct conform_config cfg;
	struct httpc *http;
	struct pace *pace;      /* NULL when the counters are not shared */
	struct observer obs;
	struct blt_rng jitter;
	struct blt_buf report;  /* deviations and notes, for the record */
	unsigned deviations;
	unsigned shown;         /* deviations written out in full */
	unsigned dep_deviations; /* deviations left unjudged: tokens cannot
				    be used twice (see PAG-REPEAT) */
	unsigned sent;          /* requests sent, retries included */
	unsigned retries[3];    /* throttled, 5xx, no answer */
	unsigned gave_up;       /* requests still throttled after retries */
	uint64_t allot;         /* requests this check may send; 0 no cap */
	unsigned level;         /* its plan's level (plan.c), 0 in full */
	bool skipped;
	char skip_reason[512];
	char coverage[600];     /* what the check exercised */
	bool dead;              /* the target stopped answering */
	bool stopped;           /* budget used up or fail-fast: no verdict */
};

/* Starts check id in this process: leaves a marker in the results
 * directory first, then reads the configuration and opens a client. On a
 * setup error it records that the check could not start (a failure) and
 * aborts the test. With -f, once another check failed, it records that it
 * was not run and ends the test. */
void check_begin(struct check *ck, const char *id);

/* Sends rq, retrying throttled answers (by type, whatever the status),
 * 5xx answers to valid requests and dropped connections with exponential
 * backoff and jitter, a bounded number of times; every answer, retried or
 * not, goes through the observers. Returns true when an HTTP answer came.
 * When none came it is a deviation of this check and ck->dead is set;
 * when the budget ran out, or the target kept throttling, there is no
 * verdict: the check is marked skipped with the reason (and ck->stopped
 * set for the budget). */
bool check_send(struct check *ck, const struct creq *rq, struct cresp *rs);

/* Records a deviation: the message, the request as curl and the response
 * (rq and rs may be NULL). Only the first few are written in full. */
void check_fail(struct check *ck, const struct creq *rq,
		const struct cresp *rs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A deviation that a target whose tokens cannot be used twice may cause
 * by itself (a later page refused, a page that moved): a deviation as
 * check_fail while the survey saw tokens reused without trouble; otherwise
 * it is noted, and a check left with only such deviations is skipped
 * with the reason "depends on PAG-REPEAT". */
void check_fail_dep(struct check *ck, const struct creq *rq,
		    const struct cresp *rs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds an explanatory line to the report. */
void check_note(struct check *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks the check as unable to run, with the reason. A deviation recorded
 * earlier or later still makes it fail. */
void check_skip(struct check *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets the one-line account of what the check exercised, shown in the
 * summary when it passes. */
void check_coverage(struct check *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets ck up outside Criterion, for the runner's own requests (the
 * survey): source names it in the observations. Release with
 * check_close, which writes its record as "<source>.result". */
blt_status check_open(struct check *ck, const struct conform_config *cfg,
		      const char *source, struct blt_err *err);
void check_close(struct check *ck);

/* True when the check may still send (not dead, not stopped). */
bool check_can_send(const struct check *ck);

/* True when the survey listed the target's tasks; otherwise the check is
 * skipped with what the survey was answered, and false. For the checks
 * sized by the survey's counts, which say nothing then. */
bool check_survey_listed(struct check *ck);

/* Writes the check's record and tells Criterion the outcome (a failed
 * assertion with the report, a skip, or a pass). Does not return when the
 * test fails or is skipped. */
void check_end(struct check *ck);

/* Client-side helpers for building requests. */

/* A ListBatchLoadTasks body: max 0 leaves MaxResults out, status NULL leaves
 * TaskStatus out, token NULL leaves NextToken out. New string. */
char *conform_list_body(int max, const char *status, const char *token);

/* The same with MaxResults always present (any value, 0 included). */
char *conform_list_body_max(long long max, const char *status,
			    const char *token);

/* ---- walks ----------------------------------------------------------- */

#define WALK_PAGES_MAX 20000
/* The TaskIds one walk keeps (1,000 full pages); past them the walk stops
 * without a verdict, whatever size of page the target sends. */
#define WALK_ITEMS_MAX 100000

enum walk_outcome {
	WALK_ENDED,     /* an absent or empty NextToken ended it */
	WALK_CYCLE,     /* a token came back */
	WALK_TOO_LONG,  /* more pages than items + 2 */
	WALK_REJECTED,  /* a page was not a 200 with a readable body */
	WALK_NO_ANSWER, /* the target did not answer */
	WALK_CAPPED,    /* it stopped at its page cap with a token left */
	WALK_STOPPED    /* no verdict: the budget ran out, throttling, or
			   more than WALK_ITEMS_MAX items */
};

struct walk_item {
	char id[64];      /* TaskId, "" when absent or not a string */
	char status[64];  /* TaskStatus, "" when absent */
	size_t page;
};

struct walk {
	enum walk_outcome outcome;
	char problem[1024]; /* what went wrong, with the evidence */
	size_t rejected_page; /* WALK_REJECTED: the page (1-based) */
	struct walk_item *items;
	size_t n, cap;
	bool full;          /* an item was left out: WALK_ITEMS_MAX */
	size_t pages;
	size_t max_page;    /* the largest page seen */
	char last_token[4096];
	const char *status; /* the filter (borrowed) */
	char **sent_token;  /* [page - 1]: the NextToken sent, or NULL */
	int *sent_max;      /* [page - 1]: the MaxResults sent, 0 absent */
	size_t *got;        /* [page - 1]: items on the page */
	size_t sent_n, sent_cap;
};

/* The request that fetched page (1-based) of w: a new body string for rq,
 * which the caller frees. NULL when the page was not fetched. */
char *walk_page_request(const struct walk *w, size_t page, struct creq *rq);

/* Reports a walk that did not end normally: as a deviation of ck when
 * as_deviation, else as a skip of ck that names PAG-END. A walk rejected
 * with an error is a deviation (on a later page, one that depends on
 * PAG-REPEAT). A capped walk counts as ended; a stopped one is a skip.
 * Returns true when w ended. */
bool walk_check_end(struct check *ck, const struct walk *w,
		    bool as_deviation);

/* on_page, when not NULL, sees every answered request and response (200
 * or not). */
typedef void (*walk_page_fn)(struct check *ck, const struct creq *rq,
			     const struct cresp *rs, void *arg);

/* How to walk: max_seq holds the MaxResults of page 1, 2, ... (0 =
 * absent), the last repeating; status NULL for no filter; max_pages 0 for
 * no cap. */
struct walk_spec {
	const int *max_seq;
	size_t nmax;
	const char *status;
	size_t max_pages;
	walk_page_fn on_page;
	void *arg;
};

/* Walks every page (up to the cap); the walk goes through the walk
 * observers. */
void walk_run(struct check *ck, const struct walk_spec *spec,
	      struct walk *w);

/* A walk with one MaxResults (0 absent), a filter or NULL, and a cap. */
void walk_simple(struct check *ck, int max, const char *status,
		 size_t max_pages, struct walk *w);

void walk_free(struct walk *w);

/* Sends body and returns the NextToken of a 200 answer as a new string, or
 * NULL (no answer, no token, an empty one). With must_succeed, an answer
 * other than 200 is a deviation of ck's check. */
char *walk_first_token(struct check *ck, const char *body,
		       bool must_succeed);

/* A fresh NextToken for a walk with filter status (NULL none): the token of
 * a first page with MaxResults 1. New string, or NULL. */
char *walk_fresh_token(struct check *ck, const char *status);

/* The TaskIds of the page rs (a 200 answer), joined by spaces, into out
 * (n bytes, cut to fit; "?" for an item without a string TaskId). */
void walk_page_ids(const struct cresp *rs, char *out, size_t n);

/* True when ids (in order) of a and b are equal. */
bool walk_same_order(const struct walk *a, const struct walk *b);

/* Sorted, de-duplicated TaskIds of w: a new array of borrowed pointers
 * (free() it) and its length in *n. */
const char **walk_id_set(const struct walk *w, size_t *n);

/* The first TaskId that appears twice in w: true with the indexes of its
 * two places. */
bool walk_find_dup(const struct walk *w, size_t *first, size_t *again);

/* ---- judging answers -------------------------------------------------- */

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

/* Sends rq (as a client mistake) and judges the answer. */
void expect_error(struct check *ck, const struct creq *rq,
		  enum expect_kind k, const char *what);

/* The same for a body sent to ListBatchLoadTasks. */
void expect_error_body(struct check *ck, const char *body,
		       enum expect_kind k, const char *what);

/* What a mistake sent on a later page could show. */
enum later_verdict {
	LATER_JUDGED,   /* sent with a fresh NextToken and judged */
	LATER_NO_TOKEN, /* the target issued no token: nothing was sent */
	LATER_UNJUDGED  /* refused with a 4xx by a target whose tokens
			   cannot be used twice (the survey saw it): the
			   token may have been used before, so the refusal
			   may be the token's and judges nothing */
};

/* The same for body (a JSON object) sent on a later page: with a fresh
 * NextToken added. An answer that is not a 4xx is judged whatever the
 * token. */
enum later_verdict expect_error_later(struct check *ck, const char *body,
				      enum expect_kind k, const char *what);

/* Sets ck's coverage: what (the mistakes or values sent) on first pages,
 * and on later pages as v says. */
void expect_pages_coverage(struct check *ck, const char *what,
			   enum later_verdict v);

/* Sends body (a valid request) and records a deviation unless the answer
 * is a 200 with a JSON object; a refusal of a request that carries a token
 * depends on PAG-REPEAT. */
void expect_ok_body(struct check *ck, const char *body, const char *what);

/* The six TaskStatus values. */
extern const char *const conform_statuses[CONFORM_NSTATUSES];

/* The shared batteries of requests, for the checks that look at every
 * response of a kind. */

/* Sends the standard valid requests (walks with MaxResults absent and per
 * filter, MaxResults 1 and 100) and calls fn for each answered one. */
void battery_valid(struct check *ck, walk_page_fn fn, void *arg);

/* Sends every client mistake of the catalogue (RNG-OUT, RNG-TYPE, ENU-BAD,
 * ERR-JSON, ERR-TARGET, bad tokens, wrong JSON types, wrong content types)
 * and calls fn for each answered one. */
void battery_mistakes(struct check *ck, walk_page_fn fn, void *arg);

/* ---- the plan: what a check does within the request budget ----------- */

/* The requests check id needs at level (0 = in full) against a target with
 * the facts f; 0 when level is beyond its last. */
uint64_t plan_cost(const char *id, const struct target_facts *f,
		   const struct conform_config *cfg, unsigned level);

/* Allots the budget left after the survey (left, 0 = no budget) to the
 * selected checks (selected[i] for conform_checks[i]): each gets its
 * level and allotment (0 and a reason in why when it does not fit) in
 * cfg->plan. */
void plan_make(struct conform_config *cfg, const bool *selected,
	       uint64_t left);

/* Reads check id's allotment and level from cfg->plan; false when the
 * check does not fit (reason in why). */
bool plan_lookup(const struct conform_config *cfg, const char *id,
		 uint64_t *allot, unsigned *level, char *why, size_t whysz);

/* PAG-COMPLETE and PAG-ORDER's walk sizes at level against a target of
 * tasks: into sizes (up to 6), returns how many. */
size_t plan_compare_sizes(unsigned level, size_t tasks, int *sizes);

/* GEN-VALID and GEN-INVALID's request counts at level. */
unsigned plan_gen_count(const char *id, unsigned level);

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
