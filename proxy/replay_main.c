/* blt-proxy replay: the command line, the server's life, the reports and
 * the exit status (the COMMAND after "--" runs from replay_command.c). */
#include <assert.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cli.h"
#include "blt/clock.h"
#include "blt/sigv4.h"
#include "proxy.h"
#include "replay.h"

#define THREADS_MAX 64

enum replay_opt {
	OPT_CASSETTE,
	OPT_LISTEN,
	OPT_ADVERTISE,
	OPT_STRICT,
	OPT_REPORT,
	OPT_JUNIT,
	OPT_FAIL_ON_UNUSED,
	OPT_VERBOSE,
	OPT_VERIFY_SIGV4,
	OPT_INJECT,
	OPT_PROFILE,
	OPT_REGION,
	OPT_THREADS,
	OPT_HELP,
	OPT_VERSION,
	OPT_HEADING
};

static const struct cli_opt options[] = {
	{OPT_CASSETTE, "--cassette", 0, CLI_LIST, "FILE...",
	 "cassettes to serve (repeatable)"},
	{OPT_LISTEN, "--listen", 0, CLI_VALUE, "HOST:PORT",
	 "default 127.0.0.1:0 (a free port)"},
	{OPT_ADVERTISE, "--advertise", 0, CLI_VALUE, "URL",
	 "the address DescribeEndpoints gives (default: the\n"
	 "listening URL)"},
	{OPT_STRICT, "--strict", 0, CLI_FLAG, NULL,
	 "answer an error once a request's recorded answers\n"
	 "are used up (default: repeat the last)"},
	{OPT_REPORT, "--report", 0, CLI_VALUE, "FILE",
	 "JSON report: violations, used and unused interactions"},
	{OPT_JUNIT, "--junit", 0, CLI_VALUE, "FILE",
	 "JUnit XML: one testcase per rule"},
	{OPT_FAIL_ON_UNUSED, "--fail-on-unused", 0, CLI_FLAG, NULL,
	 "an unused interaction fails the run\n"
	 "(and each is listed)"},
	{OPT_VERBOSE, "--verbose", 0, CLI_FLAG, NULL,
	 "list every unused interaction (else one summary\n"
	 "line counts them)"},
	{OPT_VERIFY_SIGV4, "--verify-sigv4", 0, CLI_VALUE, "AKID:SECRET",
	 "verify each request's signature"},
	{OPT_INJECT, "--inject", 0, CLI_VALUE, "SPEC",
	 "throttle=P,internal=P,latency=MIN..MAX,reset=P,seed=N"},
	{OPT_PROFILE, "--profile", 0, CLI_VALUE, "P",
	 "documented (default), smithy or lenient"},
	{OPT_REGION, "--region", 0, CLI_VALUE, "R",
	 "AWS_REGION given to COMMAND (default: $AWS_REGION,\n"
	 "else us-east-1)"},
	{OPT_THREADS, "--threads", 0, CLI_VALUE, "N",
	 "worker threads (default 1)"},
	{OPT_HELP, "--help", 'h', CLI_FLAG, NULL, NULL},
	{OPT_VERSION, "--version", 0, CLI_FLAG, NULL, NULL},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL,
	 "  -- COMMAND ARGS...     run COMMAND against the replay, then "
	 "stop\n"},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void usage(FILE *to)
{
	fputs("usage: blt-proxy replay --cassette FILE... [options] "
	      "[-- COMMAND ARGS...]\n"
	      "Answers from cassettes, checks every request against the wire "
	      "contract,\nand never opens a connection to anything.\n",
	      to);
	cli_help(to, options, NOPTIONS, 25);
	fputs("Exit: 0 all good; 1 violations, unused interactions with "
	      "--fail-on-unused,\nor COMMAND failed; 2 usage or cassette "
	      "error.\n",
	      to);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "blt-proxy replay: %s%s (see --help)\n", what, arg);
	return 2;
}

/* Applies the option id with its value v; 0, else the exit status 2. */
static int apply(struct replay_opts *o, int id, const char *v)
{
	struct blt_err err = {0};
	uint64_t n = 0;

	switch (id) {
	case OPT_CASSETTE:
		o->cassettes[o->ncassettes++] = (char *)v;
		break;
	case OPT_LISTEN:
		o->listen = v;
		break;
	case OPT_ADVERTISE:
		if (awsjson_advertise_check(v, &err))
			return usage_error("--advertise: ", err.msg);
		o->advertise = v;
		break;
	case OPT_STRICT:
		o->strict = true;
		break;
	case OPT_REPORT:
		o->report = v;
		break;
	case OPT_JUNIT:
		o->junit = v;
		break;
	case OPT_FAIL_ON_UNUSED:
		o->fail_on_unused = true;
		break;
	case OPT_VERBOSE:
		o->verbose = true;
		break;
	case OPT_REGION:
		o->region = v;
		break;
	case OPT_VERIFY_SIGV4:
		free(o->akid);
		o->akid = NULL;
		if (sigv4_parse_keypair(v, &o->akid, &o->secret, &err))
			return usage_error("--verify-sigv4: ", err.msg);
		break;
	case OPT_INJECT:
		if (inject_parse(v, &o->inject, &err))
			return usage_error("--inject: ", err.msg);
		o->inject_on = inject_active(&o->inject);
		break;
	case OPT_PROFILE:
		if (awsjson_profile_parse(v, &o->profile, &err))
			return usage_error("--profile: ", err.msg);
		break;
	case OPT_THREADS:
		if (cli_uint("--threads", v, 1, THREADS_MAX, &n, &err))
			return usage_error("", err.msg);
		o->threads = (unsigned)n;
		break;
	default:
		assert(!"an option of the table without a case");
	}
	return 0;
}

/* Parses argv into o. Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	struct blt_err err = {0};
	struct cli c;
	const char *v;
	int id;
	int rc = 0;

	o->cassettes = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->cassettes)
		return 2;
	cli_init(&c, argc, argv, options, NOPTIONS);
	while (rc == 0 && (id = cli_next(&c, &v, &err)) != CLI_END) {
		int n;

		if (id == CLI_ERROR)
			return usage_error("", err.msg);
		if (id == CLI_POSITIONAL) {
			fprintf(stderr, "blt-proxy replay: unknown argument "
				"'%s' (see --help)\n", v);
			return 2;
		}
		if (id == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (id == OPT_VERSION) {
			printf("blt-proxy %s\n", BLT_VERSION);
			return 0;
		}
		if (id == CLI_DASHDASH) {
			o->command = cli_rest(&c, &n);
			if (n == 0)
				return usage_error("--", " needs a COMMAND");
			break;
		}
		rc = apply(o, id, v);
	}
	if (rc == 0 && o->ncassettes == 0)
		rc = usage_error("--cassette FILE", " is required");
	return rc ? rc : -1;
}

static bool write_reports(const struct replay *rp)
{
	struct blt_err err = {0};
	bool ok = true;

	if (rp->opts->report && replay_write_report(rp, rp->opts->report,
						    &err)) {
		fprintf(stderr, "blt-proxy replay: %s\n", err.msg);
		ok = false;
	}
	if (rp->opts->junit &&
	    replay_write_junit(rp, rp->opts->junit, &err)) {
		fprintf(stderr, "blt-proxy replay: %s\n", err.msg);
		ok = false;
	}
	return ok;
}

/* Logs an unused interaction, its operation scrubbed of credentials (a
 * cassette from elsewhere may not have been). */
static void log_unused(const struct replay *rp, const struct replay_entry *e)
{
	char *clean = NULL;
	size_t len;

	redact_bytes(&rp->rules, e->op, strlen(e->op), NULL, 0, &clean, &len);
	log_line("blt-proxy replay", "unused: interaction %ld of %s (%s)",
		 e->id, rp->ix.paths[e->file], clean ? clean : e->op);
	free(clean);
}

/* How many unused interactions --fail-on-unused names in the log (the
 * report has them all; --verbose names them all). */
#define UNUSED_LOGGED 20

/* Logs the summary line and, with --verbose or --fail-on-unused, the
 * unused interactions; returns the exit status. */
static int finish(struct replay *rp, bool command_ok)
{
	unsigned long v = replay_violation_total(rp);
	size_t unused = replay_unused_count(rp);
	bool reports_ok = write_reports(rp);
	bool list = rp->opts->verbose || rp->opts->fail_on_unused;
	size_t cap = rp->opts->verbose ? SIZE_MAX : UNUSED_LOGGED;
	size_t listed = 0;

	log_limit_flush(&rp->log);
	fprintf(stderr,
		"blt-proxy replay: %llu requests, %lu violations, %zu of %zu "
		"interactions unused%s\n",
		rp->requests, v, unused, rp->ix.nentries,
		unused && !list ? " (--verbose lists them, --report FILE has "
				  "them all)"
				: "");
	for (size_t i = 0; list && listed < unused && i < rp->ix.nentries;
	     i++) {
		const struct replay_entry *e = &rp->ix.entries[i];

		if (e->used || e->describe)
			continue;
		if (listed++ == cap) {
			fprintf(stderr,
				"blt-proxy replay: ... and %zu more unused "
				"(--report FILE lists them all)\n",
				unused - UNUSED_LOGGED);
			break;
		}
		log_unused(rp, e);
	}
	if (!command_ok || v || !reports_ok ||
	    (rp->opts->fail_on_unused && unused))
		return 1;
	return 0;
}

/* Appended to the count of violations the log did not show. */
#define VIOLATIONS_HINT                                                        \
	"the first lines of each rule are shown; --report FILE keeps every "   \
	"violation, up to 10000"

/* A rule's id, for the log's summaries. */
static const char *rule_name(size_t kind)
{
	return replay_rule_id((enum replay_rule)kind);
}

static int serve_and_wait(struct replay *rp)
{
	struct httpd_config cfg = {0};
	struct httpd *h = NULL;
	struct blt_err err = {0};
	sigset_t chld;
	bool command_ok = true;

	cfg.listen = rp->opts->listen;
	cfg.threads = rp->opts->threads;
	cfg.handler = replay_handle;
	cfg.ctx = rp;
	httpd_block_signals();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, NULL);
	if (httpd_start(&cfg, &h, &err)) {
		fprintf(stderr, "blt-proxy replay: %s\n", err.msg);
		return 2;
	}
	/* With a COMMAND, stdout is the command's. */
	httpd_announce_to(h, rp->opts->command ? stderr : stdout);
	if (rp->opts->command)
		command_ok = replay_run_command(rp->opts, httpd_url(h));
	else
		httpd_wait_signal();
	httpd_stop(h);
	return finish(rp, command_ok);
}

int replay_main(int argc, char **argv)
{
	struct replay_opts o = {0};
	struct replay rp = {0};
	struct blt_err err = {0};
	double t0;
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		goto done;
	rp.opts = &o;
	pthread_mutex_init(&rp.lock, NULL);
	redact_rules_init(&rp.rules);
	log_limit_init(&rp.log, "blt-proxy replay", VIOLATIONS_HINT,
		       rule_name, RULE_COUNT);
	if (redact_secrets_from_env(&rp.rules, &err))
		fprintf(stderr, "blt-proxy replay: warning: %s: it cannot be "
			"scrubbed from logs and reports\n", err.msg);
	t0 = clock_mono_ms();
	if (replay_index_load(o.cassettes, o.ncassettes, &rp.ix, &err)) {
		fprintf(stderr, "blt-proxy replay: %s\n", err.msg);
		rc = 2;
		goto done;
	}
	fprintf(stderr,
		"blt-proxy replay: loaded %zu interactions from %zu "
		"cassette(s) in %.1f ms (reading %.1f ms, indexing %.1f ms)\n",
		rp.ix.nentries, rp.ix.nfiles, clock_mono_ms() - t0,
		rp.ix.read_ms, rp.ix.index_ms);
	rc = serve_and_wait(&rp);
done:
	for (size_t i = 0; i < rp.nviolations; i++) {
		struct replay_violation *v = &rp.violations[i];

		free(v->method);
		free(v->path);
		free(v->target);
		free(v->body);
		free(v->message);
	}
	free(rp.violations);
	replay_index_free(&rp.ix);
	if (rp.opts) {
		pthread_mutex_destroy(&rp.lock);
		redact_rules_free(&rp.rules);
		log_limit_free(&rp.log);
	}
	free(o.cassettes);
	free(o.akid);
	return rc;
}
