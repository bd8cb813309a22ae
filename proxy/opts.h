/* Command-line helpers shared by blt-proxy's record and replay modes. */
#ifndef BLT_PROXY_OPTS_H
#define BLT_PROXY_OPTS_H

#include <stdbool.h>

/* Matches argv[*i] against the value option name ("--listen"): either
 * "--name VALUE", which consumes the next argument (*i advances past it),
 * or "--name=VALUE". Returns false, touching nothing, when argv[*i] is not
 * that option. On a match *value points into argv, or is NULL when "--name"
 * is the last argument. */
bool opts_value(int argc, char **argv, int *i, const char *name,
		const char **value);

#endif
