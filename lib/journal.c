/* The crash journal of a recording and its recovery into a cassette. */
#include "blt/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blt/buf.h"
#include "blt/cassette.h"
#include "blt/fileio.h"

struct journal {
	int fd;
	char *path;
};

/* Writes v as one compact line. */
static blt_status write_line(struct journal *j, const json_t *v,
			     struct blt_err *err)
{
	char *text = json_dumps(v, JSON_COMPACT);
	size_t len;
	blt_status st;

	if (!text)
		return blt_fail(err, BLT_ENOMEM,
				"%s: cannot serialise the entry", j->path);
	len = strlen(text);
	if (len >= JOURNAL_LINE_MAX) {
		free(text);
		return blt_fail(err, BLT_ELIMIT, "%s: entry over %zu bytes",
				j->path, JOURNAL_LINE_MAX);
	}
	/* The NUL becomes the newline, so that one write carries the line. */
	text[len] = '\n';
	st = fileio_write_all(j->fd, text, len + 1, j->path, err);
	free(text);
	return st;
}

blt_status journal_open(const char *path, enum journal_mode mode,
			const json_t *meta, struct journal **out,
			struct blt_err *err)
{
	struct journal *j = calloc(1, sizeof(*j));
	json_t *header = NULL;
	blt_status st = BLT_OK;

	*out = NULL;
	if (j)
		j->fd = -1;
	if (!j || !(j->path = strdup(path))) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	/* O_EXCL: never a file (or link) that is already there; the mode
	 * is 0600 whatever the umask, since the journal holds every
	 * interaction before it is redacted into the cassette's final form. */
	j->fd = open(path,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND |
			 O_CLOEXEC,
		     0600);
	if (j->fd < 0) {
		st = blt_fail(err, BLT_EIO,
			      errno == EEXIST ? "%s: something is already "
						"there (%s); move it away"
					      : "%s: %s",
			      path, strerror(errno));
		goto fail;
	}
	if (fchmod(j->fd, 0600) != 0) {
		st = blt_fail(err, BLT_EIO, "%s: chmod: %s", path,
			      strerror(errno));
		goto fail;
	}
	header =
	    json_pack("{s:i, s:s, s:o}", "blt_journal", JOURNAL_VERSION, "mode",
		      mode == JOURNAL_MODE_APPEND ? "append" : "replace",
		      "meta", meta ? json_deep_copy(meta) : json_object());
	if (!header) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	if ((st = write_line(j, header, err)) || (st = journal_sync(j, err)) ||
	    (st = fileio_sync_dir_of(path, err)))
		goto fail;
	json_decref(header);
	*out = j;
	return BLT_OK;
fail:
	json_decref(header);
	if (j && j->fd >= 0)
		close(j->fd);
	if (j)
		free(j->path);
	free(j);
	return st;
}

blt_status journal_append(struct journal *j, const json_t *interaction,
			  struct blt_err *err)
{
	off_t end = lseek(j->fd, 0, SEEK_END);
	blt_status st = write_line(j, interaction, err);

	/* A failed write (a full disk) must not leave half a line in the
	 * middle of the journal, where recovery would refuse it. */
	if (st && end >= 0 && ftruncate(j->fd, end) != 0)
		blt_err_prefix(err, "%s: cannot cut the partial line off",
			       j->path);
	return st;
}

blt_status journal_sync(struct journal *j, struct blt_err *err)
{
	while (fdatasync(j->fd) != 0) {
		if (errno != EINTR)
			return blt_fail(err, BLT_EIO, "%s: fdatasync: %s",
					j->path, strerror(errno));
	}
	return BLT_OK;
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j->path);
	free(j);
}

blt_status journal_remove(const char *path, struct blt_err *err)
{
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return BLT_OK;
		return blt_fail(err, BLT_EIO, "%s: %s", path, strerror(errno));
	}
	return fileio_sync_dir_of(path, err);
}

blt_status journal_path_for(const char *cassette_path, char *out, size_t outsz,
			    struct blt_err *err)
{
	int n = snprintf(out, outsz, "%s%s", cassette_path, JOURNAL_SUFFIX);

	if (n < 0 || (size_t)n >= outsz)
		return blt_fail(err, BLT_ELIMIT, "%s: path too long",
				cassette_path);
	return BLT_OK;
}

/* Opens a journal to read it: only a regular file that this user owns,
 * never through a symbolic link, so that nobody can plant a journal (or
 * point one elsewhere) for a recording to take in. */
static blt_status open_own(const char *path, int *fd, struct blt_err *err)
{
	struct stat sb;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0 && errno == ELOOP)
		return blt_fail(err, BLT_EINVAL,
				"%s is a symbolic link: a journal is never "
				"read through one (look at it, then remove "
				"it)",
				path);
	if (*fd < 0)
		return blt_fail(err, errno == ENOENT ? BLT_ENOTFOUND : BLT_EIO,
				"%s: %s", path, strerror(errno));
	if (fstat(*fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid())
		return BLT_OK;
	close(*fd);
	*fd = -1;
	if (!S_ISREG(sb.st_mode))
		return blt_fail(err, BLT_EINVAL,
				"%s is not a regular file: it is not a "
				"journal to recover",
				path);
	return blt_fail(err, BLT_EINVAL,
			"%s is owned by uid %lu, not by this user (uid %lu): "
			"it is not recovered (look at it, then move it away)",
			path, (unsigned long)sb.st_uid,
			(unsigned long)geteuid());
}

/* Reads the whole journal into b (capped at CASSETTE_FILE_MAX). */
static blt_status slurp(const char *path, struct blt_buf *b,
			struct blt_err *err)
{
	int fd;
	blt_status st = open_own(path, &fd, err);

	if (st)
		return st;
	st = fileio_read_fd_all(fd, path, CASSETTE_FILE_MAX, b, err);
	close(fd);
	return st;
}

/* Checks and takes the header line. */
static blt_status take_header(struct journal_contents *c, json_t *v,
			      const char *path, struct blt_err *err)
{
	json_t *version = json_object_get(v, "blt_journal");
	const char *mode = json_string_value(json_object_get(v, "mode"));
	json_t *meta = json_object_get(v, "meta");

	if (json_integer_value(version) != JOURNAL_VERSION ||
	    !json_is_integer(version))
		return blt_fail(err, BLT_EINVAL,
				"%s:1: unsupported journal version", path);
	if (!mode || (strcmp(mode, "append") && strcmp(mode, "replace")))
		return blt_fail(err, BLT_EINVAL,
				"%s:1: mode must be \"append\" or "
				"\"replace\"",
				path);
	if (meta && !json_is_object(meta))
		return blt_fail(err, BLT_EINVAL, "%s:1: meta is not an object",
				path);
	c->mode = strcmp(mode, "append") == 0 ? JOURNAL_MODE_APPEND
					      : JOURNAL_MODE_REPLACE;
	c->header = json_incref(v);
	return BLT_OK;
}

/* Checks that an entry looks like an interaction with its id. */
static blt_status check_entry(const json_t *v, const char *path, size_t line,
			      struct blt_err *err)
{
	json_t *id = json_object_get(v, "id");

	if (!json_is_integer(id) || json_integer_value(id) < 1)
		return blt_fail(err, BLT_EINVAL,
				"%s:%zu: entry without a positive integer id",
				path, line);
	if (!json_is_object(json_object_get(v, "request")) ||
	    !json_is_object(json_object_get(v, "response")))
		return blt_fail(err, BLT_EINVAL,
				"%s:%zu: entry without request and response "
				"objects",
				path, line);
	return BLT_OK;
}

/* Parses one line (number lineno, last tells whether nothing follows). */
static blt_status read_line(struct journal_contents *c, const char *text,
			    size_t len, size_t lineno, bool last,
			    const char *path, struct blt_err *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	blt_status st;

	if (!v || !json_is_object(v)) {
		json_decref(v);
		if (last) {
			c->dropped_partial = true;
			return BLT_OK;
		}
		return blt_fail(err, BLT_EPARSE, "%s:%zu: %s", path, lineno,
				v ? "not a JSON object" : jerr.text);
	}
	if (lineno == 1 && json_object_get(v, "blt_journal"))
		st = take_header(c, v, path, err);
	else if ((st = check_entry(v, path, lineno, err)) == BLT_OK &&
		 json_array_append(c->interactions, v) != 0)
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
	json_decref(v);
	if (st == BLT_OK)
		c->lines++;
	return st;
}

blt_status journal_read(const char *path, struct journal_contents *out,
			struct blt_err *err)
{
	struct blt_buf b;
	size_t pos = 0;
	size_t lineno = 0;
	blt_status st;

	memset(out, 0, sizeof(*out));
	out->mode = JOURNAL_MODE_APPEND;
	buf_init(&b, CASSETTE_FILE_MAX);
	out->interactions = json_array();
	if (!out->interactions) {
		st = blt_fail(err, BLT_ENOMEM, "out of memory");
		goto fail;
	}
	if ((st = slurp(path, &b, err)))
		goto fail;
	while (pos < b.len) {
		const char *start = b.data + pos;
		const char *nl = memchr(start, '\n', b.len - pos);

		lineno++;
		if (!nl) {
			/* Cut short by a crash: the write never finished. */
			out->dropped_partial = true;
			break;
		}
		st = read_line(out, start, (size_t)(nl - start), lineno,
			       (size_t)(nl - b.data) + 1 == b.len, path, err);
		if (st)
			goto fail;
		pos = (size_t)(nl - b.data) + 1;
	}
	buf_free(&b);
	return BLT_OK;
fail:
	buf_free(&b);
	journal_contents_free(out);
	return st;
}

void journal_contents_free(struct journal_contents *c)
{
	if (!c)
		return;
	json_decref(c->header);
	json_decref(c->interactions);
	c->header = NULL;
	c->interactions = NULL;
}

/* The cassette the journal is added to: the existing one when merging, a
 * new one under the journal's meta otherwise. */
static blt_status base_cassette(const char *cassette_path,
				const struct journal_contents *jc,
				struct cassette **out, bool *merged,
				struct blt_err *err)
{
	json_t *meta = json_object_get(jc->header, "meta");
	struct stat sb;

	*merged = false;
	if (jc->mode == JOURNAL_MODE_APPEND && stat(cassette_path, &sb) == 0) {
		*merged = true;
		return cassette_load(
		    &(struct cassette_load_opts){.path = cassette_path}, out,
		    err);
	}
	*out =
	    cassette_new(json_string_value(json_object_get(meta, "upstream")),
			 json_string_value(json_object_get(meta, "tool")));
	if (!*out)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	if (json_is_object(meta) &&
	    json_object_update(cassette_meta(*out), meta) != 0)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	return BLT_OK;
}

/* The largest id in c, 0 when it is empty. */
static long max_id(const struct cassette *c)
{
	long max = 0;

	for (size_t i = 0; i < cassette_count(c); i++)
		if (cassette_at(c, i)->id > max)
			max = cassette_at(c, i)->id;
	return max;
}

/* Appends the journal's interactions, renumbering ids the cassette already
 * uses; remap records old id -> new id so that token_from follows. */
static blt_status append_entries(struct cassette *c, json_t *entries,
				 struct journal_recovery *info,
				 struct blt_err *err)
{
	json_t *remap = json_object();
	long next = max_id(c);
	size_t i;
	json_t *e;
	blt_status st = BLT_OK;

	if (!remap)
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	json_array_foreach (entries, i, e) {
		long id = (long)json_integer_value(json_object_get(e, "id"));
		long from =
		    (long)json_integer_value(json_object_get(e, "token_from"));
		char key[32];

		snprintf(key, sizeof(key), "%ld", from);
		if (from && json_object_get(remap, key))
			json_object_set_new(
			    e, "token_from",
			    json_copy(json_object_get(remap, key)));
		if (cassette_find(c, id)) {
			snprintf(key, sizeof(key), "%ld", id);
			json_object_set_new(remap, key, json_integer(next + 1));
			json_object_set_new(e, "id", json_integer(next + 1));
			info->renumbered++;
		}
		id = (long)json_integer_value(json_object_get(e, "id"));
		if (id > next)
			next = id;
		if ((st = cassette_append_take(c, json_incref(e), err)))
			break;
		info->recovered++;
	}
	json_decref(remap);
	return st;
}

blt_status journal_recover_report(const char *cassette_path,
				  const char *journal_path_,
				  struct journal_recovery *info,
				  struct blt_err *err)
{
	struct journal_recovery local;
	struct journal_contents jc;
	struct cassette *c = NULL;
	blt_status st;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if ((st = journal_read(journal_path_, &jc, err)))
		return st;
	info->dropped_partial = jc.dropped_partial;
	if ((st = base_cassette(cassette_path, &jc, &c, &info->merged, err)))
		goto fail;
	if ((st = append_entries(c, jc.interactions, info, err))) {
		blt_err_prefix(err, "%s", journal_path_);
		goto fail;
	}
	info->total = cassette_count(c);
	if ((st = cassette_save(c, cassette_path, err)))
		goto fail;
	st = journal_remove(journal_path_, err);
fail:
	cassette_free(c);
	journal_contents_free(&jc);
	return st;
}
