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
	size_t n;

	/* strftime bounds the date part whatever the year; the milliseconds
	 * take exactly six more bytes. A date that does not fit (a year past
	 * 9999 and more) leaves an empty string, never a cut one. */
	out[0] = '\0';
	if (!gmtime_r(&secs, &tm))
		return;
	n = strftime(out, 32 - 6, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return;
	snprintf(out + n, 32 - n, ".%03dZ", ms < 0 ? 0 : ms % 1000);
}
