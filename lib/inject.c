/* Seeded fault injection shared by blt-fake and blt-proxy replay. */
#include "blt/inject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/rng.h"

#define LATENCY_MAX_MS 600000u

/* Parses a probability: a number in [0, 1], or a percentage "5%". */
static blt_status parse_prob(const char *key, const char *val, double *out,
			     struct blt_err *err)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(val, &end);
	if (end == val || errno)
		goto bad;
	if (*end == '%') {
		p /= 100.0;
		end++;
	}
	if (*end != '\0' || !(p >= 0.0 && p <= 1.0))
		goto bad;
	*out = p;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"--inject %s=%s: expected a probability from 0 to 1 "
			"(or 0%% to 100%%)", key, val);
}

static blt_status parse_ms(const char *text, const char **end_out,
			   unsigned *out)
{
	char *end;
	unsigned long v;

	if (*text < '0' || *text > '9')
		return BLT_EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || v > LATENCY_MAX_MS)
		return BLT_EINVAL;
	if (strncmp(end, "ms", 2) == 0)
		end += 2;
	*out = (unsigned)v;
	*end_out = end;
	return BLT_OK;
}

/* Parses "MIN..MAX" or "N" milliseconds. */
static blt_status parse_latency(const char *val, struct inject_spec *s,
				struct blt_err *err)
{
	const char *p;

	if (parse_ms(val, &p, &s->latency_min_ms))
		goto bad;
	s->latency_max_ms = s->latency_min_ms;
	if (strncmp(p, "..", 2) == 0 &&
	    parse_ms(p + 2, &p, &s->latency_max_ms))
		goto bad;
	if (*p != '\0' || s->latency_max_ms < s->latency_min_ms)
		goto bad;
	return BLT_OK;
bad:
	return blt_fail(err, BLT_EUSAGE,
			"--inject latency=%s: expected MIN..MAX milliseconds "
			"(MIN <= MAX <= %u), e.g. latency=5..50", val,
			LATENCY_MAX_MS);
}

static blt_status parse_seed(const char *val, uint64_t *out,
			     struct blt_err *err)
{
	char *end;

	errno = 0;
	*out = strtoull(val, &end, 10);
	if (end == val || *end != '\0' || errno || *val == '-')
		return blt_fail(err, BLT_EUSAGE,
				"--inject seed=%s: expected a whole number",
				val);
	return BLT_OK;
}

static const char *const keys[] = {"throttle", "internal", "reset",
				   "latency", "seed"};

/* Applies one key=value pair; seen tracks duplicates by key index. */
static blt_status apply_pair(char *pair, struct inject_spec *s,
			     unsigned *seen, struct blt_err *err)
{
	char *eq = strchr(pair, '=');
	int k;

	if (!eq)
		return blt_fail(err, BLT_EUSAGE,
				"--inject: '%s' is not KEY=VALUE", pair);
	*eq = '\0';
	for (k = 0; k < 5 && strcmp(pair, keys[k]) != 0; k++)
		;
	if (k == 5)
		return blt_fail(err, BLT_EUSAGE,
				"--inject: unknown key '%s' (throttle, "
				"internal, reset, latency, seed)", pair);
	if (*seen & (1u << k))
		return blt_fail(err, BLT_EUSAGE,
				"--inject: key '%s' given twice", pair);
	*seen |= 1u << k;
	switch (k) {
	case 0: return parse_prob(pair, eq + 1, &s->throttle, err);
	case 1: return parse_prob(pair, eq + 1, &s->internal, err);
	case 2: return parse_prob(pair, eq + 1, &s->reset, err);
	case 3: return parse_latency(eq + 1, s, err);
	default: return parse_seed(eq + 1, &s->seed, err);
	}
}

blt_status inject_parse(const char *text, struct inject_spec *out,
			struct blt_err *err)
{
	struct inject_spec s = {0};
	unsigned seen = 0;
	char *copy = strdup(text ? text : "");
	char *save = NULL;
	blt_status st = BLT_OK;

	if (!copy)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	if (*copy == '\0')
		st = blt_fail(err, BLT_EUSAGE, "--inject: empty specification");
	for (char *pair = strtok_r(copy, ",", &save); !st && pair;
	     pair = strtok_r(NULL, ",", &save))
		st = apply_pair(pair, &s, &seen, err);
	if (!st && s.throttle + s.internal + s.reset > 1.0 + 1e-9)
		st = blt_fail(err, BLT_EUSAGE,
			      "--inject: throttle + internal + reset add up "
			      "to more than 1");
	free(copy);
	if (!st)
		*out = s;
	return st;
}

bool inject_active(const struct inject_spec *s)
{
	return s->throttle > 0 || s->internal > 0 || s->reset > 0 ||
	       s->latency_max_ms > 0;
}

enum inject_fault inject_decide(const struct inject_spec *s, uint64_t n,
				unsigned *latency_ms)
{
	double u = (double)(rng_mix(s->seed, 2 * n) >> 11) * 0x1.0p-53;
	unsigned span = s->latency_max_ms - s->latency_min_ms + 1;

	if (latency_ms)
		*latency_ms = s->latency_min_ms +
			      (unsigned)(rng_mix(s->seed, 2 * n + 1) % span);
	if (u < s->throttle)
		return INJECT_THROTTLE;
	if (u < s->throttle + s->internal)
		return INJECT_INTERNAL;
	if (u < s->throttle + s->internal + s->reset)
		return INJECT_RESET;
	return INJECT_NONE;
}
