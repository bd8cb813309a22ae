/* blt-proxy record killed with SIGKILL at random moments: every interaction
 * whose response a client received is in the recovered cassette. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blt/journal.h"
#include "blt/rng.h"
#include "record_test.h"

#define ROUNDS 6
#define KILL_CLIENTS 6
#define ACKED_MAX 200000

static char dir[64];
static char cpath[128];
static char jpath[160];

static void setup(void)
{
	rt_tmpdir(dir, sizeof(dir));
	snprintf(cpath, sizeof(cpath), "%s/kill.json", dir);
	snprintf(jpath, sizeof(jpath), "%s.journal", cpath);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
}

static void teardown(void)
{
	rt_rmdir(dir);
}

TestSuite(record_kill, .init = setup, .fini = teardown, .timeout = 300);

/* Markers of the requests whose 200 answer a client received. */
static struct {
	pthread_mutex_t lock;
	char *markers[ACKED_MAX];
	size_t n;
} acked = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct killer_client {
	const char *url;
	int round;
	int id;
	atomic_bool *stop;
};

static void *kill_client_main(void *arg)
{
	struct killer_client *k = arg;
	struct httpc_opts o = {.timeout_ms = 10000};
	struct httpc *c = NULL;

	if (httpc_new(&o, &c, NULL))
		return NULL;
	for (int n = 0; !atomic_load(k->stop); n++) {
		char marker[64];
		const char *h[] = {marker};
		struct httpc_response resp;

		snprintf(marker, sizeof(marker), "X-Blt-Marker: r%d-c%d-%d",
			 k->round, k->id, n);
		if (rt_list(c, k->url, "{\"MaxResults\":3}", h, 1, &resp, NULL))
			break; /* the proxy is gone */
		if (resp.status == 200) {
			pthread_mutex_lock(&acked.lock);
			if (acked.n < ACKED_MAX)
				acked.markers[acked.n++] =
				    strdup(marker + strlen("X-Blt-Marker: "));
			pthread_mutex_unlock(&acked.lock);
		}
		httpc_response_free(&resp);
	}
	httpc_free(c);
	return NULL;
}

/* Appends text to the journal, as a write cut short would leave it. */
static void append_partial_line(void)
{
	FILE *f = fopen(jpath, "a");

	cr_assert_not_null(f, "a killed proxy leaves its journal");
	fputs("{\"id\":999999,\"request\":{\"method\":\"PO", f);
	fclose(f);
}

/* One round: start (recovering what the last one left), load, SIGKILL. */
static void run_round(const char *upstream, int round, struct blt_rng *rng)
{
	/* Odd rounds add fdatasync: a killed process loses nothing either
	 * way, since the line is written before the answer. */
	const char *args[] = {"--append", round % 2 ? "--fsync" : NULL,
			      NULL};
	struct killer_client k[KILL_CLIENTS];
	pthread_t th[KILL_CLIENTS];
	atomic_bool stop = false;
	struct test_proc proxy;
	struct timespec ts;
	long ms = 30 + (long)rng_below(rng, 400);

	rt_start_proxy(&proxy, upstream, cpath, args);
	if (round == 3) {
		char *log = test_slurp(proxy.log_path, NULL);

		cr_assert(log && strstr(log, "cut-off last line"), "%s",
			  log ? log : "(no log)");
		free(log);
	}
	for (int i = 0; i < KILL_CLIENTS; i++) {
		k[i] = (struct killer_client){proxy.url, round, i, &stop};
		cr_assert_eq(
		    pthread_create(&th[i], NULL, kill_client_main, &k[i]), 0);
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	test_proc_stop(&proxy, SIGKILL);
	atomic_store(&stop, true);
	for (int i = 0; i < KILL_CLIENTS; i++)
		pthread_join(th[i], NULL);
}

Test(record_kill, sigkill_loses_no_acknowledged_interaction)
{
	const char *fake_args[] = {"--generate", "50", "--threads", "2", NULL};
	struct journal_recovery info;
	struct test_proc fake;
	struct blt_rng rng;
	struct blt_err err;
	json_t *present = json_object();

	httpc_global_init();
	rng_seed(&rng, 20261128);
	rt_start_fake(&fake, fake_args);
	for (int round = 0; round < ROUNDS; round++) {
		run_round(fake.url, round, &rng);
		if (round == 2)
			append_partial_line();
	}
	test_proc_stop(&fake, SIGTERM);
	cr_assert_gt(acked.n, (size_t)ROUNDS, "clients were answered");
	/* The last round's journal, recovered the way blt-cassette recover
	 * does it. */
	cr_assert_eq(journal_recover_report(cpath, jpath, &info, &err), BLT_OK,
		     "%s", err.msg);
	cr_assert(info.merged);
	cr_assert_eq(access(jpath, F_OK), -1);
	struct cassette *cas = rt_load_checked(cpath);
	for (size_t i = 0; i < cassette_count(cas); i++) {
		const struct cassette_interaction *it = cassette_at(cas, i);
		const char *m = json_string_value(json_object_get(
		    json_object_get(it->request, "headers"), "x-blt-marker"));
		char id[32];

		cr_assert_not_null(m);
		cr_assert_null(json_object_get(present, m), "%s twice", m);
		json_object_set_new(present, m, json_true());
		snprintf(id, sizeof(id), "#%ld", it->id);
		cr_assert_null(json_object_get(present, id), "id %ld twice",
			       it->id);
		json_object_set_new(present, id, json_true());
	}
	for (size_t i = 0; i < acked.n; i++)
		cr_assert_not_null(json_object_get(present, acked.markers[i]),
				   "acknowledged %s is lost (%zu acknowledged, "
				   "%zu recorded)",
				   acked.markers[i], acked.n,
				   cassette_count(cas));
	fprintf(stderr,
		"record_kill: %d rounds, %zu acknowledged, %zu "
		"recorded\n",
		ROUNDS, acked.n, cassette_count(cas));
	cassette_free(cas);
	json_decref(present);
}
