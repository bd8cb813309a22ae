/* blt-cassette's subcommands and the helpers they share. */
#ifndef BLT_CASSETTE_TOOL_H
#define BLT_CASSETTE_TOOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "blt/buf.h"
#include "blt/cli.h"
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

/* The --help row that every subcommand's option table holds. */
#define TOOL_OPT_HELP 1000
#define TOOL_HELP_ROW {TOOL_OPT_HELP, "--help", 'h', CLI_FLAG, NULL, NULL}

/* A subcommand's command line: its usage text (printed by --help, and to
 * stderr after a usage error), its option table, and how many positional
 * arguments it takes. apply handles one option of the table (v is NULL for
 * a flag) and returns BLT_OK or a usage error in err. */
struct tool_cmdline {
	const char *name;
	const char *usage;
	const struct cli_opt *opts;
	size_t nopts;
	int min_args;
	int max_args;
	blt_status (*apply)(void *ctx, int id, const char *v,
			    struct blt_err *err);
	void *ctx;
};

/* Reads a subcommand's argv through cl. The positional arguments are moved
 * to argv[1..*nargs] in their order. Returns -1 to go on, 0 after --help,
 * 2 after a usage error (reported with the usage on stderr). */
int tool_parse_args(const struct tool_cmdline *cl, int argc, char **argv,
		    int *nargs);

/* tool_parse_args for a subcommand that takes only files (min_args to
 * max_args of them) and --help. */
int tool_parse_files(const char *name, const char *usage, int min_args,
		     int max_args, int argc, char **argv, int *nargs);

/* Reads and parses a JSON file (capped, depth-limited); on failure err says
 * "PATH:LINE:COLUMN: what". New reference or NULL. */
json_t *tool_load_json(const char *path, struct blt_err *err);

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
