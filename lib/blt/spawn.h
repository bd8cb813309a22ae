/* Child processes that serve: start a blt server (or any program that
 * prints "listening on URL"), learn its URL, stop it.
 *
 * Concurrency: a struct spawn_child belongs to one thread. Start children
 * from one thread at a time: spawn_start's pipe becomes close-on-exec only
 * after its fork, so a child forked meanwhile by another thread could keep
 * it open. */
#ifndef BLT_SPAWN_H
#define BLT_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "blt/err.h"

/* Where a child's stderr goes. */
enum spawn_stderr {
	SPAWN_STDERR_INHERIT = 0, /* to this process's stderr */
	SPAWN_STDERR_DISCARD = 1, /* to /dev/null */
	SPAWN_STDERR_CAPTURE = 2  /* to an unlinked temporary file, whose
				   * last bytes spawn_stop keeps in err_tail
				   * and a failed start quotes */
};

#define SPAWN_ERR_TAIL_MAX 1024

struct spawn_child {
	pid_t pid;
	int out_fd;    /* the child's stdout, positioned after the line */
	int err_fd;    /* the capture file (SPAWN_STDERR_CAPTURE), else -1 */
	char url[128]; /* "http://127.0.0.1:PORT" */
	/* After spawn_stop of a captured child: the end of what it wrote to
	 * stderr, control characters other than newline written as \xNN,
	 * without the final newline; empty otherwise. */
	char err_tail[SPAWN_ERR_TAIL_MAX];
};

/* Writes the path of the program name that sits beside the running
 * executable (/proc/self/exe's directory) into out. */
blt_status spawn_sibling(const char *name, char *out, size_t outsz,
			 struct blt_err *err);

/* Starts argv[0] (a path) with argv, after setting each "NAME=VALUE" of env
 * (NULL-terminated; may be NULL) in the child, or removing NAME when the
 * entry is "NAME" alone. stdin is /dev/null, stderr goes where errmode
 * says, stdout is a pipe read until "listening on URL" or timeout_ms, then
 * kept open (so a later line cannot kill the child with SIGPIPE) until
 * spawn_stop. The child gets SIGTERM if the parent dies. On failure the
 * child is killed and reaped, and err says what happened: BLT_ETIMEOUT only
 * when the deadline passed; a child that exits (or closes its stdout)
 * first is reported with its exit status or signal, followed by its stderr
 * when captured, as BLT_EIO. */
blt_status spawn_start(char *const argv[], char *const env[], int timeout_ms,
		       enum spawn_stderr errmode, struct spawn_child *out,
		       struct blt_err *err);

/* Reads fd (a server's stdout) until a line holding "listening on URL";
 * writes URL into url. Fails with BLT_ETIMEOUT when timeout_ms pass first,
 * BLT_EIO when the output ends first (the child exited or closed its
 * stdout), BLT_ELIMIT on a line of 512 bytes or more. */
blt_status spawn_read_url(int fd, char *url, size_t urlsz, int timeout_ms,
			  struct blt_err *err);

/* Sends sig (nothing when sig is 0), waits up to timeout_ms (then SIGKILL)
 * and reaps the child. Returns its wait status in *status (may be NULL).
 * Fills c->err_tail when the child's stderr was captured, and closes the
 * capture. No-op on pid 0. */
void spawn_stop(struct spawn_child *c, int sig, int timeout_ms, int *status);

#endif
