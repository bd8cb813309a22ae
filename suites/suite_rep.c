/* REP-*: replaying cassettes against the target, in order, with token
 * threading, and comparing each answer with the recorded one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blt/canon.h"
#include "blt/cassette.h"
#include "blt/schema.h"
#include "conform.h"

#define TOKEN_MARK "<NextToken>"

/* Replay state of one cassette: the target's NextToken for each replayed
 * interaction (by index). */
struct replay {
	const struct cassette *c;
	char **issued;
	unsigned replayed, unthreadable;
	unsigned compared; /* answers a comparison judged */
};

/* The tally of a whole replay. */
struct replay_count {
	unsigned replayed; /* interactions answered */
	unsigned compared; /* answers a comparison judged */
};

/* Judges one answer against its recording; false when it had nothing to
 * compare (a body that is not compared). */
typedef bool (*compare_fn)(struct check *ck, const struct creq *rq,
			   const struct cresp *rs,
			   const struct cassette_interaction *it,
			   const char *name);

/* How a deviation in the answer to it is reported: one to an interaction
 * whose NextToken was threaded may come from a target whose tokens cannot
 * be used twice (the shipped cassettes and the run's own walks reach the
 * same places), so it depends on PAG-REPEAT. */
typedef void (*fail_fn)(struct check *ck, const struct creq *rq,
			const struct cresp *rs, const char *fmt, ...);

static fail_fn fail_for(const struct cassette_interaction *it)
{
	return it->token_from ? check_fail_dep : check_fail;
}

static const char *header_of(const json_t *msg, const char *name)
{
	return json_string_value(
		json_object_get(json_object_get(msg, "headers"), name));
}

/* The recorded error type of a response message, or "" when none. */
static void recorded_type(const json_t *resp, char *out, size_t n)
{
	if (!awsjson_error_read_type(header_of(resp, "x-amzn-errortype"),
				     cassette_body_json(resp), out, n))
		out[0] = '\0';
}

/* Copies v, replacing every NextToken string by a mark and dropping the
 * volatile request ids. New reference. */
static json_t *strip_volatile(const json_t *v)
{
	json_t *c = json_deep_copy(v);
	const char *key;
	json_t *val;
	void *tmp;
	size_t i;

	if (json_is_object(c)) {
		json_object_foreach_safe(c, tmp, key, val) {
			if (strcmp(key, "RequestId") == 0 ||
			    strcmp(key, "requestId") == 0) {
				json_object_del(c, key);
			} else if (strcmp(key, "NextToken") == 0 &&
				   json_is_string(val) &&
				   *json_string_value(val)) {
				json_object_set_new(c, key,
						    json_string(TOKEN_MARK));
			} else {
				json_object_set_new(c, key,
						    strip_volatile(val));
			}
		}
	} else if (json_is_array(c)) {
		json_array_foreach(c, i, val)
			json_array_set_new(c, i, strip_volatile(val));
	}
	return c;
}

/* Finds the first place where a and b differ, as a JSON pointer. */
static bool first_diff(const json_t *a, const json_t *b, char *ptr,
		       size_t n)
{
	size_t len = strlen(ptr);
	const char *key;
	json_t *va;
	size_t i;

	if (json_typeof(a) != json_typeof(b))
		return true;
	if (json_is_object(a)) {
		json_object_foreach((json_t *)a, key, va) {
			snprintf(ptr + len, n - len, "/%s", key);
			const json_t *vb = json_object_get(b, key);
			if (!vb || first_diff(va, vb, ptr, n))
				return true;
		}
		json_object_foreach((json_t *)b, key, va) {
			snprintf(ptr + len, n - len, "/%s", key);
			if (!json_object_get(a, key))
				return true;
		}
		ptr[len] = '\0';
		return false;
	}
	if (json_is_array(a)) {
		json_array_foreach(a, i, va) {
			snprintf(ptr + len, n - len, "/%zu", i);
			if (i >= json_array_size(b) ||
			    first_diff(va, json_array_get(b, i), ptr, n))
				return true;
		}
		ptr[len] = '\0';
		if (json_array_size(a) != json_array_size(b)) {
			snprintf(ptr + len, n - len, "/%zu",
				 json_array_size(a));
			return true;
		}
		return false;
	}
	return !json_equal((json_t *)a, (json_t *)b);
}

static bool compare_status(struct check *ck, const struct creq *rq,
			   const struct cresp *rs,
			   const struct cassette_interaction *it,
			   const char *name)
{
	char want[128];
	fail_fn fail = fail_for(it);

	recorded_type(it->response, want, sizeof(want));
	if (rs->status != it->status)
		fail(ck, rq, rs,
			   "%s, interaction %ld: status %ld, recorded %d%s%s",
			   name, it->id, rs->status, it->status,
			   want[0] ? " " : "", want);
	else if (it->status != 200 &&
		 strcmp(want, rs->has_type ? rs->type : "") != 0)
		fail(ck, rq, rs,
			   "%s, interaction %ld: error type %s, recorded %s",
			   name, it->id, rs->has_type ? rs->type : "(none)",
			   want[0] ? want : "(none)");
	return true;
}

static bool compare_exact(struct check *ck, const struct creq *rq,
			  const struct cresp *rs,
			  const struct cassette_interaction *it,
			  const char *name)
{
	const json_t *rec = cassette_body_json(it->response);
	char ptr[512] = "";
	fail_fn fail = fail_for(it);

	if (strcmp(it->operation, "DescribeEndpoints") == 0)
		return false; /* the address it answers is the server's own */
	if (!rec || !rs->json) {
		struct blt_buf b;
		buf_init(&b, 1 << 24);
		cassette_body_bytes(it->response, &b, NULL);
		if ((b.len != rs->len ||
		     (b.len && memcmp(b.data, rs->body, b.len) != 0)))
			fail(ck, rq, rs,
				   "%s, interaction %ld: the body differs from "
				   "the recorded %.200s",
				   name, it->id, b.data ? b.data : "(empty)");
		buf_free(&b);
		return true;
	}
	json_t *a = strip_volatile(rec);
	json_t *b = strip_volatile(rs->json);
	if (first_diff(a, b, ptr, sizeof(ptr))) {
		char *ta = canon_text(a);
		fail(ck, rq, rs,
			   "%s, interaction %ld: the body differs from the "
			   "recorded one first at '%s' (recorded, volatile "
			   "values masked: %.300s)",
			   name, it->id, ptr[0] ? ptr : "/", ta ? ta : "?");
		free(ta);
	}
	json_decref(a);
	json_decref(b);
	return true;
}

static bool compare_shape(struct check *ck, const struct creq *rq,
			  const struct cresp *rs,
			  const struct cassette_interaction *it,
			  const char *name)
{
	struct schema_violation v;

	compare_status(ck, rq, rs, it, name);
	if (rs->status == 200 &&
	    strcmp(it->operation, "DescribeEndpoints") != 0 &&
	    (!rs->json || schema_validate(schema_builtin(SCHEMA_RESPONSE),
					  rs->json, &v, 1)))
		check_fail(ck, rq, rs,
			   "%s, interaction %ld: the 200 body breaks the "
			   "response schema",
			   name, it->id);
	return true;
}

/* The body to send for interaction i, with its NextToken threaded; NULL
 * when the token cannot be threaded. New string. */
static char *threaded_body(struct replay *rp,
			   const struct cassette_interaction *it)
{
	struct blt_buf b;
	char *out;

	buf_init(&b, 1 << 24);
	cassette_body_bytes(it->request, &b, NULL);
	out = buf_take(&b);
	if (!it->token_from || !out)
		return out ? out : strdup("");
	json_t *body = json_loads(out, 0, NULL);
	free(out);
	out = NULL;
	for (size_t j = 0; j < cassette_count(rp->c) && body; j++) {
		if (cassette_at(rp->c, j)->id != it->token_from)
			continue;
		if (rp->issued[j]) {
			json_object_set_new(body, "NextToken",
					    json_string(rp->issued[j]));
			out = conform_body(body);
		}
		break;
	}
	json_decref(body);
	return out;
}

static void replay_one(struct check *ck, struct replay *rp, size_t i,
		       const char *name, compare_fn cmp)
{
	const struct cassette_interaction *it = cassette_at(rp->c, i);
	char target[256];
	char *body = threaded_body(rp, it);
	const char *t = header_of(it->request, "x-amz-target");
	struct cresp rs;

	if (!body) {
		rp->unthreadable++;
		return;
	}
	snprintf(target, sizeof(target), "%s%s", AWSJSON_TARGET_PREFIX,
		 it->operation[0] ? it->operation : "ListBatchLoadTasks");
	struct creq rq = {.target = t ? t : target,
			  .ctype = header_of(it->request, "content-type"),
			  .body = body,
			  .len = strlen(body),
			  .kind = it->status >= 200 && it->status < 300
					  ? CREQ_VALID
				  : it->status >= 400 && it->status < 500
					  ? CREQ_MISTAKE
					  : CREQ_OTHER};
	if (check_send(ck, &rq, &rs)) {
		rp->replayed++;
		if (cmp(ck, &rq, &rs, it, name))
			rp->compared++;
		const char *next = json_string_value(json_object_get(
			rs.json, "NextToken"));
		if (next && *next)
			rp->issued[i] = strdup(next);
		cresp_free(&rs);
	}
	free(body);
}

/* Replays one cassette file against ck's target, or against a blt-fake
 * serving that cassette when the run is embedded. */
static void replay_file(struct check *ck, const char *path, compare_fn cmp,
			struct replay_count *count)
{
	struct cassette *c = NULL;
	struct blt_err err = {0};
	struct spawn_child fake = {0};
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (cassette_load(&(struct cassette_load_opts){.path = path}, &c,
			  &err)) {
		check_fail(ck, NULL, NULL, "cannot load %s: %s", path, err.msg);
		return;
	}
	if (ck->cfg.embedded) {
		const char *extra[] = {"--from-cassette", path, NULL};
		const char *profile = ck->cfg.profile == AWSJSON_PROFILE_SMITHY
					      ? "smithy"
					      : "documented";
		if (fake_start(ck->cfg.fake, profile, extra, &fake, &err) ||
		    conform_parse_target(&ck->cfg, fake.url, &err)) {
			check_fail(ck, NULL, NULL,
				   "cannot start blt-fake for %s: %s", name,
				   err.msg);
			fake_stop(&fake);
			cassette_free(c);
			return;
		}
	}
	struct replay rp = {.c = c,
			    .issued = calloc(cassette_count(c) + 1,
					     sizeof(char *))};
	for (size_t i = 0; i < cassette_count(c) && !ck->dead && rp.issued;
	     i++)
		replay_one(ck, &rp, i, name, cmp);
	if (rp.unthreadable)
		check_note(ck, "%s: %u interactions not sent: the target's "
			       "replay issued no NextToken to thread",
			   name, rp.unthreadable);
	count->replayed += rp.replayed;
	count->compared += rp.compared;
	for (size_t i = 0; rp.issued && i < cassette_count(c); i++)
		free(rp.issued[i]);
	free(rp.issued);
	fake_stop(&fake);
	cassette_free(c);
	ck->dead = false;
	/* each cassette's blt-fake numbers its request ids afresh */
	if (ck->cfg.embedded)
		observe_forget_reqids(&ck->obs);
}

/* Replays every cassette with cmp; skips ck with the reason when nothing
 * could be replayed. */
static void replay_all(struct check *ck, compare_fn cmp,
		       struct replay_count *count)
{
	const char *skip = getenv("BLT_CONFORM_REP_SKIP");
	char *list = NULL;
	char *save = NULL;

	memset(count, 0, sizeof(*count));
	if (skip && *skip) {
		check_skip(ck, "%s", skip);
		return;
	}
	list = strdup(ck->cfg.cassettes ? ck->cfg.cassettes : "");
	if (!list) {
		check_skip(ck, "out of memory for the list of cassettes");
		return;
	}
	for (char *p = strtok_r(list, "\n", &save); p;
	     p = strtok_r(NULL, "\n", &save))
		replay_file(ck, p, cmp, count);
	if (!count->replayed)
		check_skip(ck, "no interaction could be replayed");
	check_coverage(ck, "%u interactions replayed, %u compared",
		       count->replayed, count->compared);
	free(list);
}

Test(REP, STATUS)
{
	struct check ck;
	struct replay_count count;

	check_begin(&ck, "REP-STATUS");
	replay_all(&ck, compare_status, &count);
	check_end(&ck);
}

/* With --compare shape no body is compared with its recording: the replay
 * still judges the status and the schema of every 200 body (a deviation
 * fails the check), but the check itself is skipped, never passed. */
Test(REP, BODY)
{
	struct check ck;
	struct replay_count count;

	check_begin(&ck, "REP-BODY");
	if (!ck.cfg.exact)
		check_skip(&ck, "REP-BODY compares bodies only with --compare "
				"exact");
	replay_all(&ck, ck.cfg.exact ? compare_exact : compare_shape, &count);
	if (count.replayed && !count.compared)
		check_skip(&ck, "no replayed interaction had a body to compare "
				"(DescribeEndpoints bodies are not compared)");
	check_end(&ck);
}
