/* blt-cassette redact and recover: the in-place operations. */
#include <stdlib.h>
#include <string.h>

#include "blt/cassette.h"
#include "blt/journal.h"
#include "blt/redact.h"
#include "cassette_tool.h"

static int redact_usage(FILE *to, int status)
{
	fputs("usage: blt-cassette redact FILE [--rule header:NAME | --rule "
	      "json:/pointer]...\nRemoves credentials from FILE in place, "
	      "atomically: credential headers,\ncredential parameters of "
	      "request paths (presigned X-Amz-*, secret names),\nthe values "
	      "of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
	      "AWS_SESSION_TOKEN\nwherever they appear, and what the rules "
	      "name (json pointers apply to\nrequest and response bodies; a "
	      "'*' token matches every member).\n", to);
	return status;
}

/* Builds the rules from the command line and the environment. Returns 0 to
 * go on, -1 when --help was answered, 2 on a usage error (reported). */
static int redact_rules_from(int argc, char **argv, const char **file,
			     struct redact_rules *rules)
{
	struct blt_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc) {
			if (redact_rule_add(rules, argv[++i], &err)) {
				tool_error("redact", "%s", err.msg);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0) {
			redact_usage(stdout, 0);
			return -1;
		} else if (argv[i][0] == '-' || *file) {
			tool_error("redact", "unexpected argument '%s'",
				   argv[i]);
			return redact_usage(stderr, 2);
		} else {
			*file = argv[i];
		}
	}
	if (!*file)
		return redact_usage(stderr, 2);
	if (redact_secrets_from_env(rules, &err))
		tool_error("redact", "warning: %s: it cannot be scrubbed",
			   err.msg);
	return 0;
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
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto done;
	}
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
	struct journal_recovery info;
	struct blt_err err;
	char journal[4096];

	if (argc != 2 || strcmp(argv[1], "--help") == 0) {
		fputs("usage: blt-cassette recover FILE\nTurns FILE.journal, "
		      "left by a recording that was killed, into a valid\n"
		      "cassette at FILE (merged with it when the recording "
		      "appended), then removes\nthe journal.\n",
		      argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : 2;
	}
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
