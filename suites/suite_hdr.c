/* HDR-*: the Content-Type and x-amzn-RequestId of every response. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

static void ctype_fn(struct check *ck, const struct creq *rq,
		     const struct cresp *rs, void *arg)
{
	unsigned *answered = arg;

	(*answered)++;
	if (!awsjson_content_type_ok(rs->ctype))
		check_fail(ck, rq, rs, "the response's Content-Type is %s",
			   rs->ctype ? rs->ctype : "absent");
}

Test(HDR, CTYPE)
{
	struct check ck;
	unsigned answered = 0;

	check_begin(&ck, "HDR-CTYPE");
	battery_valid(&ck, ctype_fn, &answered);
	battery_mistakes(&ck, ctype_fn, &answered);
	if (!answered)
		check_skip(&ck, "the target answered no request");
	check_end(&ck);
}

struct ids {
	char **v;
	size_t n, cap;
	unsigned answered; /* responses seen */
};

static void reqid_fn(struct check *ck, const struct creq *rq,
		     const struct cresp *rs, void *arg)
{
	struct ids *ids = arg;

	ids->answered++;
	if (!rs->reqid || !*rs->reqid) {
		check_fail(ck, rq, rs, "the response has no x-amzn-RequestId");
		return;
	}
	for (size_t i = 0; i < ids->n; i++) {
		if (strcmp(ids->v[i], rs->reqid) == 0) {
			check_fail(ck, rq, rs,
				   "x-amzn-RequestId '%s' was already sent "
				   "for an earlier request",
				   rs->reqid);
			return;
		}
	}
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 128;
		char **p = realloc(ids->v, cap * sizeof(*p));
		if (!p)
			return;
		ids->v = p;
		ids->cap = cap;
	}
	ids->v[ids->n] = strdup(rs->reqid);
	if (ids->v[ids->n])
		ids->n++;
}

Test(HDR, REQID)
{
	struct check ck;
	struct ids ids = {0};

	check_begin(&ck, "HDR-REQID");
	battery_valid(&ck, reqid_fn, &ids);
	battery_mistakes(&ck, reqid_fn, &ids);
	if (!ids.answered)
		check_skip(&ck, "the target answered no request");
	for (size_t i = 0; i < ids.n; i++)
		free(ids.v[i]);
	free(ids.v);
	check_end(&ck);
}
