/* The judges of blt-conform --client: each check of the client catalogue
 * over the runs of its scenarios (and, for the rules that concern every
 * request, over every run). A deviation names the run, says what went
 * wrong, and shows what the command sent (curl), what it was answered,
 * what it printed and what was expected. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define SHOWN_MAX 5
#define REQUESTS_SHOWN 8

/* Starts a deviation: counts it and, for the first few, writes its
 * message; true when its evidence is to be written too. */
static bool dev(struct cli_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool dev(struct cli_verdict *v, const char *fmt, ...)
{
	va_list ap;

	v->deviations++;
	if (v->shown >= SHOWN_MAX)
		return false;
	v->shown++;
	buf_puts(&v->text, "  - ", NULL);
	va_start(ap, fmt);
	buf_vprintf(&v->text, NULL, fmt, ap);
	va_end(ap);
	buf_puts(&v->text, "\n", NULL);
	return true;
}

static void expected(struct cli_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void expected(struct cli_verdict *v, const char *fmt, ...)
{
	va_list ap;

	buf_puts(&v->text, "    expected: ", NULL);
	va_start(ap, fmt);
	buf_vprintf(&v->text, NULL, fmt, ap);
	va_end(ap);
	buf_puts(&v->text, "\n", NULL);
}

/* The requests of run (the last ones when the scenario stopped it, as
 * they show the loop), then what it printed. */
static void evidence(struct cli_verdict *v, const struct cli_run *run)
{
	size_t from = run->o.stopped && run->n > REQUESTS_SHOWN
			      ? run->n - REQUESTS_SHOWN
			      : 0;

	cli_put_exchanges(&v->text, run, from, REQUESTS_SHOWN);
	cli_put_printed(&v->text, run);
}

static void skip(struct cli_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void skip(struct cli_verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->skipped)
		return;
	v->skipped = true;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

static void cover(struct cli_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cover(struct cli_verdict *v, const char *fmt, ...)
{
	size_t have = strlen(v->coverage);
	va_list ap;

	if (have)
		snprintf(v->coverage + have, sizeof(v->coverage) - have, "; ");
	have = strlen(v->coverage);
	va_start(ap, fmt);
	vsnprintf(v->coverage + have, sizeof(v->coverage) - have, fmt, ap);
	va_end(ap);
}

/* ---- what the runs did -------------------------------------------------- */

static bool is_lbt(const struct cli_exchange *x)
{
	return x->op == AWSJSON_OP_LIST_BATCH_LOAD_TASKS;
}

/* The first ListBatchLoadTasks request at or after i, or run->n. */
static size_t next_lbt(const struct cli_run *run, size_t i)
{
	while (i < run->n && !is_lbt(&run->x[i]))
		i++;
	return i;
}

/* How the run ended, for a message: "exit 1", "was stopped: ...". */
static void ended(const struct cli_run *run, char *out, size_t n)
{
	if (run->o.stopped)
		snprintf(out, n, "was stopped by the scenario: %s",
			 run->stop_why);
	else if (run->o.timed_out)
		snprintf(out, n, "was still running at the time limit (%ld ms)",
			 run->cfg->timeout_ms);
	else if (run->o.flooded)
		snprintf(out, n, "printed more than %d bytes", CLI_OUTPUT_MAX);
	else if (run->o.signal)
		snprintf(out, n, "was killed by signal %d", run->o.signal);
	else
		snprintf(out, n, "exited with status %d", run->o.exit_code);
}

static bool exited_zero(const struct cli_run *run)
{
	return !run->o.stopped && !run->o.timed_out && !run->o.flooded &&
	       !run->o.signal && run->o.exit_code == 0;
}

/* Ended by itself (not killed) with a status other than 0. */
static bool exited_failing(const struct cli_run *run)
{
	return !run->o.stopped && !run->o.timed_out && !run->o.flooded &&
	       !run->o.signal && run->o.exit_code != 0;
}

/* The scenario's TaskIds, in order, as "A, B, C". */
static void put_set(struct blt_buf *b, const struct cli_script *sc)
{
	char id[32];

	for (unsigned i = 0; i < sc->ntasks; i++) {
		cli_task_id(sc, i, id);
		buf_printf(b, NULL, "%s%s", i ? ", " : "", id);
	}
}

static void expect_set(struct cli_verdict *v, const struct cli_script *sc)
{
	buf_printf(&v->text, NULL,
		   "    expected: exit 0 and the %u TaskIds of its %u pages, "
		   "each once, one a line (or a JSON array): ",
		   sc->ntasks, sc->npages);
	put_set(&v->text, sc);
	buf_puts(&v->text, "\n", NULL);
}

/* Compares the printed ids with the scenario's set: the problems in words
 * into msg; true when they are the set, each once. */
static bool compare_set(const struct cli_script *sc, char **ids, size_t n,
			struct blt_buf *msg)
{
	char want[CLI_TASKS_MAX][32];
	unsigned seen[CLI_TASKS_MAX] = {0};
	size_t extra = 0, twice = 0, missing = 0;

	for (unsigned i = 0; i < sc->ntasks; i++)
		cli_task_id(sc, i, want[i]);
	for (size_t k = 0; k < n; k++) {
		unsigned i = 0;
		while (i < sc->ntasks && strcmp(ids[k], want[i]) != 0)
			i++;
		if (i == sc->ntasks && extra++ < 3) {
			buf_puts(msg, extra == 1 ? "; not a TaskId of the "
						   "scenario: '" : ", '",
				 NULL);
			cli_put_text(msg, ids[k], strlen(ids[k]), 80);
			buf_puts(msg, "'", NULL);
		} else if (i < sc->ntasks && seen[i]++ == 1 && twice++ < 3) {
			buf_printf(msg, NULL, "%s%s", twice == 1 ? "; twice: "
								 : ", ",
				   want[i]);
		}
	}
	for (unsigned i = 0; i < sc->ntasks; i++)
		if (!seen[i] && missing++ < 8)
			buf_printf(msg, NULL, "%s%s", missing == 1
							      ? "; missing: "
							      : ", ",
				   want[i]);
	return !extra && !twice && !missing;
}

/* A run that must succeed: exit 0 and exactly the set printed. Records
 * one deviation (what) when it did not; true when it did. */
static bool success(struct cli_verdict *v, const struct cli_run *run)
{
	const struct cli_script *sc = run->sc;
	char how[700], why[300];
	char **ids = NULL;
	size_t n = 0;
	struct blt_buf msg;
	bool ok;

	if (!exited_zero(run)) {
		ended(run, how, sizeof(how));
		if (dev(v, "run %s %s; the walk should have succeeded",
			sc->name, how)) {
			evidence(v, run);
			expect_set(v, sc);
		}
		return false;
	}
	if (!cli_output_ids(run, &ids, &n, why, sizeof(why))) {
		if (dev(v, "run %s: %s", sc->name, why)) {
			evidence(v, run);
			expect_set(v, sc);
		}
		return false;
	}
	buf_init(&msg, 8192);
	ok = compare_set(sc, ids, n, &msg);
	if (!ok && dev(v, "run %s printed %zu TaskIds%s", sc->name, n,
		       msg.data ? msg.data : "")) {
		evidence(v, run);
		expect_set(v, sc);
	}
	buf_free(&msg);
	cli_ids_free(ids, n);
	return ok;
}

/* The pages of run that were answered 200, in words: "3 of 4 pages". */
static unsigned pages_served(const struct cli_run *run)
{
	unsigned k = 0;

	for (unsigned i = 0; i < run->sc->npages; i++)
		k += run->served[i];
	return k;
}

/* ---- pagination --------------------------------------------------------- */

static void judge_follow(struct cli_verdict *v, const struct cli_run *run)
{
	if (success(v, run))
		cover(v, "%u pages (MaxResults %s), %u TaskIds printed",
		      run->sc->npages, run->sc->max_results, run->sc->ntasks);
}

/* The index of the first page with no task that carries a token. */
static int empty_page(const struct cli_script *sc)
{
	for (unsigned k = 0; k < sc->npages; k++)
		if (sc->pages[k].count == 0 && sc->pages[k].next >= 0)
			return (int)k;
	return -1;
}

static void judge_emptypage(struct cli_verdict *v, const struct cli_run *run)
{
	const struct cli_script *sc = run->sc;
	int e = empty_page(sc);
	bool followed = false;
	char token[40];

	if (!run->served[e]) {
		skip(v, "the client stopped before the empty page (page %d "
			"of %u), which it did not reach (see CLI-PAG-FOLLOW)",
		     e + 1, sc->npages);
		return;
	}
	cli_token(sc, sc->pages[e].next, token);
	for (size_t i = 0; i < run->n; i++)
		followed = followed || (run->x[i].token &&
					strcmp(run->x[i].token, token) == 0);
	if (!followed) {
		if (dev(v, "run %s: page %d came with no task and a NextToken; "
			   "the client took it as the end and never sent "
			   "that token",
			sc->name, e + 1)) {
			evidence(v, run);
			expect_set(v, sc);
		}
		return;
	}
	if (success(v, run))
		cover(v, "followed the empty page %d of %u", e + 1,
		      sc->npages);
}

/* The index of the exchange that served the page ending with "", or
 * run->n. */
static size_t empty_token_page(const struct cli_run *run)
{
	for (size_t i = 0; i < run->n; i++)
		if (run->x[i].next && !*run->x[i].next)
			return i;
	return run->n;
}

static void judge_emptytoken(struct cli_verdict *v, const struct cli_run *run)
{
	size_t at = empty_token_page(run);
	size_t after;

	if (at == run->n) {
		skip(v, "the client stopped before the page that ends with "
			"NextToken \"\" (see CLI-PAG-FOLLOW)");
		return;
	}
	after = next_lbt(run, at + 1);
	if (after < run->n) {
		const struct cli_exchange *x = &run->x[after];
		if (dev(v, "run %s: after page %d ended the walk with "
			   "NextToken \"\", the client sent another request "
			   "(%s)",
			run->sc->name, run->x[at].page + 1,
			x->has_token && x->token && !*x->token
				? "with NextToken \"\""
				: "a new walk")) {
			evidence(v, run);
			expect_set(v, run->sc);
		}
		return;
	}
	if (success(v, run))
		cover(v, "stopped at the empty-string NextToken of page %d",
		      run->x[at].page + 1);
}

/* Requests with NextToken "" in every run: the observed half of
 * CLI-PAG-EMPTYTOKEN (its own run is judged above). */
static void observe_empty_tokens(struct cli_verdict *v,
				 const struct cli_run *runs, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		if (runs[r].sc->check == CLI_PAG_EMPTYTOKEN)
			continue;
		for (size_t i = 0; i < runs[r].n; i++) {
			const struct cli_exchange *x = &runs[r].x[i];
			if (!is_lbt(x) || !x->has_token || !x->token ||
			    *x->token)
				continue;
			if (dev(v, "run %s: request %zu carried NextToken \"\" "
				   "(no server of this run issued one)",
				runs[r].sc->name, i + 1)) {
				cli_put_exchange(&v->text, &runs[r], x);
				expected(v, "no NextToken member on a first "
					    "page");
			}
			break;
		}
	}
}

static void judge_filter(struct cli_verdict *v, const struct cli_run *run)
{
	const struct cli_script *sc = run->sc;
	bool later = false;
	char want[80];

	snprintf(want, sizeof(want), "\"%s\"", sc->task_status);
	for (size_t i = 0; i < run->n; i++) {
		const struct cli_exchange *x = &run->x[i];
		if (!is_lbt(x))
			continue;
		later = later || x->has_token;
		if (x->task_status && strcmp(x->task_status, want) == 0)
			continue;
		if (dev(v, "run %s: request %zu (%s) carried TaskStatus %s; "
			   "BLT_TASK_STATUS is %s",
			sc->name, i + 1, x->has_token ? "a later page"
						      : "the first page",
			x->task_status ? x->task_status : "(none)",
			sc->task_status)) {
			cli_put_exchanges(&v->text, run, 0, i + 1);
			cli_put_printed(&v->text, run);
			expected(v, "TaskStatus %s on every page", want);
		}
		return;
	}
	if (!later) {
		skip(v, "the client requested only the first page (see "
			"CLI-PAG-FOLLOW)");
		return;
	}
	if (success(v, run))
		cover(v, "TaskStatus %s on each of %u pages", sc->task_status,
		      pages_served(run));
}

/* CLIENT-WALK in every other run: the observed half of CLI-PAG-FILTER. */
static void observe_walks(struct cli_verdict *v, const struct cli_run *runs,
			  size_t n)
{
	for (size_t r = 0; r < n; r++) {
		if (runs[r].sc->check == CLI_PAG_FILTER)
			continue;
		for (size_t i = 0; i < runs[r].n; i++) {
			const struct cli_exchange *x = &runs[r].x[i];
			if (!x->rules[REQRULE_WALK])
				continue;
			if (dev(v, "run %s: request %zu: %s", runs[r].sc->name,
				i + 1, x->rules[REQRULE_WALK]))
				cli_put_exchange(&v->text, &runs[r], x);
		}
	}
}

static void judge_noloop(struct cli_verdict *v, const struct cli_run *run)
{
	const struct cli_script *sc = run->sc;
	unsigned last = sc->npages - 1;
	char how[700];

	if (!run->served[last]) {
		skip(v, "the client stopped before page %u, whose NextToken "
			"repeats page %d's (see CLI-PAG-FOLLOW)",
		     last + 1, sc->pages[last].next);
		return;
	}
	ended(run, how, sizeof(how));
	if (exited_failing(run)) {
		cover(v, "page %u repeated the NextToken of page %d; the "
			 "client stopped with exit %d",
		      last + 1, sc->pages[last].next, run->o.exit_code);
		return;
	}
	if (dev(v, "run %s: page %u repeated the NextToken of page %d, and "
		   "the client %s",
		sc->name, last + 1, sc->pages[last].next,
		exited_zero(run) ? "exited 0 as if the walk were complete"
				 : how)) {
		evidence(v, run);
		expected(v, "no request with a NextToken the walk already "
			    "followed, and a non-zero exit (an error) once a "
			    "token comes back");
	}
}

/* ---- errors and retries ------------------------------------------------- */

/* ListBatchLoadTasks requests in run. */
static unsigned attempts(const struct cli_run *run)
{
	return run->lbt;
}

static void judge_validation(struct cli_verdict *v, const struct cli_run *run)
{
	const struct cli_script *sc = run->sc;
	char how[700];
	bool shown;

	ended(run, how, sizeof(how));
	if (!exited_failing(run))
		shown = dev(v, "run %s: every request was answered "
			       "ValidationException and the client %s",
			    sc->name, how);
	else if (!cli_stderr_names(run, "ValidationException"))
		shown = dev(v, "run %s: the client failed (exit %d) without "
			       "naming ValidationException on stderr",
			    sc->name, run->o.exit_code);
	else if (attempts(run) > 1)
		shown = dev(v, "run %s: the client sent the refused request "
			       "%u times: a ValidationException is not to be "
			       "retried",
			    sc->name, attempts(run));
	else {
		cover(v, "one request; exit %d with ValidationException on "
			 "stderr",
		      run->o.exit_code);
		return;
	}
	if (shown) {
		evidence(v, run);
		expected(v, "one request, then a non-zero exit with "
			    "ValidationException on stderr");
	}
}

static void judge_longtype(struct cli_verdict *v, const struct cli_run *run,
			   unsigned *read, struct blt_buf *missed)
{
	const struct cli_script *sc = run->sc;
	char how[700];

	ended(run, how, sizeof(how));
	if (exited_failing(run) && cli_stderr_names(run, sc->form_name)) {
		(*read)++;
		return;
	}
	buf_puts(missed, missed->len ? ", " : "", NULL);
	buf_puts(missed, sc->form->id, NULL);
	if (dev(v, "case %s (%s): the client %s %s", sc->form->id,
		sc->form->form, exited_failing(run) ? "failed, but its stderr "
						      "does not name" : how,
		exited_failing(run) ? sc->form_name : "")) {
		evidence(v, run);
		expected(v, "a non-zero exit with %s on stderr (the type "
			    "read by the rules of the AWS JSON 1.0 protocol)",
			 sc->form_name);
	}
}

/* The delays before the retries of run: from each faulted answer at the
 * first page to the next request for it. */
static size_t retry_gaps(const struct cli_run *run, double *gaps, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < run->n && k < max; i++) {
		size_t j;
		if (!is_lbt(&run->x[i]) || run->x[i].fault == CLI_FAULT_NONE)
			continue;
		j = next_lbt(run, i + 1);
		if (j < run->n)
			gaps[k++] = run->x[j].t_in - run->x[i].t_out;
	}
	return k;
}

/* The client's turnaround over every run: from each 200 answer to the
 * next request of its run, a time in which no client waits on purpose
 * (writes up to max into t); how many. */
static size_t turnarounds(const struct cli_run *runs, size_t n, double *t,
			  size_t max)
{
	size_t k = 0;

	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i + 1 < runs[r].n && k < max; i++)
			if (runs[r].x[i].answer == 200)
				t[k++] = runs[r].x[i + 1].t_in -
					 runs[r].x[i].t_out;
	return k;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted in place); 0 for none. */
static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void put_gaps(struct blt_buf *b, const double *gaps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, NULL, "%s%.1f ms", i ? ", " : "", gaps[i]);
}

/* The run whose faults last recovers: exit 0 with the set. */
static void judge_recovers(struct cli_verdict *v, const struct cli_run *run,
			   const char *type)
{
	if (attempts(run) == 1 && !exited_zero(run)) {
		if (dev(v, "run %s: the client did not retry the %s: one "
			   "request, then it ended",
			run->sc->name, type)) {
			evidence(v, run);
			expect_set(v, run->sc);
		}
		return;
	}
	success(v, run);
}

/* The run whose faults never end: bounded retries, then the error. */
static void judge_gives_up(struct cli_verdict *v, const struct cli_run *run,
			   const char *type)
{
	char how[700];
	bool bad = true;

	ended(run, how, sizeof(how));
	if (run->o.stopped || run->o.timed_out)
		bad = dev(v, "run %s: every attempt was answered %s and the "
			     "client %s after %u attempts: the retries do "
			     "not end",
			  run->sc->name, type, how, attempts(run));
	else if (attempts(run) < 2)
		bad = dev(v, "run %s: the client did not retry the %s (one "
			     "request, then it %s)",
			  run->sc->name, type, how);
	else if (!exited_failing(run))
		bad = dev(v, "run %s: every attempt was answered %s and the "
			     "client %s",
			  run->sc->name, type, how);
	else if (!cli_stderr_names(run, type))
		bad = dev(v, "run %s: the client gave up (exit %d) without "
			     "naming %s on stderr",
			  run->sc->name, run->o.exit_code, type);
	else
		bad = false;
	if (bad) {
		evidence(v, run);
		expected(v, "from 2 to %d attempts, then a non-zero exit with "
			    "%s on stderr",
			 CLI_ATTEMPTS_MAX, type);
	}
}

static void judge_retry(struct cli_verdict *v, const struct cli_run *runs,
			size_t n, enum cli_check c)
{
	const char *type = c == CLI_RETRY_THROTTLE ? "ThrottlingException"
			   : c == CLI_RETRY_500	  ? "InternalServerException"
						  : "dropped connection";
	double gaps[2 * CLI_ATTEMPTS_MAX + 4], sorted[2 * CLI_ATTEMPTS_MAX + 4];
	double turn[CLI_TURNAROUNDS_MAX], mid, mean = 0, floor_ms;
	size_t ng = 0, nt = turnarounds(runs, n, turn, CLI_TURNAROUNDS_MAX);
	unsigned gave_up = 0;
	const struct cli_run *last = NULL;
	struct blt_buf g;

	for (size_t r = 0; r < n; r++) {
		const struct cli_run *run = &runs[r];
		if (run->sc->check != c)
			continue;
		ng += retry_gaps(run, gaps + ng,
				 sizeof(gaps) / sizeof(gaps[0]) - ng);
		if (run->sc->fault_times) {
			judge_recovers(v, run, type);
		} else {
			judge_gives_up(v, run, type);
			gave_up = attempts(run);
		}
		last = run;
	}
	memcpy(sorted, gaps, ng * sizeof(*gaps));
	mid = median(sorted, ng);
	for (size_t i = 0; i < ng; i++)
		mean += gaps[i] / (double)ng;
	floor_ms = CLI_IMMEDIATE_FACTOR * median(turn, nt);
	if (floor_ms > CLI_IMMEDIATE_CAP_MS)
		floor_ms = CLI_IMMEDIATE_CAP_MS;
	if (floor_ms < CLI_IMMEDIATE_MS)
		floor_ms = CLI_IMMEDIATE_MS;
	buf_init(&g, 4096);
	put_gaps(&g, gaps, ng);
	/* both the median and the mean low: full jitter makes some delays
	 * short, but not most of them and not their mean */
	if (c != CLI_RETRY_RESET && ng && mid < floor_ms && mean < floor_ms &&
	    dev(v, "the retries came at once after the %s: the delays were "
		   "%s (median %.1f ms, mean %.1f ms), no longer than the "
		   "client takes between an answer and its next request when "
		   "it does not wait (median %.1f ms over %zu)",
		type, g.data, mid, mean, median(turn, nt), nt)) {
		evidence(v, last);
		expected(v, "a backoff delay before retrying: a median or a "
			    "mean of %.1f ms or more (%d times that "
			    "turnaround, from %.0f to %.0f ms)",
			 floor_ms, CLI_IMMEDIATE_FACTOR, CLI_IMMEDIATE_MS,
			 CLI_IMMEDIATE_CAP_MS);
	}
	if (!v->deviations && ng) {
		cover(v, "retried after %s", g.data);
		if (gave_up)
			cover(v, "gave up after %u attempts", gave_up);
	}
	buf_free(&g);
}

/* ---- requests: the rules, signatures, discovery ------------------------- */

static const char *rule_names(const struct cli_exchange *x, char *out,
			      size_t n, bool sigv4)
{
	size_t have = 0;

	out[0] = '\0';
	for (int r = 0; r < REQRULE_COUNT; r++) {
		bool mine = (r == REQRULE_SIGV4) == sigv4 && r != REQRULE_WALK;
		if (!mine || !x->rules[r])
			continue;
		have += (size_t)snprintf(out + have, have < n ? n - have : 0,
					 "%s%s: %s", have ? "; " : "",
					 reqrule_id((enum reqrule)r),
					 x->rules[r]);
	}
	return out;
}

/* CLI-REQ (sigv4 false) or the signatures of CLI-SIGV4 (true) over every
 * request of every run. */
static void judge_rules(struct cli_verdict *v, const struct cli_run *runs,
			size_t n, bool sigv4)
{
	unsigned judged = 0, nruns = 0;
	char msg[2 * REQRULE_MSG_MAX];

	for (size_t r = 0; r < n; r++) {
		nruns += runs[r].n > 0;
		for (size_t i = 0; i < runs[r].n; i++) {
			const struct cli_exchange *x = &runs[r].x[i];
			judged++;
			if (!*rule_names(x, msg, sizeof(msg), sigv4))
				continue;
			if (dev(v, "run %s, request %zu: %s", runs[r].sc->name,
				i + 1, msg)) {
				cli_put_exchange(&v->text, &runs[r], x);
				cli_put_printed(&v->text, &runs[r]);
				expected(v, "%s", sigv4
					 ? "a SigV4 Authorization for service "
					   "timestream in the kit's region, "
					   "signed with the kit's key"
					 : "a request that keeps the "
					   "request rules "
					   "(docs/client-conformance.md)");
			}
		}
	}
	if (!judged)
		skip(v, "the client sent no request");
	else
		cover(v, "%u requests of %u runs%s", judged, nruns,
		      sigv4 ? " verified with the kit's key" : "");
}

static const char *header_of(const struct cli_exchange *x, const char *name)
{
	for (size_t i = 0; i < x->nheaders; i++)
		if (strcasecmp(x->headers[i].name, name) == 0)
			return x->headers[i].value;
	return NULL;
}

static void judge_session_token(struct cli_verdict *v,
				const struct cli_run *run)
{
	unsigned with = 0;

	for (size_t i = 0; i < run->n; i++) {
		const struct cli_exchange *x = &run->x[i];
		const char *t = header_of(x, "x-amz-security-token");
		if (t && strcmp(t, CLI_SESSION_TOKEN) == 0) {
			with++;
			continue;
		}
		if (dev(v, "run %s, request %zu: %s", run->sc->name, i + 1,
			t ? "X-Amz-Security-Token is not the session token "
			    "AWS_SESSION_TOKEN holds"
			  : "no X-Amz-Security-Token although "
			    "AWS_SESSION_TOKEN is set")) {
			cli_put_exchange(&v->text, run, x);
			cli_put_printed(&v->text, run);
			expected(v, "X-Amz-Security-Token: %s",
				 CLI_SESSION_TOKEN);
		}
	}
	if (with)
		cover(v, "the session token on %u requests", with);
}

static void judge_discovery(struct cli_verdict *v, const struct cli_run *run)
{
	size_t first = run->n;

	if (run->setup_error[0]) {
		skip(v, "%s", run->setup_error);
		return;
	}
	for (size_t i = 0; i < run->n && first == run->n; i++)
		if (run->x[i].op == AWSJSON_OP_DESCRIBE_ENDPOINTS)
			first = i;
	if (first == run->n) {
		skip(v, "the client did not call DescribeEndpoints (with an "
			"explicit endpoint, SDKs skip discovery)");
		return;
	}
	for (size_t i = first + 1; i < run->n; i++) {
		if (!is_lbt(&run->x[i]) || run->x[i].server == 1)
			continue;
		if (dev(v, "run %s: request %zu went to the configured "
			   "endpoint %s, not to the Address DescribeEndpoints "
			   "gave (%s)",
			run->sc->name, i + 1, run->url, run->cell_url)) {
			evidence(v, run);
			expected(v, "every ListBatchLoadTasks request sent to "
				    "%s once DescribeEndpoints named it",
				 run->cell_url);
		}
		break;
	}
	if (run->describes > 1 &&
	    dev(v, "run %s: DescribeEndpoints was called %u times in one "
		   "run; its answer may be kept %d minutes "
		   "(CachePeriodInMinutes)",
		run->sc->name, run->describes,
		AWSJSON_ENDPOINT_CACHE_MINUTES)) {
		evidence(v, run);
		expected(v, "one DescribeEndpoints call, its Address used "
			    "for every later request");
	}
	if (!v->deviations)
		cover(v, "one DescribeEndpoints call; %u requests sent to "
			 "its Address",
		      run->lbt);
}

/* ---- the dispatcher ----------------------------------------------------- */

/* Judges the runs of check c that belong to it alone. */
static void judge_own(struct cli_verdict *v, const struct cli_run *runs,
		      size_t n, enum cli_check c)
{
	unsigned read = 0, cases = 0;
	struct blt_buf missed;

	buf_init(&missed, 4096);
	for (size_t r = 0; r < n; r++) {
		const struct cli_run *run = &runs[r];
		if (run->sc->check != c)
			continue;
		switch (c) {
		case CLI_PAG_FOLLOW: judge_follow(v, run); break;
		case CLI_PAG_EMPTYPAGE: judge_emptypage(v, run); break;
		case CLI_PAG_EMPTYTOKEN: judge_emptytoken(v, run); break;
		case CLI_PAG_FILTER: judge_filter(v, run); break;
		case CLI_PAG_NOLOOP: judge_noloop(v, run); break;
		case CLI_ERR_VALIDATION: judge_validation(v, run); break;
		case CLI_ERR_LONGTYPE:
			cases++;
			judge_longtype(v, run, &read, &missed);
			break;
		case CLI_SIGV4: judge_session_token(v, run); break;
		case CLI_DISCOVERY: judge_discovery(v, run); break;
		default: break;
		}
	}
	if (c == CLI_ERR_LONGTYPE && cases)
		cover(v, "%u of %u error forms read", read, cases);
	/* every case by name, shown or not: the forms a client misses */
	if (missed.len)
		buf_printf(&v->text, NULL, "  cases not read: %s\n",
			   missed.data);
	buf_free(&missed);
}

void cli_judge(enum cli_check c, const struct cli_run *runs, size_t n,
	       const struct cli_config *cfg, struct cli_verdict *v)
{
	(void)cfg;
	memset(v, 0, sizeof(*v));
	buf_init(&v->text, 4 << 20);
	switch (c) {
	case CLI_RETRY_THROTTLE:
	case CLI_RETRY_500:
	case CLI_RETRY_RESET:
		judge_retry(v, runs, n, c);
		break;
	case CLI_REQ:
		judge_rules(v, runs, n, false);
		break;
	case CLI_SIGV4:
		judge_own(v, runs, n, c);
		judge_rules(v, runs, n, true);
		break;
	case CLI_PAG_EMPTYTOKEN:
		judge_own(v, runs, n, c);
		observe_empty_tokens(v, runs, n);
		break;
	case CLI_PAG_FILTER:
		judge_own(v, runs, n, c);
		observe_walks(v, runs, n);
		break;
	default:
		judge_own(v, runs, n, c);
	}
	if (v->deviations > v->shown)
		buf_printf(&v->text, NULL, "  ... %u deviations in all\n",
			   v->deviations);
}

void cli_verdict_free(struct cli_verdict *v)
{
	buf_free(&v->text);
}
