/* The plan of a run under --max-requests: how many requests each check
 * needs against a target of a given size, at its levels of thoroughness,
 * and how the budget is shared out. The checks read their share back and
 * size their walks by their level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define LEVELS_MAX 4

/* Pages of a walk over n items with MaxResults max (0: 100), at most cap
 * (0: none). An empty listing is one page. */
static uint64_t pages(size_t n, int max, size_t cap)
{
	uint64_t m = max > 0 ? (uint64_t)max : CONFORM_PAGE_MAX;
	uint64_t p = n ? (n + m - 1) / m : 1;

	return cap && p > cap ? cap : p;
}

static uint64_t filtered_walks(const struct target_facts *f)
{
	uint64_t c = 0;

	for (int s = 0; s < CONFORM_NSTATUSES; s++)
		c += pages(f->per_status[s], 0, 0);
	return c;
}

/* The valid battery (battery.c): a walk without a filter, one per filter,
 * MaxResults 1 and 100. */
static uint64_t battery_valid_cost(const struct target_facts *f)
{
	return pages(f->tasks, 0, 0) + filtered_walks(f) + 2;
}

/* The mistake battery: 23 bodies, 3 headers, a token and two damaged. */
#define BATTERY_MISTAKES_COST 29

size_t plan_compare_sizes(unsigned level, size_t tasks, int *sizes)
{
	/* 3 where 7 would fit every task on one page: an odd size with
	 * page boundaries */
	static const int all[] = {1, 2, 3, 7, 100, 0};
	size_t drop = level < 3 ? level : 3;
	size_t k = 0;

	for (size_t i = 0; i < 6; i++)
		if (all[i] != 3 || (tasks > 3 && tasks <= 7))
			sizes[k++] = all[i];
	memmove(sizes, sizes + drop, (k - drop) * sizeof(*sizes));
	return k - drop;
}

unsigned plan_gen_count(const char *id, unsigned level)
{
	static const unsigned valid[] = {200, 100, 50, 20};
	static const unsigned invalid[] = {250, 125, 60, 25};

	if (level >= LEVELS_MAX)
		return 0;
	return strcmp(id, "GEN-VALID") == 0 ? valid[level] : invalid[level];
}

/* The pages of PAG-RESIZE's walk (suite_pag.c keeps the sequence). */
static uint64_t resize_pages(size_t n)
{
	static const int seq[] = {3, 1, 2, 5, 2, 10, 1, 7, 4, 25,
				  3, 13, 6, 9, 3, 1, 8};
	size_t served = 0;
	uint64_t p = 0;

	if (n < 4)
		return n < 2 ? 1 : 2;
	while (served < n) {
		served += (size_t)seq[p < 17 ? p : 16];
		p++;
	}
	return p;
}

static uint64_t pag_cost(const char *id, const struct target_facts *f,
			 unsigned level)
{
	size_t n = f->tasks;
	int sizes[6];
	size_t k;
	uint64_t c = 0;

	if (strcmp(id, "PAG-SIZE") == 0)
		return level == 0 ? pages(n, 1, 20) + pages(n, 2, 20) +
					    pages(n, 7, 0) + 2 * pages(n, 0, 0)
		       : level == 1 ? pages(n, 1, 5) + pages(n, 2, 5) +
					      pages(n, 7, 5) +
					      2 * pages(n, 0, 5)
				    : 0;
	if (strcmp(id, "PAG-END") == 0)
		return level == 0 ? pages(n, 1, 100) + pages(n, 7, 0) +
					    pages(n, 50, 0) + pages(n, 0, 0) +
					    filtered_walks(f)
		       : level == 1 ? pages(n, 7, 10) + pages(n, 50, 0) +
					      pages(n, 0, 0) + 12
				    : 0;
	if (strcmp(id, "PAG-DUP") == 0)
		return level == 0 ? pages(n, 1, 100) + pages(n, 3, 100) +
					    pages(n, 7, 0) + pages(n, 0, 0)
		       : level == 1 ? pages(n, 7, 10) + pages(n, 0, 10)
				    : 0;
	if (strcmp(id, "PAG-COMPLETE") == 0 || strcmp(id, "PAG-ORDER") == 0) {
		if (level > 3)
			return 0;
		k = plan_compare_sizes(level, n, sizes);
		for (size_t i = 0; i < k; i++)
			c += pages(n, sizes[i], 0);
		return c;
	}
	if (level)
		return 0;
	if (strcmp(id, "PAG-FILTER") == 0)
		return pages(n, 0, 0) + filtered_walks(f);
	if (strcmp(id, "PAG-RESIZE") == 0)
		return pages(n, 0, 0) + resize_pages(n);
	if (strcmp(id, "PAG-REPEAT") == 0)
		return 6;
	if (strcmp(id, "PAG-BADTOKEN") == 0)
		return 6;
	return 2; /* PAG-FILTERTOKEN */
}

/* The fixed costs of the other checks (suite_*.c). */
static uint64_t fixed_cost(const char *id, const struct target_facts *f)
{
	static const struct {
		const char *id;
		uint64_t cost;
	} fixed[] = {{"RNG-EDGE", 6},	{"RNG-OUT", 12},  {"RNG-TYPE", 15},
		     {"ENU-BAD", 12},	{"ERR-JSON", 8},  {"ERR-TARGET", 8},
		     {"ERR-TYPE", BATTERY_MISTAKES_COST},
		     {"ERR-STATUS", BATTERY_MISTAKES_COST},
		     {"ERR-MSG", BATTERY_MISTAKES_COST},
		     {"ERR-NO5XX", BATTERY_MISTAKES_COST}};
	uint64_t c = 6;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(fixed[i].id, id) == 0)
			return fixed[i].cost;
	if (strcmp(id, "ENU-FILTER") == 0) {
		for (int s = 0; s < CONFORM_NSTATUSES; s++)
			c += f->per_status[s] >= 2 ? 2 : 0;
		return c;
	}
	if (strcmp(id, "HDR-CTYPE") == 0 || strcmp(id, "HDR-REQID") == 0)
		return battery_valid_cost(f) + BATTERY_MISTAKES_COST;
	return battery_valid_cost(f); /* ENU-RESP, SCH-RESP, SCH-TIME */
}

uint64_t plan_cost(const char *id, const struct target_facts *f,
		   const struct conform_config *cfg, unsigned level)
{
	uint64_t c;

	if (strncmp(id, "PAG-", 4) == 0)
		c = pag_cost(id, f, level);
	else if (strncmp(id, "GEN-", 4) == 0)
		c = plan_gen_count(id, level);
	else if (strncmp(id, "REP-", 4) == 0)
		c = level ? 0 : cfg->rep_requests;
	else
		c = level ? 0 : fixed_cost(id, f);
	/* a margin for pages a server splits otherwise than planned */
	return c ? c + c / 10 + 2 : 0;
}

struct slot {
	unsigned level;
	uint64_t cost;
	bool dropped;
	uint64_t need; /* the cost in full, for the reason */
};

/* Lowers the dearest check one level, or drops the dearest one that has
 * no level left; false when nothing is left to lower or drop. */
static bool shrink(struct conform_config *cfg, struct slot *s,
		   const bool *selected)
{
	size_t best = SIZE_MAX, drop = SIZE_MAX;

	for (size_t i = 0; i < conform_ncheck; i++) {
		if (!selected[i] || s[i].dropped || !s[i].cost)
			continue;
		if (plan_cost(conform_checks[i].id, &cfg->facts, cfg,
			      s[i].level + 1) &&
		    (best == SIZE_MAX || s[i].cost > s[best].cost))
			best = i;
		if (drop == SIZE_MAX || s[i].cost > s[drop].cost)
			drop = i;
	}
	if (best != SIZE_MAX) {
		s[best].level++;
		s[best].cost = plan_cost(conform_checks[best].id, &cfg->facts,
					 cfg, s[best].level);
		return true;
	}
	if (drop == SIZE_MAX)
		return false;
	s[drop].dropped = true;
	s[drop].cost = 0;
	return true;
}

void plan_make(struct conform_config *cfg, const bool *selected,
	       uint64_t left)
{
	struct slot *s = calloc(conform_ncheck, sizeof(*s));
	uint64_t total = 0;
	size_t len = 0;

	cfg->plan[0] = '\0';
	if (!s || !left) {
		free(s);
		return;
	}
	for (size_t i = 0; i < conform_ncheck; i++) {
		s[i].need = s[i].cost = selected[i] ? plan_cost(
			conform_checks[i].id, &cfg->facts, cfg, 0) : 0;
		total += s[i].cost;
	}
	while (total > left && shrink(cfg, s, selected)) {
		total = 0;
		for (size_t i = 0; i < conform_ncheck; i++)
			total += s[i].cost;
	}
	for (size_t i = 0; i < conform_ncheck; i++) {
		uint64_t extra = total && !s[i].dropped
					 ? (left - total) * s[i].cost / total
					 : 0;
		/* 0 stands for "left out": a check costed at nothing (REP-*
		 * without cassettes) keeps a request, and its own reason */
		uint64_t allot = s[i].dropped		  ? 0
				 : s[i].cost + extra ? s[i].cost + extra
						     : 1;
		if (!selected[i])
			continue;
		len += (size_t)snprintf(cfg->plan + len,
					sizeof(cfg->plan) - len,
					"%s=%llu:%u:%llu;",
					conform_checks[i].id,
					(unsigned long long)allot, s[i].level,
					(unsigned long long)s[i].need);
		if (len >= sizeof(cfg->plan))
			break;
	}
	free(s);
}

bool plan_lookup(const struct conform_config *cfg, const char *id,
		 uint64_t *allot, unsigned *level, char *why, size_t whysz)
{
	char key[40];
	const char *p;
	unsigned long long a = 0, need = 0;

	*allot = 0;
	*level = 0;
	if (!cfg->plan[0])
		return true;
	snprintf(key, sizeof(key), "%s=", id);
	for (p = cfg->plan; (p = strstr(p, key)) != NULL; p++)
		if (p == cfg->plan || p[-1] == ';')
			break;
	if (!p || sscanf(p + strlen(key), "%llu:%u:%llu", &a, level,
			 &need) != 3)
		return true;
	*allot = a;
	if (a)
		return true;
	snprintf(why, whysz,
		 "does not fit in the request budget (--max-requests %llu): "
		 "it needs about %llu requests against this target",
		 (unsigned long long)cfg->max_requests, need);
	return false;
}
