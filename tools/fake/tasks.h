/* blt-fake's data: the tasks it serves, loaded from a file, generated from a
 * seed or collected from a cassette, each serialised once at start, and the
 * per-filter lists in the stable order that pages index into. */
#ifndef FAKE_TASKS_H
#define FAKE_TASKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "blt/err.h"
#include "blt/lbt.h"

#include "defects.h"

#define FAKE_GENERATE_MAX 1000000
#define FAKE_TASKS_FILE_MAX ((size_t)256 * 1024 * 1024)
/* The list of every task; lists 0..5 hold one TaskStatus each. */
#define FAKE_LIST_ALL LBT_STATUS_COUNT
#define FAKE_LIST_COUNT (LBT_STATUS_COUNT + 1)

struct fake_task {
	char id[LBT_TASK_ID_MAX + 1];
	enum lbt_status status;
	json_t *obj; /* the task as loaded; NULL after fake_store_finish */
	char *json;  /* its serialised object, after fake_store_finish */
	size_t json_len;
};

struct fake_list {
	uint32_t *idx; /* indices into tasks, in the stable order */
	size_t n;
};

struct fake_store {
	struct fake_task *tasks; /* in the stable order */
	size_t n;
	size_t cap;
	json_t *ids; /* TaskId -> index while loading */
	struct fake_list lists[FAKE_LIST_COUNT];
	unsigned char digest[32]; /* SHA-256 of the serialised data */
};

void fake_store_init(struct fake_store *s);

/* Loads a JSON array of tasks from path. Each element must validate against
 * the task schema and carry TaskId and TaskStatus; TaskIds must be unique.
 * Errors name the file, the element's index and the JSON pointer of the
 * problem ("tasks.json: task 3 (/3/TaskId): ..."), with BLT_EUSAGE. The
 * stable order is the file's order. */
blt_status fake_store_load_file(struct fake_store *s, const char *path,
				struct blt_err *err);

/* The same from memory; name is used in messages. */
blt_status fake_store_load_text(struct fake_store *s, const char *text,
				size_t len, const char *name,
				struct blt_err *err);

/* Generates n tasks (at most FAKE_GENERATE_MAX) from seed: a pure function
 * of both. Every status appears when n >= 6. The stable order is newest
 * first (CreationTime descending). */
blt_status fake_store_generate(struct fake_store *s, size_t n, uint64_t seed,
			       struct blt_err *err);

/* Collects the tasks in the 200 ListBatchLoadTasks responses of a cassette,
 * deduplicated by TaskId (the first sighting wins). The stable order keeps
 * the order of every recorded walk (each page, and each page after the one
 * whose token it used), ties broken by first sighting, so that replaying
 * the cassette reproduces its bodies. */
blt_status fake_store_from_cassette(struct fake_store *s, const char *path,
				    struct blt_err *err);

/* Serialises every task once with canon_compact (members in the object's
 * order, numbers canonical), applying the data defects in defects; builds
 * the per-filter lists and the digest. No task may be added after. */
blt_status fake_store_finish(struct fake_store *s, fake_defects defects,
			     struct blt_err *err);

void fake_store_free(struct fake_store *s);

#endif
