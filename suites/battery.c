/* The shared batteries: the standard valid requests and every client
 * mistake of the catalogue, for the checks that judge every response. */
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define UNKNOWN_TARGET AWSJSON_TARGET_PREFIX "NoSuchOperation"

void battery_valid(struct check *ck, walk_page_fn fn, void *arg)
{
	static const int absent[] = {0};
	struct walk_spec spec = {.max_seq = absent,
				 .nmax = 1,
				 .on_page = fn,
				 .arg = arg};
	struct walk w;

	walk_run(ck, &spec, &w);
	walk_free(&w);
	for (size_t i = 0; i < CONFORM_NSTATUSES && check_can_send(ck); i++) {
		spec.status = conform_statuses[i];
		walk_run(ck, &spec, &w);
		walk_free(&w);
	}
	for (int i = 0; i < 2 && check_can_send(ck); i++) {
		char *body = conform_list_body(i ? 1 : CONFORM_PAGE_MAX, NULL,
					       NULL);
		struct creq rq = {.body = body,
				  .len = strlen(body),
				  .kind = CREQ_VALID};
		struct cresp rs;
		if (check_send(ck, &rq, &rs)) {
			if (fn)
				fn(ck, &rq, &rs, arg);
			cresp_free(&rs);
		}
		free(body);
	}
}

static const char *const mistake_bodies[] = {
	"{\"MaxResults\":0}",
	"{\"MaxResults\":-1}",
	"{\"MaxResults\":101}",
	"{\"MaxResults\":2147483648}",
	"{\"MaxResults\":1.5}",
	"{\"MaxResults\":\"10\"}",
	"{\"MaxResults\":true}",
	"{\"MaxResults\":[]}",
	"{\"MaxResults\":{}}",
	"{\"TaskStatus\":\"RUNNING\"}",
	"{\"TaskStatus\":\"created\"}",
	"{\"TaskStatus\":\"\"}",
	"{\"TaskStatus\":\" CREATED\"}",
	"{\"TaskStatus\":5}",
	"{\"TaskStatus\":true}",
	"{\"TaskStatus\":[\"CREATED\"]}",
	"{\"NextToken\":\"garbage-token\"}",
	"{\"NextToken\":5}",
	"{",
	"{\"MaxResults\":",
	"not json",
	"{\"MaxResults\": 5,}",
	"[]",
};

static void send_one(struct check *ck, const struct creq *rq,
		     walk_page_fn fn, void *arg)
{
	struct cresp rs;

	if (!check_send(ck, rq, &rs))
		return;
	if (fn)
		fn(ck, rq, &rs, arg);
	cresp_free(&rs);
}

/* A token the target issued for {"MaxResults":1} that is long enough to
 * cut and alter, or NULL. New string. */
static char *issued_token(struct check *ck)
{
	char *tok = walk_first_token(ck, "{\"MaxResults\":1}", false);

	if (tok && strlen(tok) < 2) {
		free(tok);
		tok = NULL;
	}
	return tok;
}

/* The truncated and the altered form of a real token. */
static void token_mistakes(struct check *ck, walk_page_fn fn, void *arg)
{
	char *tok = issued_token(ck);
	size_t len;

	if (!tok)
		return;
	len = strlen(tok);
	for (int k = 0; k < 2; k++) {
		char *bad = strdup(tok);
		if (k == 0)
			bad[len / 2] = '\0';
		else
			bad[len / 2] = bad[len / 2] == 'A' ? 'B' : 'A';
		char *body = conform_list_body(0, NULL, bad);
		struct creq rq = {.body = body,
				  .len = strlen(body),
				  .kind = CREQ_MISTAKE};
		send_one(ck, &rq, fn, arg);
		free(body);
		free(bad);
	}
	free(tok);
}

void battery_mistakes(struct check *ck, walk_page_fn fn, void *arg)
{
	size_t n = sizeof(mistake_bodies) / sizeof(mistake_bodies[0]);

	for (size_t i = 0; i < n && check_can_send(ck); i++) {
		struct creq rq = {.body = mistake_bodies[i],
				  .len = strlen(mistake_bodies[i]),
				  .kind = CREQ_MISTAKE};
		send_one(ck, &rq, fn, arg);
	}
	if (!check_can_send(ck))
		return;
	struct creq target = {.target = UNKNOWN_TARGET,
			      .body = "{}",
			      .len = 2,
			      .kind = CREQ_MISTAKE};
	send_one(ck, &target, fn, arg);
	struct creq json_ct = {.ctype = "application/json",
			       .body = "{}",
			       .len = 2,
			       .kind = CREQ_MISTAKE};
	send_one(ck, &json_ct, fn, arg);
	struct creq text_ct = {.ctype = "text/plain",
			       .body = "{}",
			       .len = 2,
			       .kind = CREQ_MISTAKE};
	send_one(ck, &text_ct, fn, arg);
	token_mistakes(ck, fn, arg);
}
