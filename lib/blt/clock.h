/* The injectable clock: wall time for stamps and tokens, monotonic time for
 * measuring. BLT_FAKE_TIME=SECONDS in the environment fixes the wall clock.
 *
 * Concurrency: every function may run in any number of threads at once. */
#ifndef BLT_CLOCK_H
#define BLT_CLOCK_H

#include <stddef.h>

/* Seconds since the epoch (fractional); BLT_FAKE_TIME when it is set. */
double clock_now(void);

/* Milliseconds of CLOCK_MONOTONIC, never going backwards: the time base of
 * a condition variable whose clock is CLOCK_MONOTONIC (lib/httpd.c's
 * timer). */
double clock_mono_ms(void);

/* Writes t as ISO 8601 UTC with milliseconds ("2026-11-28T18:20:17.000Z"). */
void clock_iso8601(double t, char out[32]);

#endif
