/* Reading a backup archive: every entry is checked, fed to an mtree writer
 * that recomputes the manifest, and with a destination extracted through
 * libarchive's disk writer. The recomputed manifest must equal the one at
 * the end of the archive, byte for byte. */
#include "engine/backup-internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctui/validate.h"
#include "engine/subnet.h"
#include "util/ini.h"
#include "util/fs.h"
#include "util/util.h"

#define archive_fail backup_archive_fail
#define META_MAX (64 * 1024)
#define MANIFEST_MAX (256 * 1024 * 1024)
#define ZERO_BLOCK 65536

#define EXTRACT_FLAGS                                                                 \
	(ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |            \
	 ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SPARSE |           \
	 ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_SECURE_SYMLINKS |                 \
	 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

struct reader {
	const char *archive_path;
	struct archive *in;
	struct archive *disk;             /* NULL when only verifying */
	struct archive *manifest;
	struct manifest_buffer computed;
	char *stored;                     /* the archive's own manifest */
	struct ctui_backup_info info;
	bool meta_seen;

	ctui_backup_progress_fn progress;
	void *ctx;
	struct ctui_backup_progress state;
};

/* Reads the current entry's content whole, refusing more than MAX bytes. */
static int read_small(struct reader *r, struct archive_entry *entry, size_t max, char **out,
		      struct ctui_error *err)
{
	la_int64_t size = archive_entry_size(entry);
	cleanup_free char *text = NULL;
	la_ssize_t got;

	if (size < 0 || (uint64_t)size > max)
		return ctui_error_set(err, EBADMSG, _("%s is %lld bytes, more than the %zu allowed"),
				      archive_entry_pathname(entry), (long long)size, max);
	text = xmalloc((size_t)size + 1);
	got = archive_read_data(r->in, text, (size_t)size);
	if (got < 0)
		return archive_fail(err, r->in, archive_entry_pathname(entry));
	if (got != size)
		return ctui_error_set(err, EBADMSG, _("%s is cut short"),
				      archive_entry_pathname(entry));
	text[size] = '\0';
	*out = steal_pointer(&text);
	return 0;
}

static int meta_number(const char *value, uint64_t max, uint64_t *out, struct ctui_error *err)
{
	char *end;

	errno = 0;
	*out = strtoull(value, &end, 10);
	if (errno || end == value || *end || *out > max)
		return ctui_error_set(err, EINVAL, _("invalid number \"%s\""), value);
	return 0;
}

static int meta_site_key(struct ctui_site *site, const char *key, const char *value,
			 struct ctui_error *err)
{
	uint64_t n;

	if (!strcmp(key, "name"))
		return ctui_validate_name(value, err) < 0 ? -1 :
		       (snprintf(site->name, sizeof site->name, "%s", value), 0);
	if (!strcmp(key, "domain"))
		return ctui_validate_domain(value, err) < 0 ? -1 :
		       (snprintf(site->domain, sizeof site->domain, "%s", value), 0);
	if (!strcmp(key, "template"))
		return ctui_validate_name(value, err) < 0 ? -1 :
		       (snprintf(site->template_name, sizeof site->template_name, "%s", value), 0);
	if (!strcmp(key, "template_version")) {
		if (!value[0] || strlen(value) >= sizeof site->template_version ||
		    strchr(value, '/') || value[0] == '.')
			return ctui_error_set(err, EINVAL, _("invalid template version \"%s\""), value);
		snprintf(site->template_version, sizeof site->template_version, "%s", value);
		return 0;
	}
	if (!strcmp(key, "ipv4"))
		return ctui_ipv4_parse(value, &site->ipv4, err);
	if (!strcmp(key, "created")) {
		if (meta_number(value, INT64_MAX, &n, err) < 0)
			return -1;
		site->created = (time_t)n;
		return 0;
	}
	if (!strcmp(key, "memory"))
		return meta_number(value, UINT64_MAX, &site->limits.memory, err);
	if (!strcmp(key, "disk"))
		return meta_number(value, INT64_MAX, &site->limits.disk, err);
	if (!strcmp(key, "storage"))
		return ctui_storage_parse(value, &site->storage) < 0 ?
		       ctui_error_set(err, EINVAL, _("invalid storage \"%s\""), value) : 0;
	if (!strcmp(key, "model"))
		return value[0] && ctui_validate_name(value, err) < 0 ? -1 :
		       (snprintf(site->model, sizeof site->model, "%s", value), 0);
	if (meta_number(value, 4194304, &n, err) < 0)
		return -1;
	if (!strcmp(key, "cpu_shares"))
		site->limits.cpu_shares = (unsigned)n;
	else if (!strcmp(key, "pids"))
		site->limits.pids = (unsigned)n;
	else if (!strcmp(key, "cpu_max") && n <= CTUI_CPU_MAX_LIMIT)
		site->limits.cpu_max = (unsigned)n;
	else if (!strcmp(key, "cpu_max"))
		return ctui_error_set(err, EINVAL, _("invalid CPU cap \"%s\""), value);
	else
		return ctui_error_set(err, EINVAL, _("unknown key \"%s\""), key);
	return 0;
}

static int meta_key(void *user, const char *section, const char *key, const char *value,
		    int line, struct ctui_error *err)
{
	struct ctui_backup_info *info = user;
	uint64_t n;

	(void)line;
	if (!strcmp(section, "site"))
		return meta_site_key(&info->site, key, value, err);
	if (strcmp(section, "backup"))
		return ctui_error_set(err, EINVAL, _("unknown section [%s]"), section);

	if (!strcmp(key, "format")) {
		if (meta_number(value, 1000, &n, err) < 0)
			return -1;
		if (n != BACKUP_FORMAT)
			return ctui_error_set(err, ENOTSUP, _("archive format %" PRIu64 " is not "
							      "supported: this ctui reads format %d"),
					      n, BACKUP_FORMAT);
		return 0;
	}
	if (!strcmp(key, "created")) {
		if (meta_number(value, INT64_MAX, &n, err) < 0)
			return -1;
		info->created = (time_t)n;
		return 0;
	}
	if (!strcmp(key, "content")) {
		if (strcmp(value, "upper") && strcmp(value, "full"))
			return ctui_error_set(err, EINVAL, _("invalid content \"%s\": expected upper "
							     "or full"), value);
		info->full = !strcmp(value, "full");
		return 0;
	}
	return ctui_error_set(err, EINVAL, _("unknown key \"%s\""), key);
}

static int read_meta(struct reader *r, struct archive_entry *entry, struct ctui_error *err)
{
	static const struct ctui_ini_handlers handlers = { .key = meta_key };
	cleanup_free char *text = NULL;
	size_t len;

	if (strcmp(archive_entry_pathname(entry), META_NAME) ||
	    archive_entry_filetype(entry) != AE_IFREG)
		return ctui_error_set(err, EBADMSG, _("the archive does not start with %s: it was "
						      "not written by ctui backup"), META_NAME);
	if (read_small(r, entry, META_MAX, &text, err) < 0)
		return -1;
	len = strlen(text);

	if (ctui_ini_parse(META_NAME, text, len, &handlers, &r->info, err) < 0)
		return -1;
	if (!r->info.site.name[0] || !r->info.site.domain[0] || !r->info.site.template_name[0] ||
	    !r->info.site.template_version[0] || !r->info.site.ipv4)
		return ctui_error_set(err, EBADMSG, _("%s lacks the site's name, domain, template, "
						      "version or address"), META_NAME);

	if (archive_write_header(r->manifest, entry) < ARCHIVE_WARN ||
	    archive_write_data(r->manifest, text, len) < 0)
		return archive_fail(err, r->manifest, META_NAME);
	r->meta_seen = true;
	return 0;
}

/* The part of an archive name below FILES_DIR: "" for FILES_DIR itself,
 * NULL for a name outside it. */
static const char *files_relative(const char *name)
{
	size_t len = strlen(FILES_DIR);

	if (strncmp(name, FILES_DIR, len))
		return NULL;
	if (name[len] == '\0' || !strcmp(name + len, "/"))
		return "";
	return name[len] == '/' ? name + len + 1 : NULL;
}

/* Whether the relative symbolic link TARGET, placed at LINK_PATH, climbs
 * above the root. An absolute target is resolved inside the container's
 * own root, and ctui never follows links in a site's files. */
static bool symlink_escapes(const char *link_path, const char *target)
{
	long depth = 0;
	const char *c;

	if (target[0] == '/')
		return false;
	for (c = link_path; *c; c++)
		depth += *c == '/' && c[1] != '\0';

	for (c = target; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			depth--;
		else if (len > 0 && !(len == 1 && c[0] == '.'))
			depth++;
		if (depth < 0)
			return true;
		c += len;
		if (*c == '/')
			c++;
	}
	return false;
}

/* Rejects what could write outside the tree or create a device. */
static int check_entry(const struct reader *r, struct archive_entry *entry, const char *rel,
		       struct ctui_error *err)
{
	const char *name = archive_entry_pathname(entry);
	const char *hardlink = archive_entry_hardlink(entry);
	const char *target = archive_entry_symlink(entry);
	const char *link_rel;

	if (!ctui_path_is_clean(rel))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": the path has an empty, "
						    "\".\" or \"..\" component"), name);

	/* A hard link has no type of its own in tar: it is its target's. */
	if (hardlink) {
		link_rel = files_relative(hardlink);
		if (!link_rel || !link_rel[0] || !ctui_path_is_clean(link_rel))
			return ctui_error_set(err, EPERM, _("rejected entry \"%s\": hard link to "
							    "\"%s\", outside the site's files"),
					      name, hardlink);
		return 0;
	}
	if (target && symlink_escapes(rel, target))
		return ctui_error_set(err, EPERM, _("rejected entry \"%s\": symbolic link to "
						    "\"%s\" leads out of the root"), name, target);

	switch (archive_entry_filetype(entry)) {
	case AE_IFREG:
	case AE_IFDIR:
	case AE_IFLNK:
	case AE_IFIFO:
		return 0;
	case AE_IFCHR:
		if (archive_entry_rdev(entry) == 0 && !r->info.full)
			return 0;
		break;
	default:
		break;
	}
	return ctui_error_set(err, EPERM, _("rejected entry \"%s\": device nodes are not "
					    "restored (only overlay whiteouts, character "
					    "device 0/0, in a writable-layer backup)"), name);
}

static int feed_zeros(struct reader *r, la_int64_t count, struct ctui_error *err)
{
	static const char zeros[ZERO_BLOCK];

	while (count > 0) {
		size_t n = count > ZERO_BLOCK ? ZERO_BLOCK : (size_t)count;

		if (archive_write_data(r->manifest, zeros, n) < 0)
			return archive_fail(err, r->manifest, _("manifest"));
		count -= (la_int64_t)n;
	}
	return 0;
}

/* Copies the entry's content to the disk writer (holes stay holes) and to
 * the manifest (holes as zeros). */
static int copy_data(struct reader *r, struct archive_entry *entry, struct ctui_error *err)
{
	la_int64_t size = archive_entry_size(entry), done = 0, offset;
	const void *block;
	size_t len;
	int ret;

	while ((ret = archive_read_data_block(r->in, &block, &len, &offset)) == ARCHIVE_OK) {
		if (offset < done || feed_zeros(r, offset - done, err) < 0)
			return offset < done ? ctui_error_set(err, EBADMSG, _("%s: blocks out of order"),
							      archive_entry_pathname(entry)) : -1;
		if (archive_write_data(r->manifest, block, len) < 0)
			return archive_fail(err, r->manifest, archive_entry_pathname(entry));
		if (r->disk && archive_write_data_block(r->disk, block, len, offset) < ARCHIVE_WARN)
			return archive_fail(err, r->disk, archive_entry_pathname(entry));
		done = offset + (la_int64_t)len;
		r->state.bytes_done += len;
	}
	if (ret != ARCHIVE_EOF)
		return archive_fail(err, r->in, archive_entry_pathname(entry));
	return feed_zeros(r, size - done, err);
}

/* Points ENTRY's names into the extraction directory, the current one. */
static void rename_for_disk(struct archive_entry *entry, const char *rel)
{
	const char *hardlink = archive_entry_hardlink(entry);
	cleanup_free char *path = xasprintf("./%s", rel);

	if (hardlink) {
		cleanup_free char *target = xasprintf("./%s", files_relative(hardlink));

		archive_entry_set_hardlink(entry, target);
	}
	archive_entry_set_pathname(entry, path);
}

static int read_file_entry(struct reader *r, struct archive_entry *entry, const char *rel,
			   struct ctui_error *err)
{
	if (check_entry(r, entry, rel, err) < 0)
		return -1;
	if (backup_manifest_header(r->manifest, entry) < ARCHIVE_WARN)
		return archive_fail(err, r->manifest, archive_entry_pathname(entry));

	if (r->disk) {
		rename_for_disk(entry, rel);
		if (archive_write_header(r->disk, entry) < ARCHIVE_WARN)
			return archive_fail(err, r->disk, archive_entry_pathname(entry));
	}
	if (copy_data(r, entry, err) < 0)
		return -1;
	if (r->disk && archive_write_finish_entry(r->disk) < ARCHIVE_WARN)
		return archive_fail(err, r->disk, archive_entry_pathname(entry));

	r->info.files++;
	if (r->progress) {
		r->state.path = rel;
		r->progress(r->ctx, &r->state);
	}
	return 0;
}

/* Names the first line where the manifests differ. */
static int compare_manifests(const struct reader *r, struct ctui_error *err)
{
	const char *a = r->stored, *b = r->computed.text ? r->computed.text : "";
	size_t len;

	if (!strcmp(a, b))
		return 0;
	while (*a && *a == *b) {
		len = strcspn(a, "\n");
		if (strncmp(a, b, len + 1))
			break;
		a += len + (a[len] == '\n');
		b += len + (b[len] == '\n');
	}
	len = strcspn(a, "\n");
	return ctui_error_set(err, EBADMSG, _("the content differs from the manifest at \"%.*s\": "
					      "the archive is corrupt or was changed"),
			      (int)(len > 200 ? 200 : len), a);
}

static int read_entries(struct reader *r, struct ctui_error *err)
{
	struct archive_entry *entry;
	const char *rel;
	int ret;

	while ((ret = archive_read_next_header(r->in, &entry)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(entry);

		if (r->stored)
			return ctui_error_set(err, EBADMSG, _("entry \"%s\" follows the manifest"),
					      name);
		if (!r->meta_seen) {
			if (read_meta(r, entry, err) < 0)
				return -1;
		} else if (!strcmp(name, MANIFEST_NAME)) {
			if (read_small(r, entry, MANIFEST_MAX, &r->stored, err) < 0)
				return -1;
		} else if ((rel = files_relative(name))) {
			if (read_file_entry(r, entry, rel, err) < 0)
				return -1;
		} else {
			return ctui_error_set(err, EPERM, _("rejected entry \"%s\": outside %s/"),
					      name, FILES_DIR);
		}
	}
	if (ret != ARCHIVE_EOF)
		return archive_fail(err, r->in, _("cannot read the archive"));
	if (!r->stored)
		return ctui_error_set(err, EBADMSG, _("the archive ends before its manifest: it is "
						      "truncated"));
	if (archive_write_close(r->manifest) != ARCHIVE_OK)
		return archive_fail(err, r->manifest, _("manifest"));
	return compare_manifests(r, err);
}

static int open_reader(struct reader *r, const char *dest, struct ctui_error *err)
{
	r->in = archive_read_new();
	archive_read_support_filter_all(r->in);
	archive_read_support_format_tar(r->in);
	if (archive_read_open_filename(r->in, r->archive_path, 1 << 16) != ARCHIVE_OK)
		return archive_fail(err, r->in, _("cannot open the archive"));

	if (backup_manifest_open(&r->manifest, &r->computed, err) < 0)
		return -1;
	if (dest) {
		r->disk = archive_write_disk_new();
		archive_write_disk_set_options(r->disk, EXTRACT_FLAGS);
	}
	return 0;
}

static void close_reader(struct reader *r)
{
	if (r->in)
		archive_read_free(r->in);
	if (r->disk)
		archive_write_free(r->disk);
	if (r->manifest)
		archive_write_free(r->manifest);
	free(r->computed.text);
	free(r->stored);
}

/* Extracts into DEST through relative names, with DEST as the current
 * directory: libarchive's symbolic link check then covers only the names
 * inside the archive, not DEST's own path. */
static int extract_in(struct reader *r, const char *dest, struct ctui_error *err)
{
	int saved = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (saved < 0)
		return ctui_error_errno(err, errno, _("cannot open the current directory"));
	if (chdir(dest) < 0) {
		close(saved);
		return ctui_error_errno(err, errno, _("cannot enter %s"), dest);
	}

	ret = read_entries(r, err);
	/* Directory modes and times are set when the disk writer closes. */
	if (ret == 0 && archive_write_close(r->disk) != ARCHIVE_OK)
		ret = archive_fail(err, r->disk, dest);

	if (fchdir(saved) < 0 && ret == 0)
		ret = ctui_error_errno(err, errno, _("cannot return to the previous directory"));
	close(saved);
	return ret;
}

int backup_read_archive(const char *archive, const char *dest, ctui_backup_progress_fn progress,
			void *ctx, struct ctui_backup_info *info, struct ctui_error *err)
{
	struct reader r = { .archive_path = archive, .progress = progress, .ctx = ctx };
	int ret = open_reader(&r, dest, err);

	if (ret == 0)
		ret = dest ? extract_in(&r, dest, err) : read_entries(&r, err);
	if (ret == 0 && info) {
		r.info.bytes = r.state.bytes_done;
		*info = r.info;
	}
	close_reader(&r);
	return ret;
}

int ctui_backup_verify(const char *path, ctui_backup_progress_fn progress, void *ctx,
		       struct ctui_backup_info *info, struct ctui_error *err)
{
	if (backup_read_archive(path, NULL, progress, ctx, info, err) < 0)
		return ctui_error_prefix(err, _("verify %s"), path);
	return 0;
}
