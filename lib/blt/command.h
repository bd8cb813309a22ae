/* Running a user's COMMAND as a child process: found as execvp finds it,
 * with its environment edited and its standard streams redirected, in a
 * process group of its own when asked. Everything the child needs is built
 * before fork, so a process whose other threads are running (a server) may
 * start one: the child makes async-signal-safe calls only. */
#ifndef BLT_COMMAND_H
#define BLT_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

#include "blt/err.h"

struct command_spec {
	char *const *argv;	  /* NULL-terminated; argv[0] is looked up in
				     PATH unless it holds a '/' */
	const char *const *set;	  /* "NAME=VALUE" entries to set, NULL-
				     terminated; NULL for none */
	const char *const *unset; /* NAMEs to remove, NULL-terminated; NULL
				     for none */
	int in_fd;		  /* the child's stdin, -1: inherited */
	int out_fd;		  /* the child's stdout, -1: inherited */
	int err_fd;		  /* the child's stderr, -1: inherited */
	bool own_group;		  /* a process group of its own, so that
				     kill(-pid, sig) reaches all it starts */
	bool die_with_parent;	  /* SIGKILL when the thread that started it
				     ends */
};

/* Starts the command: this process's environment with s->unset removed
 * and s->set applied, each file execvp would try in its order (a file
 * without "#!" is run by /bin/sh). On success *pid is the child, which
 * the caller reaps. When no file could be run, err says "cannot run 'X':
 * reason" (BLT_ENOTFOUND when there is none, BLT_EUSAGE when it may not
 * be run, BLT_EIO otherwise) and nothing is left running. */
blt_status command_start(const struct command_spec *s, pid_t *pid,
			 struct blt_err *err);

#endif
