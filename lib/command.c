/* Starting a user's command: the launch is built before fork, the child
 * only calls async-signal-safe functions (a malloc or stdio lock that
 * another thread held at fork time stays held in the child). */
#define _GNU_SOURCE /* pipe2 */
#include "blt/command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where execvp looks when PATH is unset (glibc's default). */
#define DEFAULT_PATH "/bin:/usr/bin"

extern char **environ;

/* Everything the child uses, owned. */
struct launch {
	char **env;	/* NULL-terminated */
	char **files;	/* candidate files for argv[0], NULL-terminated */
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

static size_t strv_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* True when entry ("NAME=VALUE") names one of names (NAMEs) or of sets
 * (NAME=VALUE entries). */
static bool env_named(const char *entry, const char *const *names,
		      const char *const *sets)
{
	size_t elen = strcspn(entry, "=");

	for (size_t i = 0; names && names[i]; i++)
		if (strlen(names[i]) == elen &&
		    strncmp(entry, names[i], elen) == 0)
			return true;
	for (size_t i = 0; sets && sets[i]; i++)
		if (strcspn(sets[i], "=") == elen &&
		    strncmp(entry, sets[i], elen) == 0)
			return true;
	return false;
}

/* This process's environment without the names s removes or sets, then
 * s's entries. */
static char **build_env(const struct command_spec *s)
{
	size_t n = strv_len((const char *const *)environ);
	char **env = calloc(n + strv_len(s->set) + 1, sizeof(*env));
	size_t k = 0;

	if (!env)
		return NULL;
	for (size_t i = 0; environ && environ[i]; i++) {
		if (env_named(environ[i], s->unset, s->set))
			continue;
		if (!(env[k++] = strdup(environ[i])))
			goto fail;
	}
	for (size_t i = 0; s->set && s->set[i]; i++)
		if (!(env[k++] = strdup(s->set[i])))
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
static char **build_sh_argv(char *const *argv)
{
	size_t n = strv_len((const char *const *)argv);
	char **v = calloc(n + 2, sizeof(*v));

	if (!v)
		return NULL;
	v[0] = "/bin/sh";
	for (size_t i = 1; i < n; i++)
		v[i + 1] = argv[i];
	return v;
}

/* In the child: makes fd the descriptor to (kept open across exec). */
static void put_fd(int fd, int to)
{
	if (fd < 0)
		return;
	if (fd == to)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, to);
}

/* In the child: sets it up as s asks, tries each file as execvp does,
 * then reports errno on fd and exits 127. Async-signal-safe calls only. */
static void exec_child(const struct command_spec *s, const struct launch *l,
		       pid_t parent, int fd)
{
	sigset_t none;
	int saved = ENOENT;
	bool denied = false;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (s->own_group)
		setpgid(0, 0);
	if (s->die_with_parent &&
	    (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
		_exit(127);
	put_fd(s->in_fd, 0);
	put_fd(s->out_fd, 1);
	put_fd(s->err_fd, 2);
	for (size_t i = 0; l->files[i]; i++) {
		execve(l->files[i], s->argv, l->env);
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

static blt_status exec_failed(const char *cmd, int e, struct blt_err *err)
{
	return blt_fail(err,
			e == ENOENT   ? BLT_ENOTFOUND
			: e == EACCES ? BLT_EUSAGE
				      : BLT_EIO,
			"cannot run '%s': %s", cmd, strerror(e));
}

blt_status command_start(const struct command_spec *s, pid_t *pid,
			 struct blt_err *err)
{
	struct launch l = {build_env(s), build_files(s->argv[0]),
			   build_sh_argv(s->argv)};
	int fds[2] = {-1, -1};
	int child_errno = 0;
	pid_t parent = getpid();
	blt_status st = BLT_OK;

	*pid = -1;
	if (!l.env || !l.files || !l.sh_argv) {
		st = blt_fail(err, BLT_ENOMEM, "cannot run '%s': out of memory",
			      s->argv[0]);
		goto done;
	}
	if (pipe2(fds, O_CLOEXEC) != 0 || (*pid = fork()) < 0) {
		st = exec_failed(s->argv[0], errno, err);
		goto done;
	}
	if (*pid == 0)
		exec_child(s, &l, parent, fds[1]);
	close(fds[1]);
	fds[1] = -1;
	/* EOF once exec succeeded (close-on-exec); errno when it failed. */
	while (read(fds[0], &child_errno, sizeof(child_errno)) < 0 &&
	       errno == EINTR)
		;
	if (child_errno) {
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		*pid = -1;
		st = exec_failed(s->argv[0], child_errno, err);
	}
done:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	launch_free(&l);
	return st;
}
