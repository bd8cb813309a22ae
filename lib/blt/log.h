/* Log lines that a client cannot corrupt, forge or flood: every byte it
 * sent is escaped before it reaches a terminal or a report, and a limiter
 * writes the first few lines of each kind in full and counts the rest. */
#ifndef BLT_LOG_H
#define BLT_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

#define LOG_FULL_PER_KIND 5	     /* lines of one kind written in full */
#define LOG_SUMMARY_EVERY_MS 10000.0 /* at most one summary this often */
#define LOG_KINDS_MAX 32

/* Appends the n bytes at s to out, each byte outside printable ASCII
 * (0x20 to 0x7e) and the backslash written as the four characters \xNN,
 * so that the result holds no control byte and no byte above 0x7e and
 * reads back unambiguously. */
blt_status log_escape(struct blt_buf *out, const char *s, size_t n,
		      struct blt_err *err);

/* A new string: s (a NUL-terminated one) escaped as log_escape does. NULL
 * for NULL, or when memory runs out. The caller frees it. */
char *log_escaped(const char *s);

/* Writes "PROG: " and the formatted message, escaped as a whole, and a
 * newline to stderr with one write. */
void log_line(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counts log lines by kind. Initialise with log_limit_init; thread-safe. */
struct log_limit {
	pthread_mutex_t lock;
	const char *prog; /* borrowed: the "PROG: " of summary lines */
	const char *hint; /* borrowed: appended to each summary, or NULL */
	const char *(*name)(size_t kind); /* the name of each kind */
	size_t nkinds;
	unsigned long seen[LOG_KINDS_MAX];
	unsigned long hidden[LOG_KINDS_MAX]; /* since the last summary */
	double last_summary_ms;
};

/* Prepares l for nkinds kinds (at most LOG_KINDS_MAX), each named by
 * name(kind); prog and hint (may be NULL) are borrowed and must outlive
 * l. */
void log_limit_init(struct log_limit *l, const char *prog, const char *hint,
		    const char *(*name)(size_t kind), size_t nkinds);

/* Counts one line of kind. True when it is among the first
 * LOG_FULL_PER_KIND of its kind and is to be written in full; otherwise it
 * is counted, and when LOG_SUMMARY_EVERY_MS have passed since the last
 * summary, the summary of everything counted is written first. */
bool log_limit_take(struct log_limit *l, size_t kind);

/* Writes one line per kind with lines counted but not written since the
 * last summary: "PROG: KIND: N more not shown (HINT)". Called at exit. */
void log_limit_flush(struct log_limit *l);

/* The lines of kind seen so far, written or not. */
unsigned long log_limit_seen(struct log_limit *l, size_t kind);

void log_limit_free(struct log_limit *l);

#endif
