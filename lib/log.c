/* Escaped and flood-limited log lines. */
#include "blt/log.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt/clock.h"

#define LOG_LINE_MAX 4096 /* bytes of one formatted message */

blt_status log_escape(struct blt_buf *out, const char *s, size_t n,
		      struct blt_err *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	blt_status st = BLT_OK;

	for (size_t i = 0; i < n && !st; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};

		if (c >= 0x20 && c < 0x7f && c != '\\')
			continue;
		st = buf_append(out, s + start, i - start, err);
		if (!st)
			st = buf_append(out, esc, 4, err);
		start = i + 1;
	}
	if (!st)
		st = buf_append(out, s + start, n - start, err);
	return st;
}

char *log_escaped(const char *s)
{
	struct blt_buf b;

	if (!s)
		return NULL;
	buf_init(&b, strlen(s) * 4 + 1);
	if (log_escape(&b, s, strlen(s), NULL)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Writes the escaped message as one line. */
static void write_line(const char *prog, const char *msg)
{
	struct blt_buf b;
	ssize_t w;
	size_t off = 0;

	buf_init(&b, LOG_LINE_MAX * 4 + 256);
	if (buf_printf(&b, NULL, "%s: ", prog) ||
	    log_escape(&b, msg, strlen(msg), NULL) ||
	    buf_append(&b, "\n", 1, NULL)) {
		buf_free(&b);
		return;
	}
	while (off < b.len) {
		w = write(STDERR_FILENO, b.data + off, b.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_free(&b);
}

void log_line(const char *prog, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	write_line(prog, msg);
}

void log_limit_init(struct log_limit *l, const char *prog, const char *hint,
		    const char *(*name)(size_t kind), size_t nkinds)
{
	assert(nkinds <= LOG_KINDS_MAX);
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->prog = prog;
	l->hint = hint;
	l->name = name;
	l->nkinds = nkinds;
	l->last_summary_ms = clock_mono_ms();
}

/* Writes the summary lines and resets the hidden counts (lock held). */
static void summary_locked(struct log_limit *l)
{
	for (size_t k = 0; k < l->nkinds; k++) {
		if (!l->hidden[k])
			continue;
		log_line(l->prog, "%s: %lu more not shown%s%s%s", l->name(k),
			 l->hidden[k], l->hint ? " (" : "",
			 l->hint ? l->hint : "", l->hint ? ")" : "");
		l->hidden[k] = 0;
	}
	l->last_summary_ms = clock_mono_ms();
}

bool log_limit_take(struct log_limit *l, size_t kind)
{
	bool full;

	assert(kind < l->nkinds);
	pthread_mutex_lock(&l->lock);
	full = l->seen[kind]++ < LOG_FULL_PER_KIND;
	if (!full) {
		l->hidden[kind]++;
		if (clock_mono_ms() - l->last_summary_ms >=
		    LOG_SUMMARY_EVERY_MS)
			summary_locked(l);
	}
	pthread_mutex_unlock(&l->lock);
	return full;
}

void log_limit_flush(struct log_limit *l)
{
	pthread_mutex_lock(&l->lock);
	summary_locked(l);
	pthread_mutex_unlock(&l->lock);
}

unsigned long log_limit_seen(struct log_limit *l, size_t kind)
{
	unsigned long n;

	assert(kind < l->nkinds);
	pthread_mutex_lock(&l->lock);
	n = l->seen[kind];
	pthread_mutex_unlock(&l->lock);
	return n;
}

void log_limit_free(struct log_limit *l)
{
	pthread_mutex_destroy(&l->lock);
}
