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

/* How long a child whose stdout ended before its URL may take to exit on
 * its own before it is killed. */
#define SPAWN_EXIT_GRACE_MS 2000

blt_status spawn_read_url(int fd, char *url, size_t urlsz, int timeout_ms,
			  struct blt_err *err)
{
	char line[512];
	size_t n = 0;
	double deadline = clock_mono_ms() + timeout_ms;

	while (n < sizeof(line) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)(deadline - clock_mono_ms());
		int ready;
		ssize_t got;
		char c;

		if (left <= 0)
			return blt_fail(err, BLT_ETIMEOUT, "no 'listening on' "
					"line within %d ms", timeout_ms);
		ready = poll(&p, 1, left);
		if (ready < 0 && errno != EINTR)
			return blt_fail(err, BLT_EIO, "poll: %s",
					strerror(errno));
		if (ready <= 0)
			continue;
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return blt_fail(err, BLT_EIO, "read: %s",
					strerror(errno));
		if (got == 0)
			return blt_fail(err, BLT_EIO, "the output ended before "
					"a 'listening on' line");
		if (c != '\n') {
			line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		const char *at = strstr(line, "listening on ");
		if (at) {
			snprintf(url, urlsz, "%s", at + 13);
			return BLT_OK;
		}
	}
	return blt_fail(err, BLT_ELIMIT, "a line of %zu bytes or more before "
			"a 'listening on' line", sizeof(line) - 1);
}

static void exec_child(char *const argv[], char *const env[],
		       enum spawn_stderr errmode, int out_fd, int err_fd)
{
	int devnull = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	dup2(out_fd, 1);
	if (out_fd != 1)
		close(out_fd);
	if (devnull >= 0)
		dup2(devnull, 0);
	if (devnull >= 0 && errmode == SPAWN_STDERR_DISCARD)
		dup2(devnull, 2);
	if (errmode == SPAWN_STDERR_CAPTURE)
		dup2(err_fd, 2);
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

/* An unlinked temporary file for a child's stderr, or -1 (err says why). */
static int capture_file(struct blt_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/blt-stderr-XXXXXX",
			     dir) >= sizeof(path)) {
		blt_fail(err, BLT_ELIMIT, "TMPDIR is too long");
		return -1;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		blt_fail(err, BLT_EIO, "cannot create a file in %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Copies the end of the capture file into out (outsz bytes), control
 * characters other than newline as \xNN, without the final newlines. */
static void read_tail(int fd, char *out, size_t outsz)
{
	char raw[SPAWN_ERR_TAIL_MAX];
	char esc[4 * SPAWN_ERR_TAIL_MAX + 1];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t start = end > (off_t)sizeof(raw) ? end - (off_t)sizeof(raw) : 0;
	ssize_t n = end > 0 ? pread(fd, raw, (size_t)(end - start), start) : 0;
	size_t o = 0;

	while (n > 0 && raw[n - 1] == '\n')
		n--;
	for (ssize_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f) {
			snprintf(esc + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			esc[o++] = (char)c;
		}
	}
	esc[o] = '\0';
	/* Keep the end, where a failing program says why it stops. */
	snprintf(out, outsz, "%s", o < outsz ? esc : esc + (o - outsz + 1));
}

/* The last component of a program's path, for messages. */
static const char *prog_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Says how a child ended: "exited with status N" or "was killed by signal
 * N (NAME)". */
static void describe_end(int status, char *out, size_t outsz)
{
	if (WIFEXITED(status))
		snprintf(out, outsz, "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, outsz, "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(out, outsz, "stopped (wait status %d)", status);
}

/* Waits up to timeout_ms for the child to end; true (and its wait status
 * in *status) when it did. */
static bool reap_within(pid_t pid, int timeout_ms, int *status)
{
	double deadline = clock_mono_ms() + timeout_ms;
	pid_t got;

	while ((got = waitpid(pid, status, WNOHANG)) == 0 &&
	       clock_mono_ms() < deadline)
		usleep(2000);
	return got == pid;
}

/* Closes what spawn_start opened for a child that has been reaped, keeping
 * the end of a captured stderr in c->err_tail. */
static void release(struct spawn_child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0) {
		read_tail(c->err_fd, c->err_tail, sizeof(c->err_tail));
		close(c->err_fd);
	}
	c->pid = 0;
	c->out_fd = -1;
	c->err_fd = -1;
}

/* The end of text that fits in an error message after used bytes: a
 * failing program says why it stops last. */
static const char *tail_that_fits(const char *text, size_t used)
{
	size_t len = strlen(text);
	size_t room = used < BLT_ERR_MSG_MAX ? BLT_ERR_MSG_MAX - 1 - used : 0;

	return len <= room ? text : text + (len - room);
}

/* The child did not report its URL (why: st, in detail): stops it and
 * writes the one message that says what happened. A child whose output
 * ended is given a moment to exit on its own, so that its own exit status
 * is what is reported. */
static blt_status start_failed(struct spawn_child *c, const char *prog,
			       enum spawn_stderr errmode, int timeout_ms,
			       blt_status st, const struct blt_err *why,
			       struct blt_err *err)
{
	const char *head = "";
	const char *tail = "";
	char end[128];
	int status = 0;

	if (st == BLT_EIO && reap_within(c->pid, SPAWN_EXIT_GRACE_MS,
					 &status)) {
		size_t n;

		release(c);
		describe_end(status, end, sizeof(end));
		n = strlen(end);
		snprintf(end + n, sizeof(end) - n,
			 " before printing 'listening on'");
	} else {
		spawn_stop(c, SIGKILL, 1000, NULL);
		if (st == BLT_ETIMEOUT)
			snprintf(end, sizeof(end), "did not print 'listening "
				 "on' within %d ms", timeout_ms);
		else if (st == BLT_EIO)
			snprintf(end, sizeof(end), "closed its stdout before "
				 "printing 'listening on' (stopped)");
		else
			snprintf(end, sizeof(end), "failed: %.100s", why->msg);
	}
	if (errmode == SPAWN_STDERR_INHERIT) {
		head = " (its stderr is above)";
	} else if (errmode == SPAWN_STDERR_CAPTURE) {
		head = "; its stderr: ";
		tail = c->err_tail[0] ? c->err_tail : "(empty)";
	}
	return blt_fail(err, st, "%s %s%s%s", prog, end, head,
			tail_that_fits(tail, strlen(prog) + strlen(end) +
						     strlen(head) + 1));
}

blt_status spawn_start(char *const argv[], char *const env[], int timeout_ms,
		       enum spawn_stderr errmode, struct spawn_child *out,
		       struct blt_err *err)
{
	struct blt_err why = {BLT_OK, ""};
	int fds[2];
	blt_status st;

	memset(out, 0, sizeof(*out));
	out->out_fd = -1;
	out->err_fd = -1;
	if (errmode == SPAWN_STDERR_CAPTURE) {
		out->err_fd = capture_file(&why);
		if (out->err_fd < 0)
			return blt_fail(err, why.code, "%s", why.msg);
	}
	if (pipe(fds) != 0) {
		st = blt_fail(err, BLT_EIO, "pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	out->pid = fork();
	if (out->pid == 0) {
		close(fds[0]);
		exec_child(argv, env, errmode, fds[1], out->err_fd);
	}
	close(fds[1]);
	if (out->pid < 0) {
		close(fds[0]);
		out->pid = 0;
		st = blt_fail(err, BLT_EIO, "fork: %s", strerror(errno));
		goto fail;
	}
	out->out_fd = fds[0];
	fcntl(out->out_fd, F_SETFD, FD_CLOEXEC);
	st = spawn_read_url(out->out_fd, out->url, sizeof(out->url),
			    timeout_ms, &why);
	if (!st)
		return BLT_OK;
	return start_failed(out, prog_name(argv[0]), errmode, timeout_ms, st,
			    &why, err);
fail:
	if (out->err_fd >= 0)
		close(out->err_fd);
	out->err_fd = -1;
	return st;
}

void spawn_stop(struct spawn_child *c, int sig, int timeout_ms, int *status)
{
	int st = 0;

	if (c->pid <= 0)
		return;
	if (sig)
		kill(c->pid, sig);
	if (!reap_within(c->pid, timeout_ms, &st)) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &st, 0);
	}
	release(c);
	if (status)
		*status = st;
}
