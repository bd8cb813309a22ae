/* The check catalogue of SPEC section 3: IDs, levels and requirements. */
#include <string.h>

#include "conform.h"

const struct check_def conform_checks[] = {
	{"PAG-SIZE", CHECK_MUST,
	 "every page has at most MaxResults items (at most 100 when "
	 "MaxResults is absent)"},
	{"PAG-END", CHECK_MUST,
	 "a walk ends: absent or empty NextToken stops it; a repeated token "
	 "(any cycle) or more pages than items+2 fails"},
	{"PAG-DUP", CHECK_MUST, "no TaskId appears twice in one walk"},
	{"PAG-COMPLETE", CHECK_MUST,
	 "walks with MaxResults 1, 2, 7, 100 and absent yield the same set "
	 "of TaskIds"},
	{"PAG-ORDER", CHECK_SHOULD, "those walks yield the same order"},
	{"PAG-FILTER", CHECK_MUST,
	 "with TaskStatus=S every item has TaskStatus S; the six filtered "
	 "sets partition the unfiltered set"},
	{"PAG-RESIZE", CHECK_MUST,
	 "MaxResults may change between pages of one walk without loss or "
	 "duplication"},
	{"PAG-REPEAT", CHECK_SHOULD,
	 "resending the same request with the same token returns the same "
	 "page"},
	{"PAG-BADTOKEN", CHECK_MUST,
	 "a garbage, truncated or altered token is a 4xx client error "
	 "(ValidationException), never a 200 restart and never a 5xx"},
	{"PAG-FILTERTOKEN", CHECK_SHOULD,
	 "a token reused with a different TaskStatus is a 4xx client error"},
	{"RNG-EDGE", CHECK_MUST, "MaxResults 1 and 100 are accepted"},
	{"RNG-OUT", CHECK_MUST,
	 "MaxResults 0, -1 and 101 are ValidationException with the "
	 "profile's status; 2147483648 (beyond a 32-bit integer) is "
	 "ValidationException or SerializationException, 4xx"},
	{"RNG-TYPE", CHECK_MUST,
	 "MaxResults 1.5, \"10\", true, [] and {} are a 4xx client error, "
	 "never 200 and never 5xx"},
	{"ENU-RESP", CHECK_MUST,
	 "every TaskStatus in a response is one of the six values"},
	{"ENU-FILTER", CHECK_MUST,
	 "each of the six values is accepted as a filter"},
	{"ENU-BAD", CHECK_MUST,
	 "\"RUNNING\", \"created\", \"\", \" CREATED\" as a filter are "
	 "ValidationException"},
	{"ERR-TYPE", CHECK_MUST,
	 "every error response carries a type readable by the rules of "
	 "section 2, one of the operation's or the common errors"},
	{"ERR-STATUS", CHECK_MUST,
	 "each error's HTTP status is the profile's status for that error"},
	{"ERR-MSG", CHECK_SHOULD, "every error has a human message"},
	{"ERR-JSON", CHECK_MUST,
	 "a malformed JSON body is a 4xx (SerializationException), never "
	 "5xx"},
	{"ERR-TARGET", CHECK_MUST,
	 "an unknown X-Amz-Target is a 4xx (UnknownOperationException)"},
	{"ERR-NO5XX", CHECK_MUST,
	 "no client mistake in this catalogue is answered with a 5xx"},
	{"SCH-RESP", CHECK_MUST,
	 "every 200 body validates against "
	 "schemas/list-batch-load-tasks-response.schema.json"},
	{"SCH-TIME", CHECK_SHOULD,
	 "CreationTime <= LastUpdatedTime where both are present"},
	{"HDR-CTYPE", CHECK_MUST,
	 "responses carry Content-Type application/x-amz-json-1.0"},
	{"HDR-REQID", CHECK_SHOULD,
	 "responses carry x-amzn-RequestId, unique per request"},
	{"REP-STATUS", CHECK_MUST,
	 "replaying a cassette: each response has the recorded status and "
	 "error type"},
	{"REP-BODY", CHECK_MUST,
	 "replaying a cassette with --compare exact: each body equals the "
	 "recorded one, NextToken values and volatile fields aside"},
	{"GEN-VALID", CHECK_MUST,
	 "generated valid requests (seeded) are answered 200 and satisfy "
	 "SCH-RESP and PAG-SIZE"},
	{"GEN-INVALID", CHECK_MUST,
	 "generated invalid requests (seeded) are a 4xx client error: "
	 "ValidationException for a value of the right type outside its "
	 "constraint, ValidationException or SerializationException for a "
	 "value of the wrong type; never 200, never 5xx"},
};

const size_t conform_ncheck =
    sizeof(conform_checks) / sizeof(conform_checks[0]);

const char *const conform_statuses[CONFORM_NSTATUSES] = {
	"CREATED",   "IN_PROGRESS",      "FAILED",
	"SUCCEEDED", "PROGRESS_STOPPED", "PENDING_RESUME"};

const struct check_def *conform_check_find(const char *id)
{
	for (size_t i = 0; i < conform_ncheck; i++)
		if (strcmp(conform_checks[i].id, id) == 0)
			return &conform_checks[i];
	return NULL;
}

const char *conform_level_name(enum check_level l)
{
	return l == CHECK_MUST ? "must" : "should";
}
