/* The command line of blt-proxy record. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/cli.h"
#include "record.h"

enum record_opt {
	OPT_UPSTREAM,
	OPT_CASSETTE,
	OPT_LISTEN,
	OPT_ADVERTISE,
	OPT_UPSTREAM_CA,
	OPT_NO_RESIGN,
	OPT_REGION,
	OPT_FORWARD_TARGET,
	OPT_REDACT,
	OPT_DISCOVERY_URL,
	OPT_APPEND,
	OPT_TIMEOUT,
	OPT_THREADS,
	OPT_FSYNC,
	OPT_HELP,
	OPT_HEADING
};

static const struct cli_opt options[] = {
	{OPT_UPSTREAM, "--upstream", 0, CLI_VALUE, "URL",
	 "http://HOST:PORT, https://HOST, or aws:REGION\n"
	 "(the cell endpoint is found with\n"
	 "DescribeEndpoints)"},
	{OPT_CASSETTE, "--cassette", 0, CLI_VALUE, "FILE",
	 "the cassette to write (FILE.journal keeps\n"
	 "every interaction until FILE is saved)"},
	{OPT_LISTEN, "--listen", 0, CLI_VALUE, "ADDR",
	 "where to listen (default 127.0.0.1:0)"},
	{OPT_ADVERTISE, "--advertise", 0, CLI_VALUE, "URL",
	 "the address a client's DescribeEndpoints gets\n"
	 "(default: the listening URL)"},
	{OPT_UPSTREAM_CA, "--upstream-ca", 0, CLI_VALUE, "FILE",
	 "extra CA bundle for a TLS upstream"},
	{OPT_NO_RESIGN, "--no-resign", 0, CLI_FLAG, NULL,
	 "forward the client's signature unchanged"},
	{OPT_REGION, "--region", 0, CLI_VALUE, "R",
	 "signing region (default AWS_REGION, the\n"
	 "aws:REGION of --upstream, else us-east-1)"},
	{OPT_FORWARD_TARGET, "--forward-target", 0, CLI_VALUE, "PREFIX",
	 "\nalso forward and re-sign requests whose\n"
	 "X-Amz-Target starts with PREFIX (repeatable;\n"
	 "by default only Timestream_20181101.*: others\n"
	 "get UnknownOperationException from the proxy)"},
	{OPT_REDACT, "--redact", 0, CLI_VALUE, "header:NAME",
	 "also redact this header (repeatable)"},
	{OPT_HEADING, NULL, 0, CLI_FLAG, NULL,
	 "  --redact json:/POINTER replace this body value with "
	 "\"REDACTED\"\n"
	 "                         (\"*\" matches every member; "
	 "repeatable)\n"},
	{OPT_DISCOVERY_URL, "--discovery-url", 0, CLI_VALUE, "URL",
	 "where aws:REGION asks DescribeEndpoints\n"
	 "(default https://ingest.timestream.REGION.amazonaws.com)"},
	{OPT_APPEND, "--append", 0, CLI_FLAG, NULL,
	 "add to FILE instead of replacing it"},
	{OPT_TIMEOUT, "--timeout", 0, CLI_VALUE, "MS",
	 "upstream request timeout (default 30000)"},
	{OPT_THREADS, "--threads", 0, CLI_VALUE, "N",
	 "worker threads (default 16)"},
	{OPT_FSYNC, "--fsync", 0, CLI_FLAG, NULL,
	 "also fdatasync each journal line before\n"
	 "answering, so that even a machine crash\n"
	 "loses nothing (a killed proxy never does)"},
	{OPT_HELP, "--help", 'h', CLI_FLAG, NULL, NULL},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void record_usage(FILE *out)
{
	fputs("usage: blt-proxy record --upstream URL --cassette FILE "
	      "[options]\n"
	      "\n"
	      "Forwards every request to the upstream and records each\n"
	      "request/response pair into FILE (cassette format version 1).\n"
	      "\n",
	      out);
	cli_help(out, options, NOPTIONS, 25);
	fputs("\n"
	      "Credentials for re-signing come from AWS_ACCESS_KEY_ID,\n"
	      "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. SIGINT or SIGTERM "
	      "writes\n"
	      "FILE and removes FILE.journal.\n",
	      out);
}

/* Adds a --forward-target prefix. */
static blt_status forward_target_add(struct record_opts *o, const char *v,
				     struct blt_err *err)
{
	if (o->nforward_targets == RECORD_FORWARD_TARGETS_MAX)
		return blt_fail(err, BLT_EUSAGE,
				"--forward-target: more than %d prefixes",
				RECORD_FORWARD_TARGETS_MAX);
	o->forward_targets[o->nforward_targets++] = v;
	return BLT_OK;
}

/* Applies the option id with its value v (NULL for a flag). */
static blt_status apply(struct record_opts *o, struct redact_rules *rules,
			int id, const char *v, struct blt_err *err)
{
	const char *name = cli_name(options, NOPTIONS, id);
	uint64_t n = 0;

	switch (id) {
	case OPT_UPSTREAM:
		o->upstream = v;
		break;
	case OPT_CASSETTE:
		o->cassette = v;
		break;
	case OPT_LISTEN:
		o->listen = v;
		break;
	case OPT_UPSTREAM_CA:
		o->upstream_ca = v;
		break;
	case OPT_REGION:
		o->region = v;
		break;
	case OPT_DISCOVERY_URL:
		o->discovery_url = v;
		break;
	case OPT_NO_RESIGN:
		o->no_resign = true;
		break;
	case OPT_APPEND:
		o->append = true;
		break;
	case OPT_FSYNC:
		o->fsync = true;
		break;
	case OPT_ADVERTISE:
		o->advertise = v;
		if (awsjson_advertise_check(v, err))
			return blt_err_prefix(err, "--advertise");
		break;
	case OPT_REDACT:
		return redact_rule_add(rules, v, err);
	case OPT_FORWARD_TARGET:
		return forward_target_add(o, v, err);
	case OPT_TIMEOUT:
		if (cli_uint(name, v, 1, RECORD_TIMEOUT_MAX_MS, &n, err))
			return BLT_EUSAGE;
		o->timeout_ms = (long)n;
		break;
	case OPT_THREADS:
		if (cli_uint(name, v, 1, RECORD_THREADS_MAX, &n, err))
			return BLT_EUSAGE;
		o->threads = (unsigned)n;
		break;
	default:
		assert(!"an option of the table without a case");
	}
	return BLT_OK;
}

blt_status record_opts_parse(int argc, char **argv, struct record_opts *o,
			     struct redact_rules *rules, struct blt_err *err)
{
	struct cli c;
	const char *v;
	int id;

	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:0";
	o->timeout_ms = RECORD_TIMEOUT_DEFAULT_MS;
	o->threads = RECORD_THREADS_DEFAULT;
	cli_init(&c, argc, argv, options, NOPTIONS);
	while ((id = cli_next(&c, &v, err)) != CLI_END) {
		blt_status st;

		if (id == CLI_ERROR)
			return BLT_EUSAGE;
		if (id == CLI_POSITIONAL || id == CLI_DASHDASH)
			return blt_fail(err, BLT_EUSAGE, "unknown option '%s'",
					argv[c.first]);
		if (id == OPT_HELP) {
			o->help = true;
			return BLT_OK;
		}
		st = apply(o, rules, id, v, err);
		if (st)
			return st == BLT_ELIMIT ? BLT_EUSAGE : st;
	}
	if (!o->upstream)
		return blt_fail(err, BLT_EUSAGE, "--upstream URL is required");
	if (!o->cassette)
		return blt_fail(err, BLT_EUSAGE, "--cassette FILE is required");
	return BLT_OK;
}
