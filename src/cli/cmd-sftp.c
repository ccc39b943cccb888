/* ctui sftp NAME --key FILE | --password: the credentials of a site's SFTP
 * login. The password is read from the terminal or from standard input,
 * never from the command line, where other users could see it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fs.h"
#include "util/util.h"

#define PASSWORD_BUFFER 1026  /* 1024 bytes, a newline and the NUL */

static void usage(void)
{
	printf(_("Usage: ctui sftp NAME --key FILE\n"
		 "       ctui sftp NAME --password\n"
		 "Set how the site's SFTP login (user web) logs in. The site's SFTP server\n"
		 "serves /var/www, with the document root in html; `ctui status NAME` shows\n"
		 "the sftp command.\n"
		 "\n"
		 "  --key FILE      replace the login's public keys with those of FILE, an\n"
		 "                  OpenSSH .pub or authorized_keys file (- reads standard input)\n"
		 "  --password      set the login's password, read from the terminal without\n"
		 "                  echo, or as the first line of standard input\n"
		 "  -h, --help      show this help\n"));
}

/* Reads one line from standard input into BUFFER without its newline. On a
 * terminal the echo is off and the line is asked twice. */
static int read_password(char *buffer, size_t size, struct ctui_error *err)
{
	bool terminal = isatty(STDIN_FILENO);
	char again[PASSWORD_BUFFER];
	struct termios saved, quiet;

	if (terminal) {
		if (tcgetattr(STDIN_FILENO, &saved) < 0)
			return ctui_error_errno(err, errno, _("cannot read the terminal's settings"));
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fprintf(stderr, _("SFTP password: "));
	}
	if (!fgets(buffer, (int)size, stdin))
		buffer[0] = '\0';
	if (terminal) {
		fprintf(stderr, _("\nRepeat the password: "));
		if (!fgets(again, sizeof again, stdin))
			again[0] = '\0';
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}

	if (strlen(buffer) == size - 1 && buffer[size - 2] != '\n')
		return ctui_error_set(err, EINVAL, _("the password is longer than %zu bytes"),
				      size - 2);
	buffer[strcspn(buffer, "\r\n")] = '\0';
	if (terminal) {
		again[strcspn(again, "\r\n")] = '\0';
		if (strcmp(buffer, again) != 0)
			return ctui_error_set(err, EINVAL, _("the two passwords differ"));
		explicit_bzero(again, sizeof again);
	}
	if (!buffer[0])
		return ctui_error_set(err, EINVAL, _("empty password: type one, or give it as the "
						     "first line of standard input"));
	return 0;
}

static int read_keys(const char *path, char **keys, struct ctui_error *err)
{
	size_t len = 0;

	if (strcmp(path, "-") != 0)
		return ctui_read_file(path, keys, &len, err);

	*keys = xstrdup("");
	for (char line[4096]; fgets(line, sizeof line, stdin);) {
		char *longer = xasprintf("%s%s", *keys, line);

		free(*keys);
		*keys = longer;
	}
	return 0;
}

static int set_credential(struct cli *cli, const char *name, const char *key_file)
{
	struct ctui_error err = { 0 };
	char password[PASSWORD_BUFFER];
	cleanup_free char *keys = NULL;
	struct ctui_engine *engine;
	int ret;

	if (key_file)
		ret = read_keys(key_file, &keys, &err);
	else
		ret = read_password(password, sizeof password, &err);
	if (ret < 0) {
		explicit_bzero(password, sizeof password);
		return cli_fail(&err);
	}

	engine = cli_open_engine(cli);
	if (engine) {
		if (key_file)
			ret = ctui_site_sftp_set_keys(engine, name, keys, &err);
		else
			ret = ctui_site_sftp_set_password(engine, name, password, &err);
		ctui_engine_close(engine);
	}
	explicit_bzero(password, sizeof password);
	if (!engine)
		return CLI_FAILED;
	if (ret < 0)
		return cli_fail(&err);
	printf(key_file ? _("The SFTP keys of site %s are set.\n") :
			  _("The SFTP password of site %s is set.\n"),
	       name);
	return CLI_OK;
}

int cmd_sftp(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "password", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_file = NULL;
	bool password = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'k':
			key_file = optarg;
			break;
		case 'p':
			password = true;
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("sftp", opt, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("sftp", _("expected one site name"));
	if (!key_file == !password)
		return cli_usage_error("sftp", _("expected either --key FILE or --password"));
	return set_credential(cli, argv[optind], key_file);
}
