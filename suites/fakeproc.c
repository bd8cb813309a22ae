/* Starting and stopping blt-fake as a child on a free loopback port. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "conform.h"

#define FAKE_ARGS_MAX 32
#define FAKE_START_MS 10000
#define FAKE_STOP_MS 2000

blt_status fake_start(const char *fake, const char *profile,
		      const char *const *extra, struct spawn_child *child,
		      struct blt_err *err)
{
	const char *argv[FAKE_ARGS_MAX + 8];
	size_t n = 0;

	child->pid = 0;
	if (access(fake, X_OK) != 0)
		return blt_fail(err, BLT_ENOTFOUND,
				"the embedded blt-fake is not at %s (build it, "
				"or give --target URL)",
				fake);
	argv[n++] = fake;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--profile";
	argv[n++] = profile;
	for (size_t i = 0; extra && extra[i] && i < FAKE_ARGS_MAX; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (spawn_start((char *const *)argv, NULL, FAKE_START_MS,
			!getenv("BLT_CONFORM_FAKE_LOG"), child, err))
		return blt_err_prefix(err, "the embedded blt-fake (run it by "
					   "hand to see why)");
	return BLT_OK;
}

void fake_stop(struct spawn_child *child)
{
	spawn_stop(child, SIGTERM, FAKE_STOP_MS, NULL);
}
