/* The command line of every blt binary: one option table, one iterator
 * over argv, one number parser that names the option in its errors, and
 * the option list of --help printed from the same table.
 *
 * Concurrency: a struct cli is used by one thread; the functions keep no
 * state outside it, so different command lines may be parsed at once. */
#ifndef BLT_CLI_H
#define BLT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blt/err.h"

/* What an option takes. */
enum cli_arg {
	CLI_FLAG,     /* nothing: "--strict"; "--strict=x" is an error */
	CLI_VALUE,    /* one value: "--opt VALUE", "--opt=VALUE", "-o VALUE",
		       * "-oVALUE"; the value may start with '-' */
	CLI_OPTIONAL, /* "--opt" alone, or "--opt=VALUE" (never the next
		       * argument) */
	CLI_LIST      /* one or more values: "--opt V1 V2 ..." or "--opt=V1
		       * V2 ...", up to the next argument that starts with
		       * '-'; cli_next returns the id once per value */
};

/* One row of an option table. A row with neither name nor short_name is a
 * heading that only cli_help prints. ids are the caller's (an enum), so
 * that the code names each option rather than its position in the table. */
struct cli_opt {
	int id;
	const char *name;    /* long name with its dashes ("--listen"), or
			      * NULL */
	char short_name;     /* 'o' for "-o", or 0 */
	enum cli_arg arg;
	const char *metavar; /* "FILE", shown by cli_help; NULL for none */
	const char *help;    /* lines separated by '\n'; NULL: not shown */
};

/* What cli_next returns besides an option's id (ids are >= 0). */
enum {
	CLI_END = -1,	   /* no arguments left */
	CLI_POSITIONAL = -2, /* an argument that is no option: *value */
	CLI_DASHDASH = -3, /* "--": cli_rest() holds what follows */
	CLI_ERROR = -4	   /* a usage error, in err (code BLT_EUSAGE) */
};

/* An iterator over argv[1..argc). All fields are private but first and
 * next: argv[first..next) are the arguments that the last cli_next call
 * read (the option itself and the value it took, as given). */
struct cli {
	int argc;
	char **argv;
	const struct cli_opt *opts;
	size_t nopts;
	int next;		     /* the next argv index to read */
	int first;		     /* where the last option started */
	const struct cli_opt *list;  /* a CLI_LIST taking more values */
	bool done;		     /* "--" was seen */
};

/* Starts reading argv[1..argc) with the table opts[0..nopts). Borrows argv
 * and opts for the iterator's life. */
void cli_init(struct cli *c, int argc, char **argv,
	      const struct cli_opt *opts, size_t nopts);

/* Reads the next argument. Returns the id of an option (*value is its
 * value, or NULL for a flag and an optional value not given), one of the
 * CLI_* codes above, or CLI_ERROR for an unknown option ("unknown option
 * '--x'"), a missing value ("--opt needs a value"), an empty one, or a
 * value given to a flag. *value points into argv. A lone "-" is a
 * positional argument (stdin or stdout to most tools). */
int cli_next(struct cli *c, const char **value, struct blt_err *err);

/* The arguments after "--" once cli_next returned CLI_DASHDASH (argv's own
 * NULL-terminated tail); *n gets how many. */
char **cli_rest(const struct cli *c, int *n);

/* The long name of the table's option id ("--listen"), for messages. The
 * id must be in the table. */
const char *cli_name(const struct cli_opt *opts, size_t nopts, int id);

/* Takes the argument after the current one as a value that the table does
 * not describe (a pass-through option's); NULL when there is none. */
const char *cli_take(struct cli *c);

/* Reads a whole decimal number from min to max (no sign, no spaces, no
 * trailing text). The error names the option: "--port: 'x' is not a
 * number between 0 and 65535" (BLT_EUSAGE). */
blt_status cli_uint(const char *opt, const char *text, uint64_t min,
		    uint64_t max, uint64_t *out, struct blt_err *err);

/* The same for a decimal fraction from min to max ("0.5", "1e3"). */
blt_status cli_real(const char *opt, const char *text, double min,
		    double max, double *out, struct blt_err *err);

/* Prints the table's rows that have help: "  -s, --name METAVAR", then the
 * help at column col (after two spaces when the left part reaches col),
 * each further help line indented to col (a help that starts with '\n'
 * starts on the next line). A heading row prints
 * its help as it is. */
void cli_help(FILE *out, const struct cli_opt *opts, size_t nopts, int col);

#endif
