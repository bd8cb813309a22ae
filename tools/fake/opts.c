/* Parsing of blt-fake's command line. */
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blt/sigv4.h"
#include "tasks.h"
#include "token.h"

void fake_opts_usage(FILE *out)
{
	fputs("usage: blt-fake [OPTIONS]\n"
	      "Serves ListBatchLoadTasks and DescribeEndpoints (Timestream "
	      "Write, AWS JSON 1.0)\nfrom a fixed data set.\n\n"
	      "Data (one of; the default is --generate 250 --seed 1):\n"
	      "  --tasks FILE          a JSON array of BatchLoadTask "
	      "objects\n"
	      "  --generate N          N deterministic tasks from --seed\n"
	      "  --from-cassette FILE  the tasks in a cassette's 200 "
	      "responses\n"
	      "  --seed S              seed of --generate and of request "
	      "ids (default 1)\n\n"
	      "Serving:\n"
	      "  --listen HOST:PORT    default 127.0.0.1:8080; port 0 "
	      "picks a free one\n"
	      "  --advertise URL       the address DescribeEndpoints gives "
	      "(default: the\n"
	      "                        listening URL); http://HOST:PORT or "
	      "https://HOST[:PORT]\n"
	      "  --threads N           worker threads (default 1)\n"
	      "  --profile P           documented (default) or smithy "
	      "error statuses\n"
	      "  --max-body BYTES      request body cap (default 1048576; "
	      "413 beyond)\n"
	      "  --token-ttl T         NextToken lifetime: 90s, 15m, 24h "
	      "or seconds (default 24h)\n"
	      "  --token-key SECRET    NextToken HMAC key (default: derived "
	      "from the data,\n"
	      "                        so tokens are unforgeable only with "
	      "a secret key)\n"
	      "  --verify-sigv4 AKID:SECRET  require SigV4 signatures by "
	      "this key\n"
	      "  --inject SPEC         faults: throttle=P,internal=P,"
	      "latency=MIN..MAX,reset=P,seed=N\n"
	      "  --defect NAME[,NAME]  deliberate deviations; "
	      "'--defect list' prints them\n\n"
	      "  --help, --version\n\n"
	      "Exit status: 0 after SIGINT or SIGTERM, 1 when the server "
	      "cannot start,\n2 for a usage or data error.\n",
	      out);
}

/* Takes the value of option name: after '=' in arg, else the next
 * argument. */
static blt_status take_value(const char *arg, const char *name, int argc,
			     char *const argv[], int *i, const char **value,
			     struct blt_err *err)
{
	size_t n = strlen(name);

	if (arg[n] == '=') {
		*value = arg + n + 1;
		return BLT_OK;
	}
	if (*i + 1 >= argc)
		return blt_fail(err, BLT_EUSAGE, "%s needs a value", name);
	*value = argv[++*i];
	return BLT_OK;
}

/* True when arg is the option name, alone or followed by '='. */
static bool is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static blt_status parse_uint(const char *name, const char *v,
			     unsigned long long min, unsigned long long max,
			     unsigned long long *out, struct blt_err *err)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (*v < '0' || *v > '9')
		goto bad;
	x = strtoull(v, &end, 10);
	if (errno || *end || x < min || x > max)
		goto bad;
	*out = x;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"%s: '%s' is not a whole number from %llu to %llu",
			name, v, min, max);
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
static blt_status apply_source(struct fake_opts *o, const char *name,
			       const char *v, bool *chosen, struct blt_err *err)
{
	unsigned long long x = 0;

	if (!strcmp(name, "--generate")) {
		if (set_source(o, chosen, FAKE_SOURCE_GENERATE, name, err) ||
		    parse_uint(name, v, 0, FAKE_GENERATE_MAX, &x, err))
			return BLT_EUSAGE;
		o->generate = (size_t)x;
		return BLT_OK;
	}
	if (set_source(o, chosen,
		       !strcmp(name, "--tasks") ? FAKE_SOURCE_TASKS
						: FAKE_SOURCE_CASSETTE,
		       name, err))
		return BLT_EUSAGE;
	o->data_path = v;
	return BLT_OK;
}

/* Applies the numeric options: --threads, --seed, --max-body. */
static blt_status apply_number(struct fake_opts *o, const char *name,
			       const char *v, struct blt_err *err)
{
	unsigned long long x = 0;

	if (!strcmp(name, "--threads")) {
		if (parse_uint(name, v, 1, FAKE_THREADS_MAX, &x, err))
			return BLT_EUSAGE;
		o->threads = (unsigned)x;
	} else if (!strcmp(name, "--seed")) {
		if (parse_uint(name, v, 0, UINT64_MAX, &x, err))
			return BLT_EUSAGE;
		o->seed = x;
	} else {
		if (parse_uint(name, v, 1024, 64 * 1024 * 1024, &x, err))
			return BLT_EUSAGE;
		o->body_max = (size_t)x;
	}
	return BLT_OK;
}

/* Applies one option with a value. */
static blt_status apply(struct fake_opts *o, const char *name, const char *v,
			bool *chosen, struct blt_err *err)
{
	blt_status st = BLT_OK;

	if (!strcmp(name, "--tasks") || !strcmp(name, "--from-cassette") ||
	    !strcmp(name, "--generate"))
		st = apply_source(o, name, v, chosen, err);
	else if (!strcmp(name, "--threads") || !strcmp(name, "--seed") ||
		 !strcmp(name, "--max-body"))
		st = apply_number(o, name, v, err);
	else if (!strcmp(name, "--listen"))
		o->listen = v;
	else if (!strcmp(name, "--advertise")) {
		o->advertise = v;
		if (awsjson_advertise_check(v, err))
			st = blt_err_prefix(err, "--advertise");
	} else if (!strcmp(name, "--profile") &&
		   awsjson_profile_parse(v, &o->profile, err))
		st = blt_fail(err, BLT_EUSAGE,
			      "--profile: '%s' is not documented or smithy", v);
	else if (!strcmp(name, "--token-key")) {
		o->token_key = v;
		if (!*v)
			st = blt_fail(err, BLT_EUSAGE,
				      "--token-key: the key is empty");
	} else if (!strcmp(name, "--token-ttl") &&
		   fake_parse_duration(v, &o->token_ttl, err))
		st = blt_err_prefix(err, "--token-ttl");
	else if (!strcmp(name, "--verify-sigv4")) {
		o->verify_sigv4 = v;
		st = check_keypair(v, err);
	} else if (!strcmp(name, "--inject"))
		st = inject_parse(v, &o->inject, err);
	else if (!strcmp(name, "--defect") && !strcmp(v, "list"))
		o->list_defects = true;
	else if (!strcmp(name, "--defect"))
		st = fake_defects_parse(v, &o->defects, err);
	if (st && err)
		err->code = BLT_EUSAGE;
	return st ? BLT_EUSAGE : BLT_OK;
}

static const char *const valued[] = {
    "--listen",	       "--threads",   "--profile",	"--tasks",
    "--from-cassette", "--generate",  "--seed",		"--max-body",
    "--token-key",     "--token-ttl", "--verify-sigv4", "--inject",
    "--defect",	       "--advertise",
};

blt_status fake_opts_parse(int argc, char *const argv[], struct fake_opts *o,
			   struct blt_err *err)
{
	bool chosen = false;

	set_defaults(o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *v = NULL;
		size_t k;
		blt_status st;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			o->help = true;
			continue;
		}
		if (!strcmp(arg, "--version")) {
			o->version = true;
			continue;
		}
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			if (is_opt(arg, valued[k]))
				break;
		if (k == sizeof(valued) / sizeof(valued[0]))
			return blt_fail(err, BLT_EUSAGE,
					"unknown option '%s' (see --help)",
					arg);
		st = take_value(arg, valued[k], argc, argv, &i, &v, err);
		if (st == BLT_OK)
			st = apply(o, valued[k], v, &chosen, err);
		if (st)
			return st;
	}
	return BLT_OK;
}
