/* Seeded fault injection shared by blt-fake and blt-proxy replay:
 * --inject throttle=P,internal=P,latency=MIN..MAX,reset=P,seed=N
 *
 * Concurrency: a spec is read-only once parsed; inject_decide depends only
 * on its arguments and may run in any number of threads at once. */
#ifndef BLT_INJECT_H
#define BLT_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "blt/err.h"

struct inject_spec {
	double throttle; /* probability of ThrottlingException, 0..1 */
	double internal; /* probability of InternalServerException, 0..1 */
	double reset;    /* probability of closing the connection unanswered */
	unsigned latency_min_ms;
	unsigned latency_max_ms;
	uint64_t seed;
};

enum inject_fault {
	INJECT_NONE,
	INJECT_THROTTLE,
	INJECT_INTERNAL,
	INJECT_RESET
};

/* Parses the --inject argument. Probabilities are numbers in [0, 1]
 * (a trailing % means percent); latency is MIN..MAX milliseconds or one
 * number; unknown keys, duplicate keys and probabilities summing over 1 are
 * errors that name the key. Unset keys are 0. */
blt_status inject_parse(const char *text, struct inject_spec *out,
			struct blt_err *err);

/* True when the spec injects anything at all. */
bool inject_active(const struct inject_spec *s);

/* The fault and the added latency for the request with this sequence
 * number (0, 1, 2, ... in arrival order). A pure function of the spec and n,
 * so a rerun with the same seed injects the same faults. */
enum inject_fault inject_decide(const struct inject_spec *s, uint64_t n,
				unsigned *latency_ms);

#endif
