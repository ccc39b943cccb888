/* The command line: one file per verb, registered in the table in main.c. */
#ifndef CTUI_CLI_H
#define CTUI_CLI_H

#include <time.h>

#include "ctui/backup.h"
#include "ctui/engine.h"

/* Exit statuses. */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1,
	CLI_USAGE = 2,
};

struct cli {
	const char *config_path;  /* --config, or NULL for the default */
	const char *actor;        /* who runs ctui, for the event log */
	const char *as_user;      /* --as: the LDAP user id on whose behalf, or NULL */
};

struct cli_verb {
	const char *name;
	const char *summary;      /* untranslated; shown through gettext */
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* Opens the engine, acting for --as when it was given, printing the error
 * and returning NULL on failure. */
struct ctui_engine *cli_open_engine(struct cli *cli);

/* Prints "ctui: MESSAGE" on stderr and returns CLI_FAILED. */
int cli_fail(const struct ctui_error *err);

/* Prints "ctui: VERB: MESSAGE" and a hint to run --help; returns CLI_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports the option that getopt_long() rejected, as a usage error of VERB.
 * OPT is what getopt_long() returned: ':' for a missing value, '?' for an
 * unknown option. It must run with opterr = 0 and an option string that
 * starts with ':', so that it prints nothing itself. */
int cli_option_error(const char *verb, int opt, char **argv);

/* Whether ARGV contains -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Parses "on" or "off" into *SETTING; returns -1 for anything else. */
int cli_parse_setting(const char *text, enum ctui_setting *setting);

int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_restart(struct cli *cli, int argc, char **argv);
int cmd_destroy(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_template(struct cli *cli, int argc, char **argv);
int cmd_upgrade(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_batch(struct cli *cli, int argc, char **argv);
int cmd_deploy(struct cli *cli, int argc, char **argv);
int cmd_rollback(struct cli *cli, int argc, char **argv);

/* Progress of backups and restores on stderr, only when it is a terminal:
 * _setup picks the printer (or none) and its context, _end clears the line. */
void cli_backup_progress(void *ctx, const struct ctui_backup_progress *progress);
void cli_backup_progress_setup(ctui_backup_progress_fn *fn, void **ctx, struct timespec *last);
void cli_backup_progress_end(ctui_backup_progress_fn fn);
int cmd_set(struct cli *cli, int argc, char **argv);
int cmd_tls(struct cli *cli, int argc, char **argv);
int cmd_sftp(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);

#endif
