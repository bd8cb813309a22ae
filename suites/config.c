/* The runner's configuration, carried to the check processes through the
 * environment (Criterion starts every test in a fresh process). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conform.h"

#define ENV_PREFIX "BLT_CONFORM_"

static blt_status put(const char *name, const char *value,
		      struct blt_err *err)
{
	char key[64];

	snprintf(key, sizeof(key), ENV_PREFIX "%s", name);
	if (setenv(key, value, 1) != 0)
		return blt_fail(err, BLT_ENOMEM, "cannot set %s", key);
	return BLT_OK;
}

static const char *get(const char *name)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), ENV_PREFIX "%s", name);
	v = getenv(key);
	return v ? v : "";
}

static const char *const repeat_names[] = {"unknown", "yes", "no"};

/* The survey's facts: tasks, exactness, the six counts, repeat. */
static blt_status export_facts(const struct target_facts *f,
			       struct blt_err *err)
{
	char v[256];
	blt_status st;

	snprintf(v, sizeof(v), "%zu %d %zu %zu %zu %zu %zu %zu %s", f->tasks,
		 f->tasks_exact ? 1 : 0, f->per_status[0], f->per_status[1],
		 f->per_status[2], f->per_status[3], f->per_status[4],
		 f->per_status[5], repeat_names[f->repeat]);
	st = put("FACTS", v, err);
	st = st ? st : put("UNLISTED", f->unlisted, err);
	return st ? st : put("REPEAT_WHY", f->repeat_why, err);
}

static void import_facts(struct target_facts *f)
{
	char rep[16] = "";
	int exact = 0;

	memset(f, 0, sizeof(*f));
	if (sscanf(get("FACTS"), "%zu %d %zu %zu %zu %zu %zu %zu %15s",
		   &f->tasks, &exact, &f->per_status[0], &f->per_status[1],
		   &f->per_status[2], &f->per_status[3], &f->per_status[4],
		   &f->per_status[5], rep) != 9)
		return;
	f->tasks_exact = exact == 1;
	for (int i = 0; i < 3; i++)
		if (strcmp(rep, repeat_names[i]) == 0)
			f->repeat = (enum repeat_fact)i;
	snprintf(f->repeat_why, sizeof(f->repeat_why), "%s",
		 get("REPEAT_WHY"));
	snprintf(f->unlisted, sizeof(f->unlisted), "%s", get("UNLISTED"));
}

blt_status conform_config_export(const struct conform_config *cfg,
				 struct blt_err *err)
{
	char num[64];
	blt_status st = BLT_OK;

	st = st ? st : put("TARGET", cfg->target, err);
	st = st ? st : put("PROFILE", awsjson_profile_name(cfg->profile), err);
	st = st ? st : put("COMPARE", cfg->exact ? "exact" : "shape", err);
	st = st ? st : put("STRICT", cfg->strict ? "1" : "0", err);
	snprintf(num, sizeof(num), "%" PRIu64, cfg->seed);
	st = st ? st : put("SEED", num, err);
	st = st ? st : put("REGION", cfg->region, err);
	snprintf(num, sizeof(num), "%ld", cfg->timeout_ms);
	st = st ? st : put("TIMEOUT", num, err);
	st = st ? st : put("RESULTS", cfg->results, err);
	st = st ? st : put("FAKE", cfg->fake, err);
	st = st ? st : put("EMBEDDED", cfg->embedded ? "1" : "0", err);
	st = st ? st : put("CASSETTES", cfg->cassettes ? cfg->cassettes : "",
			   err);
	snprintf(num, sizeof(num), "%u", cfg->retries);
	st = st ? st : put("RETRIES", num, err);
	snprintf(num, sizeof(num), "%ld", cfg->backoff_ms);
	st = st ? st : put("BACKOFF", num, err);
	snprintf(num, sizeof(num), "%.17g", cfg->rate);
	st = st ? st : put("RATE", num, err);
	snprintf(num, sizeof(num), "%" PRIu64, cfg->max_requests);
	st = st ? st : put("MAX_REQUESTS", num, err);
	st = st ? st : put("FAIL_FAST", cfg->fail_fast ? "1" : "0", err);
	st = st ? st : put("PLAN", cfg->plan, err);
	snprintf(num, sizeof(num), "%" PRIu64, cfg->rep_requests);
	st = st ? st : put("REP_REQUESTS", num, err);
	return st ? st : export_facts(&cfg->facts, err);
}

void conform_config_free(struct conform_config *cfg)
{
	free(cfg->cassettes);
	cfg->cassettes = NULL;
}

blt_status conform_config_import(struct conform_config *cfg,
				 struct blt_err *err)
{
	blt_status st;

	memset(cfg, 0, sizeof(*cfg));
	if (!*get("TARGET") || !*get("RESULTS"))
		return blt_fail(err, BLT_EUSAGE,
				"the checks run inside blt-conform; start "
				"blt-conform, not a check on its own");
	st = conform_parse_target(cfg, get("TARGET"), err);
	if (st)
		return st;
	st = awsjson_profile_parse(get("PROFILE"), &cfg->profile, err);
	if (st)
		return st;
	cfg->exact = strcmp(get("COMPARE"), "shape") != 0;
	cfg->strict = strcmp(get("STRICT"), "1") == 0;
	cfg->seed = strtoull(get("SEED"), NULL, 10);
	snprintf(cfg->region, sizeof(cfg->region), "%s", get("REGION"));
	cfg->timeout_ms = strtol(get("TIMEOUT"), NULL, 10);
	if (cfg->timeout_ms <= 0)
		cfg->timeout_ms = CONFORM_TIMEOUT_DEFAULT_MS;
	snprintf(cfg->results, sizeof(cfg->results), "%s", get("RESULTS"));
	snprintf(cfg->fake, sizeof(cfg->fake), "%s", get("FAKE"));
	cfg->embedded = strcmp(get("EMBEDDED"), "1") == 0;
	cfg->cassettes = strdup(get("CASSETTES"));
	if (!cfg->cassettes)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	cfg->retries = (unsigned)strtoul(get("RETRIES"), NULL, 10);
	cfg->backoff_ms = strtol(get("BACKOFF"), NULL, 10);
	cfg->rate = strtod(get("RATE"), NULL);
	cfg->max_requests = strtoull(get("MAX_REQUESTS"), NULL, 10);
	cfg->fail_fast = strcmp(get("FAIL_FAST"), "1") == 0;
	snprintf(cfg->plan, sizeof(cfg->plan), "%s", get("PLAN"));
	cfg->rep_requests = strtoull(get("REP_REQUESTS"), NULL, 10);
	import_facts(&cfg->facts);
	cfg->sign = getenv("AWS_ACCESS_KEY_ID") && *getenv("AWS_ACCESS_KEY_ID")
		    && getenv("AWS_SECRET_ACCESS_KEY")
		    && *getenv("AWS_SECRET_ACCESS_KEY");
	return BLT_OK;
}

blt_status conform_parse_target(struct conform_config *cfg, const char *url,
				struct blt_err *err)
{
	const char *rest;
	size_t hostlen;
	const char *slash;

	if (strlen(url) >= sizeof(cfg->target))
		return blt_fail(err, BLT_EUSAGE, "--target: URL too long");
	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return blt_fail(err, BLT_EUSAGE,
				"--target '%s': not an http:// or https:// URL",
				url);
	slash = strchr(rest, '/');
	hostlen = slash ? (size_t)(slash - rest) : strlen(rest);
	if (hostlen == 0 || hostlen >= sizeof(cfg->host))
		return blt_fail(err, BLT_EUSAGE, "--target '%s': no host",
				url);
	for (size_t i = 0; i < hostlen; i++) {
		unsigned char c = (unsigned char)rest[i];
		if (c <= ' ' || c == '@' || c == '?' || c == '#' || c >= 127)
			return blt_fail(err, BLT_EUSAGE,
					"--target '%s': bad character in the "
					"host",
					url);
	}
	const char *colon = memchr(rest, ':', hostlen);
	if (colon && rest[0] != '[') {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (end != rest + hostlen || port < 1 || port > 65535)
			return blt_fail(err, BLT_EUSAGE,
					"--target '%s': bad port", url);
	}
	memcpy(cfg->host, rest, hostlen);
	cfg->host[hostlen] = '\0';
	snprintf(cfg->path, sizeof(cfg->path), "%s", slash ? slash : "/");
	if (strpbrk(cfg->path, "?# "))
		return blt_fail(err, BLT_EUSAGE,
				"--target '%s': a query or fragment is not "
				"supported",
				url);
	snprintf(cfg->target, sizeof(cfg->target), "%s", url);
	return BLT_OK;
}
