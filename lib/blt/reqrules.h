/* The request rules a client of ListBatchLoadTasks keeps: the wire contract
 * seen from the client's side (method, path, Content-Type, target, a JSON
 * object body, MaxResults, TaskStatus, where a NextToken comes from, one
 * TaskStatus per walk, SigV4). blt-proxy replay reports them for every
 * request it answers; blt-conform --client judges a client by them. */
#ifndef BLT_REQRULES_H
#define BLT_REQRULES_H

#include <jansson.h>
#include <stdbool.h>

#include "blt/awsjson.h"
#include "blt/httpd.h"

/* The rules, each reported on its own. */
enum reqrule {
	REQRULE_METHOD,	    /* CLIENT-METHOD: POST */
	REQRULE_PATH,	    /* CLIENT-PATH: "/" */
	REQRULE_CTYPE,	    /* CLIENT-CTYPE: application/x-amz-json-1.0 */
	REQRULE_TARGET,	    /* CLIENT-TARGET: a known X-Amz-Target */
	REQRULE_JSON,	    /* CLIENT-JSON: the body is a JSON object */
	REQRULE_MAXRESULTS, /* CLIENT-MAXRESULTS: an integer in 1..100 */
	REQRULE_STATUS, /* CLIENT-STATUS: one of the six TaskStatus values */
	REQRULE_TOKEN,	/* CLIENT-TOKEN: a NextToken the server issued */
	REQRULE_WALK,	/* CLIENT-WALK: one TaskStatus throughout a walk */
	REQRULE_SIGV4,	/* CLIENT-SIGV4: SigV4 for timestream (verified
			   when the key is known) */
	REQRULE_COUNT
};

#define REQRULE_MSG_MAX 768

/* What the rules found in one request: msg[r] says how rule r is broken,
 * and is "" while it is kept. */
struct reqrule_findings {
	char msg[REQRULE_COUNT][REQRULE_MSG_MAX];
};

/* "CLIENT-METHOD", ...; "?" out of range. */
const char *reqrule_id(enum reqrule r);

/* One sentence saying what rule r asks of a client. */
const char *reqrule_text(enum reqrule r);

/* Empties f: every rule kept. */
void reqrule_findings_init(struct reqrule_findings *f);

/* True when f holds a finding for r. */
bool reqrule_broken(const struct reqrule_findings *f, enum reqrule r);

/* True when f holds any finding. */
bool reqrule_any(const struct reqrule_findings *f);

/* The envelope: method, path, Content-Type, target (op is
 * awsjson_target_parse of its X-Amz-Target) and SigV4. The Authorization
 * must parse, name service timestream and a region (region, when not
 * NULL: that region), and carry X-Amz-Date's date; with akid and secret
 * (both or neither) the signature itself is verified. Adds to f. */
void reqrules_envelope(const struct httpd_request *req, enum awsjson_op op,
		       const char *akid, const char *secret, const char *region,
		       struct reqrule_findings *f);

/* Parses the body (empty means {}). When it is not a JSON object: a
 * CLIENT-JSON finding and NULL. For ListBatchLoadTasks (op) it checks the
 * members too: MaxResults (CLIENT-MAXRESULTS), TaskStatus (CLIENT-STATUS)
 * and a NextToken that is not a string (CLIENT-TOKEN). *live_status is the
 * request's TaskStatus: -1 absent, -2 not one of the six, else an enum
 * lbt_status. Returns a new reference. */
json_t *reqrules_body(const struct httpd_request *req, enum awsjson_op op,
		      int *live_status, struct reqrule_findings *f);

/* Where a NextToken the request carries stands with its server. */
enum reqrule_token_state {
	REQRULE_TOKEN_UNKNOWN, /* the server never had it */
	REQRULE_TOKEN_NOT_YET, /* the server has it, not yet handed out */
	REQRULE_TOKEN_ISSUED   /* handed out to a walk with walk_status */
};

/* CLIENT-TOKEN and CLIENT-WALK for a request that carries token (NULL or
 * "" is a first page: nothing to judge). issuer names the server in
 * messages ("this replay"); known_as says how it has a token it has not
 * yet handed out ("recorded"). walk_status and live_status are as
 * reqrules_body's *live_status. Adds to f. */
void reqrules_token(const char *token, enum reqrule_token_state state,
		    int walk_status, int live_status, const char *issuer,
		    const char *known_as, struct reqrule_findings *f);

/* "absent", "not a valid value" or the status's name, for messages. */
const char *reqrule_status_text(int status);

#endif
