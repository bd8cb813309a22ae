/* The injectable clock. */
#include "blt/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double clock_now(void)
{
	const char *fixed = getenv("BLT_FAKE_TIME");
	struct timespec ts;

	if (fixed && *fixed) {
		char *end;
		double t = strtod(fixed, &end);

		if (*end == '\0')
			return t;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void clock_iso8601(double t, char out[32])
{
	time_t secs = (time_t)t;
	int ms = (int)((t - (double)secs) * 1000.0);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ms < 0 ? 0 : ms % 1000);
}
