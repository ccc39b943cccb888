/* ctui-init: PID 1 of a site's container.
 *
 *   ctui-init [--stop-timeout SECONDS] --service NAME COMMAND [--service NAME COMMAND]...
 *
 * Starts each service in order as "/bin/sh -c COMMAND" in its own process
 * group, reaps every child (orphans of the PID namespace come to PID 1), and
 * logs one line per event on stdout. SIGTERM, SIGINT or SIGPWR stops the
 * services in reverse order: SIGTERM to the service's process group, up to
 * the stop timeout (5 s unless given) for it to exit, then SIGKILL; finally
 * SIGKILL to whatever else remains, and exit 0. When every service has
 * exited on its own, init exits too: 0 when all exited with status 0,
 * 1 otherwise.
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
#define KILL_WAIT 2

struct service {
	const char *name;
	const char *command;
	pid_t pid;        /* the shell's pid, also the process group; 0 once it exited */
	bool failed;      /* exited with a non-zero status, on a signal, or never started */
};

static struct service services[MAX_SERVICES];
static size_t n_services;
static unsigned stop_timeout = DEFAULT_STOP_TIMEOUT;

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
	fprintf(stderr, "usage: ctui-init [--stop-timeout SECONDS] --service NAME COMMAND "
			"[--service NAME COMMAND]...\n");
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--service") == 0 && i + 2 < argc) {
			if (n_services == MAX_SERVICES) {
				fprintf(stderr, "ctui-init: more than %d services\n", MAX_SERVICES);
				return -1;
			}
			if (!*argv[i + 1] || !*argv[i + 2]) {
				fprintf(stderr, "ctui-init: empty service name or command\n");
				return -1;
			}
			services[n_services].name = argv[i + 1];
			services[n_services].command = argv[i + 2];
			n_services++;
			i += 2;
		} else if (strcmp(argv[i], "--stop-timeout") == 0 && i + 1 < argc) {
			char *end;
			unsigned long value = strtoul(argv[++i], &end, 10);

			if (*end || end == argv[i] || value < 1 || value > 3600) {
				fprintf(stderr, "ctui-init: invalid stop timeout %s: expected 1 to "
						"3600 seconds\n", argv[i]);
				return -1;
			}
			stop_timeout = (unsigned)value;
		} else {
			usage();
			return -1;
		}
	}
	if (n_services == 0) {
		usage();
		return -1;
	}
	return 0;
}

static void start_service(struct service *s, const sigset_t *child_mask)
{
	pid_t pid = fork();

	if (pid < 0) {
		s->failed = true;
		log_line("cannot start service %s: fork: %s", s->name, strerror(errno));
		return;
	}

	if (pid == 0) {
		/* Blocked signals survive exec: give the service a clean mask. */
		sigprocmask(SIG_SETMASK, child_mask, NULL);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", s->command, (char *)NULL);
		log_line("cannot start service %s: /bin/sh: %s", s->name, strerror(errno));
		_exit(127);
	}

	/* Both sides set the group, so signals to it work whichever runs first. */
	setpgid(pid, pid);
	s->pid = pid;
	log_line("service %s started, pid %d", s->name, (int)pid);
}

static void record_exit(pid_t pid, int status)
{
	for (size_t i = 0; i < n_services; i++) {
		struct service *s = &services[i];

		if (s->pid != pid)
			continue;
		s->pid = 0;
		if (WIFEXITED(status)) {
			s->failed = WEXITSTATUS(status) != 0;
			log_line("service %s exited with status %d", s->name, WEXITSTATUS(status));
		} else {
			s->failed = true;
			log_line("service %s killed by SIG%s", s->name,
				 signal_name(WTERMSIG(status)));
		}
		return;
	}
}

/* Reaps every child that has exited: services and orphans alike. */
static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		record_exit(pid, status);
}

static bool any_running(void)
{
	for (size_t i = 0; i < n_services; i++)
		if (services[i].pid)
			return true;
	return false;
}

static bool any_failed(void)
{
	for (size_t i = 0; i < n_services; i++)
		if (services[i].failed)
			return true;
	return false;
}

/* Waits up to SECONDS for S to exit, reaping whatever exits meanwhile. */
static void wait_service(struct service *s, unsigned seconds)
{
	struct timespec now, deadline, left;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;

	reap();
	while (s->pid) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return;
		sigtimedwait(&chld, NULL, &left);
		reap();
	}
}

static void stop_service(struct service *s)
{
	if (!s->pid)
		return;

	log_line("stopping service %s", s->name);
	kill(-s->pid, SIGTERM);
	wait_service(s, stop_timeout);
	if (!s->pid)
		return;

	log_line("service %s still running after %u s, sending SIGKILL", s->name, stop_timeout);
	kill(-s->pid, SIGKILL);
	wait_service(s, KILL_WAIT);
}

static void stop_all(int signo)
{
	int status;

	log_line("received SIG%s, stopping the services", signal_name(signo));
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
	exit(0);
}

int main(int argc, char **argv)
{
	sigset_t handled, original;
	siginfo_t info;

	if (parse_args(argc, argv) < 0)
		return 2;

	/* Outside a PID namespace (in tests), become the reaper of orphans as
	 * PID 1 would be. */
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Signals are taken synchronously with sigwaitinfo(). Blocked signals
	 * also reach PID 1, which drops signals without a handler. */
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGPWR);
	sigaddset(&handled, SIGHUP);
	sigprocmask(SIG_BLOCK, &handled, &original);

	log_line("starting %zu service%s", n_services, n_services == 1 ? "" : "s");
	for (size_t i = 0; i < n_services; i++)
		start_service(&services[i], &original);

	for (;;) {
		int signo;

		reap();
		if (!any_running()) {
			log_line("every service has exited; %s", any_failed() ? "some failed" : "all succeeded");
			return any_failed() ? 1 : 0;
		}

		signo = sigwaitinfo(&handled, &info);
		if (signo == SIGTERM || signo == SIGINT || signo == SIGPWR)
			stop_all(signo);
		else if (signo == SIGHUP)
			log_line("ignoring SIGHUP");
	}
}
