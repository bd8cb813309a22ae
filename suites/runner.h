/* The runner's steps around the Criterion run: command line, cassettes,
 * the embedded blt-fake, the first contact with the target, and the final
 * report. */
#ifndef BLT_CONFORM_RUNNER_H
#define BLT_CONFORM_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "conform.h"

enum { RUNNER_EXIT_HELP = 100, RUNNER_EXIT_VERSION = 101 };

struct runner {
	struct conform_config cfg;
	bool have_target;     /* --target given */
	bool cassettes_given; /* --cassettes given */
	char *cassette_args[256];
	size_t ncassette_args;
	struct spawn_child fake;
	int backstop_s;       /* Criterion's per-test timeout */
	bool listed;          /* --list: Criterion only lists */
	bool filtered;        /* a test filter (--filter or Criterion's
				 CRITERION_TEST_PATTERN) selects checks */
	bool report_stderr;   /* a Criterion report goes to stdout */
	FILE *out;
	char rep_skip[512];   /* why REP-* cannot run, or "" */
};

/* Splits argv into the runner's options (into r) and Criterion's (copied to
 * cargv, cargv[0] first). Returns 0, RUNNER_EXIT_HELP, RUNNER_EXIT_VERSION,
 * or 2 with err naming the bad argument. */
int runner_parse_args(struct runner *r, int argc, char **argv, char **cargv,
		      int *cargc, struct blt_err *err);

/* Finds the cassettes, starts the embedded blt-fake when there is no
 * target, makes the results directory, checks that the target answers and
 * exports the configuration. Returns 0 when the checks may run, 1 when the
 * target failed its first contact (the report is printed), 2 on a
 * configuration error (err says which). */
int runner_prepare(struct runner *r, struct blt_err *err);

/* Reads the records the checks left, prints every deviation and the summary
 * of every check, and returns the exit status (0 or 1). */
int runner_report(struct runner *r);

/* Stops the embedded blt-fake. */
void runner_cleanup(struct runner *r);

#endif
