/* blt-proxy: dispatches to the record and replay modes. */
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static void usage(FILE *to)
{
	fputs("usage: blt-proxy record --upstream URL --cassette FILE "
	      "[options]\n"
	      "       blt-proxy replay --cassette FILE... [options] "
	      "[-- COMMAND ARGS...]\n"
	      "       blt-proxy record --help | replay --help | --version\n",
	      to);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "record") == 0)
		return record_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("blt-proxy %s\n", BLT_VERSION);
		return 0;
	}
	fprintf(stderr, "blt-proxy: unknown %s '%s' (record or replay)\n",
		argv[1][0] == '-' ? "option" : "mode", argv[1]);
	usage(stderr);
	return 2;
}
