/* The catalogue of planted defects and the parser of --defect arguments. */
#include "defects.h"

#include <string.h>

#include "blt/buf.h"

/* Keep in step with docs/defects.md: a test compares the two. */
static const struct fake_defect_info catalogue[FAKE_D_COUNT] = {
    [FAKE_D_PAGE_OVERFLOW] =
	{"page-overflow", "PAG-SIZE", "must",
	 "a page that is not the last carries MaxResults+1 items"},
    [FAKE_D_TOKEN_CYCLE] =
	{"token-cycle", "PAG-END", "must",
	 "the last page carries a NextToken that leads back to the "
	 "first page"},
    [FAKE_D_DUP_ACROSS_PAGES] =
	{"dup-across-pages", "PAG-DUP", "must",
	 "each page after the first starts with the previous page's "
	 "last item (when MaxResults is above 1)"},
    [FAKE_D_DROP_ON_ODD] =
	{"drop-on-odd", "PAG-COMPLETE", "must",
	 "with an odd MaxResults above 1, one item at each page "
	 "boundary is skipped"},
    [FAKE_D_FILTER_LEAK] =
	{"filter-leak", "PAG-FILTER", "must",
	 "a TaskStatus filter of CREATED also returns IN_PROGRESS "
	 "tasks"},
    [FAKE_D_RESIZE_LOSS] =
	{"resize-loss", "PAG-RESIZE", "must",
	 "the token records the page number, so a changed MaxResults "
	 "skips or repeats items"},
    [FAKE_D_BADTOKEN_RESTART] =
	{"badtoken-restart", "PAG-BADTOKEN", "must",
	 "an unreadable NextToken restarts the walk with a 200"},
    [FAKE_D_REJECT_100] = {"reject-100", "RNG-EDGE", "must",
			   "MaxResults 100 is a ValidationException"},
    [FAKE_D_ACCEPT_101] =
	{"accept-101", "RNG-OUT", "must",
	 "MaxResults from 101 up to 1000 is accepted and treated as "
	 "100"},
    [FAKE_D_COERCE_STRING] =
	{"coerce-string", "RNG-TYPE", "must",
	 "MaxResults given as a JSON string of digits is accepted"},
    [FAKE_D_PAUSED_STATUS] =
	{"paused-status", "ENU-RESP", "must",
	 "PENDING_RESUME tasks are reported with the status \"PAUSED\""},
    [FAKE_D_REJECT_FILTER] =
	{"reject-filter", "ENU-FILTER", "must",
	 "PENDING_RESUME as a filter is a ValidationException"},
    [FAKE_D_LOOSE_ENUM] = {"loose-enum", "ENU-BAD", "must",
			   "the filter is compared without regard to case or "
			   "surrounding blanks"},
    [FAKE_D_UNTYPED_ERRORS] =
	{"untyped-errors", "ERR-TYPE", "must",
	 "error responses carry neither x-amzn-ErrorType nor __type "
	 "nor code"},
    [FAKE_D_STATUS_422] = {"status-422", "ERR-STATUS", "must",
			   "ValidationException is sent with status 422"},
    [FAKE_D_JSON_500] =
	{"json-500", "ERR-JSON", "must",
	 "a malformed JSON body is an InternalServerException (500)"},
    [FAKE_D_TARGET_IGNORED] =
	{"target-ignored", "ERR-TARGET", "must",
	 "an unknown X-Amz-Target is served as ListBatchLoadTasks"},
    [FAKE_D_TYPE_500] = {"type-500", "ERR-NO5XX", "must",
			 "a TaskStatus that is not a JSON string is an "
			 "InternalServerException (500)"},
    [FAKE_D_LOWERCASE_IDS] = {"lowercase-ids", "SCH-RESP", "must",
			      "TaskIds are sent in lower case"},
    [FAKE_D_JSON_CTYPE] = {"json-ctype", "HDR-CTYPE", "must",
			   "responses carry Content-Type application/json"},
    [FAKE_D_ENUM_AS_SERIALIZATION] =
	{"enum-as-serialization", "REP-STATUS", "must",
	 "an invalid TaskStatus filter is a SerializationException"},
    [FAKE_D_DRIFT_TIMES] =
	{"drift-times", "REP-BODY", "must",
	 "LastUpdatedTime is one second later than the data says"},
    [FAKE_D_MID_RANGE_500] =
	{"mid-range-500", "GEN-VALID", "must",
	 "MaxResults from 41 to 59 is an InternalServerException (500)"},
    [FAKE_D_ACCEPT_HUGE] =
	{"accept-huge", "GEN-INVALID", "must",
	 "MaxResults from 200 up to 2147483647 is accepted and treated "
	 "as 100"},
    [FAKE_D_UNSTABLE_ORDER] =
	{"unstable-order", "PAG-ORDER", "should",
	 "the order of tasks depends on MaxResults: a walk that starts "
	 "with an even MaxResults is served back to front"},
    [FAKE_D_REPEAT_DIFFERS] =
	{"repeat-differs", "PAG-REPEAT", "should",
	 "resending a request with the same token returns the "
	 "following page (blt-fake remembers the tokens it was sent)"},
    [FAKE_D_FILTER_TOKEN_REUSE] = {"filter-token-reuse", "PAG-FILTERTOKEN",
				   "should",
				   "a token is accepted with any TaskStatus"},
    [FAKE_D_NO_MESSAGE] = {"no-message", "ERR-MSG", "should",
			   "error bodies carry no message"},
    [FAKE_D_TIME_INVERSION] = {"time-inversion", "SCH-TIME", "should",
			       "CreationTime is later than LastUpdatedTime"},
    [FAKE_D_NO_REQUEST_ID] = {"no-request-id", "HDR-REQID", "should",
			      "responses carry no x-amzn-RequestId"},
    [FAKE_D_LATER_PAGE_RANGE] =
	{"later-page-range", "RNG-OUT", "must",
	 "MaxResults is checked on first pages only: with a NextToken, "
	 "values below 1 are served as 1 and values above 100 as 100"},
    [FAKE_D_STICKY_MAX] =
	{"sticky-max", "PAG-RESIZE", "must",
	 "later pages keep the MaxResults of the walk's first page, "
	 "whatever the request says"},
    [FAKE_D_MISSING_TARGET] =
	{"missing-target", "ERR-TARGET", "must",
	 "a request without X-Amz-Target, or with an empty one, is served "
	 "as ListBatchLoadTasks"},
    [FAKE_D_FILTERED_CYCLE] =
	{"filtered-cycle", "PAG-END", "must",
	 "in a walk with a TaskStatus filter, the last page carries a "
	 "NextToken that leads back to the first page"},
    [FAKE_D_SINGLE_USE_TOKENS] =
	{"single-use-tokens", "PAG-REPEAT", "should",
	 "a NextToken is refused once it has been used, and every walk "
	 "that reaches the same place is issued the same token"},
    [FAKE_D_SHIFTED_REPEAT] =
	{"shifted-repeat", "PAG-REPEAT", "should",
	 "a NextToken used again answers the page after the one it stands "
	 "for, and every walk that reaches the same place is issued the "
	 "same token"},
};

const struct fake_defect_info *fake_defect_info(enum fake_defect d)
{
	if ((int)d < 0 || d >= FAKE_D_COUNT)
		return NULL;
	return &catalogue[d];
}

/* Looks one name up (n bytes of it); -1 when unknown. */
static int defect_lookup(const char *name, size_t n)
{
	for (int d = 0; d < FAKE_D_COUNT; d++)
		if (strlen(catalogue[d].name) == n &&
		    memcmp(catalogue[d].name, name, n) == 0)
			return d;
	return -1;
}

/* Writes "unknown defect 'X'; valid: a, b, ..." into err. */
static blt_status unknown_defect(const char *name, size_t n,
				 struct blt_err *err)
{
	struct blt_buf names;
	blt_status st;

	buf_init(&names, BLT_ERR_MSG_MAX);
	for (int d = 0; d < FAKE_D_COUNT; d++)
		if (buf_printf(&names, NULL, "%s%s", d ? ", " : "",
			       catalogue[d].name) != BLT_OK)
			break;
	st = blt_fail(err, BLT_EUSAGE,
		      "--defect: unknown defect '%.*s' (valid: %s; "
		      "'--defect list' describes them)",
		      (int)(n > 64 ? 64 : n), name,
		      names.data ? names.data : "");
	buf_free(&names);
	return st;
}

blt_status fake_defects_parse(const char *arg, fake_defects *set,
			      struct blt_err *err)
{
	const char *p = arg;

	if (!arg)
		return unknown_defect("", 0, err);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int d;

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		d = defect_lookup(p, n);
		if (d < 0)
			return unknown_defect(p, n, err);
		*set |= (fake_defects)1 << d;
		if (!end)
			return BLT_OK;
		p = end + 1;
	}
}

void fake_defects_print(FILE *out)
{
	fprintf(out, "%-22s %-16s %-6s %s\n", "DEFECT", "CHECK", "LEVEL",
		"WHAT BLT-FAKE DOES WRONG");
	for (int d = 0; d < FAKE_D_COUNT; d++)
		fprintf(out, "%-22s %-16s %-6s %s\n", catalogue[d].name,
			catalogue[d].check, catalogue[d].level,
			catalogue[d].description);
}
