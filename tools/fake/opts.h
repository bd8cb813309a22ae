/* blt-fake's command line. */
#ifndef FAKE_OPTS_H
#define FAKE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "blt/awsjson.h"
#include "blt/err.h"
#include "blt/inject.h"

#include "defects.h"

#define FAKE_LISTEN_DEFAULT "127.0.0.1:8080"
#define FAKE_GENERATE_DEFAULT 250
#define FAKE_SEED_DEFAULT 1
#define FAKE_TOKEN_TTL_DEFAULT (24 * 3600)
#define FAKE_THREADS_MAX 64

enum fake_source {
	FAKE_SOURCE_GENERATE, /* --generate N (the default, 250 tasks) */
	FAKE_SOURCE_TASKS,    /* --tasks FILE */
	FAKE_SOURCE_CASSETTE  /* --from-cassette FILE */
};

struct fake_opts {
	const char *listen;
	const char *advertise; /* --advertise URL, or NULL: the listening URL */
	unsigned threads;
	enum awsjson_profile profile;
	enum fake_source source;
	const char *data_path; /* --tasks or --from-cassette */
	size_t generate;
	uint64_t seed;
	const char *token_key;	  /* NULL: derived from the data */
	uint64_t token_ttl;	  /* seconds */
	const char *verify_sigv4; /* "AKID:SECRET" as given, or NULL */
	struct inject_spec inject;
	fake_defects defects;
	size_t body_max;
	bool list_defects; /* --defect list */
	bool help;
	bool version;
};

/* Fills o with the defaults, then applies argv[1..argc-1] (argv strings are
 * borrowed, not copied). Options take their value as the next argument or
 * after '='. BLT_EUSAGE with a message naming the option on any mistake:
 * unknown option, missing or bad value, two data sources. */
blt_status fake_opts_parse(int argc, char *const argv[], struct fake_opts *o,
			   struct blt_err *err);

/* Prints the --help text. */
void fake_opts_usage(FILE *out);

#endif
