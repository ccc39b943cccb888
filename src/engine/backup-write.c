/* Writing a backup archive: libarchive's disk reader walks the layers, each
 * entry goes to the tar writer and to an mtree writer that computes the
 * manifest's SHA-256 digests from the same bytes. */
#include "engine/backup-internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "engine/subnet.h"
#include "util/util.h"

#define ZERO_BLOCK 65536
#define OVERLAY_XATTR "trusted.overlay."
#define archive_fail backup_archive_fail

/* The kind of upper-layer entry at a path, for merging the lower layer. */
enum upper_kind { UPPER_DIR, UPPER_OPAQUE_DIR, UPPER_WHITEOUT, UPPER_OTHER };

struct upper_path {
	char *path;               /* relative, "" for the root */
	enum upper_kind kind;
};

struct backup_writer {
	struct archive *tar;
	struct archive *manifest;
	struct archive_entry_linkresolver *links;
	struct manifest_buffer text;
	int fd;

	struct upper_path *upper;
	size_t n_upper, cap_upper;

	ctui_backup_progress_fn progress;
	void *ctx;
	struct ctui_backup_progress state;
};

static la_ssize_t manifest_append(struct archive *a, void *user, const void *data, size_t len)
{
	struct manifest_buffer *m = user;

	(void)a;
	m->text = xrealloc(m->text, m->len + len + 1);
	memcpy(m->text + m->len, data, len);
	m->len += len;
	m->text[m->len] = '\0';
	return (la_ssize_t)len;
}

int backup_manifest_header(struct archive *manifest, struct archive_entry *entry)
{
	struct archive_entry *copy;
	int ret;

	if (!archive_entry_hardlink(entry))
		return archive_write_header(manifest, entry);
	copy = archive_entry_clone(entry);
	archive_entry_set_hardlink(copy, NULL);
	archive_entry_set_filetype(copy, AE_IFREG);
	archive_entry_set_size(copy, 0);
	ret = archive_write_header(manifest, copy);
	archive_entry_free(copy);
	return ret;
}

int backup_archive_fail(struct ctui_error *err, struct archive *a, const char *context)
{
	const char *message = archive_error_string(a);
	int code = archive_errno(a);

	return ctui_error_set(err, code > 0 ? code : EIO, "%s: %s", context,
			      message ? message : _("unknown libarchive error"));
}

static int set_compression(struct archive *tar, enum ctui_compression compression)
{
	switch (compression) {
	case CTUI_COMPRESSION_ZSTD:
		if (archive_write_add_filter_zstd(tar) != ARCHIVE_OK)
			return -1;
		/* Compression runs in a second thread, beside the reading and
		 * hashing, as zstd does beside tar in `tar --zstd`. */
		archive_write_set_filter_option(tar, "zstd", "threads", "2");
		return 0;
	case CTUI_COMPRESSION_GZIP:
		return archive_write_add_filter_gzip(tar) == ARCHIVE_OK ? 0 : -1;
	case CTUI_COMPRESSION_XZ:
		return archive_write_add_filter_xz(tar) == ARCHIVE_OK ? 0 : -1;
	case CTUI_COMPRESSION_NONE:
		return 0;
	}
	return -1;
}

int backup_manifest_open(struct archive **manifest, struct manifest_buffer *buffer,
			 struct ctui_error *err)
{
	struct archive *a = archive_write_new();

	if (archive_write_set_format_mtree(a) != ARCHIVE_OK ||
	    archive_write_set_options(a, MANIFEST_KEYWORDS) != ARCHIVE_OK ||
	    archive_write_open2(a, buffer, NULL, manifest_append, NULL, NULL) != ARCHIVE_OK) {
		archive_fail(err, a, _("cannot start the manifest"));
		archive_write_free(a);
		return -1;
	}
	*manifest = a;
	return 0;
}

static char *meta_text(const struct ctui_site *site, bool full)
{
	char address[16];

	return xasprintf("# A ctui backup: the site's row when it was backed up.\n"
			 "[backup]\n"
			 "format = %d\n"
			 "created = %lld\n"
			 "content = %s\n"
			 "\n"
			 "[site]\n"
			 "name = %s\n"
			 "domain = %s\n"
			 "template = %s\n"
			 "template_version = %s\n"
			 "ipv4 = %s\n"
			 "cpu_shares = %u\n"
			 "memory = %" PRIu64 "\n"
			 "pids = %u\n"
			 "cpu_max = %u\n"
			 "disk = %" PRIu64 "\n"
			 "storage = %s\n"
			 "model = %s\n"
			 "created = %lld\n",
			 BACKUP_FORMAT, (long long)time(NULL), full ? "full" : "upper", site->name,
			 site->domain, site->template_name, site->template_version,
			 ctui_ipv4_format(site->ipv4, address), site->limits.cpu_shares,
			 site->limits.memory, site->limits.pids, site->limits.cpu_max,
			 site->limits.disk, ctui_storage_name(site->storage), site->model,
			 (long long)site->created);
}

/* Writes ENTRY's header and LEN bytes of DATA to both the tar and the
 * manifest. */
static int write_both(struct backup_writer *w, struct archive_entry *entry, const void *data,
		      size_t len, struct ctui_error *err)
{
	if (archive_write_header(w->tar, entry) < ARCHIVE_WARN)
		return archive_fail(err, w->tar, archive_entry_pathname(entry));
	if (backup_manifest_header(w->manifest, entry) < ARCHIVE_WARN)
		return archive_fail(err, w->manifest, archive_entry_pathname(entry));
	if (len && (archive_write_data(w->tar, data, len) < 0 ||
		    archive_write_data(w->manifest, data, len) < 0))
		return archive_fail(err, w->tar, archive_entry_pathname(entry));
	return 0;
}

static int write_meta(struct backup_writer *w, const struct ctui_site *site, bool full,
		      struct ctui_error *err)
{
	cleanup_free char *text = meta_text(site, full);
	struct archive_entry *entry = archive_entry_new();
	int ret;

	archive_entry_set_pathname(entry, META_NAME);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0600);
	archive_entry_set_size(entry, (la_int64_t)strlen(text));
	archive_entry_set_mtime(entry, time(NULL), 0);
	ret = write_both(w, entry, text, strlen(text), err);
	archive_entry_free(entry);
	return ret;
}

int backup_writer_open(struct backup_writer **out, const char *path,
		       enum ctui_compression compression, const struct ctui_site *site, bool full,
		       ctui_backup_progress_fn progress, void *ctx, struct ctui_error *err)
{
	struct backup_writer *w = xcalloc(1, sizeof *w);

	w->progress = progress;
	w->ctx = ctx;
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		ctui_error_errno(err, errno, _("cannot create %s"), path);
		goto fail;
	}

	w->tar = archive_write_new();
	if (set_compression(w->tar, compression) < 0 ||
	    archive_write_set_format_pax(w->tar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->tar, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(w->tar, w->fd) != ARCHIVE_OK) {
		archive_fail(err, w->tar, path);
		goto fail;
	}
	w->links = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(w->links, archive_format(w->tar));

	if (backup_manifest_open(&w->manifest, &w->text, err) < 0 || write_meta(w, site, full, err) < 0)
		goto fail;
	*out = w;
	return 0;

fail:
	backup_writer_free(w);
	return -1;
}

static uint64_t *total_counter;

static int count_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		*total_counter += (uint64_t)st->st_size;
	return 0;
}

void backup_writer_add_total(struct backup_writer *w, const char *dir)
{
	if (!w->progress)
		return;
	total_counter = &w->state.bytes_total;
	nftw(dir, count_file, 32, FTW_PHYS | FTW_MOUNT);
	total_counter = NULL;
}

static bool is_whiteout(struct archive_entry *entry)
{
	return archive_entry_filetype(entry) == AE_IFCHR && archive_entry_rdev(entry) == 0;
}

static bool is_device(struct archive_entry *entry)
{
	return archive_entry_filetype(entry) == AE_IFCHR || archive_entry_filetype(entry) == AE_IFBLK;
}

static bool has_xattr(struct archive_entry *entry, const char *name, const char *value)
{
	const char *xname;
	const void *xvalue;
	size_t len;

	archive_entry_xattr_reset(entry);
	while (archive_entry_xattr_next(entry, &xname, &xvalue, &len) == ARCHIVE_OK) {
		if (!strcmp(xname, name) && len == strlen(value) && !memcmp(xvalue, value, len))
			return true;
	}
	return false;
}

/* Removes the trusted.overlay.* attributes, which describe the layering and
 * mean nothing in a merged tree. */
static void drop_overlay_xattrs(struct archive_entry *entry)
{
	struct archive_entry *copy = archive_entry_clone(entry);
	const char *name;
	const void *value;
	size_t len;

	archive_entry_xattr_clear(entry);
	archive_entry_xattr_reset(copy);
	while (archive_entry_xattr_next(copy, &name, &value, &len) == ARCHIVE_OK) {
		if (strncmp(name, OVERLAY_XATTR, strlen(OVERLAY_XATTR)))
			archive_entry_xattr_add_entry(entry, name, value, len);
	}
	archive_entry_free(copy);
}

static void remember_upper(struct backup_writer *w, const char *rel, struct archive_entry *entry)
{
	enum upper_kind kind = UPPER_OTHER;

	if (archive_entry_filetype(entry) == AE_IFDIR)
		kind = has_xattr(entry, OVERLAY_XATTR "opaque", "y") ? UPPER_OPAQUE_DIR : UPPER_DIR;
	else if (is_whiteout(entry))
		kind = UPPER_WHITEOUT;

	if (w->n_upper == w->cap_upper) {
		w->cap_upper = w->cap_upper ? 2 * w->cap_upper : 256;
		w->upper = xrealloc(w->upper, w->cap_upper * sizeof *w->upper);
	}
	w->upper[w->n_upper++] = (struct upper_path){ .path = xstrdup(rel), .kind = kind };
}

static int compare_upper(const void *a, const void *b)
{
	return strcmp(((const struct upper_path *)a)->path, ((const struct upper_path *)b)->path);
}

static const struct upper_path *find_upper(const struct backup_writer *w, const char *rel)
{
	struct upper_path key = { .path = (char *)(uintptr_t)rel };

	return bsearch(&key, w->upper, w->n_upper, sizeof *w->upper, compare_upper);
}

static void report(struct backup_writer *w, const char *rel)
{
	if (!w->progress)
		return;
	w->state.path = rel;
	w->progress(w->ctx, &w->state);
}

/* Copies the content of the file DISK has open, writing zeros for its holes:
 * the tar writer leaves them out again from the entry's sparse map, and the
 * manifest hashes the file as a reader sees it. */
static int copy_data(struct backup_writer *w, struct archive *disk, struct archive_entry *entry,
		     struct ctui_error *err)
{
	static const char zeros[ZERO_BLOCK];
	la_int64_t size = archive_entry_size(entry), done = 0, offset;
	const void *block;
	size_t len;
	int r;

	for (;;) {
		r = archive_read_data_block(disk, &block, &len, &offset);
		if (r == ARCHIVE_EOF)
			offset = size;
		else if (r != ARCHIVE_OK)
			return archive_fail(err, disk, archive_entry_sourcepath(entry));

		while (done < offset) {
			size_t n = offset - done > ZERO_BLOCK ? ZERO_BLOCK : (size_t)(offset - done);

			if (archive_write_data(w->tar, zeros, n) < 0 ||
			    archive_write_data(w->manifest, zeros, n) < 0)
				return archive_fail(err, w->tar, archive_entry_pathname(entry));
			done += (la_int64_t)n;
		}
		if (r == ARCHIVE_EOF)
			break;
		if (archive_write_data(w->tar, block, len) < 0 ||
		    archive_write_data(w->manifest, block, len) < 0)
			return archive_fail(err, w->tar, archive_entry_pathname(entry));
		done += (la_int64_t)len;
		w->state.bytes_done += len;
	}
	return 0;
}

/* Writes ENTRY (read from DISK, named REL relative to the root) with its
 * content. A second name of a file already written becomes a hard link. */
static int write_entry(struct backup_writer *w, struct archive *disk, struct archive_entry *entry,
		       const char *rel, struct ctui_error *err)
{
	cleanup_free char *name = rel[0] ? xasprintf("%s/%s", FILES_DIR, rel) : xstrdup(FILES_DIR);
	struct archive_entry *sparse = NULL;

	archive_entry_set_pathname(entry, name);
	archive_entry_linkify(w->links, &entry, &sparse);
	if (archive_entry_hardlink(entry))
		archive_entry_set_size(entry, 0);

	if (write_both(w, entry, NULL, 0, err) < 0)
		return -1;
	if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0 &&
	    copy_data(w, disk, entry, err) < 0)
		return -1;
	report(w, rel);
	return 0;
}

enum walk_pass { PASS_UPPER, PASS_UPPER_MERGED, PASS_LOWER };

/* Decides whether the lower entry REL shows in the merged tree and whether
 * the walk goes below it. */
static void merge_lower(const struct backup_writer *w, const char *rel, bool is_dir, bool *write,
			bool *descend)
{
	const struct upper_path *upper = find_upper(w, rel);

	*write = upper == NULL;
	*descend = is_dir;
	if (upper && (upper->kind != UPPER_DIR || !is_dir))
		*descend = false;
}

static int walk(struct backup_writer *w, const char *root, enum walk_pass pass,
		struct ctui_error *err)
{
	struct archive *disk = archive_read_disk_new();
	struct archive_entry *entry = archive_entry_new();
	size_t root_len = strlen(root);
	int r, ret = -1;

	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	if (archive_read_disk_open(disk, root) != ARCHIVE_OK) {
		archive_fail(err, disk, root);
		goto out;
	}

	while ((r = archive_read_next_header2(disk, entry)) != ARCHIVE_EOF) {
		const char *path = archive_entry_pathname(entry);
		const char *rel = path + root_len + (path[root_len] == '/');
		bool is_dir = archive_entry_filetype(entry) == AE_IFDIR;
		bool write = true, descend = is_dir;

		if (r < ARCHIVE_OK) {
			archive_fail(err, disk, root);
			goto out;
		}
		if (pass == PASS_LOWER)
			merge_lower(w, rel, is_dir, &write, &descend);
		if (pass == PASS_UPPER_MERGED) {
			remember_upper(w, rel, entry);
			drop_overlay_xattrs(entry);
		}
		/* A restore rejects device nodes, and the container mounts a /dev
		 * of its own: a merged tree leaves them out (whiteouts included). */
		if (pass != PASS_UPPER && is_device(entry))
			write = false;
		if (descend && archive_read_disk_descend(disk) != ARCHIVE_OK) {
			archive_fail(err, disk, path);
			goto out;
		}
		if (write && write_entry(w, disk, entry, rel, err) < 0)
			goto out;
	}
	ret = 0;
out:
	archive_entry_free(entry);
	archive_read_free(disk);
	return ret;
}

int backup_writer_add_upper(struct backup_writer *w, const char *upper, bool merge,
			    struct ctui_error *err)
{
	if (walk(w, upper, merge ? PASS_UPPER_MERGED : PASS_UPPER, err) < 0)
		return ctui_error_prefix(err, _("copy %s"), upper);
	qsort(w->upper, w->n_upper, sizeof *w->upper, compare_upper);
	return 0;
}

int backup_writer_add_lower(struct backup_writer *w, const char *lower, struct ctui_error *err)
{
	if (walk(w, lower, PASS_LOWER, err) < 0)
		return ctui_error_prefix(err, _("copy %s"), lower);
	return 0;
}

/* The manifest entry itself is in no manifest. */
static int write_manifest(struct backup_writer *w, struct ctui_error *err)
{
	struct archive_entry *entry = archive_entry_new();
	int ret = 0;

	archive_entry_set_pathname(entry, MANIFEST_NAME);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0600);
	archive_entry_set_size(entry, (la_int64_t)w->text.len);
	archive_entry_set_mtime(entry, time(NULL), 0);
	if (archive_write_header(w->tar, entry) < ARCHIVE_WARN ||
	    archive_write_data(w->tar, w->text.text, w->text.len) < 0)
		ret = archive_fail(err, w->tar, MANIFEST_NAME);
	archive_entry_free(entry);
	return ret;
}

int backup_writer_finish(struct backup_writer *w, struct ctui_error *err)
{
	/* The mtree writer outputs its listing only when it is closed. */
	if (archive_write_close(w->manifest) != ARCHIVE_OK)
		return archive_fail(err, w->manifest, _("cannot finish the manifest"));
	if (write_manifest(w, err) < 0)
		return -1;
	if (archive_write_close(w->tar) != ARCHIVE_OK)
		return archive_fail(err, w->tar, _("cannot finish the archive"));
	if (fsync(w->fd) < 0)
		return ctui_error_errno(err, errno, _("cannot flush the archive to disk"));
	return 0;
}

void backup_writer_free(struct backup_writer *w)
{
	if (!w)
		return;
	if (w->tar)
		archive_write_free(w->tar);
	if (w->manifest)
		archive_write_free(w->manifest);
	if (w->links)
		archive_entry_linkresolver_free(w->links);
	for (size_t i = 0; i < w->n_upper; i++)
		free(w->upper[i].path);
	free(w->upper);
	free(w->text.text);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
