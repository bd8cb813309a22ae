/* Whole files read with a cap, and durable file writing: whole writes,
 * directory syncs, and the atomic replace (temporary file, fsync, rename,
 * fsync of the directory) that cassettes, journals and the tools rely
 * on.
 *
 * Concurrency: the functions keep no state; they may run at once on
 * different paths (two atomic replaces of one path race like any two
 * renames: the last one wins, whole). */
#ifndef BLT_FILEIO_H
#define BLT_FILEIO_H

#include <stddef.h>

#include "blt/buf.h"
#include "blt/err.h"

/* Writes all n bytes to fd, retrying short writes and interruptions. name
 * is the file's name for messages. */
blt_status fileio_write_all(int fd, const void *p, size_t n,
			    const char *name, struct blt_err *err);

/* Syncs the directory that holds path, so that an entry created, renamed
 * or removed there survives a crash of the machine. Filesystems that cannot
 * sync a directory (EINVAL) are accepted as they are. */
blt_status fileio_sync_dir_of(const char *path, struct blt_err *err);

/* Replaces path with len bytes atomically: a temporary file in the same
 * directory (created with O_EXCL and mode 0600 while it is written), fsync,
 * rename over path, fsync of the directory. The file keeps path's
 * permission bits (0777) when path is a regular file this user owns;
 * otherwise (a new file, a link, another user's file) it gets 0666 less
 * the umask, as open(2) would give a new one. On failure path is
 * untouched and the temporary file is removed. */
blt_status fileio_write_atomic(const char *path, const char *bytes,
			       size_t len, struct blt_err *err);

/* Reads the whole file at path into b, which it initialises with the cap
 * max: BLT_ELIMIT when the file holds more than max bytes, BLT_EIO when it
 * cannot be opened or read, each with a message that names path. On
 * failure b is left empty (freed). */
blt_status fileio_read_all(const char *path, size_t max, struct blt_buf *b,
			   struct blt_err *err);

/* fileio_read_all on a file the caller opened (and still owns; it is not
 * closed), for a caller that checks what it opened first. path only names
 * the file in messages. */
blt_status fileio_read_fd_all(int fd, const char *path, size_t max,
			      struct blt_buf *b, struct blt_err *err);

#endif
