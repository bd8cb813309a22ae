/* blt-proxy replay's internals: the cassette index built at load time, the
 * client checks, the per-run state and the reports. */
#ifndef BLT_PROXY_REPLAY_H
#define BLT_PROXY_REPLAY_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blt/awsjson.h"
#include "blt/buf.h"
#include "blt/cassette.h"
#include "blt/err.h"
#include "blt/httpd.h"
#include "blt/inject.h"
#include "blt/log.h"
#include "blt/redact.h"
#include "blt/reqrules.h"

#define REPLAY_NONE ((size_t)-1)
#define REPLAY_VIOLATIONS_MAX 10000 /* kept in full; the rest only counted */
#define REPLAY_KEY_MAX (1024 * 1024)
/* The status of a NoMatchingInteraction answer: a client error that no SDK
 * retries. */
#define REPLAY_NOMATCH_STATUS 404

/* The client rules (lib/blt/reqrules.h, the same numbers) and the
 * replay's own two, each reported on its own. */
enum replay_rule {
	RULE_METHOD = REQRULE_METHOD,
	RULE_PATH = REQRULE_PATH,
	RULE_CTYPE = REQRULE_CTYPE,
	RULE_TARGET = REQRULE_TARGET,
	RULE_JSON = REQRULE_JSON,
	RULE_MAXRESULTS = REQRULE_MAXRESULTS,
	RULE_STATUS = REQRULE_STATUS,
	RULE_TOKEN = REQRULE_TOKEN,
	RULE_WALK = REQRULE_WALK,
	RULE_SIGV4 = REQRULE_SIGV4,
	RULE_NOMATCH = REQRULE_COUNT, /* REPLAY-NOMATCH: no recorded
					 interaction matches */
	RULE_EXHAUSTED, /* REPLAY-EXHAUSTED: --strict and every match used */
	RULE_COUNT
};

/* "CLIENT-METHOD", ... */
const char *replay_rule_id(enum replay_rule r);

/* One sentence saying what the rule asks of a client. */
const char *replay_rule_text(enum replay_rule r);

/* A response prepared at load time, sent as is. */
struct replay_prepared {
	int status;
	char **names; /* owned, nheaders of them */
	char **values;
	size_t nheaders;
	char *body; /* owned, NUL-terminated */
	size_t body_len;
	struct httpd_prepared *http; /* owned: the same, ready to send */
};

/* A NextToken that some recorded response carries. */
struct replay_token {
	char *text; /* owned */
	size_t len;
	bool issued;     /* a response carrying it was served */
	int walk_status; /* TaskStatus of that walk: -1 none, else lbt_status */
};

/* One recorded interaction, flattened for the hot path. */
struct replay_entry {
	size_t file;          /* index into the cassette list */
	long id;
	const char *op;       /* borrowed from the cassette */
	json_t *req_body;     /* borrowed: the recorded JSON body, or NULL */
	const char *token_key; /* the NextToken it answers ("" none) */
	long token_from;
	bool describe;        /* a DescribeEndpoints: answered live, not used */
	struct replay_prepared resp;
	size_t issues;        /* index of the token its response carries */
	int walk_status;      /* its request's TaskStatus: -1 none */
	size_t next_same;     /* next entry with the same key, or REPLAY_NONE */
	unsigned long used;   /* times served */
	char *key;            /* while loading: its match key, until filed */
	size_t keylen;
};

/* All entries with one key, served in recorded order. */
struct replay_group {
	uint64_t hash;
	char *key; /* owned */
	size_t keylen;
	size_t first;
	size_t last;
	size_t cursor; /* the next to serve; REPLAY_NONE when used up */
};

/* The entries of one operation, in recorded order (DescribeEndpoints
 * left out): what a near miss is compared with. */
struct replay_op_entries {
	const char *op; /* borrowed from the cassette */
	size_t *entries; /* owned */
	size_t n;
};

/* Everything built from the cassettes at load time. */
struct replay_index {
	struct cassette **files;
	char **paths; /* borrowed from argv */
	size_t nfiles;
	struct replay_entry *entries;
	size_t nentries;
	struct replay_group *groups; /* open addressing, power of two */
	size_t groups_mask;
	struct replay_token *tokens; /* open addressing, power of two */
	size_t tokens_mask;
	struct replay_op_entries *ops; /* one per operation recorded */
	size_t nops;
	double read_ms;  /* time spent loading and checking the files */
	double index_ms; /* time spent building the index */
};

/* Loads every cassette and builds the index. On failure err names the file
 * and the problem and *out is untouched. */
blt_status replay_index_load(char **paths, size_t n, struct replay_index *out,
			     struct blt_err *err);

/* Frees what replay_index_load built. */
void replay_index_free(struct replay_index *ix);

/* The matching key of a request: operation, canonical body without a string
 * NextToken (body NULL means raw bytes raw/rawlen instead), and the NextToken
 * it carries. Written into key (reset first). */
blt_status replay_key(const char *op, const json_t *body, const char *raw,
		      size_t rawlen, const char *token, struct blt_buf *key,
		      struct blt_err *err);

/* The group with this key (hash: canon_hash_bytes of the key), or NULL. */
struct replay_group *replay_group_find(struct replay_index *ix,
				       const char *key, size_t len,
				       uint64_t hash);

/* The token entry with this text, or NULL. */
struct replay_token *replay_token_find(struct replay_index *ix,
				       const char *text, size_t len);

/* The live request's operation name as a cassette records it: the part of
 * X-Amz-Target after its last '.', "" without one. */
const char *replay_op_of_target(const char *target);

/* At most this many recorded requests, and this many of their members, are
 * compared to explain a miss: its cost does not grow with the cassette or
 * the body. */
#define REPLAY_CLOSEST_ENTRIES_MAX 1024
#define REPLAY_CLOSEST_WORK_MAX 65536

/* Describes why no entry matched: names the closest recorded request of the
 * same operation and its differences with the live body, comparing the
 * operation's entries in recorded order within the bounds above (the
 * message says how many when they cut the search). Appends to out. */
void replay_explain_miss(const struct replay_index *ix, const char *op,
			 const json_t *body, const char *token,
			 struct blt_buf *out);

/* One violation as the reports show it. */
struct replay_violation {
	enum replay_rule rule;
	unsigned long long seq;
	char *method;
	char *path;
	char *target;
	char *body;
	char *message;
};

/* The command line. */
struct replay_opts {
	char **cassettes;
	size_t ncassettes;
	const char *listen;
	const char *advertise; /* --advertise URL, else NULL */
	bool strict;
	const char *report;
	const char *junit;
	bool fail_on_unused;
	bool verbose; /* list every unused interaction */
	char *akid; /* --verify-sigv4; akid owns the allocation */
	char *secret;
	struct inject_spec inject;
	bool inject_on;
	enum awsjson_profile profile;
	const char *region;
	unsigned threads;
	char **command; /* after "--", NULL-terminated; NULL when none */
};

/* The state of a running replay. */
struct replay {
	const struct replay_opts *opts;
	struct replay_index ix;
	struct redact_rules rules; /* the environment's credentials */
	struct log_limit log;	   /* violation lines, by rule */
	pthread_mutex_t lock; /* guards everything below and ix's counters */
	unsigned long long requests;
	unsigned long long faults[4]; /* by enum inject_fault; [0] = latency */
	unsigned long rule_count[RULE_COUNT];
	struct replay_violation *violations;
	size_t nviolations;
	size_t violations_alloc;
};

/* Runs o->command with the documented environment (the replay at url, test
 * credentials, the region), forwarding SIGINT and SIGTERM to it, and waits
 * for it; true when it exited with status 0. The caller has blocked
 * SIGINT, SIGTERM and SIGCHLD. */
bool replay_run_command(const struct replay_opts *o, const char *url);

/* The request handler (httpd_handler) with ctx a struct replay. */
void replay_handle(void *ctx, const struct httpd_request *req,
		   struct httpd_reply *reply);

/* Checks the parts of a request that need no state: method, path,
 * Content-Type, target and SigV4 (reqrules_envelope; the signature is
 * verified on signed_req, the request as it came, when req is a scrubbed
 * view of it). Adds violations (takes the lock). */
void replay_check_envelope(struct replay *rp, const struct httpd_request *req,
			   const struct httpd_request *signed_req,
			   enum awsjson_op op);

/* Adds a violation for every rule f holds. The caller holds rp->lock. */
void replay_violations_add(struct replay *rp, const struct httpd_request *req,
			   const struct reqrule_findings *f);

/* Records a violation: logs it to stderr (the first few of each rule in
 * full, the rest counted) and keeps it for the reports (up to
 * REPLAY_VIOLATIONS_MAX), every client byte escaped and every known
 * credential scrubbed. The caller holds rp->lock. */
void replay_violation_add(struct replay *rp, const struct httpd_request *req,
			  enum replay_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Total violations seen. */
unsigned long replay_violation_total(const struct replay *rp);

/* Interactions that were never served (DescribeEndpoints excepted). */
size_t replay_unused_count(const struct replay *rp);

/* Writes the JSON report (violations, used and unused interactions). */
blt_status replay_write_report(const struct replay *rp, const char *path,
			       struct blt_err *err);

/* Writes the JUnit XML: one testcase per rule, failures listing the
 * violations; with --fail-on-unused one failing testcase per unused
 * interaction. */
blt_status replay_write_junit(const struct replay *rp, const char *path,
			      struct blt_err *err);

#endif
