/* The closing report: the records the checks left, the observations of
 * the whole run added to the observer checks, the expectation file, then
 * the summary and the report files; and the progress line while the run
 * goes on. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blt/clock.h"
#include "runner.h"

#define OBS_SHOWN_MAX 5

/* What an observer check reports when the whole run judged nothing, and
 * what it counts. */
static const struct {
	const char *idle; /* the skip reason */
	const char *unit; /* "pages" */
} obs_words[OBS_COUNT] = {
	[OBS_PAG_SIZE] = {"no page was judged", "pages"},
	[OBS_PAG_END] = {"no walk was judged", "walks"},
	[OBS_PAG_DUP] = {"no walk had two TaskIds", "walks"},
	[OBS_ENU_RESP] = {"no task in any response carried a TaskStatus",
			  "TaskStatus values"},
	[OBS_SCH_RESP] = {"the target answered no request with 200",
			  "200 bodies"},
	[OBS_SCH_TIME] = {"no task carried both CreationTime and "
			  "LastUpdatedTime",
			  "tasks with both timestamps"},
	[OBS_HDR_CTYPE] = {"the target answered no request", "responses"},
	[OBS_HDR_REQID] = {"the target answered no request", "responses"},
	[OBS_ERR_TYPE] = {"the target answered no request with an error",
			  "error responses"},
	[OBS_ERR_STATUS] = {"no error response carried a known type (see "
			    "ERR-TYPE)",
			    "typed error responses"},
	[OBS_ERR_MSG] = {"the target answered no request with an error",
			 "error responses"},
	[OBS_ERR_NO5XX] = {"the target answered no client mistake",
			   "answers to client mistakes"},
};

/* Every record of the run, by catalogue index, and the survey's. */
struct records {
	json_t *rec[RUNNER_CHECKS_MAX];
	json_t *survey;
};

static json_t *load_record(const struct runner *r, const char *id)
{
	char path[CONFORM_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s.result", r->cfg.results, id);
	return json_load_file(path, 0, NULL);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static unsigned num(const json_t *o, const char *key)
{
	return (unsigned)json_integer_value(json_object_get(o, key));
}

/* A check that left no record: not selected, did not run, or did not
 * finish. */
static void no_record(const struct runner *r, size_t i, struct result *res)
{
	const struct check_def *d = &conform_checks[i];
	char path[CONFORM_PATH_MAX + 64];
	char why[600];

	snprintf(path, sizeof(path), "%s/%s.started", r->cfg.results, d->id);
	res->unfinished = true;
	res->deviations = 1;
	if (access(path, F_OK) != 0) {
		res->outcome = RES_FAIL;
		snprintf(why, sizeof(why),
			 "did not run: the check left no record (its process "
			 "ended before the check started, or the results "
			 "directory %.200s is not writable)",
			 r->cfg.results);
	} else {
		res->outcome = d->level == CHECK_MUST || r->cfg.strict
				       ? RES_FAIL
				       : RES_WARN;
		snprintf(why, sizeof(why),
			 "the check did not finish (timed out after %d s or "
			 "crashed)",
			 r->backstop_s);
	}
	results_text(&res->reason, why);
}

static enum res_outcome outcome_of(const char *s)
{
	return strcmp(s, "pass") == 0   ? RES_PASS
	       : strcmp(s, "warn") == 0 ? RES_WARN
	       : strcmp(s, "skip") == 0 ? RES_SKIP
					: RES_FAIL;
}

/* The observations of invariant o over the whole run: the sum of every
 * record's, their texts (the first few) appended to text. */
static void observed(const struct records *rs, int o, unsigned *judged,
		     unsigned *devs, struct blt_buf *text)
{
	const char *id = observe_check_id((enum obs_id)o);
	unsigned shown = 0;

	*judged = *devs = 0;
	for (size_t i = 0; i <= conform_ncheck; i++) {
		const json_t *rec = i ? rs->rec[i - 1] : rs->survey;
		const json_t *t = json_object_get(
			json_object_get(rec, "obs"), id);
		unsigned d = num(t, "deviations");
		if (!t)
			continue;
		*judged += num(t, "judged");
		*devs += d;
		if (d && shown < OBS_SHOWN_MAX) {
			buf_puts(text, str(t, "text"), NULL);
			shown += d;
		}
	}
	if (*devs > shown)
		buf_printf(text, NULL, "  ... %u deviations seen in all\n",
			   *devs);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Request ids that two processes of the run both saw: HDR-REQID
 * deviations the per-process observers cannot see. */
static unsigned shared_reqids(const struct records *rs, struct blt_buf *text)
{
	size_t n = 0, k = 0;
	const char **all;
	unsigned dups = 0;

	for (size_t i = 0; i <= conform_ncheck; i++)
		n += json_array_size(json_object_get(
			json_object_get(i ? rs->rec[i - 1] : rs->survey, "obs"),
			"reqids"));
	all = malloc((n + 1) * sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i <= conform_ncheck; i++) {
		const json_t *ids = json_object_get(
			json_object_get(i ? rs->rec[i - 1] : rs->survey, "obs"),
			"reqids");
		for (size_t j = 0; j < json_array_size(ids); j++)
			all[k++] = json_string_value(json_array_get(ids, j));
	}
	qsort(all, k, sizeof(*all), cmp_str);
	for (size_t i = 1; i < k; i++) {
		if (!all[i] || !all[i - 1] || strcmp(all[i], all[i - 1]) != 0)
			continue;
		if (dups++ < OBS_SHOWN_MAX)
			buf_printf(text, NULL,
				   "  - x-amzn-RequestId '%.100s' was sent for "
				   "two requests of the run\n",
				   all[i]);
	}
	free(all);
	return dups;
}

/* Adds the run's observations to observer check i. */
static void merge_observer(const struct records *rs, int o,
			   const struct runner *r, struct result *res,
			   bool own_skip)
{
	struct blt_buf text;
	unsigned judged, devs;
	char cov[900];

	buf_init(&text, 1 << 20);
	observed(rs, o, &judged, &devs, &text);
	if (o == OBS_HDR_REQID)
		devs += shared_reqids(rs, &text);
	if (devs) {
		char *both = malloc(strlen(res->text ? res->text : "") +
				    text.len + 1);
		if (both) {
			strcpy(both, res->text ? res->text : "");
			strcat(both, text.data ? text.data : "");
			free(res->text);
			res->text = both;
		}
		res->deviations += devs;
		if (res->outcome != RES_FAIL)
			res->outcome = !strcmp(res->level, "must") ||
					       r->cfg.strict
					       ? RES_FAIL
					       : RES_WARN;
	} else if (res->outcome == RES_PASS || (own_skip && !judged)) {
		if (!judged) {
			res->outcome = RES_SKIP;
			if (!res->reason || !*res->reason)
				results_text(&res->reason, obs_words[o].idle);
		}
	}
	snprintf(cov, sizeof(cov), "%s%s%u %s judged in the whole run",
		 res->coverage ? res->coverage : "",
		 res->coverage && *res->coverage ? "; " : "", judged,
		 obs_words[o].unit);
	results_text(&res->coverage, cov);
	buf_free(&text);
}

/* Fills result i from its record (or its absence). */
static void fill_result(const struct runner *r, const struct records *rs,
			size_t i, struct result *res)
{
	const struct check_def *d = &conform_checks[i];
	const json_t *rec = rs->rec[i];
	int o = observe_lookup(d->id);

	results_set(res, d->id, conform_level_name(d->level), d->requirement);
	if (!r->selected[i]) {
		res->outcome = RES_SKIP;
		results_text(&res->reason, "not selected (--filter)");
		return;
	}
	if (!rec) {
		no_record(r, i, res);
		return;
	}
	res->unfinished = strcmp(str(rec, "outcome"), "nostart") == 0;
	res->outcome = outcome_of(str(rec, "outcome"));
	res->deviations = num(rec, "deviations");
	if (*str(rec, "reason"))
		results_text(&res->reason, str(rec, "reason"));
	if (*str(rec, "coverage"))
		results_text(&res->coverage, str(rec, "coverage"));
	results_text(&res->text, str(rec, "text"));
	if (o >= 0 && !res->unfinished)
		merge_observer(rs, o, r, res, res->outcome == RES_SKIP);
}

/* Adds up the requests and retries of every record. */
static void count_requests(const struct runner *r, const struct records *rs,
			   struct results *res)
{
	res->requests = pace_sent(r->pace);
	for (size_t i = 0; i <= conform_ncheck; i++) {
		const json_t *v =
		    json_object_get(i ? rs->rec[i - 1] : rs->survey, "retries");
		for (size_t k = 0; k < 3; k++)
			res->retries[k] += (uint64_t)json_integer_value(
				json_array_get(v, k));
	}
}

static void settings(const struct runner *r, struct results *res)
{
	snprintf(res->target, sizeof(res->target), "%s",
		 r->cfg.embedded ? "embedded blt-fake" : r->cfg.target);
	results_setting(res, "profile", "%s",
			awsjson_profile_name(r->cfg.profile));
	results_setting(res, "compare", "%s", r->cfg.exact ? "exact" : "shape");
	results_setting(res, "seed", "%llu", (unsigned long long)r->cfg.seed);
	if (r->cfg.strict)
		results_setting(res, "strict", "yes");
	if (r->filter)
		results_setting(res, "filter", "%s", r->filter);
	if (r->cfg.max_requests)
		results_setting(res, "max-requests", "%llu",
				(unsigned long long)r->cfg.max_requests);
	if (r->cfg.rate > 0)
		results_setting(res, "rate", "%g/s", r->cfg.rate);
	if (r->expect)
		results_setting(res, "expect", "%s", r->expect);
	if (r->cfg.facts.unlisted[0])
		results_setting(res, "tasks", "unknown");
	else
		results_setting(res, "tasks", "%s%zu",
				r->cfg.facts.tasks_exact ? "" : "at least ",
				r->cfg.facts.tasks);
}

bool runner_color_on(FILE *out)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fileno(out)) && !(nc && *nc);
}

int runner_write_reports(const struct runner *r, const struct results *res)
{
	struct blt_err err = {0};
	int rc = 0;

	if (r->xml && results_write_junit(res, r->xml, &err))
		rc = 2;
	if (r->tap && results_write_tap(res, r->tap, &err))
		rc = 2;
	if (r->json && results_write_json(res, r->json, &err))
		rc = 2;
	if (r->html && results_write_html(res, r->html, &err))
		rc = 2;
	if (rc)
		fprintf(stderr, "blt-conform: %s\n", err.msg);
	return rc;
}

void runner_abort_reports(struct runner *r, const char *why)
{
	struct results res;
	struct blt_err err = {0};

	if (!r->xml && !r->tap && !r->json && !r->html)
		return;
	if (results_init(&res, "blt-conform", BLT_VERSION, 0, &err))
		return;
	settings(r, &res);
	res.abort_reason = strdup(why);
	res.seconds = (clock_mono_ms() - r->started_ms) / 1000;
	runner_write_reports(r, &res);
	results_free(&res);
}

int runner_read_expect(const struct runner *r, struct blt_err *err)
{
	struct results res;
	int rc;

	if (!r->expect)
		return 0;
	if (results_init(&res, "blt-conform", BLT_VERSION, conform_ncheck,
			 err))
		return 2;
	for (size_t i = 0; i < conform_ncheck; i++)
		results_set(&res.r[i], conform_checks[i].id,
			    conform_level_name(conform_checks[i].level),
			    conform_checks[i].requirement);
	rc = results_apply_expect(&res, r->expect, err) ? 2 : 0;
	results_free(&res);
	return rc;
}

int runner_report(struct runner *r)
{
	struct records rs = {0};
	struct results res;
	struct blt_err err = {0};
	int rc;

	if (results_init(&res, "blt-conform", BLT_VERSION, conform_ncheck,
			 &err))
		return 2;
	for (size_t i = 0; i < conform_ncheck && i < RUNNER_CHECKS_MAX; i++)
		rs.rec[i] = r->selected[i]
				? load_record(r, conform_checks[i].id)
				: NULL;
	rs.survey = load_record(r, "survey");
	for (size_t i = 0; i < conform_ncheck; i++)
		fill_result(r, &rs, i, &res.r[i]);
	settings(r, &res);
	count_requests(r, &rs, &res);
	res.seconds = (clock_mono_ms() - r->started_ms) / 1000;
	rc = 0;
	if (r->expect && results_apply_expect(&res, r->expect, &err)) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
		rc = 2;
	}
	results_print(&res, r->out, runner_color_on(r->out));
	if (runner_write_reports(r, &res))
		rc = 2;
	if (r->write_expect && results_write_expect(&res, r->write_expect,
						    &err)) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
		rc = 2;
	}
	if (!rc)
		rc = results_exit_status(&res);
	for (size_t i = 0; i < conform_ncheck; i++)
		json_decref(rs.rec[i]);
	json_decref(rs.survey);
	results_free(&res);
	return rc;
}

/* ---- progress ---------------------------------------------------------- */

#define PROGRESS_AFTER_MS 1500
#define PROGRESS_EVERY_MS 500

struct progress {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool shown;
	struct runner *r;
};

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	struct runner *r = p->r;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec ts;
		double ms = clock_mono_ms() - r->started_ms;

		if (ms >= PROGRESS_AFTER_MS) {
			char line[160];
			int n = snprintf(line, sizeof(line),
					 "\rblt-conform: %u of %zu checks "
					 "done, %llu requests, %.0f s ",
					 pace_checks_done(r->pace),
					 r->nselected,
					 (unsigned long long)pace_sent(r->pace),
					 ms / 1000);
			if (n > 0 && write(r->stderr_fd, line, (size_t)n) > 0)
				p->shown = true;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += PROGRESS_EVERY_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->wake, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void runner_progress_start(struct runner *r)
{
	struct progress *p;

	r->progress = NULL;
	if (r->stderr_fd < 0 || !isatty(r->stderr_fd))
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->r = r;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->wake);
		free(p);
		return;
	}
	r->progress = p;
}

void runner_progress_stop(struct runner *r)
{
	struct progress *p = r->progress;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	if (p->shown && write(r->stderr_fd, "\r\033[K", 4) < 0)
		p->shown = false;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
	r->progress = NULL;
}
