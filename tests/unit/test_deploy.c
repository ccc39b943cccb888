/* The checks a deploy makes on its source before writing anything, run by
 * deploy_scan() on tar archives that each case writes with libarchive. The
 * last case extracts an archive into a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/deploy.h"
#include "util/fs.h"
#include "util/util.h"

/* One archive entry: type 'f' file, 'd' directory, 'l' symbolic link to
 * TARGET, 'h' hard link to TARGET, 'p' FIFO, 'c' character device. */
struct entry {
	char type;
	const char *path;
	const char *target;
	mode_t perm;
};

#define END { 0, NULL, NULL, 0 }

static char *write_tar(const char *dir, const char *name, const struct entry *entries)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (const struct entry *it = entries; it->type; it++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, it->path);
		archive_entry_set_perm(e, it->perm ? it->perm : 0644);
		switch (it->type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, it->target);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, it->target);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, makedev(1, 3));
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, 3);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (it->type == 'f')
			assert_int_equal(archive_write_data(a, "ok\n", 3), 3);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return path;
}

static int setup(void **state)
{
	char *dir = xstrdup("/tmp/ctui-test-deploy.XXXXXX");

	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	struct ctui_error err;

	ctui_rm_rf(*state, &err);
	free(*state);
	return 0;
}

/* Scans ENTRIES as an archive; expects success when REJECTED is NULL, else
 * EPERM with a message that names REJECTED. */
static void expect_scan(const char *dir, const struct entry *entries, const char *rejected)
{
	cleanup_free char *tar = write_tar(dir, "case.tar", entries);
	struct ctui_error err = { 0 };
	int ret = deploy_scan(tar, NULL, &err);

	if (!rejected) {
		if (ret < 0)
			fail_msg("expected the archive to pass, got: %s", err.message);
		return;
	}
	if (ret == 0)
		fail_msg("expected \"%s\" to be rejected", rejected);
	assert_int_equal(err.code, EPERM);
	cleanup_free char *named = xasprintf("\"%s\"", rejected);
	if (!strstr(err.message, named))
		fail_msg("the message does not name %s: %s", named, err.message);
}

static void links_inside_pass(void **state)
{
	const struct entry entries[] = {
		{ 'd', "./", NULL, 0755 },
		{ 'f', "./index.html", NULL, 0 },
		{ 'd', "assets", NULL, 0755 },
		{ 'l', "assets/home.html", "../index.html", 0 },
		{ 'l', "assets/same", "./site.css", 0 },
		{ 'l', "top", ".", 0 },
		{ 'l', "deeper", "assets/home.html", 0 },
		{ 'h', "copy.html", "./index.html", 0 },
		{ 'd', "assets/", NULL, 0755 },
		END,
	};

	expect_scan(*state, entries, NULL);
}

static void symlink_escapes_rejected(void **state)
{
	const struct entry up[] = { { 'l', "up", "..", 0 }, END };
	const struct entry deep_up[] = { { 'd', "a", NULL, 0755 }, { 'l', "a/b", "../..", 0 }, END };
	const struct entry absolute[] = { { 'l', "passwd", "/etc/passwd", 0 }, END };
	const struct entry through_parent[] = {
		{ 'l', "top", ".", 0 }, { 'l', "climb", "top/..", 0 }, END,
	};
	const struct entry empty_target[] = { { 'l', "nothing", "", 0 }, END };

	expect_scan(*state, up, "up");
	expect_scan(*state, deep_up, "a/b");
	expect_scan(*state, absolute, "passwd");
	expect_scan(*state, through_parent, "climb");
	expect_scan(*state, empty_target, "nothing");
}

static void unsafe_paths_rejected(void **state)
{
	const struct entry dotdot[] = { { 'f', "a/../../x", NULL, 0 }, END };
	const struct entry absolute[] = { { 'f', "/etc/cron.d/x", NULL, 0 }, END };
	const struct entry through_link[] = {
		{ 'l', "assets", ".", 0 }, { 'f', "assets/x", NULL, 0 }, END,
	};
	const struct entry twice[] = { { 'f', "a", NULL, 0 }, { 'f', "a", NULL, 0 }, END };

	expect_scan(*state, dotdot, "a/../../x");
	expect_scan(*state, absolute, "/etc/cron.d/x");
	expect_scan(*state, through_link, "assets/x");
	expect_scan(*state, twice, "a");
}

static void special_entries_rejected(void **state)
{
	const struct entry fifo[] = { { 'p', "pipe", NULL, 0 }, END };
	const struct entry device[] = { { 'c', "null", NULL, 0 }, END };
	const struct entry setuid[] = { { 'f', "run", NULL, 04755 }, END };
	const struct entry setgid[] = { { 'f', "run", NULL, 02755 }, END };
	const struct entry hardlink_out[] = { { 'h', "shadow", "../etc/shadow", 0 }, END };
	const struct entry hardlink_later[] = {
		{ 'h', "copy", "later", 0 }, { 'f', "later", NULL, 0 }, END,
	};

	expect_scan(*state, fifo, "pipe");
	expect_scan(*state, device, "null");
	expect_scan(*state, setuid, "run");
	expect_scan(*state, setgid, "run");
	expect_scan(*state, hardlink_out, "shadow");
	expect_scan(*state, hardlink_later, "copy");
}

static void empty_sources_rejected(void **state)
{
	const struct entry only_top[] = { { 'd', "./", NULL, 0755 }, END };
	const struct entry none[] = { END };
	cleanup_free char *top = write_tar(*state, "top.tar", only_top);
	cleanup_free char *empty = write_tar(*state, "empty.tar", none);
	cleanup_free char *missing = xasprintf("%s/missing.tar", (char *)*state);
	struct ctui_error err = { 0 };

	assert_int_equal(deploy_scan(top, NULL, &err), -1);
	assert_int_equal(err.code, ENODATA);
	assert_int_equal(deploy_scan(empty, NULL, &err), -1);
	assert_int_equal(err.code, ENODATA);
	assert_int_equal(deploy_scan(missing, NULL, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void extract_sets_owner_and_perm(void **state)
{
	const struct entry entries[] = {
		{ 'f', "./index.html", NULL, 0640 },
		{ 'f', "deep/er/page.html", NULL, 01644 },
		{ 'l', "deep/home", "../index.html", 0 },
		END,
	};
	cleanup_free char *tar = write_tar(*state, "good.tar", entries);
	cleanup_free char *dest = xasprintf("%s/dest", (char *)*state);
	cleanup_free char *page = xasprintf("%s/deep/er/page.html", dest);
	cleanup_free char *parent = xasprintf("%s/deep/er", dest);
	struct ctui_deploy_result result = { 0 };
	struct ctui_error err = { 0 };
	char cwd_before[4096], cwd_after[4096];
	struct stat st;
	int fd;

	assert_int_equal(mkdir(dest, 0700), 0);
	fd = open(dest, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_non_null(getcwd(cwd_before, sizeof cwd_before));
	if (deploy_extract(tar, fd, 33, 34, &result, &err) < 0)
		fail_msg("%s", err.message);
	close(fd);
	assert_non_null(getcwd(cwd_after, sizeof cwd_after));

	assert_string_equal(cwd_before, cwd_after);
	assert_int_equal(result.entries, 3);
	assert_int_equal(result.bytes, 6);
	assert_int_equal(lstat(page, &st), 0);
	assert_int_equal(st.st_uid, 33);
	assert_int_equal(st.st_gid, 34);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(lstat(parent, &st), 0);
	assert_int_equal(st.st_uid, 33);
	assert_int_equal(st.st_gid, 34);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(links_inside_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_escapes_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(unsafe_paths_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(special_entries_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_sources_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(extract_sets_owner_and_perm, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("skipped: the extraction test sets owners, which needs root\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
