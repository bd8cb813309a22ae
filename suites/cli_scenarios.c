/* The client catalogue of SPEC section 4 and the scenario runs that
 * exercise it: each run's inputs and the pages and faults its scenario
 * server answers with. */
#include <stdio.h>
#include <string.h>

#include "blt/canon.h"
#include "cli.h"

const struct check_def cli_checks[CLI_NCHECK] = {
	[CLI_PAG_FOLLOW] = {"CLI-PAG-FOLLOW", CHECK_MUST,
			    "follows NextToken to the end and prints exactly "
			    "the set"},
	[CLI_PAG_EMPTYPAGE] = {"CLI-PAG-EMPTYPAGE", CHECK_MUST,
			       "follows an empty page that carries a token"},
	[CLI_PAG_EMPTYTOKEN] = {"CLI-PAG-EMPTYTOKEN", CHECK_MUST,
				"stops at an empty-string NextToken (never "
				"sends \"\")"},
	[CLI_PAG_FILTER] = {"CLI-PAG-FILTER", CHECK_MUST,
			    "sends its TaskStatus on every page of the walk"},
	[CLI_PAG_NOLOOP] = {"CLI-PAG-NOLOOP", CHECK_MUST,
			    "stops with an error when a server repeats a "
			    "token"},
	[CLI_ERR_VALIDATION] = {"CLI-ERR-VALIDATION", CHECK_MUST,
				"surfaces ValidationException by type, "
				"without retrying it"},
	[CLI_ERR_LONGTYPE] = {"CLI-ERR-LONGTYPE", CHECK_MUST,
			      "reads `Name:http://...` and shape-ID error "
			      "types"},
	[CLI_RETRY_THROTTLE] = {"CLI-RETRY-THROTTLE", CHECK_MUST,
				"retries ThrottlingException after a backoff "
				"delay (jitter allowed), a bounded number of "
				"times"},
	[CLI_RETRY_500] = {"CLI-RETRY-500", CHECK_MUST,
			   "retries InternalServerException the same way"},
	[CLI_RETRY_RESET] = {"CLI-RETRY-RESET", CHECK_SHOULD,
			     "retries a dropped connection"},
	[CLI_REQ] = {"CLI-REQ", CHECK_MUST,
		     "sends only requests that obey the request rules"},
	[CLI_SIGV4] = {"CLI-SIGV4", CHECK_MUST,
		       "signs for service timestream; sends the session "
		       "token when set"},
	[CLI_DISCOVERY] = {"CLI-DISCOVERY", CHECK_SHOULD,
			   "uses the Address DescribeEndpoints gives, cached "
			   "for its period"},
};

/* Pages of size per over ntasks tasks, each leading to the next. */
static void even_pages(struct cli_script *s, unsigned ntasks, unsigned per)
{
	s->ntasks = ntasks;
	s->npages = 0;
	for (unsigned first = 0; first < ntasks; first += per) {
		struct cli_page *p = &s->pages[s->npages];
		p->first = first;
		p->count = ntasks - first < per ? ntasks - first : per;
		p->next = (int)s->npages + 1;
		s->npages++;
	}
	s->pages[s->npages - 1].next = CLI_END;
}

static struct cli_script *add(struct cli_script *out, size_t *n,
			      enum cli_check c, const char *suffix)
{
	struct cli_script *s = &out[(*n)++];

	memset(s, 0, sizeof(*s));
	s->check = c;
	s->max_requests = 30;
	snprintf(s->name, sizeof(s->name), "%s%s%s", cli_checks[c].id,
		 suffix ? "/" : "", suffix ? suffix : "");
	return s;
}

/* The pagination scenarios. */
static void pagination(struct cli_script *out, size_t *n)
{
	struct cli_script *s;

	s = add(out, n, CLI_PAG_FOLLOW, NULL); /* 4 pages of 2 */
	s->max_results = "2";
	even_pages(s, 7, 2);
	s = add(out, n, CLI_PAG_EMPTYPAGE, NULL); /* 2, none, 2 */
	s->max_results = "2";
	s->ntasks = 4;
	s->npages = 3;
	s->pages[0] = (struct cli_page){0, 2, 1};
	s->pages[1] = (struct cli_page){2, 0, 2};
	s->pages[2] = (struct cli_page){2, 2, CLI_END};
	s = add(out, n, CLI_PAG_EMPTYTOKEN, NULL); /* 2, then 1 with "" */
	s->max_results = "2";
	even_pages(s, 3, 2);
	s->pages[1].next = CLI_EMPTY;
	s = add(out, n, CLI_PAG_FILTER, NULL); /* 3 pages of FAILED */
	s->max_results = "2";
	s->task_status = "FAILED";
	even_pages(s, 5, 2);
	s = add(out, n, CLI_PAG_NOLOOP, NULL); /* page 3 repeats page 1's */
	s->max_results = "1";
	even_pages(s, 3, 1);
	s->pages[2].next = 1;
}

/* A run of one page of three tasks whose first attempts get fault. */
static void faulted(struct cli_script *out, size_t *n, enum cli_check c,
		    const char *suffix, enum cli_fault fault, unsigned times)
{
	struct cli_script *s = add(out, n, c, suffix);

	even_pages(s, 3, 3);
	s->fault = fault;
	s->fault_times = times;
	s->max_requests = CLI_ATTEMPTS_MAX;
}

/* The error and retry scenarios. */
static void errors(struct cli_script *out, size_t *n)
{
	static const char *const names[] = {"ValidationException",
					    "AccessDeniedException"};
	struct cli_script *s;

	faulted(out, n, CLI_ERR_VALIDATION, NULL, CLI_FAULT_VALIDATION, 0);
	for (size_t i = 0; i < errcases_count; i++) {
		s = add(out, n, CLI_ERR_LONGTYPE, errcases[i].id);
		even_pages(s, 3, 3);
		s->fault = CLI_FAULT_FORM;
		s->form = &errcases[i];
		s->form_name = names[i % 2];
		s->max_requests = CLI_ATTEMPTS_MAX;
	}
	faulted(out, n, CLI_RETRY_THROTTLE, "recovers", CLI_FAULT_THROTTLE, 2);
	faulted(out, n, CLI_RETRY_THROTTLE, "gives-up", CLI_FAULT_THROTTLE, 0);
	faulted(out, n, CLI_RETRY_500, "recovers", CLI_FAULT_INTERNAL, 2);
	faulted(out, n, CLI_RETRY_500, "gives-up", CLI_FAULT_INTERNAL, 0);
	faulted(out, n, CLI_RETRY_RESET, NULL, CLI_FAULT_RESET, 1);
}

size_t cli_scripts(struct cli_script *out)
{
	struct cli_script *s;
	size_t n = 0;

	pagination(out, &n);
	errors(out, &n);
	s = add(out, &n, CLI_REQ, NULL); /* 3 and 2 */
	s->max_results = "3";
	even_pages(s, 5, 3);
	s = add(out, &n, CLI_SIGV4, NULL); /* 2 and 1, a session token */
	s->max_results = "2";
	s->session_token = true;
	even_pages(s, 3, 2);
	s = add(out, &n, CLI_DISCOVERY, NULL); /* 3 pages of 1, a cell */
	s->max_results = "1";
	s->cell = true;
	even_pages(s, 3, 1);
	return n;
}

/* Digits and upper-case letters from a hash of the run's name, what and
 * n: opaque, stable, distinct. */
static void stamp(const struct cli_script *sc, const char *what, unsigned n,
		  char *out, size_t len)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char key[160];
	uint64_t seed[2], h;

	snprintf(key, sizeof(key), "%s|%s|%u", sc->name, what, n);
	seed[0] = canon_hash_bytes(key, strlen(key));
	h = seed[0];
	for (size_t i = 0; i < len; i++) {
		/* 8 digits a hash: the next 8 come from a new hash of
		 * the key, not from what is left of this one */
		if (i % 8 == 0 && i) {
			seed[1] = i;
			h = canon_hash_bytes(seed, sizeof(seed));
		}
		out[i] = alphabet[h % 36];
		h /= 36;
	}
	out[len] = '\0';
}

void cli_token(const struct cli_script *sc, int k, char out[40])
{
	memcpy(out, "blt1.", 5);
	stamp(sc, "token", (unsigned)k, out + 5, 32);
}

void cli_task_id(const struct cli_script *sc, unsigned i, char out[32])
{
	stamp(sc, "task", i, out, 26);
}

const char *cli_task_status(const struct cli_script *sc, unsigned i)
{
	return sc->task_status ? sc->task_status : conform_statuses[i % 6];
}
