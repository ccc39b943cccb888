#include "tui/sitefs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/util.h"

int tui_check_file_name(const char *name, struct ctui_error *err)
{
	if (!name[0])
		return ctui_error_set(err, EINVAL, _("The name is empty: type a name"));
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return ctui_error_set(err, EINVAL, _("\"%s\" names this directory or its parent: "
						     "choose another name"), name);
	if (strchr(name, '/'))
		return ctui_error_set(err, EINVAL, _("\"%s\" contains a '/': create one directory at a "
						     "time"), name);
	if (strlen(name) > NAME_MAX)
		return ctui_error_set(err, ENAMETOOLONG, _("The name is longer than %d bytes"),
				      NAME_MAX);
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 32 || *c == 127)
			return ctui_error_set(err, EINVAL, _("The name contains a control character"));
	return 0;
}

/* Gives NAME in DIR_FD the owner of DIR_FD itself, so that a file created
 * by root running ctui belongs to the site's user like its neighbours. */
static int own_like_parent(int dir_fd, const char *name, struct ctui_error *err)
{
	struct stat parent;

	if (fstat(dir_fd, &parent) < 0 ||
	    fchownat(dir_fd, name, parent.st_uid, parent.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return ctui_error_errno(err, errno, _("Cannot set the owner of %s"), name);
	return 0;
}

int tui_site_create(int dir_fd, const char *name, bool directory, struct ctui_error *err)
{
	int fd;

	if (tui_check_file_name(name, err) < 0)
		return -1;
	if (directory) {
		if (mkdirat(dir_fd, name, 0755) < 0)
			return ctui_error_errno(err, errno, _("Cannot create the directory %s"), name);
	} else {
		fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return ctui_error_errno(err, errno, _("Cannot create the file %s"), name);
		close(fd);
	}
	return own_like_parent(dir_fd, name, err);
}

int tui_site_rename(int dir_fd, const char *from, const char *to, struct ctui_error *err)
{
	if (tui_check_file_name(to, err) < 0)
		return -1;
	if (renameat2(dir_fd, from, dir_fd, to, RENAME_NOREPLACE) < 0)
		return ctui_error_errno(err, errno, _("Cannot rename %s to %s"), from, to);
	return 0;
}

int tui_site_delete(int dir_fd, const char *name, struct ctui_error *err)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ctui_error_errno(err, errno, _("Cannot delete %s"), name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dir_fd, name, 0) < 0)
			return ctui_error_errno(err, errno, _("Cannot delete %s"), name);
		return 0;
	}
	return ctui_rm_rf_at(dir_fd, name, name, err);
}
