/* The runner's steps around the Criterion run: command line, selection,
 * cassettes, the embedded blt-fake, the first contact and the survey of
 * the target, the plan, progress, and the final reports. */
#ifndef BLT_CONFORM_RUNNER_H
#define BLT_CONFORM_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "conform.h"
#include "results.h"

enum { RUNNER_EXIT_HELP = 100, RUNNER_EXIT_VERSION = 101 };

#define RUNNER_CHECKS_MAX 64

struct runner {
	struct conform_config cfg;
	bool have_target;     /* --target given */
	bool cassettes_given; /* --cassettes given */
	char *cassette_args[256];
	size_t ncassette_args;
	struct spawn_child fake;
	int backstop_s;       /* Criterion's per-test timeout */
	bool listed;          /* --list: Criterion only lists */
	const char *filter;   /* --filter or CRITERION_TEST_PATTERN, or NULL */
	bool selected[RUNNER_CHECKS_MAX]; /* by conform_checks index */
	size_t nselected;
	bool report_stderr;   /* a report file goes to stdout */
	FILE *out;
	char rep_skip[512];   /* why REP-* cannot run, or "" */
	const char *xml, *tap, *json, *html; /* report files; "-" stdout */
	const char *expect, *write_expect;
	struct pace *pace;
	double started_ms;
	struct progress *progress; /* the progress line, while it runs */
	int stderr_fd;        /* stderr as it was at start (Criterion takes
				 over fd 2 while the checks run), or -1 */
	bool client;          /* --client: judge the COMMAND instead */
	char **command;       /* after "--", NULL-terminated; NULL none */
	unsigned jobs;        /* -j N, 0 when not given */
	bool timeout_given;   /* --timeout */
	const char *server_only; /* the first option --client refuses */
	const char *criterion_only; /* the first Criterion flag --client
				       refuses */
};

/* Splits argv into the runner's options (into r) and Criterion's (copied to
 * cargv, cargv[0] first). Returns 0, RUNNER_EXIT_HELP, RUNNER_EXIT_VERSION,
 * or 2 with err naming the bad argument. */
int runner_parse_args(struct runner *r, int argc, char **argv, char **cargv,
		      int *cargc, struct blt_err *err);

/* Prints blt-conform's --help text. */
void runner_usage(FILE *out);

/* Applies the filter (--filter, else CRITERION_TEST_PATTERN, which it
 * then removes from the environment) to the catalogue. 2 with err when it
 * selects no check. */
int runner_select(struct runner *r, struct blt_err *err);

/* Reads the --expect file, if any, before the run: 2 with err when it
 * names a check that does not exist or lists one twice. */
int runner_read_expect(const struct runner *r, struct blt_err *err);

/* Finds the cassettes, starts the embedded blt-fake when there is no
 * target, makes the results directory, checks that the target answers,
 * surveys it, plans the budget and exports the configuration. Returns 0
 * when the checks may run, 1 when the target failed its first contact
 * (the report is printed), 2 on a configuration error (err says which).
 * When it returns 1 or 2 the report files hold one failing testcase that
 * says why. */
int runner_prepare(struct runner *r, struct blt_err *err);

/* The survey: how many tasks the target holds (a walk with MaxResults
 * 100), how many of each status, and whether a NextToken can be used twice.
 * Fills r->cfg.facts; its requests go through the observers. */
void runner_survey(struct runner *r);

/* Reads the records the checks left and the observations of the whole
 * run, applies --expect, prints every deviation and the summary of every
 * check, writes the report files, and returns the exit status (0, 1, or 2
 * when a report or expectation file could not be read or written). */
int runner_report(struct runner *r);

/* Writes every report file asked for (--xml, --tap, --json, --html) from
 * res; 2 after saying why on stderr when one could not be written, else
 * 0. */
int runner_write_reports(const struct runner *r, const struct results *res);

/* Publishes a finished run: applies --expect, prints the summary, writes
 * the report files and --write-expect. Returns the exit status: 2 when a
 * file could not be read or written (said on stderr), else res's. */
int runner_publish(const struct runner *r, struct results *res);

/* True when out takes ANSI colours: a terminal, and NO_COLOR unset. */
bool runner_color_on(FILE *out);

/* Writes the report files for a run that could not start (why). */
void runner_abort_reports(struct runner *r, const char *why);

/* Shows progress on stderr while the checks run, when stderr is a
 * terminal; runner_progress_stop clears the line. */
void runner_progress_start(struct runner *r);
void runner_progress_stop(struct runner *r);

/* Stops the embedded blt-fake and releases the shared counters. */
void runner_cleanup(struct runner *r);

#endif
