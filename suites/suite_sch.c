/* SCH-*: every 200 body against the response schema, and the order of the
 * two timestamps; judged by the observers on every response of the run.
 * The checks here send the valid battery of their own. */
#include <criterion/criterion.h>

#include "blt/schema.h"
#include "conform.h"

Test(SCH, RESP)
{
	struct check ck;

	check_begin(&ck, "SCH-RESP");
	if (!schema_builtin(SCHEMA_RESPONSE))
		cr_assert_fail("the built-in response schema does not compile");
	battery_valid(&ck, NULL, NULL);
	check_coverage(&ck, "%u 200 bodies judged here",
		       ck.obs.t[OBS_SCH_RESP].judged);
	check_end(&ck);
}

Test(SCH, TIME)
{
	struct check ck;

	check_begin(&ck, "SCH-TIME");
	battery_valid(&ck, NULL, NULL);
	check_coverage(&ck, "%u tasks with both timestamps judged here",
		       ck.obs.t[OBS_SCH_TIME].judged);
	check_end(&ck);
}
