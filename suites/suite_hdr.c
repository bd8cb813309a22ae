/* HDR-*: the Content-Type and x-amzn-RequestId of every response, judged
 * by the observers on every response of the run (request ids unique
 * across the whole run). The checks here send both batteries. */
#include <criterion/criterion.h>

#include "conform.h"

static void both_batteries(const char *id, enum obs_id o)
{
	struct check ck;

	check_begin(&ck, id);
	battery_valid(&ck, NULL, NULL);
	battery_mistakes(&ck, NULL, NULL);
	check_coverage(&ck, "%u responses judged here", ck.obs.t[o].judged);
	check_end(&ck);
}

Test(HDR, CTYPE)
{
	both_batteries("HDR-CTYPE", OBS_HDR_CTYPE);
}

Test(HDR, REQID)
{
	both_batteries("HDR-REQID", OBS_HDR_REQID);
}
