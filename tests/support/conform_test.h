/* Helpers for the blt-conform tests: running blt-conform as a child (outside
 * Criterion's worker environment), and recording a small cassette from a
 * running server. */
#ifndef BLT_CONFORM_TEST_H
#define BLT_CONFORM_TEST_H

#include <stdbool.h>

/* Runs argv (argv[0] a path) to completion with stdout and stderr captured
 * into *out (a new string the caller frees) and returns the exit code, or
 * 128+signal, or -1 when it had to be killed after timeout_ms. The child
 * does not inherit Criterion's worker variables. */
int conform_run(char *const argv[], char **out, int timeout_ms);

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
