/* One run of the command under test: its scenario servers, its
 * environment, the wait (the time limit, the scenario's stop, a flood of
 * output) and what it printed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/clock.h"
#include "blt/command.h"
#include "blt/fileio.h"
#include "blt/httpd.h"
#include "cli.h"

#define POLL_US 5000
#define ENV_MAX 24

/* What the command loses from this process's environment: settings that
 * would send it elsewhere, give it other credentials or turn its endpoint
 * discovery off. */
static const char *const env_removed[] = {
	"AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN",
	"AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
	"AWS_ROLE_ARN",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_ENDPOINT_DISCOVERY_ENABLED",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_USE_FIPS_ENDPOINT",
	"AWS_USE_DUALSTACK_ENDPOINT",
	"AWS_CA_BUNDLE",
	"BLT_REPLAY_URL",
	"BLT_MAX_RESULTS",
	"BLT_TASK_STATUS",
	NULL};

struct env {
	char buf[ENV_MAX][1200];
	const char *set[ENV_MAX + 1];
	size_t n;
};

static void env_put(struct env *e, const char *name, const char *value)
{
	if (e->n >= ENV_MAX)
		return;
	snprintf(e->buf[e->n], sizeof(e->buf[0]), "%s=%s", name, value);
	e->set[e->n] = e->buf[e->n];
	e->set[++e->n] = NULL;
}

/* The run's environment (docs/client-conformance.md, "The kit"). */
static void build_env(const struct cli_run *run, struct env *e)
{
	const struct cli_script *sc = run->sc;

	e->n = 0;
	env_put(e, "AWS_ENDPOINT_URL_TIMESTREAM_WRITE", run->url);
	env_put(e, "AWS_ENDPOINT_URL", run->url);
	env_put(e, "BLT_ENDPOINT_URL", run->url);
	env_put(e, "AWS_ACCESS_KEY_ID", CLI_AKID);
	env_put(e, "AWS_SECRET_ACCESS_KEY", CLI_SECRET);
	if (sc->session_token)
		env_put(e, "AWS_SESSION_TOKEN", CLI_SESSION_TOKEN);
	env_put(e, "AWS_REGION", run->cfg->region);
	env_put(e, "AWS_DEFAULT_REGION", run->cfg->region);
	env_put(e, "AWS_EC2_METADATA_DISABLED", "true");
	env_put(e, "AWS_CONFIG_FILE", "/dev/null");
	env_put(e, "AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
	env_put(e, "AWS_RETRY_MODE", CLI_RETRY_MODE);
	env_put(e, "AWS_MAX_ATTEMPTS", CLI_MAX_ATTEMPTS);
	env_put(e, "NO_PROXY", "127.0.0.1,127.0.0.2,localhost");
	env_put(e, "no_proxy", "127.0.0.1,127.0.0.2,localhost");
	env_put(e, "BLT_SCENARIO", sc->name);
	if (sc->max_results)
		env_put(e, "BLT_MAX_RESULTS", sc->max_results);
	if (sc->task_status)
		env_put(e, "BLT_TASK_STATUS", sc->task_status);
}

/* The scenario server on a free port, and the cell on the same port of
 * 127.0.0.2 when the script has one (the JS SDK v3 keeps its configured
 * port and takes only the host from an Address). */
static blt_status start_servers(struct cli_run *run, struct httpd **h,
				struct blt_err *err)
{
	struct httpd_config cfg = {.listen = "127.0.0.1:0",
				   .threads = 1,
				   .handler = cli_handle,
				   .ctx = &run->side[0]};
	char listen[64];
	blt_status st = httpd_start(&cfg, &h[0], err);

	if (st)
		return st;
	snprintf(run->url, sizeof(run->url), "%s", httpd_url(h[0]));
	if (!run->sc->cell)
		return BLT_OK;
	snprintf(listen, sizeof(listen), "127.0.0.2:%u", httpd_port(h[0]));
	cfg.listen = listen;
	cfg.ctx = &run->side[1];
	if (httpd_start(&cfg, &h[1], err))
		return blt_err_prefix(err, "the cell server (127.0.0.2)");
	snprintf(run->cell_url, sizeof(run->cell_url), "%s", httpd_url(h[1]));
	return BLT_OK;
}

static off_t size_of(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 ? sb.st_size : 0;
}

/* Waits for pid, killing its group at the time limit, when the scenario
 * asks, or when it prints too much; then reaps it and anything left of
 * its group. */
static void wait_for(struct cli_run *run, pid_t pid, int out_fd, int err_fd)
{
	double start = clock_mono_ms();
	double deadline = start + (double)run->cfg->timeout_ms;
	int status = 0;

	for (;;) {
		siginfo_t si;
		bool stop;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			break;
		pthread_mutex_lock(&run->lock);
		stop = run->stop;
		pthread_mutex_unlock(&run->lock);
		run->o.stopped = stop;
		run->o.timed_out = !stop && clock_mono_ms() > deadline;
		run->o.flooded = size_of(out_fd) > CLI_OUTPUT_MAX ||
				 size_of(err_fd) > CLI_OUTPUT_MAX;
		if (stop || run->o.timed_out || run->o.flooded)
			break;
		usleep(POLL_US);
	}
	/* the leader is not reaped yet: its group id cannot be reused */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	run->o.ms = clock_mono_ms() - start;
	run->o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	run->o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Reads what the command printed into *text (never NULL afterwards). */
static void read_output(const char *path, char **text, size_t *len,
			bool *flooded)
{
	struct blt_buf b;

	if (fileio_read_all(path, 4 * CLI_OUTPUT_MAX, &b, NULL) == BLT_OK) {
		*len = b.len;
		*text = b.data ? buf_take(&b) : strdup("");
	} else {
		*flooded = true;
		*len = 0;
		*text = strdup("");
	}
	unlink(path);
}

static int open_output(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/* Starts the command with the run's environment and waits for it. */
static void run_command(struct cli_run *run)
{
	char out_path[CONFORM_PATH_MAX + 32], err_path[CONFORM_PATH_MAX + 32];
	struct env e;
	struct command_spec spec = {.argv = run->cfg->command,
				    .unset = env_removed,
				    .own_group = true,
				    .die_with_parent = true};
	struct blt_err err = {0};
	pid_t pid;

	snprintf(out_path, sizeof(out_path), "%s/run%zu.out", run->cfg->dir,
		 run->index);
	snprintf(err_path, sizeof(err_path), "%s/run%zu.err", run->cfg->dir,
		 run->index);
	build_env(run, &e);
	spec.set = e.set;
	spec.in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	spec.out_fd = open_output(out_path);
	spec.err_fd = open_output(err_path);
	if (spec.in_fd < 0 || spec.out_fd < 0 || spec.err_fd < 0)
		snprintf(run->o.start_error, sizeof(run->o.start_error),
			 "cannot open the run's output files in %.300s: %s",
			 run->cfg->dir, strerror(errno));
	else if (command_start(&spec, &pid, &err))
		snprintf(run->o.start_error, sizeof(run->o.start_error), "%s",
			 err.msg);
	else
		run->o.started = true;
	if (run->o.started)
		wait_for(run, pid, spec.out_fd, spec.err_fd);
	if (spec.in_fd >= 0)
		close(spec.in_fd);
	if (spec.out_fd >= 0)
		close(spec.out_fd);
	if (spec.err_fd >= 0)
		close(spec.err_fd);
	read_output(out_path, &run->o.out, &run->o.out_len, &run->o.flooded);
	read_output(err_path, &run->o.err, &run->o.err_len, &run->o.flooded);
}

void cli_run(struct cli_run *run, const struct cli_script *sc,
	     const struct cli_config *cfg, size_t index)
{
	struct httpd *h[2] = {NULL, NULL};
	struct blt_err err = {0};

	memset(run, 0, sizeof(*run));
	run->sc = sc;
	run->cfg = cfg;
	run->index = index;
	pthread_mutex_init(&run->lock, NULL);
	run->side[0] = (struct cli_side){run, 0};
	run->side[1] = (struct cli_side){run, 1};
	for (int k = 0; k < CLI_PAGES_MAX; k++)
		run->walk_status[k] = -1;
	run->x = calloc(CLI_EXCHANGES_MAX, sizeof(*run->x));
	run->t0 = clock_mono_ms();
	if (!run->x)
		snprintf(run->o.start_error, sizeof(run->o.start_error),
			 "out of memory");
	else if (start_servers(run, h, &err))
		snprintf(run->setup_error, sizeof(run->setup_error), "%s",
			 err.msg);
	else
		run_command(run);
	httpd_stop(h[1]);
	httpd_stop(h[0]);
	if (!run->o.out)
		run->o.out = strdup("");
	if (!run->o.err)
		run->o.err = strdup("");
	run->done = true;
}

void cli_run_free(struct cli_run *run)
{
	for (size_t i = 0; i < run->n; i++)
		cli_exchange_free(&run->x[i]);
	free(run->x);
	free(run->o.out);
	free(run->o.err);
	pthread_mutex_destroy(&run->lock);
}
