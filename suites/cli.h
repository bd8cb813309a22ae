/* blt-conform --client: judges a client of ListBatchLoadTasks. Each
 * scenario run starts a scenario server (two for endpoint discovery) on
 * loopback, runs the user's COMMAND against it with the endpoint
 * environment, records every request and what the command printed; the
 * judges then hold the runs to the client catalogue of SPEC section 4. */
#ifndef BLT_CONFORM_CLI_H
#define BLT_CONFORM_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/awsjson.h"
#include "blt/buf.h"
#include "blt/errcases.h"
#include "blt/reqrules.h"
#include "conform.h"
#include "results.h"

/* ---- the catalogue ---------------------------------------------------- */

enum cli_check {
	CLI_PAG_FOLLOW,
	CLI_PAG_EMPTYPAGE,
	CLI_PAG_EMPTYTOKEN,
	CLI_PAG_FILTER,
	CLI_PAG_NOLOOP,
	CLI_ERR_VALIDATION,
	CLI_ERR_LONGTYPE,
	CLI_RETRY_THROTTLE,
	CLI_RETRY_500,
	CLI_RETRY_RESET,
	CLI_REQ,
	CLI_SIGV4,
	CLI_DISCOVERY,
	CLI_NCHECK
};

/* The client checks, in SPEC order (indexed by enum cli_check). */
extern const struct check_def cli_checks[CLI_NCHECK];

/* ---- the kit: what every run of the command gets ---------------------- */

/* AWS's documented example key pair, and a session token of the same
 * kind: none of them opens anything. */
#define CLI_AKID "AKIAIOSFODNN7EXAMPLE"
#define CLI_SECRET "wJalrXUtnFETEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define CLI_SESSION_TOKEN "AQoDYXdzEXAMPLEblt+conform/session/token=="
/* The retry settings every SDK reads (see docs/client-conformance.md). */
#define CLI_RETRY_MODE "standard"
#define CLI_MAX_ATTEMPTS "3"
/* Retries are immediate when both the median and the mean of their
 * delays after the error are under a floor: CLI_IMMEDIATE_FACTOR times
 * the client's own median turnaround (from an answer it does not wait
 * after to its next request, over every run), from CLI_IMMEDIATE_MS to
 * CLI_IMMEDIATE_CAP_MS (the shortest backoffs of real SDKs, the JS SDK's
 * for a 500, have a mean near 75 ms). A loaded machine lengthens every
 * delay, so it can hide an immediate retry, never invent one
 * (docs/client-conformance.md). */
#define CLI_IMMEDIATE_MS 5.0
#define CLI_IMMEDIATE_CAP_MS 20.0
#define CLI_IMMEDIATE_FACTOR 3
#define CLI_TURNAROUNDS_MAX 512
/* More attempts at one request than this are not a bounded retry. */
#define CLI_ATTEMPTS_MAX 10
/* What a run keeps of the command's stdout and stderr. */
#define CLI_OUTPUT_MAX (1024 * 1024)

struct cli_config {
	char *const *command;  /* COMMAND ARGS..., NULL-terminated */
	enum awsjson_profile profile;
	char region[64];
	long timeout_ms;       /* one run's time limit */
	unsigned jobs;         /* runs at once */
	bool strict;
	bool fail_fast;
	char dir[CONFORM_PATH_MAX]; /* where the runs' outputs go */
};

/* ---- scenarios --------------------------------------------------------- */

#define CLI_TASKS_MAX 8
#define CLI_PAGES_MAX 6
#define CLI_END (-1)   /* the page carries no NextToken */
#define CLI_EMPTY (-2) /* the page carries NextToken "" */

/* What the first page's attempts get instead of the page. */
enum cli_fault {
	CLI_FAULT_NONE,
	CLI_FAULT_THROTTLE,   /* ThrottlingException */
	CLI_FAULT_INTERNAL,   /* InternalServerException, 500 */
	CLI_FAULT_RESET,      /* the connection closed without an answer */
	CLI_FAULT_VALIDATION, /* ValidationException */
	CLI_FAULT_FORM        /* an error in one of lib/errcases.c's forms */
};

struct cli_page {
	unsigned first; /* its tasks: [first, first + count) */
	unsigned count;
	int next;       /* the page its NextToken leads to, CLI_END or
			   CLI_EMPTY */
};

/* One run of the command: its inputs and the scenario server's script. */
struct cli_script {
	char name[96];           /* BLT_SCENARIO */
	enum cli_check check;    /* the check it serves */
	const char *max_results; /* BLT_MAX_RESULTS, or NULL */
	const char *task_status; /* BLT_TASK_STATUS (every task has it and
				    every request must carry it), or NULL */
	unsigned ntasks;
	struct cli_page pages[CLI_PAGES_MAX];
	unsigned npages;
	enum cli_fault fault;    /* on the first page */
	unsigned fault_times;    /* attempts that get it; 0: every one */
	const struct errcase *form; /* CLI_FAULT_FORM */
	const char *form_name;   /* the error name the form carries */
	bool session_token;      /* AWS_SESSION_TOKEN set */
	bool cell;               /* DescribeEndpoints names a second server */
	unsigned max_requests;   /* ListBatchLoadTasks requests before the
				    run is stopped */
};

#define CLI_SCRIPTS_MAX 48

/* Writes every scenario run into out (CLI_SCRIPTS_MAX of room); returns
 * how many. */
size_t cli_scripts(struct cli_script *out);

/* The NextToken that leads to page k of sc (k >= 1) and TaskId i: written
 * into out. */
void cli_token(const struct cli_script *sc, int k, char out[40]);
void cli_task_id(const struct cli_script *sc, unsigned i, char out[32]);

/* The TaskStatus of task i. */
const char *cli_task_status(const struct cli_script *sc, unsigned i);

/* ---- a run ------------------------------------------------------------- */

struct cli_header {
	char *name;
	char *value;
};

/* One request the command sent and what the server did with it. */
struct cli_exchange {
	unsigned server;      /* 0 the scenario server, 1 the cell */
	double t_in, t_out;   /* ms since the run began: arrival, answer */
	char *method;
	char *path;
	char *query;          /* or NULL */
	struct cli_header *headers;
	size_t nheaders;
	char *body;
	size_t body_len;
	enum awsjson_op op;
	bool has_token;       /* NextToken present (any type) */
	char *token;          /* NextToken when a string, else NULL */
	char *task_status;    /* TaskStatus as sent (JSON text), or NULL */
	char *rules[REQRULE_COUNT]; /* how each rule is broken, or NULL */
	int answer;           /* HTTP status; 0: the connection was closed */
	int page;             /* the page served, -1 none */
	enum cli_fault fault; /* the fault served, CLI_FAULT_NONE none */
	char type[64];        /* the error type answered, "" none */
	char *next;           /* the NextToken answered, NULL none */
	char *shown;          /* the answer as the reports show it */
};

/* How the command ended and what it printed. */
struct cli_outcome {
	bool started;
	char start_error[BLT_ERR_MSG_MAX];
	int exit_code;     /* -1 when a signal ended it */
	int signal;
	bool timed_out;    /* killed at the time limit */
	bool stopped;      /* killed by the scenario (why in stop_why) */
	bool flooded;      /* killed for printing too much */
	char *out;         /* stdout, NUL-terminated (never NULL once read) */
	size_t out_len;
	char *err;
	size_t err_len;
	double ms;
};

#define CLI_EXCHANGES_MAX 200

struct cli_run;

/* A server of a run: the handler's context. */
struct cli_side {
	struct cli_run *run;
	unsigned server; /* 0 the scenario server, 1 the cell */
};

struct cli_run {
	const struct cli_script *sc;
	const struct cli_config *cfg;
	size_t index;          /* its place among the runs */
	pthread_mutex_t lock;  /* the servers' threads and the runner's */
	double t0;
	char url[80];          /* the scenario server */
	char cell_url[80];     /* the cell, or "" */
	struct cli_exchange *x;
	size_t n;
	unsigned dropped;      /* requests beyond CLI_EXCHANGES_MAX */
	unsigned lbt;          /* ListBatchLoadTasks requests */
	unsigned describes;    /* DescribeEndpoints requests */
	unsigned first_attempts; /* attempts at the first page */
	struct cli_side side[2];
	bool served[CLI_PAGES_MAX];     /* pages answered 200 */
	bool issued[CLI_PAGES_MAX];     /* tokens handed out, by page */
	int walk_status[CLI_PAGES_MAX]; /* the TaskStatus each token went
					   to (reqrules_body's form) */
	bool ended;            /* a page that ends the walk was served */
	char setup_error[BLT_ERR_MSG_MAX + 64]; /* a server did not start */
	bool stop;             /* the scenario saw enough: stop the run */
	char stop_why[600];
	struct cli_outcome o;
	bool done;
};

/* The scenario servers' handler (httpd_handler); ctx is one of the run's
 * struct cli_side. */
void cli_handle(void *ctx, const struct httpd_request *req,
		struct httpd_reply *reply);

/* Frees what an exchange owns. */
void cli_exchange_free(struct cli_exchange *x);

/* Runs sc once: its servers, the command with the run's environment, the
 * wait (stopping it at the time limit or when the scenario says so), what
 * it printed. Fills run (initialised here). A failure to start the command
 * is in run->o.start_error. */
void cli_run(struct cli_run *run, const struct cli_script *sc,
	     const struct cli_config *cfg, size_t index);

void cli_run_free(struct cli_run *run);

/* ---- evidence ----------------------------------------------------------- */

/* A curl command that sends what x carried, shell-quoted, with every byte
 * that is not printable ASCII written as \xNN in $'...'. */
void cli_put_curl(struct blt_buf *b, const struct cli_run *run,
		  const struct cli_exchange *x);

/* "    request:  curl ...\n    response: ...\n" for x. */
void cli_put_exchange(struct blt_buf *b, const struct cli_run *run,
		      const struct cli_exchange *x);

/* The exchanges [from, from + max) of run (fewer when it has fewer), then
 * a line that counts the rest. */
void cli_put_exchanges(struct blt_buf *b, const struct cli_run *run,
		       size_t from, size_t max);

/* "    printed:  exit 0; stdout ...; stderr ...\n". */
void cli_put_printed(struct blt_buf *b, const struct cli_run *run);

/* Appends s escaped for one line of a report: control bytes and bytes
 * that are not UTF-8 as \xNN, at most max bytes of s (then "..."). */
void cli_put_text(struct blt_buf *b, const char *s, size_t len, size_t max);

/* What the command printed on stdout as TaskIds: one a line (blank lines
 * ignored) or one JSON array of strings. A new array of new strings in
 * *ids (free with cli_ids_free); false with why when stdout is neither. */
bool cli_output_ids(const struct cli_run *run, char ***ids, size_t *n,
		    char *why, size_t whysz);
void cli_ids_free(char **ids, size_t n);

/* True when the command's stderr names type as a word of its own: not
 * inside a longer name, not followed by ':' and more of a name (as in
 * "Name:http://..."), not after '#'. */
bool cli_stderr_names(const struct cli_run *run, const char *type);

/* ---- judges ------------------------------------------------------------- */

/* What a judge found about one check. */
struct cli_verdict {
	struct blt_buf text;    /* the deviations, in the report's form */
	unsigned deviations;
	unsigned shown;
	bool skipped;
	char reason[600];
	char coverage[900];
	bool not_run;           /* -f stopped the run before its runs */
};

/* Judges check c over runs (every run the run made; those of other checks
 * too, for the checks that observe every request) into v (initialised
 * here; release with cli_verdict_free). */
void cli_judge(enum cli_check c, const struct cli_run *runs, size_t n,
	       const struct cli_config *cfg, struct cli_verdict *v);

void cli_verdict_free(struct cli_verdict *v);

/* ---- the mode ------------------------------------------------------------ */

struct runner;

/* blt-conform --client: runs every selected check's scenarios against
 * r->command and reports like the server mode. Returns the exit status
 * (0, 1, or 2 when the command cannot run or a report cannot be
 * written). */
int cli_main(struct runner *r);

#endif
