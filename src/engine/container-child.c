/* Runs in the new namespaces, as a copy of ctui's process, until it
 * executes ctui-init. Every failure becomes a message for the parent, and
 * nothing here returns to ctui's code. */
#include "engine/container-child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/net.h"
#include "util/util.h"

static char env_path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
static char env_home[] = "HOME=/root";
static char env_container[] = "container=ctui";
static char *const init_env[] = { env_path, env_home, env_container, NULL };

static int do_mount(const char *source, const char *target, const char *type,
		    unsigned long flags, const char *data, struct ctui_error *err)
{
	const char *what = type ? type : source;

	if (mount(source, target, type, flags, data) < 0)
		return ctui_error_errno(err, errno, _("cannot mount %s on %s"),
					what ? what : "none", target);
	return 0;
}

/* Mounts a file system of TYPE on ROOT/DIR, creating DIR when missing. */
static int mount_in(const char *root, const char *dir, const char *type, unsigned long flags,
		    const char *data, struct ctui_error *err)
{
	cleanup_free char *target = xasprintf("%s/%s", root, dir);

	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		return ctui_error_errno(err, errno, _("cannot create directory %s"), target);
	return do_mount(type, target, type, flags, data, err);
}

struct device {
	const char *name;
	unsigned major, minor;
};

static const struct device devices[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" },   { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* A minimal /dev on tmpfs: the usual character devices, the /proc links, a
 * private devpts instance and /dev/shm. Nothing of the host's /dev shows. */
static int mount_dev(const char *root, struct ctui_error *err)
{
	cleanup_free char *dev = xasprintf("%s/dev", root);

	if (mount_in(root, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=1024k",
		     err) < 0)
		return -1;

	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dev, devices[i].name);

		if (mknod(path, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0 ||
		    chmod(path, 0666) < 0)
			return ctui_error_errno(err, errno, _("cannot create device %s"), path);
	}

	for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dev, dev_links[i][0]);

		if (symlink(dev_links[i][1], path) < 0)
			return ctui_error_errno(err, errno, _("cannot create symbolic link %s"), path);
	}

	if (mount_in(dev, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
		return -1;
	return mount_in(dev, "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k", err);
}

/* Mounts the site's files on ROOT: the overlay, or without a lower layer
 * (copy storage) a bind mount of the upper directory. Device nodes come
 * only from the tmpfs /dev, never from the site's own files. */
static int mount_root(const struct ctui_container_spec *spec, struct ctui_error *err)
{
	cleanup_free char *options = NULL;

	if (!spec->lower) {
		if (do_mount(spec->upper, spec->root, NULL, MS_BIND, NULL, err) < 0)
			return -1;
		return do_mount(NULL, spec->root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL, err);
	}
	options = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", spec->lower, spec->upper,
			    spec->work);
	return do_mount("overlay", spec->root, "overlay", MS_NODEV, options, err);
}

/* Mounts the site's files on spec->root and the kernel file systems inside it. */
static int mount_filesystems(const struct ctui_container_spec *spec, struct ctui_error *err)
{
	const char *root = spec->root;

	/* Nothing mounted from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		if (errno == EINVAL)
			return ctui_error_set(err, EINVAL,
					      _("cannot make the mounts private: / is not a mount "
						"point (inside a chroot?); ctui needs a real root "
						"file system"));
		return ctui_error_errno(err, errno, _("cannot make the mounts private"));
	}

	if (mount_root(spec, err) < 0)
		return -1;

	/* proc shows the new PID namespace because this process is its PID 1. */
	if (mount_in(root, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	    mount_dev(root, err) < 0 ||
	    mount_in(root, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		     err) < 0 ||
	    mount_in(root, "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755", err) < 0 ||
	    mount_in(root, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err) < 0)
		return -1;
	return 0;
}

/* Makes ROOT the root directory and detaches the host's file systems.
 * pivot_root(".", ".") stacks the old root on top of the new one, so
 * unmounting "." afterwards removes the old root without a directory for it. */
static int switch_root(const char *root, struct ctui_error *err)
{
	if (chdir(root) < 0)
		return ctui_error_errno(err, errno, _("cannot change directory to %s"), root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ctui_error_errno(err, errno, _("cannot pivot_root to %s"), root);
	if (umount2(".", MNT_DETACH) < 0)
		return ctui_error_errno(err, errno, _("cannot detach the host's root"));
	if (chdir("/") < 0)
		return ctui_error_errno(err, errno, _("cannot change directory to /"));
	return 0;
}

/* Checks that nothing lies above the site's root. Something does when ctui
 * runs in a chroot whose directory is a bind mount. pivot_root then swaps
 * only that bind mount, which stays attached inside the host's root. A
 * process of the site with CAP_SYS_CHROOT could climb out there with
 * chroot() and "..". On a host started normally the new root sits on the
 * root of the mount below it, so ".." stays in place. This climbs the same
 * way, then puts the root back. */
static int check_root_is_top(struct ctui_error *err)
{
	cleanup_close int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat root, previous, above;
	int rc = 0;

	if (root_fd < 0 || fstat(root_fd, &root) < 0)
		return ctui_error_errno(err, errno, _("cannot open the site's root"));
	if (chroot("/dev") < 0)
		return ctui_error_errno(err, errno, _("cannot check what lies above the site's root"));

	/* The working directory is outside the new root, so ".." goes up
	 * until the top of the mount tree, where it stays. */
	above = root;
	do {
		previous = above;
		if (chdir("..") < 0 || stat(".", &above) < 0) {
			rc = ctui_error_errno(err, errno,
					      _("cannot check what lies above the site's root"));
			break;
		}
	} while (previous.st_dev != above.st_dev || previous.st_ino != above.st_ino);

	if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return ctui_error_errno(err, errno, _("cannot go back to the site's root"));
	if (rc == 0 && (above.st_dev != root.st_dev || above.st_ino != root.st_ino))
		rc = ctui_error_set(err, EPERM,
				    _("the host's files would be reachable from the site: ctui "
				      "runs inside a chroot, so the site's root has the host's "
				      "root above it; run ctui from the host's own root"));
	return rc;
}

/* Keeps only CAPS. The others leave the bounding set first, which needs
 * CAP_SETPCAP, still held. Then permitted, effective and inheritable become
 * exactly CAPS and the ambient set is cleared. ctui-init runs as uid 0, so
 * after exec it and its services hold CAPS. no_new_privs stays off because
 * services such as Apache change user with setuid(). */
static int drop_capabilities(const cap_value_t *caps, size_t n, struct ctui_error *err)
{
	cap_value_t last = cap_max_bits();
	cap_t set;
	int rc;

	for (cap_value_t c = 0; c < last; c++) {
		bool keep = false;

		for (size_t i = 0; i < n; i++)
			keep = keep || caps[i] == c;
		if (!keep && cap_drop_bound(c) < 0 && errno != EINVAL)
			return ctui_error_errno(err, errno, _("cannot drop capability %s"),
						cap_to_name(c));
	}

	set = cap_init();
	if (!set)
		return ctui_error_errno(err, errno, _("cannot allocate a capability set"));
	rc = 0;
	if (n > 0)
		rc = cap_set_flag(set, CAP_PERMITTED, (int)n, caps, CAP_SET) |
		     cap_set_flag(set, CAP_EFFECTIVE, (int)n, caps, CAP_SET) |
		     cap_set_flag(set, CAP_INHERITABLE, (int)n, caps, CAP_SET);
	if (rc == 0)
		rc = cap_set_proc(set);
	cap_free(set);
	if (rc < 0)
		return ctui_error_errno(err, errno, _("cannot set the capabilities"));

	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return ctui_error_errno(err, errno, _("cannot clear the ambient capabilities"));
	return 0;
}

/* Standard input from /dev/null, output to the console file, and every
 * other descriptor (all inherited from ctui) closed when ctui-init starts. */
static int setup_fds(int console_fd, struct ctui_error *err)
{
	/* Moved above 2 first, in case ctui ran with a standard descriptor
	 * closed and the console file got its number. */
	int console = fcntl(console_fd, F_DUPFD_CLOEXEC, 3);
	int null;

	if (console < 0)
		return ctui_error_errno(err, errno, _("cannot duplicate the console descriptor"));
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return ctui_error_errno(err, errno, _("cannot open /dev/null"));
	if (dup2(null, STDIN_FILENO) < 0 || dup2(console, STDOUT_FILENO) < 0 ||
	    dup2(console, STDERR_FILENO) < 0)
		return ctui_error_errno(err, errno, _("cannot set up standard input and output"));

	if (close_range(3, UINT_MAX, CLOSE_RANGE_CLOEXEC) < 0)
		return ctui_error_errno(err, errno, _("cannot mark descriptors close-on-exec"));
	return 0;
}

static void reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static const char *container_hostname(const struct ctui_container_spec *spec)
{
	/* NOTE: domains longer than the kernel's 64-byte host name fall back
	 * to the site's name, so such a container's hostname is not its
	 * domain. */
	return strlen(spec->hostname) <= HOST_NAME_MAX ? spec->hostname : spec->name;
}

/* Closes every descriptor inherited from ctui but the four the child uses.
 * Above all the write end of the sync pipe: while the child holds it, a
 * parent that dies never gives it end-of-file, and the child would wait
 * forever holding ctui's lock and database files. */
static void close_inherited(const struct ctui_child_ctx *ctx)
{
	int keep[] = { ctx->sync_fd, ctx->error_fd, ctx->init_fd, ctx->console_fd };
	unsigned next = 3;

	/* Sorted, so the gaps between them can be closed in ranges. */
	for (size_t i = 1; i < sizeof keep / sizeof keep[0]; i++)
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int swap = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = swap;
		}
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		if (keep[i] < (int)next)
			continue;
		if (keep[i] > (int)next)
			close_range(next, (unsigned)keep[i] - 1, 0);
		next = (unsigned)keep[i] + 1;
	}
	close_range(next, UINT_MAX, 0);
}

static int child_setup(struct ctui_child_ctx *ctx, struct ctui_error *err)
{
	const struct ctui_container_spec *spec = ctx->spec;
	const char *hostname = container_hostname(spec);
	char go;

	close_inherited(ctx);

	/* The parent moves this process into the cgroup and creates the veth
	 * first. End-of-file means it gave up. */
	if (read(ctx->sync_fd, &go, 1) != 1)
		return ctui_error_set(err, ECANCELED, _("ctui gave up before the setup began"));
	close(ctx->sync_fd);

	/* Own session: terminal signals aimed at ctui never reach the site. */
	setsid();
	reset_signals();

	if (sethostname(hostname, strlen(hostname)) < 0)
		return ctui_error_errno(err, errno, _("cannot set the host name to %s"), hostname);

	if (mount_filesystems(spec, err) < 0 || switch_root(spec->root, err) < 0 ||
	    check_root_is_top(err) < 0)
		return -1;

	if (ctui_net_configure_inside(spec->ipv4, spec->prefix, spec->gateway, err) < 0)
		return ctui_error_prefix(err, _("cannot configure the network"));

	if (drop_capabilities(ctx->caps, ctx->n_caps, err) < 0 ||
	    setup_fds(ctx->console_fd, err) < 0)
		return -1;
	return 0;
}

static void report(int fd, const char *message)
{
	size_t len = strlen(message);

	while (len > 0) {
		ssize_t n = write(fd, message, len);

		if (n <= 0)
			return;
		message += n;
		len -= (size_t)n;
	}
}

int ctui_container_child(void *arg)
{
	struct ctui_child_ctx *ctx = arg;
	struct ctui_error err = { 0 };

	if (child_setup(ctx, &err) < 0) {
		report(ctx->error_fd, err.message);
		_exit(1);
	}

	fexecve(ctx->init_fd, ctx->argv, init_env);
	ctui_error_errno(&err, errno, _("cannot execute ctui-init %s"), ctx->spec->init_path);
	report(ctx->error_fd, err.message);
	_exit(1);
}
