/* blt-fake's request handling: routing, authentication, faults, validation
 * and the two operations, on top of lib/blt/httpd.h. */
#ifndef FAKE_SERVER_H
#define FAKE_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "blt/err.h"
#include "blt/httpd.h"

#include "opts.h"
#include "tasks.h"
#include "token.h"

/* Tokens already answered once (defect repeat-differs), by hash. */
#define FAKE_SEEN_SLOTS 65536
/* Tokens issued within the current second, reused while it lasts. */
#define FAKE_TOKEN_CACHE_SLOTS 512

struct fake_token_cache_slot {
	bool used;
	uint64_t key; /* filter, flags and position */
	int64_t issued;
	char text[FAKE_TOKEN_TEXT_LEN + 1];
};

struct fake_server {
	const struct fake_opts *opts;
	struct fake_store store;
	struct fake_token_key key;
	char *akid;   /* --verify-sigv4, or NULL */
	char *secret; /* points into akid's allocation */
	pthread_mutex_t seen_lock;
	uint64_t *seen; /* FAKE_SEEN_SLOTS hashes, 0 = empty; or NULL */
	size_t nseen;
	pthread_mutex_t cache_lock;
	struct fake_token_cache_slot *cache; /* FAKE_TOKEN_CACHE_SLOTS */
	int64_t epoch; /* start time: the issue time of position-bound tokens */
};

/* Loads the data the options name, serialises it, and prepares the token
 * key and the credentials. BLT_EUSAGE for a data or option problem (err
 * names the file, task and pointer), BLT_ENOMEM otherwise. On failure
 * everything set up is released. */
blt_status fake_server_init(struct fake_server *s, const struct fake_opts *o,
			    struct blt_err *err);

/* The httpd handler; ctx is a struct fake_server. Safe to run on several
 * threads at once. */
void fake_server_handle(void *ctx, const struct httpd_request *req,
			struct httpd_reply *reply);

void fake_server_free(struct fake_server *s);

/* Writes the request id for request seq of a server seeded with seed: a
 * UUID-shaped string, a pure function of both, distinct for distinct seq. */
void fake_request_id(uint64_t seed, uint64_t seq, char out[37]);

#endif
