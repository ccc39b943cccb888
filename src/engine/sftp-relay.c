/* The IPv6 side of a site's SFTP port. The sites have IPv4 addresses only,
 * and nftables cannot rewrite an IPv6 connection into an IPv4 one, so a
 * small process outside the site accepts on [::]:PORT and copies each
 * connection to the site's IPV4:22. It runs in its own process group, which
 * the stop signals as a whole, connections included. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/proc.h"
#include "engine/sftp.h"
#include "util/fs.h"
#include "util/proctitle.h"
#include "util/util.h"

#define RELAY_BACKLOG 64
#define STOP_WAIT_MS 2000

/* Copies what is readable on FROM to TO. Returns the bytes copied, or 0 or
 * less at end of file or on an error. */
static ssize_t copy_once(int from, int to)
{
	char buffer[16384];
	ssize_t n = read(from, buffer, sizeof buffer);

	for (ssize_t done = 0; n > 0 && done < n;) {
		ssize_t w = write(to, buffer + done, (size_t)(n - done));

		if (w <= 0)
			return 0;
		done += w;
	}
	return n;
}

/* Copies both ways between CLIENT and the site until both sides closed. */
static void relay_connection(int client, uint32_t ipv4)
{
	struct sockaddr_in site = { .sin_family = AF_INET, .sin_port = htons(22) };
	struct pollfd fds[2];
	bool open[2] = { true, true };
	int server;

	site.sin_addr.s_addr = htonl(ipv4);
	server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server < 0 || connect(server, (struct sockaddr *)&site, sizeof site) < 0)
		return;

	fds[0] = (struct pollfd){ .fd = client, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = server, .events = POLLIN };
	while (open[0] || open[1]) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < 2; i++) {
			if (!open[i] || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (copy_once(fds[i].fd, fds[1 - i].fd) <= 0) {
				/* Pass the end of file on, and keep the other way open. */
				shutdown(fds[1 - i].fd, SHUT_WR);
				open[i] = false;
				fds[i].fd = -1;
			}
		}
	}
}

/* The relay process: accepts on LISTENER forever, one child per connection.
 * It was forked from a process that may have threads, so it uses system
 * calls only, no allocation. TITLE is what ps shows for it. */
static void __attribute__((noreturn)) relay_main(int listener, uint32_t ipv4, const char *title)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	sigset_t none;
	int null;

	ctui_proctitle_set(title, "ctui-sftp-relay");
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGCHLD, &ignore, NULL);

	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	/* Lock files and the database stay with the parent. */
	if (listener > 3)
		close_range(3, (unsigned)listener - 1, 0);
	close_range((unsigned)listener + 1, ~0U, 0);

	for (;;) {
		int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

		if (client < 0)
			continue;
		if (fork() == 0) {
			close(listener);
			relay_connection(client, ipv4);
			_exit(0);
		}
		close(client);
	}
}

static int listen_ipv6(unsigned port, struct ctui_error *err)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				    .sin6_addr = IN6ADDR_ANY_INIT };
	int on = 1;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot create an IPv6 socket"));
	/* IPv4 on this port belongs to the nftables forward. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    bind(fd, (struct sockaddr *)&any, sizeof any) < 0 || listen(fd, RELAY_BACKLOG) < 0) {
		int saved = errno;

		close(fd);
		return ctui_error_errno(err, saved, _("cannot listen on [::]:%u"), port);
	}
	return fd;
}

/* Forks the relay twice, so that init adopts it, and returns its pid. */
static pid_t spawn_relay(int listener, unsigned port, uint32_t ipv4, struct ctui_error *err)
{
	struct in_addr site = { .s_addr = htonl(ipv4) };
	char address[INET_ADDRSTRLEN] = "";
	char title[128];
	int pipe_fds[2];
	pid_t child, relay = 0;
	ssize_t n;

	inet_ntop(AF_INET, &site, address, sizeof address);
	snprintf(title, sizeof title, "ctui: SFTP relay from [::]:%u to %s:22", port, address);

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return ctui_error_errno(err, errno, _("cannot create a pipe"));

	child = fork();
	if (child < 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return ctui_error_errno(err, errno, _("cannot start the SFTP relay"));
	}
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0) {
			close(pipe_fds[0]);
			close(pipe_fds[1]);
			relay_main(listener, ipv4, title);
		}
		n = write(pipe_fds[1], &grandchild, sizeof grandchild);
		_exit(n == sizeof grandchild && grandchild > 0 ? 0 : 1);
	}

	close(pipe_fds[1]);
	n = read(pipe_fds[0], &relay, sizeof relay);
	close(pipe_fds[0]);
	waitpid(child, NULL, 0);
	if (n != sizeof relay || relay <= 0)
		return ctui_error_set(err, ECHILD, _("cannot start the SFTP relay"));
	return relay;
}

int ctui_sftp_relay_start(const char *pid_file, unsigned port, uint32_t ipv4,
			  struct ctui_error *err)
{
	unsigned long long start_time = 0;
	cleanup_free char *line = NULL;
	int listener = listen_ipv6(port, err);
	pid_t relay;

	if (listener < 0)
		return -1;
	relay = spawn_relay(listener, port, ipv4, err);
	close(listener);
	if (relay < 0)
		return -1;

	if (ctui_proc_start_time(relay, &start_time, err) < 0) {
		kill(relay, SIGKILL);
		return -1;
	}
	line = xasprintf("%d %llu\n", (int)relay, start_time);
	if (ctui_write_file_atomic(pid_file, line, strlen(line), 0644, err) < 0) {
		kill(relay, SIGKILL);
		return -1;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int ctui_sftp_relay_stop(const char *pid_file, struct ctui_error *err)
{
	cleanup_free char *text = NULL;
	unsigned long long start_time;
	size_t len;
	int pid;

	if (!ctui_path_exists(pid_file))
		return 0;
	if (ctui_read_file(pid_file, &text, &len, err) < 0)
		return -1;

	if (sscanf(text, "%d %llu", &pid, &start_time) == 2 && pid > 1 &&
	    ctui_proc_alive(pid, start_time)) {
		/* The group is the relay's once it called setsid(). */
		if (kill(-pid, SIGTERM) < 0)
			kill(pid, SIGTERM);
		for (long waited = 0; waited < STOP_WAIT_MS && ctui_proc_alive(pid, start_time);
		     waited += 10)
			sleep_ms(10);
		if (ctui_proc_alive(pid, start_time) && kill(-pid, SIGKILL) < 0)
			kill(pid, SIGKILL);
	}
	if (unlink(pid_file) < 0 && errno != ENOENT)
		return ctui_error_errno(err, errno, _("cannot remove %s"), pid_file);
	return 0;
}
