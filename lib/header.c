/* The lookup of an HTTP header field by name. */
#include "blt/header.h"

#include <strings.h>

const char *header_find(const struct blt_header *h, size_t n,
			 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}
