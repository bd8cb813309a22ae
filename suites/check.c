/* One check's life in its own process: setup from the environment, the
 * deviations it finds, and the record it leaves for the runner. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blt/httpc.h"
#include "conform.h"

#define SHOWN_MAX 5
#define REPORT_MAX (256 * 1024)

static void write_file(const char *dir, const char *id, const char *suffix,
		       const char *text)
{
	char path[CONFORM_PATH_MAX + 64];
	char tmp[CONFORM_PATH_MAX + 96];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s", dir, id,
			     suffix) >= sizeof(path))
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* The fault BLT_CONFORM_FAULT ("ID:exit" or "ID:config") asks of check id,
 * or NULL: a testing aid that makes one check's process end before the
 * check starts, or find its configuration unreadable. */
static const char *test_fault(const char *id)
{
	const char *f = getenv("BLT_CONFORM_FAULT");
	size_t n = strlen(id);

	if (!f || strncmp(f, id, n) != 0 || f[n] != ':')
		return NULL;
	return f + n + 1;
}

/* Records that check id could not start (why) and fails its test. The
 * record goes to dir, which the configuration may not have named yet. */
static void begin_failed(struct check *ck, const char *dir, const char *id,
			 const char *why)
{
	char rec[BLT_ERR_MSG_MAX + 256];

	snprintf(rec, sizeof(rec),
		 "nostart\n1\nthe check could not start: %s\n", why);
	if (dir && *dir)
		write_file(dir, id, "result", rec);
	buf_free(&ck->report);
	cr_assert_fail("%s: %s", id, why);
}

void check_begin(struct check *ck, const char *id)
{
	struct blt_err err = {0};
	struct httpc_opts opts = {0};
	const char *fault = test_fault(id);
	const char *dir = getenv("BLT_CONFORM_RESULTS");

	if (fault && strcmp(fault, "exit") == 0)
		_exit(70);
	if (fault && strcmp(fault, "config") == 0)
		unsetenv("BLT_CONFORM_TARGET");
	memset(ck, 0, sizeof(*ck));
	buf_init(&ck->report, REPORT_MAX);
	/* The marker first: whatever happens next, the runner knows that the
	 * check was selected and started. */
	if (dir && *dir)
		write_file(dir, id, "started", "");
	ck->def = conform_check_find(id);
	if (!ck->def)
		begin_failed(ck, dir, id, "not a check of the catalogue");
	if (conform_config_import(&ck->cfg, &err))
		begin_failed(ck, dir, id, err.msg);
	httpc_global_init();
	opts.timeout_ms = ck->cfg.timeout_ms;
	opts.connect_timeout_ms = ck->cfg.timeout_ms;
	if (httpc_new(&opts, &ck->http, &err)) {
		char why[BLT_ERR_MSG_MAX + 64];
		snprintf(why, sizeof(why), "cannot make an HTTP client: %s",
			 err.msg);
		begin_failed(ck, dir, id, why);
	}
}

bool check_send(struct check *ck, const struct creq *rq, struct cresp *rs)
{
	if (ck->dead) {
		memset(rs, 0, sizeof(*rs));
		snprintf(rs->neterr, sizeof(rs->neterr),
			 "not sent: the target stopped answering");
		return false;
	}
	ck->sent++;
	if (conform_send(ck->http, &ck->cfg, rq, rs))
		return true;
	check_fail(ck, rq, rs, "the target gave no HTTP answer (%s)",
		   rs->net == BLT_ETIMEOUT ? "timed out" : "transport error");
	ck->dead = true;
	return false;
}

void check_fail(struct check *ck, const struct creq *rq,
		const struct cresp *rs, const char *fmt, ...)
{
	va_list ap;

	ck->deviations++;
	if (ck->shown >= SHOWN_MAX)
		return;
	ck->shown++;
	buf_puts(&ck->report, "  - ", NULL);
	va_start(ap, fmt);
	buf_vprintf(&ck->report, NULL, fmt, ap);
	va_end(ap);
	buf_puts(&ck->report, "\n", NULL);
	if (rq) {
		buf_puts(&ck->report, "    request:  ", NULL);
		conform_curl(&ck->cfg, rq, &ck->report);
		buf_puts(&ck->report, "\n", NULL);
	}
	if (rs) {
		buf_puts(&ck->report, "    response: ", NULL);
		conform_describe(rs, &ck->report);
		buf_puts(&ck->report, "\n", NULL);
	}
}

void check_note(struct check *ck, const char *fmt, ...)
{
	va_list ap;

	buf_puts(&ck->report, "  note: ", NULL);
	va_start(ap, fmt);
	buf_vprintf(&ck->report, NULL, fmt, ap);
	va_end(ap);
	buf_puts(&ck->report, "\n", NULL);
}

void check_skip(struct check *ck, const char *fmt, ...)
{
	va_list ap;

	if (ck->skipped)
		return;
	ck->skipped = true;
	va_start(ap, fmt);
	vsnprintf(ck->skip_reason, sizeof(ck->skip_reason), fmt, ap);
	va_end(ap);
}

/* The record: outcome, deviation count, skip reason, then the report. */
static void write_record(struct check *ck, const char *outcome,
			 const char *text)
{
	struct blt_buf rec;

	buf_init(&rec, REPORT_MAX + 4096);
	buf_printf(&rec, NULL, "%s\n%u\n%s\n%s", outcome, ck->deviations,
		   ck->skip_reason, text);
	write_file(ck->cfg.results, ck->def->id, "result",
		   rec.data ? rec.data : "");
	buf_free(&rec);
}

void check_end(struct check *ck)
{
	const struct check_def *d = ck->def;
	char *text;

	if (ck->deviations > ck->shown)
		buf_printf(&ck->report, NULL, "  ... and %u more deviations\n",
			   ck->deviations - ck->shown);
	text = buf_take(&ck->report);
	if (!text)
		text = strdup("");
	httpc_free(ck->http);
	ck->http = NULL;
	if (ck->deviations && (d->level == CHECK_MUST || ck->cfg.strict)) {
		write_record(ck, "fail", text);
		cr_assert_fail("%s (%s): %s\n%s", d->id,
			       conform_level_name(d->level), d->requirement,
			       text);
	}
	if (ck->deviations) {
		write_record(ck, "warn", text);
		cr_log_warn("%s (should): %s\n%s", d->id, d->requirement, text);
		free(text);
		return;
	}
	if (ck->skipped) {
		write_record(ck, "skip", text);
		free(text);
		cr_skip_test("%s skipped: %s", d->id, ck->skip_reason);
	}
	write_record(ck, "pass", text);
	free(text);
}
