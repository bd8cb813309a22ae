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

	snprintf(path, sizeof(path), "%s/%s.%s", dir, id, suffix);
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

void check_begin(struct check *ck, const char *id)
{
	struct blt_err err = {0};
	struct httpc_opts opts = {0};

	memset(ck, 0, sizeof(*ck));
	buf_init(&ck->report, REPORT_MAX);
	ck->def = conform_check_find(id);
	if (!ck->def)
		cr_assert_fail("unknown check %s", id);
	if (conform_config_import(&ck->cfg, &err))
		cr_assert_fail("%s: %s", id, err.msg);
	write_file(ck->cfg.results, id, "started", "");
	httpc_global_init();
	opts.timeout_ms = ck->cfg.timeout_ms;
	opts.connect_timeout_ms = ck->cfg.timeout_ms;
	if (httpc_new(&opts, &ck->http, &err))
		cr_assert_fail("%s: cannot make an HTTP client: %s", id,
			       err.msg);
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
