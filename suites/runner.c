/* The runner around the Criterion run: options, cassettes, the embedded
 * blt-fake, the first contact with the target, and the closing report. */
#define _GNU_SOURCE /* FNM_EXTMATCH: Criterion's extglob filters */
#include "runner.h"

#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/httpc.h"

#ifndef BLT_DATADIR
#define BLT_DATADIR "/usr/local/share/blt"
#endif
#ifndef BLT_SOURCE_DIR
#define BLT_SOURCE_DIR "."
#endif

/* True once a cassette was added. */
static bool has_cassettes(const struct runner *r)
{
	return r->cfg.cassettes && *r->cfg.cassettes;
}

/* Adds one cassette file after loading it (a broken one is an error). */
static int add_cassette(struct runner *r, const char *path,
			struct blt_err *err)
{
	struct cassette *c = NULL;
	size_t have = r->cfg.cassettes ? strlen(r->cfg.cassettes) : 0;
	size_t more = strlen(path) + 1;
	char *list;

	if (cassette_load(&(struct cassette_load_opts){.path = path}, &c, err))
		return blt_err_prefix(err, "cassette"), 2;
	r->cfg.rep_requests += cassette_count(c);
	cassette_free(c);
	if (have + more + 1 > CONFORM_CASSETTES_MAX)
		return blt_fail(err, BLT_EUSAGE,
				"too many cassettes: their paths exceed %d "
				"bytes together",
				CONFORM_CASSETTES_MAX - 1),
		       2;
	list = realloc(r->cfg.cassettes, have + more + 1);
	if (!list)
		return blt_fail(err, BLT_ENOMEM, "out of memory"), 2;
	snprintf(list + have, more + 1, "%s\n", path);
	r->cfg.cassettes = list;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define CASSETTE_DIR_MAX 4096

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Every *.json in dir, in name order; more than CASSETTE_DIR_MAX is a
 * configuration error, not a silent truncation. */
static int add_cassette_dir(struct runner *r, const char *dir,
			    struct blt_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names;
	size_t n = 0;
	int rc = 0;

	if (!d)
		return blt_fail(err, BLT_EIO, "--cassettes %s: %s", dir,
				strerror(errno)),
		       2;
	names = calloc(CASSETTE_DIR_MAX, sizeof(*names));
	if (!names) {
		closedir(d);
		return blt_fail(err, BLT_ENOMEM, "--cassettes %s: out of "
				"memory", dir),
		       2;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (n == CASSETTE_DIR_MAX) {
			rc = (blt_fail(err, BLT_EUSAGE,
				      "--cassettes %s: more than %d cassettes "
				      "(*.json) in one directory; split them",
				      dir, CASSETTE_DIR_MAX),
			     2);
			break;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = (blt_fail(err, BLT_ENOMEM,
				      "--cassettes %s: out of memory", dir),
			     2);
			break;
		}
		n++;
	}
	closedir(d);
	if (rc) {
		free_names(names, n);
		return rc;
	}
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n && !rc; i++) {
		char path[CONFORM_PATH_MAX];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]) >= sizeof(path))
			rc = (blt_fail(err, BLT_EUSAGE,
				      "--cassettes %s/%s: path too long", dir,
				      names[i]),
			     2);
		else
			rc = add_cassette(r, path, err);
	}
	free_names(names, n);
	return rc;
}

static int add_cassette_path(struct runner *r, const char *p,
			     struct blt_err *err)
{
	struct stat st;

	if (stat(p, &st) != 0)
		return blt_fail(err, BLT_ENOTFOUND, "--cassettes %s: %s", p,
				strerror(errno)),
		       2;
	if (S_ISDIR(st.st_mode))
		return add_cassette_dir(r, p, err);
	return add_cassette(r, p, err);
}

/* The directory of this executable. */
static void exe_dir(char *out, size_t n)
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (len <= 0) {
		snprintf(out, n, ".");
		return;
	}
	path[len] = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, n, "%s", path);
}

/* The shipped cassettes: next to the source tree, or the install's. */
static int shipped_cassettes(struct runner *r, struct blt_err *err)
{
	char dir[PATH_MAX];
	char cand[3][PATH_MAX + 64];
	struct stat st;

	/* reference/ holds the recordings blt-fake reproduces; edge/ holds
	 * shapes it never produces, so it is not replayed against it. */
	exe_dir(dir, sizeof(dir));
	snprintf(cand[0], sizeof(cand[0]), "%.3000s/../../cassettes/reference",
		 dir);
	snprintf(cand[1], sizeof(cand[1]),
		 "%.3000s/../share/blt/cassettes/reference", dir);
	snprintf(cand[2], sizeof(cand[2]), "%s/cassettes/reference",
		 BLT_DATADIR);
	for (int i = 0; i < 3; i++) {
		if (stat(cand[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		int rc = add_cassette_dir(r, cand[i], err);
		if (rc || has_cassettes(r))
			return rc;
	}
	return 0;
}

static int find_cassettes(struct runner *r, struct blt_err *err)
{
	if (r->cassettes_given) {
		for (size_t i = 0; i < r->ncassette_args; i++)
			if (add_cassette_path(r, r->cassette_args[i], err))
				return 2;
		if (!has_cassettes(r))
			return blt_fail(err, BLT_ENOTFOUND,
					"--cassettes: no cassette (*.json) "
					"found"),
			       2;
		return 0;
	}
	if (r->have_target) {
		snprintf(r->rep_skip, sizeof(r->rep_skip),
			 "no cassettes given (--cassettes PATH)");
		return 0;
	}
	if (shipped_cassettes(r, err))
		return 2;
	if (!has_cassettes(r))
		snprintf(r->rep_skip, sizeof(r->rep_skip),
			 "no cassettes given and no shipped cassettes found");
	return 0;
}

static int start_embedded(struct runner *r, struct blt_err *err)
{
	char dir[PATH_MAX];
	const char *profile = r->cfg.profile == AWSJSON_PROFILE_SMITHY
				      ? "smithy"
				      : "documented";

	exe_dir(dir, sizeof(dir));
	snprintf(r->cfg.fake, sizeof(r->cfg.fake), "%.1000s/blt-fake", dir);
	if (fake_start(r->cfg.fake, profile, NULL, &r->fake, err))
		return 2;
	r->cfg.embedded = true;
	return conform_parse_target(&r->cfg, r->fake.url, err) ? 2 : 0;
}

/* Prints why the run stops at the first contact, and every check failed;
 * the report files hold one failing testcase that says why. */
static void first_contact_failed(struct runner *r, const struct creq *rq,
				 const struct cresp *rs, const char *why)
{
	struct blt_buf b;

	buf_init(&b, 1 << 20);
	buf_printf(&b, NULL,
		   "blt-conform: the target %s %s\n  request:  ",
		   r->cfg.target, why);
	conform_curl(&r->cfg, rq, &b);
	buf_puts(&b, "\n  response: ", NULL);
	conform_describe(rs, &b);
	buf_puts(&b, "\n\nNo check could run; every check fails.\n", NULL);
	fputs(b.data, r->out);
	for (size_t i = 0; i < conform_ncheck; i++)
		fprintf(r->out,
			"  %-16s %-6s fail     the target did not answer "
			"a valid request\n",
			conform_checks[i].id,
			conform_level_name(conform_checks[i].level));
	fprintf(r->out, "\n%zu checks: 0 pass, %zu fail, 0 warn, 0 skipped\n",
		conform_ncheck, conform_ncheck);
	fflush(r->out);
	buf_reset(&b);
	buf_printf(&b, NULL, "the target %s %s; response: ", r->cfg.target,
		   why);
	conform_describe(rs, &b);
	runner_abort_reports(r, b.data ? b.data : why);
	buf_free(&b);
}

/* Sends {} until it is not throttled (up to --retries times, with the
 * checks' backoff). The answer is in rs; false when none came. */
static bool first_answer(struct runner *r, struct httpc *h,
			 const struct creq *rq, struct cresp *rs)
{
	struct blt_rng jitter;

	rng_seed(&jitter, r->cfg.seed ^ 0x6669727374ULL);
	for (unsigned attempt = 0;; attempt++) {
		pace_take(r->pace, 0, r->cfg.rate);
		if (!conform_send(h, &r->cfg, rq, rs))
			return false;
		if (!conform_throttled(rs) || attempt >= r->cfg.retries)
			return true;
		cresp_free(rs);
		conform_backoff(&jitter, r->cfg.backoff_ms, attempt);
	}
}

/* Sends {}: 0 when the target answers HTTP with JSON, 1 when it does not
 * or throttles every attempt (reported), 2 when it cannot be reached at
 * all. */
static int first_contact(struct runner *r, struct blt_err *err)
{
	struct httpc *h = NULL;
	struct httpc_opts o = {.timeout_ms = r->cfg.timeout_ms,
			       .connect_timeout_ms = r->cfg.timeout_ms};
	struct creq rq = {.body = "{}", .len = 2, .kind = CREQ_VALID};
	struct cresp rs;
	char why[96];
	int rc = 0;

	httpc_global_init();
	if (httpc_new(&o, &h, err))
		return 2;
	if (!first_answer(r, h, &rq, &rs)) {
		/* libcurl calls an answer that is not HTTP a bad URL too */
		bool not_http = strstr(rs.neterr, "HTTP/0.9") != NULL;
		if (strstr(rs.neterr, "refused") ||
		    strstr(rs.neterr, "resolve") ||
		    (rs.net == BLT_EINVAL && !not_http) ||
		    rs.net == BLT_EAUTH) {
			blt_fail(err, BLT_EUSAGE, "cannot reach %s: %s",
				 r->cfg.target, rs.neterr);
			rc = 2;
		} else {
			first_contact_failed(r, &rq, &rs,
					     "gave no usable HTTP answer");
			rc = 1;
		}
	} else if (conform_throttled(&rs)) {
		snprintf(why, sizeof(why), "throttled every attempt (%u "
					   "retries)",
			 r->cfg.retries);
		first_contact_failed(r, &rq, &rs, why);
		rc = 1;
	} else if (!rs.json) {
		first_contact_failed(r, &rq, &rs,
				     "answered a valid request with a body "
				     "that is not JSON");
		rc = 1;
	}
	cresp_free(&rs);
	httpc_free(h);
	return rc;
}

static bool fnmatch_ext(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, FNM_EXTMATCH) == 0;
}

int runner_select(struct runner *r, struct blt_err *err)
{
	const char *env = getenv("CRITERION_TEST_PATTERN");

	if (!r->filter && env && *env)
		r->filter = env;
	r->nselected = 0;
	for (size_t i = 0; i < conform_ncheck && i < RUNNER_CHECKS_MAX; i++) {
		char name[64];
		const char *id = conform_checks[i].id;
		const char *dash = strchr(id, '-');

		snprintf(name, sizeof(name), "%.*s/%s", (int)(dash - id), id,
			 dash + 1);
		r->selected[i] = !r->filter || fnmatch_ext(r->filter, name) ||
				 fnmatch_ext(r->filter, id);
		r->nselected += r->selected[i];
	}
	if (r->filter && !r->nselected)
		return blt_fail(err, BLT_EUSAGE,
				"--filter '%s' selects no check (checks are "
				"named like PAG/SIZE or PAG-SIZE; --list "
				"shows them)",
				r->filter),
		       2;
	return 0;
}

/* The results directory and the counters every process shares. */
static int make_results(struct runner *r, struct blt_err *err)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(r->cfg.results, sizeof(r->cfg.results),
		 "%.900s/blt-conform.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(r->cfg.results)) {
		r->cfg.results[0] = '\0';
		return blt_fail(err, BLT_EIO, "cannot make a temporary "
				"directory: %s", strerror(errno)),
		       2;
	}
	r->pace = pace_open(r->cfg.results, true, err);
	return r->pace ? 0 : 2;
}

/* The steps up to the first contact; 0, 1 or 2 as runner_prepare. */
static int prepare_target(struct runner *r, struct blt_err *err)
{
	int rc = find_cassettes(r, err);

	if (rc)
		return rc;
	if (!r->have_target && (rc = start_embedded(r, err)) != 0)
		return rc;
	if ((rc = make_results(r, err)) != 0)
		return rc;
	if (!r->listed && (rc = first_contact(r, err)) != 0)
		return rc;
	return 0;
}

int runner_prepare(struct runner *r, struct blt_err *err)
{
	const char *reg = getenv("AWS_REGION");
	uint64_t sent;
	int rc;

	r->out = r->report_stderr ? stderr : stdout;
	r->started_ms = clock_mono_ms();
	if (!r->cfg.region[0])
		snprintf(r->cfg.region, sizeof(r->cfg.region), "%s",
			 reg && *reg ? reg : "us-east-1");
	r->cfg.sign = getenv("AWS_ACCESS_KEY_ID") &&
		      *getenv("AWS_ACCESS_KEY_ID") &&
		      getenv("AWS_SECRET_ACCESS_KEY") &&
		      *getenv("AWS_SECRET_ACCESS_KEY");
	/* every retry of the slowest request, and a minute */
	r->backstop_s = (int)(r->cfg.timeout_ms / 1000) * 6 + 60 +
			(int)((r->cfg.retries + 1) * 20);
	unsetenv("CRITERION_TEST_PATTERN");
	rc = prepare_target(r, err);
	if (rc == 2)
		runner_abort_reports(r, err->msg);
	if (rc)
		return rc;
	if (r->rep_skip[0])
		setenv("BLT_CONFORM_REP_SKIP", r->rep_skip, 1);
	else
		unsetenv("BLT_CONFORM_REP_SKIP");
	/* the survey's requests go to the observers through a record */
	if ((rc = conform_config_export(&r->cfg, err) ? 2 : 0) != 0)
		return rc;
	if (!r->listed)
		runner_survey(r);
	sent = pace_sent(r->pace);
	if (r->cfg.max_requests)
		plan_make(&r->cfg, r->selected,
			  r->cfg.max_requests > sent
			      ? r->cfg.max_requests - sent
			      : 1);
	return conform_config_export(&r->cfg, err) ? 2 : 0;
}

void runner_cleanup(struct runner *r)
{
	fake_stop(&r->fake);
	pace_close(r->pace);
	r->pace = NULL;
	conform_config_free(&r->cfg);
}
