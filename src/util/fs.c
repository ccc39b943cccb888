#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

int ctui_mkdir_p(const char *path, mode_t mode, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return ctui_error_errno(err, errno, _("cannot create directory %s"), copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return ctui_error_errno(err, errno, _("cannot create directory %s"), copy);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctui_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct ctui_error *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot create %s"), tmp);

	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		return ctui_error_errno(err, saved, _("cannot write %s"), path);
	}
	close(fd);

	if (rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		return ctui_error_errno(err, saved, _("cannot rename %s to %s"), tmp, path);
	}
	return 0;
}

int ctui_read_file(const char *path, char **data, size_t *len, struct ctui_error *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	size_t size = 0, cap = 4096;
	cleanup_free char *buf = NULL;

	if (!f)
		return ctui_error_errno(err, errno, _("cannot open %s"), path);

	buf = xmalloc(cap);
	for (;;) {
		size_t n = fread(buf + size, 1, cap - size - 1, f);

		size += n;
		if (n == 0)
			break;
		if (cap - size - 1 == 0) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(f))
		return ctui_error_errno(err, EIO, _("cannot read %s"), path);

	buf[size] = '\0';
	if (len)
		*len = size;
	*data = steal_pointer(&buf);
	return 0;
}

bool ctui_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int remove_tree_at(int parent, const char *name, dev_t dev, const char *top,
			  struct ctui_error *err)
{
	struct stat st;
	int fd;
	DIR *dir;
	struct dirent *entry;
	int ret = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot remove %s"), top);

	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot remove %s"), top);
		return 0;
	}
	if (st.st_dev != dev)
		return ctui_error_set(err, EBUSY, _("cannot remove %s: a file system is mounted below it"), top);

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), top);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return ctui_error_errno(err, errno, _("cannot open %s"), top);
	}
	while (ret == 0 && (entry = readdir(dir)) != NULL) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		ret = remove_tree_at(dirfd(dir), entry->d_name, dev, top, err);
	}
	closedir(dir);
	if (ret < 0)
		return ret;

	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ctui_error_errno(err, errno, _("cannot remove %s"), top);
	return 0;
}

int ctui_rm_rf_at(int parent, const char *name, const char *shown, struct ctui_error *err)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot remove %s"), shown);
	return remove_tree_at(parent, name, st.st_dev, shown, err);
}

int ctui_rm_rf(const char *path, struct ctui_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot remove %s"), path);
	return remove_tree_at(AT_FDCWD, path, st.st_dev, path, err);
}

bool ctui_path_is_clean(const char *path)
{
	const char *c = path;

	while (*c) {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
		if (*c == '/')
			c++;
	}
	return true;
}

int ctui_open_dir_nofollow(const char *root, const char *relative, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(relative);
	char *save = NULL;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), root);

	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		struct stat st;

		/* With O_DIRECTORY, a link fails with ENOTDIR instead of ELOOP. */
		if (next < 0 && saved == ENOTDIR && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			saved = ELOOP;
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
