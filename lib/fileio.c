/* Files read whole and written durably: whole reads with a cap, whole
 * writes, directory syncs, atomic replace. */
#include "blt/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

blt_status fileio_write_all(int fd, const void *p, size_t n,
			    const char *name, struct blt_err *err)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return blt_fail(err, BLT_EIO, "%s: write: %s", name,
					strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	return BLT_OK;
}

/* Writes the directory part of path into dir ("." when it has none). */
static blt_status dir_of(const char *path, char *dir, size_t dirsz,
			 struct blt_err *err)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, dirsz, ".");
	else if (slash == path)
		snprintf(dir, dirsz, "/");
	else if ((size_t)(slash - path) >= dirsz)
		return blt_fail(err, BLT_ELIMIT, "%s: path too long", path);
	else
		snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);
	return BLT_OK;
}

blt_status fileio_sync_dir_of(const char *path, struct blt_err *err)
{
	char dir[4096];
	int fd;
	blt_status st = dir_of(path, dir, sizeof(dir), err);

	if (st)
		return st;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return blt_fail(err, BLT_EIO, "%s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL)
		st = blt_fail(err, BLT_EIO, "%s: fsync: %s", dir,
			      strerror(errno));
	close(fd);
	return st;
}

/* Writes, syncs and closes the temporary file fd. */
static blt_status finish_temp(int fd, const char *tmp, const char *bytes,
			      size_t len, struct blt_err *err)
{
	blt_status st = fileio_write_all(fd, bytes, len, tmp, err);

	if (!st && fsync(fd) != 0)
		st = blt_fail(err, BLT_EIO, "%s: fsync: %s", tmp,
			      strerror(errno));
	if (close(fd) != 0 && !st)
		st = blt_fail(err, BLT_EIO, "%s: close: %s", tmp,
			      strerror(errno));
	return st;
}

blt_status fileio_write_atomic(const char *path, const char *bytes,
			       size_t len, struct blt_err *err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	char tmp[4200];
	struct stat sb;
	int fd;
	blt_status st = dir_of(path, dir, sizeof(dir), err);

	if (st)
		return st;
	snprintf(tmp, sizeof(tmp), "%s/.%.60s.tmp-XXXXXX", dir,
		 slash ? slash + 1 : path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return blt_fail(err, BLT_EIO, "%s: cannot create a temporary "
				"file: %s", path, strerror(errno));
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fchmod(fd, stat(path, &sb) == 0 ? (sb.st_mode & 07777) : 0644);
	st = finish_temp(fd, tmp, bytes, len, err);
	if (!st && rename(tmp, path) != 0)
		st = blt_fail(err, BLT_EIO, "%s: rename: %s", path,
			      strerror(errno));
	if (st) {
		unlink(tmp);
		return st;
	}
	return fileio_sync_dir_of(path, err);
}

/* Reads from fd straight into b up to its room, then in chunks until the
 * end. */
static blt_status read_fd(int fd, const char *path, size_t max,
			  struct blt_buf *b, struct blt_err *err)
{
	char chunk[65536];
	blt_status st = BLT_OK;
	ssize_t r = 1;

	while (r != 0 && b->len + 1 < b->alloc) {
		r = read(fd, b->data + b->len, b->alloc - 1 - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return blt_fail(err, BLT_EIO, "%s: %s", path,
					strerror(errno));
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
	if (b->len > max)
		return blt_fail(err, BLT_ELIMIT,
				"%s: the file is larger than the limit of %zu "
				"bytes",
				path, max);
	while (!st && r != 0 && (r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			st = blt_fail(err, BLT_EIO, "%s: %s", path,
				      strerror(errno));
		else if (buf_append(b, chunk, (size_t)r, NULL))
			st = blt_fail(err, BLT_ELIMIT,
				      "%s: the file is larger than the limit "
				      "of %zu bytes",
				      path, max);
	}
	return st;
}

/* A regular file's buffer is allocated once at its size (plus one byte to
 * see whether it grew). */
blt_status fileio_read_all(const char *path, size_t max, struct blt_buf *b,
			   struct blt_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	blt_status st;

	if (fd < 0)
		return blt_fail(err, BLT_EIO, "%s: cannot open: %s", path,
				strerror(errno));
	buf_init(b, max);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (unsigned long long)sb.st_size <= max) {
		b->alloc = (size_t)sb.st_size + 2;
		b->data = malloc(b->alloc);
		if (!b->data)
			b->alloc = 0;
		else
			b->data[0] = '\0';
	}
	st = read_fd(fd, path, max, b, err);
	close(fd);
	if (st)
		buf_free(b);
	return st;
}
