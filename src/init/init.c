/* ctui-init: PID 1 of a site's container.
 *
 *   ctui-init [--stop-timeout SECONDS] [--start-timeout SECONDS]
 *             --service NAME COMMAND [--stop COMMAND] [--health COMMAND]
 *             [--service NAME COMMAND [--stop COMMAND] [--health COMMAND]]...
 *
 * Starts each service in order as "/bin/sh -c COMMAND" in its own process
 * group, reaps every child (orphans of the PID namespace come to PID 1), and
 * logs one line per event on stdout. A service with a health command must
 * pass it (exit 0, retried every 200 ms) before the next service starts.
 * When the check does not pass within the start timeout (30 s unless given),
 * init stops what it started and exits 1.
 *
 * SIGTERM, SIGINT or SIGPWR stops the services in reverse order. For each:
 * its stop command, if any, then up to the stop timeout (5 s unless given)
 * for the service to exit; then SIGTERM to its process group and another
 * stop timeout; then SIGKILL. Finally SIGKILL to whatever else remains, and
 * exit 0. Services run for the site's whole life: when one exits on its
 * own, init stops the others the same way and exits 1, so that the site
 * shows as crashed instead of running on without its web server.
 *
 * Linked statically against libc only: it runs inside the site's root file
 * system, where none of the host's libraries exist. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SERVICES 64
#define DEFAULT_STOP_TIMEOUT 5
#define DEFAULT_START_TIMEOUT 30
#define KILL_WAIT 2
#define HEALTH_RETRY_MS 200

struct service {
	const char *name;
	const char *command;
	const char *stop;    /* NULL: SIGTERM only */
	const char *health;  /* NULL: the next service starts at once */
	pid_t pid;        /* the shell's pid, also the process group; 0 once it exited */
};

/* A stop or health command that init runs and waits for. */
struct helper {
	pid_t pid;        /* 0 once it exited */
	int status;       /* its wait status */
};

static struct service services[MAX_SERVICES];
static size_t n_services;
static unsigned stop_timeout = DEFAULT_STOP_TIMEOUT;
static unsigned start_timeout = DEFAULT_START_TIMEOUT;
static struct helper helper;
static sigset_t handled_signals, original_mask;
static bool stopping;

/* Writes "TIME ctui-init: MESSAGE" as one line with one write(), so lines
 * from init and from the services never interleave mid-line. */
__attribute__((format(printf, 1, 2))) static void log_line(const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec now;
	struct tm tm;
	size_t len;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	len = (size_t)snprintf(line, sizeof line, "%s ctui-init: ", stamp);
	va_start(ap, fmt);
	vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(line);
	line[len++] = '\n';
	if (write(STDOUT_FILENO, line, len) < 0) {
		/* Nowhere else to report to. */
	}
}

static const char *signal_name(int signo)
{
	const char *name = sigabbrev_np(signo);

	return name ? name : "?";
}

static void usage(void)
{
	fprintf(stderr, "usage: ctui-init [--stop-timeout SECONDS] [--start-timeout SECONDS] "
			"--service NAME COMMAND [--stop COMMAND] [--health COMMAND]...\n");
}

/* Parses a number of seconds from 1 to 3600 for OPTION. */
static int parse_seconds(const char *option, const char *text, unsigned *out)
{
	char *end;
	unsigned long value = strtoul(text, &end, 10);

	if (*end || end == text || value < 1 || value > 3600) {
		fprintf(stderr, "ctui-init: invalid %s %s: expected 1 to 3600 seconds\n", option, text);
		return -1;
	}
	*out = (unsigned)value;
	return 0;
}

static int add_service(const char *name, const char *command)
{
	if (n_services == MAX_SERVICES) {
		fprintf(stderr, "ctui-init: more than %d services\n", MAX_SERVICES);
		return -1;
	}
	if (!*name || !*command) {
		fprintf(stderr, "ctui-init: empty service name or command\n");
		return -1;
	}
	services[n_services].name = name;
	services[n_services].command = command;
	n_services++;
	return 0;
}

/* Sets the --stop or --health COMMAND of the service named last. */
static int set_service_command(const char *option, const char *command, const char **slot)
{
	if (!slot || !*command || *slot) {
		fprintf(stderr, "ctui-init: %s needs a non-empty COMMAND, once, after --service\n",
			option);
		return -1;
	}
	*slot = command;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct service *last = n_services ? &services[n_services - 1] : NULL;
		int ret;

		if (strcmp(argv[i], "--service") == 0 && i + 2 < argc) {
			ret = add_service(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(argv[i], "--stop") == 0 && i + 1 < argc) {
			ret = set_service_command("--stop", argv[++i], last ? &last->stop : NULL);
		} else if (strcmp(argv[i], "--health") == 0 && i + 1 < argc) {
			ret = set_service_command("--health", argv[++i], last ? &last->health : NULL);
		} else if (strcmp(argv[i], "--stop-timeout") == 0 && i + 1 < argc) {
			ret = parse_seconds("stop timeout", argv[++i], &stop_timeout);
		} else if (strcmp(argv[i], "--start-timeout") == 0 && i + 1 < argc) {
			ret = parse_seconds("start timeout", argv[++i], &start_timeout);
		} else {
			usage();
			ret = -1;
		}
		if (ret < 0)
			return -1;
	}
	if (n_services == 0) {
		usage();
		return -1;
	}
	return 0;
}

/* Runs "/bin/sh -c COMMAND" in a new process group with the signal mask
 * init was started with. Returns its pid, or -1 with errno set. */
static pid_t spawn(const char *command)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* Blocked signals survive exec: give the command a clean mask. */
		sigprocmask(SIG_SETMASK, &original_mask, NULL);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		log_line("cannot run /bin/sh: %s", strerror(errno));
		_exit(127);
	}

	/* Both sides set the group, so signals to it work whichever runs first. */
	setpgid(pid, pid);
	return pid;
}

static void start_service(struct service *s)
{
	pid_t pid = spawn(s->command);

	if (pid < 0) {
		log_line("cannot start service %s: fork: %s", s->name, strerror(errno));
		return;
	}
	s->pid = pid;
	log_line("service %s started, pid %d", s->name, (int)pid);
}

static void record_exit(pid_t pid, int status)
{
	if (helper.pid && helper.pid == pid) {
		helper.pid = 0;
		helper.status = status;
		return;
	}

	for (size_t i = 0; i < n_services; i++) {
		struct service *s = &services[i];

		if (s->pid != pid)
			continue;
		s->pid = 0;
		if (WIFEXITED(status))
			log_line("service %s exited with status %d", s->name, WEXITSTATUS(status));
		else
			log_line("service %s killed by SIG%s", s->name,
				 signal_name(WTERMSIG(status)));
		return;
	}
}

/* Reaps every child that has exited: services, helpers and orphans alike. */
static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		record_exit(pid, status);
}

/* The first service that is no longer running, or NULL. */
static const struct service *first_ended(void)
{
	for (size_t i = 0; i < n_services; i++)
		if (!services[i].pid)
			return &services[i];
	return NULL;
}

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void stop_all(int signo, int exit_status);

/* Waits until *PID is 0 (the reaper clears it) or DEADLINE_MS passes,
 * reaping whatever exits meanwhile. Outside a stop, a stop signal that
 * arrives begins the stop at once; during one, signals other than SIGCHLD
 * wait. */
static void wait_for_exit(const pid_t *pid, long long deadline_ms)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);

	reap();
	while (*pid) {
		long long left = deadline_ms - now_ms();
		struct timespec timeout;
		int signo;

		if (left <= 0)
			return;
		timeout.tv_sec = left / 1000;
		timeout.tv_nsec = (left % 1000) * 1000000L;
		signo = sigtimedwait(stopping ? &chld : &handled_signals, NULL, &timeout);
		if (signo == SIGTERM || signo == SIGINT || signo == SIGPWR)
			stop_all(signo, 0);
		reap();
	}
}

/* Sleeps MS milliseconds, reaping children and taking stop signals. */
static void pause_ms(long long ms)
{
	pid_t never = 1;

	wait_for_exit(&never, now_ms() + ms);
}

/* Runs COMMAND for WHAT and waits for it until DEADLINE_MS; a command still
 * running then is killed with its process group. Returns its exit status, or
 * -1 when it could not run, was killed or timed out. */
static int run_helper(const char *what, const char *command, long long deadline_ms)
{
	helper.pid = spawn(command);
	if (helper.pid < 0) {
		helper.pid = 0;
		log_line("cannot run the %s: fork: %s", what, strerror(errno));
		return -1;
	}

	wait_for_exit(&helper.pid, deadline_ms);
	if (helper.pid) {
		pid_t pid = helper.pid;

		log_line("the %s did not finish in time, killing it", what);
		kill(-pid, SIGKILL);
		wait_for_exit(&helper.pid, now_ms() + KILL_WAIT * 1000);
		helper.pid = 0;
		return -1;
	}
	if (!WIFEXITED(helper.status))
		return -1;
	return WEXITSTATUS(helper.status);
}

/* Retries S's health command until it passes, S exits or the start timeout
 * passes. Returns 0 once it passed. */
static int wait_healthy(struct service *s)
{
	long long deadline = now_ms() + (long long)start_timeout * 1000;
	char what[128];
	int status = -1;

	snprintf(what, sizeof what, "health check of service %s", s->name);
	while (s->pid && now_ms() < deadline) {
		status = run_helper(what, s->health, deadline);
		if (status == 0) {
			log_line("service %s is healthy", s->name);
			return 0;
		}
		pause_ms(HEALTH_RETRY_MS);
	}

	if (!s->pid)
		log_line("service %s exited before its health check passed", s->name);
	else
		log_line("service %s failed its health check for %u s (last status %d)", s->name,
			 start_timeout, status);
	return -1;
}

/* Stops S: its stop command and up to the stop timeout for S to exit, then
 * SIGTERM and another stop timeout, then SIGKILL. */
static void stop_service(struct service *s)
{
	long long step = (long long)stop_timeout * 1000;
	char what[128];

	if (!s->pid)
		return;

	if (s->stop) {
		long long deadline = now_ms() + step;
		int status;

		log_line("stopping service %s with its stop command", s->name);
		snprintf(what, sizeof what, "stop command of service %s", s->name);
		status = run_helper(what, s->stop, deadline);
		if (status != 0)
			log_line("the stop command of service %s failed (status %d)", s->name, status);
		wait_for_exit(&s->pid, deadline);
		if (!s->pid)
			return;
		log_line("service %s still running after its stop command, sending SIGTERM", s->name);
	} else {
		log_line("stopping service %s with SIGTERM", s->name);
	}

	kill(-s->pid, SIGTERM);
	wait_for_exit(&s->pid, now_ms() + step);
	if (!s->pid)
		return;

	log_line("service %s still running after %u s, sending SIGKILL", s->name, stop_timeout);
	kill(-s->pid, SIGKILL);
	wait_for_exit(&s->pid, now_ms() + KILL_WAIT * 1000);
}

/* Stops every service in reverse order, ends what remains, and exits with
 * EXIT_STATUS. SIGNO 0 means init stops on its own (a failed health check or
 * a service that ended). */
static void stop_all(int signo, int exit_status)
{
	int status;

	stopping = true;
	if (helper.pid)
		kill(-helper.pid, SIGKILL);
	if (signo)
		log_line("received SIG%s, stopping the services", signal_name(signo));
	else
		log_line("stopping the services");
	for (size_t i = n_services; i-- > 0;)
		stop_service(&services[i]);

	/* Ends processes that left their service's group (daemons, orphans).
	 * From PID 1 of a namespace, -1 reaches every process in it but init.
	 * Outside a PID namespace it would reach the whole host, so only PID 1
	 * sends it. */
	if (getpid() == 1) {
		kill(-1, SIGKILL);
		while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
			;
	}
	reap();
	log_line("all services stopped");
	exit(exit_status);
}

/* Starts the services in order, each after the previous one's health check
 * passed. A failed health check stops everything and exits 1. */
static void start_all(void)
{
	log_line("starting %zu service%s", n_services, n_services == 1 ? "" : "s");
	for (size_t i = 0; i < n_services; i++) {
		start_service(&services[i]);
		if (services[i].health && services[i].pid && wait_healthy(&services[i]) < 0)
			stop_all(0, 1);
	}
}

int main(int argc, char **argv)
{
	siginfo_t info;

	if (parse_args(argc, argv) < 0)
		return 2;

	/* Outside a PID namespace (in tests), become the reaper of orphans as
	 * PID 1 would be. */
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Signals are taken synchronously with sigwaitinfo(). Blocked signals
	 * also reach PID 1, which drops signals without a handler. */
	sigemptyset(&handled_signals);
	sigaddset(&handled_signals, SIGCHLD);
	sigaddset(&handled_signals, SIGTERM);
	sigaddset(&handled_signals, SIGINT);
	sigaddset(&handled_signals, SIGPWR);
	sigaddset(&handled_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &handled_signals, &original_mask);

	start_all();
	for (;;) {
		const struct service *ended;
		int signo;

		reap();
		ended = first_ended();
		if (ended) {
			log_line("service %s has ended, so the site stops", ended->name);
			stop_all(0, 1);
		}

		signo = sigwaitinfo(&handled_signals, &info);
		if (signo == SIGTERM || signo == SIGINT || signo == SIGPWR)
			stop_all(signo, 0);
		else if (signo == SIGHUP)
			log_line("ignoring SIGHUP");
	}
}
