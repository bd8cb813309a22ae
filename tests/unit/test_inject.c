/* Unit tests for seeded fault injection. */
#include <criterion/criterion.h>
#include <string.h>

#include "blt/inject.h"

Test(inject, parse_full_spec)
{
	struct inject_spec s;
	struct blt_err err;

	cr_assert_eq(inject_parse("throttle=0.1,internal=5%,latency=10..50,"
				  "reset=0.01,seed=42", &s, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_float_eq(s.throttle, 0.1, 1e-12);
	cr_assert_float_eq(s.internal, 0.05, 1e-12);
	cr_assert_float_eq(s.reset, 0.01, 1e-12);
	cr_assert_eq(s.latency_min_ms, 10);
	cr_assert_eq(s.latency_max_ms, 50);
	cr_assert_eq(s.seed, 42);
	cr_assert(inject_active(&s));
	cr_assert_eq(inject_parse("latency=7", &s, &err), BLT_OK);
	cr_assert_eq(s.latency_min_ms, 7);
	cr_assert_eq(s.latency_max_ms, 7);
	cr_assert_eq(inject_parse("seed=3", &s, &err), BLT_OK);
	cr_assert_not(inject_active(&s));
}

static void expect_bad(const char *spec, const char *fragment)
{
	struct inject_spec s;
	struct blt_err err = {0};

	cr_assert_eq(inject_parse(spec, &s, &err), BLT_EUSAGE,
		     "'%s' was accepted", spec);
	cr_assert(strstr(err.msg, fragment), "'%s': message '%s' lacks '%s'",
		  spec, err.msg, fragment);
}

Test(inject, parse_errors_name_the_key)
{
	expect_bad("", "empty");
	expect_bad("throttle=2", "throttle=2");
	expect_bad("throttle=-0.1", "throttle");
	expect_bad("throttle=abc", "probability");
	expect_bad("bogus=1", "unknown key 'bogus'");
	expect_bad("throttle=0.1,throttle=0.2", "'throttle' given twice");
	expect_bad("latency=50..10", "latency=50..10");
	expect_bad("latency=x", "MIN..MAX");
	expect_bad("seed=-1", "seed=-1");
	expect_bad("throttle", "KEY=VALUE");
	expect_bad("throttle=0.6,internal=0.6", "more than 1");
}

Test(inject, decisions_are_deterministic_and_near_p)
{
	struct inject_spec s;
	struct blt_err err;
	int count[4] = {0};
	unsigned lat;

	cr_assert_eq(inject_parse("throttle=0.2,internal=0.1,reset=0.05,"
				  "latency=5..9,seed=7", &s, &err), BLT_OK);
	for (uint64_t n = 0; n < 20000; n++) {
		enum inject_fault f = inject_decide(&s, n, &lat);
		unsigned lat2;

		cr_assert_eq(f, inject_decide(&s, n, &lat2));
		cr_assert_eq(lat, lat2);
		cr_assert(lat >= 5 && lat <= 9);
		count[f]++;
	}
	cr_assert(count[INJECT_THROTTLE] > 3700 && count[INJECT_THROTTLE] < 4300,
		  "%d", count[INJECT_THROTTLE]);
	cr_assert(count[INJECT_INTERNAL] > 1750 && count[INJECT_INTERNAL] < 2250,
		  "%d", count[INJECT_INTERNAL]);
	cr_assert(count[INJECT_RESET] > 800 && count[INJECT_RESET] < 1200,
		  "%d", count[INJECT_RESET]);
	s.seed = 8;
	int same = 0;
	for (uint64_t n = 0; n < 1000; n++) {
		struct inject_spec t = s;
		t.seed = 7;
		same += inject_decide(&s, n, NULL) == inject_decide(&t, n, NULL);
	}
	cr_assert_lt(same, 1000, "another seed gives other faults");
}
