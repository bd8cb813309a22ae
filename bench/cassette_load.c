/* bench/cassette_load.c: generates a cassette of N one-task pages and times
 * cassette_load on it (bench/cassette-load.sh drives it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cassette.h"
#include "blt/clock.h"

/* Writes one interaction as JSON.stringify(..., null, 2) would, in the
 * shape bench/replay-scale.sh generates (headers unsorted on purpose). */
static void put_item(FILE *f, long i, long n)
{
	fprintf(f,
		"    {\n      \"id\": %ld,\n      \"request\": {\n"
		"        \"method\": \"POST\",\n        \"path\": \"/\",\n"
		"        \"operation\": \"ListBatchLoadTasks\",\n"
		"        \"headers\": {\n"
		"          \"x-amz-target\": "
		"\"Timestream_20181101.ListBatchLoadTasks\",\n"
		"          \"content-type\": "
		"\"application/x-amz-json-1.0\"\n        },\n"
		"        \"body\": {\n          \"MaxResults\": 1",
		i);
	if (i > 1)
		fprintf(f, ",\n          \"NextToken\": \"tok-%ld\"", i - 1);
	fprintf(f,
		"\n        }\n      },\n      \"response\": {\n"
		"        \"status\": 200,\n        \"headers\": {\n"
		"          \"content-type\": "
		"\"application/x-amz-json-1.0\",\n"
		"          \"x-amzn-requestid\": \"req-%ld\"\n        },\n"
		"        \"body\": {\n          \"BatchLoadTasks\": [\n"
		"            {\n              \"TaskId\": \"T%010ld\",\n"
		"              \"TaskStatus\": \"SUCCEEDED\",\n"
		"              \"DatabaseName\": \"db\",\n"
		"              \"TableName\": \"tbl\",\n"
		"              \"CreationTime\": %ld,\n"
		"              \"LastUpdatedTime\": %ld\n            }\n"
		"          ]",
		i, i, 1735689600 + i, 1735689700 + i);
	if (i < n)
		fprintf(f, ",\n          \"NextToken\": \"tok-%ld\"", i);
	fprintf(f, "\n        }\n      },\n      \"token_from\": ");
	if (i > 1)
		fprintf(f, "%ld", i - 1);
	else
		fprintf(f, "null");
	fprintf(f, ",\n      \"elapsed_ms\": 1\n    }%s\n", i < n ? "," : "");
}

static int gen(long n, const char *path)
{
	FILE *f = fopen(path, "w");
	long i;

	if (!f) {
		perror(path);
		return 1;
	}
	fprintf(f, "{\n  \"blt_cassette\": 1,\n  \"meta\": {\n"
		   "    \"recorded_at\": \"2026-01-01T00:00:00.000Z\",\n"
		   "    \"upstream\": \"generated\",\n"
		   "    \"tool\": \"bench/cassette-load.sh\"\n  },\n"
		   "  \"interactions\": [\n");
	for (i = 1; i <= n; i++)
		put_item(f, i, n);
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : 1;
}

/* Loads path once by the given path ("whole" or "split", on threads
 * threads, 0 for the default) and prints the time in ms and the count; 1 on
 * a load error. */
static int load_once(const char *how, const char *path, unsigned threads)
{
	struct cassette_load_opts o = {.path = path, .threads = threads};
	struct blt_err err = {BLT_OK, ""};
	struct cassette *c = NULL;
	double t0;
	double t1;
	blt_status st;

	if (strcmp(how, "whole") == 0)
		o.parallel_min = SIZE_MAX;
	else if (strcmp(how, "split") != 0)
		return 2;
	t0 = clock_mono_ms();
	st = cassette_load(&o, &c, &err);
	t1 = clock_mono_ms();
	if (st) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%.1f %zu\n", t1 - t0, cassette_count(c));
	cassette_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(atol(argv[2]), argv[3]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "load") == 0)
		return load_once(argv[2], argv[3],
				 argc == 5 ? (unsigned)atoi(argv[4]) : 0);
	fprintf(stderr, "usage: bench_cassette_load gen N FILE\n"
			"       bench_cassette_load load whole|split FILE "
			"[THREADS]\n");
	return 2;
}
