/* blt-proxy replay: runs the COMMAND after "--" against the replay. All that
 * the child needs is built before fork: the server's threads run meanwhile,
 * so the child may only make async-signal-safe calls (a malloc or stdio
 * lock that another thread held at fork time stays held in the child). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replay.h"

#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DEFAULT_REGION "us-east-1"
/* Where execvp looks when PATH is unset (glibc's default). */
#define DEFAULT_PATH "/bin:/usr/bin"

extern char **environ;

/* The variables COMMAND gets from the replay, or loses (value NULL). */
enum { ENV_SET = 8, ENV_REMOVED = 2 };

/* Everything the child uses, owned. */
struct launch {
	char **env;	/* NULL-terminated */
	char **files;	/* candidate files for COMMAND[0], NULL-terminated */
	char **sh_argv; /* /bin/sh FILE ARGS...: for a file without #! */
};

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void launch_free(struct launch *l)
{
	strv_free(l->env);
	strv_free(l->files);
	free(l->sh_argv); /* borrows its strings */
}

/* "NAME=VALUE" as a new string; NULL when memory runs out. */
static char *env_pair(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static bool env_named(const char *entry, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (strncmp(entry, names[i], len) == 0 && entry[len] == '=')
			return true;
	}
	return false;
}

/* This process's environment with the documented changes (docs/
 * blt-proxy-replay.md, "Running a command"). */
static char **build_env(const struct replay_opts *o, const char *url)
{
	const char *region = o->region ? o->region : getenv("AWS_REGION");
	const char *names[ENV_SET + ENV_REMOVED] = {
	    "AWS_ENDPOINT_URL_TIMESTREAM_WRITE",
	    "AWS_ENDPOINT_URL",
	    "BLT_REPLAY_URL",
	    "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY",
	    "AWS_REGION",
	    "AWS_DEFAULT_REGION",
	    "AWS_EC2_METADATA_DISABLED",
	    "AWS_SESSION_TOKEN",
	    "AWS_PROFILE"};
	const char *values[ENV_SET];
	size_t n = 0;
	char **env;

	if (!region || !*region)
		region = DEFAULT_REGION;
	values[0] = values[1] = values[2] = url;
	values[3] = o->akid ? o->akid : TEST_AKID;
	values[4] = o->akid ? o->secret : TEST_SECRET;
	values[5] = values[6] = region;
	values[7] = "true";
	while (environ && environ[n])
		n++;
	env = calloc(n + ENV_SET + 1, sizeof(*env));
	if (!env)
		return NULL;
	n = 0;
	for (size_t i = 0; environ && environ[i]; i++) {
		if (env_named(environ[i], names, ENV_SET + ENV_REMOVED))
			continue;
		if (!(env[n++] = strdup(environ[i])))
			goto fail;
	}
	for (size_t i = 0; i < ENV_SET; i++)
		if (!(env[n++] = env_pair(names[i], values[i])))
			goto fail;
	return env;
fail:
	strv_free(env);
	return NULL;
}

/* The files execvp would try for cmd, in its order: cmd itself when it
 * holds a '/', else each PATH directory (an empty one is the current
 * directory) joined with cmd. */
static char **build_files(const char *cmd)
{
	const char *path = getenv("PATH");
	char **files;
	size_t n = 1;
	size_t k = 0;

	if (strchr(cmd, '/'))
		path = "";
	else if (!path)
		path = DEFAULT_PATH;
	for (const char *p = path; *p; p++)
		n += *p == ':';
	files = calloc(n + 1, sizeof(*files));
	for (const char *p = path; files && k < n; k++) {
		size_t len = strcspn(p, ":");
		size_t sz = len + strlen(cmd) + 2;

		if (!(files[k] = malloc(sz))) {
			strv_free(files);
			return NULL;
		}
		snprintf(files[k], sz, "%.*s%s%s", (int)len, p, len ? "/" : "",
			 cmd);
		p += len + (p[len] == ':');
	}
	return files;
}

/* The argv of "/bin/sh FILE ARGS...", FILE filled in by the child. */
static char **build_sh_argv(char **command)
{
	size_t n = 0;
	char **v;

	while (command[n])
		n++;
	v = calloc(n + 2, sizeof(*v));
	if (!v)
		return NULL;
	v[0] = "/bin/sh";
	for (size_t i = 1; i < n; i++)
		v[i + 1] = command[i];
	return v;
}

/* In the child: tries each file as execvp does, then reports errno on fd
 * and exits 127. Async-signal-safe calls only. */
static void exec_child(const struct launch *l, char **argv, int fd)
{
	sigset_t none;
	int saved = ENOENT;
	bool denied = false;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; l->files[i]; i++) {
		execve(l->files[i], argv, l->env);
		saved = errno;
		if (saved == ENOEXEC) {
			l->sh_argv[1] = l->files[i];
			execve(l->sh_argv[0], l->sh_argv, l->env);
			saved = errno;
			break;
		}
		if (saved == EACCES)
			denied = true;
		else if (saved != ENOENT && saved != ENOTDIR &&
			 saved != ENAMETOOLONG && saved != ELOOP &&
			 saved != ENODEV && saved != ETIMEDOUT &&
			 saved != ESTALE)
			break;
	}
	if (denied && (saved == ENOENT || saved == ENOTDIR))
		saved = EACCES;
	if (write(fd, &saved, sizeof(saved)) < 0)
		_exit(127);
	_exit(127);
}

/* Starts COMMAND; the child's pid, or -1 after saying why on stderr. */
static pid_t start_child(const struct replay_opts *o, const char *url)
{
	struct launch l = {build_env(o, url), build_files(o->command[0]),
			   build_sh_argv(o->command)};
	int fds[2] = {-1, -1};
	int child_errno = 0;
	pid_t pid = -1;

	if (!l.env || !l.files || !l.sh_argv) {
		fprintf(stderr,
			"blt-proxy replay: cannot run '%s': out of "
			"memory\n",
			o->command[0]);
		goto done;
	}
	if (pipe(fds) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || (pid = fork()) < 0) {
		fprintf(stderr, "blt-proxy replay: cannot run '%s': %s\n",
			o->command[0], strerror(errno));
		goto done;
	}
	if (pid == 0)
		exec_child(&l, o->command, fds[1]);
	close(fds[1]);
	fds[1] = -1;
	/* EOF once exec succeeded (close-on-exec); errno when it failed. */
	while (read(fds[0], &child_errno, sizeof(child_errno)) < 0 &&
	       errno == EINTR)
		;
	if (child_errno)
		fprintf(stderr, "blt-proxy replay: cannot run '%s': %s\n",
			o->command[0], strerror(child_errno));
done:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	launch_free(&l);
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
