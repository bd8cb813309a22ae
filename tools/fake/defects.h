/* blt-fake's planted defects: one deliberate deviation per check that the
 * conformance suite must catch (docs/defects.md is the catalogue). */
#ifndef FAKE_DEFECTS_H
#define FAKE_DEFECTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blt/err.h"

/* One value per row of docs/defects.md, in the same order. */
enum fake_defect {
	FAKE_D_PAGE_OVERFLOW,
	FAKE_D_TOKEN_CYCLE,
	FAKE_D_DUP_ACROSS_PAGES,
	FAKE_D_DROP_ON_ODD,
	FAKE_D_FILTER_LEAK,
	FAKE_D_RESIZE_LOSS,
	FAKE_D_BADTOKEN_RESTART,
	FAKE_D_REJECT_100,
	FAKE_D_ACCEPT_101,
	FAKE_D_COERCE_STRING,
	FAKE_D_PAUSED_STATUS,
	FAKE_D_REJECT_FILTER,
	FAKE_D_LOOSE_ENUM,
	FAKE_D_UNTYPED_ERRORS,
	FAKE_D_STATUS_422,
	FAKE_D_JSON_500,
	FAKE_D_TARGET_IGNORED,
	FAKE_D_TYPE_500,
	FAKE_D_LOWERCASE_IDS,
	FAKE_D_JSON_CTYPE,
	FAKE_D_ENUM_AS_SERIALIZATION,
	FAKE_D_DRIFT_TIMES,
	FAKE_D_MID_RANGE_500,
	FAKE_D_ACCEPT_HUGE,
	FAKE_D_UNSTABLE_ORDER,
	FAKE_D_REPEAT_DIFFERS,
	FAKE_D_FILTER_TOKEN_REUSE,
	FAKE_D_NO_MESSAGE,
	FAKE_D_TIME_INVERSION,
	FAKE_D_NO_REQUEST_ID,
	FAKE_D_LATER_PAGE_RANGE,
	FAKE_D_STICKY_MAX,
	FAKE_D_MISSING_TARGET,
	FAKE_D_FILTERED_CYCLE,
	FAKE_D_SINGLE_USE_TOKENS,
	FAKE_D_SHIFTED_REPEAT,
	FAKE_D_COUNT
};

/* A set of defects, one bit per enum fake_defect. */
typedef uint64_t fake_defects;

struct fake_defect_info {
	const char *name;	 /* "page-overflow" */
	const char *check;	 /* the check it breaks, "PAG-SIZE" */
	const char *level;	 /* "must" or "should" */
	const char *description; /* what blt-fake does wrong */
};

/* The catalogue row for d; NULL when d is out of range. */
const struct fake_defect_info *fake_defect_info(enum fake_defect d);

/* True when d is in set. */
static inline bool fake_defect_on(fake_defects set, enum fake_defect d)
{
	return (set >> d) & 1u;
}

/* Adds the defects named in arg (one name, or several separated by commas;
 * blanks around names are ignored) to *set. An unknown or empty name is
 * BLT_EUSAGE with a message that names it and lists the valid names. */
blt_status fake_defects_parse(const char *arg, fake_defects *set,
			      struct blt_err *err);

/* Prints the catalogue as aligned columns: name, check, level,
 * description, one defect a line, with a header line. */
void fake_defects_print(FILE *out);

#endif
