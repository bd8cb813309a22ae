/* Unit tests for spawn: a child that ends before its URL is reported as
 * ended (with its status and captured stderr), never as a timeout; a real
 * timeout says so; a child that starts hands over its URL. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blt/spawn.h"

/* Starts /bin/sh -c script with stderr captured; returns the status. */
static blt_status start_sh(const char *script, int timeout_ms,
			   struct spawn_child *c, struct blt_err *err)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	return spawn_start(argv, NULL, timeout_ms, SPAWN_STDERR_CAPTURE, c,
			   err);
}

Test(spawn, early_exit_is_reported_with_status_and_stderr, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};

	/* A generous deadline: only a report of the exit can come early. */
	cr_assert_eq(start_sh("echo 'x.journal: No such file or directory' "
			      ">&2; exit 3",
			      30000, &c, &err),
		     BLT_EIO, "%s", err.msg);
	cr_assert_str_eq(err.msg, "sh exited with status 3 before printing "
				  "'listening on'; its stderr: x.journal: No "
				  "such file or directory");
	cr_assert_null(strstr(err.msg, "within"), "%s", err.msg);
	cr_assert_eq(c.pid, 0, "the child is reaped");
	cr_assert_eq(c.out_fd, -1);
	cr_assert_eq(c.err_fd, -1);
}

Test(spawn, death_by_signal_and_silent_exit_are_named, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};

	cr_assert_eq(start_sh("kill -9 $$", 30000, &c, &err), BLT_EIO);
	cr_assert(strstr(err.msg, "sh was killed by signal 9 (") == err.msg,
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "; its stderr: (empty)") != NULL, "%s",
		  err.msg);
	cr_assert_eq(start_sh("exit 0", 30000, &c, &err), BLT_EIO);
	cr_assert(strstr(err.msg, "exited with status 0 before printing") !=
			  NULL,
		  "%s", err.msg);
}

Test(spawn, captured_stderr_is_escaped_and_keeps_its_end, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};

	cr_assert_eq(start_sh("i=0; while [ $i -lt 300 ]; do echo "
			      "'noise noise noise' >&2; i=$((i+1)); done; "
			      "printf 'bad \\033[31m end\\n' >&2; exit 1",
			      30000, &c, &err),
		     BLT_EIO);
	cr_assert(strstr(err.msg, "bad \\x1b[31m end") != NULL, "%s",
		  err.msg);
	cr_assert_null(strchr(err.msg, '\033'), "no raw escape reaches a "
						"terminal");
}

Test(spawn, a_real_timeout_says_so, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};

	cr_assert_eq(start_sh("echo 'still starting' >&2; exec sleep 60", 300,
			      &c, &err),
		     BLT_ETIMEOUT, "%s", err.msg);
	cr_assert_str_eq(err.msg, "sh did not print 'listening on' within "
				  "300 ms; its stderr: still starting");
	cr_assert_eq(c.pid, 0, "the child is killed and reaped");
}

Test(spawn, closed_stdout_without_exit_is_not_a_timeout, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};

	cr_assert_eq(start_sh("exec >&-; exec sleep 60", 30000, &c, &err),
		     BLT_EIO, "%s", err.msg);
	cr_assert(strstr(err.msg, "sh closed its stdout before printing "
				  "'listening on'") == err.msg,
		  "%s", err.msg);
}

Test(spawn, a_started_child_hands_over_its_url, .timeout = 60)
{
	struct spawn_child c;
	struct blt_err err = {0, ""};
	int status = 0;

	cr_assert_eq(start_sh("echo 'ready' >&2; echo 'x: listening on "
			      "http://127.0.0.1:9'; exec sleep 60",
			      30000, &c, &err),
		     BLT_OK, "%s", err.msg);
	cr_assert_str_eq(c.url, "http://127.0.0.1:9");
	cr_assert_gt(c.pid, 0);
	spawn_stop(&c, SIGTERM, 5000, &status);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	cr_assert_str_eq(c.err_tail, "ready");
	cr_assert_eq(c.pid, 0);
}

Test(spawn, read_url_tells_end_of_output_from_deadline, .timeout = 60)
{
	struct blt_err err = {0, ""};
	char url[64];
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], "noise\n", 6), 6);
	cr_assert_eq(spawn_read_url(fds[0], url, sizeof(url), 200, &err),
		     BLT_ETIMEOUT, "%s", err.msg);
	cr_assert_str_eq(err.msg, "no 'listening on' line within 200 ms");
	close(fds[1]);
	cr_assert_eq(spawn_read_url(fds[0], url, sizeof(url), 30000, &err),
		     BLT_EIO);
	cr_assert_str_eq(err.msg, "the output ended before a 'listening on' "
				  "line");
	close(fds[0]);
}
