/* Command-line helpers shared by blt-proxy's record and replay modes. */
#include "opts.h"

#include <string.h>

bool opts_value(int argc, char **argv, int *i, const char *name,
		const char **value)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return true;
	}
	if (arg[n] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}
