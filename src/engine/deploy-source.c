/* A deploy's source, read through libarchive: archive_read_disk for a
 * directory (or a symbolic link to one), archive_read with every format and filter for an archive. The
 * same entry checks run on both, so a directory with a device node or a
 * link out of the tree is rejected like an archive that has one. */
#include "engine/deploy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/backup-internal.h"
#include "util/fs.h"
#include "util/util.h"

#define READ_BLOCK 65536

#define EXTRACT_FLAGS                                                                 \
	(ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |            \
	 ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |              \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

struct source {
	char *prefix;                 /* a directory source's path, without trailing '/' */
	struct archive *in;
	struct archive_entry *disk_entry;  /* the disk reader's reused entry */
};

/* A path already seen in the source, and what it is: 'd', 'f', 'l'. */
struct seen {
	char type;
	char path[];
};

struct scan {
	void *seen;                   /* tsearch tree of struct seen */
	struct ctui_deploy_result result;
};

static void source_close(struct source *src)
{
	if (src->in)
		archive_read_free(src->in);
	if (src->disk_entry)
		archive_entry_free(src->disk_entry);
	free(src->prefix);
	memset(src, 0, sizeof *src);
}

static int open_directory(struct source *src, const char *path, struct ctui_error *err)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	src->prefix = xasprintf("%.*s", (int)len, path);
	src->in = archive_read_disk_new();
	src->disk_entry = archive_entry_new();
	/* Like tar -H: a link given as the source is followed, links inside
	 * it are read as links. */
	archive_read_disk_set_symlink_hybrid(src->in);
	archive_read_disk_set_behavior(src->in, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
					       ARCHIVE_READDISK_NO_FFLAGS);
	if (archive_read_disk_open(src->in, src->prefix) != ARCHIVE_OK)
		return backup_archive_fail(err, src->in, path);
	return 0;
}

static int source_open(struct source *src, const char *path, struct ctui_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return ctui_error_set(err, ENOENT, _("%s does not exist: give a directory or "
							     "an archive"), path);
		return ctui_error_errno(err, errno, _("cannot examine %s"), path);
	}
	if (S_ISDIR(st.st_mode))
		return open_directory(src, path, err);
	if (!S_ISREG(st.st_mode))
		return ctui_error_set(err, EINVAL, _("%s is neither a directory nor a regular file"),
				      path);

	src->in = archive_read_new();
	archive_read_support_filter_all(src->in);
	archive_read_support_format_all(src->in);
	if (archive_read_open_filename(src->in, path, READ_BLOCK) != ARCHIVE_OK)
		return backup_archive_fail(err, src->in, path);
	return 0;
}

/* Returns NAME without its leading "./" components: "" for the top
 * directory itself. */
static const char *skip_dot_slash(const char *name)
{
	while (name[0] == '.' && (name[1] == '/' || name[1] == '\0')) {
		name += name[1] ? 2 : 1;
		while (*name == '/')
			name++;
	}
	return name;
}

/* The name of ENTRY relative to the top of the source: "" for the top
 * directory. A directory source's names all start with its path. */
static const char *source_relative(const struct source *src, struct archive_entry *entry)
{
	const char *name = archive_entry_pathname(entry);
	size_t len;

	if (!name)
		return NULL;
	if (!src->prefix)
		return name[0] == '/' ? name : skip_dot_slash(name);

	len = strlen(src->prefix);
	if (strncmp(name, src->prefix, len))
		return NULL;
	name += len;
	while (*name == '/')
		name++;
	return name;
}

/* Reads the next entry into *ENTRY and its relative name into *REL.
 * Returns 1, 0 at the end, or -1 with ERR set. */
static int source_next(struct source *src, struct archive_entry **entry, const char **rel,
		       struct ctui_error *err)
{
	int ret;

	if (src->disk_entry) {
		*entry = src->disk_entry;
		ret = archive_read_next_header2(src->in, *entry);
	} else {
		ret = archive_read_next_header(src->in, entry);
	}
	if (ret == ARCHIVE_EOF)
		return 0;
	if (ret < ARCHIVE_WARN)
		return backup_archive_fail(err, src->in, _("cannot read the next entry"));
	if (src->disk_entry && archive_read_disk_can_descend(src->in))
		archive_read_disk_descend(src->in);

	*rel = source_relative(src, *entry);
	if (!*rel)
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": it has no usable name"),
				      archive_entry_pathname(*entry) ? archive_entry_pathname(*entry) :
								       "");
	return 1;
}

/* Whether the symbolic link TARGET, placed at LINK_PATH, stays inside the
 * tree. Only a relative target qualifies, with ".." components only at its
 * start and no more of them than LINK_PATH has parent directories. Each
 * link then resolves inside the tree even when its target passes through
 * other links of the tree, since those resolve inside it too. */
static bool symlink_stays_inside(const char *link_path, const char *target)
{
	long depth = 0;
	bool descending = false;
	const char *c;

	if (!target[0] || target[0] == '/')
		return false;
	for (c = link_path; *c; c++)
		depth += *c == '/' && c[1] != '\0';

	for (c = target; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (descending || --depth < 0)
				return false;
		} else if (len > 0 && !(len == 1 && c[0] == '.')) {
			descending = true;
		}
		c += len;
		if (*c == '/')
			c++;
	}
	return true;
}

static int compare_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->path, ((const struct seen *)b)->path);
}

/* The entry recorded under PATH, or NULL. PATH may end with '/'. */
static const struct seen *seen_find(const struct scan *scan, const char *path, size_t len)
{
	struct seen *key = xmalloc(sizeof *key + len + 1);
	void *found;

	if (len > 0 && path[len - 1] == '/')
		len--;
	memcpy(key->path, path, len);
	key->path[len] = '\0';
	found = tfind(key, &scan->seen, compare_seen);
	free(key);
	return found ? *(const struct seen **)found : NULL;
}

/* Records REL as TYPE; false when it was recorded before, except a
 * directory repeated as a directory, which tar allows. */
static bool seen_add(struct scan *scan, const char *rel, char type)
{
	size_t len = strlen(rel);
	struct seen *item, **slot;

	if (len > 0 && rel[len - 1] == '/')
		len--;
	item = xmalloc(sizeof *item + len + 1);
	item->type = type;
	memcpy(item->path, rel, len);
	item->path[len] = '\0';
	slot = tsearch(item, &scan->seen, compare_seen);
	if (!slot)
		abort();
	if (*slot != item) {
		bool both_dirs = (*slot)->type == 'd' && type == 'd';

		free(item);
		return both_dirs;
	}
	return true;
}

/* The first parent directory of REL that the source made a symbolic link,
 * or NULL: libarchive would refuse to extract through it, but only after
 * writing the entries before it. */
static const struct seen *parent_link(const struct scan *scan, const char *rel)
{
	for (const char *slash = strchr(rel, '/'); slash && slash[1]; slash = strchr(slash + 1, '/')) {
		const struct seen *parent = seen_find(scan, rel, (size_t)(slash - rel));

		if (parent && parent->type == 'l')
			return parent;
	}
	return NULL;
}

static int check_hardlink(struct scan *scan, const char *name, const char *hardlink,
			  struct ctui_error *err)
{
	const char *target = hardlink[0] == '/' ? hardlink : skip_dot_slash(hardlink);
	const struct seen *earlier;

	earlier = target[0] != '/' && ctui_path_is_clean(target) ?
		seen_find(scan, target, strlen(target)) : NULL;
	if (!earlier || earlier->type != 'f')
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": hard link to \"%s\", "
						    "which is not an earlier file of the source"),
				      name, hardlink);
	return 0;
}

/* The type letter of an entry that a deploy may write, or 0. */
static char allowed_type(struct archive_entry *entry)
{
	switch (archive_entry_filetype(entry)) {
	case AE_IFREG:
		return 'f';
	case AE_IFDIR:
		return 'd';
	case AE_IFLNK:
		return 'l';
	default:
		return 0;
	}
}

static int reject_type(struct archive_entry *entry, const char *name, struct ctui_error *err)
{
	const char *kind;

	switch (archive_entry_filetype(entry)) {
	case AE_IFCHR:
	case AE_IFBLK:
		kind = _("a device node");
		break;
	case AE_IFIFO:
		kind = _("a FIFO");
		break;
	case AE_IFSOCK:
		kind = _("a socket");
		break;
	default:
		kind = _("of an unknown type");
		break;
	}
	return ctui_error_set(err, EPERM, _("rejected entry \"%s\": it is %s, and a document "
					    "root holds only files, directories and links"), name, kind);
}

/* Rejects ENTRY (named REL below the top) when it could write outside the
 * tree or create something other than a file, a directory or a link. */
static int check_entry(struct scan *scan, struct archive_entry *entry, const char *rel,
		       struct ctui_error *err)
{
	const char *name = archive_entry_pathname(entry);
	const char *hardlink = archive_entry_hardlink(entry);
	const char *target = archive_entry_symlink(entry);
	const struct seen *link;
	char type = hardlink ? 'f' : allowed_type(entry);

	if (rel[0] == '/')
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": the path is absolute"),
				      name);
	if (!rel[0] || !ctui_path_is_clean(rel))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": the path has an empty, "
						    "\".\" or \"..\" component"), name);
	link = parent_link(scan, rel);
	if (link)
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": its path goes through "
						    "the symbolic link \"%s\""), name, link->path);
	if (archive_entry_mode(entry) & (S_ISUID | S_ISGID))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": it has the setuid or "
						    "setgid bit"), name);

	if (hardlink && check_hardlink(scan, name, hardlink, err) < 0)
		return -1;
	if (!type)
		return reject_type(entry, name, err);
	if (type == 'l' && !symlink_stays_inside(rel, target ? target : ""))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": symbolic link to \"%s\" "
						    "leads out of the document root"),
				      name, target ? target : "");

	if (!seen_add(scan, rel, type))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": the source has it "
						    "twice"), name);
	return 0;
}

static void seen_free(void *item)
{
	free(item);
}

static int scan_entries(struct source *src, struct scan *scan, struct ctui_error *err)
{
	struct archive_entry *entry;
	const char *rel;
	int ret;

	while ((ret = source_next(src, &entry, &rel, err)) > 0) {
		if (!rel[0] && archive_entry_filetype(entry) == AE_IFDIR)
			continue;
		if (check_entry(scan, entry, rel, err) < 0)
			return -1;
		scan->result.entries++;
		if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0)
			scan->result.bytes += (uint64_t)archive_entry_size(entry);
	}
	return ret;
}

int deploy_scan(const char *source, struct ctui_deploy_result *result, struct ctui_error *err)
{
	struct source src = { 0 };
	struct scan scan = { 0 };
	int ret = source_open(&src, source, err);

	if (ret == 0)
		ret = scan_entries(&src, &scan, err);
	if (ret == 0 && scan.result.entries == 0)
		ret = ctui_error_set(err, ENODATA, _("%s contains no file, directory or link: "
						     "nothing to deploy"), source);
	tdestroy(scan.seen, seen_free);
	source_close(&src);
	if (ret == 0 && result)
		*result = scan.result;
	return ret;
}

/* Extraction. */

static int copy_data(struct source *src, struct archive *disk, struct archive_entry *entry,
		     struct ctui_deploy_result *result, struct ctui_error *err)
{
	const void *block;
	size_t len;
	la_int64_t offset;
	int ret;

	while ((ret = archive_read_data_block(src->in, &block, &len, &offset)) == ARCHIVE_OK) {
		if (archive_write_data_block(disk, block, len, offset) < ARCHIVE_WARN)
			return backup_archive_fail(err, disk, archive_entry_pathname(entry));
		result->bytes += len;
	}
	if (ret != ARCHIVE_EOF)
		return backup_archive_fail(err, src->in, archive_entry_pathname(entry));
	return 0;
}

/* Points ENTRY at its place in the current directory with the owner and
 * the permission bits that the deploy gives it. */
static void prepare_entry(struct archive_entry *entry, const char *rel, uid_t uid, gid_t gid)
{
	const char *hardlink = archive_entry_hardlink(entry);
	cleanup_free char *path = xasprintf("./%s", rel);

	if (hardlink) {
		cleanup_free char *target = xasprintf("./%s", skip_dot_slash(hardlink));

		archive_entry_set_hardlink(entry, target);
	}
	archive_entry_set_pathname(entry, path);
	archive_entry_set_uid(entry, uid);
	archive_entry_set_gid(entry, gid);
	archive_entry_set_uname(entry, NULL);
	archive_entry_set_gname(entry, NULL);
	/* The group is the web server's: it reads every file and enters every
	 * directory through it, whatever modes the source gave. */
	if (archive_entry_filetype(entry) == AE_IFDIR)
		archive_entry_set_perm(entry, (archive_entry_perm(entry) & 0777) | 0050);
	else if (archive_entry_filetype(entry) == AE_IFREG)
		archive_entry_set_perm(entry, (archive_entry_perm(entry) & 0777) | 0040);
	else
		archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
}

static int extract_entries(struct source *src, struct archive *disk, uid_t uid, gid_t gid,
			   struct ctui_deploy_result *result, struct ctui_error *err)
{
	struct archive_entry *entry;
	const char *rel;
	int ret;

	while ((ret = source_next(src, &entry, &rel, err)) > 0) {
		cleanup_free char *name = NULL;

		if (!rel[0])
			continue;
		name = xstrdup(rel);
		prepare_entry(entry, name, uid, gid);
		if (archive_write_header(disk, entry) < ARCHIVE_WARN)
			return backup_archive_fail(err, disk, name);
		if (archive_entry_size(entry) > 0 && copy_data(src, disk, entry, result, err) < 0)
			return -1;
		if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
			return backup_archive_fail(err, disk, name);
		result->entries++;
	}
	if (ret < 0)
		return -1;
	/* Directory modes and times are set when the writer closes. */
	if (archive_write_close(disk) != ARCHIVE_OK)
		return backup_archive_fail(err, disk, _("cannot finish the extraction"));
	return 0;
}

/* Gives every entry below DIR_FD to UID:GID without following links.
 * Directories that the source did not list, such as the parents of a zip's
 * files, were created by libarchive as root. */
static int chown_tree(int dir_fd, uid_t uid, gid_t gid, struct ctui_error *err)
{
	DIR *dir = fdopendir(dir_fd);
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		close(dir_fd);
		return ctui_error_errno(err, errno, _("cannot read the new document root"));
	}
	while (ret == 0 && (de = readdir(dir))) {
		int child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fchownat(dirfd(dir), de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = ctui_error_errno(err, errno, _("cannot change the owner of %s"),
					       de->d_name);
			break;
		}
		child = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child >= 0)
			ret = chown_tree(child, uid, gid, err);
	}
	closedir(dir);
	return ret;
}

static int extract_here(struct source *src, int dir_fd, uid_t uid, gid_t gid,
			struct ctui_deploy_result *result, struct ctui_error *err)
{
	struct archive *disk = archive_write_disk_new();
	int ret;

	archive_write_disk_set_options(disk, EXTRACT_FLAGS);
	ret = extract_entries(src, disk, uid, gid, result, err);
	archive_write_free(disk);
	if (ret == 0) {
		int again = dup(dir_fd);

		if (again < 0)
			return ctui_error_errno(err, errno, _("cannot read the new document root"));
		ret = chown_tree(again, uid, gid, err);
	}
	return ret;
}

/* Extracts with DIR_FD as the current directory: the disk writer then
 * resolves only names from the source, and its symbolic link check does
 * not cover the path to DIR_FD, which the site controls. */
int deploy_extract(const char *source, int dir_fd, uid_t uid, gid_t gid,
		   struct ctui_deploy_result *result, struct ctui_error *err)
{
	struct source src = { 0 };
	struct ctui_deploy_result counts = { 0 };
	int saved = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (saved < 0)
		return ctui_error_errno(err, errno, _("cannot open the current directory"));
	if (fchdir(dir_fd) < 0) {
		close(saved);
		return ctui_error_errno(err, errno, _("cannot enter the new document root"));
	}

	ret = source_open(&src, source, err);
	if (ret == 0)
		ret = extract_here(&src, dir_fd, uid, gid, &counts, err);
	source_close(&src);

	if (fchdir(saved) < 0 && ret == 0)
		ret = ctui_error_errno(err, errno, _("cannot return to the previous directory"));
	close(saved);
	if (ret == 0 && result)
		*result = counts;
	return ret;
}
