#include "util/proctitle.h"

#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util/util.h"

static char *title_start;
static size_t title_space;

void ctui_proctitle_init(int argc, char **argv)
{
	char *end;

	if (argc < 1 || !argv[0])
		return;
	/* The kernel lays out the argument strings and then the environment
	 * one after the other. A string elsewhere ends the space that a title
	 * can be written over. */
	end = argv[0] + strlen(argv[0]) + 1;
	for (int i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	for (int i = 0; environ[i] && environ[i] == end; i++) {
		end = environ[i] + strlen(environ[i]) + 1;
		/* getenv() must still find the variable once a title covers it. */
		environ[i] = xstrdup(environ[i]);
	}
	title_start = argv[0];
	title_space = (size_t)(end - argv[0]);
}

void ctui_proctitle_set(const char *title, const char *name)
{
	size_t len;

	prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
	if (!title_start)
		return;
	len = strnlen(title, title_space - 1);
	memcpy(title_start, title, len);
	memset(title_start + len, 0, title_space - len);
}
