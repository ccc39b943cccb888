/* A site's own directory: the files written into its upper layer, their
 * owners and modes, and the guards around creation and removal. Needs root,
 * because the files must belong to root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rootfs.h"
#include "util/fs.h"
#include "util/util.h"

#define WEB_IPV4 0x0a636305u  /* 10.99.99.5 */

struct fixture {
	char dir[64];
	struct ctui_config cfg;     /* state_dir is the temporary directory */
};

/* Creates the files of an overlay site NAME. */
static int create_site(const struct ctui_config *cfg, const char *name, const char *domain,
		       uint32_t ipv4, struct ctui_error *err)
{
	struct ctui_site site = { .ipv4 = ipv4, .storage = CTUI_STORAGE_OVERLAY };

	snprintf(site.name, sizeof site.name, "%s", name);
	snprintf(site.domain, sizeof site.domain, "%s", domain);
	return ctui_rootfs_create(cfg, &site, NULL, err);
}

static int destroy_site(const struct ctui_config *cfg, const char *name, struct ctui_error *err)
{
	struct ctui_site site = { .storage = CTUI_STORAGE_OVERLAY };

	snprintf(site.name, sizeof site.name, "%s", name);
	return ctui_rootfs_destroy(cfg, &site, err);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/ctui-test-rootfs.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->cfg.state_dir = f->dir;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err;

	ctui_rm_rf(f->dir, &err);
	free(f);
	return 0;
}

static void assert_mode(const char *dir, const char *relative, mode_t type, mode_t mode)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, relative);
	struct stat st;

	if (lstat(path, &st) < 0)
		fail_msg("%s: %s", path, strerror(errno));
	if ((st.st_mode & S_IFMT) != type)
		fail_msg("%s: wrong file type", path);
	if ((st.st_mode & 07777) != mode)
		fail_msg("%s: mode %04o, expected %04o", path, st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
}

static void assert_content(const char *dir, const char *relative, const char *expected)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, relative);
	cleanup_free char *data = NULL;
	struct ctui_error err;

	if (ctui_read_file(path, &data, NULL, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(data, expected);
}

static void skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("skipped: needs root to own the files as root\n");
		skip();
	}
}

static void create_writes_identity(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *site = xasprintf("%s/sites/web", f->dir);
	cleanup_free char *upper = xasprintf("%s/upper", site);
	struct ctui_error err = { 0 };

	skip_unless_root();
	if (create_site(&f->cfg, "web", "web.sites.example.org", WEB_IPV4, &err) < 0)
		fail_msg("%s", err.message);

	assert_mode(f->dir, "sites/web", S_IFDIR, 0700);
	assert_mode(site, "upper", S_IFDIR, 0755);
	assert_mode(site, "work", S_IFDIR, 0700);
	assert_mode(site, "root", S_IFDIR, 0755);
	assert_mode(upper, "etc", S_IFDIR, 0755);
	assert_mode(upper, "var", S_IFDIR, 0755);
	assert_mode(upper, "var/www", S_IFDIR, 0755);
	assert_mode(upper, "var/www/html", S_IFDIR, 0755);

	assert_mode(upper, "etc/hostname", S_IFREG, 0644);
	assert_content(upper, "etc/hostname", "web.sites.example.org\n");
	assert_mode(upper, "etc/hosts", S_IFREG, 0644);
	assert_content(upper, "etc/hosts",
		       "127.0.0.1\tlocalhost\n"
		       "::1\tlocalhost ip6-localhost ip6-loopback\n"
		       "10.99.99.5\tweb.sites.example.org web\n");
	assert_mode(upper, "etc/resolv.conf", S_IFREG, 0644);
	assert_content(upper, "etc/resolv.conf",
		       "# Written by ctui. Nothing answers here: lookups fail fast, and this\n"
		       "# site's own names are in /etc/hosts.\n"
		       "nameserver 127.0.0.1\n"
		       "options timeout:1 attempts:1\n");
	assert_mode(upper, "var/www/html/index.html", S_IFREG, 0644);
	assert_content(upper, "var/www/html/index.html",
		       "<!DOCTYPE html>\n"
		       "<html lang=\"en\">\n"
		       "<head>\n"
		       "<meta charset=\"utf-8\">\n"
		       "<title>web.sites.example.org</title>\n"
		       "</head>\n"
		       "<body>\n"
		       "<h1>web.sites.example.org</h1>\n"
		       "<p>This is the site web at web.sites.example.org, served from its own container.</p>\n"
		       "<p>Replace this page with the site's content in /var/www/html.</p>\n"
		       "</body>\n"
		       "</html>\n");
}

static void page_escapes_html(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *path = xasprintf("%s/sites/web/upper/var/www/html/index.html", f->dir);
	cleanup_free char *page = NULL;
	struct ctui_error err = { 0 };

	skip_unless_root();
	if (create_site(&f->cfg, "web", "a<b>&\"c'.example.org", WEB_IPV4, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(ctui_read_file(path, &page, NULL, &err), 0);
	assert_non_null(strstr(page, "<h1>a&lt;b&gt;&amp;&quot;c&#39;.example.org</h1>"));
	assert_null(strstr(page, "a<b>"));
}

static void existing_site_is_eexist(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *upper = xasprintf("%s/sites/web/upper", f->dir);
	struct ctui_error err = { 0 };

	skip_unless_root();
	assert_int_equal(create_site(&f->cfg, "web", "web.example.org", WEB_IPV4, &err), 0);
	assert_int_equal(create_site(&f->cfg, "web", "other.example.org", WEB_IPV4 + 1, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.message, "exists already"));
	assert_content(upper, "etc/hostname", "web.example.org\n");
}

static void sites_are_separate(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *web = xasprintf("%s/sites/web", f->dir);
	cleanup_free char *web2_upper = xasprintf("%s/sites/web2/upper", f->dir);
	struct ctui_error err = { 0 };

	skip_unless_root();
	assert_int_equal(create_site(&f->cfg, "web", "web.example.org", WEB_IPV4, &err), 0);
	assert_int_equal(create_site(&f->cfg, "web2", "web2.example.org", WEB_IPV4 + 1, &err), 0);

	assert_int_equal(destroy_site(&f->cfg, "web", &err), 0);
	assert_false(ctui_path_exists(web));
	assert_content(web2_upper, "etc/hostname", "web2.example.org\n");
	assert_content(web2_upper, "etc/hosts",
		       "127.0.0.1\tlocalhost\n"
		       "::1\tlocalhost ip6-localhost ip6-loopback\n"
		       "10.99.99.6\tweb2.example.org web2\n");

	/* Removing a site whose files are gone succeeds, so a retry is safe. */
	assert_int_equal(destroy_site(&f->cfg, "web", &err), 0);
}

static void paths_follow_state_dir(void **state)
{
	struct fixture *f = *state;
	struct ctui_rootfs_paths paths;
	cleanup_free char *dir = xasprintf("%s/sites/web", f->dir);
	cleanup_free char *upper = xasprintf("%s/upper", dir);
	cleanup_free char *work = xasprintf("%s/work", dir);
	cleanup_free char *root = xasprintf("%s/root", dir);

	ctui_rootfs_paths(&f->cfg, "web", CTUI_STORAGE_OVERLAY, &paths);
	assert_string_equal(paths.dir, dir);
	assert_string_equal(paths.upper, upper);
	assert_string_equal(paths.work, work);
	assert_string_equal(paths.root, root);
	ctui_rootfs_paths_free(&paths);
	assert_null(paths.dir);
}

static void bad_names_change_nothing(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *sites = xasprintf("%s/sites", f->dir);
	struct ctui_error err = { 0 };

	assert_int_equal(create_site(&f->cfg, "../web", "web.example.org", WEB_IPV4, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "invalid site name \"../web\""));
	assert_int_equal(create_site(&f->cfg, "web", "web.example.org\n1.2.3.4 evil", WEB_IPV4, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(destroy_site(&f->cfg, "..", &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_false(ctui_path_exists(sites));
}

/* A file system that runs out of inodes: a tmpfs mounted for the test with
 * room for fewer inodes than a site needs. The tmpfs root and the sites
 * directory take the first two. From 4 to 13 inodes, creation then fails at
 * each of its steps in turn, from the work directory to the last file. */
static void failure_removes_partial_site(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *sites = xasprintf("%s/sites", f->dir);
	cleanup_free char *web = xasprintf("%s/sites/web", f->dir);

	skip_unless_root();
	for (unsigned inodes = 4; inodes <= 13; inodes++) {
		char options[64];
		struct ctui_error err = { 0 };
		bool left_behind, sites_made;
		int ret;

		snprintf(options, sizeof options, "size=1m,nr_inodes=%u,mode=0755", inodes);
		if (mount("ctui-test", f->dir, "tmpfs", 0, options) < 0)
			fail_msg("mount tmpfs on %s: %s", f->dir, strerror(errno));

		ret = create_site(&f->cfg, "web", "web.example.org", WEB_IPV4, &err);
		left_behind = ctui_path_exists(web);
		sites_made = ctui_path_exists(sites);
		assert_int_equal(umount(f->dir), 0);

		if (ret == 0)
			fail_msg("created with only %u inodes", inodes);
		if (err.code != ENOSPC)
			fail_msg("%u inodes: %s", inodes, err.message);
		assert_true(sites_made);
		if (left_behind)
			fail_msg("%u inodes: %s was left behind after: %s", inodes, web, err.message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_writes_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(page_escapes_html, setup, teardown),
		cmocka_unit_test_setup_teardown(existing_site_is_eexist, setup, teardown),
		cmocka_unit_test_setup_teardown(sites_are_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(paths_follow_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_names_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(failure_removes_partial_site, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
