/* Building a template base: debootstrap, Apache settings for one small site,
 * cleaning, and the atomic switch of TEMPLATE_DIR/NAME/current. */
#include "engine/template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

/* The metadata file in the root of every built base. */
#define METADATA_FILE ".ctui-template"

/* Apache's event MPM sized for one small site. One child with 64 worker
 * threads serves requests, and idle keep-alive connections wait in the
 * listener thread without holding a worker. When every worker is busy, the
 * event MPM closes all idle keep-alive connections, and the host's reverse
 * proxy fails the requests it was sending on them: 64 workers match the
 * host's pooled connections (max=16 per host process in apache.c) for the at
 * most 4 host processes of conf/apache-proxy.conf. ServerLimit 2 leaves a slot for the new child of a graceful
 * restart while the old one finishes. MaxSpareThreads is MinSpareThreads +
 * ThreadsPerChild, the smallest value Apache accepts without correcting it. */
static const char mpm_event_conf[] =
	"# Written by ctui when it built this template base: one small site.\n"
	"<IfModule mpm_event_module>\n"
	"\tStartServers             1\n"
	"\tServerLimit              2\n"
	"\tThreadLimit             64\n"
	"\tThreadsPerChild         64\n"
	"\tMaxRequestWorkers       64\n"
	"\tMinSpareThreads          4\n"
	"\tMaxSpareThreads         68\n"
	"\tMaxConnectionsPerChild   0\n"
	"</IfModule>\n";

/* The prefork MPM, which Debian's libapache2-mod-php switches to because
 * mod_php is not thread-safe: one process per connection. The host's proxy
 * keeps up to 8 pooled connections per host Apache process, each holding a
 * child, so 32 children serve 4 host processes before requests wait.
 * NOTE: 32 is an estimate from that pool size, not a measured load. */
static const char mpm_prefork_conf[] =
	"# Written by ctui when it built this template base: one small site.\n"
	"<IfModule mpm_prefork_module>\n"
	"\tStartServers             2\n"
	"\tMinSpareServers          1\n"
	"\tMaxSpareServers          4\n"
	"\tMaxRequestWorkers       32\n"
	"\tMaxConnectionsPerChild   0\n"
	"</IfModule>\n";

static const char site_conf[] =
	"# Written by ctui when it built this template base.\n"
	"# Each site's container has its own hostname; this name only spares Apache\n"
	"# a name lookup at start.\n"
	"ServerName localhost\n"
	"\n"
	"# The host's reverse proxy reuses connections to the site: it must close an\n"
	"# idle one before KeepAliveTimeout does, or a request can meet a connection\n"
	"# the site is closing. For the same reason the site never closes a\n"
	"# connection after a number of requests (0: no limit).\n"
	"KeepAlive On\n"
	"KeepAliveTimeout 60\n"
	"MaxKeepAliveRequests 0\n"
	"\n"
	"# `apache2ctl graceful-stop` lets requests in progress finish, for at most\n"
	"# this many seconds.\n"
	"GracefulShutdownTimeout 5\n"
	"\n"
	"# Files go out with sendfile(). With EnableMMAP On, Apache maps every file\n"
	"# it serves and unmaps it after the response, and each unmapping in a\n"
	"# process of 64 threads interrupts the other CPUs to flush their address\n"
	"# translations. mod_status's extended status reads the process times on\n"
	"# every request; nothing in the site reads that page.\n"
	"EnableMMAP Off\n"
	"EnableSendfile On\n"
	"ExtendedStatus Off\n";

/* The host's Apache forwards the client's address in X-Forwarded-For. Each
 * site's /etc/apache2/ctui-proxy.conf, written by rootfs.c because the
 * bridge gateway differs between hosts, turns the header on and trusts it
 * from that gateway only. Without that file the header is ignored. %a in the log is the
 * address mod_remoteip found, where %h would stay the proxy's. */
static const char remoteip_conf[] =
	"# Written by ctui when it built this template base.\n"
	"IncludeOptional /etc/apache2/ctui-proxy*.conf\n"
	"LogFormat \"%a %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n";

struct build {
	const struct ctui_config *cfg;
	const struct ctui_template *tpl;
	ctui_progress_fn progress;
	void *ctx;
	char *template_dir;   /* TEMPLATE_DIR/NAME */
	char *version;
	char *build_dir;      /* TEMPLATE_DIR/NAME/.build-VERSION, debootstrap's target */
	char *version_dir;    /* TEMPLATE_DIR/NAME/VERSION */
};

static void report(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct build *b, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!b->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	b->progress(b->ctx, line);
}

static void forward_debootstrap_line(void *ctx, const char *line)
{
	report(ctx, "debootstrap: %s", line);
}

static void free_version_paths(struct build *b)
{
	free(b->version);
	free(b->build_dir);
	free(b->version_dir);
	b->version = b->build_dir = b->version_dir = NULL;
}

/* Picks VERSION from the current UTC time and creates .build-VERSION. A name
 * already used by a finished or running build gets a "-N" suffix. mkdir()
 * makes the choice race-free between two builds. */
static int reserve_version(struct build *b, struct ctui_error *err)
{
	time_t now = time(NULL);
	char stamp[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);

	for (unsigned n = 1; n <= 100; n++) {
		b->version = n == 1 ? xstrdup(stamp) : xasprintf("%s-%u", stamp, n);
		b->version_dir = ctui_template_base_dir(b->cfg, b->tpl->name, b->version);
		b->build_dir = xasprintf("%s/.build-%s", b->template_dir, b->version);

		if (!ctui_path_exists(b->version_dir)) {
			if (mkdir(b->build_dir, 0755) == 0)
				return chmod(b->build_dir, 0755) < 0 ?
					ctui_error_errno(err, errno, _("cannot set the mode of %s"), b->build_dir) : 0;
			if (errno != EEXIST)
				return ctui_error_errno(err, errno, _("cannot create directory %s"),
							b->build_dir);
		}
		free_version_paths(b);
	}
	return ctui_error_set(err, EEXIST, _("no free version name for %s in %s: remove old .build-* directories"),
			      stamp, b->template_dir);
}

static char *join_packages(char **packages)
{
	char *list = xstrdup("");

	for (char **p = packages; *p; p++) {
		char *longer = xasprintf("%s%s%s", list, list[0] ? "," : "", *p);

		free(list);
		list = longer;
	}
	return list;
}

static int run_debootstrap(struct build *b, struct ctui_error *err)
{
	cleanup_free char *variant = xasprintf("--variant=%s", b->tpl->variant);
	cleanup_free char *packages = join_packages(b->tpl->packages);
	cleanup_free char *include = xasprintf("--include=%s", packages);
	cleanup_free char *command = NULL;
	char *args[6];
	size_t n = 0;

	args[n++] = variant;
	if (packages[0])
		args[n++] = include;
	args[n++] = b->tpl->suite;
	args[n++] = b->build_dir;
	args[n++] = b->cfg->mirror;
	args[n] = NULL;

	command = xstrdup(b->cfg->debootstrap);
	for (size_t i = 0; i < n; i++) {
		char *longer = xasprintf("%s %s", command, args[i]);

		free(command);
		command = longer;
	}
	report(b, "debootstrap: %s", command);
	if (ctui_run(b->cfg->debootstrap, args, forward_debootstrap_line, b, err) < 0)
		return ctui_error_prefix(err, _("debootstrap of %s %s"), b->tpl->suite, b->tpl->variant);
	return 0;
}

static int write_root_file(struct build *b, const char *relative, const char *content,
			   struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", b->build_dir, relative);

	report(b, _("configure: write /%s"), relative);
	return ctui_write_file_atomic(path, content, strlen(content), 0644, err);
}

/* Enables FILE of KIND ("conf" or "mods") the way a2enconf and a2enmod do:
 * a relative symbolic link from KIND-enabled to KIND-available. */
static int enable_apache_file(struct build *b, const char *kind, const char *file,
			      struct ctui_error *err)
{
	cleanup_free char *link = xasprintf("%s/etc/apache2/%s-enabled/%s", b->build_dir, kind, file);
	cleanup_free char *target = xasprintf("../%s-available/%s", kind, file);

	report(b, _("configure: enable /etc/apache2/%s-available/%s"), kind, file);
	if (symlink(target, link) < 0 && errno != EEXIST)
		return ctui_error_errno(err, errno, _("cannot create the link %s"), link);
	return 0;
}

static int configure_apache(struct build *b, struct ctui_error *err)
{
	cleanup_free char *apache_dir = xasprintf("%s/etc/apache2", b->build_dir);
	cleanup_free char *event_load = xasprintf("%s/mods-enabled/mpm_event.load", apache_dir);
	cleanup_free char *prefork_load = xasprintf("%s/mods-enabled/mpm_prefork.load", apache_dir);

	if (!ctui_path_exists(apache_dir)) {
		report(b, _("configure: no /etc/apache2 in this base, nothing to configure"));
		return 0;
	}
	if (!ctui_path_exists(event_load) && !ctui_path_exists(prefork_load))
		report(b, _("configure: warning: neither the event nor the prefork MPM is enabled, so their limits have no effect"));

	if (write_root_file(b, "etc/apache2/mods-available/mpm_event.conf", mpm_event_conf, err) < 0 ||
	    write_root_file(b, "etc/apache2/mods-available/mpm_prefork.conf", mpm_prefork_conf,
			    err) < 0 ||
	    write_root_file(b, "etc/apache2/conf-available/ctui-site.conf", site_conf, err) < 0 ||
	    enable_apache_file(b, "conf", "ctui-site.conf", err) < 0 ||
	    write_root_file(b, "etc/apache2/conf-available/ctui-remoteip.conf", remoteip_conf,
			    err) < 0 ||
	    enable_apache_file(b, "mods", "remoteip.load", err) < 0 ||
	    enable_apache_file(b, "conf", "ctui-remoteip.conf", err) < 0)
		return ctui_error_prefix(err, _("configure Apache"));
	return 0;
}

/* Removes the entries of DIR whose name ends in SUFFIX (every entry when
 * SUFFIX is NULL) except KEEP, and adds the size of removed files to *FREED.
 * A missing DIR is fine. */
static int remove_entries(const char *dir, const char *suffix, const char *keep,
			  unsigned long long *freed, struct ctui_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot read %s"), dir);

	while (ret == 0 && (entry = readdir(d)) != NULL) {
		const char *name = entry->d_name;
		size_t len = strlen(name);
		cleanup_free char *path = NULL;
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, "..") || (keep && !strcmp(name, keep)))
			continue;
		if (suffix && (len < strlen(suffix) || strcmp(name + len - strlen(suffix), suffix) != 0))
			continue;

		path = xasprintf("%s/%s", dir, name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			*freed += (unsigned long long)st.st_size;
		ret = ctui_rm_rf(path, err);
	}
	closedir(d);
	return ret;
}

static int remove_root_file(struct build *b, const char *relative, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", b->build_dir, relative);

	report(b, _("clean: remove /%s, each site writes its own"), relative);
	if (unlink(path) < 0 && errno != ENOENT)
		return ctui_error_errno(err, errno, _("cannot remove %s"), path);
	return 0;
}

/* Drops what apt can download again and the files each site writes into its
 * own upper layer (see rootfs.c). */
static int clean_base(struct build *b, struct ctui_error *err)
{
	cleanup_free char *archives = xasprintf("%s/var/cache/apt/archives", b->build_dir);
	cleanup_free char *partial = xasprintf("%s/partial", archives);
	cleanup_free char *cache = xasprintf("%s/var/cache/apt", b->build_dir);
	cleanup_free char *lists = xasprintf("%s/var/lib/apt/lists", b->build_dir);
	unsigned long long freed = 0;

	if (remove_entries(archives, ".deb", NULL, &freed, err) < 0 ||
	    remove_entries(partial, NULL, NULL, &freed, err) < 0 ||
	    remove_entries(cache, ".bin", NULL, &freed, err) < 0 ||
	    remove_entries(lists, NULL, "partial", &freed, err) < 0)
		return ctui_error_prefix(err, _("clean the apt cache"));
	report(b, _("clean: removed %llu MiB of apt caches and package lists"), freed >> 20);

	if (remove_root_file(b, "etc/resolv.conf", err) < 0 ||
	    remove_root_file(b, "etc/hostname", err) < 0)
		return -1;
	return 0;
}

static int write_metadata(struct build *b, struct ctui_error *err)
{
	const struct ctui_template *tpl = b->tpl;
	cleanup_free char *packages = join_packages(tpl->packages);
	cleanup_free char *path = xasprintf("%s/" METADATA_FILE, b->build_dir);
	cleanup_free char *content = NULL;
	time_t now = time(NULL);
	char built[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
	content = xasprintf("# Written by ctui when it built this base.\n"
			    "name = %s\nversion = %s\nbuilt = %s\n"
			    "suite = %s\nvariant = %s\npackages = %s\nmirror = %s\n"
			    "conf = %s\nconf_sha256 = %s\n",
			    tpl->name, b->version, built, tpl->suite, tpl->variant, packages,
			    b->cfg->mirror, tpl->conf_path, tpl->conf_sha256);

	report(b, _("metadata: write /%s"), METADATA_FILE);
	return ctui_write_file_atomic(path, content, strlen(content), 0644, err);
}

/* Flushes the new base to disk, so that `current` never points at files a
 * crash could still lose. */
static int sync_dir(const char *path, bool whole_fs, struct ctui_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), path);
	if ((whole_fs ? syncfs(fd) : fsync(fd)) < 0)
		return ctui_error_errno(err, errno, _("cannot flush %s to disk"), path);
	return 0;
}

/* Renames .build-VERSION to VERSION, then points `current` at it by renaming
 * a new link over the old one: a reader sees either version, never none. */
static int switch_current(struct build *b, struct ctui_error *err)
{
	cleanup_free char *tmp_link = xasprintf("%s/current.tmp", b->template_dir);
	cleanup_free char *link = xasprintf("%s/current", b->template_dir);

	if (sync_dir(b->build_dir, true, err) < 0)
		return -1;
	if (rename(b->build_dir, b->version_dir) < 0)
		return ctui_error_errno(err, errno, _("cannot rename %s to %s"), b->build_dir,
					b->version_dir);

	report(b, _("switch: %s/current -> %s"), b->template_dir, b->version);
	if (unlink(tmp_link) < 0 && errno != ENOENT) {
		ctui_error_errno(err, errno, _("cannot remove %s"), tmp_link);
		goto fail;
	}
	if (symlink(b->version, tmp_link) < 0) {
		ctui_error_errno(err, errno, _("cannot create the link %s"), tmp_link);
		goto fail;
	}
	if (rename(tmp_link, link) < 0) {
		ctui_error_errno(err, errno, _("cannot rename %s to %s"), tmp_link, link);
		unlink(tmp_link);
		goto fail;
	}
	return sync_dir(b->template_dir, false, err);

fail:
	/* Nothing refers to the new version yet: put it back where the caller's
	 * cleanup removes it. */
	if (rename(b->version_dir, b->build_dir) < 0)
		report(b, _("cleanup: cannot rename %s back to %s: %s"), b->version_dir,
		       b->build_dir, strerror(errno));
	return -1;
}

static void discard_build(struct build *b)
{
	struct ctui_error cleanup_err;

	report(b, _("cleanup: remove %s"), b->build_dir);
	if (ctui_rm_rf(b->build_dir, &cleanup_err) < 0)
		report(b, _("cleanup: %s; remove it by hand"), cleanup_err.message);
}

static int build_version(struct build *b, struct ctui_error *err)
{
	if (reserve_version(b, err) < 0)
		return -1;

	report(b, _("create: %s"), b->build_dir);
	if (run_debootstrap(b, err) < 0 || configure_apache(b, err) < 0 ||
	    clean_base(b, err) < 0 || write_metadata(b, err) < 0 || switch_current(b, err) < 0) {
		discard_build(b);
		return -1;
	}
	return 0;
}

int ctui_template_build_base(const struct ctui_config *cfg, const char *name,
			     ctui_progress_fn progress, void *ctx, struct ctui_error *err)
{
	struct ctui_template tpl;
	struct build b = { .cfg = cfg, .tpl = &tpl, .progress = progress, .ctx = ctx };
	struct timespec start, end;
	int ret;

	if (ctui_template_load(cfg, name, &tpl, err) < 0)
		return ctui_error_prefix(err, _("cannot build template %s"), name);

	clock_gettime(CLOCK_MONOTONIC, &start);
	b.template_dir = xasprintf("%s/%s", cfg->template_dir, name);
	ret = ctui_mkdir_p(b.template_dir, 0755, err);
	if (ret == 0)
		ret = build_version(&b, err);
	clock_gettime(CLOCK_MONOTONIC, &end);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot build template %s"), name);
	else
		report(&b, _("done: template %s is now at version %s (%ld s); older versions are kept for the sites that use them"),
		       name, b.version, (long)(end.tv_sec - start.tv_sec));

	free_version_paths(&b);
	free(b.template_dir);
	ctui_template_free(&tpl);
	return ret;
}
