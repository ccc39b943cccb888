#include "tui/sitefs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

int tui_open_site_dir(const char *root, const char *relative, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(relative);
	char *save = NULL;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), root);

	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;

		close(fd);
		if (next < 0 && saved == ELOOP)
			return ctui_error_set(err, ELOOP,
					      _("cannot open %s/%s: \"%s\" is a symbolic link, which ctui does not follow in a site's files"),
					      root, relative, part);
		if (next < 0)
			return ctui_error_errno(err, saved, _("cannot open %s/%s"), root, relative);
		fd = next;
	}
	return fd;
}
