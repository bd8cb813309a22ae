/* KNOWN BUGS: the hostile-input cases that the servers still get wrong
 * (docs/hardening.md, "Hostile input", lists each with its cause). These
 * tests fail until the bugs are fixed; test_hostile.c runs every other
 * case. */
#define HOSTILE_KNOWN_BUGS_ONLY
#include "test_hostile.c"
