/* The command line of blt-proxy record. */
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "opts.h"
#include "record.h"

static const char usage_text[] =
    "usage: blt-proxy record --upstream URL --cassette FILE [options]\n"
    "\n"
    "Forwards every request to the upstream and records each\n"
    "request/response pair into FILE (cassette format version 1).\n"
    "\n"
    "  --upstream URL         http://HOST:PORT, https://HOST, or aws:REGION\n"
    "                         (the cell endpoint is found with\n"
    "                         DescribeEndpoints)\n"
    "  --cassette FILE        the cassette to write (FILE.journal keeps\n"
    "                         every interaction until FILE is saved)\n"
    "  --listen ADDR          where to listen (default 127.0.0.1:0)\n"
    "  --advertise URL        the address a client's DescribeEndpoints gets\n"
    "                         (default: the listening URL)\n"
    "  --upstream-ca FILE     extra CA bundle for a TLS upstream\n"
    "  --no-resign            forward the client's signature unchanged\n"
    "  --region R             signing region (default AWS_REGION, the\n"
    "                         aws:REGION of --upstream, else us-east-1)\n"
    "  --forward-target PREFIX\n"
    "                         also forward and re-sign requests whose\n"
    "                         X-Amz-Target starts with PREFIX (repeatable;\n"
    "                         by default only Timestream_20181101.*: others\n"
    "                         get UnknownOperationException from the proxy)\n"
    "  --redact header:NAME   also redact this header (repeatable)\n"
    "  --redact json:/POINTER replace this body value with \"REDACTED\"\n"
    "                         (\"*\" matches every member; repeatable)\n"
    "  --discovery-url URL    where aws:REGION asks DescribeEndpoints\n"
    "                         (default https://ingest.timestream.REGION."
    "amazonaws.com)\n"
    "  --append               add to FILE instead of replacing it\n"
    "  --timeout MS           upstream request timeout (default 30000)\n"
    "  --threads N            worker threads (default 16)\n"
    "  --fsync                also fdatasync each journal line before\n"
    "                         answering, so that even a machine crash\n"
    "                         loses nothing (a killed proxy never does)\n"
    "\n"
    "Credentials for re-signing come from AWS_ACCESS_KEY_ID,\n"
    "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. SIGINT or SIGTERM writes\n"
    "FILE and removes FILE.journal.\n";

const char *record_usage(void)
{
	return usage_text;
}

/* Reads a positive number within [1, max] for flag. */
static blt_status parse_number(const char *flag, const char *text, long max,
			       long *out, struct blt_err *err)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v < 1 || v > max)
		return blt_fail(err, BLT_EUSAGE,
				"%s: '%s' is not a number from 1 to %ld", flag,
				text, max);
	*out = v;
	return BLT_OK;
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

/* Handles one option with a value; *matched tells whether it was one. */
static blt_status value_option(int argc, char **argv, int *i,
			       struct record_opts *o,
			       struct redact_rules *rules, bool *matched,
			       struct blt_err *err)
{
	static const char *const names[] = {
	    "--upstream",    "--cassette", "--listen",
	    "--upstream-ca", "--region",   "--discovery-url",
	    "--redact",	     "--timeout",  "--threads",
	    "--forward-target",
	};
	const char **dest[] = {&o->upstream, &o->cassette,
			       &o->listen,   &o->upstream_ca,
			       &o->region,   &o->discovery_url};
	long n = 0;

	for (size_t k = 0; k < sizeof(names) / sizeof(*names); k++) {
		const char *v = NULL;

		if (!opts_value(argc, argv, i, names[k], &v))
			continue;
		*matched = true;
		if (!v || !*v)
			return blt_fail(err, BLT_EUSAGE, "%s needs a value",
					names[k]);
		if (k < sizeof(dest) / sizeof(*dest)) {
			*dest[k] = v;
			return BLT_OK;
		}
		if (!strcmp(names[k], "--redact"))
			return redact_rule_add(rules, v, err);
		if (!strcmp(names[k], "--forward-target"))
			return forward_target_add(o, v, err);
		if (parse_number(names[k], v,
				 k == 7 ? 3600000L : RECORD_THREADS_MAX, &n,
				 err))
			return BLT_EUSAGE;
		if (k == 7)
			o->timeout_ms = n;
		else
			o->threads = (unsigned)n;
		return BLT_OK;
	}
	*matched = false;
	return BLT_OK;
}

blt_status record_opts_parse(int argc, char **argv, struct record_opts *o,
			     struct redact_rules *rules, struct blt_err *err)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:0";
	o->timeout_ms = RECORD_TIMEOUT_DEFAULT_MS;
	o->threads = RECORD_THREADS_DEFAULT;
	for (int i = 1; i < argc; i++) {
		bool matched = false;
		blt_status st;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			o->help = true;
			return BLT_OK;
		}
		if (!strcmp(argv[i], "--no-resign")) {
			o->no_resign = true;
			continue;
		}
		if (!strcmp(argv[i], "--append")) {
			o->append = true;
			continue;
		}
		if (!strcmp(argv[i], "--fsync")) {
			o->fsync = true;
			continue;
		}
		if (opts_value(argc, argv, &i, "--advertise", &o->advertise)) {
			if (!o->advertise)
				return blt_fail(err, BLT_EUSAGE,
						"--advertise needs a value");
			if (awsjson_advertise_check(o->advertise, err))
				return blt_err_prefix(err, "--advertise");
			continue;
		}
		st = value_option(argc, argv, &i, o, rules, &matched, err);
		if (st)
			return st == BLT_ELIMIT ? BLT_EUSAGE : st;
		if (!matched)
			return blt_fail(err, BLT_EUSAGE, "unknown option '%s'",
					argv[i]);
	}
	if (!o->upstream)
		return blt_fail(err, BLT_EUSAGE, "--upstream URL is required");
	if (!o->cassette)
		return blt_fail(err, BLT_EUSAGE, "--cassette FILE is required");
	return BLT_OK;
}
