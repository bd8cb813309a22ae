/* blt-conform's command line: the option table (the runner's own options
 * and Criterion's, which pass through), --help, and the parse into the
 * runner. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cli.h"
#include "runner.h"

/* The runner's defaults (SPEC section 3; docs/conform.md). */
#define RUNNER_SEED_DEFAULT 1
#define RUNNER_RETRIES_DEFAULT 8
#define RUNNER_BACKOFF_DEFAULT_MS 100

enum conform_opt {
	OPT_TARGET,
	OPT_CASSETTES,
	OPT_PROFILE,
	OPT_COMPARE,
	OPT_STRICT,
	OPT_SEED,
	OPT_REGION,
	OPT_TIMEOUT,
	OPT_RATE,
	OPT_MAX_REQUESTS,
	OPT_RETRIES,
	OPT_BACKOFF,
	OPT_EXPECT,
	OPT_WRITE_EXPECT,
	OPT_XML,
	OPT_TAP,
	OPT_JSON,
	OPT_OUTPUT,
	OPT_HTML,
	OPT_FILTER,
	OPT_FAIL_FAST,
	OPT_CLIENT,
	OPT_HELP,
	OPT_VERSION,
	OPT_CRITERION,	     /* a Criterion flag: passed through */
	OPT_CRITERION_LIST,  /* --list: passed through, and nothing runs */
	OPT_CRITERION_JOBS,  /* -j N: passed through, and --client's runs
			      * at once */
	OPT_HEADING
};

static const struct cli_opt options[] = {
	{OPT_TARGET, "--target", 0, CLI_VALUE, "URL",
	 "the server under test (http:// or https://)"},
	{OPT_CASSETTES, "--cassettes", 0, CLI_LIST, "PATH...",
	 "cassette files, or directories of *.json, to\n"
	 "replay (REP-*); without --target the shipped\n"
	 "cassettes are used when present"},
	{OPT_PROFILE, "--profile", 0, CLI_VALUE, "P",
	 "error status table: documented (default),\n"
	 "smithy or lenient"},
	{OPT_COMPARE, "--compare", 0, CLI_VALUE, "MODE",
	 "REP-BODY: exact (default) or shape"},
	{OPT_STRICT, "--strict", 0, CLI_FLAG, NULL,
	 "failed should checks fail the run"},
	{OPT_SEED, "--seed", 0, CLI_VALUE, "N",
	 "seed of the generated requests (GEN-*), 1"},
	{OPT_REGION, "--region", 0, CLI_VALUE, "R",
	 "SigV4 region (else AWS_REGION, us-east-1)"},
	{OPT_TIMEOUT, "--timeout", 0, CLI_VALUE, "MS",
	 "per-request timeout, 5000"},
	{OPT_RATE, "--rate", 0, CLI_VALUE, "R",
	 "at most R requests per second in all"},
	{OPT_MAX_REQUESTS, "--max-requests", 0, CLI_VALUE, "N",
	 "at most N requests in all (20 or more): the\n"
	 "walks shrink to fit, checks that do not fit\n"
	 "are skipped with the reason"},
	{OPT_RETRIES, "--retries", 0, CLI_VALUE, "N",
	 "retries of a throttled request (5xx: 2 at\n"
	 "most), 8"},
	{OPT_BACKOFF, "--backoff", 0, CLI_VALUE, "MS",
	 "the first retry waits up to MS (jittered,\n"
	 "doubling each time, 20 s at most), 100"},
	{OPT_EXPECT, "--expect", 0, CLI_VALUE, "FILE",
	 "check IDs (one a line, then an optional\n"
	 "reason) whose failures are expected"},
	{OPT_WRITE_EXPECT, "--write-expect", 0, CLI_VALUE, "FILE",
	 "writes the failing checks in that form"},
	{OPT_XML, "--xml", 0, CLI_OPTIONAL, "FILE", NULL},
	{OPT_TAP, "--tap", 0, CLI_OPTIONAL, "FILE", NULL},
	{OPT_JSON, "--json", 0, CLI_OPTIONAL, "FILE", NULL},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL,
	 "  --xml[=FILE], --tap[=FILE], --json[=FILE]\n"
	 "                      JUnit XML, TAP or JSON report (stdout\n"
	 "                      without FILE)\n"},
	{OPT_OUTPUT, "--output", 0, CLI_VALUE, "KIND:FILE", NULL},
	{OPT_HTML, "--html", 0, CLI_VALUE, "FILE",
	 "a self-contained HTML report"},
	{OPT_FILTER, "--filter", 0, CLI_VALUE, "PATTERN",
	 "run the checks that match: 'PAG/*',\n"
	 "'REP/BODY' or 'RNG-OUT'"},
	{OPT_FAIL_FAST, "--fail-fast", 'f', CLI_FLAG, NULL,
	 "start no check after one failed"},
	{OPT_CLIENT, "--client", 0, CLI_FLAG, NULL,
	 "judge COMMAND, a client that lists the tasks\n"
	 "with BLT_MAX_RESULTS and BLT_TASK_STATUS and\n"
	 "prints the TaskIds (the client checks CLI-*);\n"
	 "there --timeout is each run's limit (30000),\n"
	 "-j N the runs at once (4), --filter\n"
	 "'CLI-PAG-*'"},
	{OPT_HELP, "--help", 'h', CLI_FLAG, NULL, NULL},
	{OPT_VERSION, "--version", 'v', CLI_FLAG, NULL, NULL},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL, "  --help, --version\n"},
	/* Criterion's flags that pass through; its report flags (--xml,
	 * --tap, --json, --output) are the runner's own, which writes the
	 * reports itself. */
	{OPT_CRITERION_LIST, "--list", 'l', CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--quiet", 'q', CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--ascii", 0, CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--short-filename", 'S', CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--crash", 0, CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--full-stats", 0, CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--ignore-warnings", 0, CLI_FLAG, NULL, NULL},
	{OPT_CRITERION, "--verbose", 0, CLI_OPTIONAL, NULL, NULL},
	{OPT_CRITERION, "--debug", 0, CLI_OPTIONAL, NULL, NULL},
	{OPT_CRITERION, "--color", 0, CLI_VALUE, NULL, NULL},
	{OPT_CRITERION, "--encoding", 0, CLI_VALUE, NULL, NULL},
	{OPT_CRITERION, "--debug-transport", 0, CLI_VALUE, NULL, NULL},
	{OPT_CRITERION_JOBS, "--jobs", 'j', CLI_VALUE, NULL, NULL},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void runner_usage(FILE *out)
{
	fputs("usage: blt-conform [--target URL] [--cassettes PATH...]\n"
	      "                   [--profile documented|smithy|lenient]\n"
	      "                   [--compare exact|shape] [--strict] "
	      "[--seed N]\n"
	      "                   [--region R] [--timeout MS] [--rate R]\n"
	      "                   [--max-requests N] [--retries N] "
	      "[--backoff MS]\n"
	      "                   [--expect FILE] [--write-expect FILE]\n"
	      "                   [--xml[=FILE]] [--tap[=FILE]] "
	      "[--json[=FILE]]\n"
	      "                   [--html FILE] [--filter PATTERN] [-f]\n"
	      "                   [CRITERION FLAGS]\n"
	      "       blt-conform --client [--profile P] [--region R]\n"
	      "                   [--timeout MS] [-j N] [--strict] "
	      "[--expect FILE]\n"
	      "                   [--write-expect FILE] [--xml[=FILE]]\n"
	      "                   [--tap[=FILE]] [--json[=FILE]] "
	      "[--html FILE]\n"
	      "                   [--filter PATTERN] [-f] [--list]\n"
	      "                   -- COMMAND [ARGS...]\n"
	      "\n"
	      "Runs every conformance check of ListBatchLoadTasks against "
	      "URL, or\n"
	      "against an embedded blt-fake when --target is not given. "
	      "With\n"
	      "--client it judges a client instead: COMMAND runs once per "
	      "scenario\n"
	      "against a scenario server (docs/client-conformance.md).\n"
	      "\n",
	      out);
	cli_help(out, options, NOPTIONS, 22);
	fputs("\n"
	      "Criterion's flags pass through: -j N, --list, --verbose.\n"
	      "With AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set (and\n"
	      "AWS_SESSION_TOKEN), every request is signed (SigV4, "
	      "timestream).\n"
	      "Exit status: 0 every must check passed, 1 a check failed, 2 "
	      "usage or\n"
	      "configuration error.\n",
	      out);
}

/* Sets the report file of kind id (OPT_XML, OPT_TAP, OPT_JSON) to v, or
 * to "-" (stdout) when v is NULL. */
static void set_report(struct runner *r, int id, const char *v)
{
	const char **slot = id == OPT_XML ? &r->xml
			    : id == OPT_TAP ? &r->tap
					    : &r->json;

	assert(id == OPT_XML || id == OPT_TAP || id == OPT_JSON);
	*slot = v ? v : "-";
	if (strcmp(*slot, "-") == 0)
		r->report_stderr = true;
}

/* Criterion's --output=KIND:FILE, for KIND xml, tap or json. */
static blt_status output_option(struct runner *r, const char *v,
				struct blt_err *err)
{
	static const struct {
		const char *prefix;
		int id;
	} kinds[] = {{"xml:", OPT_XML}, {"tap:", OPT_TAP}, {"json:", OPT_JSON}};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k].prefix);

		if (strncmp(v, kinds[k].prefix, n) != 0)
			continue;
		if (!v[n])
			return blt_fail(err, BLT_EUSAGE,
					"--output=%s: no file name", v);
		set_report(r, kinds[k].id, v + n);
		return BLT_OK;
	}
	return blt_fail(err, BLT_EUSAGE,
			"--output=%s: the reports are xml, tap or json "
			"(--output=xml:FILE)",
			v);
}

/* Takes one --cassettes path; a usage error beyond the cap. */
static blt_status cassette_arg(struct runner *r, const char *path,
			       struct blt_err *err)
{
	size_t max = sizeof(r->cassette_args) / sizeof(r->cassette_args[0]);

	r->cassettes_given = true;
	if (r->ncassette_args >= max)
		return blt_fail(err, BLT_EUSAGE,
				"--cassettes: more than %zu paths (give a "
				"directory instead)",
				max);
	r->cassette_args[r->ncassette_args++] = (char *)path;
	return BLT_OK;
}

/* The options that take a number. */
static blt_status number_option(struct runner *r, int id, const char *v,
				struct blt_err *err)
{
	const char *name = cli_name(options, NOPTIONS, id);
	uint64_t n = 0;
	blt_status st;

	switch (id) {
	case OPT_SEED:
		return cli_uint(name, v, 0, UINT64_MAX, &r->cfg.seed, err);
	case OPT_RATE:
		return cli_real(name, v, 0.01, 1e6, &r->cfg.rate, err);
	case OPT_TIMEOUT:
		st = cli_uint(name, v, 1, 3600000, &n, err);
		r->cfg.timeout_ms = st ? r->cfg.timeout_ms : (long)n;
		return st;
	case OPT_RETRIES:
		st = cli_uint(name, v, 0, 20, &n, err);
		r->cfg.retries = st ? r->cfg.retries : (unsigned)n;
		return st;
	case OPT_BACKOFF:
		st = cli_uint(name, v, 1, 60000, &n, err);
		r->cfg.backoff_ms = st ? r->cfg.backoff_ms : (long)n;
		return st;
	default:
		assert(id == OPT_MAX_REQUESTS);
		return cli_uint(name, v, 20, 1000000000000ULL,
				&r->cfg.max_requests, err);
	}
}

/* The options that name a file or a pattern. */
static void file_option(struct runner *r, int id, const char *v)
{
	switch (id) {
	case OPT_EXPECT:
		r->expect = v;
		break;
	case OPT_WRITE_EXPECT:
		r->write_expect = v;
		break;
	case OPT_HTML:
		r->html = v;
		if (strcmp(v, "-") == 0)
			r->report_stderr = true;
		break;
	default:
		assert(id == OPT_FILTER);
		r->filter = v;
	}
}

/* Notes the first option that applies to the server mode alone (--client
 * refuses it). */
static void note_server_only(struct runner *r, int id)
{
	switch (id) {
	case OPT_TARGET:
	case OPT_CASSETTES:
	case OPT_COMPARE:
	case OPT_RATE:
	case OPT_MAX_REQUESTS:
	case OPT_RETRIES:
	case OPT_BACKOFF:
		if (!r->server_only)
			r->server_only = cli_name(options, NOPTIONS, id);
		break;
	case OPT_TIMEOUT:
		r->timeout_given = true;
		break;
	default:
		break;
	}
}

/* Applies one of the runner's own options. */
static blt_status apply(struct runner *r, int id, const char *v,
			struct blt_err *err)
{
	note_server_only(r, id);
	switch (id) {
	case OPT_TARGET:
		r->have_target = true;
		return conform_parse_target(&r->cfg, v, err) ? BLT_EUSAGE
							     : BLT_OK;
	case OPT_CASSETTES:
		return cassette_arg(r, v, err);
	case OPT_PROFILE:
		return awsjson_profile_parse(v, &r->cfg.profile, err)
			       ? BLT_EUSAGE
			       : BLT_OK;
	case OPT_COMPARE:
		if (strcmp(v, "exact") && strcmp(v, "shape"))
			return blt_fail(err, BLT_EUSAGE,
					"--compare '%s': exact or shape", v);
		r->cfg.exact = strcmp(v, "exact") == 0;
		return BLT_OK;
	case OPT_REGION:
		if (strlen(v) >= sizeof(r->cfg.region))
			return blt_fail(err, BLT_EUSAGE, "--region: bad value");
		snprintf(r->cfg.region, sizeof(r->cfg.region), "%s", v);
		return BLT_OK;
	case OPT_STRICT:
		r->cfg.strict = true;
		return BLT_OK;
	case OPT_FAIL_FAST:
		r->cfg.fail_fast = true;
		return BLT_OK;
	case OPT_CLIENT:
		r->client = true;
		return BLT_OK;
	case OPT_XML:
	case OPT_TAP:
	case OPT_JSON:
		set_report(r, id, v);
		return BLT_OK;
	case OPT_OUTPUT:
		return output_option(r, v, err);
	case OPT_EXPECT:
	case OPT_WRITE_EXPECT:
	case OPT_HTML:
	case OPT_FILTER:
		file_option(r, id, v);
		return BLT_OK;
	default:
		return number_option(r, id, v, err);
	}
}

/* A Criterion flag id, as given in argv[first..next): passed through;
 * --list and -j N also tell the runner something. */
static blt_status criterion_option(struct runner *r, const struct cli *c,
				   int id, const char *v, char **cargv,
				   int *cargc, struct blt_err *err)
{
	uint64_t n = 0;

	for (int i = c->first; i < c->next; i++)
		cargv[(*cargc)++] = c->argv[i];
	if (id == OPT_CRITERION_LIST) {
		r->listed = true;
	} else if (id == OPT_CRITERION_JOBS) {
		if (cli_uint(cli_name(options, NOPTIONS, id), v, 0, 64, &n,
			     err))
			return BLT_EUSAGE;
		r->jobs = (unsigned)n;
	} else if (!r->criterion_only) {
		r->criterion_only = c->argv[c->first];
	}
	return BLT_OK;
}

/* --client and "-- COMMAND" go together; the options of the server mode
 * alone are refused with them. */
static blt_status client_mode_check(const struct runner *r,
				    struct blt_err *err)
{
	if (r->command && !r->client)
		return blt_fail(err, BLT_EUSAGE,
				"a COMMAND after -- needs --client");
	if (!r->client)
		return BLT_OK;
	if (!r->command && !r->listed)
		return blt_fail(err, BLT_EUSAGE,
				"--client needs the client to run: "
				"--client -- COMMAND [ARGS]");
	if (r->server_only)
		return blt_fail(err, BLT_EUSAGE,
				"%s judges a server; it does not apply to "
				"--client",
				r->server_only);
	if (r->criterion_only)
		return blt_fail(err, BLT_EUSAGE,
				"%s does not apply to --client (it takes -j N "
				"and --list)",
				r->criterion_only);
	return BLT_OK;
}

static void set_defaults(struct runner *r)
{
	memset(r, 0, sizeof(*r));
	r->cfg.exact = true;
	r->cfg.seed = RUNNER_SEED_DEFAULT;
	r->cfg.timeout_ms = CONFORM_TIMEOUT_DEFAULT_MS;
	r->cfg.retries = RUNNER_RETRIES_DEFAULT;
	r->cfg.backoff_ms = RUNNER_BACKOFF_DEFAULT_MS;
	r->cfg.profile = AWSJSON_PROFILE_DOCUMENTED;
}

int runner_parse_args(struct runner *r, int argc, char **argv, char **cargv,
		      int *cargc, struct blt_err *err)
{
	struct cli c;
	const char *v;
	int id;

	set_defaults(r);
	cargv[(*cargc)++] = argv[0];
	cli_init(&c, argc, argv, options, NOPTIONS);
	while ((id = cli_next(&c, &v, err)) != CLI_END) {
		if (id == CLI_ERROR)
			return 2;
		if (id == CLI_DASHDASH) {
			int n;

			r->command = cli_rest(&c, &n);
			if (n == 0) {
				blt_fail(err, BLT_EUSAGE,
					 "-- needs a COMMAND after it");
				return 2;
			}
			break;
		}
		if (id == CLI_POSITIONAL) {
			blt_fail(err, BLT_EUSAGE, "unknown argument '%s'",
				 argv[c.first]);
			return 2;
		}
		if (id == OPT_HELP)
			return RUNNER_EXIT_HELP;
		if (id == OPT_VERSION)
			return RUNNER_EXIT_VERSION;
		if (id == OPT_CRITERION || id == OPT_CRITERION_LIST ||
		    id == OPT_CRITERION_JOBS) {
			if (criterion_option(r, &c, id, v, cargv, cargc, err))
				return 2;
			continue;
		}
		if (apply(r, id, v, err))
			return 2;
	}
	cargv[*cargc] = NULL;
	return client_mode_check(r, err) ? 2 : 0;
}
