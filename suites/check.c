/* One check's life in its own process: setup from the environment, the
 * requests it sends (retried, paced and counted), the deviations it finds,
 * and the record it leaves for the runner. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blt/canon.h"
#include "blt/httpc.h"
#include "conform.h"

#define SHOWN_MAX 5
#define REPORT_MAX (256 * 1024)
#define RETRIES_5XX_MAX 2
#define BACKOFF_CAP_MS 20000

enum { RETRY_THROTTLE, RETRY_5XX, RETRY_NET };

/* Writes a record into the run's temporary directory: whole or not at
 * all (a rename), but without the syncs of a durable write, which would
 * cost more than the check itself. */
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

/* Writes a record that says only outcome and reason. */
static void write_bare_record(const char *dir, const char *id,
			      const char *outcome, const char *reason)
{
	json_t *rec = json_pack("{s:s, s:s, s:i, s:o}", "id", id, "outcome",
				outcome, "deviations",
				strcmp(outcome, "nostart") == 0 ? 1 : 0,
				"reason", conform_json_text(reason));
	char *text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;

	if (text && dir && *dir)
		write_file(dir, id, "result", text);
	free(text);
	json_decref(rec);
}

/* Records that check id could not start (why) and fails its test. The
 * record goes to dir, which the configuration may not have named yet. */
static void begin_failed(struct check *ck, const char *dir, const char *id,
			 const char *why)
{
	char reason[BLT_ERR_MSG_MAX + 64];

	snprintf(reason, sizeof(reason), "the check could not start: %s",
		 why);
	write_bare_record(dir, id, "nostart", reason);
	buf_free(&ck->report);
	cr_assert_fail("%s: %s", id, why);
}

/* Ends the test as skipped before it sent anything. */
static void begin_skipped(struct check *ck, const char *reason)
{
	write_bare_record(ck->cfg.results, ck->def->id, "skip", reason);
	pace_check_done(ck->pace);
	pace_close(ck->pace);
	httpc_free(ck->http);
	observe_free(&ck->obs);
	buf_free(&ck->report);
	cr_skip_test("%s skipped: %s", ck->def->id, reason);
}

/* The plan's verdict on this check: its allotment and level, or a skip. */
static void begin_plan(struct check *ck)
{
	char why[512];

	if (ck->cfg.fail_fast && pace_stopped(ck->pace))
		begin_skipped(ck, "not run: -f (fail fast) stopped the run "
				  "after a check failed");
	if (!plan_lookup(&ck->cfg, ck->def->id, &ck->allot, &ck->level, why,
			 sizeof(why)))
		begin_skipped(ck, why);
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
	ck->pace = pace_open(ck->cfg.results, false, &err);
	observe_init(&ck->obs, &ck->cfg, ck->def->id);
	rng_seed(&ck->jitter, ck->cfg.seed ^ canon_hash_bytes(id, strlen(id)));
	begin_plan(ck);
}

static const struct check_def survey_def = {
	"survey", CHECK_MUST, "the runner's survey of the target"};

blt_status check_open(struct check *ck, const struct conform_config *cfg,
		      const char *source, struct blt_err *err)
{
	struct httpc_opts opts = {.timeout_ms = cfg->timeout_ms,
				  .connect_timeout_ms = cfg->timeout_ms};

	memset(ck, 0, sizeof(*ck));
	buf_init(&ck->report, REPORT_MAX);
	ck->def = &survey_def;
	ck->cfg = *cfg;
	ck->cfg.cassettes = NULL; /* the runner's; check_end frees ck's */
	httpc_global_init();
	if (httpc_new(&opts, &ck->http, err))
		return BLT_ENOMEM;
	ck->pace = pace_open(cfg->results, false, err);
	observe_init(&ck->obs, &ck->cfg, source);
	rng_seed(&ck->jitter, cfg->seed ^ canon_hash_bytes(source,
							   strlen(source)));
	return BLT_OK;
}

static void write_record(struct check *ck, const char *outcome,
			 const char *text);

void check_close(struct check *ck)
{
	httpc_free(ck->http);
	ck->http = NULL;
	write_record(ck, "pass", "");
	observe_free(&ck->obs);
	pace_close(ck->pace);
	ck->pace = NULL;
	buf_free(&ck->report);
}

bool check_can_send(const struct check *ck)
{
	return !ck->dead && !ck->stopped;
}

bool check_survey_listed(struct check *ck)
{
	if (!ck->cfg.facts.unlisted[0])
		return true;
	check_skip(ck, "the survey could not list the tasks to size this "
		       "check (%s)",
		   ck->cfg.facts.unlisted);
	return false;
}

/* Whether the answer (or its absence) to rq deserves another try. */
static int retry_reason(const struct check *ck, const struct creq *rq,
			const struct cresp *rs, unsigned attempt)
{
	if (!rs->answered)
		return rs->net != BLT_ETIMEOUT && rs->net != BLT_EAUTH &&
				       attempt < ck->cfg.retries
			       ? RETRY_NET
			       : -1;
	if (conform_throttled(rs))
		return attempt < ck->cfg.retries ? RETRY_THROTTLE : -1;
	if (rs->status >= 500 && rq->kind == CREQ_VALID &&
	    attempt < ck->cfg.retries && attempt < RETRIES_5XX_MAX)
		return RETRY_5XX;
	return -1;
}

void conform_backoff(struct blt_rng *jitter, long base_ms, unsigned attempt)
{
	uint64_t cap = (uint64_t)base_ms;
	uint64_t ms;

	for (unsigned i = 0; i < attempt && cap < BACKOFF_CAP_MS; i++)
		cap *= 2;
	if (cap > BACKOFF_CAP_MS)
		cap = BACKOFF_CAP_MS;
	ms = rng_below(jitter, cap + 1);
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Takes one request from the budgets; false (and the check stopped, with
 * the reason) when either is used up. */
static bool take_budget(struct check *ck)
{
	if ((ck->allot && ck->sent >= ck->allot) ||
	    !pace_take(ck->pace, ck->cfg.max_requests, ck->cfg.rate)) {
		ck->stopped = true;
		check_skip(ck,
			   "the request budget (--max-requests %llu) ran out "
			   "after %u requests of this check",
			   (unsigned long long)ck->cfg.max_requests, ck->sent);
		return false;
	}
	ck->sent++;
	return true;
}

bool check_send(struct check *ck, const struct creq *rq, struct cresp *rs)
{
	int why;

	memset(rs, 0, sizeof(*rs));
	if (!check_can_send(ck)) {
		snprintf(rs->neterr, sizeof(rs->neterr), "not sent: %s",
			 ck->dead ? "the target stopped answering"
				  : "the check stopped");
		return false;
	}
	for (unsigned attempt = 0;; attempt++) {
		if (!take_budget(ck)) {
			snprintf(rs->neterr, sizeof(rs->neterr),
				 "not sent: the request budget is used up");
			return false;
		}
		conform_send(ck->http, &ck->cfg, rq, rs);
		observe_response(&ck->obs, rq, rs);
		why = retry_reason(ck, rq, rs, attempt);
		if (why < 0)
			break;
		ck->retries[why]++;
		cresp_free(rs);
		conform_backoff(&ck->jitter, ck->cfg.backoff_ms, attempt);
	}
	if (rs->answered && conform_throttled(rs)) {
		/* a target still throttling after every retry is saturated:
		 * the check sends nothing more, so a target that throttles
		 * for ever costs each check one request's retries */
		ck->gave_up++;
		ck->stopped = true;
		check_skip(ck,
			   "the target still throttled a request after %u "
			   "retries; no verdict on it (raise --retries or "
			   "lower --rate)",
			   ck->cfg.retries);
		cresp_free(rs);
		snprintf(rs->neterr, sizeof(rs->neterr),
			 "throttled after %u retries", ck->cfg.retries);
		return false;
	}
	if (rs->answered)
		return true;
	check_fail(ck, rq, rs, "the target gave no HTTP answer (%s)",
		   rs->net == BLT_ETIMEOUT ? "timed out" : "transport error");
	ck->dead = true;
	return false;
}

/* Appends one deviation in full to the report. */
static void write_deviation(struct check *ck, const char *lead,
			    const struct creq *rq, const struct cresp *rs,
			    const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void write_deviation(struct check *ck, const char *lead,
			    const struct creq *rq, const struct cresp *rs,
			    const char *fmt, va_list ap)
{
	conform_deviation(&ck->report, &ck->cfg, lead, rq, rs, fmt, ap);
}

void check_fail(struct check *ck, const struct creq *rq,
		const struct cresp *rs, const char *fmt, ...)
{
	va_list ap;

	ck->deviations++;
	if (ck->shown >= SHOWN_MAX)
		return;
	ck->shown++;
	va_start(ap, fmt);
	write_deviation(ck, "  - ", rq, rs, fmt, ap);
	va_end(ap);
}

void check_fail_dep(struct check *ck, const struct creq *rq,
		    const struct cresp *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* PAG-REPEAT is what the others depend on: it judges for itself */
	if (ck->cfg.facts.repeat != REPEAT_NO ||
	    strcmp(ck->def->id, "PAG-REPEAT") == 0) {
		ck->deviations++;
		if (ck->shown < SHOWN_MAX) {
			ck->shown++;
			write_deviation(ck, "  - ", rq, rs, fmt, ap);
		}
	} else if (ck->dep_deviations++ < SHOWN_MAX) {
		write_deviation(ck, "  - not judged (depends on PAG-REPEAT): ",
				rq, rs, fmt, ap);
	}
	va_end(ap);
}

void check_note(struct check *ck, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	conform_vtext(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&ck->report, NULL, "  note: %s\n", msg);
}

void check_skip(struct check *ck, const char *fmt, ...)
{
	va_list ap;

	if (ck->skipped)
		return;
	ck->skipped = true;
	va_start(ap, fmt);
	conform_vtext(ck->skip_reason, sizeof(ck->skip_reason), fmt, ap);
	va_end(ap);
}

void check_coverage(struct check *ck, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conform_vtext(ck->coverage, sizeof(ck->coverage), fmt, ap);
	va_end(ap);
}

/* Formats into dst as conform_vtext does. */
static void text_printf(char *dst, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void text_printf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conform_vtext(dst, n, fmt, ap);
	va_end(ap);
}

/* The outcome by the rules of docs/conform.md; reason may be rewritten. */
static const char *decide(struct check *ck)
{
	if (ck->deviations)
		return ck->def->level == CHECK_MUST || ck->cfg.strict ? "fail"
								       : "warn";
	if (ck->skipped)
		return "skip";
	if (ck->dep_deviations) {
		text_printf(ck->skip_reason, sizeof(ck->skip_reason),
			 "depends on PAG-REPEAT: %u result%s not judged, "
			 "because the target's NextTokens cannot be used "
			 "twice (%.300s)",
			 ck->dep_deviations,
			 ck->dep_deviations == 1 ? "" : "s",
			 ck->cfg.facts.repeat_why);
		return "skip";
	}
	return "pass";
}

/* The record: outcome, counts, reason, coverage, report, observations. */
static void write_record(struct check *ck, const char *outcome,
			 const char *text)
{
	json_t *rec = json_pack(
		"{s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:i, s:[i,i,i], s:i, "
		"s:o}",
		"id", ck->def->id, "outcome", outcome, "deviations",
		(int)ck->deviations, "dep_deviations", (int)ck->dep_deviations,
		"reason", conform_json_text(ck->skip_reason), "coverage",
		conform_json_text(ck->coverage), "text",
		conform_json_text(text), "sent", (int)ck->sent, "retries",
		(int)ck->retries[0], (int)ck->retries[1], (int)ck->retries[2],
		"gave_up", (int)ck->gave_up, "obs", observe_to_json(&ck->obs));
	char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;

	if (s)
		write_file(ck->cfg.results, ck->def->id, "result", s);
	free(s);
	json_decref(rec);
}

void check_end(struct check *ck)
{
	const struct check_def *d = ck->def;
	const char *outcome;
	char *text;

	if (ck->deviations > ck->shown)
		buf_printf(&ck->report, NULL, "  ... and %u more deviations\n",
			   ck->deviations - ck->shown);
	text = buf_take(&ck->report);
	if (!text)
		text = strdup("");
	httpc_free(ck->http);
	ck->http = NULL;
	outcome = decide(ck);
	write_record(ck, outcome, text ? text : "");
	observe_free(&ck->obs);
	conform_config_free(&ck->cfg);
	pace_check_done(ck->pace);
	if (strcmp(outcome, "fail") == 0 && ck->cfg.fail_fast)
		pace_stop(ck->pace);
	pace_close(ck->pace);
	ck->pace = NULL;
	if (strcmp(outcome, "fail") == 0)
		cr_assert_fail("%s (%s): %s\n%s", d->id,
			       conform_level_name(d->level), d->requirement,
			       text);
	if (strcmp(outcome, "skip") == 0) {
		free(text);
		cr_skip_test("%s skipped: %s", d->id, ck->skip_reason);
	}
	free(text);
}
