/* The error forms of Smithy's awsJson1_0 protocol tests (lib/errcases.c)
 * read by blt's own error-type reader (awsjson_error_read_type), as they
 * are and with this operation's error names in them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/errcases.h"

/* Criterion may run each case in a freshly executed process: the
 * parameter is an index into errcases. */
ParameterizedTestParameters(errcases, read_type)
{
	size_t *idx = cr_malloc(errcases_count * sizeof(*idx));

	for (size_t i = 0; i < errcases_count; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, errcases_count);
}

/* Reads the type of header and body (JSON text or NULL). */
static bool read_type(const char *header, const char *body, char *out, size_t n)
{
	json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
	bool got;

	cr_assert(!body || doc, "the case's body is not JSON: %s", body);
	got = awsjson_error_read_type(header, doc, out, n);
	json_decref(doc);
	return got;
}

ParameterizedTest(size_t *i, errcases, read_type)
{
	const struct errcase *c = &errcases[*i];
	static const char *const names[] = {"ValidationException",
					    "AccessDeniedException"};
	char type[128];

	cr_assert(read_type(c->header, c->body, type, sizeof(type)),
		  "%s: no type read", c->id);
	cr_expect_str_eq(type, c->name, "%s (%s)", c->id, c->form);
	for (size_t k = 0; k < 2; k++) {
		char *h = NULL, *b = NULL;

		cr_assert_eq(errcase_render(c, names[k], &h, &b, NULL), BLT_OK);
		cr_expect_eq(h == NULL, c->header == NULL);
		cr_expect_eq(b == NULL, c->body == NULL);
		cr_assert(read_type(h, b, type, sizeof(type)), "%s", c->id);
		cr_expect_str_eq(type, names[k], "%s as %s: header %s, body %s",
				 c->id, names[k], h ? h : "-", b ? b : "-");
		free(h);
		free(b);
	}
}

/* The table is Smithy's: fourteen cases, each a header or a body, the
 * header cases without a body. */
Test(errcases, the_table)
{
	size_t headers = 0, codes = 0, dunders = 0;

	cr_assert_eq(errcases_count, 14);
	for (size_t i = 0; i < errcases_count; i++) {
		const struct errcase *c = &errcases[i];
		cr_expect((c->header == NULL) != (c->body == NULL), "%s",
			  c->id);
		headers += c->header != NULL;
		codes += c->body && strstr(c->body, "\"code\"");
		dunders += c->body && strstr(c->body, "\"__type\"");
	}
	cr_expect_eq(headers, 3);
	cr_expect_eq(codes, 3);
	cr_expect_eq(dunders, 8);
}
