/* blt-conform --client -- COMMAND: selects the client checks, runs their
 * scenarios (a few at once), judges them and reports as the server mode
 * does. */
#define _GNU_SOURCE /* FNM_EXTMATCH, as the server mode's filter */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blt/clock.h"
#include "cli.h"
#include "runner.h"

#define JOBS_DEFAULT 4
#define TIMEOUT_DEFAULT_MS 30000
#define PROGRESS_AFTER_MS 1500

/* The runs and the workers that take them in turn. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t moved;
	struct cli_run *runs;
	const struct cli_script *scripts; /* one per run */
	size_t n;
	size_t next;        /* the next run to start */
	size_t finished;
	bool stop;          /* -f: start no further run */
	bool selected[CLI_NCHECK];
	const struct cli_config *cfg;
	enum cli_check failed; /* the check that stopped it, with -f */
};

/* Fills sel by the filter (NULL: all); 2 with err when it selects none.
 * A check matches by its ID (CLI-PAG-FOLLOW) or as GROUP/NAME
 * (CLI-PAG/FOLLOW). */
static int select_checks(const char *filter, bool sel[CLI_NCHECK],
			 struct blt_err *err)
{
	size_t n = 0;

	for (int c = 0; c < CLI_NCHECK; c++) {
		const char *id = cli_checks[c].id;
		const char *dash = strrchr(id, '-');
		char name[64];

		snprintf(name, sizeof(name), "%.*s/%s", (int)(dash - id), id,
			 dash + 1);
		sel[c] = !filter || fnmatch(filter, id, FNM_EXTMATCH) == 0 ||
			 fnmatch(filter, name, FNM_EXTMATCH) == 0;
		n += sel[c];
	}
	if (!n)
		return blt_fail(err, BLT_EUSAGE,
				"--filter '%s' selects no client check (they "
				"are named like CLI-PAG-FOLLOW or "
				"CLI-PAG/FOLLOW; --client --list shows them)",
				filter),
		       2;
	return 0;
}

/* True when check c's verdict fails the run. */
static bool fails(const struct cli_config *cfg, enum cli_check c,
		  const struct cli_verdict *v)
{
	return v->deviations &&
	       (cli_checks[c].level == CHECK_MUST || cfg->strict);
}

/* With -f: judges check c once its last run is done; a failure stops
 * the pool. The caller holds the lock. */
static void fail_fast(struct pool *p, size_t i)
{
	enum cli_check c = p->scripts[i].check;
	size_t first = i, last = i;
	struct cli_verdict v;

	while (first > 0 && p->scripts[first - 1].check == c)
		first--;
	while (last + 1 < p->n && p->scripts[last + 1].check == c)
		last++;
	for (size_t k = first; k <= last; k++)
		if (!p->runs[k].done)
			return;
	cli_judge(c, &p->runs[first], last - first + 1, p->cfg, &v);
	if (fails(p->cfg, c, &v) && !p->stop) {
		p->stop = true;
		p->failed = c;
	}
	cli_verdict_free(&v);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->next < p->n) {
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		cli_run(&p->runs[i], &p->scripts[i], p->cfg, i);
		pthread_mutex_lock(&p->lock);
		p->finished++;
		if (p->cfg->fail_fast)
			fail_fast(p, i);
		pthread_cond_signal(&p->moved);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Waits for the workers, showing progress on a terminal. */
static void wait_pool(struct pool *p, pthread_t *t, unsigned nt,
		      const struct runner *r)
{
	bool shown = false;

	pthread_mutex_lock(&p->lock);
	while (p->finished < (p->stop ? p->next : p->n)) {
		struct timespec ts;
		double ms = clock_mono_ms() - r->started_ms;

		if (ms > PROGRESS_AFTER_MS && r->stderr_fd >= 0 &&
		    isatty(r->stderr_fd)) {
			char line[128];
			int len = snprintf(line, sizeof(line),
					   "\rblt-conform --client: %zu of %zu "
					   "runs done, %.0f s ",
					   p->finished, p->n, ms / 1000);
			shown = write(r->stderr_fd, line, (size_t)len) > 0;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 500 * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->moved, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	if (shown && write(r->stderr_fd, "\r\033[K", 4) < 0)
		shown = false;
}

/* Runs every script of a selected check. */
static void run_all(struct pool *p, const struct runner *r)
{
	pthread_t t[64];
	unsigned nt = 0;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->moved, NULL);
	for (unsigned i = 0; i < p->cfg->jobs && i < p->n && i < 64; i++)
		if (pthread_create(&t[nt], NULL, worker, p) == 0)
			nt++;
	if (nt == 0)
		worker(p);
	wait_pool(p, t, nt, r);
	pthread_cond_destroy(&p->moved);
	pthread_mutex_destroy(&p->lock);
}

/* Appends argv as a shell command line, escaped. */
static void put_command(struct blt_buf *b, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';

		for (const char *c = a; *c && plain; c++)
			plain = strchr("abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				       "_-./:=@%+,",
				       *c) != NULL;
		buf_puts(b, i ? " " : "", NULL);
		if (plain) {
			buf_puts(b, a, NULL);
			continue;
		}
		buf_puts(b, "'", NULL);
		for (const char *c = a; *c; c++)
			if (*c == '\'')
				buf_puts(b, "'\\''", NULL);
			else
				buf_put_escaped(b, c, 1, NULL);
		buf_puts(b, "'", NULL);
	}
}

/* Counts the client's requests, and its retries by cause. */
static void count_requests(const struct pool *p, struct results *res)
{
	for (size_t r = 0; r < p->n; r++) {
		const struct cli_run *run = &p->runs[r];
		res->requests += run->n + run->dropped;
		for (size_t i = 0; i + 1 < run->n; i++) {
			enum cli_fault f = run->x[i].fault;
			if (run->x[i].op != AWSJSON_OP_LIST_BATCH_LOAD_TASKS)
				continue;
			if (f == CLI_FAULT_THROTTLE)
				res->retries[0]++;
			else if (f == CLI_FAULT_INTERNAL)
				res->retries[1]++;
			else if (f == CLI_FAULT_RESET)
				res->retries[2]++;
		}
	}
}

static void settings(const struct runner *r, const struct cli_config *cfg,
		     size_t nruns, struct results *res)
{
	struct blt_buf b;

	buf_init(&b, sizeof(res->target) - 1);
	put_command(&b, cfg->command);
	snprintf(res->target, sizeof(res->target), "client %s",
		 b.data ? b.data : "");
	buf_free(&b);
	results_setting(res, "profile", "%s",
			awsjson_profile_name(cfg->profile));
	results_setting(res, "region", "%s", cfg->region);
	results_setting(res, "runs", "%zu", nruns);
	results_setting(res, "jobs", "%u", cfg->jobs);
	results_setting(res, "timeout", "%ld ms", cfg->timeout_ms);
	results_setting(res, "retry", "AWS_RETRY_MODE=%s AWS_MAX_ATTEMPTS=%s",
			CLI_RETRY_MODE, CLI_MAX_ATTEMPTS);
	if (cfg->strict)
		results_setting(res, "strict", "yes");
	if (r->filter)
		results_setting(res, "filter", "%s", r->filter);
	if (r->expect)
		results_setting(res, "expect", "%s", r->expect);
}

/* The group of check c: its ID up to the last '-' (CLI-PAG), as the
 * --filter's GROUP/NAME form names it. */
static void set_group(struct result *res, enum cli_check c)
{
	const char *dash = strrchr(cli_checks[c].id, '-');

	snprintf(res->group, sizeof(res->group), "%.*s",
		 (int)(dash - cli_checks[c].id), cli_checks[c].id);
}

/* Fills result c from its verdict. */
static void fill(struct result *res, enum cli_check c,
		 const struct cli_config *cfg, const struct cli_verdict *v)
{
	res->deviations = v->deviations;
	if (v->deviations) {
		res->outcome = fails(cfg, c, v) ? RES_FAIL : RES_WARN;
		results_text(&res->text, v->text.data ? v->text.data : "");
		if (v->skipped)
			results_text(&res->reason, v->reason);
	} else if (v->skipped) {
		res->outcome = RES_SKIP;
		results_text(&res->reason, v->reason);
	} else {
		res->outcome = RES_PASS;
		results_text(&res->coverage, v->coverage);
	}
}

/* The runs that ran, in order (the judges read only those). */
static size_t done_runs(struct pool *p, struct cli_run *out)
{
	size_t k = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->runs[i].done)
			out[k++] = p->runs[i];
	return k;
}

/* Judges every check into res. */
static void judge_all(struct pool *p, struct results *res)
{
	struct cli_run *done = calloc(p->n + 1, sizeof(*done));
	size_t nd = done ? done_runs(p, done) : 0;

	for (int c = 0; c < CLI_NCHECK; c++) {
		struct result *out = &res->r[c];
		bool ran = true;
		struct cli_verdict v;

		results_set(out, cli_checks[c].id,
			    conform_level_name(cli_checks[c].level),
			    cli_checks[c].requirement);
		set_group(out, (enum cli_check)c);
		for (size_t i = 0; i < p->n; i++)
			if (p->scripts[i].check == (enum cli_check)c)
				ran = ran && p->runs[i].done;
		if (!p->selected[c] || !ran) {
			char why[200] = "not selected (--filter)";
			if (p->selected[c])
				snprintf(why, sizeof(why),
					 "not run: -f stopped the run after "
					 "%s failed",
					 cli_checks[p->failed].id);
			out->outcome = RES_SKIP;
			results_text(&out->reason, why);
			continue;
		}
		cli_judge((enum cli_check)c, done, nd, p->cfg, &v);
		fill(out, (enum cli_check)c, p->cfg, &v);
		cli_verdict_free(&v);
	}
	free(done);
}

/* The run that could not start the command, or NULL. */
static const char *start_failure(const struct pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct cli_run *run = &p->runs[i];
		if (!run->done)
			continue;
		if (run->o.start_error[0])
			return run->o.start_error;
		if (run->setup_error[0] && !run->url[0])
			return run->setup_error;
	}
	return NULL;
}

/* The reports of a run that could not start: why, on stderr and in the
 * report files; 2. */
static int aborted(const struct runner *r, const struct cli_config *cfg,
		   const char *why)
{
	struct results res;

	fprintf(stderr, "blt-conform: %s\n", why);
	if (results_init(&res, "blt-conform", BLT_VERSION, 0, NULL) == BLT_OK) {
		settings(r, cfg, 0, &res);
		res.abort_reason = strdup(why);
		runner_write_reports(r, &res);
		results_free(&res);
	}
	return 2;
}

/* Judges, prints, writes the reports; the exit status. */
static int report(struct runner *r, struct pool *p)
{
	struct results res;
	struct blt_err err = {0};
	int rc = 0;

	if (results_init(&res, "blt-conform", BLT_VERSION, CLI_NCHECK, &err))
		return 2;
	judge_all(p, &res);
	settings(r, p->cfg, p->n, &res);
	count_requests(p, &res);
	res.seconds = (clock_mono_ms() - r->started_ms) / 1000;
	if (r->expect && results_apply_expect(&res, r->expect, &err)) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
		rc = 2;
	}
	results_print(&res, r->out, runner_color_on(r->out));
	if (runner_write_reports(r, &res))
		rc = 2;
	if (r->write_expect &&
	    results_write_expect(&res, r->write_expect, &err)) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
		rc = 2;
	}
	if (!rc)
		rc = results_exit_status(&res);
	results_free(&res);
	return rc;
}

static void list_checks(const bool sel[CLI_NCHECK])
{
	for (int c = 0; c < CLI_NCHECK; c++)
		if (sel[c])
			printf("%-20s %-6s %s\n", cli_checks[c].id,
			       conform_level_name(cli_checks[c].level),
			       cli_checks[c].requirement);
}

static void configure(const struct runner *r, struct cli_config *cfg)
{
	const char *reg = getenv("AWS_REGION");

	memset(cfg, 0, sizeof(*cfg));
	cfg->command = r->command;
	cfg->profile = r->cfg.profile;
	snprintf(cfg->region, sizeof(cfg->region), "%s",
		 r->cfg.region[0] ? r->cfg.region
		 : reg && *reg	  ? reg
				  : "us-east-1");
	cfg->timeout_ms = r->timeout_given ? r->cfg.timeout_ms
					   : TIMEOUT_DEFAULT_MS;
	cfg->jobs = r->jobs ? r->jobs : JOBS_DEFAULT;
	cfg->strict = r->cfg.strict;
	cfg->fail_fast = r->cfg.fail_fast;
}

/* Removes the runs' directory (the outputs are read and removed). */
static void remove_dir(const char *dir)
{
	if (dir[0])
		rmdir(dir);
}

int cli_main(struct runner *r)
{
	static struct cli_script all[CLI_SCRIPTS_MAX];
	struct cli_script *mine = calloc(CLI_SCRIPTS_MAX, sizeof(*mine));
	struct cli_config cfg;
	struct pool p;
	struct blt_err err = {0};
	size_t total = cli_scripts(all);
	const char *tmp = getenv("TMPDIR");
	const char *why;
	int rc;

	memset(&p, 0, sizeof(p));
	configure(r, &cfg);
	r->out = r->report_stderr ? stderr : stdout;
	r->started_ms = clock_mono_ms();
	if (!mine)
		return fprintf(stderr, "blt-conform: out of memory\n"), 2;
	if (select_checks(r->filter, p.selected, &err)) {
		fprintf(stderr, "blt-conform: %s\n", err.msg);
		free(mine);
		return 2;
	}
	if (r->listed) {
		list_checks(p.selected);
		free(mine);
		return 0;
	}
	for (size_t i = 0; i < total; i++)
		if (p.selected[all[i].check])
			mine[p.n++] = all[i];
	snprintf(cfg.dir, sizeof(cfg.dir), "%.900s/blt-conform-client.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	p.runs = calloc(p.n, sizeof(*p.runs));
	if (!p.runs || !mkdtemp(cfg.dir)) {
		rc = aborted(r, &cfg, "cannot make the runs' directory");
		free(p.runs);
		free(mine);
		return rc;
	}
	p.scripts = mine;
	p.cfg = &cfg;
	run_all(&p, r);
	why = start_failure(&p);
	rc = why ? aborted(r, &cfg, why) : report(r, &p);
	for (size_t i = 0; i < p.n; i++)
		if (p.runs[i].done)
			cli_run_free(&p.runs[i]);
	free(p.runs);
	free(mine);
	remove_dir(cfg.dir);
	return rc;
}
