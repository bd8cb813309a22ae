/* Unit tests for lib/command.c: a command's environment, its redirected
 * streams, its own process group and the errors when it cannot run. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/command.h"

/* Runs argv with spec's edits, stdout into a temporary file; returns the
 * exit status and the output in out (at most outsz - 1 bytes). */
static int run(struct command_spec *spec, char *out, size_t outsz)
{
	char path[] = "/tmp/blt-command-XXXXXX";
	int fd = mkstemp(path);
	int status = 0;
	ssize_t n;
	pid_t pid;

	cr_assert(fd >= 0);
	unlink(path);
	spec->in_fd = -1;
	spec->out_fd = fd;
	spec->err_fd = -1;
	cr_assert_eq(command_start(spec, &pid, NULL), BLT_OK);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	n = pread(fd, out, outsz - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(command, environment_set_removed_and_kept, .timeout = 10)
{
	char *argv[] = {"sh", "-c",
			"echo \"$BLT_A|${BLT_B-unset}|$BLT_KEPT|$BLT_C\"",
			NULL};
	const char *set[] = {"BLT_A=new", "BLT_C=x=y", NULL};
	const char *unset[] = {"BLT_B", NULL};
	struct command_spec spec = {.argv = argv, .set = set, .unset = unset};
	char out[256];

	setenv("BLT_A", "old", 1);
	setenv("BLT_B", "gone", 1);
	setenv("BLT_KEPT", "kept", 1);
	cr_expect_eq(run(&spec, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "new|unset|kept|x=y\n");
}

Test(command, own_process_group, .timeout = 10)
{
	char *argv[] = {"sh", "-c", "ps -o pgid= -p $$ | tr -d ' '; echo $$",
			NULL};
	struct command_spec spec = {.argv = argv, .own_group = true};
	char out[256];
	long pgid = 0, pid = 0;

	cr_expect_eq(run(&spec, out, sizeof(out)), 0);
	cr_assert_eq(sscanf(out, "%ld %ld", &pgid, &pid), 2, "%s", out);
	cr_expect_eq(pgid, pid, "the child leads its own group: %s", out);
	cr_expect_neq(pgid, (long)getpgrp());
}

Test(command, script_without_interpreter_runs_with_sh, .timeout = 10)
{
	char dir[] = "/tmp/blt-command-dir-XXXXXX";
	char path[128];
	char *argv[] = {path, "arg1", NULL};
	struct command_spec spec = {.argv = argv};
	char out[64];
	FILE *f;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/script", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fputs("echo \"got $1\"\n", f);
	fclose(f);
	chmod(path, 0755);
	cr_expect_eq(run(&spec, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "got arg1\n");
	unlink(path);
	rmdir(dir);
}

Test(command, cannot_run, .timeout = 10)
{
	char *missing[] = {"/nonexistent/blt-command", NULL};
	char *unknown[] = {"blt-no-such-command-anywhere", NULL};
	char *dir[] = {"/tmp", NULL};
	struct command_spec spec = {
	    .argv = missing, .in_fd = -1, .out_fd = -1, .err_fd = -1};
	struct blt_err err = {0};
	pid_t pid = 0;

	cr_expect_eq(command_start(&spec, &pid, &err), BLT_ENOTFOUND);
	cr_expect_eq(pid, -1);
	cr_expect_str_eq(err.msg, "cannot run '/nonexistent/blt-command': "
				  "No such file or directory");
	spec.argv = unknown;
	cr_expect_eq(command_start(&spec, &pid, &err), BLT_ENOTFOUND);
	spec.argv = dir;
	cr_expect_eq(command_start(&spec, &pid, &err), BLT_EUSAGE, "%s",
		     err.msg);
	cr_expect(strstr(err.msg, "Permission denied"), "%s", err.msg);
	cr_expect_eq(waitpid(-1, NULL, WNOHANG), -1, "nothing left to reap");
}
