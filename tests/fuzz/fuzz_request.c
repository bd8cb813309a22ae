/* libFuzzer target: a server's request path up to validation (X-Amz-Target,
 * Content-Type, the ListBatchLoadTasks body) and the error body it sends. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "blt/awsjson.h"
#include "blt/lbt.h"

#include "fuzz.h"

/* The input is framed as three parts separated by the first two '\n':
 *   X-Amz-Target value '\n' Content-Type value '\n' body
 * An empty or missing header line means the header is absent; a missing
 * body is an empty one. */
struct framed {
	char *target; /* NULL when absent */
	char *ctype;  /* NULL when absent */
	char *body;   /* exactly body_len bytes, no terminator */
	size_t body_len;
};

/* Cuts the next line off [*p, end); NULL when it is empty or missing. */
static char *next_line(const char **p, const char *end)
{
	const char *nl;
	char *line = NULL;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	if (nl > *p)
		line = fuzz_str(*p, (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return line;
}

static void frame(const uint8_t *data, size_t size, struct framed *f)
{
	const char *p = (const char *)data;
	const char *end = p + size;

	f->target = next_line(&p, end);
	f->ctype = next_line(&p, end);
	f->body_len = (size_t)(end - p);
	f->body = fuzz_bytes(p, f->body_len);
}

/* awsjson_target_parse knows exactly the two operations by full name. */
static enum awsjson_op check_target(const char *target)
{
	enum awsjson_op op = awsjson_target_parse(target);
	size_t n = strlen(AWSJSON_TARGET_PREFIX);

	if (op == AWSJSON_OP_UNKNOWN)
		return op;
	FUZZ_CHECK(target && strncmp(target, AWSJSON_TARGET_PREFIX, n) == 0 &&
		       strcmp(target + n, awsjson_op_name(op)) == 0,
		   "target '%s' parsed as %s", target ? target : "(null)",
		   awsjson_op_name(op));
	return op;
}

/* What lbt_request_parse promises, on success and on failure. */
static void check_parsed(blt_status st, json_t *root,
			 const struct lbt_request *req, enum awsjson_error kind,
			 const struct blt_err *err)
{
	if (st != BLT_OK) {
		FUZZ_CHECK(root == NULL, "root set on failure");
		FUZZ_CHECK(kind == AWSJSON_ERR_SERIALIZATION ||
			       kind == AWSJSON_ERR_VALIDATION,
			   "failure kind %d", (int)kind);
		FUZZ_CHECK(err->msg[0] != '\0', "failure without a message");
		return;
	}
	FUZZ_CHECK(json_is_object(root), "success without an object");
	FUZZ_CHECK(!req->has_max_results ||
		       (req->max_results >= LBT_MAX_RESULTS_MIN &&
			req->max_results <= LBT_MAX_RESULTS_MAX),
		   "MaxResults %d accepted", req->max_results);
	FUZZ_CHECK(!req->has_status || lbt_status_name(req->status),
		   "TaskStatus %d accepted", (int)req->status);
	FUZZ_CHECK(!req->next_token ||
		       req->next_token == json_string_value(json_object_get(
					      root, "NextToken")),
		   "NextToken not borrowed from the body");
}

/* The error body for e and msg must be JSON that any reader of SPEC
 * section 2 understands, whatever bytes the message holds. */
static void check_error_body(enum awsjson_error e, const char *msg)
{
	char *text = awsjson_error_body(e, msg);
	char type[128];
	json_t *doc;

	FUZZ_CHECK(text != NULL,
		   "awsjson_error_body(%s) returned NULL for the message "
		   "\"%s\" (the servers then answer 500 with no body)",
		   awsjson_error_name(e), msg);
	doc = json_loads(text, 0, NULL);
	FUZZ_CHECK(json_is_object(doc), "error body is not an object: %s",
		   text);
	FUZZ_CHECK(awsjson_error_read_type(NULL, doc, type, sizeof(type)) &&
		       strcmp(type, awsjson_error_name(e)) == 0,
		   "error body's type unreadable: %s", text);
	FUZZ_CHECK(awsjson_error_read_type(awsjson_error_name(e), doc, type,
					   sizeof(type)) &&
		       strcmp(type, awsjson_error_name(e)) == 0,
		   "x-amzn-ErrorType unreadable for %s", awsjson_error_name(e));
	FUZZ_CHECK(awsjson_error_read_message(doc) != NULL,
		   "error body without a message: %s", text);
	json_decref(doc);
	free(text);
}

/* The reader of SPEC section 2 on an arbitrary header and body. */
static void check_read_type(const char *header, const struct framed *f)
{
	json_t *body = json_loadb(f->body, f->body_len, JSON_DECODE_ANY, NULL);
	char type[64];

	if (awsjson_error_read_type(header, body, type, sizeof(type)))
		FUZZ_CHECK(type[0] && strlen(type) < sizeof(type) &&
			       !strchr(type, ':'),
			   "read type '%s'", type);
	(void)awsjson_error_read_message(body);
	json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framed f;
	struct lbt_request req;
	enum awsjson_error kind = AWSJSON_ERR_COUNT;
	struct blt_err err = {0};
	char msg[BLT_ERR_MSG_MAX];
	json_t *root = NULL;
	enum awsjson_op op;
	blt_status st;
	bool ct_ok;

	frame(data, size, &f);
	op = check_target(f.target);
	ct_ok = awsjson_content_type_ok(f.ctype);
	st = lbt_request_parse(f.body, f.body_len, &root, &req, &kind, &err);
	check_parsed(st, root, &req, kind, &err);
	/* The servers check in this order and quote what they reject. */
	if (!ct_ok) {
		snprintf(msg, sizeof(msg),
			 "Content-Type: %.128s is not %s, so no operation of "
			 "this service is addressed",
			 f.ctype ? f.ctype : "(absent)", AWSJSON_CONTENT_TYPE);
		check_error_body(AWSJSON_ERR_UNKNOWN_OPERATION, msg);
	} else if (op == AWSJSON_OP_UNKNOWN) {
		snprintf(msg, sizeof(msg),
			 "X-Amz-Target: %.128s is not %sListBatchLoadTasks",
			 f.target ? f.target : "(absent)",
			 AWSJSON_TARGET_PREFIX);
		check_error_body(AWSJSON_ERR_UNKNOWN_OPERATION, msg);
	} else if (op == AWSJSON_OP_LIST_BATCH_LOAD_TASKS && st != BLT_OK) {
		check_error_body(kind, err.msg);
	}
	check_read_type(f.target, &f);
	json_decref(root);
	free(f.target);
	free(f.ctype);
	free(f.body);
	return 0;
}
