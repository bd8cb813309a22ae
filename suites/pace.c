/* The counters every process of a run shares through a small mapped file
 * in the results directory: the request budget, the pace of --rate, the
 * checks finished (for the progress line) and the fail-fast stop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "blt/clock.h"
#include "conform.h"

struct pace_shared {
	uint64_t sent;    /* requests taken */
	uint64_t next_ns; /* CLOCK_MONOTONIC time of the next free slot */
	uint32_t done;    /* checks finished */
	uint32_t stop;    /* fail-fast: a check failed */
};

struct pace {
	struct pace_shared *s;
};

struct pace *pace_open(const char *dir, bool create, struct blt_err *err)
{
	char path[CONFORM_PATH_MAX + 16];
	struct pace *p = NULL;
	void *map;
	int fd;

	snprintf(path, sizeof(path), "%s/shared", dir);
	fd = open(path, create ? O_RDWR | O_CREAT : O_RDWR, 0600);
	if (fd < 0) {
		blt_fail(err, BLT_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (create && ftruncate(fd, sizeof(struct pace_shared)) != 0) {
		blt_fail(err, BLT_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	map = mmap(NULL, sizeof(struct pace_shared), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		blt_fail(err, BLT_EIO, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		munmap(map, sizeof(struct pace_shared));
		blt_fail(err, BLT_ENOMEM, "out of memory");
		return NULL;
	}
	p->s = map;
	return p;
}

void pace_close(struct pace *p)
{
	if (!p)
		return;
	munmap(p->s, sizeof(*p->s));
	free(p);
}

/* Reserves the next slot of the shared schedule and sleeps until it. */
static void wait_slot(struct pace_shared *s, double rate)
{
	uint64_t gap = (uint64_t)(1e9 / rate);
	uint64_t cur = __atomic_load_n(&s->next_ns, __ATOMIC_ACQUIRE);
	uint64_t now, slot;

	do {
		now = (uint64_t)(clock_mono_ms() * 1e6);
		slot = cur > now ? cur : now;
	} while (!__atomic_compare_exchange_n(&s->next_ns, &cur, slot + gap,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	if (slot > now) {
		struct timespec ts = {(time_t)((slot - now) / 1000000000u),
				      (long)((slot - now) % 1000000000u)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

bool pace_take(struct pace *p, uint64_t max, double rate)
{
	uint64_t cur;

	if (!p)
		return true;
	cur = __atomic_load_n(&p->s->sent, __ATOMIC_ACQUIRE);
	do {
		if (max && cur >= max)
			return false;
	} while (!__atomic_compare_exchange_n(&p->s->sent, &cur, cur + 1,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	if (rate > 0)
		wait_slot(p->s, rate);
	return true;
}

uint64_t pace_sent(const struct pace *p)
{
	return p ? __atomic_load_n(&p->s->sent, __ATOMIC_ACQUIRE) : 0;
}

unsigned pace_check_done(struct pace *p)
{
	return p ? __atomic_add_fetch(&p->s->done, 1, __ATOMIC_ACQ_REL) : 0;
}

unsigned pace_checks_done(const struct pace *p)
{
	return p ? __atomic_load_n(&p->s->done, __ATOMIC_ACQUIRE) : 0;
}

void pace_stop(struct pace *p)
{
	if (p)
		__atomic_store_n(&p->s->stop, 1, __ATOMIC_RELEASE);
}

bool pace_stopped(const struct pace *p)
{
	return p && __atomic_load_n(&p->s->stop, __ATOMIC_ACQUIRE);
}
