/* Files read whole and written durably: whole reads with a cap, whole
 * writes, directory syncs, atomic replace. */
#define _GNU_SOURCE /* mkostemp */
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

/* The process's umask, read from /proc/self/status: umask(2) cannot read
 * it without setting it, which would race with other threads creating
 * files. 077 when it cannot be read (the private side). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned m;
	mode_t mask = 077;

	if (!f)
		return mask;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &m) == 1) {
			mask = (mode_t)(m & 0777);
			break;
		}
	fclose(f);
	return mask;
}

/* Writes, syncs and closes the temporary file fd, giving it mode. */
static blt_status finish_temp(int fd, const char *tmp, const char *bytes,
			      size_t len, mode_t mode, struct blt_err *err)
{
	blt_status st = fileio_write_all(fd, bytes, len, tmp, err);

	if (!st && fchmod(fd, mode) != 0)
		st = blt_fail(err, BLT_EIO, "%s: chmod: %s", tmp,
			      strerror(errno));
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
	mode_t mode;
	int fd;
	blt_status st = dir_of(path, dir, sizeof(dir), err);

	if (st)
		return st;
	snprintf(tmp, sizeof(tmp), "%s/.%.60s.tmp-XXXXXX", dir,
		 slash ? slash + 1 : path);
	/* O_CREAT | O_EXCL and mode 0600: a name that exists (a planted
	 * link too) is never opened, and nobody else can open the file
	 * while it is written. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return blt_fail(err, BLT_EIO, "%s: cannot create a temporary "
				"file: %s", path, strerror(errno));
	/* Only a regular file of this user's lends its mode, without the
	 * set-id and sticky bits: a link planted at path (to a file made
	 * 0666 or 04777 by someone else) must not open up the new one. */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid())
		mode = sb.st_mode & 0777;
	else
		mode = 0666 & ~current_umask();
	st = finish_temp(fd, tmp, bytes, len, mode, err);
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
	blt_status st;

	if (fd < 0)
		return blt_fail(err, BLT_EIO, "%s: cannot open: %s", path,
				strerror(errno));
	st = fileio_read_fd_all(fd, path, max, b, err);
	close(fd);
	return st;
}

blt_status fileio_read_fd_all(int fd, const char *path, size_t max,
			      struct blt_buf *b, struct blt_err *err)
{
	struct stat sb;
	blt_status st;

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
	if (st)
		buf_free(b);
	return st;
}
