/* blt-conform against targets that misbehave (silent, garbage, slow), bad
 * configuration, and checks that must be reported skipped. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt_test.h"
#include "conform_test.h"

#define RUN_MS 90000

enum mode { SILENT, GARBAGE, NOT_JSON, SLOW };

struct bad_server {
	int fd;
	enum mode mode;
	char url[64];
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct bad_server *s = arg;
	static const char *const answers[] = {
		"", "garbage that is not HTTP\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		"Content-Length: 14\r\nConnection: close\r\n\r\n<html>hi</html",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"};

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		char buf[4096];
		if (c < 0)
			return NULL;
		if (read(c, buf, sizeof(buf)) < 0) {
			close(c);
			continue;
		}
		if (s->mode == SLOW)
			sleep(4);
		if (write(c, answers[s->mode], strlen(answers[s->mode])) < 0) {
			close(c);
			continue;
		}
		close(c);
	}
}

static void bad_server_start(struct bad_server *s, enum mode m)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	s->mode = m;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(s->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	cr_assert(listen(s->fd, 64) == 0);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u",
		 ntohs(a.sin_port));
	if (m != SILENT)
		pthread_create(&s->thread, NULL, serve, s);
}

static int conform(char **out, const char *a1, const char *a2,
		   const char *a3, const char *a4)
{
	char *argv[] = {strdup(test_bin("blt-conform")), (char *)a1,
			(char *)a2, (char *)a3, (char *)a4, NULL};
	int rc = conform_run(argv, out, RUN_MS);

	free(argv[0]);
	return rc;
}

Test(conform, silent_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, SILENT);
	rc = conform(&out, "--target", s.url, "--timeout", "500");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no usable HTTP answer") != NULL, "%s", out);
	cr_expect(strstr(out, "timed out") != NULL, "%s", out);
	cr_expect(strstr(out, "PAG-SIZE") != NULL, "%s", out);
	free(out);
}

Test(conform, garbage_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, GARBAGE);
	rc = conform(&out, "--target", s.url, "--timeout", "2000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no usable HTTP answer") != NULL, "%s", out);
	free(out);
}

Test(conform, not_json_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, NOT_JSON);
	rc = conform(&out, "--target", s.url, "--timeout", "2000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "not JSON") != NULL, "%s", out);
	free(out);
}

Test(conform, slow_target, .timeout = 120)
{
	struct bad_server s;
	char *out = NULL;
	int rc;

	bad_server_start(&s, SLOW);
	rc = conform(&out, "--target", s.url, "--timeout", "1000");
	cr_assert_eq(rc, 1, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "timed out after 1000 ms") != NULL, "%s", out);
	free(out);
}

Test(conform, bad_urls, .timeout = 60)
{
	static const char *const urls[] = {"not-a-url", "http://",
					   "ftp://127.0.0.1:1/",
					   "http://127.0.0.1:99999"};
	for (size_t i = 0; i < 4; i++) {
		char *out = NULL;
		int rc = conform(&out, "--target", urls[i], NULL, NULL);
		cr_expect_eq(rc, 2, "%s: exit %d\n%s", urls[i], rc, out);
		cr_expect(strstr(out, "--target") != NULL, "%s", out);
		free(out);
	}
}

Test(conform, usage_errors, .timeout = 60)
{
	char *out = NULL;
	int rc = conform(&out, "--profile", "strictest", NULL, NULL);

	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "unknown profile") != NULL, "%s", out);
	free(out);
	rc = conform(&out, "--no-such-flag", NULL, NULL, NULL);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "--no-such-flag") != NULL, "%s", out);
	free(out);
}

Test(conform, empty_cassette_dir, .timeout = 60)
{
	char dir[] = "/tmp/blt-conform-empty-XXXXXX";
	char *out = NULL;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	rc = conform(&out, "--cassettes", dir, NULL, NULL);
	rmdir(dir);
	cr_expect_eq(rc, 2, "exit %d\n%s", rc, out);
	cr_expect(strstr(out, "no cassette") != NULL, "%s", out);
	free(out);
}

/* With three tasks, the pagination checks that need more are skipped with
 * a reason and never passed; the run as a whole still exits 0. */
Test(conform, skipped_checks, .timeout = 120)
{
	struct test_proc p;
	char *fargv[] = {strdup(test_bin("blt-fake")), "--listen",
			 "127.0.0.1:0", "--generate", "3", "--seed", "1", NULL};
	char *out = NULL;
	char line[256];
	int rc;

	cr_assert(test_proc_start(&p, fargv, 10000));
	rc = conform(&out, "--target", p.url, NULL, NULL);
	test_proc_stop(&p, SIGTERM);
	free(fargv[0]);
	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	static const char *const ids[] = {"PAG-SIZE", "PAG-COMPLETE",
					  "PAG-RESIZE", "REP-STATUS"};
	for (size_t i = 0; i < 4; i++) {
		cr_assert(conform_summary_line(out, ids[i], line,
					       sizeof(line)),
			  "%s missing\n%s", ids[i], out);
		cr_expect(strstr(line, "skipped") && !strstr(line, " pass"),
			  "%s: '%s'", ids[i], line);
	}
	conform_summary_line(out, "PAG-SIZE", line, sizeof(line));
	cr_expect(strstr(line, "has 3 tasks") != NULL, "%s", line);
	free(out);
}

/* A filter that selects one group reports the others as not selected. */
Test(conform, filter_runs_one_group, .timeout = 120)
{
	char *out = NULL;
	char line[256];
	int rc = conform(&out, "--filter", "RNG/*", NULL, NULL);

	cr_expect_eq(rc, 0, "exit %d\n%s", rc, out);
	cr_assert(conform_summary_line(out, "RNG-OUT", line, sizeof(line)));
	cr_expect(strstr(line, "pass") != NULL, "%s", line);
	cr_assert(conform_summary_line(out, "PAG-SIZE", line, sizeof(line)));
	cr_expect(strstr(line, "not selected") != NULL, "%s", line);
	free(out);
}
