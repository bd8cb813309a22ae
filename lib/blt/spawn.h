/* Child processes that serve: start a blt server (or any program that
 * prints "listening on URL"), learn its URL, stop it. */
#ifndef BLT_SPAWN_H
#define BLT_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "blt/err.h"

struct spawn_child {
	pid_t pid;
	int out_fd;    /* the child's stdout, positioned after the line */
	char url[128]; /* "http://127.0.0.1:PORT" */
};

/* Writes the path of the program name that sits beside the running
 * executable (/proc/self/exe's directory) into out. */
blt_status spawn_sibling(const char *name, char *out, size_t outsz,
			 struct blt_err *err);

/* Starts argv[0] (a path) with argv, after setting each "NAME=VALUE" of env
 * (NULL-terminated; may be NULL) in the child, or removing NAME when the
 * entry is "NAME" alone. stdin is /dev/null, stderr is inherited (or
 * /dev/null when quiet), stdout is a pipe read until "listening on URL" or
 * timeout_ms, then kept open (so a later line cannot kill the child with
 * SIGPIPE) until spawn_stop. The child gets SIGTERM if the parent dies. On
 * failure the child is killed and reaped. */
blt_status spawn_start(char *const argv[], char *const env[], int timeout_ms,
		       bool quiet, struct spawn_child *out,
		       struct blt_err *err);

/* Reads fd (a server's stdout) until a line holding "listening on URL" or
 * timeout_ms; writes URL into url. False on the deadline or end of file. */
bool spawn_read_url(int fd, char *url, size_t urlsz, int timeout_ms);

/* Sends sig, waits up to timeout_ms (then SIGKILL) and reaps the child.
 * Returns its wait status in *status (may be NULL). No-op on pid 0. */
void spawn_stop(struct spawn_child *c, int sig, int timeout_ms, int *status);

#endif
