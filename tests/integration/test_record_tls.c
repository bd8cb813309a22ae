/* blt-proxy record against a TLS upstream (a local CA and certificate made
 * with the openssl CLI, node's https in front of blt-fake): untrusted is a
 * clear error, --upstream-ca makes it work. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record_test.h"

static char dir[64];
static char cpath[128];
static char ca[128], key[128], crt[128];

/* Makes a CA and a server certificate for 127.0.0.1 signed by it. */
static void make_certs(void)
{
	char script[2048];
	char *out = NULL;
	char *argv[] = {"/bin/sh", "-c", script, NULL};

	snprintf(script, sizeof(script),
		 "set -e; cd '%s'; "
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
		 "-out ca.pem -days 2 -subj '/CN=blt test CA'; "
		 "openssl req -newkey rsa:2048 -nodes -keyout srv.key "
		 "-out srv.csr -subj '/CN=127.0.0.1'; "
		 "printf 'subjectAltName=IP:127.0.0.1\\n"
		 "basicConstraints=CA:FALSE\\n' > ext.cnf; "
		 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
		 "-CAcreateserial -out srv.pem -days 2 -extfile ext.cnf",
		 dir);
	int rc = test_run(argv, &out, 60000);
	cr_assert_eq(rc, 0, "openssl: %s", out ? out : "");
	free(out);
}

static void setup(void)
{
	rt_tmpdir(dir, sizeof(dir));
	snprintf(cpath, sizeof(cpath), "%s/tls.json", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(key, sizeof(key), "%s/srv.key", dir);
	snprintf(crt, sizeof(crt), "%s/srv.pem", dir);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	make_certs();
}

static void teardown(void)
{
	rt_rmdir(dir);
}

TestSuite(record_tls, .init = setup, .fini = teardown, .timeout = 120);

/* Starts the node TLS terminator in front of upstream; reads its
 * "tls upstream on https://127.0.0.1:PORT" line into p->url. */
static void start_tls(struct test_proc *p, const char *upstream)
{
	char script[1024];
	char line[256];
	size_t n = 0;
	int pipefd[2];

	memset(p, 0, sizeof(*p));
	snprintf(script, sizeof(script), "%s",
		 test_src("tests/integration/record-tls-upstream.js"));
	snprintf(p->log_path, sizeof(p->log_path), "%s/node.log", dir);
	cr_assert_eq(pipe(pipefd), 0);
	p->pid = fork();
	if (p->pid == 0) {
		int log = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(pipefd[1], 1);
		dup2(log, 2);
		close(pipefd[0]);
		execlp("node", "node", script, key, crt, upstream,
		       (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	p->out_fd = pipefd[0];
	while (n < sizeof(line) - 1) {
		struct pollfd pfd = {.fd = p->out_fd, .events = POLLIN};

		cr_assert_gt(poll(&pfd, 1, 20000), 0, "node did not start");
		cr_assert_eq(read(p->out_fd, line + n, 1), 1,
			     "node did not start");
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	const char *at = strstr(line, "https://");
	cr_assert_not_null(at, "%s", line);
	snprintf(p->url, sizeof(p->url), "%s", at);
}

Test(record_tls, untrusted_certificate_is_a_clear_502)
{
	const char *fake_args[] = {"--generate", "5", NULL};
	struct test_proc fake, tls, proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;

	rt_start_fake(&fake, fake_args);
	start_tls(&tls, fake.url);
	rt_start_proxy(&proxy, tls.url, cpath, NULL);
	cr_assert_eq(rt_list(c, proxy.url, "{}", NULL, 0, &resp, &err), BLT_OK,
		     "%s", err.msg);
	cr_assert_eq(resp.status, 502, "%s", resp.body.data);
	cr_assert_str_eq(httpc_response_header(&resp, "x-amzn-errortype"),
			 "UpstreamError");
	cr_assert_not_null(strstr(resp.body.data, "TLS"), "%s", resp.body.data);
	cr_assert_not_null(strstr(resp.body.data, tls.url), "%s",
			   resp.body.data);
	httpc_response_free(&resp);
	rt_stop_proxy(&proxy);
	test_proc_stop(&tls, SIGTERM);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), 0);
	cassette_free(cas);
	httpc_free(c);
}

Test(record_tls, upstream_ca_verifies_and_records)
{
	const char *fake_args[] = {"--generate", "5", NULL};
	const char *args[] = {"--upstream-ca", ca, NULL};
	struct test_proc fake, tls, proxy;
	struct httpc *c = rt_client();
	struct httpc_response resp;
	struct blt_err err;

	rt_start_fake(&fake, fake_args);
	start_tls(&tls, fake.url);
	rt_start_proxy(&proxy, tls.url, cpath, args);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(rt_list(c, proxy.url, "{\"MaxResults\":2}", NULL,
				     0, &resp, &err),
			     BLT_OK, "%s", err.msg);
		cr_assert_eq(resp.status, 200, "%s", resp.body.data);
		cr_assert_not_null(strstr(resp.body.data, "BatchLoadTasks"));
		httpc_response_free(&resp);
	}
	rt_stop_proxy(&proxy);
	test_proc_stop(&tls, SIGTERM);
	test_proc_stop(&fake, SIGTERM);
	struct cassette *cas = rt_load_checked(cpath);
	cr_assert_eq(cassette_count(cas), 3);
	cr_assert_eq(cassette_at(cas, 2)->status, 200);
	cassette_free(cas);
	httpc_free(c);
}
