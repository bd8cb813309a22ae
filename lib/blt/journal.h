/* The crash journal of a recording: one JSON object per line, appended and
 * synced before a response is acknowledged, and its recovery into a
 * cassette after a crash (blt-proxy at start, blt-cassette recover).
 *
 * Concurrency: see journal_append and journal_sync below; recovery keeps
 * no state outside its arguments. */
#ifndef BLT_JOURNAL_H
#define BLT_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "blt/err.h"

#define JOURNAL_VERSION 1
#define JOURNAL_SUFFIX ".journal"
#define JOURNAL_LINE_MAX ((size_t)128 * 1024 * 1024)

/* File format. The first line is a header object
 *   {"blt_journal": 1, "mode": "append"|"replace", "meta": {...}}
 * where meta is the cassette meta of the recording and mode says whether the
 * recording adds to the cassette already at the destination ("append") or
 * replaces it ("replace"). Every further line is one interaction object in
 * the cassette format (SPEC section 5) with its final id. Lines end with
 * '\n'; a last line without one is a write cut short by a crash. */

struct journal; /* opaque: a journal open for appending */

enum journal_mode { JOURNAL_MODE_REPLACE, JOURNAL_MODE_APPEND };

/* Creates the journal at path (mode 0600, O_EXCL and O_NOFOLLOW: a file or
 * link already there is an error, never followed or truncated), writes the
 * header line for mode and meta (borrowed; NULL writes an empty object),
 * syncs the file and its directory. On success *out must be closed with
 * journal_close. */
blt_status journal_open(const char *path, enum journal_mode mode,
			const json_t *meta, struct journal **out,
			struct blt_err *err);

/* Appends interaction (borrowed) as one compact line with a single write;
 * when the write fails the file is cut back to where it was. The line is
 * not yet durable: call journal_sync. Not thread-safe: callers
 * serialise appends (journal_sync may run concurrently with them). */
blt_status journal_append(struct journal *j, const json_t *interaction,
			  struct blt_err *err);

/* Makes everything appended so far durable (fdatasync). Thread-safe;
 * concurrent callers share the disk's work. */
blt_status journal_sync(struct journal *j, struct blt_err *err);

/* The journal's path (borrowed). */
const char *journal_path(const struct journal *j);

/* Closes the file (it stays on disk). NULL is a no-op. */
void journal_close(struct journal *j);

/* Removes the file at path and syncs its directory. A missing file is not an
 * error. */
blt_status journal_remove(const char *path, struct blt_err *err);

/* What a journal file holds. */
struct journal_contents {
	json_t *header;		/* the header object, or NULL when absent */
	json_t *interactions;	/* array of interaction objects (owned) */
	enum journal_mode mode; /* APPEND when there is no header */
	bool dropped_partial;	/* a cut-off last line was dropped */
	size_t lines;		/* complete lines read */
};

/* Reads the journal at path, which must be a regular file that this user
 * owns, not reached through a symbolic link (BLT_EINVAL saying which it
 * is otherwise). A last line that does not end with '\n' or does not parse
 * is dropped (dropped_partial); any other malformed line is an error
 * "PATH:LINE: what". BLT_ENOTFOUND when path does not exist. On success
 * release out with journal_contents_free. */
blt_status journal_read(const char *path, struct journal_contents *out,
			struct blt_err *err);

void journal_contents_free(struct journal_contents *c);

/* The outcome of a recovery, for messages. */
struct journal_recovery {
	size_t recovered;     /* interactions taken from the journal */
	size_t total;	      /* interactions in the cassette written */
	size_t renumbered;    /* journal ids changed to avoid duplicates */
	bool merged;	      /* the existing cassette was kept and added to */
	bool dropped_partial; /* a cut-off last journal line was dropped */
};

/* Turns what a killed recording left into a valid cassette at
 * cassette_path, then removes the journal:
 * - the journal's interactions are appended after those of the cassette
 *   already at cassette_path when the journal's mode is "append" (or it has
 *   no header); with mode "replace" they replace it, as the recording's
 *   clean exit would have done, under the journal's meta;
 * - ids already used in the cassette are renumbered (token_from follows);
 * - the cassette is written atomically (cassette_save) before the journal is
 *   removed, so a crash during recovery loses nothing.
 * BLT_ENOTFOUND when there is no journal. info may be NULL. */
blt_status journal_recover_report(const char *cassette_path,
				  const char *journal_path,
				  struct journal_recovery *info,
				  struct blt_err *err);

/* Writes cassette_path JOURNAL_SUFFIX into out (size outsz). BLT_ELIMIT when
 * it does not fit. */
blt_status journal_path_for(const char *cassette_path, char *out, size_t outsz,
			    struct blt_err *err);

#endif
