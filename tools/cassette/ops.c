/* blt-cassette redact and recover: the in-place operations. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "blt/cassette.h"
#include "blt/journal.h"
#include "blt/redact.h"
#include "cassette_tool.h"

enum { OPT_RULE };

static const char redact_usage[] =
	"usage: blt-cassette redact FILE [--rule header:NAME | --rule "
	"json:/pointer]...\nRemoves credentials from FILE in place, "
	"atomically: credential headers,\ncredential parameters of "
	"request paths (presigned X-Amz-*, secret names),\nthe values "
	"of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
	"AWS_SESSION_TOKEN\nwherever they appear, and what the rules "
	"name (json pointers apply to\nrequest and response bodies; a "
	"'*' token matches every member).\n";

static blt_status redact_apply(void *ctx, int id, const char *v,
			       struct blt_err *err)
{
	assert(id == OPT_RULE);
	return redact_rule_add(ctx, v, err) ? BLT_EUSAGE : BLT_OK;
}

/* Builds the rules from the command line and the environment. Returns -1
 * to go on, 0 when --help was answered, 2 on a usage error (reported). */
static int redact_rules_from(int argc, char **argv, const char **file,
			     struct redact_rules *rules)
{
	static const struct cli_opt opts[] = {
		TOOL_HELP_ROW,
		{OPT_RULE, "--rule", 0, CLI_VALUE, "RULE",
		 "header:NAME or json:/pointer (repeatable)"},
	};
	struct tool_cmdline cl = {"redact", redact_usage, opts, 2, 1, 1,
				  redact_apply, rules};
	struct blt_err err;
	int nargs;
	int rc = tool_parse_args(&cl, argc, argv, &nargs);

	if (rc >= 0)
		return rc;
	*file = argv[1];
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
	if (cassette_load(&(struct cassette_load_opts){.path = file}, &c,
			  &err)) {
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
	struct journal_recovery info;
	struct blt_err err;
	char journal[4096];
	int nargs;
	int rc = tool_parse_files(
		"recover",
		"usage: blt-cassette recover FILE\nTurns FILE.journal, "
		"left by a recording that was killed, into a valid\n"
		"cassette at FILE (merged with it when the recording "
		"appended), then removes\nthe journal. Exit 1 when there is "
		"no FILE.journal.\n",
		1, 1, argc, argv, &nargs);

	if (rc >= 0)
		return rc;
	if (journal_path_for(argv[1], journal, sizeof(journal), &err) ||
	    journal_recover_report(argv[1], journal, &info, &err)) {
		tool_error("recover", "%s", err.msg);
		return err.code == BLT_ENOTFOUND ? 1 : 2;
	}
	fprintf(stderr, "blt-cassette recover: %s: %zu interaction%s "
		"recovered, %zu in the cassette%s%s\n", argv[1],
		info.recovered, info.recovered == 1 ? "" : "s", info.total,
		info.dropped_partial ? "; a cut-off last line was dropped" : "",
		info.renumbered ? "; some ids were renumbered" : "");
	return 0;
}
