/* A run's results and every report made of them: the summary on the
 * terminal, JUnit XML, TAP, JSON and a self-contained HTML page, and the
 * expectation files (--expect, --write-expect). Nothing here knows what
 * was checked: blt-conform's server checks fill the model, and any other
 * mode can fill it the same way. */
#ifndef BLT_RESULTS_H
#define BLT_RESULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blt/err.h"

enum res_outcome { RES_PASS, RES_FAIL, RES_WARN, RES_SKIP, RES_EXPECTED };

#define RES_OUTCOMES 5

/* One check's result. Strings are owned by the result (results_free). */
struct result {
	char id[48];          /* "PAG-SIZE": unique within the run */
	char group[16];       /* "PAG": the part before the first '-' */
	char level[8];        /* "must" or "should" */
	char *requirement;    /* the sentence the check enforces */
	enum res_outcome outcome;
	unsigned deviations;
	char *reason;         /* why it was skipped or could not run */
	char *coverage;       /* what it exercised */
	char *text;           /* the deviations written out, with requests */
	char *expect;         /* the --expect line's reason, when listed */
	unsigned expect_line; /* the --expect line that lists it, 0 none */
	bool unfinished;      /* did not run, start or finish (reason) */
	bool unexpected_pass; /* listed in --expect, yet it passed */
};

/* A key and value shown with the run's settings. */
struct res_setting {
	char key[32];
	char value[512];
};

#define RES_SETTINGS_MAX 24

struct results {
	const char *tool;     /* "blt-conform" */
	const char *version;
	char target[1024];    /* what was tested */
	struct res_setting settings[RES_SETTINGS_MAX];
	size_t nsettings;
	struct result *r;
	size_t n;
	uint64_t requests;    /* sent, retries included */
	uint64_t retries[3];  /* throttled, 5xx, no answer */
	double seconds;
	char *abort_reason;   /* the run could not start: why, or NULL */
	char expect_file[1024]; /* the --expect file, or "" */
};

/* Starts an empty model for n results. */
blt_status results_init(struct results *res, const char *tool,
			const char *version, size_t n, struct blt_err *err);

void results_free(struct results *res);

/* Adds a setting shown in the reports (a value too long is cut). */
void results_setting(struct results *res, const char *key, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/* Sets result i's strings (copied; NULL for none). */
void results_set(struct result *r, const char *id, const char *level,
		 const char *requirement);
void results_text(char **slot, const char *text);

/* "pass", "fail", "warn", "skipped", "expected". */
const char *results_outcome_name(enum res_outcome o);

/* The number of results with outcome o. */
unsigned results_count(const struct results *res, enum res_outcome o);

/* 1 when a result failed (an unexpected pass included), else 0. */
int results_exit_status(const struct results *res);

/* Prints every failed or warned check in full, then the summary line of
 * every check and the totals. color: ANSI colours on the outcomes. */
void results_print(const struct results *res, FILE *out, bool color);

/* The expectation file: one check ID a line, optionally followed by a
 * reason; blank lines and lines starting with '#' are ignored. An ID the
 * model does not hold, or one listed twice, is an error naming the lines.
 * Each listed check that failed (or warned) becomes "expected"; each that
 * passed fails the run with a message that says to remove its line; one
 * that did not run or finish stays a failure. */
blt_status results_apply_expect(struct results *res, const char *path,
				struct blt_err *err);

/* Writes the IDs of the checks that failed, warned or were expected
 * (not those that did not run or finish), with their first deviation as
 * the reason, atomically to path. */
blt_status results_write_expect(const struct results *res, const char *path,
				struct blt_err *err);

struct blt_buf;

/* Appends len bytes of s (NULL: none) as text that is safe on a terminal
 * and in a report: control characters (C0, DEL, C1), characters XML 1.0
 * forbids and bytes that are not well-formed UTF-8 become the text \xNN;
 * with lines, newlines and tabs are kept. */
void results_put_text(struct blt_buf *b, const char *s, size_t len,
		      bool lines);

/* Appends s escaped for XML and HTML text and attributes: markup
 * characters as entities, the rest as results_put_text with lines. */
void results_put_markup(struct blt_buf *b, const char *s);

/* Report files; path "-" is stdout. */
blt_status results_write_junit(const struct results *res, const char *path,
			       struct blt_err *err);
blt_status results_write_tap(const struct results *res, const char *path,
			     struct blt_err *err);
blt_status results_write_json(const struct results *res, const char *path,
			      struct blt_err *err);
blt_status results_write_html(const struct results *res, const char *path,
			      struct blt_err *err);

#endif
