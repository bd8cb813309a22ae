/* blt-cassette redact and recover: the in-place operations. */
#include <stdlib.h>
#include <string.h>

#include "blt/cassette.h"
#include "blt/journal.h"
#include "blt/redact.h"
#include "cassette_tool.h"

static const char redact_usage[] =
	"usage: blt-cassette redact FILE [--rule header:NAME | --rule "
	"json:/pointer]...\nRemoves credentials from FILE in place, "
	"atomically: credential headers,\ncredential parameters of "
	"request paths (presigned X-Amz-*, secret names),\nthe values "
	"of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
	"AWS_SESSION_TOKEN\nwherever they appear, and what the rules "
	"name (json pointers apply to\nrequest and response bodies; a "
	"'*' token matches every member).\n";

/* Builds the rules from the command line and the environment. Returns -1
 * to go on, 0 when --help was answered, 2 on a usage error (reported). */
static int redact_rules_from(int argc, char **argv, const char **file,
			     struct redact_rules *rules)
{
	const char **given = calloc((size_t)argc, sizeof(*given));
	size_t ngiven = 0;
	const struct tool_opt opts[] = {
		{"--rule", given, (size_t)argc, &ngiven}, {0}};
	struct blt_err err;
	int nfile = 0;
	int rc = given ? tool_args(argc, argv, redact_usage, opts, file, 1, 1,
				   &nfile)
		       : 2;

	for (size_t i = 0; rc < 0 && i < ngiven; i++)
		if (redact_rule_add(rules, given[i], &err)) {
			tool_error("redact", "%s", err.msg);
			rc = 2;
		}
	free(given);
	if (rc >= 0)
		return rc;
	if (redact_secrets_from_env(rules, &err))
		tool_error("redact", "warning: %s: it cannot be scrubbed",
			   err.msg);
	return -1;
}

int cmd_redact(int argc, char **argv)
{
	struct redact_rules rules;
	struct cassette *c = NULL;
	struct blt_err err;
	const char *file = NULL;
	size_t changed = 0;
	int rc;

	redact_rules_init(&rules);
	rc = redact_rules_from(argc, argv, &file, &rules);
	if (rc >= 0)
		goto done;
	rc = 2;
	if (cassette_load_file(file, &c, &err)) {
		tool_error("redact", "%s", err.msg);
		goto done;
	}
	for (size_t i = 0; i < cassette_count(c); i++)
		changed += redact_interaction(&rules, cassette_at(c, i)->obj,
					      NULL, 0);
	if (changed && cassette_save(c, file, &err)) {
		tool_error("redact", "%s", err.msg);
		goto done;
	}
	fprintf(stderr, "blt-cassette redact: %s: %zu value%s redacted\n",
		file, changed, changed == 1 ? "" : "s");
	rc = 0;
done:
	cassette_free(c);
	redact_rules_free(&rules);
	return rc;
}

int cmd_recover(int argc, char **argv)
{
	static const struct tool_opt none[] = {{0}};
	struct journal_recovery info;
	struct blt_err err;
	char journal[4096];
	const char *file = NULL;
	int nfile = 0;
	int rc = tool_args(argc, argv,
			   "usage: blt-cassette recover FILE\nTurns "
			   "FILE.journal, left by a recording that was killed, "
			   "into a valid\ncassette at FILE (merged with it when "
			   "the recording appended), then removes\nthe journal. "
			   "Exit 1 when there is no FILE.journal.\n",
			   none, &file, 1, 1, &nfile);

	if (rc >= 0)
		return rc;
	if (journal_path_for(file, journal, sizeof(journal), &err) ||
	    journal_recover_report(file, journal, &info, &err)) {
		tool_error("recover", "%s", err.msg);
		return err.code == BLT_ENOTFOUND ? 1 : 2;
	}
	fprintf(stderr, "blt-cassette recover: %s: %zu interaction%s "
		"recovered, %zu in the cassette%s%s\n", file,
		info.recovered, info.recovered == 1 ? "" : "s", info.total,
		info.dropped_partial ? "; a cut-off last line was dropped" : "",
		info.renumbered ? "; some ids were renumbered" : "");
	return 0;
}
