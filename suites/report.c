/* The closing report: every deviation the checks recorded, then one line
 * per check of the catalogue, then the totals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

enum outcome { OUT_PASS, OUT_FAIL, OUT_WARN, OUT_SKIP };

struct record {
	enum outcome outcome;
	unsigned deviations;
	char reason[512];
	char *text; /* the check's report, or NULL */
	bool unfinished; /* did not run, start or finish: reason says why */
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *data = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *p = realloc(data, cap + 65536);
			if (!p)
				break;
			data = p;
			cap += 65536;
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	if (data)
		data[n] = '\0';
	return data;
}

/* Reads the record of check d. A check that left no marker was not
 * selected by a filter, or did not run at all (without a filter, or when
 * Criterion started it); a check that started and left no record did not
 * finish (a timeout or a crash). */
static void read_record(const struct runner *r, const struct check_def *d,
			struct record *rec)
{
	char path[CONFORM_PATH_MAX + 64];
	char *data, *p;

	memset(rec, 0, sizeof(*rec));
	snprintf(path, sizeof(path), "%s/%s.result", r->cfg.results, d->id);
	data = slurp(path);
	if (!data) {
		snprintf(path, sizeof(path), "%s/%s.started", r->cfg.results,
			 d->id);
		bool started = access(path, F_OK) == 0;
		snprintf(path, sizeof(path), "%s/%s.selected", r->cfg.results,
			 d->id);
		if (!started && r->filtered && access(path, F_OK) != 0) {
			rec->outcome = OUT_SKIP;
			snprintf(rec->reason, sizeof(rec->reason),
				 "not selected (--filter)");
			return;
		}
		rec->unfinished = true;
		if (!started) {
			rec->outcome = OUT_FAIL;
			rec->deviations = 1;
			snprintf(rec->reason, sizeof(rec->reason),
				 "did not run: the check left no record (its "
				 "process ended before the check started, or "
				 "the results directory %.200s is not "
				 "writable)",
				 r->cfg.results);
			return;
		}
		rec->outcome = (d->level == CHECK_MUST || r->cfg.strict)
				       ? OUT_FAIL
				       : OUT_WARN;
		rec->deviations = 1;
		snprintf(rec->reason, sizeof(rec->reason),
			 "the check did not finish (timed out after %d s or "
			 "crashed)",
			 r->backstop_s);
		return;
	}
	/* "nostart": the check could not start (check_begin) */
	rec->unfinished = strncmp(data, "nostart", 7) == 0;
	rec->outcome = strncmp(data, "pass", 4) == 0   ? OUT_PASS
		       : strncmp(data, "warn", 4) == 0 ? OUT_WARN
		       : strncmp(data, "skip", 4) == 0 ? OUT_SKIP
						       : OUT_FAIL;
	p = strchr(data, '\n');
	rec->deviations = p ? (unsigned)strtoul(p + 1, NULL, 10) : 0;
	p = p ? strchr(p + 1, '\n') : NULL;
	if (p) {
		char *end = strchr(p + 1, '\n');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		if (len >= sizeof(rec->reason))
			len = sizeof(rec->reason) - 1;
		memcpy(rec->reason, p + 1, len);
		rec->reason[len] = '\0';
		if (end)
			rec->text = strdup(end + 1);
	}
	free(data);
}

static const char *outcome_name(enum outcome o)
{
	static const char *const names[] = {"pass", "fail", "warn", "skipped"};
	return names[o];
}

static bool color_on(FILE *out)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fileno(out)) && !(nc && *nc);
}

static const char *outcome_color(enum outcome o)
{
	static const char *const colors[] = {"\033[32m", "\033[31m",
					     "\033[33m", "\033[36m"};
	return colors[o];
}

static void print_details(const struct runner *r, const struct check_def *d,
			  const struct record *rec)
{
	FILE *out = r->out;

	fprintf(out, "%s %s (%s): %s\n",
		rec->outcome == OUT_FAIL ? "FAIL" : "WARN", d->id,
		conform_level_name(d->level), d->requirement);
	if (rec->text && *rec->text)
		fputs(rec->text, out);
	else if (rec->reason[0])
		fprintf(out, "  - %s\n", rec->reason);
	fputc('\n', out);
}

static void print_summary_line(const struct runner *r,
			       const struct check_def *d,
			       const struct record *rec, bool color)
{
	char detail[600] = "";

	if (rec->outcome == OUT_SKIP || rec->unfinished)
		snprintf(detail, sizeof(detail), "  %s", rec->reason);
	else if (rec->outcome != OUT_PASS)
		snprintf(detail, sizeof(detail), "  %u deviation%s",
			 rec->deviations, rec->deviations == 1 ? "" : "s");
	fprintf(r->out, "  %-16s %-6s %s%-7s%s%s\n", d->id,
		conform_level_name(d->level),
		color ? outcome_color(rec->outcome) : "",
		outcome_name(rec->outcome), color ? "\033[0m" : "", detail);
}

int runner_report(struct runner *r)
{
	struct record *recs = calloc(conform_ncheck, sizeof(*recs));
	unsigned count[4] = {0};
	bool color = color_on(r->out);

	if (!recs)
		return 1;
	for (size_t i = 0; i < conform_ncheck; i++)
		read_record(r, &conform_checks[i], &recs[i]);
	for (size_t i = 0; i < conform_ncheck; i++)
		if (recs[i].outcome == OUT_FAIL || recs[i].outcome == OUT_WARN)
			print_details(r, &conform_checks[i], &recs[i]);
	fprintf(r->out, "blt-conform %s: %s (profile %s, compare %s, seed "
			"%llu%s)\n",
		BLT_VERSION, r->cfg.embedded ? "embedded blt-fake"
					     : r->cfg.target,
		awsjson_profile_name(r->cfg.profile),
		r->cfg.exact ? "exact" : "shape",
		(unsigned long long)r->cfg.seed,
		r->cfg.strict ? ", strict" : "");
	for (size_t i = 0; i < conform_ncheck; i++) {
		print_summary_line(r, &conform_checks[i], &recs[i], color);
		count[recs[i].outcome]++;
		free(recs[i].text);
	}
	fprintf(r->out, "%zu checks: %u pass, %u fail, %u warn, %u skipped\n",
		conform_ncheck, count[OUT_PASS], count[OUT_FAIL],
		count[OUT_WARN], count[OUT_SKIP]);
	fflush(r->out);
	free(recs);
	return count[OUT_FAIL] ? 1 : 0;
}
