/* blt-cassette gen: drives blt-fake through blt-proxy record with a
 * standard scenario and writes a cassette that is byte-identical for the
 * same arguments. */
#include <errno.h>
#include <assert.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/awsjson.h"
#include "blt/cassette.h"
#include "blt/clock.h"
#include "blt/httpc.h"
#include "blt/lbt.h"
#include "blt/spawn.h"
#include "cassette_tool.h"

/* The clock both servers run on, so that tokens and stamps reproduce:
 * 2026-01-01T00:00:00Z. */
#define GEN_EPOCH "1767225600"
#define GEN_START_MS 10000
#define GEN_WALK_MAX 1000

struct gen {
	struct httpc *http;
	char url[160];
	unsigned tasks;
	unsigned long long seed;
	blt_status st;
	struct blt_err err;
};

/* Sends one request through the proxy; returns the response body parsed
 * (new reference; NULL when not JSON) and its status. */
static json_t *gen_send(struct gen *g, const char *target, const char *body,
			long *status)
{
	char th[128];
	const char *headers[2] = {"Content-Type: " AWSJSON_CONTENT_TYPE, th};
	struct httpc_response r;
	json_t *doc = NULL;

	*status = 0;
	if (g->st)
		return NULL;
	snprintf(th, sizeof(th), "X-Amz-Target: %s%s", AWSJSON_TARGET_PREFIX,
		 target);
	g->st = httpc_send(g->http, "POST", g->url, headers, 2, body,
			   strlen(body), &r, &g->err);
	if (g->st)
		return NULL;
	*status = r.status;
	if (r.body.len)
		doc = json_loadb(r.body.data, r.body.len, 0, NULL);
	httpc_response_free(&r);
	return doc;
}

/* Walks every page of one listing: max 0 leaves MaxResults out, status
 * NULL leaves TaskStatus out. */
static void gen_walk(struct gen *g, int max, const char *status)
{
	char *token = NULL;

	for (int page = 0; page < GEN_WALK_MAX && !g->st; page++) {
		json_t *req = json_object();
		json_t *resp;
		char *body;
		long code;

		if (max)
			json_object_set_new(req, "MaxResults",
					    json_integer(max));
		if (status)
			json_object_set_new(req, "TaskStatus",
					    json_string(status));
		if (token)
			json_object_set_new(req, "NextToken",
					    json_string(token));
		body = json_dumps(req, JSON_COMPACT);
		resp = gen_send(g, "ListBatchLoadTasks", body, &code);
		free(body);
		json_decref(req);
		free(token);
		token = NULL;
		const char *next = json_string_value(
			json_object_get(resp, "NextToken"));
		if (code == 200 && next && *next)
			token = strdup(next);
		json_decref(resp);
		if (!token)
			break;
	}
	free(token);
}

/* The standard scenario: walks at several page sizes, every filter, every
 * kind of client mistake. */
static void gen_scenario(struct gen *g)
{
	static const char *const mistakes[] = {
		"{\"MaxResults\":0}", "{\"MaxResults\":101}",
		"{\"MaxResults\":-1}", "{\"MaxResults\":2147483648}",
		"{\"MaxResults\":\"10\"}", "{\"MaxResults\":1.5}",
		"{\"TaskStatus\":\"RUNNING\"}", "{\"TaskStatus\":\"created\"}",
		"{\"TaskStatus\":5}", "{\"NextToken\":\"not-a-token\"}",
		"{\"MaxResults\":", "[]"};
	static const int sizes[] = {0, 1, 2, 7, 100};
	long code;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] != 1 || g->tasks <= 60)
			gen_walk(g, sizes[i], NULL);
	for (int s = 0; s < LBT_STATUS_COUNT; s++)
		gen_walk(g, 3, lbt_status_name((enum lbt_status)s));
	for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++)
		json_decref(gen_send(g, "ListBatchLoadTasks", mistakes[i],
				     &code));
	json_decref(gen_send(g, "ListTables", "{}", &code));
}

/* Removes what differs between two runs: the ports, the dates, the
 * timings, the client's incidental headers. */
static void gen_normalise(struct cassette *c, const struct gen *g)
{
	static const char *const drop_req[] = {"host", "accept",
					       "user-agent"};
	json_t *meta = cassette_meta(c);
	char upstream[96];
	char stamp[32];

	clock_iso8601(atof(GEN_EPOCH), stamp);
	snprintf(upstream, sizeof(upstream),
		 "blt-fake --generate %u --seed %llu", g->tasks, g->seed);
	json_object_set_new(meta, "recorded_at", json_string(stamp));
	json_object_set_new(meta, "upstream", json_string(upstream));
	for (size_t i = 0; i < cassette_count(c); i++) {
		const struct cassette_interaction *it = cassette_at(c, i);
		json_t *rq = json_object_get(it->request, "headers");
		json_t *rs = json_object_get(it->response, "headers");

		for (size_t k = 0; k < 3; k++)
			json_object_del(rq, drop_req[k]);
		json_object_del(rs, "date");
		if (json_object_get(it->obj, "elapsed_ms"))
			json_object_set_new(it->obj, "elapsed_ms",
					    json_integer(0));
	}
}

static const char gen_usage[] =
	"usage: blt-cassette gen --tasks N --seed S -o FILE\n"
	"Records blt-fake --generate N --seed S through blt-proxy record with "
	"the\nstandard scenario (walks at several page sizes, every filter, "
	"every\nvalidation error) into FILE. The same arguments give the same "
	"bytes.\n";

enum { OPT_TASKS, OPT_SEED, OPT_OUT };

/* The most tasks gen asks blt-fake for. */
#define GEN_TASKS_MAX 100000

/* The command line of gen, as tool_parse_args fills it. */
struct gen_args {
	struct gen *g;
	const char *out;
	bool seeded;
};

static blt_status gen_apply(void *ctx, int id, const char *v,
			    struct blt_err *err)
{
	struct gen_args *a = ctx;
	uint64_t n = 0;

	switch (id) {
	case OPT_TASKS:
		if (cli_uint("--tasks", v, 1, GEN_TASKS_MAX, &n, err))
			return BLT_EUSAGE;
		a->g->tasks = (unsigned)n;
		break;
	case OPT_SEED:
		if (cli_uint("--seed", v, 0, UINT64_MAX, &n, err))
			return BLT_EUSAGE;
		a->g->seed = n;
		a->seeded = true;
		break;
	default:
		assert(id == OPT_OUT);
		a->out = v;
	}
	return BLT_OK;
}

/* Reads gen's command line; -1 to go on, else the exit status (0 after
 * --help). */
static int parse_args(int argc, char **argv, struct gen *g,
		      const char **out)
{
	static const struct cli_opt opts[] = {
		TOOL_HELP_ROW,
		{OPT_TASKS, "--tasks", 0, CLI_VALUE, "N",
		 "how many tasks (1 to 100000; required)"},
		{OPT_SEED, "--seed", 0, CLI_VALUE, "S",
		 "blt-fake's seed (required)"},
		{OPT_OUT, "--output", 'o', CLI_VALUE, "FILE",
		 "the cassette to write (required)"},
	};
	struct gen_args a = {g, NULL, false};
	const struct tool_cmdline cl = {
		"gen", gen_usage, opts, sizeof(opts) / sizeof(opts[0]), 0, 0, gen_apply, &a};
	int nargs;
	int rc = tool_parse_args(&cl, argc, argv, &nargs);

	if (rc >= 0)
		return rc;
	*out = a.out;
	if (!g->tasks || !a.seeded || !*out) {
		tool_error("gen", "--tasks, --seed and -o are required");
		fputs(gen_usage, stderr);
		return 2;
	}
	return -1;
}

/* Starts blt-fake and blt-proxy record on free ports. */
static blt_status gen_start(struct gen *g, const char *tmp,
			    struct spawn_child *fake,
			    struct spawn_child *proxy)
{
	char fake_bin[4096], proxy_bin[4096], n[24], s[24];
	char *env[] = {"BLT_FAKE_TIME=" GEN_EPOCH, "AWS_ACCESS_KEY_ID",
		       "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", NULL};

	snprintf(n, sizeof(n), "%u", g->tasks);
	snprintf(s, sizeof(s), "%llu", g->seed);
	if (spawn_sibling("blt-fake", fake_bin, sizeof(fake_bin), &g->err) ||
	    spawn_sibling("blt-proxy", proxy_bin, sizeof(proxy_bin), &g->err))
		return g->err.code;
	char *fargv[] = {fake_bin, "--listen", "127.0.0.1:0", "--generate", n,
			 "--seed", s, NULL};
	if (spawn_start(fargv, env, GEN_START_MS, SPAWN_STDERR_CAPTURE, fake,
			&g->err))
		return g->err.code;
	char *pargv[] = {proxy_bin, "record", "--upstream", fake->url,
			 "--cassette", (char *)tmp, "--listen", "127.0.0.1:0",
			 NULL};
	if (spawn_start(pargv, env, GEN_START_MS, SPAWN_STDERR_CAPTURE, proxy,
			&g->err))
		return g->err.code;
	snprintf(g->url, sizeof(g->url), "%s/", proxy->url);
	return BLT_OK;
}

/* Records into tmp, stops both servers, then normalises into out. */
static blt_status gen_run(struct gen *g, const char *tmp, const char *out)
{
	struct spawn_child fake = {0}, proxy = {0};
	struct httpc_opts opts = {0};
	struct cassette *c = NULL;
	int status = 0;

	if (gen_start(g, tmp, &fake, &proxy) ||
	    httpc_new(&opts, &g->http, &g->err))
		goto done;
	gen_scenario(g);
	httpc_free(g->http);
	g->http = NULL;
	spawn_stop(&proxy, SIGTERM, 10000, &status);
	if (!g->st && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		blt_fail(&g->err, BLT_EIO, "blt-proxy record did not stop "
			 "cleanly (wait status %d); its stderr: %s", status,
			 proxy.err_tail[0] ? proxy.err_tail : "(empty)");
	else if (!g->st &&
		 !cassette_load(&(struct cassette_load_opts){.path = tmp}, &c,
				&g->err)) {
		gen_normalise(c, g);
		cassette_save(c, out, &g->err);
	}
done:
	httpc_free(g->http);
	spawn_stop(&proxy, SIGTERM, 5000, NULL);
	spawn_stop(&fake, SIGTERM, 5000, NULL);
	cassette_free(c);
	unlink(tmp);
	return g->err.code;
}

/* Creates the directories of path that do not exist yet (as mkdir -p
 * does for path's directory); says so on stderr for each one. */
static blt_status make_parent_dirs(const char *path, struct blt_err *err)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return blt_fail(err, BLT_ELIMIT, "%s: path too long", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return BLT_OK;
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		struct stat sb;
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (stat(dir, &sb) != 0) {
			if (mkdir(dir, 0777) != 0)
				return blt_fail(err, BLT_EIO, "cannot create "
						"directory %s: %s", dir,
						strerror(errno));
			fprintf(stderr, "blt-cassette gen: created directory "
				"%s\n", dir);
		} else if (!S_ISDIR(sb.st_mode)) {
			return blt_fail(err, BLT_EIO, "%s is not a directory",
					dir);
		}
		if (last)
			return BLT_OK;
		*p = '/';
	}
}

int cmd_gen(int argc, char **argv)
{
	struct gen g = {0};
	const char *out = NULL;
	char tmp[4096];
	int rc = parse_args(argc, argv, &g, &out);

	if (rc >= 0)
		return rc;
	httpc_global_init();
	snprintf(tmp, sizeof(tmp), "%s.gen-%ld.tmp", out, (long)getpid());
	if (make_parent_dirs(out, &g.err) || gen_run(&g, tmp, out)) {
		tool_error("gen", "%s", g.err.msg);
		return 2;
	}
	return 0;
}
