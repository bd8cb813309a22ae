/* blt-fake: the reference implementation of ListBatchLoadTasks. */
#include <stdio.h>
#include <stdlib.h>

#include "blt/httpd.h"

#include "opts.h"
#include "server.h"

static int run(const struct fake_opts *o)
{
	struct fake_server s;
	struct httpd *h = NULL;
	struct blt_err err;
	struct httpd_config cfg = {0};
	blt_status st;
	int sig;

	blt_err_clear(&err);
	st = fake_server_init(&s, o, &err);
	if (st != BLT_OK) {
		fprintf(stderr, "blt-fake: %s\n", err.msg);
		return st == BLT_EUSAGE ? 2 : 1;
	}
	cfg.listen = o->listen;
	cfg.body_max = o->body_max;
	cfg.threads = o->threads;
	cfg.handler = fake_server_handle;
	cfg.ctx = &s;
	st = httpd_start(&cfg, &h, &err);
	if (st != BLT_OK) {
		fprintf(stderr, "blt-fake: --listen %s: %s\n", o->listen,
			err.msg);
		fake_server_free(&s);
		return st == BLT_EUSAGE ? 2 : 1;
	}
	fprintf(stderr, "blt-fake: serving %zu tasks (profile %s)\n", s.store.n,
		awsjson_profile_name(o->profile));
	httpd_announce(h);
	sig = httpd_wait_signal();
	fprintf(stderr, "blt-fake: signal %d, shutting down\n", sig);
	httpd_stop(h);
	fake_server_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	struct fake_opts o;
	struct blt_err err;

	/* Before any thread exists, so that only httpd_wait_signal takes
	 * SIGINT and SIGTERM. */
	httpd_block_signals();
	blt_err_clear(&err);
	if (fake_opts_parse(argc, argv, &o, &err) != BLT_OK) {
		fprintf(stderr, "blt-fake: %s (see --help)\n", err.msg);
		return 2;
	}
	if (o.help) {
		fake_opts_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("blt-fake %s\n", BLT_VERSION);
		return 0;
	}
	if (o.list_defects) {
		fake_defects_print(stdout);
		return 0;
	}
	return run(&o);
}
