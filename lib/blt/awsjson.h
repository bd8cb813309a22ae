/* The AWS JSON 1.0 protocol as Timestream Write speaks it: targets, content
 * type, error responses and the rules for reading an error's type.
 *
 * Concurrency: no function keeps state between calls; all may run in
 * any number of threads at once on different arguments. */
#ifndef BLT_AWSJSON_H
#define BLT_AWSJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

#define AWSJSON_CONTENT_TYPE "application/x-amz-json-1.0"
#define AWSJSON_TARGET_PREFIX "Timestream_20181101."
#define AWSJSON_NAMESPACE "com.amazonaws.timestreamwrite"
#define AWSJSON_SIGV4_SERVICE "timestream"

/* Which table of HTTP statuses an error is held to (SPEC section 2). */
enum awsjson_profile {
	AWSJSON_PROFILE_DOCUMENTED, /* the API reference page (the default) */
	AWSJSON_PROFILE_SMITHY,     /* the published Smithy model */
	AWSJSON_PROFILE_LENIENT     /* either status is accepted */
};

/* Parses "documented", "smithy" or "lenient". */
blt_status awsjson_profile_parse(const char *s, enum awsjson_profile *out,
				 struct blt_err *err);
const char *awsjson_profile_name(enum awsjson_profile p);

enum awsjson_op {
	AWSJSON_OP_UNKNOWN = 0,
	AWSJSON_OP_LIST_BATCH_LOAD_TASKS,
	AWSJSON_OP_DESCRIBE_ENDPOINTS
};

/* Maps an X-Amz-Target value to the operation; NULL, an unknown prefix or an
 * unknown operation give AWSJSON_OP_UNKNOWN. */
enum awsjson_op awsjson_target_parse(const char *target);

/* "ListBatchLoadTasks", "DescribeEndpoints" or "Unknown". */
const char *awsjson_op_name(enum awsjson_op op);

/* Looks an operation up by its bare name; AWSJSON_OP_UNKNOWN if unknown. */
enum awsjson_op awsjson_op_lookup(const char *name);

/* True when ct is application/x-amz-json-1.0, in any letter case, with or
 * without parameters such as "; charset=utf-8". NULL is false. */
bool awsjson_content_type_ok(const char *ct);

/* The JSON type of v in words ("an object", "a string", "a number with a
 * fraction", ...), for messages. */
const char *awsjson_type_words(const json_t *v);

/* Parses an AWS JSON request body: empty means {}; otherwise a JSON object
 * with no duplicate member and no raw NUL byte. Returns a new reference, or
 * NULL with err's message saying what is wrong and where ("request body is
 * not valid JSON: line 1, column 5: ..."); such a body is a
 * SerializationException. */
json_t *awsjson_body_parse(const char *body, size_t len, struct blt_err *err);

/* The bounds of a request body that blt reads as ListBatchLoadTasks input
 * (three members, each a string or a number): items are the object
 * members and array elements, counted as the commas and opening brackets
 * outside strings; depth is the nesting of objects and arrays. */
#define AWSJSON_BODY_ITEMS_MAX 256
#define AWSJSON_BODY_DEPTH_MAX 16

/* Whether a request body of op is beyond any input of that operation:
 * more than AWSJSON_BODY_ITEMS_MAX items or deeper than
 * AWSJSON_BODY_DEPTH_MAX (whatever its size). Scans the bytes without
 * allocating and stops at the first excess; always false for operations
 * other than ListBatchLoadTasks (their input is not known here). Such a
 * body is not parsed: it is stored and matched as the bytes sent. When
 * true and why is not NULL, why (whylen bytes) gets a sentence. */
bool awsjson_body_beyond(enum awsjson_op op, const char *body, size_t len,
			 char *why, size_t whylen);

/* The same judgement of a parsed body: true exactly when the compact
 * text of v would be beyond for op. */
bool awsjson_json_beyond(enum awsjson_op op, const json_t *v);

/* How long a DescribeEndpoints answer from a blt server may be cached. */
#define AWSJSON_ENDPOINT_CACHE_MINUTES 1440

/* How a client reads the Address of a DescribeEndpoints answer. */
enum awsjson_address_reader {
	/* botocore (boto3, the AWS CLI), Go v2: an Address with a scheme is a
	 * URL; one without gets "https://" in front. */
	AWSJSON_ADDRESS_URL,
	/* The AWS SDK for JavaScript v3: the Address replaces the host name of
	 * the endpoint it was configured with, whose scheme and port stay. */
	AWSJSON_ADDRESS_HOST
};

/* The reader that a client is, from its User-Agent and X-Amz-User-Agent
 * headers (either may be NULL): AWSJSON_ADDRESS_HOST when one of them holds
 * the product "aws-sdk-js/" with a major version of 3 or more (version 2
 * parses the Address as a URL), else AWSJSON_ADDRESS_URL. */
enum awsjson_address_reader awsjson_address_reader_of(const char *user_agent,
						      const char *amz_agent);

/* Appends the DescribeEndpoints answer that names url as the one endpoint,
 * with the Address that reader turns back into url. For
 * AWSJSON_ADDRESS_URL, a plain-HTTP url keeps its scheme
 * ("http://127.0.0.1:8080"), an "https://" url gives its host[:port]
 * alone, the form the service itself uses, and anything without a scheme
 * is taken as an Address already. For AWSJSON_ADDRESS_HOST it is the host
 * alone ("127.0.0.1", "[::1]"). A trailing '/' is left out.
 * {"Endpoints":[{"Address":"http://127.0.0.1:8080",
 * "CachePeriodInMinutes":1440}]}. */
blt_status awsjson_endpoints_body(const char *url,
				  enum awsjson_address_reader reader,
				  struct blt_buf *out, struct blt_err *err);

/* The longest URL a server may advertise. */
#define AWSJSON_ADVERTISE_MAX 255

/* Checks a URL a server is told to advertise (--advertise): "http://" or
 * "https://", a host (a name, an IPv4 address or a bracketed IPv6 one), an
 * optional port from 1 to 65535, and nothing after it but an optional '/';
 * AWSJSON_ADVERTISE_MAX characters at most. BLT_EUSAGE with a message
 * naming what is wrong. */
blt_status awsjson_advertise_check(const char *url, struct blt_err *err);

/* Every error type a blt server sends or a blt reader recognises. */
enum awsjson_error {
	AWSJSON_ERR_ACCESS_DENIED,
	AWSJSON_ERR_INTERNAL_SERVER,
	AWSJSON_ERR_INVALID_ENDPOINT,
	AWSJSON_ERR_THROTTLING,
	AWSJSON_ERR_VALIDATION,
	AWSJSON_ERR_SERIALIZATION,
	AWSJSON_ERR_UNKNOWN_OPERATION,
	AWSJSON_ERR_MISSING_AUTH_TOKEN,
	AWSJSON_ERR_INVALID_SIGNATURE,
	AWSJSON_ERR_INCOMPLETE_SIGNATURE,
	AWSJSON_ERR_REQUEST_TOO_LARGE, /* blt's servers: body over the cap */
	AWSJSON_ERR_NO_MATCHING_INTERACTION, /* blt-proxy replay only */
	AWSJSON_ERR_UPSTREAM, /* blt-proxy record: the upstream failed */
	AWSJSON_ERR_COUNT
};

/* The bare name, e.g. "ValidationException". */
const char *awsjson_error_name(enum awsjson_error e);

/* The full shape id sent in __type, e.g.
 * "com.amazonaws.timestreamwrite#ValidationException". */
const char *awsjson_error_shape_id(enum awsjson_error e);

/* Looks a bare name up; false when it is not one of the errors above. */
bool awsjson_error_lookup(const char *name, enum awsjson_error *out);

/* True for the five errors of ListBatchLoadTasks and the common AWS JSON
 * errors (the ones ERR-TYPE accepts); false for blt's own. */
bool awsjson_error_is_known(enum awsjson_error e);

/* The status a server sends for e under profile p (lenient sends the
 * documented one). */
int awsjson_error_status(enum awsjson_error e, enum awsjson_profile p);

/* True when status is what profile p allows for e (lenient: either table). */
bool awsjson_error_status_ok(enum awsjson_error e, enum awsjson_profile p,
			     int status);

/* Builds an error body {"__type": "<shape id>", "message": "..."}. Bytes of
 * message that are not well-formed UTF-8 (a client's bytes quoted in it)
 * are written as the text \xNN, and a message over 1 MiB is refused.
 * Returns a new NUL-terminated string the caller frees, or NULL when memory
 * runs out or the message is too long.
 * The matching header is x-amzn-ErrorType: awsjson_error_name(e). */
char *awsjson_error_body(enum awsjson_error e, const char *message);

/* Reads an error's type by SPEC section 2: the x-amzn-ErrorType header (may
 * be NULL), else the body's __type, else its code (body may be NULL); cuts
 * from the first ':' and keeps what follows the first '#'. Writes the bare
 * name into out (always NUL-terminated). Returns false when no type is found
 * or it does not fit. */
bool awsjson_error_read_type(const char *header, const json_t *body,
			     char *out, size_t outsz);

/* The error's message: body "message", else "Message"; NULL when neither is
 * a string. The pointer is borrowed from body. */
const char *awsjson_error_read_message(const json_t *body);

#endif
