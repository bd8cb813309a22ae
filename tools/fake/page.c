/* Page planning and body assembly by concatenation. */
#include "page.h"

#include <string.h>

#define PAGE_HEAD "{\"BatchLoadTasks\":["

/* The slice by the contract: position counts the items already served. */
static void plan_faithful(const struct fake_page_in *in, size_t n,
			  struct fake_page_out *out)
{
	size_t start = in->position < n ? in->position : n;
	size_t left = n - start;

	out->start = start;
	out->count = left < in->max ? left : in->max;
	out->next_position = (uint32_t)(start + out->count);
	out->more = out->next_position < n;
}

void fake_page_plan(const struct fake_page_in *in, struct fake_page_out *out)
{
	size_t n = in->list->n;
	fake_defects d = in->defects;

	if (fake_defect_on(d, FAKE_D_RESIZE_LOSS)) {
		/* The token holds a page number; the page size may differ. */
		struct fake_page_in by_page = *in;
		uint64_t start = (uint64_t)in->position * in->max;

		by_page.position = start < n ? (uint32_t)start : (uint32_t)n;
		plan_faithful(&by_page, n, out);
		out->next_position = in->position + 1;
		return;
	}
	if (fake_defect_on(d, FAKE_D_DUP_ACROSS_PAGES) && in->continued &&
	    in->position > 0 && in->position <= n && in->max > 1) {
		struct fake_page_in back = *in;

		back.position = in->position - 1;
		plan_faithful(&back, n, out);
	} else {
		plan_faithful(in, n, out);
	}
	if (fake_defect_on(d, FAKE_D_PAGE_OVERFLOW) && out->more) {
		out->count++;
		out->next_position++;
		out->more = out->next_position < n;
	}
	if (fake_defect_on(d, FAKE_D_DROP_ON_ODD) && out->more && in->max > 1 &&
	    in->max % 2 == 1) {
		out->next_position++;
		out->more = out->next_position < n;
	}
	if ((fake_defect_on(d, FAKE_D_TOKEN_CYCLE) ||
	     (fake_defect_on(d, FAKE_D_FILTERED_CYCLE) && in->filtered)) &&
	    !out->more) {
		out->more = true;
		out->next_position = 0;
	}
}

blt_status fake_page_write(const struct fake_store *store,
			   const struct fake_page_in *in,
			   const struct fake_page_out *plan,
			   struct blt_buf *body, struct blt_err *err)
{
	const struct fake_list *list = in->list;
	blt_status st = buf_append(body, PAGE_HEAD, strlen(PAGE_HEAD), err);

	for (size_t i = 0; st == BLT_OK && i < plan->count; i++) {
		size_t at = plan->start + i;
		const struct fake_task *t;

		if (in->reversed)
			at = list->n - 1 - at;
		t = &store->tasks[list->idx[at]];
		if (i)
			st = buf_append(body, ",", 1, err);
		if (st == BLT_OK)
			st = buf_append(body, t->json, t->json_len, err);
	}
	if (st == BLT_OK)
		st = buf_append(body, "]", 1, err);
	return st;
}
