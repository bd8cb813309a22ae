/* Child processes for the tests: servers on free ports and one-shot runs. */
#include "blt_test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blt/spawn.h"

const char *test_bin(const char *name)
{
	static char path[1024];
	const char *dir = getenv("BLT_BIN_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : BLT_BIN_DIR, name);
	return path;
}

const char *test_src(const char *relpath)
{
	static char path[1024];
	const char *dir = getenv("BLT_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : BLT_SOURCE_DIR,
		 relpath);
	return path;
}

bool test_subset(void)
{
	const char *v = getenv("BLT_TEST_SUBSET");

	return v && strcmp(v, "1") == 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void dump_log(const char *path)
{
	char *text = test_slurp(path, NULL);

	if (text) {
		fprintf(stderr, "--- child log %s ---\n%s\n---\n", path, text);
		free(text);
	}
}

/* Reads the child's stdout until the listening line or the deadline. */
static bool read_listen_line(struct test_proc *p, int timeout_ms)
{
	const char *colon;

	if (spawn_read_url(p->out_fd, p->url, sizeof(p->url), timeout_ms,
			   NULL))
		return false;
	colon = strrchr(p->url, ':');
	p->port = colon ? (unsigned short)atoi(colon + 1) : 0;
	return p->port != 0;
}

bool test_proc_start(struct test_proc *p, char *const argv[], int timeout_ms)
{
	int pipefd[2];
	int logfd;

	memset(p, 0, sizeof(*p));
	snprintf(p->log_path, sizeof(p->log_path), "/tmp/blt-test-log.XXXXXX");
	logfd = mkstemp(p->log_path);
	if (logfd < 0 || pipe(pipefd) != 0)
		return false;
	p->pid = fork();
	if (p->pid == 0) {
		dup2(pipefd[1], 1);
		dup2(logfd, 2);
		close(pipefd[0]);
		close(pipefd[1]);
		close(logfd);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	close(logfd);
	p->out_fd = pipefd[0];
	if (p->pid > 0 && read_listen_line(p, timeout_ms))
		return true;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	dump_log(p->log_path);
	return false;
}

int test_proc_stop(struct test_proc *p, int sig)
{
	int status = 0;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
	    sig != SIGKILL)
		dump_log(p->log_path);
	close(p->out_fd);
	unlink(p->log_path);
	p->pid = 0;
	return status;
}

int test_proc_stop_log(struct test_proc *p, int sig, char **log)
{
	int status = 0;

	*log = NULL;
	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	*log = test_slurp(p->log_path, NULL);
	close(p->out_fd);
	unlink(p->log_path);
	p->pid = 0;
	return status;
}

char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *next = realloc(buf, cap + 65536);
			if (!next) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = next;
			cap += 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int test_run(char *const argv[], char **out, int timeout_ms)
{
	char path[] = "/tmp/blt-test-run.XXXXXX";
	int fd = mkstemp(path);
	int status = 0;
	long deadline = now_ms() + timeout_ms;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(2000);
	}
	if (out)
		*out = test_slurp(path, NULL);
	unlink(path);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
