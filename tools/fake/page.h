/* One ListBatchLoadTasks page: which slice of a filter's list it serves and
 * its body, concatenated from the tasks' pre-serialised JSON. */
#ifndef FAKE_PAGE_H
#define FAKE_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "blt/buf.h"
#include "blt/err.h"

#include "defects.h"
#include "tasks.h"

/* Where a page starts and how big it is. */
struct fake_page_in {
	const struct fake_list *list; /* the walk's list (filter) */
	uint32_t position; /* from the token: items already served (the page
			    * number under defect resize-loss); 0 at first */
	bool continued;	   /* the request carried a token */
	unsigned max;	   /* MaxResults, 1..100 */
	bool reversed;	   /* serve the list back to front */
	fake_defects defects;
	bool filtered;	   /* the walk has a TaskStatus filter */
};

/* What the page served and where the walk goes on. */
struct fake_page_out {
	size_t start; /* first item, as an index into the list's order */
	size_t count; /* items on the page */
	bool more;    /* a NextToken is due */
	uint32_t next_position; /* the position the NextToken carries */
};

/* Decides the page's slice (the pagination rules and the pagination
 * defects) without writing anything. */
void fake_page_plan(const struct fake_page_in *in, struct fake_page_out *out);

/* Appends {"BatchLoadTasks":[...] for the planned slice: the body without
 * its NextToken member and closing brace. */
blt_status fake_page_write(const struct fake_store *store,
			   const struct fake_page_in *in,
			   const struct fake_page_out *plan,
			   struct blt_buf *body, struct blt_err *err);

#endif
