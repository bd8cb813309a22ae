/* blt-proxy replay: the command line, the server's life, the reports and
 * the exit status (the COMMAND after "--" runs from replay_command.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/clock.h"
#include "blt/sigv4.h"
#include "opts.h"
#include "proxy.h"
#include "replay.h"

#define THREADS_MAX 64

static void usage(FILE *to)
{
	fputs("usage: blt-proxy replay --cassette FILE... [options] "
	      "[-- COMMAND ARGS...]\n"
	      "Answers from cassettes, checks every request against the wire "
	      "contract,\nand never opens a connection to anything.\n"
	      "  --cassette FILE...     cassettes to serve (repeatable)\n"
	      "  --listen HOST:PORT     default 127.0.0.1:0 (a free port)\n"
	      "  --advertise URL        the address DescribeEndpoints gives "
	      "(default: the\n"
	      "                         listening URL)\n"
	      "  --strict               answer an error once a request's "
	      "recorded answers\n"
	      "                         are used up (default: repeat the "
	      "last)\n"
	      "  --report FILE          JSON report: violations, used and "
	      "unused interactions\n"
	      "  --junit FILE           JUnit XML: one testcase per rule\n"
	      "  --fail-on-unused       an unused interaction fails the run\n"
	      "                         (and each is listed)\n"
	      "  --verbose              list every unused interaction (else "
	      "one summary\n"
	      "                         line counts them)\n"
	      "  --verify-sigv4 AKID:SECRET  verify each request's "
	      "signature\n"
	      "  --inject SPEC          throttle=P,internal=P,latency=MIN..MAX,"
	      "reset=P,seed=N\n"
	      "  --profile P            documented (default), smithy or "
	      "lenient\n"
	      "  --region R             AWS_REGION given to COMMAND "
	      "(default: $AWS_REGION,\n"
	      "                         else us-east-1)\n"
	      "  --threads N            worker threads (default 1)\n"
	      "  -- COMMAND ARGS...     run COMMAND against the replay, then "
	      "stop\n"
	      "Exit: 0 all good; 1 violations, unused interactions with "
	      "--fail-on-unused,\nor COMMAND failed; 2 usage or cassette "
	      "error.\n",
	      to);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "blt-proxy replay: %s%s (see --help)\n", what, arg);
	return 2;
}

static int parse_value_opt(struct replay_opts *o, const char *name,
			   const char *v)
{
	struct blt_err err = {0};

	if (!v)
		return usage_error(name, " needs a value");
	if (strcmp(name, "--listen") == 0)
		o->listen = v;
	else if (strcmp(name, "--advertise") == 0) {
		if (awsjson_advertise_check(v, &err))
			return usage_error("--advertise: ", err.msg);
		o->advertise = v;
	} else if (strcmp(name, "--report") == 0)
		o->report = v;
	else if (strcmp(name, "--junit") == 0)
		o->junit = v;
	else if (strcmp(name, "--region") == 0)
		o->region = v;
	else if (strcmp(name, "--verify-sigv4") == 0) {
		free(o->akid);
		o->akid = NULL;
		if (sigv4_parse_keypair(v, &o->akid, &o->secret, &err))
			return usage_error("--verify-sigv4: ", err.msg);
	} else if (strcmp(name, "--inject") == 0) {
		if (inject_parse(v, &o->inject, &err))
			return usage_error("--inject: ", err.msg);
		o->inject_on = inject_active(&o->inject);
	} else if (strcmp(name, "--profile") == 0) {
		if (awsjson_profile_parse(v, &o->profile, &err))
			return usage_error("--profile: ", err.msg);
	} else if (strcmp(name, "--threads") == 0) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end || n < 1 || n > THREADS_MAX)
			return usage_error("--threads: not 1..64: ", v);
		o->threads = (unsigned)n;
	} else {
		return usage_error("unknown option ", name);
	}
	return 0;
}

/* Collects the files of --cassette: first (the VALUE of "--cassette=VALUE",
 * else NULL), then every argument up to the next option. */
static int take_cassettes(struct replay_opts *o, char *first, int argc,
			  char **argv, int *i)
{
	int before = (int)o->ncassettes;

	if (first && !*first)
		return usage_error("--cassette=", " needs a FILE");
	if (first)
		o->cassettes[o->ncassettes++] = first;
	while (*i + 1 < argc && argv[*i + 1][0] != '-')
		o->cassettes[o->ncassettes++] = argv[++*i];
	if ((int)o->ncassettes == before)
		return usage_error("--cassette", " needs at least one FILE");
	return 0;
}

/* Handles the option at argv[*i] when it takes a value ("--name VALUE" or
 * "--name=VALUE"), setting *rc; false when it is not one of them. */
static bool value_option(struct replay_opts *o, int argc, char **argv,
			 int *i, int *rc)
{
	static const char *const names[] = {
		"--listen", "--report",  "--junit",  "--region",
		"--verify-sigv4", "--inject", "--profile", "--threads",
		"--advertise"};
	const char *v;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (opts_value(argc, argv, i, names[k], &v)) {
			*rc = parse_value_opt(o, names[k], v);
			return true;
		}
	}
	return false;
}

/* Parses argv into o. Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	int rc = 0;

	o->cassettes = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->cassettes)
		return 2;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			if (i + 1 >= argc)
				return usage_error("--", " needs a COMMAND");
			o->command = argv + i + 1;
			break;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("blt-proxy %s\n", BLT_VERSION);
			return 0;
		} else if (strcmp(a, "--cassette") == 0) {
			rc = take_cassettes(o, NULL, argc, argv, &i);
		} else if (strncmp(a, "--cassette=", 11) == 0) {
			rc = take_cassettes(o, argv[i] + 11, argc, argv, &i);
		} else if (strcmp(a, "--strict") == 0) {
			o->strict = true;
		} else if (strcmp(a, "--fail-on-unused") == 0) {
			o->fail_on_unused = true;
		} else if (strcmp(a, "--verbose") == 0) {
			o->verbose = true;
		} else if (!value_option(o, argc, argv, &i, &rc)) {
			fprintf(stderr, "blt-proxy replay: unknown %s '%s' "
				"(see --help)\n",
				a[0] == '-' ? "option" : "argument", a);
			rc = 2;
		}
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
