/* logs SITE: the end of a site's Apache access or error log, and with
 * --follow the lines written after it. The log files belong to the site,
 * which may have planted symbolic links or control characters in them: no
 * link is followed, and control characters are printed as '?'. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fs.h"
#include "ctui/site.h"
#include "util/util.h"

#define DEFAULT_LINES 20
#define MAX_LINES 100000
#define FOLLOW_INTERVAL_MS 250

static void usage(void)
{
	printf(_("Usage: ctui logs SITE [--error] [--lines N] [--follow]\n"
		 "Print the last lines of the site's Apache access log (/var/log/apache2/access.log\n"
		 "inside the site), with each client's address.\n"
		 "\n"
		 "  -e, --error      the error log instead\n"
		 "  -n, --lines N    how many lines (default 20, 0 prints none)\n"
		 "  -f, --follow     then print new lines as Apache writes them, until Ctrl-C\n"
		 "  -h, --help       show this help\n"));
}

/* Whether the last byte that print_clean() saw was 0xC2, the first byte of
 * the UTF-8 form of U+0080 to U+00BF. That byte waits for the next one,
 * which may come in the next block. */
static bool held_c2;

/* Writes LEN bytes of TEXT to stdout with every control character other
 * than newline and tab replaced by '?', so that a log line cannot drive the
 * administrator's terminal. That covers C0, DEL and the C1 controls U+0080
 * to U+009F in UTF-8 (0xC2 0x80 to 0xC2 0x9F), among them CSI. */
static void print_clean(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (held_c2) {
			held_c2 = false;
			if (c >= 0x80 && c <= 0x9f) {
				putchar('?');
				continue;
			}
			putchar(0xc2);
		}
		if (c == 0xc2) {
			held_c2 = true;
			continue;
		}
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			c = '?';
		putchar(c);
	}
}

/* Returns the offset in FD where its last LINES lines start, reading
 * backwards from SIZE. A last line without its newline counts as a line. */
static off_t tail_start(int fd, off_t size, long lines)
{
	char block[8192];
	off_t pos = size;
	long seen = 0;

	if (lines == 0)
		return size;
	while (pos > 0) {
		size_t n = pos < (off_t)sizeof block ? (size_t)pos : sizeof block;
		ssize_t got = pread(fd, block, n, pos - (off_t)n);

		if (got != (ssize_t)n)
			return 0;
		for (size_t i = n; i-- > 0;) {
			/* The newline that ends the file does not start a line. */
			if (block[i] == '\n' && pos - (off_t)n + (off_t)i != size - 1 &&
			    ++seen == lines)
				return pos - (off_t)n + (off_t)i + 1;
		}
		pos -= (off_t)n;
	}
	return 0;
}

/* Prints FD from OFFSET to its end and returns the offset reached. */
static off_t print_from(int fd, off_t offset)
{
	char block[8192];
	ssize_t got;

	while ((got = pread(fd, block, sizeof block, offset)) > 0) {
		print_clean(block, (size_t)got);
		offset += got;
	}
	fflush(stdout);
	return offset;
}

/* Opens NAME in the log directory DIR_FD: a regular file only, without
 * following a link, and without waiting on a FIFO that the site put there.
 * RUNNING selects the message for a missing file. */
static int open_log(int dir_fd, const char *dir, const char *name, bool running,
		    struct ctui_error *err)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int saved = errno;
	struct stat st;

	if (fd < 0 && fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return ctui_error_set(err, ELOOP,
					      _("cannot open %s/%s: it is a symbolic link, which "
						"ctui does not follow in a site's files"),
					      dir, name);
		if (!S_ISREG(st.st_mode))
			return ctui_error_set(err, EINVAL, _("%s/%s is not a regular file"), dir,
					      name);
	}
	if (fd < 0 && saved == ENOENT && running)
		return ctui_error_set(err, ENOENT,
				      _("no %s in %s: the site's Apache writes no such log"), name,
				      dir);
	if (fd < 0 && saved == ENOENT)
		return ctui_error_set(err, ENOENT,
				      _("no %s in %s yet: Apache writes it once the site runs"),
				      name, dir);
	if (fd < 0)
		return ctui_error_errno(err, saved, _("cannot open %s/%s"), dir, name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctui_error_set(err, EINVAL, _("%s/%s is not a regular file"), dir, name);
	}
	return fd;
}

/* The state of --follow: the log file and its directory, and for a running
 * site a pidfd of its init, which becomes readable when the site stops. */
struct follower {
	const char *site;
	const char *dir;
	const char *name;
	int dir_fd;
	int fd;
	int init_pidfd;  /* -1 for a stopped site */
};

/* Prints what is added to the log from OFFSET on, until a signal ends the
 * process or the site stops. A log that shrinks was truncated and is read
 * again from its start. A new file under the same name (after a rotation)
 * is opened once the old one has been read to its end. The follower lets
 * go of the site's files when the site stops, so that they do not keep its
 * file system mounted. */
static void follow(struct follower *f, off_t offset)
{
	struct ctui_error ignored;

	for (;;) {
		struct pollfd stopped = { .fd = f->init_pidfd, .events = POLLIN };
		struct stat now, named;
		bool site_stopped, readable;
		int next;

		site_stopped = poll(&stopped, 1, FOLLOW_INTERVAL_MS) > 0;
		readable = fstat(f->fd, &now) == 0;
		if (readable) {
			if (now.st_size < offset)
				offset = 0;
			offset = print_from(f->fd, offset);
		}
		if (site_stopped) {
			fputs("ctui logs: ", stderr);
			fprintf(stderr, _("site %s stopped\n"), f->site);
			return;
		}

		/* The rotation check compares with the file read so far. */
		if (!readable)
			continue;
		next = open_log(f->dir_fd, f->dir, f->name, false, &ignored);
		if (next < 0)
			continue;
		if (fstat(next, &named) == 0 &&
		    (named.st_ino != now.st_ino || named.st_dev != now.st_dev)) {
			close(f->fd);
			f->fd = next;
			offset = 0;
		} else {
			close(next);
		}
	}
}

static int parse_lines(const char *text, long *lines)
{
	char *end;

	/* Digits only: strtol() would also take spaces and a sign, and "+2"
	 * means "from line 2" to tail. */
	errno = 0;
	*lines = strtol(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || errno || *end || *lines > MAX_LINES)
		return cli_usage_error("logs", _("--lines: expected a number from 0 to %d, not "
						 "\"%s\""),
				       MAX_LINES, text);
	return CLI_OK;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "error", no_argument, NULL, 'e' },
		{ "lines", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctui_site_paths paths = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	struct ctui_site site;
	const char *name = "access.log";
	cleanup_free char *dir = NULL;
	cleanup_close int dir_fd = -1;
	cleanup_close int fd = -1;
	cleanup_close int init_pidfd = -1;
	long lines = DEFAULT_LINES;
	bool following = false, running = false;
	struct stat st;
	off_t end;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":en:fh", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			name = "error.log";
			break;
		case 'n':
			if (parse_lines(optarg, &lines) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'f':
			following = true;
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("logs", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("logs", _("expected one site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = ctui_site_get(engine, argv[optind], &site, &err);
	if (ret == 0) {
		/* Opened before the files, so that a stop in between is seen. */
		running = (site.state == CTUI_STATE_RUNNING || site.state == CTUI_STATE_STARTING) &&
			  site.init_pid > 0;
		if (running)
			init_pidfd = (int)syscall(SYS_pidfd_open, site.init_pid, 0);
		ret = ctui_site_paths(engine, &site, &paths, &err);
	}
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);

	dir = xasprintf("%s/%s", paths.root, paths.log_dir);
	dir_fd = ctui_open_dir_nofollow(paths.root, paths.log_dir, &err);
	ctui_site_paths_free(&paths);
	if (dir_fd < 0 && err.code == ENOENT && !running)
		ctui_error_set(&err, ENOENT, _("no %s in %s yet: Apache writes it once the site runs"),
			       name, dir);
	if (dir_fd < 0)
		return cli_fail(&err);
	fd = open_log(dir_fd, dir, name, running, &err);
	if (fd < 0)
		return cli_fail(&err);

	if (fstat(fd, &st) < 0) {
		ctui_error_errno(&err, errno, _("cannot read %s/%s"), dir, name);
		return cli_fail(&err);
	}
	end = print_from(fd, tail_start(fd, st.st_size, lines));
	if (following) {
		struct follower f = { .site = site.name, .dir = dir, .name = name,
				      .dir_fd = dir_fd, .fd = fd, .init_pidfd = init_pidfd };

		follow(&f, end);
		fd = f.fd;
	}
	/* A 0xC2 at the very end of the log starts no character. */
	if (held_c2)
		putchar('?');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctui_error_errno(&err, errno, _("cannot write to the standard output"));
		return cli_fail(&err);
	}
	return CLI_OK;
}
