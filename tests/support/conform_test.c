/* blt-conform test helpers: child runs and a small cassette recorder. */
#include "conform_test.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blt/httpc.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads fd into a growing string until EOF or the deadline. */
static bool drain(int fd, char **out, long deadline)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap);

	if (!buf)
		return false;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			buf[n] = '\0';
			*out = buf;
			return false;
		}
		if (cap - n < 4096) {
			char *q = realloc(buf, cap * 2);
			if (!q)
				break;
			buf = q;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	return true;
}

int conform_run(char *const argv[], char **out, int timeout_ms)
{
	int fds[2];
	pid_t pid;
	int status = 0;
	char *text = NULL;
	bool done;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		unsetenv("BXFI_MAP");
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	done = drain(fds[0], &text, now_ms() + timeout_ms);
	close(fds[0]);
	if (!done)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (out)
		*out = text;
	else
		free(text);
	if (!done)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Sends body, appends the interaction; returns the answer's NextToken as a
 * new string or NULL. */
int conform_run_args(char **out, const char *const *args, int timeout_ms)
{
	char *argv[302] = {strdup(test_bin("blt-conform"))};
	size_t n = 1;
	int rc;

	*out = NULL;
	if (!argv[0])
		return -1;
	while (args[n - 1] && n < 301) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	rc = conform_run(argv, out, timeout_ms);
	free(argv[0]);
	return rc;
}

bool conform_fake_start(struct test_proc *p, const char *tasks,
			const char *const *extra)
{
	char *fargv[12] = {strdup(test_bin("blt-fake")), "--listen",
			   "127.0.0.1:0", "--generate", (char *)tasks,
			   "--seed", "1"};
	size_t n = 7;
	bool ok;

	if (!fargv[0])
		return false;
	for (size_t i = 0; extra && extra[i] && i < 4; i++)
		fargv[n++] = (char *)extra[i];
	fargv[n] = NULL;
	ok = test_proc_start(p, fargv, 10000);
	free(fargv[0]);
	return ok;
}

static char *record_one(struct httpc *h, const char *url, json_t *list,
			const char *body, long token_from, bool *ok)
{
	static const char *const hdrs[] = {
		"Content-Type: application/x-amz-json-1.0",
		"X-Amz-Target: Timestream_20181101.ListBatchLoadTasks"};
	struct httpc_response r;
	struct blt_err err = {0};
	char *next = NULL;

	if (httpc_send(h, "POST", url, hdrs, 2, body, strlen(body), &r,
		       &err)) {
		fprintf(stderr, "record: %s\n", err.msg);
		*ok = false;
		return NULL;
	}
	json_t *resp_body = json_loadb(r.body.data ? r.body.data : "",
				       r.body.len, 0, NULL);
	const char *ct = httpc_response_header(&r, "content-type");
	const char *et = httpc_response_header(&r, "x-amzn-errortype");
	json_t *rh = json_pack("{s:s}", "content-type", ct ? ct : "");
	if (et)
		json_object_set_new(rh, "x-amzn-errortype", json_string(et));
	json_t *it = json_pack(
		"{s:I, s:{s:s, s:s, s:s, s:{s:s, s:s}, s:o}, "
		"s:{s:i, s:o, s:o}, s:o, s:f}",
		"id", (json_int_t)json_array_size(list) + 1, "request",
		"method", "POST", "path", "/", "operation",
		"ListBatchLoadTasks", "headers", "x-amz-target",
		"Timestream_20181101.ListBatchLoadTasks", "content-type",
		"application/x-amz-json-1.0", "body", json_loads(body, 0, NULL),
		"response", "status", (int)r.status, "headers", rh, "body",
		resp_body ? resp_body : json_object(), "token_from",
		token_from ? json_integer(token_from) : json_null(),
		"elapsed_ms", 1.0);
	json_array_append_new(list, it);
	const char *t = json_string_value(json_object_get(resp_body,
							  "NextToken"));
	if (t && *t)
		next = strdup(t);
	httpc_response_free(&r);
	return next;
}

bool conform_record_cassette(const char *url, const char *path)
{
	struct httpc_opts o = {.timeout_ms = 5000};
	struct httpc *h = NULL;
	json_t *list = json_array();
	bool ok = true;
	char *tok;

	httpc_global_init();
	if (httpc_new(&o, &h, NULL))
		return false;
	tok = record_one(h, url, list, "{\"MaxResults\":7}", 0, &ok);
	for (int page = 0; page < 3 && tok && ok; page++) {
		char body[4200];
		long from = (long)json_array_size(list);
		snprintf(body, sizeof(body),
			 "{\"MaxResults\":7,\"NextToken\":\"%s\"}", tok);
		free(tok);
		tok = record_one(h, url, list, body, from, &ok);
	}
	free(tok);
	free(record_one(h, url, list, "{\"TaskStatus\":\"CREATED\"}", 0, &ok));
	free(record_one(h, url, list, "{\"TaskStatus\":\"RUNNING\"}", 0, &ok));
	free(record_one(h, url, list, "{\"MaxResults\":0}", 0, &ok));
	httpc_free(h);
	json_t *doc = json_pack("{s:i, s:{s:s, s:s, s:s}, s:o}",
				"blt_cassette", 1, "meta", "recorded_at",
				"2026-01-01T00:00:00.000Z", "upstream", url,
				"tool", "conform_test", "interactions", list);
	if (ok && json_dump_file(doc, path, JSON_INDENT(2)) != 0)
		ok = false;
	json_decref(doc);
	return ok;
}

bool conform_summary_line(const char *out, const char *id, char *line,
			  unsigned n)
{
	char key[64];
	const char *p = out;

	snprintf(key, sizeof(key), "  %s ", id);
	while ((p = strstr(p, key)) != NULL) {
		if (p == out || p[-1] == '\n') {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (len >= n)
				len = n - 1;
			memcpy(line, p, len);
			line[len] = '\0';
			return true;
		}
		p++;
	}
	return false;
}

bool conform_totals(const char *out, unsigned *checks, unsigned counts[4])
{
	const char *p = out;

	while ((p = strstr(p, " checks: ")) != NULL) {
		const char *start = p;
		while (start > out && start[-1] != '\n')
			start--;
		if (sscanf(start, "%u checks: %u pass, %u fail, %u warn, "
				  "%u skipped",
			   checks, &counts[0], &counts[1], &counts[2],
			   &counts[3]) == 5)
			return true;
		p++;
	}
	return false;
}

unsigned conform_count_lines(const char *out, unsigned counts[4])
{
	static const char *const names[] = {"pass", "fail", "warn",
					    "skipped"};
	unsigned lines = 0;

	memset(counts, 0, 4 * sizeof(counts[0]));
	for (const char *p = out; p && *p;) {
		char id[32], level[16], outcome[16];
		const char *line = p;

		p = strchr(p, '\n');
		if (p)
			p++;
		if (strncmp(line, "  ", 2) != 0 ||
		    sscanf(line, "  %31s %15s %15s", id, level, outcome) != 3 ||
		    !strchr(id, '-') ||
		    (strcmp(level, "must") && strcmp(level, "should")))
			continue;
		for (int i = 0; i < 4; i++)
			if (strcmp(outcome, names[i]) == 0) {
				counts[i]++;
				lines++;
			}
	}
	return lines;
}
