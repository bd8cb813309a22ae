/* Starting and stopping blt-fake as a child on a free loopback port. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blt/clock.h"
#include "conform.h"

#define FAKE_ARGS_MAX 32
#define FAKE_START_MS 10000

/* Reads lines from fd until "listening on URL" or the deadline. */
static bool read_url(int fd, char *url, size_t urlsz)
{
	char line[512];
	size_t n = 0;
	double deadline = clock_mono_ms() + FAKE_START_MS;

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

static void exec_child(const char *fake, const char *profile,
		       const char *const *extra, int out_fd)
{
	const char *argv[FAKE_ARGS_MAX + 8];
	size_t n = 0;
	int devnull = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	dup2(out_fd, 1);
	if (devnull >= 0) {
		dup2(devnull, 0);
		if (!getenv("BLT_CONFORM_FAKE_LOG"))
			dup2(devnull, 2);
	}
	argv[n++] = fake;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--profile";
	argv[n++] = profile;
	for (size_t i = 0; extra && extra[i] && i < FAKE_ARGS_MAX; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	execv(fake, (char *const *)argv);
	fprintf(stderr, "blt-conform: cannot run %s: %s\n", fake,
		strerror(errno));
	_exit(127);
}

blt_status fake_start(const char *fake, const char *profile,
		      const char *const *extra, int *pid, char *url,
		      size_t urlsz, struct blt_err *err)
{
	int fds[2];
	pid_t child;

	if (access(fake, X_OK) != 0)
		return blt_fail(err, BLT_ENOTFOUND,
				"the embedded blt-fake is not at %s (build it, "
				"or give --target URL)",
				fake);
	if (pipe(fds) != 0)
		return blt_fail(err, BLT_EIO, "pipe: %s", strerror(errno));
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(fds[0]);
		close(fds[1]);
		return blt_fail(err, BLT_EIO, "fork: %s", strerror(errno));
	}
	if (child == 0) {
		close(fds[0]);
		exec_child(fake, profile, extra, fds[1]);
	}
	close(fds[1]);
	*pid = (int)child;
	if (read_url(fds[0], url, urlsz)) {
		/* Kept open (and never read again) so that a later line on
		 * the server's stdout cannot kill it with SIGPIPE. */
		fcntl(fds[0], F_SETFD, FD_CLOEXEC);
		return BLT_OK;
	}
	close(fds[0]);
	fake_stop(*pid);
	*pid = 0;
	return blt_fail(err, BLT_EIO,
			"%s did not print its listening line (run it by hand "
			"to see why)",
			fake);
}

void fake_stop(int pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}
