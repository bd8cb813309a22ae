/* Helpers shared by the project's tests: starting a blt server as a real
 * child process on a free loopback port, and finding files. */
#ifndef BLT_TEST_H
#define BLT_TEST_H

#include <stdbool.h>
#include <sys/types.h>

struct test_proc {
	pid_t pid;
	int out_fd;              /* the child's stdout, after the listening line */
	unsigned short port;
	char url[64];            /* "http://127.0.0.1:PORT" */
	char log_path[256];      /* the child's stderr, kept for failure reports */
};

/* The path of a built binary, BLT_BIN_DIR "/" name, in a static buffer that
 * the next call overwrites. */
const char *test_bin(const char *name);

/* The path of a file in the source tree, in a static buffer likewise. */
const char *test_src(const char *relpath);

/* True when BLT_TEST_SUBSET=1 is in the environment, as tests/CMakeLists.txt
 * sets it in the sanitizer build (BLT_SANITIZE): there the longest suites
 * (ctest label "subset") run a representative part of their cases, and
 * the normal build runs them all (docs/hardening.md says which). */
bool test_subset(void);

/* Starts argv (argv[0] a path; NULL-terminated) with stdout piped and
 * stderr in a temporary log file, and waits up to timeout_ms for the line
 * "listening on http://HOST:PORT". Returns true when it came; false (with
 * the child killed and its log printed to stderr) otherwise. */
bool test_proc_start(struct test_proc *p, char *const argv[],
		     int timeout_ms);

/* Sends sig, waits for the child and returns its exit status as
 * waitpid's status word. Removes the log. */
int test_proc_stop(struct test_proc *p, int sig);

/* test_proc_stop that also returns everything the child wrote to stderr
 * as a new string in *log (NULL when it cannot be read). */
int test_proc_stop_log(struct test_proc *p, int sig, char **log);

/* Runs argv to completion with stdout and stderr captured into *out (a new
 * string the caller frees; may be NULL if unwanted) and returns the exit
 * code (or 128+signal). Kills it after timeout_ms. */
int test_run(char *const argv[], char **out, int timeout_ms);

/* Reads a whole file into a new NUL-terminated string; NULL on failure. */
char *test_slurp(const char *path, size_t *len);

#endif
