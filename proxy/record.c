/* blt-proxy record: forwards each request upstream, answers the client with
 * the upstream's response, and records the pair durably in a cassette. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/awsjson.h"
#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/journal.h"
#include "blt/log.h"
#include "proxy.h"
#include "record.h"

#define DISCOVERY_URL_FMT "https://ingest.timestream.%s.amazonaws.com"
#define CLIENTS_MAX (RECORD_THREADS_MAX * 2)
#define PROG "blt-proxy record"
#define LOG_MSG_MAX (64 * 1024) /* a message quoting a whole header fits */

/* The kinds of per-request log lines, each limited on its own. */
enum record_log {
	RLOG_UPSTREAM,	   /* the upstream failed */
	RLOG_NOT_FORWARDED, /* a target outside what record forwards */
	RLOG_NOT_RECORDED, /* the recording failed */
	RLOG_TOKEN_LINK,   /* a NextToken could not be linked */
	RLOG_COUNT
};

/* The name of a kind of log line, for the log's summaries. */
static const char *rlog_name(size_t kind)
{
	static const char *const names[RLOG_COUNT] = {
	    "upstream failures", "requests not forwarded",
	    "interactions not recorded", "NextTokens not linked"};

	return kind < RLOG_COUNT ? names[kind] : "?";
}

struct recorder {
	struct record_opts opts;
	struct redact_rules rules;
	struct record_signer signer;
	char region[64];
	struct httpc_opts copts;
	/* The upstream; for aws:REGION found (and refreshed) by discovery,
	 * which one thread at a time runs without holding up_lock. */
	pthread_mutex_t up_lock;
	pthread_cond_t up_done; /* a discovery finished */
	bool discover;
	char discovery_url[512];
	struct record_upstream up;
	bool up_ok;
	double up_expires_ms;	/* clock_mono_ms deadline, 0 for never */
	bool refreshing;	/* a thread is running discovery */
	unsigned long attempts; /* discoveries finished */
	struct blt_err up_err;	/* why the last one failed */
	/* The recording: ids, journal and cassette change together. */
	pthread_mutex_t lock;
	long next_id;
	unsigned long recorded;
	struct cassette *cassette;
	struct journal *journal;
	char journal_path[4096];
	struct record_tokens *tokens;
	/* One libcurl handle per worker thread, freed at the end. */
	pthread_mutex_t clients_lock;
	struct httpc *clients[CLIENTS_MAX];
	size_t nclients;
	/* What a client's DescribeEndpoints is answered with. */
	char own_url[AWSJSON_ADVERTISE_MAX + 1];
	struct log_limit log;
};

/* Logs one per-request line of kind: the first few of each kind in full,
 * the rest counted (log_limit_take). The message is scrubbed of the
 * secrets the proxy knows, then escaped as a whole. */
static void record_log(struct recorder *r, enum record_log kind,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void record_log(struct recorder *r, enum record_log kind,
		       const char *fmt, ...)
{
	struct blt_buf msg;
	char *clean = NULL;
	size_t len;
	va_list ap;

	if (!log_limit_take(&r->log, kind))
		return;
	buf_init(&msg, LOG_MSG_MAX);
	va_start(ap, fmt);
	buf_vprintf(&msg, NULL, fmt, ap);
	va_end(ap);
	if (msg.data && redact_bytes(&r->rules, msg.data, msg.len, NULL, 0,
				     &clean, &len) >= 0)
		log_line(PROG, "%s", clean ? clean : msg.data);
	free(clean);
	buf_free(&msg);
}

static _Thread_local struct httpc *tl_client;

/* The calling thread's upstream client, created on first use. */
static blt_status thread_client(struct recorder *r, struct httpc **out,
				struct blt_err *err)
{
	blt_status st;

	if (tl_client) {
		*out = tl_client;
		return BLT_OK;
	}
	pthread_mutex_lock(&r->clients_lock);
	if (r->nclients == CLIENTS_MAX)
		st = blt_fail(err, BLT_ELIMIT, "more than %d client threads",
			      CLIENTS_MAX);
	else if ((st = httpc_new(&r->copts, &tl_client, err)) == BLT_OK)
		r->clients[r->nclients++] = tl_client;
	pthread_mutex_unlock(&r->clients_lock);
	*out = tl_client;
	return st;
}

/* Stores a discovered endpoint (r->up_lock held, or no threads yet). */
static void endpoint_store(struct recorder *r, const struct record_upstream *up,
			   long minutes)
{
	r->up = *up;
	r->up_ok = true;
	r->up_expires_ms =
	    minutes > 0 ? clock_mono_ms() + (double)minutes * 60000.0 : 0;
}

static void endpoint_log(const struct recorder *r,
			 const struct record_upstream *up)
{
	char url[600];

	record_upstream_url(up, url, sizeof(url));
	log_line(PROG, "%s: DescribeEndpoints at %s gave %s", r->opts.upstream,
		 r->discovery_url, url);
}

/* Whether discovery is due (r->up_lock held). */
static bool endpoint_stale(const struct recorder *r)
{
	return !r->up_ok ||
	       (r->up_expires_ms && clock_mono_ms() >= r->up_expires_ms);
}

/* Runs discovery without the lock, as the one refreshing thread, and
 * stores its answer; on failure the previous endpoint, if any, stays. */
static blt_status refresh_upstream(struct recorder *r, struct httpc *c,
				   struct record_upstream *out,
				   struct blt_err *err)
{
	struct record_upstream up;
	long minutes = 0;
	blt_status st;
	bool found;

	st = record_discover(c, r->discovery_url, &r->signer, &up, &minutes,
			     err);
	found = st == BLT_OK;
	pthread_mutex_lock(&r->up_lock);
	if (found)
		endpoint_store(r, &up, minutes);
	else
		r->up_err = *err;
	r->refreshing = false;
	r->attempts++;
	if (st && r->up_ok) {
		log_line(PROG, "%s; keeping the previous endpoint", err->msg);
		st = BLT_OK;
	}
	if (st == BLT_OK)
		*out = r->up;
	pthread_cond_broadcast(&r->up_done);
	pthread_mutex_unlock(&r->up_lock);
	if (found)
		endpoint_log(r, &up);
	return st;
}

/* The upstream to use now. When discovery is due, one thread runs it while
 * the others go on with the previous endpoint; without one yet they wait
 * for that discovery and share its outcome. */
static blt_status current_upstream(struct recorder *r, struct httpc *c,
				   struct record_upstream *out,
				   struct blt_err *err)
{
	blt_status st = BLT_OK;
	unsigned long seen;
	bool mine = false;

	if (!r->discover) {
		*out = r->up; /* fixed at start */
		return BLT_OK;
	}
	pthread_mutex_lock(&r->up_lock);
	seen = r->attempts;
	while (r->refreshing && !r->up_ok)
		pthread_cond_wait(&r->up_done, &r->up_lock);
	if (!r->up_ok && r->attempts != seen) {
		*err = r->up_err; /* the discovery waited for failed */
		st = err->code;
	} else if (endpoint_stale(r) && !r->refreshing) {
		r->refreshing = mine = true;
	}
	if (st == BLT_OK && r->up_ok)
		*out = r->up;
	pthread_mutex_unlock(&r->up_lock);
	if (mine)
		st = refresh_upstream(r, c, out, err);
	return st;
}

/* Answers with an AWS JSON error. */
static void reply_error(struct httpd_reply *reply, int status,
			enum awsjson_error e, const char *message)
{
	char *body = awsjson_error_body(e, message);

	reply->status = status;
	buf_reset(&reply->body);
	if (body)
		buf_puts(&reply->body, body, NULL);
	free(body);
	httpd_reply_header(reply, "x-amzn-ErrorType", awsjson_error_name(e),
			   NULL);
	httpd_reply_header(reply, "content-type", AWSJSON_CONTENT_TYPE, NULL);
}

/* The upstream (or discovery) failed: 504 for a timeout, 502 otherwise. */
static void fail_upstream(struct recorder *r, const struct httpd_request *req,
			  struct httpd_reply *reply, blt_status st,
			  const struct blt_err *err)
{
	char msg[BLT_ERR_MSG_MAX + 256];

	snprintf(msg, sizeof(msg),
		 "blt-proxy record: the upstream %s failed: %s; nothing was "
		 "recorded",
		 r->opts.upstream, err->msg);
	record_log(r, RLOG_UPSTREAM, "request %llu: %s", req->seq,
		   msg + strlen("blt-proxy record: "));
	reply_error(reply, st == BLT_ETIMEOUT ? 504 : 502, AWSJSON_ERR_UPSTREAM,
		    msg);
}

/* Answers a client's DescribeEndpoints with the proxy's own address. */
static void answer_endpoints(struct recorder *r,
			     const struct httpd_request *req,
			     struct httpd_reply *reply)
{
	reply->status = 200;
	awsjson_endpoints_body(
	    r->own_url,
	    awsjson_address_reader_of(
		httpd_request_header(req, "User-Agent"),
		httpd_request_header(req, "X-Amz-User-Agent")),
	    &reply->body, NULL);
	httpd_reply_header(reply, "content-type", AWSJSON_CONTENT_TYPE, NULL);
}

/* The NextToken string member of a JSON body, as a new string or NULL. */
static char *next_token_of(const char *body, size_t len)
{
	json_t *doc = json_loadb(body ? body : "", len, 0, NULL);
	const char *tok = json_string_value(json_object_get(doc, "NextToken"));
	char *copy = tok && *tok ? strdup(tok) : NULL;

	json_decref(doc);
	return copy;
}

/* A cassette message's body after scrubbing secrets from the raw bytes. */
static void scrubbed_body(const struct recorder *r, const char *body,
			  size_t len, const char *const *extra, char **copy,
			  const char **out, size_t *outlen)
{
	*out = body ? body : "";
	*outlen = len;
	*copy = NULL;
	if (redact_bytes(&r->rules, *out, len, extra, 2, copy, outlen) > 0)
		*out = *copy;
	else
		*outlen = len;
}

/* Builds the recorded request from what the client sent. */
static json_t *request_message(const struct recorder *r,
			       const struct httpd_request *req,
			       const char *const *extra)
{
	const char *names[HTTPD_MAX_HEADERS];
	const char *values[HTTPD_MAX_HEADERS];
	const char *conn = httpd_request_header(req, "connection");
	char path[2048];
	char *copy;
	const char *body;
	size_t len;
	size_t n = 0;
	json_t *msg;

	for (size_t i = 0; i < req->nheaders && n < HTTPD_MAX_HEADERS; i++)
		if (!record_hop_header(req->headers[i].name, conn)) {
			names[n] = req->headers[i].name;
			values[n++] = req->headers[i].value;
		}
	snprintf(path, sizeof(path), "%s%s%s", req->path, req->query ? "?" : "",
		 req->query ? req->query : "");
	scrubbed_body(r, req->body, req->body_len, extra, &copy, &body, &len);
	msg = cassette_request_new(req->method, path, names, values, n, body,
				   len);
	free(copy);
	if (msg)
		redact_message(&r->rules, msg, extra, 2);
	return msg;
}

/* Builds the recorded response from what the upstream answered. */
static json_t *response_message(const struct recorder *r,
				const struct httpc_response *resp,
				const char *const *extra)
{
	const char *names[HTTPC_MAX_HEADERS];
	const char *values[HTTPC_MAX_HEADERS];
	const char *conn = httpc_response_header(resp, "connection");
	char *copy;
	const char *body;
	size_t len;
	size_t n = 0;
	json_t *msg;

	for (size_t i = 0; i < resp->nheaders; i++)
		if (!record_hop_header(resp->headers[i].name, conn)) {
			names[n] = resp->headers[i].name;
			values[n++] = resp->headers[i].value;
		}
	scrubbed_body(r, resp->body.data, resp->body.len, extra, &copy, &body,
		      &len);
	msg = cassette_response_new((int)resp->status, names, values, n, body,
				    len);
	free(copy);
	if (msg)
		redact_message(&r->rules, msg, extra, 2);
	return msg;
}

/* Checks inter as the cassette will on append (a throwaway cassette takes
 * it for a moment; that also puts its keys in the documented order), so
 * that nothing the cassette refuses reaches the journal. */
static blt_status check_interaction(json_t *inter, struct blt_err *err)
{
	struct cassette *scratch = cassette_new(NULL, NULL);
	blt_status st;

	if (!scratch)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	st = cassette_append_take(scratch, json_incref(inter), err);
	cassette_free(scratch);
	return st;
}

/* Checks the interaction, assigns its id, journals and appends it, and
 * links the token its response issued; then makes the journal durable. A
 * token link that cannot be made is a warning: the interaction is
 * recorded all the same. */
static blt_status store(struct recorder *r, json_t *inter, const char *issued,
			struct blt_err *err)
{
	struct blt_err link_err;
	blt_status st = check_interaction(inter, err);
	bool linked = true;
	long id = 0;

	if (st)
		return st;
	pthread_mutex_lock(&r->lock);
	id = r->next_id + 1;
	if (cassette_count(r->cassette) >= CASSETTE_INTERACTIONS_MAX)
		st = blt_fail(err, BLT_ELIMIT, "more than %d interactions",
			      CASSETTE_INTERACTIONS_MAX);
	else if (json_object_set_new(inter, "id", json_integer(id)))
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	if (st == BLT_OK)
		st = journal_append(r->journal, inter, err);
	if (st == BLT_OK) {
		r->next_id = id; /* journaled: the id is taken */
		st = cassette_append_take(r->cassette, json_incref(inter), err);
	}
	if (st == BLT_OK) {
		r->recorded++;
		if (issued)
			linked = record_tokens_put(r->tokens, issued, id,
						   &link_err) == BLT_OK;
	}
	pthread_mutex_unlock(&r->lock);
	if (!linked)
		record_log(r, RLOG_TOKEN_LINK,
			   "warning: interaction %ld is recorded, but the "
			   "NextToken it issued is not linked (%s): a request "
			   "sending it gets token_from null",
			   id, link_err.msg);
	if (st == BLT_OK && r->opts.fsync)
		st = journal_sync(r->journal, err);
	return st;
}

/* Records one exchange; BLT_OK once it is durable. */
static blt_status record_exchange(struct recorder *r,
				  const struct httpd_request *req,
				  const struct httpc_response *resp,
				  const char *proxy_sig, struct blt_err *err)
{
	char client_sig[65];
	const char *extra[2] = {client_sig, proxy_sig};
	char *sent = next_token_of(req->body, req->body_len);
	char *issued = resp->status == 200
			   ? next_token_of(resp->body.data, resp->body.len)
			   : NULL;
	long from = sent ? record_tokens_get(r->tokens, sent) : 0;
	json_t *request;
	json_t *response;
	json_t *inter;
	blt_status st;

	record_signature_of(httpd_request_header(req, "authorization"),
			    client_sig);
	request = request_message(r, req, extra);
	response = response_message(r, resp, extra);
	inter = request && response
		    ? cassette_interaction_new(request, response, from,
					       resp->elapsed_ms)
		    : NULL;
	if (!inter) {
		json_decref(request);
		json_decref(response);
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	} else {
		st = store(r, inter, issued, err);
		json_decref(inter);
	}
	free(sent);
	free(issued);
	return st;
}

/* Hands the upstream's answer to the client without hop-by-hop headers. */
static void copy_reply(struct httpd_reply *reply,
		       const struct httpc_response *resp)
{
	const char *conn = httpc_response_header(resp, "connection");

	reply->status = (int)resp->status;
	buf_reset(&reply->body);
	if (resp->body.len &&
	    buf_append(&reply->body, resp->body.data, resp->body.len, NULL)) {
		reply_error(reply, 502, AWSJSON_ERR_UPSTREAM,
			    "blt-proxy record: the upstream's body is too "
			    "large to relay");
		return;
	}
	for (size_t i = 0; i < resp->nheaders; i++)
		if (!record_hop_header(resp->headers[i].name, conn))
			httpd_reply_header(reply, resp->headers[i].name,
					   resp->headers[i].value, NULL);
}

/* Answers a request for another service without forwarding it: the
 * proxy re-signs with the user's credentials, so it must never sign what
 * the user did not mean to record. */
static void refuse_target(struct recorder *r, const struct httpd_request *req,
			  const char *target, struct httpd_reply *reply)
{
	reply_error(reply, 400, AWSJSON_ERR_UNKNOWN_OPERATION,
		    "blt-proxy record forwards only X-Amz-Target "
		    AWSJSON_TARGET_PREFIX "* (and the --forward-target "
		    "prefixes); this request was neither forwarded nor "
		    "recorded");
	record_log(r, RLOG_NOT_FORWARDED,
		   "request %llu: X-Amz-Target '%s' is not forwarded "
		   "(--forward-target PREFIX adds more): answered "
		   "UnknownOperationException",
		   req->seq, target ? target : "(absent)");
}

static void on_request(void *ctx, const struct httpd_request *req,
		       struct httpd_reply *reply)
{
	struct recorder *r = ctx;
	const char *target = httpd_request_header(req, "x-amz-target");
	struct record_upstream up;
	struct httpc_response resp;
	struct httpc *c;
	struct blt_err err;
	char sig[65];
	blt_status st;

	blt_err_clear(&err);
	if (awsjson_target_parse(target) == AWSJSON_OP_DESCRIBE_ENDPOINTS) {
		answer_endpoints(r, req, reply);
		return;
	}
	if (!record_target_forwarded(&r->opts, target)) {
		refuse_target(r, req, target, reply);
		return;
	}
	if ((st = thread_client(r, &c, &err)) ||
	    (st = current_upstream(r, c, &up, &err)) ||
	    (st = record_forward(c, &up, &r->signer, req, &resp, sig, &err))) {
		fail_upstream(r, req, reply, st, &err);
		return;
	}
	st = record_exchange(r, req, &resp, sig, &err);
	if (st) {
		record_log(r, RLOG_NOT_RECORDED, "request %llu: cannot record: %s",
			   req->seq, err.msg);
		reply_error(reply, 500, AWSJSON_ERR_INTERNAL_SERVER,
			    "blt-proxy record could not record this "
			    "interaction; the upstream's answer is withheld");
	} else {
		copy_reply(reply, &resp);
	}
	httpc_response_free(&resp);
}

/* Credentials, the re-signing decision, the region and the secrets. */
static void setup_signer(struct recorder *r)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	const char *env_region = getenv("AWS_REGION");
	bool creds = akid && *akid && secret && *secret;
	struct blt_err err;

	if (r->opts.region)
		snprintf(r->region, sizeof(r->region), "%s", r->opts.region);
	else if (env_region && *env_region)
		snprintf(r->region, sizeof(r->region), "%s", env_region);
	else if (!strncmp(r->opts.upstream, "aws:", 4))
		snprintf(r->region, sizeof(r->region), "%s",
			 r->opts.upstream + 4);
	r->signer.creds = (struct sigv4_creds){akid, secret, token};
	r->signer.resign = creds && !r->opts.no_resign;
	if (r->signer.resign && !r->region[0]) {
		snprintf(r->region, sizeof(r->region), "us-east-1");
		fprintf(stderr, "blt-proxy record: no --region or AWS_REGION; "
				"signing for us-east-1\n");
	}
	r->signer.region = r->region;
	if (!creds)
		fprintf(stderr,
			"blt-proxy record: no AWS credentials in the "
			"environment: requests are forwarded as the client "
			"signed them\n");
	else if (r->opts.no_resign)
		fprintf(stderr, "blt-proxy record: --no-resign: requests are "
				"forwarded as the client signed them\n");
	if (redact_secrets_from_env(&r->rules, &err))
		fprintf(stderr,
			"blt-proxy record: warning: %s: it cannot be scrubbed "
			"from recorded bodies\n",
			err.msg);
}

/* The upstream URL, or discovery for aws:REGION (tried now, and again on
 * each request until it works). */
static blt_status setup_upstream(struct recorder *r, struct blt_err *err)
{
	struct record_upstream up;
	struct httpc *c = NULL;
	long minutes = 0;
	blt_status st;

	if (r->opts.upstream_ca && access(r->opts.upstream_ca, R_OK) != 0)
		return blt_fail(err, BLT_EUSAGE, "--upstream-ca %s: %s",
				r->opts.upstream_ca, strerror(errno));
	if (strncmp(r->opts.upstream, "aws:", 4) != 0)
		return record_upstream_parse(r->opts.upstream, &r->up, err);
	if (!r->opts.upstream[4])
		return blt_fail(err, BLT_EUSAGE,
				"--upstream aws:REGION needs "
				"a region");
	r->discover = true;
	if (r->opts.discovery_url)
		snprintf(r->discovery_url, sizeof(r->discovery_url), "%s",
			 r->opts.discovery_url);
	else
		snprintf(r->discovery_url, sizeof(r->discovery_url),
			 DISCOVERY_URL_FMT, r->opts.upstream + 4);
	if ((st = record_upstream_parse(r->discovery_url, &r->up, err)))
		return blt_err_prefix(err, "--discovery-url");
	r->up_ok = false;
	if ((st = httpc_new(&r->copts, &c, err)))
		return st;
	if (record_discover(c, r->discovery_url, &r->signer, &up, &minutes,
			    err) == BLT_OK) {
		endpoint_store(r, &up, minutes);
		endpoint_log(r, &up);
	} else {
		fprintf(stderr,
			"blt-proxy record: %s; requests get a 502 until "
			"discovery works\n",
			err->msg);
	}
	httpc_free(c);
	return BLT_OK;
}

/* Recovers a journal that a killed recording left. */
static blt_status recover_journal(struct recorder *r, struct blt_err *err)
{
	struct journal_recovery info;
	struct stat sb;
	blt_status st;

	/* lstat: a link left there, even a dangling one, is refused by the
	 * recovery rather than written through. */
	if (lstat(r->journal_path, &sb) != 0)
		return BLT_OK;
	st = journal_recover_report(r->opts.cassette, r->journal_path, &info,
				    err);
	if (st)
		return blt_err_prefix(err,
				      "cannot recover the journal of a killed "
				      "recording (move it away, or repair it "
				      "and run blt-cassette recover)");
	fprintf(stderr,
		"blt-proxy record: recovered %zu interactions from %s (a "
		"recording that did not finish) into %s, %s; %zu in all%s\n",
		info.recovered, r->journal_path, r->opts.cassette,
		info.merged ? "after its existing ones" : "replacing it",
		info.total,
		info.dropped_partial ? "; dropped a cut-off last line" : "");
	return BLT_OK;
}

/* Links the tokens that an existing cassette's responses issued. */
static void link_existing_tokens(struct recorder *r)
{
	for (size_t i = 0; i < cassette_count(r->cassette); i++) {
		const struct cassette_interaction *it =
		    cassette_at(r->cassette, i);
		const char *tok = json_string_value(json_object_get(
		    cassette_body_json(it->response), "NextToken"));

		if (it->id > r->next_id)
			r->next_id = it->id;
		if (tok && *tok)
			record_tokens_put(r->tokens, tok, it->id, NULL);
	}
}

/* Recovery, the in-memory cassette and a fresh journal. */
static blt_status setup_recording(struct recorder *r, struct blt_err *err)
{
	struct stat sb;
	bool exists;
	blt_status st;

	if ((st = journal_path_for(r->opts.cassette, r->journal_path,
				   sizeof(r->journal_path), err)) ||
	    (st = recover_journal(r, err)) ||
	    (st = record_tokens_new(&r->tokens, err)))
		return st;
	exists = stat(r->opts.cassette, &sb) == 0;
	if (r->opts.append && exists) {
		if ((st = cassette_load(
			 &(struct cassette_load_opts){.path = r->opts.cassette},
			 &r->cassette, err)))
			return blt_err_prefix(err, "--append");
		link_existing_tokens(r);
		fprintf(stderr,
			"blt-proxy record: appending to the %zu "
			"interactions of %s\n",
			cassette_count(r->cassette), r->opts.cassette);
	} else {
		r->cassette =
		    cassette_new(r->opts.upstream, "blt-proxy " BLT_VERSION);
		if (!r->cassette)
			return blt_fail(err, BLT_ENOMEM, "out of memory");
		if (exists)
			fprintf(stderr,
				"blt-proxy record: %s will be replaced when "
				"the recording ends (--append keeps it)\n",
				r->opts.cassette);
	}
	return journal_open(r->journal_path,
			    r->opts.append ? JOURNAL_MODE_APPEND
					   : JOURNAL_MODE_REPLACE,
			    cassette_meta(r->cassette), &r->journal, err);
}

/* Writes the cassette and removes the journal; exit status. */
static int finish(struct recorder *r)
{
	struct blt_err err;

	if (cassette_save(r->cassette, r->opts.cassette, &err)) {
		fprintf(stderr,
			"blt-proxy record: cannot write %s: %s; every "
			"interaction stays in %s (blt-cassette recover)\n",
			r->opts.cassette, err.msg, r->journal_path);
		return 1;
	}
	log_limit_flush(&r->log);
	journal_close(r->journal);
	r->journal = NULL;
	if (journal_remove(r->journal_path, &err))
		fprintf(stderr, "blt-proxy record: %s\n", err.msg);
	fprintf(stderr,
		"blt-proxy record: wrote %s: %lu interactions recorded, %zu "
		"in all\n",
		r->opts.cassette, r->recorded, cassette_count(r->cassette));
	return 0;
}

static void recorder_free(struct recorder *r)
{
	for (size_t i = 0; i < r->nclients; i++)
		httpc_free(r->clients[i]);
	journal_close(r->journal);
	cassette_free(r->cassette);
	record_tokens_free(r->tokens);
	redact_rules_free(&r->rules);
	log_limit_free(&r->log);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->up_lock);
	pthread_cond_destroy(&r->up_done);
	pthread_mutex_destroy(&r->clients_lock);
	free(r);
}

/* Serves until SIGINT or SIGTERM. */
static int serve(struct recorder *r)
{
	struct httpd_config cfg = {.listen = r->opts.listen,
				   .threads = r->opts.threads,
				   .handler = on_request,
				   .ctx = r};
	struct httpd *h = NULL;
	struct blt_err err;
	const char *url;
	int sig;

	if (httpd_start(&cfg, &h, &err)) {
		fprintf(stderr, "blt-proxy record: %s\n", err.msg);
		/* Nothing was recorded: a journal left behind would replace
		 * the cassette at the next start. */
		journal_close(r->journal);
		r->journal = NULL;
		if (journal_remove(r->journal_path, &err))
			fprintf(stderr, "blt-proxy record: %s\n", err.msg);
		return 2;
	}
	url = httpd_url(h);
	snprintf(r->own_url, sizeof(r->own_url), "%s",
		 r->opts.advertise ? r->opts.advertise : url);
	httpd_announce(h);
	sig = httpd_wait_signal();
	fprintf(stderr, "blt-proxy record: signal %d: finishing\n", sig);
	httpd_stop(h);
	return finish(r);
}

int record_main(int argc, char **argv)
{
	struct recorder *r = calloc(1, sizeof(*r));
	struct blt_err err;
	int rc = 2;

	if (!r)
		return 1;
	httpd_block_signals();
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->up_lock, NULL);
	pthread_cond_init(&r->up_done, NULL);
	pthread_mutex_init(&r->clients_lock, NULL);
	log_limit_init(&r->log, PROG, "each kind shows its first lines only",
		       rlog_name, RLOG_COUNT);
	redact_rules_init(&r->rules);
	if (record_opts_parse(argc, argv, &r->opts, &r->rules, &err)) {
		fprintf(stderr, "blt-proxy record: %s (see --help)\n", err.msg);
		goto done;
	}
	if (r->opts.help) {
		record_usage(stdout);
		rc = 0;
		goto done;
	}
	httpc_global_init();
	r->copts = (struct httpc_opts){.timeout_ms = r->opts.timeout_ms,
				       .ca_file = r->opts.upstream_ca};
	setup_signer(r);
	if (setup_upstream(r, &err)) {
		fprintf(stderr, "blt-proxy record: %s\n", err.msg);
		rc = err.code == BLT_EUSAGE ? 2 : 1;
		goto done;
	}
	/* The cassette or its journal cannot be read or written: an I/O
	 * error on a file the command line names. */
	if (setup_recording(r, &err)) {
		fprintf(stderr, "blt-proxy record: %s\n", err.msg);
		goto done;
	}
	rc = serve(r);
done:
	recorder_free(r);
	return rc;
}
