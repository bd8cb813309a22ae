/* Faults while blt-proxy record records: the upstream dies mid-response,
 * the disk fills (RLIMIT_FSIZE, and a full tmpfs), and SIGKILL strikes at
 * random moments (under load and during the final save). Each time the
 * cassette left (after recovery where needed) lints, holds every
 * interaction a client was told succeeded, holds nothing that failed, and
 * the proxy's log says what happened. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blt/rng.h"
#include "record_test.h"

#define MARKER "X-Blt-Marker"
#define MARKERS_MAX 4096

static char dir[64];
static char cpath[160];
static char jpath[192];

static void setup(void)
{
	rt_tmpdir(dir, sizeof(dir));
	snprintf(cpath, sizeof(cpath), "%s/faults.json", dir);
	snprintf(jpath, sizeof(jpath), "%s.journal", cpath);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

static void teardown(void)
{
	rt_rmdir(dir);
}

TestSuite(record_faults, .init = setup, .fini = teardown, .timeout = 300);

/* ---- markers: what clients were told ---- */

struct markers {
	pthread_mutex_t lock;
	char *v[MARKERS_MAX];
	size_t n;
};

static void markers_add(struct markers *m, const char *s)
{
	pthread_mutex_lock(&m->lock);
	if (m->n < MARKERS_MAX)
		m->v[m->n++] = strdup(s);
	pthread_mutex_unlock(&m->lock);
}

static void markers_free(struct markers *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i]);
	m->n = 0;
}

/* The set of markers in a cassette, as a JSON object marker -> id; fails
 * the test on a marker recorded twice or an interaction without one. */
static json_t *cassette_markers(const char *path)
{
	struct cassette *cas = rt_load_checked(path);
	json_t *set = json_object();

	for (size_t i = 0; i < cassette_count(cas); i++) {
		const struct cassette_interaction *it = cassette_at(cas, i);
		const char *m = json_string_value(json_object_get(
		    json_object_get(it->request, "headers"), "x-blt-marker"));

		cr_assert_not_null(m, "interaction %ld has no marker", it->id);
		cr_assert_null(json_object_get(set, m), "%s recorded twice", m);
		json_object_set_new(set, m, json_integer(it->id));
	}
	cassette_free(cas);
	return set;
}

/* blt-cassette lint PATH exits 0. */
static void assert_lints(const char *path)
{
	char *argv[] = {(char *)test_bin("blt-cassette"), "lint", (char *)path,
			NULL};
	char *out = NULL;
	int rc = test_run(argv, &out, 60000);

	cr_assert_eq(rc, 0, "blt-cassette lint %s: %s", path, out ? out : "");
	free(out);
}

/* blt-cassette recover PATH; returns its exit code, output in *out. */
static int run_recover(const char *path, char **out)
{
	char *argv[] = {(char *)test_bin("blt-cassette"), "recover",
			(char *)path, NULL};

	return test_run(argv, out, 60000);
}

/* Every acknowledged marker is in set; no failed one is. */
static void assert_holds(const json_t *set, const struct markers *acked,
			 const struct markers *failed)
{
	for (size_t i = 0; i < acked->n; i++)
		cr_assert_not_null(json_object_get(set, acked->v[i]),
				   "acknowledged %s is not in the cassette "
				   "(%zu acknowledged, %zu recorded)",
				   acked->v[i], acked->n,
				   json_object_size(set));
	for (size_t i = 0; failed && i < failed->n; i++)
		cr_assert_null(json_object_get(set, failed->v[i]),
			       "%s was recorded though its client got an "
			       "error",
			       failed->v[i]);
}

/* Sends one ListBatchLoadTasks with the marker; returns the status (0 when
 * no answer came) and the body in *resp (caller frees). */
static long send_marked(struct httpc *c, const char *url, const char *marker,
			struct httpc_response *resp)
{
	char h[128];
	const char *extra[] = {h};
	struct blt_err err;

	snprintf(h, sizeof(h), MARKER ": %s", marker);
	if (rt_list(c, url, "{\"MaxResults\":3}", extra, 1, resp, &err))
		return 0;
	return resp->status;
}

/* ---- 1: the upstream dies mid-response ---- */

/* A raw upstream: a 200 for every request, except those whose marker
 * starts with "die-": for them it sends the head and half the announced
 * body, then closes ("die-fin"), resets ("die-rst"), or resets and stops
 * listening, as a killed process would ("die-gone"). */
struct dying {
	int lfd;
	unsigned short port;
	pthread_t thread;
	atomic_bool gone;
};

static size_t read_head_and_body(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	size_t want = 0;
	char *end = NULL;

	while (n < cap - 1) {
		ssize_t got = read(fd, buf + n, cap - 1 - n);

		if (got <= 0)
			return 0;
		n += (size_t)got;
		buf[n] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			const char *cl = strcasestr(buf, "\ncontent-length:");

			want = (size_t)(end + 4 - buf) +
			       (cl ? strtoul(cl + 16, NULL, 10) : 0);
		}
		if (end && n >= want)
			return n;
	}
	return 0;
}

static void send_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void close_with_reset(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

struct dying_conn {
	struct dying *d;
	int fd;
};

static void *dying_conn_main(void *arg)
{
	struct dying_conn *dc = arg;
	static const char body[] = "{\"BatchLoadTasks\":[]}";
	char buf[65536];
	char head[256];

	while (read_head_and_body(dc->fd, buf, sizeof(buf))) {
		const char *m = strcasestr(buf, "\n" MARKER ": die-");

		if (!m) {
			snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Type: "
				 "application/x-amz-json-1.0\r\n"
				 "x-amzn-RequestId: dying-upstream\r\n"
				 "Content-Length: %zu\r\n\r\n%s",
				 strlen(body), body);
			send_str(dc->fd, head);
			continue;
		}
		send_str(dc->fd, "HTTP/1.1 200 OK\r\nContent-Type: "
				 "application/x-amz-json-1.0\r\n"
				 "Content-Length: 200\r\n\r\n"
				 "{\"BatchLoadTasks\":[{\"TaskId\":\"HALF");
		usleep(20000); /* the half body reaches the proxy first */
		m += strlen("\n" MARKER ": die-");
		if (strncmp(m, "fin", 3) == 0) {
			close(dc->fd);
		} else {
			if (strncmp(m, "gone", 4) == 0) {
				atomic_store(&dc->d->gone, true);
				shutdown(dc->d->lfd, SHUT_RDWR);
			}
			close_with_reset(dc->fd);
		}
		free(dc);
		return NULL;
	}
	close(dc->fd);
	free(dc);
	return NULL;
}

static void *dying_main(void *arg)
{
	struct dying *d = arg;

	for (;;) {
		int fd = accept(d->lfd, NULL, NULL);
		struct dying_conn *dc;
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (atomic_load(&d->gone)) {
			close_with_reset(fd);
			return NULL;
		}
		dc = malloc(sizeof(*dc));
		*dc = (struct dying_conn){d, fd};
		if (pthread_create(&t, NULL, dying_conn_main, dc) == 0)
			pthread_detach(t);
	}
}

static void dying_start(struct dying *d)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	memset(d, 0, sizeof(*d));
	d->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(d->lfd >= 0 &&
		  bind(d->lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  listen(d->lfd, 64) == 0 &&
		  getsockname(d->lfd, (struct sockaddr *)&a, &len) == 0);
	d->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&d->thread, NULL, dying_main, d), 0);
}

static void dying_stop(struct dying *d)
{
	shutdown(d->lfd, SHUT_RDWR);
	pthread_join(d->thread, NULL);
	close(d->lfd);
}

/* The answer to a request whose upstream died: a 5xx naming the upstream
 * and saying nothing was recorded. */
static void assert_clear_error(long status, const struct httpc_response *r,
			       const char *marker)
{
	json_t *body = rt_body_json(r);
	const char *type = json_string_value(json_object_get(body, "__type"));
	const char *msg = json_string_value(json_object_get(body, "message"));

	cr_assert(status == 502 || status == 504,
		  "%s: status %ld, not 502 or 504", marker, status);
	cr_assert(type && msg, "%s: the error has no type or message: %.*s",
		  marker, (int)r->body.len, r->body.data ? r->body.data : "");
	cr_assert(strstr(msg, "upstream") && strstr(msg, "nothing was "
							 "recorded"),
		  "%s: unclear message: %s", marker, msg);
	json_decref(body);
}

Test(record_faults, upstream_dies_mid_response)
{
	static const char *const plan[] = {
	    "ok-1",	 "ok-2",       "die-fin-1", "ok-3",
	    "die-rst-1", "ok-4",       "ok-5",	    "die-fin-2",
	    "ok-6",	 "die-gone-1", "after-1",   "after-2"};
	struct markers acked = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct markers failed = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct httpc *c = rt_client();
	struct test_proc proxy;
	struct dying d;
	char url[64];
	char *log;
	json_t *set;

	dying_start(&d);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", d.port);
	rt_start_proxy(&proxy, url, cpath, NULL);
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		struct httpc_response r = {0};
		long st = send_marked(c, proxy.url, plan[i], &r);

		if (strncmp(plan[i], "ok-", 3) == 0) {
			cr_assert_eq(st, 200, "%s: status %ld", plan[i], st);
			markers_add(&acked, plan[i]);
		} else {
			/* die-*: the upstream broke off; after-*: it is
			 * gone, the connection is refused. */
			assert_clear_error(st, &r, plan[i]);
			markers_add(&failed, plan[i]);
		}
		httpc_response_free(&r);
	}
	log = test_slurp(proxy.log_path, NULL);
	cr_assert(log && strstr(log, "nothing was recorded"),
		  "the proxy's log does not say what happened: %s",
		  log ? log : "(none)");
	free(log);
	rt_stop_proxy(&proxy);
	dying_stop(&d);
	httpc_free(c);
	assert_lints(cpath);
	set = cassette_markers(cpath);
	assert_holds(set, &acked, &failed);
	cr_assert_eq(json_object_size(set), acked.n,
		     "the cassette holds %zu interactions, not the %zu "
		     "acknowledged",
		     json_object_size(set), acked.n);
	json_decref(set);
	markers_free(&acked);
	markers_free(&failed);
}

/* ---- 2: the disk fills ---- */

/* Sends marked requests until `failures` of them got an error (or max
 * were sent); sorts markers into acked and failed. Fails the test on an
 * answer that is neither a 200 nor a clear "could not record" error. */
static void fill(const char *url, const char *prefix, int failures, int max,
		 struct markers *acked, struct markers *failed)
{
	struct httpc *c = rt_client();
	int bad = 0;

	for (int i = 0; i < max && bad < failures; i++) {
		struct httpc_response r = {0};
		char m[64];
		long st;

		snprintf(m, sizeof(m), "%s-%d", prefix, i);
		st = send_marked(c, url, m, &r);
		if (st == 200) {
			markers_add(acked, m);
		} else {
			json_t *body = rt_body_json(&r);
			const char *msg =
			    json_string_value(json_object_get(body, "message"));

			cr_assert(
			    st >= 500 && msg && strstr(msg, "could not record"),
			    "%s: status %ld, body %.*s", m, st, (int)r.body.len,
			    r.body.data ? r.body.data : "");
			json_decref(body);
			markers_add(failed, m);
			bad++;
		}
		httpc_response_free(&r);
	}
	httpc_free(c);
	cr_assert_gt(acked->n, 0,
		     "nothing was recorded before the disk "
		     "filled");
	cr_assert_eq(bad, failures, "the disk never filled (%zu recorded)",
		     acked->n);
}

/* After a recording that hit a full disk stopped with status: either it
 * saved the cassette (exit 0), or it said it could not and left the
 * journal, which blt-cassette recover turns into the cassette. */
static void settle_after_full_disk(int status, const char *log)
{
	char *out = NULL;

	cr_assert(WIFEXITED(status), "the proxy died (status %d)", status);
	fprintf(stderr, "record_faults: full disk: the proxy exited %d%s\n",
		WEXITSTATUS(status),
		WEXITSTATUS(status) ? ", journal recovered" : "");
	if (WEXITSTATUS(status) == 0) {
		cr_assert_eq(access(jpath, F_OK), -1,
			     "a clean exit left the journal");
		return;
	}
	cr_assert_eq(WEXITSTATUS(status), 1, "exit %d", WEXITSTATUS(status));
	cr_assert(log && strstr(log, "cannot write") &&
		      strstr(log, "blt-cassette recover"),
		  "the proxy does not say the save failed: %s",
		  log ? log : "(none)");
	cr_assert_eq(run_recover(cpath, &out), 0, "recover: %s",
		     out ? out : "");
	free(out);
}

/* Stops the proxy with SIGTERM and returns its status; *log gets its
 * stderr (caller frees). */
static int stop_keep_log(struct test_proc *p, char **log)
{
	*log = NULL;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		int status;

		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			*log = test_slurp(p->log_path, NULL);
			p->pid = -1;
			unlink(p->log_path);
			close(p->out_fd);
			return status;
		}
		usleep(100000);
	}
	*log = test_slurp(p->log_path, NULL);
	return test_proc_stop(p, SIGKILL);
}

Test(record_faults, file_size_limit_fails_loudly_and_loses_nothing)
{
	const char *fake_args[] = {"--generate", "30", NULL};
	struct markers acked = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct markers failed = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct rlimit old;
	struct rlimit small;
	struct test_proc fake;
	struct test_proc proxy;
	char *log;
	json_t *set;
	int status;

	rt_start_fake(&fake, fake_args);
	/* The proxy inherits the limit and the ignored SIGXFSZ: writes past
	 * 24 KiB fail with EFBIG instead of killing it. */
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 24 * 1024;
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0, "%s", strerror(errno));
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	fill(proxy.url, "fsize", 3, 500, &acked, &failed);
	status = stop_keep_log(&proxy, &log);
	test_proc_stop(&fake, SIGTERM);
	cr_assert(log && strstr(log, "cannot record") &&
		      strstr(log, "File too large"),
		  "the proxy does not say why it could not record: %s",
		  log ? log : "(none)");
	settle_after_full_disk(status, log);
	free(log);
	assert_lints(cpath);
	set = cassette_markers(cpath);
	assert_holds(set, &acked, &failed);
	json_decref(set);
	markers_free(&acked);
	markers_free(&failed);
}

Test(record_faults, full_tmpfs_fails_loudly_and_loses_nothing)
{
	const char *fake_args[] = {"--generate", "30", NULL};
	struct markers acked = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct markers failed = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct test_proc fake;
	struct test_proc proxy;
	char mnt[96];
	char *log;
	json_t *set;
	int status;

	if (geteuid() != 0)
		cr_skip_test("mounting a tmpfs needs root (the RLIMIT_FSIZE "
			     "test covers a full disk without it)");
	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	cr_assert_eq(mkdir(mnt, 0700), 0);
	cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=64k"), 0,
		     "mount a 64 KiB tmpfs on %s: %s", mnt, strerror(errno));
	snprintf(cpath, sizeof(cpath), "%s/faults.json", mnt);
	snprintf(jpath, sizeof(jpath), "%s.journal", cpath);
	rt_start_fake(&fake, fake_args);
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	fill(proxy.url, "tmpfs", 3, 1000, &acked, &failed);
	status = stop_keep_log(&proxy, &log);
	test_proc_stop(&fake, SIGTERM);
	cr_assert(log && strstr(log, "cannot record") &&
		      strstr(log, "No space left on device"),
		  "the proxy does not say why it could not record: %s",
		  log ? log : "(none)");
	/* Space comes back (the operator frees some), then recovery. */
	cr_assert_eq(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=4m"), 0,
		     "remount: %s", strerror(errno));
	settle_after_full_disk(status, log);
	free(log);
	assert_lints(cpath);
	set = cassette_markers(cpath);
	assert_holds(set, &acked, &failed);
	json_decref(set);
	markers_free(&acked);
	markers_free(&failed);
	cr_assert_eq(umount(mnt), 0, "umount %s: %s", mnt, strerror(errno));
}

/* ---- 3: SIGKILL at random moments ---- */

#define KILL_ROUNDS 8
#define KILL_CLIENTS 4

struct kill_client {
	const char *url;
	int round;
	int id;
	atomic_bool *stop;
	struct markers *acked;
};

static void *kill_client_main(void *arg)
{
	struct kill_client *k = arg;
	struct httpc_opts o = {.timeout_ms = 10000};
	struct httpc *c = NULL;

	if (httpc_new(&o, &c, NULL))
		return NULL;
	for (int n = 0; !atomic_load(k->stop); n++) {
		struct httpc_response r = {0};
		char m[64];
		long st;

		snprintf(m, sizeof(m), "k%d-c%d-%d", k->round, k->id, n);
		st = send_marked(c, k->url, m, &r);
		if (st == 200)
			markers_add(k->acked, m);
		httpc_response_free(&r);
		if (st == 0)
			break; /* the proxy is gone */
	}
	httpc_free(c);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* One round: a fresh recording (replace mode) under load, killed after
 * kill_ms; in odd rounds SIGTERM comes first and the SIGKILL lands
 * during the final save. Then blt-cassette recover, lint, and every
 * acknowledged marker must be there. */
static void kill_round(const char *upstream, int round, long kill_ms,
		       long term_ms)
{
	struct markers acked = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct kill_client k[KILL_CLIENTS];
	pthread_t th[KILL_CLIENTS];
	atomic_bool stop = false;
	struct test_proc proxy;
	char *out = NULL;
	bool journal;
	json_t *set;

	unlink(cpath);
	rt_start_proxy(&proxy, upstream, cpath, NULL);
	for (int i = 0; i < KILL_CLIENTS; i++) {
		k[i] = (struct kill_client){proxy.url, round, i, &stop, &acked};
		cr_assert_eq(
		    pthread_create(&th[i], NULL, kill_client_main, &k[i]), 0);
	}
	sleep_ms(kill_ms);
	if (term_ms >= 0) {
		atomic_store(&stop, true);
		for (int i = 0; i < KILL_CLIENTS; i++)
			pthread_join(th[i], NULL);
		kill(proxy.pid, SIGTERM);
		sleep_ms(term_ms);
	}
	test_proc_stop(&proxy, SIGKILL);
	atomic_store(&stop, true);
	if (term_ms < 0)
		for (int i = 0; i < KILL_CLIENTS; i++)
			pthread_join(th[i], NULL);
	journal = access(jpath, F_OK) == 0;
	if (journal)
		cr_assert_eq(run_recover(cpath, &out), 0,
			     "round %d: recover: %s", round, out ? out : "");
	free(out);
	cr_assert_eq(access(jpath, F_OK), -1, "round %d: a journal is left",
		     round);
	assert_lints(cpath);
	set = cassette_markers(cpath);
	assert_holds(set, &acked, NULL);
	fprintf(stderr,
		"record_faults: round %d: killed after %ld ms%s, %s: %zu "
		"acknowledged, %zu in the cassette\n",
		round, kill_ms, term_ms >= 0 ? " (SIGTERM first)" : "",
		journal ? "journal recovered" : "the save had finished",
		acked.n, json_object_size(set));
	json_decref(set);
	markers_free(&acked);
}

Test(record_faults, sigkill_at_random_moments_then_blt_cassette_recover)
{
	const char *fake_args[] = {"--generate", "40", "--threads", "2", NULL};
	struct test_proc fake;
	struct blt_rng rng;

	httpc_global_init();
	rng_seed(&rng, 8086);
	rt_start_fake(&fake, fake_args);
	for (int round = 0; round < KILL_ROUNDS; round++) {
		long kill_ms = 10 + (long)rng_below(&rng, 700);
		long term_ms = round % 2 ? (long)rng_below(&rng, 15) : -1;

		kill_round(fake.url, round, kill_ms, term_ms);
	}
	test_proc_stop(&fake, SIGTERM);
}

/* Killed, then restarted with --append: the proxy recovers the journal
 * itself and says so; the final cassette holds both recordings'
 * acknowledged interactions. */
Test(record_faults, sigkill_then_the_proxys_own_recovery)
{
	const char *fake_args[] = {"--generate", "40", NULL};
	const char *append[] = {"--append", NULL};
	struct markers acked = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct test_proc fake;
	struct test_proc proxy;
	struct httpc *c = rt_client();
	char *log;
	json_t *set;

	rt_start_fake(&fake, fake_args);
	rt_start_proxy(&proxy, fake.url, cpath, NULL);
	for (int i = 0; i < 25; i++) {
		struct httpc_response r = {0};
		char m[32];

		snprintf(m, sizeof(m), "first-%d", i);
		cr_assert_eq(send_marked(c, proxy.url, m, &r), 200);
		markers_add(&acked, m);
		httpc_response_free(&r);
	}
	test_proc_stop(&proxy, SIGKILL);
	cr_assert_eq(access(jpath, F_OK), 0, "a killed proxy left no journal");
	rt_start_proxy(&proxy, fake.url, cpath, append);
	log = test_slurp(proxy.log_path, NULL);
	cr_assert(log && strstr(log, "recovered 25 interactions"),
		  "the restarted proxy does not say it recovered: %s",
		  log ? log : "(none)");
	free(log);
	for (int i = 0; i < 5; i++) {
		struct httpc_response r = {0};
		char m[32];

		snprintf(m, sizeof(m), "second-%d", i);
		cr_assert_eq(send_marked(c, proxy.url, m, &r), 200);
		markers_add(&acked, m);
		httpc_response_free(&r);
	}
	rt_stop_proxy(&proxy);
	test_proc_stop(&fake, SIGTERM);
	httpc_free(c);
	assert_lints(cpath);
	set = cassette_markers(cpath);
	assert_holds(set, &acked, NULL);
	cr_assert_eq(json_object_size(set), acked.n);
	json_decref(set);
	markers_free(&acked);
}
