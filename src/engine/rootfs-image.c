/* Image storage: an ext4 file system in STATE_DIR/sites/NAME/disk.img,
 * attached to a free loop device with LO_FLAGS_AUTOCLEAR and mounted on
 * STATE_DIR/sites/NAME/image. The mount contains the overlay's upper and
 * work directories, so the image size is a hard quota on what the site
 * writes. df inside the site shows it, because overlayfs reports the upper
 * layer's file system. With autoclear the kernel frees the loop device when the last
 * mount of the image goes away, so an unmount leaves no device behind. */
#include "engine/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sys/capability.h>

#include <linux/loop.h>
#include <linux/major.h>

#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

/* Another process may take the device that LOOP_CTL_GET_FREE returned
 * before this one configures it; then the next free one is tried. */
#define LOOP_ATTEMPTS 8

bool ctui_rootfs_is_mounted(const char *dir)
{
	cleanup_free char *parent = xasprintf("%s/..", dir);
	struct stat st, parent_st;

	if (stat(dir, &st) < 0 || stat(parent, &parent_st) < 0)
		return false;
	return st.st_dev != parent_st.st_dev;
}

/* The older interface, for kernels before 5.8 that lack LOOP_CONFIGURE. */
static int loop_set_fd(int loop, int file, const char *image)
{
	struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };

	snprintf((char *)info.lo_file_name, sizeof info.lo_file_name, "%s", image);
	if (ioctl(loop, LOOP_SET_FD, file) < 0)
		return -1;
	if (ioctl(loop, LOOP_SET_STATUS64, &info) < 0) {
		int saved = errno;

		ioctl(loop, LOOP_CLR_FD, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Binds IMAGE to a free loop device and returns an open descriptor of it,
 * with its path in DEVICE. The device stays bound while the descriptor is
 * open or the image is mounted. */
static int loop_attach(const char *image, char *device, size_t size, struct ctui_error *err)
{
	cleanup_close int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	cleanup_close int file = open(image, O_RDWR | O_CLOEXEC);

	if (control < 0)
		return ctui_error_errno(err, errno, _("cannot open /dev/loop-control; is the "
						      "loop module loaded?"));
	if (file < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), image);

	for (int attempt = 0; attempt < LOOP_ATTEMPTS; attempt++) {
		struct loop_config config = { .fd = (uint32_t)file };
		int number = ioctl(control, LOOP_CTL_GET_FREE);
		int loop, rc;

		if (number < 0)
			return ctui_error_errno(err, errno, _("no free loop device"));
		snprintf(device, size, "/dev/loop%d", number);
		loop = open(device, O_RDWR | O_CLOEXEC);
		if (loop < 0)
			return ctui_error_errno(err, errno, _("cannot open %s"), device);

		config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		snprintf((char *)config.info.lo_file_name, sizeof config.info.lo_file_name, "%s",
			 image);
		rc = ioctl(loop, LOOP_CONFIGURE, &config);
		if (rc < 0 && (errno == EINVAL || errno == ENOTTY))
			rc = loop_set_fd(loop, file, image);
		if (rc == 0)
			return loop;

		rc = errno;
		close(loop);
		if (rc != EBUSY)
			return ctui_error_errno(err, rc, _("cannot bind %s to %s"), image, device);
	}
	return ctui_error_set(err, EBUSY, _("every free loop device was taken by another process "
					    "%d times in a row; try again"),
			      LOOP_ATTEMPTS);
}

/* Looks for a loop device still bound to IMAGE and writes its path in
 * DEVICE. That happens when a host process keeps a file of the stopped site
 * open, for instance one opened through /proc/PID/root while the site ran.
 * The site's mount then outlives the site, and mounting the image again
 * would put a second ext4 mount on the same file. */
static bool image_still_bound(const char *image, char *device, size_t size)
{
	DIR *dir = opendir("/sys/block");
	struct dirent *entry;
	struct stat st;
	bool found = false;

	if (!dir)
		return false;
	if (stat(image, &st) < 0) {
		closedir(dir);
		return false;
	}
	while (!found && (entry = readdir(dir))) {
		struct loop_info64 info;
		int loop;

		if (strncmp(entry->d_name, "loop", 4) != 0)
			continue;
		snprintf(device, size, "/dev/%s", entry->d_name);
		loop = open(device, O_RDONLY | O_CLOEXEC);
		if (loop < 0)
			continue;
		found = ioctl(loop, LOOP_GET_STATUS64, &info) == 0 && info.lo_inode == st.st_ino &&
			info.lo_device == st.st_dev;
		close(loop);
	}
	closedir(dir);
	return found;
}

/* Mounts IMAGE on TARGET through a new loop device. */
static int image_mount(const char *image, const char *target, struct ctui_error *err)
{
	char device[32];
	int loop, ret = 0;

	if (image_still_bound(image, device, sizeof device))
		return ctui_error_set(err, EBUSY,
				      _("%s is still in use on %s: a process of the host holds "
					"files of the site open (see `fuser -vm %s`); end it, "
					"then start the site"),
				      image, device, device);
	loop = loop_attach(image, device, sizeof device, err);
	if (loop < 0)
		return -1;
	if (mount(device, target, "ext4", 0, NULL) < 0)
		ret = ctui_error_errno(err, errno, _("cannot mount %s (%s) on %s"), image, device,
				       target);
	/* With the mount in place, closing the descriptor leaves the device to
	 * the mount; after a failed mount, it frees the device. */
	close(loop);
	return ret;
}

int ctui_rootfs_mount(const struct ctui_config *cfg, const struct ctui_site *site,
		      bool *mounted, struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	int ret = 0;

	*mounted = false;
	if (site->storage != CTUI_STORAGE_IMAGE)
		return 0;

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	if (!ctui_rootfs_is_mounted(paths.mount)) {
		ret = image_mount(paths.image, paths.mount, err);
		*mounted = ret == 0;
	}
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		return ctui_error_prefix(err, _("cannot mount the disk of site %s"), site->name);
	return 0;
}

int ctui_rootfs_unmount(const struct ctui_config *cfg, const struct ctui_site *site,
			struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	int ret = 0;

	if (site->storage != CTUI_STORAGE_IMAGE)
		return 0;

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	if (ctui_rootfs_is_mounted(paths.mount) && umount2(paths.mount, UMOUNT_NOFOLLOW) < 0)
		ret = ctui_error_errno(err, errno, _("cannot unmount %s; is a process of the host "
						     "still using it?"),
				       paths.mount);
	ctui_rootfs_paths_free(&paths);
	return ret;
}

int rootfs_run(const char *const argv[], struct ctui_error *err)
{
	size_t n = 0;
	char **copy;
	int ret;

	while (argv[n])
		n++;
	copy = xcalloc(n + 1, sizeof *copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(argv[i]);
	ret = ctui_run_argv(copy, NULL, NULL, err);
	for (size_t i = 0; i < n; i++)
		free(copy[i]);
	free(copy);
	return ret;
}

/* Creates IMAGE with SIZE bytes (sparse) and an ext4 file system in it. */
int rootfs_image_create(const char *image, uint64_t size, struct ctui_error *err)
{
	const char *const mkfs[] = {
		"mkfs.ext4", "-q", "-F", "-m", "0", "-E", "root_owner=0:0", image, NULL,
	};
	cleanup_close int fd = open(image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot create %s"), image);
	if (ftruncate(fd, (off_t)size) < 0)
		return ctui_error_errno(err, errno, _("cannot size %s to %" PRIu64 " bytes"), image,
					size);
	if (rootfs_run(mkfs, err) < 0)
		return ctui_error_prefix(err, _("cannot make a file system in %s"), image);
	return 0;
}

/* Opens the loop device that the file system mounted on DIR lives on. */
static int open_mounted_device(const char *dir, char *device, size_t size,
			       struct ctui_error *err)
{
	struct stat st;
	int fd;

	if (stat(dir, &st) < 0)
		return ctui_error_errno(err, errno, _("cannot examine %s"), dir);
	if (major(st.st_dev) != LOOP_MAJOR)
		return ctui_error_set(err, EINVAL, _("%s is not on a loop device"), dir);
	snprintf(device, size, "/dev/loop%u", minor(st.st_dev));
	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s"), device);
	return fd;
}

/* Whether this process has CAP_SYS_RESOURCE, which ext4 requires for an
 * online resize (EXT4_IOC_RESIZE_FS fails with EPERM without it). */
static bool has_sys_resource(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t value = CAP_CLEAR;

	if (caps) {
		cap_get_flag(caps, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &value);
		cap_free(caps);
	}
	return value == CAP_SET;
}

/* Grows the mounted image PATHS->image to SIZE bytes: the file, then the
 * loop device's capacity, then the file system, online. */
static int grow_mounted(const struct ctui_rootfs_paths *paths, uint64_t size,
			struct ctui_error *err)
{
	char device[32];
	const char *const resize[] = { "resize2fs", device, NULL };
	cleanup_close int loop = -1;

	if (!has_sys_resource())
		return ctui_error_set(err, EPERM, _("growing the disk of a running site needs "
						    "CAP_SYS_RESOURCE, which ctui does not have "
						    "here: stop the site, grow its disk, and start "
						    "it again"));
	loop = open_mounted_device(paths->mount, device, sizeof device, err);
	if (loop < 0)
		return -1;
	if (truncate(paths->image, (off_t)size) < 0)
		return ctui_error_errno(err, errno, _("cannot grow %s to %" PRIu64 " bytes"),
					paths->image, size);
	if (ioctl(loop, LOOP_SET_CAPACITY, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot update the size of %s"), device);
	return rootfs_run(resize, err);
}

/* Grows the unmounted image PATHS->image to SIZE bytes: the file, then the
 * file system, which resize2fs resizes offline after a forced check. */
static int grow_unmounted(const struct ctui_rootfs_paths *paths, uint64_t size,
			  struct ctui_error *err)
{
	const char *const check[] = { "e2fsck", "-f", "-p", paths->image, NULL };
	const char *const resize[] = { "resize2fs", paths->image, NULL };

	if (rootfs_run(check, err) < 0)
		return ctui_error_prefix(err, _("check %s before resizing it"), paths->image);
	if (truncate(paths->image, (off_t)size) < 0)
		return ctui_error_errno(err, errno, _("cannot grow %s to %" PRIu64 " bytes"),
					paths->image, size);
	return rootfs_run(resize, err);
}

int ctui_rootfs_grow(const struct ctui_config *cfg, const struct ctui_site *site, uint64_t size,
		     struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	int ret;

	if (site->storage != CTUI_STORAGE_IMAGE)
		return ctui_error_set(err, EINVAL, _("site %s has %s storage, which has no disk "
						     "size"),
				      site->name, ctui_storage_name(site->storage));

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	if (ctui_rootfs_is_mounted(paths.mount))
		ret = grow_mounted(&paths, size, err);
	else
		ret = grow_unmounted(&paths, size, err);
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		return ctui_error_prefix(err, _("cannot grow the disk of site %s"), site->name);
	return 0;
}
