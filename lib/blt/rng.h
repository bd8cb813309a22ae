/* A small deterministic random generator (xoshiro256**, seeded by splitmix64).
 *
 * Concurrency: a generator belongs to one thread; rng_mix keeps no state
 * and may run anywhere. */
#ifndef BLT_RNG_H
#define BLT_RNG_H

#include <stdint.h>

struct blt_rng {
	uint64_t s[4];
};

/* Seeds r; the same seed always yields the same sequence on every machine. */
void rng_seed(struct blt_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(struct blt_rng *r);

/* A uniform integer in [0, n); n must be > 0. */
uint64_t rng_below(struct blt_rng *r, uint64_t n);

/* A uniform double in [0, 1). */
double rng_unit(struct blt_rng *r);

/* A stateless mix of two words (splitmix64 finaliser), for per-request
 * decisions that must not depend on thread scheduling. */
uint64_t rng_mix(uint64_t a, uint64_t b);

#endif
