/* Backups: one archive per site (tar through libarchive, compressed with zstd
 * by default), checked with a SHA-256 manifest, restored through the same
 * steps as a new site. doc/backup.md describes the archive format. */
#ifndef CTUI_BACKUP_H
#define CTUI_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctui/engine.h"
#include "ctui/error.h"
#include "ctui/site.h"

enum ctui_compression {
	CTUI_COMPRESSION_ZSTD,
	CTUI_COMPRESSION_GZIP,
	CTUI_COMPRESSION_XZ,
	CTUI_COMPRESSION_NONE,
};

/* Parses "zstd", "gzip", "xz" or "none". */
int ctui_compression_parse(const char *text, enum ctui_compression *compression,
			   struct ctui_error *err);

/* How far a backup, verification or restore has come. BYTES_TOTAL is the
 * file content to copy, counted before the copy starts; it is 0 for a
 * verification or a restore, whose archive sizes are known only compressed. */
struct ctui_backup_progress {
	uint64_t bytes_done;
	uint64_t bytes_total;
	const char *path;          /* the file being copied, relative to the root */
};

/* Called after each file; may be called often, and must return quickly. */
typedef void (*ctui_backup_progress_fn)(void *ctx, const struct ctui_backup_progress *progress);

struct ctui_backup_params {
	const char *name;          /* the site */
	const char *dest_dir;      /* NULL: STATE_DIR/backups */
	bool full;                 /* the whole root filesystem, not only the writable layer */
	enum ctui_compression compression;
	ctui_backup_progress_fn progress;   /* may be NULL */
	void *ctx;
};

/* Writes DEST_DIR/NAME-YYYYMMDDTHHMMSSZ.tar.zst (.tar.gz, .tar.xz, .tar;
 * "-2", "-3"... after the time when that name is taken): the site's row and
 * limits, its writable layer (or with FULL, its whole root filesystem as the
 * container sees it), and a manifest. A running site is frozen through its
 * cgroup while its writable layer is copied, and thawed afterwards, also on
 * failure. The archive is written under a temporary name and renamed once
 * complete. *PATH (may be NULL) receives the archive's path; the caller
 * frees it. */
int ctui_site_backup(struct ctui_engine *engine, const struct ctui_backup_params *params,
		     char **path, struct ctui_error *err);

/* The site description read from an archive. */
struct ctui_backup_info {
	struct ctui_site site;     /* the row at backup time; state is always stopped */
	bool full;
	time_t created;
	uint64_t files;            /* entries under files/ */
	uint64_t bytes;            /* their content */
};

/* Reads the whole archive at PATH and checks every entry against the
 * manifest: type, mode, owner, size, time, link target and SHA-256. Fails
 * with EBADMSG naming the first entry that differs, and with the reader's
 * error for a truncated or corrupt stream. INFO (may be NULL) is filled on
 * success. */
int ctui_backup_verify(const char *path, ctui_backup_progress_fn progress, void *ctx,
		       struct ctui_backup_info *info, struct ctui_error *err);

struct ctui_restore_params {
	const char *archive;
	const char *new_name;      /* NULL: the name in the archive */
	ctui_backup_progress_fn progress;   /* may be NULL */
	void *ctx;
};

/* Recreates a stopped site from ARCHIVE: files, limits, vhost and DNS
 * record. The site keeps its address unless another site has it. Under
 * NEW_NAME, the domain becomes NEW_NAME.ZONE. The archive is extracted and
 * checked against its manifest in a staging directory before anything else
 * is created; an entry with an absolute path, a ".." component, a device
 * node (other than an overlay whiteout in a writable-layer backup) or a hard
 * link out of the tree is rejected. On any failure nothing of the site is
 * left. RESTORED (may be NULL) receives the new row. */
int ctui_site_restore(struct ctui_engine *engine, const struct ctui_restore_params *params,
		      struct ctui_site *restored, struct ctui_error *err);

struct ctui_backup_file {
	char path[4096];
	char site[CTUI_NAME_MAX + 1];
	char stamp[32];            /* YYYYMMDDTHHMMSSZ and its "-N" when there is one */
	uint64_t size;             /* bytes of the archive file */
};

/* Lists the archives of SITE (every site when NULL) in DEST_DIR (NULL:
 * STATE_DIR/backups), by site and then oldest first. Only names that
 * ctui_site_backup() writes are listed. A missing directory is an empty
 * list. The caller frees *FILES. */
int ctui_backup_list(struct ctui_engine *engine, const char *dest_dir, const char *site,
		     struct ctui_backup_file **files, size_t *count, struct ctui_error *err);

/* Deletes all but the KEEP newest archives of SITE in DEST_DIR (NULL:
 * STATE_DIR/backups). *REMOVED (may be NULL) receives the number deleted. */
int ctui_backup_rotate(struct ctui_engine *engine, const char *dest_dir, const char *site,
		       unsigned keep, unsigned *removed, struct ctui_error *err);

#endif
