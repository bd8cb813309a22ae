/* GEN-*: seeded random valid and invalid requests. A failure names the
 * seed and the request, so that it reproduces. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/rng.h"
#include "blt/schema.h"
#include "conform.h"


/* The count of requests judged and the seed, for the messages. */
struct gen_state {
	unsigned k;
	uint64_t seed;
};

/* Judges one answer to a valid request: 200, the schema, the page size
 * (the observers judge them too; GEN-VALID names the seed). */
static void judge_valid(struct check *ck, const struct creq *rq,
			const struct cresp *rs, void *arg)
{
	struct gen_state *g = arg;
	struct schema_violation v;
	json_t *req = json_loadb(rq->body, rq->len, 0, NULL);
	json_int_t max = json_integer_value(json_object_get(req, "MaxResults"));
	bool later = json_object_get(req, "NextToken") != NULL;
	size_t limit = max ? (size_t)max : CONFORM_PAGE_MAX;
	const json_t *tasks = json_object_get(rs->json, "BatchLoadTasks");
	unsigned k = ++g->k;

	json_decref(req);
	if ((rs->status != 200 || !rs->json) && later && rs->status >= 400 &&
	    rs->status < 500)
		check_fail_dep(ck, rq, rs,
			       "seed %" PRIu64 ", request %u: a later page "
			       "was refused",
			       g->seed, k);
	else if (rs->status != 200 || !rs->json)
		check_fail(ck, rq, rs,
			   "seed %" PRIu64 ", request %u: a valid request was "
			   "not answered 200 with JSON",
			   g->seed, k);
	else if (schema_validate(schema_builtin(SCHEMA_RESPONSE), rs->json, &v,
				 1))
		check_fail(ck, rq, rs,
			   "seed %" PRIu64 ", request %u: the body breaks the "
			   "response schema at '%s': %s",
			   g->seed, k, v.pointer, v.message);
	else if (json_array_size(tasks) > limit)
		check_fail(ck, rq, rs,
			   "seed %" PRIu64 ", request %u: %zu items, more than "
			   "%zu",
			   g->seed, k, json_array_size(tasks), limit);
}

/* One random walk of up to four pages: MaxResults 1..100 or absent, a
 * status or none, MaxResults changing between pages or not. */
static void random_walk(struct check *ck, struct blt_rng *r,
			struct gen_state *g)
{
	int seq[4];
	unsigned pages;
	const char *status;
	struct walk w;

	seq[0] = rng_below(r, 5) == 0
			 ? 0
			 : 1 + (int)rng_below(r, CONFORM_PAGE_MAX);
	status = rng_below(r, 3) == 0
			 ? NULL
			 : conform_statuses[rng_below(r, CONFORM_NSTATUSES)];
	pages = 1 + (unsigned)rng_below(r, 4);
	for (unsigned p = 1; p < pages; p++)
		seq[p] = rng_below(r, 2)
				 ? 1 + (int)rng_below(r, CONFORM_PAGE_MAX)
				 : seq[p - 1];
	struct walk_spec spec = {.max_seq = seq,
				 .nmax = pages,
				 .status = status,
				 .max_pages = pages,
				 .on_page = judge_valid,
				 .arg = g};
	walk_run(ck, &spec, &w);
	walk_free(&w);
}

Test(GEN, VALID)
{
	struct check ck;
	struct blt_rng r;
	struct gen_state g = {0};
	unsigned count;

	check_begin(&ck, "GEN-VALID");
	count = plan_gen_count("GEN-VALID", ck.level);
	g.seed = ck.cfg.seed;
	rng_seed(&r, ck.cfg.seed);
	while (g.k < count && check_can_send(&ck))
		random_walk(&ck, &r, &g);
	check_note(&ck, "seed %" PRIu64 ": %u valid requests", ck.cfg.seed,
		   g.k);
	check_coverage(&ck, "seed %" PRIu64 ": %u valid requests in walks of "
			    "up to 4 pages",
		       ck.cfg.seed, g.k);
	check_end(&ck);
}

/* A random string of n characters from set. */
static void rand_text(struct blt_rng *r, const char *set, size_t n,
		      char *out)
{
	size_t m = strlen(set);

	for (size_t i = 0; i < n; i++)
		out[i] = set[rng_below(r, m)];
	out[n] = '\0';
}

/* A MaxResults of the right type outside 1..100. */
static json_t *int_out_of_range(struct blt_rng *r, enum expect_kind *k)
{
	*k = EXPECT_VALIDATION;
	switch (rng_below(r, 4)) {
	case 0:
		return json_integer(-(json_int_t)rng_below(r, 2147483648u));
	case 1:
		return json_integer(101 + (json_int_t)rng_below(r, 900));
	case 2: {
		/* 101 .. 2^31-1, spread over the magnitudes */
		unsigned bits = 8 + (unsigned)rng_below(r, 24);
		json_int_t v = (json_int_t)(rng_next(r) >> (64 - bits));
		return json_integer(v < 101 ? 101 + v : v);
	}
	default:
		*k = EXPECT_VAL_OR_SER;
		return json_integer(2147483648LL +
				    (json_int_t)rng_below(r, 1ULL << 52));
	}
}

/* A value of a wrong JSON type for a member whose type is want ('i' for
 * integer, 's' for string). */
static json_t *wrong_type(struct blt_rng *r, char want)
{
	char text[16];

	switch (rng_below(r, 5)) {
	case 0:
		if (want == 'i') {
			rand_text(r, "0123456789", 1 + rng_below(r, 3), text);
			return json_string(text);
		}
		return json_integer((json_int_t)rng_below(r, 1000));
	case 1:
		return json_boolean(rng_below(r, 2));
	case 2:
		return json_pack("[i]", (int)rng_below(r, 100));
	case 3:
		return json_pack("{s:i}", "n", (int)rng_below(r, 100));
	default:
		return want == 'i'
			       ? json_real((double)rng_below(r, 100) + 0.5)
			       : json_real(1.5);
	}
}

/* A TaskStatus string that is not one of the six. */
static json_t *bad_status(struct blt_rng *r)
{
	static const char *const fixed[] = {"RUNNING", "created", "",
					    " CREATED", "CREATED ", "Failed",
					    "PAUSED", "PENDING-RESUME"};
	char text[24];

	if (rng_below(r, 2))
		return json_string(fixed[rng_below(r, 8)]);
	rand_text(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 1 + rng_below(r, 20),
		  text);
	for (size_t i = 0; i < CONFORM_NSTATUSES; i++)
		if (strcmp(text, conform_statuses[i]) == 0)
			text[0] = '_';
	return json_string(text);
}

/* One random invalid request: a valid base with one member broken. */
static json_t *invalid_request(struct blt_rng *r, enum expect_kind *k)
{
	json_t *o = json_object();
	char text[256];

	if (rng_below(r, 3) == 0)
		json_object_set_new(o, "TaskStatus",
				    json_string(conform_statuses[rng_below(
					r, CONFORM_NSTATUSES)]));
	if (rng_below(r, 3) == 0)
		json_object_set_new(
		    o, "MaxResults",
		    json_integer(1 + (json_int_t)rng_below(r, 100)));
	*k = EXPECT_VAL_OR_SER;
	switch (rng_below(r, 7)) {
	case 0:
	case 1:
		json_object_set_new(o, "MaxResults", int_out_of_range(r, k));
		break;
	case 2:
		json_object_set_new(o, "MaxResults", wrong_type(r, 'i'));
		break;
	case 3:
		*k = EXPECT_VALIDATION;
		json_object_set_new(o, "TaskStatus", bad_status(r));
		break;
	case 4:
		json_object_set_new(o, "TaskStatus", wrong_type(r, 's'));
		break;
	case 5:
		*k = EXPECT_VALIDATION;
		rand_text(r,
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789+/=-_.",
			  1 + rng_below(r, 200), text);
		json_object_set_new(o, "NextToken", json_string(text));
		break;
	default:
		json_object_set_new(o, "NextToken", wrong_type(r, 's'));
		break;
	}
	return o;
}

Test(GEN, INVALID)
{
	struct check ck;
	struct blt_rng r;
	unsigned k, count;
	char what[96];

	check_begin(&ck, "GEN-INVALID");
	rng_seed(&r, ck.cfg.seed ^ 0x5eedULL);
	count = plan_gen_count("GEN-INVALID", ck.level);
	for (k = 1; k <= count && check_can_send(&ck); k++) {
		enum expect_kind kind;
		json_t *o = invalid_request(&r, &kind);
		char *body = conform_body(o);
		snprintf(what, sizeof(what),
			 "seed %" PRIu64 ", invalid request %u",
			 ck.cfg.seed, k);
		expect_error_body(&ck, body, kind, what);
		free(body);
		json_decref(o);
	}
	check_note(&ck, "seed %" PRIu64 ": %u invalid requests", ck.cfg.seed,
		   k - 1);
	check_coverage(&ck, "seed %" PRIu64 ": %u invalid requests",
		       ck.cfg.seed, k - 1);
	check_end(&ck);
}
