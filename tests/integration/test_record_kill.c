/* blt-proxy record killed with SIGKILL at random moments: every interaction
 * whose response a client received is in the recovered cassette; killed
 * while its save replaces an existing cassette, it leaves the old file or
 * the new one, never a mix or nothing. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/journal.h"
#include "blt/rng.h"
#include "record_test.h"

#define ROUNDS 6
#define KILL_CLIENTS 6
#define ACKED_MAX 200000
#define KILL_AFTER_ACKED 3 /* answers a round waits for before its kill */

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
	size_t before;
	long ms = (long)rng_below(rng, 400);

	rt_start_proxy(&proxy, upstream, cpath, args);
	if (round == 3) {
		char *log = test_slurp(proxy.log_path, NULL);

		cr_assert(log && strstr(log, "cut-off last line"), "%s",
			  log ? log : "(no log)");
		free(log);
	}
	pthread_mutex_lock(&acked.lock);
	before = acked.n;
	pthread_mutex_unlock(&acked.lock);
	for (int i = 0; i < KILL_CLIENTS; i++) {
		k[i] = (struct killer_client){proxy.url, round, i, &stop};
		cr_assert_eq(
		    pthread_create(&th[i], NULL, kill_client_main, &k[i]), 0);
	}
	/* The kill comes a random time after the clients have been answered
	 * a few times, however slowly a loaded machine answers them. */
	for (size_t now = before;
	     now < before + KILL_AFTER_ACKED && now < ACKED_MAX;) {
		struct timespec tick = {0, 1000000L};

		nanosleep(&tick, NULL);
		pthread_mutex_lock(&acked.lock);
		now = acked.n;
		pthread_mutex_unlock(&acked.lock);
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

#define SAVE_ROUNDS_MIN 6
#define SAVE_ROUNDS_MAX 30
#define SAVE_CLIENTS 4
#define SAVE_REQUESTS 300 /* per client: a cassette of some megabytes */

struct save_client {
	const char *url;
	int round;
	int id;
	int answered;
};

static void *save_client_main(void *arg)
{
	struct save_client *k = arg;
	struct httpc *c = rt_client();

	for (int n = 0; n < SAVE_REQUESTS; n++) {
		char marker[64];
		const char *h[] = {marker};
		struct httpc_response resp;

		snprintf(marker, sizeof(marker), "X-Blt-Marker: s%d-c%d-%d",
			 k->round, k->id, n);
		if (rt_list(c, k->url, "{\"MaxResults\":5}", h, 1, &resp,
			    NULL))
			break;
		k->answered += resp.status == 200;
		httpc_response_free(&resp);
	}
	httpc_free(c);
	return NULL;
}

/* True when dir holds a file other than the cassette and its journal: the
 * temporary file of a save in progress. */
static bool save_in_progress(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	cr_assert_not_null(d);
	while (!found && (e = readdir(d)) != NULL)
		found = strcmp(e->d_name, ".") != 0 &&
			strcmp(e->d_name, "..") != 0 &&
			strcmp(e->d_name, "kill.json") != 0 &&
			strcmp(e->d_name, "kill.json.journal") != 0;
	closedir(d);
	return found;
}

/* True when the file at cpath is no longer the one stat'ed in before. */
static bool changed(const struct stat *before)
{
	struct stat now;

	return stat(cpath, &now) != 0 || now.st_ino != before->st_ino ||
	       now.st_size != before->st_size ||
	       now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != before->st_mtim.tv_nsec;
}

/* Removes what a killed save leaves beside the cassette. */
static void remove_leftovers(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".kill.json", 10) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

/* True when the cassette at cpath holds exactly the interactions of round
 * r: SAVE_CLIENTS * SAVE_REQUESTS of them, each marked for that round. */
static bool holds_round(int r)
{
	struct blt_err err;
	struct cassette *c = NULL;
	size_t seen = 0;
	size_t count;
	char prefix[16];

	if (cassette_load(&(struct cassette_load_opts){.path = cpath}, &c,
			  &err))
		return false;
	snprintf(prefix, sizeof(prefix), "s%d-", r);
	count = cassette_count(c);
	for (size_t i = 0; i < count; i++) {
		const struct cassette_interaction *it = cassette_at(c, i);
		const char *m = json_string_value(json_object_get(
		    json_object_get(it->request, "headers"), "x-blt-marker"));

		seen += m && strncmp(m, prefix, strlen(prefix)) == 0;
	}
	cassette_free(c);
	return count == seen && seen == (size_t)SAVE_CLIENTS * SAVE_REQUESTS;
}

/* How a round ends after SIGTERM has started the save. */
enum save_kill {
	KILL_AT_ONCE,	     /* SIGKILL right after SIGTERM */
	KILL_WHILE_WRITING,  /* SIGKILL once the save's temporary file exists */
	KILL_NEVER	     /* the proxy exits by itself */
};

/* Records round r over an existing cassette (no --append), then stops the
 * proxy as how says. Returns true when the kill landed while the save's
 * temporary file existed. */
static bool save_round(const char *upstream, int r, enum save_kill how)
{
	struct save_client k[SAVE_CLIENTS];
	pthread_t th[SAVE_CLIENTS];
	struct test_proc proxy;
	struct stat before;
	bool mid_write = false;
	int answered = 0;

	rt_start_proxy(&proxy, upstream, cpath, NULL);
	for (int i = 0; i < SAVE_CLIENTS; i++) {
		k[i] = (struct save_client){proxy.url, r, i, 0};
		cr_assert_eq(
		    pthread_create(&th[i], NULL, save_client_main, &k[i]), 0);
	}
	for (int i = 0; i < SAVE_CLIENTS; i++) {
		pthread_join(th[i], NULL);
		answered += k[i].answered;
	}
	cr_assert_eq(answered, SAVE_CLIENTS * SAVE_REQUESTS);
	if (stat(cpath, &before) != 0)
		memset(&before, 0, sizeof(before)); /* round 0: no file yet */
	kill(proxy.pid, SIGTERM);
	if (how == KILL_WHILE_WRITING) {
		/* At the first sign of the save (its temporary file, or the
		 * cassette itself changing, as a save that wrote in place
		 * would), until the proxy has exited. */
		while (!save_in_progress() && !changed(&before) &&
		       waitpid(proxy.pid, NULL, WNOHANG) == 0)
			usleep(100);
		mid_write = save_in_progress();
	}
	if (how == KILL_NEVER) {
		int st = test_proc_stop(&proxy, 0);

		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d",
			  st);
	} else {
		test_proc_stop(&proxy, SIGKILL);
	}
	return mid_write;
}

Test(record_kill, killed_replacing_save_leaves_old_or_new_cassette)
{
	const char *fake_args[] = {"--generate", "50", "--threads", "2", NULL};
	static const char *const outcome[] = {"old", "new"};
	int seen[2] = {0, 0};
	int mid_writes = 0;
	struct test_proc fake;
	char *old = NULL;
	size_t old_len = 0;

	httpc_global_init();
	rt_start_fake(&fake, fake_args);
	/* Round 0 makes the first cassette that the others replace. */
	save_round(fake.url, 0, KILL_NEVER);
	cr_assert(holds_round(0));
	for (int r = 1; r < SAVE_ROUNDS_MAX; r++) {
		enum save_kill how = r % 3 == 1 ? KILL_AT_ONCE :
				     r % 3 == 2 ? KILL_WHILE_WRITING :
						  KILL_NEVER;
		struct journal_recovery info;
		struct blt_err err;
		size_t len = 0;
		char *now;
		int is_new;

		free(old);
		old = test_slurp(cpath, &old_len);
		cr_assert_not_null(old);
		mid_writes += save_round(fake.url, r, how);
		/* Right after the kill: the old bytes, or the whole new
		 * recording; never a cut file or none. */
		now = test_slurp(cpath, &len);
		cr_assert_not_null(now, "round %d: no cassette after the kill",
				   r);
		is_new = holds_round(r);
		cr_assert(is_new || (len == old_len &&
				     memcmp(now, old, len) == 0),
			  "round %d: the cassette is neither the old nor the "
			  "new one (%zu bytes, old %zu)",
			  r, len, old_len);
		seen[is_new]++;
		free(now);
		/* The journal completes an old one into the new (and is left
		 * behind by a kill between the rename and its removal). */
		cr_assert(is_new || access(jpath, F_OK) == 0,
			  "round %d: the old cassette without a journal", r);
		if (access(jpath, F_OK) == 0)
			cr_assert_eq(journal_recover_report(cpath, jpath, &info,
							    &err),
				     BLT_OK, "round %d: %s", r, err.msg);
		cr_assert(holds_round(r), "round %d: after recovery", r);
		cr_assert_eq(access(jpath, F_OK), -1);
		remove_leftovers();
		if (r >= SAVE_ROUNDS_MIN && mid_writes > 0 && seen[0] &&
		    seen[1])
			break;
	}
	test_proc_stop(&fake, SIGTERM);
	free(old);
	fprintf(stderr, "record_kill: replacing saves: %d %s, %d %s, %d "
		"killed while writing\n", seen[0], outcome[0], seen[1],
		outcome[1], mid_writes);
	cr_assert_gt(mid_writes, 0, "no kill landed during a save");
	cr_assert_gt(seen[0], 0, "no kill left the old cassette");
	cr_assert_gt(seen[1], 0, "no round left the new cassette");
}
