/* Helpers for the blt-conform tests: running blt-conform as a child (outside
 * Criterion's worker environment), and recording a small cassette from a
 * running server. */
#ifndef BLT_CONFORM_TEST_H
#define BLT_CONFORM_TEST_H

#include <stdbool.h>

#include "blt_test.h"

/* Runs argv (argv[0] a path) to completion with stdout and stderr captured
 * into *out (a new string the caller frees) and returns the exit code, or
 * 128+signal, or -1 when it had to be killed after timeout_ms. The child
 * does not inherit Criterion's worker variables. */
int conform_run(char *const argv[], char **out, int timeout_ms);

/* Runs blt-conform (from BLT_BIN_DIR) with args (NULL-terminated, at most
 * 300 are taken) as conform_run does. */
int conform_run_args(char **out, const char *const *args, int timeout_ms);

/* Starts blt-fake on 127.0.0.1:0 with --generate tasks --seed 1 and the
 * extra arguments (NULL-terminated, at most 4 are taken; NULL for none)
 * into p. False when it did not start (its log is on stderr). */
bool conform_fake_start(struct test_proc *p, const char *tasks,
			const char *const *extra);

/* Records a cassette of a short scenario against the server at url (a walk
 * with MaxResults 7 and token links, a filter, a bad filter, an out of range
 * MaxResults) into path. Returns false with a message on stderr on failure. */
bool conform_record_cassette(const char *url, const char *path);

/* The line of check id in blt-conform's summary ("  PAG-SIZE  must  fail"),
 * copied into line; false when absent. */
bool conform_summary_line(const char *out, const char *id, char *line,
			  unsigned n);

/* The totals line of blt-conform's summary ("30 checks: 27 pass, 1 fail,
 * 0 warn, 2 skipped"): the number of checks and the four counts (pass,
 * fail, warn, skipped). False when absent. */
bool conform_totals(const char *out, unsigned *checks, unsigned counts[4]);

/* Counts the summary lines of out by their outcome (pass, fail, warn,
 * skipped) into counts; returns the number of summary lines seen. */
unsigned conform_count_lines(const char *out, unsigned counts[4]);

#endif
