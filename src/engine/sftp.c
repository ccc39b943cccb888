/* A site's SFTP server inside the site: the files written at creation and
 * the credentials that `ctui sftp` changes later. */
#include "engine/sftp.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/auth.h"
#include "engine/engine-internal.h"
#include "engine/rootfs.h"
#include "util/fs.h"
#include "util/run.h"
#include "ctui/validate.h"
#include "util/util.h"

#define CONF_PATH "etc/ssh/ctui-sftp.conf"
#define KEY_DIR "etc/ssh/ctui-sftp"
#define PASSWORD_MAX 1024
#define AUTHORIZED_KEYS_MAX (64 * 1024)

/* sshd reads only this file (-f in the template's service). Every setting
 * that could open more than SFTP in the document root is off. sshd keeps the
 * first value of a keyword, and no other file is included. */
static const char sshd_conf[] =
	"# Written by ctui when it created this site: an SFTP-only server.\n"
	"# `ctui sftp` changes the login's key and password; do not edit them here.\n"
	"Port 22\n"
	"HostKey /" KEY_DIR "/ssh_host_ed25519_key\n"
	"PidFile none\n"
	"UsePAM no\n"
	"PermitRootLogin no\n"
	"AllowUsers " CTUI_SFTP_USER "\n"
	"AuthorizedKeysFile /" KEY_DIR "/authorized_keys\n"
	"PubkeyAuthentication yes\n"
	"PasswordAuthentication yes\n"
	"PermitEmptyPasswords no\n"
	"KbdInteractiveAuthentication no\n"
	"MaxAuthTries 3\n"
	"ChrootDirectory /var/www\n"
	"ForceCommand internal-sftp\n"
	"Subsystem sftp internal-sftp\n"
	"DisableForwarding yes\n"
	"PermitTunnel no\n"
	"PermitTTY no\n"
	"PermitUserRC no\n"
	"X11Forwarding no\n";

/* Appends LINE to the account file RELATIVE of the upper layer, starting
 * from the upper copy if there is one, else from the template's. */
static int add_account_line(const char *upper, const char *lower, const char *relative,
			    const char *line, mode_t mode, struct ctui_error *err)
{
	cleanup_free char *upper_path = xasprintf("%s/%s", upper, relative);
	cleanup_free char *lower_path = xasprintf("%s/%s", lower, relative);
	cleanup_free char *text = NULL;
	cleanup_free char *added = NULL;
	size_t len = 0;

	if (ctui_read_file(ctui_path_exists(upper_path) ? upper_path : lower_path, &text, &len,
			   err) < 0)
		return -1;
	if (!strncmp(text, CTUI_SFTP_USER ":", strlen(CTUI_SFTP_USER ":")) ||
	    strstr(text, "\n" CTUI_SFTP_USER ":"))
		return ctui_error_set(err, EEXIST, _("the template already has a user %s in /%s"),
				      CTUI_SFTP_USER, relative);

	added = xasprintf("%s%s%s\n", text, len && text[len - 1] != '\n' ? "\n" : "", line);
	return ctui_write_file_atomic(upper_path, added, strlen(added), mode, err);
}

static int add_account(const char *upper, const char *lower, struct ctui_error *err)
{
	cleanup_free char *passwd = xasprintf("%s:x:%d:%d:SFTP login:/html:/usr/sbin/nologin",
					      CTUI_SFTP_USER, CTUI_SFTP_UID, CTUI_SFTP_UID);
	cleanup_free char *group = xasprintf("%s:x:%d:", CTUI_SFTP_USER, CTUI_SFTP_UID);
	/* "*" matches no password, but unlike "!" sshd does not take the
	 * account for locked, so a key still logs in. The aging fields stay
	 * empty: a last change of 0 would make sshd demand a new password. */
	cleanup_free char *shadow = xasprintf("%s:*:::::::", CTUI_SFTP_USER);

	if (add_account_line(upper, lower, "etc/passwd", passwd, 0644, err) < 0 ||
	    add_account_line(upper, lower, "etc/group", group, 0644, err) < 0 ||
	    add_account_line(upper, lower, "etc/shadow", shadow, 0640, err) < 0)
		return ctui_error_prefix(err, _("add the SFTP login"));
	return 0;
}

static int generate_host_key(const char *site, const char *key_dir, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/ssh_host_ed25519_key", key_dir);
	cleanup_free char *comment = xasprintf("ctui site %s", site);
	char quiet[] = "-q", type_flag[] = "-t", type[] = "ed25519", passphrase_flag[] = "-N";
	char passphrase[] = "", comment_flag[] = "-C", file_flag[] = "-f";
	char *const args[] = { quiet, type_flag, type, passphrase_flag, passphrase, comment_flag,
			       comment, file_flag, path, NULL };

	if (ctui_run("ssh-keygen", args, NULL, NULL, err) < 0)
		return ctui_error_prefix(err, _("generate the SFTP host key %s"), path);
	return 0;
}

/* The document root and the page rootfs.c wrote there become the login's. */
static int give_document_root(const char *upper, struct ctui_error *err)
{
	const char *const paths[] = { "var/www/html", "var/www/html/index.html" };

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		cleanup_free char *path = xasprintf("%s/%s", upper, paths[i]);

		if (lchown(path, CTUI_SFTP_UID, CTUI_SFTP_UID) < 0 && errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot change the owner of %s"), path);
	}
	return 0;
}

int ctui_sftp_prepare_site(const struct ctui_config *cfg, const struct ctui_site *site,
			   const char *lower, struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	cleanup_free char *conf = NULL;
	cleanup_free char *key_dir = NULL;
	cleanup_free char *keys = NULL;
	struct ctui_error unmount_err;
	bool mounted;
	int ret = 0;

	/* An image site's upper layer is inside its image. */
	if (ctui_rootfs_mount(cfg, site, &mounted, err) < 0)
		return ctui_error_prefix(err, _("set up the SFTP server"));
	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	conf = xasprintf("%s/" CONF_PATH, paths.upper);
	key_dir = xasprintf("%s/" KEY_DIR, paths.upper);
	keys = xasprintf("%s/authorized_keys", key_dir);

	if (!ctui_path_exists(conf)) {
		if (ctui_mkdir_p(key_dir, 0755, err) < 0 ||
		    generate_host_key(site->name, key_dir, err) < 0 ||
		    ctui_write_file_atomic(keys, "", 0, 0644, err) < 0 ||
		    add_account(paths.upper, lower, err) < 0 || give_document_root(paths.upper, err) < 0 ||
		    ctui_write_file_atomic(conf, sshd_conf, strlen(sshd_conf), 0644, err) < 0)
			ret = ctui_error_prefix(err, _("set up the SFTP server"));
	}
	ctui_rootfs_paths_free(&paths);
	if (mounted && ctui_rootfs_unmount(cfg, site, ret < 0 ? &unmount_err : err) < 0)
		ret = -1;
	return ret;
}

/* Opens PATH below ROOT_FD as if ROOT_FD were "/": the site may have planted
 * symbolic links, and an absolute one must not lead to the host's files. */
static int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/* Reads the regular file PATH below ROOT_FD, at most MAX bytes, with its
 * status for the rewrite. */
static int read_in_root(int root_fd, const char *path, size_t max, char **text, struct stat *st,
			struct ctui_error *err)
{
	cleanup_close int fd = open_in_root(root_fd, path, O_RDONLY | O_NOFOLLOW);
	cleanup_free char *buffer = NULL;
	ssize_t n;

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open /%s in the site"), path);
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || (size_t)st->st_size > max)
		return ctui_error_set(err, EINVAL, _("/%s in the site is not a regular file of at "
						     "most %zu bytes"),
				      path, max);

	buffer = xmalloc((size_t)st->st_size + 1);
	n = read(fd, buffer, (size_t)st->st_size);
	if (n < 0)
		return ctui_error_errno(err, errno, _("cannot read /%s in the site"), path);
	buffer[n] = '\0';
	*text = steal_pointer(&buffer);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replaces DIR/NAME below ROOT_FD with TEXT, with the owner and mode of
 * LIKE, through a temporary file renamed over it. */
static int write_in_root(int root_fd, const char *dir, const char *name, const char *text,
			 const struct stat *like, struct ctui_error *err)
{
	cleanup_close int dir_fd = open_in_root(root_fd, dir, O_PATH | O_DIRECTORY);
	cleanup_free char *tmp = xasprintf(".%s.ctui-new", name);
	cleanup_close int fd = -1;

	if (dir_fd < 0)
		return ctui_error_errno(err, errno, _("cannot open /%s in the site"), dir);
	if (unlinkat(dir_fd, tmp, 0) < 0 && errno != ENOENT)
		return ctui_error_errno(err, errno, _("cannot remove /%s/%s in the site"), dir, tmp);

	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot create /%s/%s in the site"), dir, tmp);
	if (fchown(fd, like->st_uid, like->st_gid) < 0 || fchmod(fd, like->st_mode & 07777) < 0 ||
	    write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ||
	    renameat(dir_fd, tmp, dir_fd, name) < 0) {
		int saved = errno;

		unlinkat(dir_fd, tmp, 0);
		return ctui_error_errno(err, saved, _("cannot write /%s/%s in the site"), dir, name);
	}
	return 0;
}

static const char *const key_types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
};

static bool is_key_type(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++)
		if (strlen(key_types[i]) == len && !strncmp(word, key_types[i], len))
			return true;
	return false;
}

/* One authorized_keys line without options: TYPE BASE64 [COMMENT]. Options
 * such as from= or command= are not accepted, so that a key file always
 * means the same as what `ctui sftp` checked. */
static bool is_public_key_line(const char *line)
{
	size_t type_len = strcspn(line, " \t");
	const char *data = line + type_len + strspn(line + type_len, " \t");
	size_t data_len = strspn(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

	for (const char *c = line; *c; c++)
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return false;
	return is_key_type(line, type_len) && data_len >= 16 &&
	       (data[data_len] == '\0' || data[data_len] == ' ' || data[data_len] == '\t');
}

/* Checks KEYS line by line and returns them without blank and comment lines. */
static int normalize_keys(const char *keys, char **out, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(keys);
	char *result = xstrdup("");
	unsigned line_no = 0, count = 0;
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *longer;

		line_no++;
		line[strcspn(line, "\r")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (!is_public_key_line(line)) {
			free(result);
			return ctui_error_set(err, EINVAL, _("line %u is not an OpenSSH public key: "
							     "expected TYPE BASE64 [COMMENT], such "
							     "as the content of ~/.ssh/id_ed25519.pub, "
							     "without options"),
					      line_no);
		}
		longer = xasprintf("%s%s\n", result, line);
		free(result);
		result = longer;
		count++;
	}
	if (count == 0) {
		free(result);
		return ctui_error_set(err, EINVAL, _("no public key found: give the .pub file of "
						     "an OpenSSH key pair"));
	}
	*out = result;
	return 0;
}

/* Hashes PASSWORD with yescrypt, the default of Debian 12's passwd. */
static int hash_password(const char *password, char **hash, struct ctui_error *err)
{
	cleanup_free struct crypt_data *data = xcalloc(1, sizeof *data);
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *result;

	*hash = NULL;
	if (!password[0] || strlen(password) > PASSWORD_MAX)
		return ctui_error_set(err, EINVAL, _("the password must have 1 to %d bytes"),
				      PASSWORD_MAX);
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt))
		return ctui_error_errno(err, errno, _("cannot make a password salt"));

	errno = 0;
	result = crypt_r(password, salt, data);
	if (result && result[0] != '*')
		*hash = xstrdup(result);
	explicit_bzero(data, sizeof *data);
	if (!*hash)
		return ctui_error_errno(err, errno ? errno : EINVAL, _("cannot hash the password"));
	return 0;
}

/* Copies TEXT (an /etc/shadow) to *OUT with the login's password field set
 * to HASH. */
static int replace_shadow_hash(const char *text, const char *hash, char **out,
			       struct ctui_error *err)
{
	const char *prefix = CTUI_SFTP_USER ":";
	const char *line = text;
	const char *rest;

	while (line && strncmp(line, prefix, strlen(prefix)) != 0) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line || !*line)
		return ctui_error_set(err, ENOENT, _("the site's /etc/shadow has no user %s: the "
						     "site was created without an SFTP server"),
				      CTUI_SFTP_USER);

	rest = strchr(line + strlen(prefix), ':');
	if (!rest || memchr(line, '\n', (size_t)(rest - line)))
		return ctui_error_set(err, EINVAL, _("invalid line for user %s in the site's "
						     "/etc/shadow"),
				      CTUI_SFTP_USER);
	*out = xasprintf("%.*s%s%s", (int)(line - text + (long)strlen(prefix)), text, hash, rest);
	return 0;
}

/* A credential change, given the site's root directory ROOT_FD. */
typedef int (*credential_fn)(int root_fd, const char *value, struct ctui_error *err);

static int store_keys(int root_fd, const char *keys, struct ctui_error *err)
{
	cleanup_free char *normalized = NULL;
	cleanup_free char *old = NULL;
	struct stat st;

	if (normalize_keys(keys, &normalized, err) < 0)
		return -1;
	if (read_in_root(root_fd, KEY_DIR "/authorized_keys", AUTHORIZED_KEYS_MAX, &old, &st,
			 err) < 0)
		return -1;
	/* StrictModes: sshd ignores a key file that others may write. */
	st.st_uid = 0;
	st.st_mode = 0644;
	return write_in_root(root_fd, KEY_DIR, "authorized_keys", normalized, &st, err);
}

static int store_password(int root_fd, const char *password, struct ctui_error *err)
{
	cleanup_free char *hash = NULL;
	cleanup_free char *old = NULL;
	cleanup_free char *updated = NULL;
	struct stat st;

	if (hash_password(password, &hash, err) < 0)
		return -1;
	if (read_in_root(root_fd, "etc/shadow", 1 << 20, &old, &st, err) < 0)
		return -1;
	if (replace_shadow_hash(old, hash, &updated, err) < 0)
		return -1;
	return write_in_root(root_fd, "etc", "shadow", updated, &st, err);
}

/* Runs STORE on NAME's root (the running site's, or its upper layer) under
 * the site's lock. */
static int change_credential(struct ctui_engine *engine, const char *name, credential_fn store,
			     const char *value, struct ctui_error *err)
{
	struct ctui_site_paths paths = { 0 };
	cleanup_close int root_fd = -1;
	struct ctui_error unmount_err;
	struct ctui_site site;
	bool mounted = false;
	int lock, ret = -1;

	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return -1;
	/* A stopped image site's files are inside its unmounted image. */
	if (engine_site_load(engine, name, &site, err) < 0 ||
	    ctui_rootfs_mount(&engine->cfg, &site, &mounted, err) < 0 ||
	    ctui_site_paths(engine, &site, &paths, err) < 0)
		goto out;

	root_fd = open(paths.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		ctui_error_errno(err, errno, _("cannot open the site's files %s"), paths.root);
		goto out;
	}
	ret = store(root_fd, value, err);
out:
	ctui_site_paths_free(&paths);
	if (mounted && ctui_rootfs_unmount(&engine->cfg, &site, ret < 0 ? &unmount_err : err) < 0)
		ret = -1;
	engine_unlock(lock);
	return ret;
}

int ctui_site_sftp_set_keys(struct ctui_engine *engine, const char *name, const char *keys,
			    struct ctui_error *err)
{
	int ret = ctui_validate_name(name, err);

	if (ret == 0 && engine_authorize(engine, "sftp key", name, err) < 0)
		return -1;
	if (ret == 0)
		ret = change_credential(engine, name, store_keys, keys, err);
	if (ret < 0)
		ctui_error_prefix(err, _("cannot set the SFTP key of site %s"), name);
	return engine_finish(engine, "sftp key", name, ret, err);
}

int ctui_site_sftp_set_password(struct ctui_engine *engine, const char *name,
				const char *password, struct ctui_error *err)
{
	int ret = ctui_validate_name(name, err);

	if (ret == 0 && engine_authorize(engine, "sftp password", name, err) < 0)
		return -1;
	if (ret == 0)
		ret = change_credential(engine, name, store_password, password, err);
	if (ret < 0)
		ctui_error_prefix(err, _("cannot set the SFTP password of site %s"), name);
	return engine_finish(engine, "sftp password", name, ret, err);
}

char *ctui_site_sftp_command(struct ctui_engine *engine, const struct ctui_site *site)
{
	struct ctui_error ignored = { 0 };
	unsigned port = 0;

	if (ctui_db_sftp_port_get(engine->db, site->name, &port, &ignored) < 0 || port == 0)
		return NULL;
	return xasprintf("sftp -P %u %s@%s", port, CTUI_SFTP_USER, site->domain);
}
