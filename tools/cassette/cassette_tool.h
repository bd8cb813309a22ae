/* blt-cassette's subcommands and the helpers they share. */
#ifndef BLT_CASSETTE_TOOL_H
#define BLT_CASSETTE_TOOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "blt/buf.h"
#include "blt/err.h"

/* Each subcommand gets argv with argv[0] naming it and returns the exit
 * status: 0 all good, 1 problems found (or a difference), 2 usage or I/O. */
int cmd_lint(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_export_har(int argc, char **argv);
int cmd_import_har(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_recover(int argc, char **argv);

/* One option of a subcommand. A flag (values NULL) counts in *n; an option
 * with a value ("-o OUT", "--rule R" or "--rule=R") stores each value,
 * borrowed from argv, in values[*n] and may be given at most max times. */
struct tool_opt {
	const char *name;
	const char **values;
	size_t max;
	size_t *n;
};

/* Reads a subcommand's command line (argv[0] names it) the one way every
 * subcommand does: --help or -h prints usage to stdout; each option of opts
 * (the list ends with a NULL name); every other argument that starts with
 * '-' (but "-" itself) is an unknown option, never a file name; after "--"
 * every argument is positional. The positional arguments go to pos (room
 * for maxpos), their number to *npos. Returns -1 to go on, 0 when the help
 * was printed, 2 on a usage error (reported on stderr, naming the argument;
 * a wrong number of positional arguments prints usage there too). */
int tool_args(int argc, char **argv, const char *usage,
	      const struct tool_opt *opts, const char **pos, int minpos,
	      int maxpos, int *npos);

/* Reads and parses a JSON file (capped, depth-limited); on failure err says
 * "PATH:LINE:COLUMN: what". New reference or NULL. */
json_t *tool_load_json(const char *path, struct blt_err *err);

/* Appends "/token" to a JSON pointer held in out, escaping '~' and '/'
 * as RFC 6901 says. */
void tool_pointer_push(char *out, size_t outsz, const char *token);

/* Appends "/N". */
void tool_pointer_index(char *out, size_t outsz, size_t n);

/* Writes bytes to path atomically, or to stdout when path is "-". */
blt_status tool_write_out(const char *path, const char *bytes, size_t len,
			  struct blt_err *err);

/* Prints "blt-cassette SUB: message" to stderr. */
void tool_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The NextToken member of a message's JSON body, or NULL. Borrowed. */
const char *tool_body_token(const json_t *message);

/* The error type of a recorded response by SPEC section 2 (header, then
 * __type, then code). False for a status below 300 or when none is
 * readable. */
bool tool_error_type(const json_t *response, char *out, size_t outsz);

struct cassette;

/* Calls fn for every task of every response's BatchLoadTasks, in order. */
void tool_foreach_task(const struct cassette *c,
		       void (*fn)(json_t *task, void *arg), void *arg);

#endif
