/* logs SITE: the end of a site's Apache access or error log, and with
 * --follow the lines written after it. The log files belong to the site,
 * which may have planted symbolic links or control characters in them: no
 * link is followed, and control characters are printed as '?'. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fs.h"
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

/* Writes LEN bytes of TEXT to stdout with every control character other
 * than newline and tab replaced by '?', so that a log line cannot drive the
 * administrator's terminal. */
static void print_clean(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

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

/* Opens NAME in the log directory DIR_FD without following a link. */
static int open_log(int dir_fd, const char *dir, const char *name, struct ctui_error *err)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ELOOP)
		return ctui_error_set(err, ELOOP,
				      _("cannot open %s/%s: it is a symbolic link, which ctui "
					"does not follow in a site's files"),
				      dir, name);
	if (fd < 0 && errno == ENOENT)
		return ctui_error_set(err, ENOENT,
				      _("no %s in %s yet: Apache writes it once the site runs"),
				      name, dir);
	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s/%s"), dir, name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctui_error_set(err, EINVAL, _("%s/%s is not a regular file"), dir, name);
	}
	return fd;
}

/* Prints what is added to the log FD from OFFSET on, until a signal ends
 * the process. This function takes FD over. A log that shrinks was
 * truncated and is read again from its start. A new file under the same name (after a
 * rotation) is opened once the old one has been read to its end. */
static void __attribute__((noreturn))
follow(int dir_fd, const char *dir, const char *name, int fd, off_t offset)
{
	const struct timespec interval = { 0, FOLLOW_INTERVAL_MS * 1000000L };
	struct ctui_error ignored;

	for (;;) {
		struct stat now, named;
		int next;

		nanosleep(&interval, NULL);
		if (fstat(fd, &now) < 0)
			continue;
		if (now.st_size < offset)
			offset = 0;
		offset = print_from(fd, offset);

		next = open_log(dir_fd, dir, name, &ignored);
		if (next < 0)
			continue;
		if (fstat(next, &named) == 0 &&
		    (named.st_ino != now.st_ino || named.st_dev != now.st_dev)) {
			close(fd);
			fd = next;
			offset = 0;
		} else {
			close(next);
		}
	}
}

static int parse_lines(const char *text, long *lines)
{
	char *end;

	errno = 0;
	*lines = strtol(text, &end, 10);
	if (errno || end == text || *end || *lines < 0 || *lines > MAX_LINES)
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
	long lines = DEFAULT_LINES;
	bool following = false;
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
	if (ret == 0)
		ret = ctui_site_paths(engine, &site, &paths, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);

	dir = xasprintf("%s/%s", paths.root, paths.log_dir);
	dir_fd = ctui_open_dir_nofollow(paths.root, paths.log_dir, &err);
	ctui_site_paths_free(&paths);
	if (dir_fd < 0 && err.code == ENOENT)
		ctui_error_set(&err, ENOENT, _("no %s in %s yet: Apache writes it once the site runs"),
			       name, dir);
	if (dir_fd < 0)
		return cli_fail(&err);
	fd = open_log(dir_fd, dir, name, &err);
	if (fd < 0)
		return cli_fail(&err);

	if (fstat(fd, &st) < 0) {
		ctui_error_errno(&err, errno, _("cannot read %s/%s"), dir, name);
		return cli_fail(&err);
	}
	end = print_from(fd, tail_start(fd, st.st_size, lines));
	if (following) {
		int owned = fd;

		fd = -1;
		follow(dir_fd, dir, name, owned, end);
	}
	return CLI_OK;
}
