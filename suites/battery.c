/* The shared batteries: the standard valid requests and every client
 * mistake of the catalogue, for the checks that judge every response. */
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define UNKNOWN_TARGET AWSJSON_TARGET_PREFIX "NoSuchOperation"

void battery_valid(struct check *ck, walk_page_fn fn, void *arg)
{
	static const int absent[] = {0}, seven[] = {7}, one[] = {1},
			 hundred[] = {100};
	struct walk w;
	size_t i;

	walk_run(ck, absent, 1, NULL, &w, fn, arg);
	walk_free(&w);
	walk_run(ck, seven, 1, NULL, &w, fn, arg);
	walk_free(&w);
	for (i = 0; i < 6 && !ck->dead; i++) {
		walk_run(ck, absent, 1, conform_statuses[i], &w, fn, arg);
		walk_free(&w);
	}
	for (i = 0; i < 2 && !ck->dead; i++) {
		char *body = conform_list_body(i ? one[0] : hundred[0], NULL,
					       NULL);
		struct creq rq = {.body = body, .len = strlen(body)};
		struct cresp rs;
		if (check_send(ck, &rq, &rs)) {
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
		struct creq rq = {.body = body, .len = strlen(body)};
		send_one(ck, &rq, fn, arg);
		free(body);
		free(bad);
	}
	free(tok);
}

void battery_mistakes(struct check *ck, walk_page_fn fn, void *arg)
{
	size_t n = sizeof(mistake_bodies) / sizeof(mistake_bodies[0]);

	for (size_t i = 0; i < n && !ck->dead; i++) {
		struct creq rq = {.body = mistake_bodies[i],
				  .len = strlen(mistake_bodies[i])};
		send_one(ck, &rq, fn, arg);
	}
	if (ck->dead)
		return;
	struct creq target = {.target = UNKNOWN_TARGET, .body = "{}", .len = 2};
	send_one(ck, &target, fn, arg);
	struct creq json_ct = {.ctype = "application/json", .body = "{}",
			       .len = 2};
	send_one(ck, &json_ct, fn, arg);
	struct creq text_ct = {.ctype = "text/plain", .body = "{}", .len = 2};
	send_one(ck, &text_ct, fn, arg);
	token_mistakes(ck, fn, arg);
}
