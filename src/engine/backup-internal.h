/* The archive a backup writes, shared by the writer, the verifier and the
 * restore. In order: META_NAME (the site's row as INI), the tree under
 * FILES_DIR ("files" is the root directory itself), and MANIFEST_NAME, an
 * mtree listing of every entry before it, written by libarchive's mtree
 * writer with MANIFEST_KEYWORDS. */
#ifndef CTUI_BACKUP_INTERNAL_H
#define CTUI_BACKUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctui/backup.h"

#define BACKUP_FORMAT 1
#define META_NAME "ctui-backup.ini"
#define FILES_DIR "files"
#define MANIFEST_NAME "ctui-manifest.mtree"
#define MANIFEST_KEYWORDS "!all,type,mode,uid,gid,size,time,link,device,sha256"

struct archive;
struct archive_entry;
struct backup_writer;

/* The text an mtree writer has output so far, NUL-terminated. */
struct manifest_buffer {
	char *text;
	size_t len;
};

/* Opens an mtree writer with MANIFEST_KEYWORDS whose output goes to BUFFER.
 * The listing is output when the writer is closed. */
int backup_manifest_open(struct archive **manifest, struct manifest_buffer *buffer,
			 struct ctui_error *err);

/* Writes ENTRY's header to the manifest. A hard link is listed as an empty
 * regular file with its own metadata: the disk reader and the tar reader
 * give hard links different types, and the manifest must not depend on
 * which one produced the entry. Returns libarchive's status. */
int backup_manifest_header(struct archive *manifest, struct archive_entry *entry);

/* Sets ERR to "CONTEXT: libarchive's message for A" and returns -1. */
int backup_archive_fail(struct ctui_error *err, struct archive *a, const char *context);

/* Creates the archive file PATH (which must not exist) with COMPRESSION and
 * writes META_NAME from SITE and FULL. */
int backup_writer_open(struct backup_writer **writer, const char *path,
		       enum ctui_compression compression, const struct ctui_site *site, bool full,
		       ctui_backup_progress_fn progress, void *ctx, struct ctui_error *err);

/* Counts the bytes of regular files under DIR, for the progress total. */
void backup_writer_add_total(struct backup_writer *writer, const char *dir);

/* Writes the tree at UPPER under FILES_DIR as it is, whiteouts and overlay
 * attributes included. With MERGE, whiteouts and trusted.overlay.* are left
 * out, and the paths are remembered for backup_writer_add_lower(). */
int backup_writer_add_upper(struct backup_writer *writer, const char *upper, bool merge,
			    struct ctui_error *err);

/* Writes what the overlay shows of LOWER: the entries that the upper layer
 * given to backup_writer_add_upper() neither replaces, whites out nor hides
 * below an opaque directory. */
int backup_writer_add_lower(struct backup_writer *writer, const char *lower,
			    struct ctui_error *err);

/* Appends the manifest and closes the archive; fsyncs the file. */
int backup_writer_finish(struct backup_writer *writer, struct ctui_error *err);

/* Frees WRITER; an unfinished archive file is left for the caller to remove. */
void backup_writer_free(struct backup_writer *writer);

/* Reads ARCHIVE and checks it against its manifest. With DEST, the tree
 * under FILES_DIR is extracted into DEST (an empty directory) with owners,
 * modes, times, extended attributes, ACLs, hard links and holes, after each
 * entry passed the checks that keep it inside DEST. Character devices 0/0
 * (overlay whiteouts) pass only when META_NAME records that the archive contains a
 * writable layer; every other device node is rejected. INFO (may be NULL)
 * receives META_NAME's content and the counts. */
int backup_read_archive(const char *archive, const char *dest, ctui_backup_progress_fn progress,
			void *ctx, struct ctui_backup_info *info, struct ctui_error *err);

#endif
