/* Parsing of blt-fake's command line. */
#include "opts.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cli.h"
#include "blt/sigv4.h"
#include "tasks.h"
#include "token.h"

enum fake_opt {
	OPT_TASKS,
	OPT_GENERATE,
	OPT_FROM_CASSETTE,
	OPT_SEED,
	OPT_LISTEN,
	OPT_ADVERTISE,
	OPT_THREADS,
	OPT_PROFILE,
	OPT_MAX_BODY,
	OPT_TOKEN_TTL,
	OPT_TOKEN_KEY,
	OPT_VERIFY_SIGV4,
	OPT_INJECT,
	OPT_DEFECT,
	OPT_HELP,
	OPT_VERSION,
	OPT_HEADING
};

static const struct cli_opt options[] = {
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL,
	 "Data (one of; the default is --generate 250 --seed 1):\n"},
	{OPT_TASKS, "--tasks", 0, CLI_VALUE, "FILE",
	 "a JSON array of BatchLoadTask objects"},
	{OPT_GENERATE, "--generate", 0, CLI_VALUE, "N",
	 "N deterministic tasks from --seed"},
	{OPT_FROM_CASSETTE, "--from-cassette", 0, CLI_VALUE, "FILE",
	 "the tasks in a cassette's 200 responses"},
	{OPT_SEED, "--seed", 0, CLI_VALUE, "S",
	 "seed of --generate and of request ids (default 1)"},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL, "\nServing:\n"},
	{OPT_LISTEN, "--listen", 0, CLI_VALUE, "HOST:PORT",
	 "default 127.0.0.1:8080; port 0 picks a free one"},
	{OPT_ADVERTISE, "--advertise", 0, CLI_VALUE, "URL",
	 "the address DescribeEndpoints gives (default: the\n"
	 "listening URL); http://HOST:PORT or https://HOST[:PORT]"},
	{OPT_THREADS, "--threads", 0, CLI_VALUE, "N",
	 "worker threads (default 1)"},
	{OPT_PROFILE, "--profile", 0, CLI_VALUE, "P",
	 "documented (default) or smithy error statuses"},
	{OPT_MAX_BODY, "--max-body", 0, CLI_VALUE, "BYTES",
	 "request body cap (default 1048576; 413 beyond)"},
	{OPT_TOKEN_TTL, "--token-ttl", 0, CLI_VALUE, "T",
	 "NextToken lifetime: 90s, 15m, 24h or seconds (default 24h)"},
	{OPT_TOKEN_KEY, "--token-key", 0, CLI_VALUE, "SECRET",
	 "NextToken HMAC key (default: derived from the data,\n"
	 "so tokens are unforgeable only with a secret key)"},
	{OPT_VERIFY_SIGV4, "--verify-sigv4", 0, CLI_VALUE, "AKID:SECRET",
	 "require SigV4 signatures by this key"},
	{OPT_INJECT, "--inject", 0, CLI_VALUE, "SPEC",
	 "faults: throttle=P,internal=P,latency=MIN..MAX,reset=P,seed=N"},
	{OPT_DEFECT, "--defect", 0, CLI_VALUE, "NAME[,NAME]",
	 "deliberate deviations; '--defect list' prints them"},
	{OPT_HELP, "--help", 'h', CLI_FLAG, NULL, NULL},
	{OPT_VERSION, "--version", 0, CLI_FLAG, NULL, NULL},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL, "\n  --help, --version\n\n"},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void fake_opts_usage(FILE *out)
{
	fputs("usage: blt-fake [OPTIONS]\n"
	      "Serves ListBatchLoadTasks and DescribeEndpoints (Timestream "
	      "Write, AWS JSON 1.0)\nfrom a fixed data set.\n\n",
	      out);
	cli_help(out, options, NOPTIONS, 24);
	fputs("Exit status: 0 after SIGINT or SIGTERM, 1 when the server "
	      "cannot start,\n2 for a usage or data error.\n",
	      out);
}

static blt_status set_source(struct fake_opts *o, bool *chosen,
			     enum fake_source src, const char *name,
			     struct blt_err *err)
{
	if (*chosen)
		return blt_fail(err, BLT_EUSAGE,
				"%s: only one of --tasks, --generate and "
				"--from-cassette may be given",
				name);
	*chosen = true;
	o->source = src;
	return BLT_OK;
}

static blt_status check_keypair(const char *v, struct blt_err *err)
{
	char *akid = NULL;
	char *secret = NULL;
	blt_status st = sigv4_parse_keypair(v, &akid, &secret, err);

	free(akid);
	if (st)
		blt_err_prefix(err, "--verify-sigv4");
	return st ? BLT_EUSAGE : BLT_OK;
}

static void set_defaults(struct fake_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = FAKE_LISTEN_DEFAULT;
	o->threads = 1;
	o->profile = AWSJSON_PROFILE_DOCUMENTED;
	o->source = FAKE_SOURCE_GENERATE;
	o->generate = FAKE_GENERATE_DEFAULT;
	o->seed = FAKE_SEED_DEFAULT;
	o->token_ttl = FAKE_TOKEN_TTL_DEFAULT;
	o->body_max = 1024 * 1024;
}

/* Applies the data-source options: --tasks, --from-cassette, --generate. */
static blt_status apply_source(struct fake_opts *o, int id, const char *name,
			       const char *v, bool *chosen, struct blt_err *err)
{
	uint64_t x = 0;

	if (id == OPT_GENERATE) {
		if (set_source(o, chosen, FAKE_SOURCE_GENERATE, name, err) ||
		    cli_uint(name, v, 0, FAKE_GENERATE_MAX, &x, err))
			return BLT_EUSAGE;
		o->generate = (size_t)x;
		return BLT_OK;
	}
	if (set_source(o, chosen,
		       id == OPT_TASKS ? FAKE_SOURCE_TASKS
				       : FAKE_SOURCE_CASSETTE,
		       name, err))
		return BLT_EUSAGE;
	o->data_path = v;
	return BLT_OK;
}

/* Applies the numeric options: --threads, --seed, --max-body. */
static blt_status apply_number(struct fake_opts *o, int id, const char *name,
			       const char *v, struct blt_err *err)
{
	uint64_t x = 0;

	if (id == OPT_THREADS) {
		if (cli_uint(name, v, 1, FAKE_THREADS_MAX, &x, err))
			return BLT_EUSAGE;
		o->threads = (unsigned)x;
	} else if (id == OPT_SEED) {
		if (cli_uint(name, v, 0, UINT64_MAX, &x, err))
			return BLT_EUSAGE;
		o->seed = x;
	} else {
		assert(id == OPT_MAX_BODY);
		if (cli_uint(name, v, 1024, 64 * 1024 * 1024, &x, err))
			return BLT_EUSAGE;
		o->body_max = (size_t)x;
	}
	return BLT_OK;
}

/* Applies one option with a value. */
static blt_status apply(struct fake_opts *o, int id, const char *v,
			bool *chosen, struct blt_err *err)
{
	blt_status st = BLT_OK;

	switch (id) {
	case OPT_TASKS:
	case OPT_FROM_CASSETTE:
	case OPT_GENERATE:
		st = apply_source(o, id, cli_name(options, NOPTIONS, id), v, chosen, err);
		break;
	case OPT_THREADS:
	case OPT_SEED:
	case OPT_MAX_BODY:
		st = apply_number(o, id, cli_name(options, NOPTIONS, id), v, err);
		break;
	case OPT_LISTEN:
		o->listen = v;
		break;
	case OPT_ADVERTISE:
		o->advertise = v;
		if (awsjson_advertise_check(v, err))
			st = blt_err_prefix(err, "--advertise");
		break;
	case OPT_PROFILE:
		if (awsjson_profile_parse(v, &o->profile, err))
			st = blt_fail(err, BLT_EUSAGE,
				      "--profile: '%s' is not documented or "
				      "smithy",
				      v);
		break;
	case OPT_TOKEN_KEY:
		o->token_key = v;
		break;
	case OPT_TOKEN_TTL:
		if (fake_parse_duration(v, &o->token_ttl, err))
			st = blt_err_prefix(err, "--token-ttl");
		break;
	case OPT_VERIFY_SIGV4:
		o->verify_sigv4 = v;
		st = check_keypair(v, err);
		break;
	case OPT_INJECT:
		st = inject_parse(v, &o->inject, err);
		break;
	case OPT_DEFECT:
		if (!strcmp(v, "list"))
			o->list_defects = true;
		else
			st = fake_defects_parse(v, &o->defects, err);
		break;
	default:
		assert(!"an option of the table without a case");
	}
	if (st && err)
		err->code = BLT_EUSAGE;
	return st ? BLT_EUSAGE : BLT_OK;
}

blt_status fake_opts_parse(int argc, char *const argv[], struct fake_opts *o,
			   struct blt_err *err)
{
	bool chosen = false;
	struct cli c;
	const char *v;
	int id;

	set_defaults(o);
	cli_init(&c, argc, (char **)argv, options, NOPTIONS);
	while ((id = cli_next(&c, &v, err)) != CLI_END) {
		if (id == CLI_ERROR)
			return BLT_EUSAGE;
		if (id == CLI_POSITIONAL || id == CLI_DASHDASH)
			return blt_fail(err, BLT_EUSAGE,
					"unexpected argument '%s'",
					argv[c.first]);
		if (id == OPT_HELP)
			o->help = true;
		else if (id == OPT_VERSION)
			o->version = true;
		else if (apply(o, id, v, &chosen, err))
			return BLT_EUSAGE;
	}
	return BLT_OK;
}
