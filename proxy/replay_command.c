/* blt-proxy replay: runs the COMMAND after "--" against the replay
 * (lib/command.c starts it while the server's threads run), forwarding
 * SIGINT and SIGTERM to it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/command.h"
#include "replay.h"

#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DEFAULT_REGION "us-east-1"
/* The variables COMMAND gets from the replay, or loses. */
enum { ENV_SET = 8 };

static const char *const removed[] = {"AWS_SESSION_TOKEN", "AWS_PROFILE",
				      NULL};

/* "NAME=VALUE" as a new string; NULL when memory runs out. */
static char *env_pair(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

/* The documented changes to the environment (docs/blt-proxy-replay.md,
 * "Running a command") as ENV_SET "NAME=VALUE" entries in set (NULL-
 * terminated, owned); false when memory runs out. */
static bool build_set(const struct replay_opts *o, const char *url,
		      char *set[ENV_SET + 1])
{
	const char *region = o->region ? o->region : getenv("AWS_REGION");
	const char *names[ENV_SET] = {"AWS_ENDPOINT_URL_TIMESTREAM_WRITE",
				      "AWS_ENDPOINT_URL",
				      "BLT_REPLAY_URL",
				      "AWS_ACCESS_KEY_ID",
				      "AWS_SECRET_ACCESS_KEY",
				      "AWS_REGION",
				      "AWS_DEFAULT_REGION",
				      "AWS_EC2_METADATA_DISABLED"};
	const char *values[ENV_SET];
	bool ok = true;

	if (!region || !*region)
		region = DEFAULT_REGION;
	values[0] = values[1] = values[2] = url;
	values[3] = o->akid ? o->akid : TEST_AKID;
	values[4] = o->akid ? o->secret : TEST_SECRET;
	values[5] = values[6] = region;
	values[7] = "true";
	for (size_t i = 0; i < ENV_SET; i++)
		ok = (set[i] = env_pair(names[i], values[i])) != NULL && ok;
	set[ENV_SET] = NULL;
	return ok;
}

/* Starts COMMAND; the child's pid, or -1 after saying why on stderr. */
static pid_t start_child(const struct replay_opts *o, const char *url)
{
	char *set[ENV_SET + 1] = {NULL};
	struct command_spec spec = {.argv = o->command,
				    .set = (const char *const *)set,
				    .unset = removed,
				    .in_fd = -1,
				    .out_fd = -1,
				    .err_fd = -1};
	struct blt_err err = {0};
	pid_t pid = -1;

	if (!build_set(o, url, set))
		fprintf(stderr,
			"blt-proxy replay: cannot run '%s': out of memory\n",
			o->command[0]);
	else if (command_start(&spec, &pid, &err))
		fprintf(stderr, "blt-proxy replay: %s\n", err.msg);
	for (size_t i = 0; i < ENV_SET; i++)
		free(set[i]);
	return pid;
}

bool replay_run_command(const struct replay_opts *o, const char *url)
{
	sigset_t set;
	pid_t pid = start_child(o, url);
	int status = 0;

	if (pid < 0)
		return false;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		int sig = 0;
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return false;
		if (sigwait(&set, &sig) == 0 && sig != SIGCHLD)
			kill(pid, sig);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status))
		fprintf(stderr,
			"blt-proxy replay: '%s' exited with status %d\n",
			o->command[0], WEXITSTATUS(status));
	else
		fprintf(stderr,
			"blt-proxy replay: '%s' was killed by signal "
			"%d\n",
			o->command[0], WTERMSIG(status));
	return false;
}
