/* Child processes that serve: start, learn the URL, stop. */
#include "blt/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/clock.h"

blt_status spawn_sibling(const char *name, char *out, size_t outsz,
			 struct blt_err *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return blt_fail(err, BLT_EIO, "cannot read /proc/self/exe: %s",
				strerror(errno));
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(out, outsz, "%s/%s", self, name) >= outsz)
		return blt_fail(err, BLT_ELIMIT, "path of %s is too long",
				name);
	if (access(out, X_OK) != 0)
		return blt_fail(err, BLT_ENOTFOUND, "%s: not found beside %s",
				name, self);
	return BLT_OK;
}

bool spawn_read_url(int fd, char *url, size_t urlsz, int timeout_ms)
{
	char line[512];
	size_t n = 0;
	double deadline = clock_mono_ms() + timeout_ms;

	while (n < sizeof(line) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)(deadline - clock_mono_ms());
		char c;

		if (left <= 0 || poll(&p, 1, left) <= 0 ||
		    read(fd, &c, 1) != 1)
			return false;
		if (c != '\n') {
			line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		const char *at = strstr(line, "listening on ");
		if (at) {
			snprintf(url, urlsz, "%s", at + 13);
			return true;
		}
	}
	return false;
}

static void exec_child(char *const argv[], char *const env[], bool quiet,
		       int out_fd)
{
	int devnull = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	dup2(out_fd, 1);
	if (devnull >= 0)
		dup2(devnull, 0);
	if (devnull >= 0 && quiet)
		dup2(devnull, 2);
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char name[256];

		if (!eq) {
			unsetenv(env[i]);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - env[i]),
			 env[i]);
		setenv(name, eq + 1, 1);
	}
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

blt_status spawn_start(char *const argv[], char *const env[], int timeout_ms,
		       bool quiet, struct spawn_child *out,
		       struct blt_err *err)
{
	int fds[2];

	memset(out, 0, sizeof(*out));
	out->out_fd = -1;
	if (pipe(fds) != 0)
		return blt_fail(err, BLT_EIO, "pipe: %s", strerror(errno));
	fflush(NULL);
	out->pid = fork();
	if (out->pid == 0) {
		close(fds[0]);
		exec_child(argv, env, quiet, fds[1]);
	}
	close(fds[1]);
	if (out->pid < 0) {
		close(fds[0]);
		out->pid = 0;
		return blt_fail(err, BLT_EIO, "fork: %s", strerror(errno));
	}
	out->out_fd = fds[0];
	fcntl(out->out_fd, F_SETFD, FD_CLOEXEC);
	if (spawn_read_url(out->out_fd, out->url, sizeof(out->url),
			   timeout_ms))
		return BLT_OK;
	spawn_stop(out, SIGKILL, 1000, NULL);
	return blt_fail(err, BLT_EIO, "%s did not report 'listening on' "
			"within %d ms", argv[0], timeout_ms);
}

void spawn_stop(struct spawn_child *c, int sig, int timeout_ms, int *status)
{
	double deadline = clock_mono_ms() + timeout_ms;
	int st = 0;
	pid_t got = 0;

	if (c->pid <= 0)
		return;
	kill(c->pid, sig);
	while ((got = waitpid(c->pid, &st, WNOHANG)) == 0 &&
	       clock_mono_ms() < deadline)
		usleep(2000);
	if (got == 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &st, 0);
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->pid = 0;
	c->out_fd = -1;
	if (status)
		*status = st;
}
