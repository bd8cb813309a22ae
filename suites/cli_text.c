/* The evidence blt-conform --client shows: what the command sent (as curl
 * commands), what the scenario server answered, what the command printed;
 * and reading what it printed (TaskIds, the error type on stderr). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define STDOUT_LINES_SHOWN 8
#define STDERR_LINES_SHOWN 3
#define LINE_SHOWN 300

void cli_put_text(struct blt_buf *b, const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	/* do not cut a UTF-8 sequence in two */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	buf_put_escaped(b, s ? s : "", s ? n : 0, NULL);
	if (n < len)
		buf_puts(b, "...", NULL);
}

/* Appends s (n bytes) as one shell word: '...' when every byte is
 * printable ASCII, else $'...' with the others as \xNN. */
static void shell_word(struct blt_buf *b, const char *s, size_t n)
{
	bool plain = true;

	for (size_t i = 0; i < n; i++)
		plain = plain && s[i] >= 0x20 && s[i] < 0x7f;
	buf_puts(b, plain ? "'" : "$'", NULL);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\'')
			buf_puts(b, plain ? "'\\''" : "\\'", NULL);
		else if (c == '\\' && !plain)
			buf_puts(b, "\\\\", NULL);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, NULL, "\\x%02x", c);
		else
			buf_append(b, &s[i], 1, NULL);
	}
	buf_puts(b, "'", NULL);
}

/* Headers curl sets itself, or that describe the connection only. */
static bool curl_sets(const char *name)
{
	static const char *const names[] = {
		"host",	      "content-length", "connection", "expect",
		"keep-alive", "accept-encoding", "transfer-encoding", NULL};

	for (size_t i = 0; names[i]; i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

void cli_put_curl(struct blt_buf *b, const struct cli_run *run,
		  const struct cli_exchange *x)
{
	struct blt_buf url;

	buf_puts(b, "curl -sS -i", NULL);
	if (x->method && strcmp(x->method, "POST") != 0) {
		buf_puts(b, " -X ", NULL);
		shell_word(b, x->method, strlen(x->method));
	}
	buf_init(&url, 64 * 1024);
	buf_puts(&url, x->server ? run->cell_url : run->url, NULL);
	buf_puts(&url, x->path ? x->path : "/", NULL);
	if (x->query)
		buf_printf(&url, NULL, "?%s", x->query);
	buf_puts(b, " ", NULL);
	shell_word(b, url.data ? url.data : "", url.len);
	buf_free(&url);
	for (size_t i = 0; i < x->nheaders; i++) {
		struct blt_buf h;
		if (curl_sets(x->headers[i].name))
			continue;
		buf_init(&h, 64 * 1024);
		buf_printf(&h, NULL, "%s: %s", x->headers[i].name,
			   x->headers[i].value);
		buf_puts(b, " -H ", NULL);
		shell_word(b, h.data ? h.data : "", h.len);
		buf_free(&h);
	}
	buf_puts(b, " --data-raw ", NULL);
	shell_word(b, x->body ? x->body : "", x->body_len);
}

void cli_put_exchange(struct blt_buf *b, const struct cli_run *run,
		      const struct cli_exchange *x)
{
	buf_puts(b, "    request:  ", NULL);
	cli_put_curl(b, run, x);
	buf_printf(b, NULL, "\n    response: %s (%.1f ms into the run)\n",
		   x->shown ? x->shown : "(none)", x->t_in);
}

void cli_put_exchanges(struct blt_buf *b, const struct cli_run *run,
		       size_t from, size_t max)
{
	size_t end = from + max < run->n ? from + max : run->n;

	if (from > 0)
		buf_printf(b, NULL, "    (%zu earlier requests left out)\n",
			   from);
	for (size_t i = from; i < end; i++)
		cli_put_exchange(b, run, &run->x[i]);
	if (end < run->n || run->dropped)
		buf_printf(b, NULL, "    (%zu more requests left out)\n",
			   run->n - end + run->dropped);
	if (run->n == 0)
		buf_puts(b, "    (it sent no request)\n", NULL);
}

/* The lines of s (n bytes): up to max of them, each escaped, joined by
 * sep. */
static void put_lines(struct blt_buf *b, const char *s, size_t n,
		      size_t max, const char *sep)
{
	size_t lines = 0, shown = 0;

	for (size_t i = 0; i < n;) {
		size_t len = strcspn(s + i, "\n");
		if (len > n - i)
			len = n - i;
		if (len && shown < max) {
			buf_puts(b, shown ? sep : "", NULL);
			cli_put_text(b, s + i, len, LINE_SHOWN);
			shown++;
		}
		lines += len != 0;
		i += len + 1;
	}
	if (lines > shown)
		buf_printf(b, NULL, "%s... (%zu lines in all)", sep, lines);
}

/* How the command ended, in words. */
static void put_end(struct blt_buf *b, const struct cli_run *run)
{
	const struct cli_outcome *o = &run->o;

	if (o->stopped)
		buf_printf(b, NULL, "stopped by the scenario (%s)",
			   run->stop_why);
	else if (o->timed_out)
		buf_printf(b, NULL, "killed at the time limit of %ld ms",
			   run->cfg->timeout_ms);
	else if (o->flooded)
		buf_printf(b, NULL, "killed: it printed more than %d bytes",
			   CLI_OUTPUT_MAX);
	else if (o->signal)
		buf_printf(b, NULL, "killed by signal %d", o->signal);
	else
		buf_printf(b, NULL, "exit %d", o->exit_code);
}

void cli_put_printed(struct blt_buf *b, const struct cli_run *run)
{
	const struct cli_outcome *o = &run->o;

	buf_puts(b, "    printed:  ", NULL);
	put_end(b, run);
	buf_printf(b, NULL, " after %.0f ms; stdout: ", o->ms);
	if (o->out_len)
		put_lines(b, o->out, o->out_len, STDOUT_LINES_SHOWN, ", ");
	else
		buf_puts(b, "(empty)", NULL);
	buf_puts(b, "; stderr: ", NULL);
	if (o->err_len)
		put_lines(b, o->err, o->err_len, STDERR_LINES_SHOWN, " / ");
	else
		buf_puts(b, "(empty)", NULL);
	buf_puts(b, "\n", NULL);
}

void cli_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* stdout as one JSON array of strings. */
static bool json_ids(const struct cli_run *run, char ***ids, size_t *n,
		     char *why, size_t whysz)
{
	json_error_t jerr;
	json_t *a = json_loadb(run->o.out, run->o.out_len, 0, &jerr);
	size_t k = json_array_size(a);

	if (!json_is_array(a)) {
		snprintf(why, whysz,
			 "stdout starts with '[' but is not one JSON array: "
			 "%.200s",
			 jerr.text);
		json_decref(a);
		return false;
	}
	*ids = calloc(k + 1, sizeof(**ids));
	for (size_t i = 0; *ids && i < k; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s) {
			snprintf(why, whysz,
				 "stdout is a JSON array whose item %zu is "
				 "not a string",
				 i + 1);
			cli_ids_free(*ids, i);
			json_decref(a);
			return false;
		}
		(*ids)[i] = strdup(s);
		*n = i + 1;
	}
	json_decref(a);
	return *ids != NULL;
}

bool cli_output_ids(const struct cli_run *run, char ***ids, size_t *n,
		    char *why, size_t whysz)
{
	const char *s = run->o.out;
	size_t len = run->o.out_len, k = 0;

	*ids = NULL;
	*n = 0;
	while (len && isspace((unsigned char)*s))
		s++, len--;
	if (len && *s == '[')
		return json_ids(run, ids, n, why, whysz);
	*ids = calloc(run->o.out_len / 2 + 2, sizeof(**ids));
	if (!*ids)
		return snprintf(why, whysz, "out of memory"), false;
	for (size_t i = 0; i < len;) {
		size_t l = strcspn(s + i, "\n");
		size_t t = l;
		if (l > len - i)
			l = t = len - i;
		while (t && (s[i + t - 1] == '\r' || s[i + t - 1] == ' ' ||
			     s[i + t - 1] == '\t'))
			t--;
		if (t)
			(*ids)[k++] = strndup(s + i, t);
		i += l + 1;
	}
	*n = k;
	return true;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

bool cli_stderr_names(const struct cli_run *run, const char *type)
{
	size_t n = strlen(type);
	const char *s = run->o.err;

	for (const char *p = strstr(s, type); n && p; p = strstr(p + 1, type)) {
		char before = p > s ? p[-1] : ' ';
		char after = p[n];
		if (name_char(before) || before == '#' || before == '.')
			continue;
		if (name_char(after) || after == '#')
			continue;
		if (after == ':' && p[n + 1] &&
		    !isspace((unsigned char)p[n + 1]))
			continue;
		return true;
	}
	return false;
}
