#include "engine/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

/* Reads /proc/PID/stat into BUF. Returns the length, or -errno. */
static ssize_t read_stat(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	close(fd);
	if (len >= 0)
		buf[len] = '\0';
	return len;
}

/* Splits the stat line after the command name. The name (field 2) is in
 * parentheses and may itself contain spaces and ')', so the fields start
 * after the last ')'. Sets *STATE (field 3) and *START_TIME (field 22). */
static int parse_stat(char *line, char *state, unsigned long long *start_time)
{
	char *p = strrchr(line, ')');
	char *end;

	if (!p || p[1] != ' ' || !p[2])
		return -1;
	p += 2;
	*state = *p;

	/* Fields 3 to 21 are 19 fields to skip before field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}

	errno = 0;
	*start_time = strtoull(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -1;
	return 0;
}

int ctui_proc_start_time(pid_t pid, unsigned long long *start_time, struct ctui_error *err)
{
	char buf[1024];
	ssize_t len;
	char state;

	if (pid <= 0)
		return ctui_error_set(err, EINVAL, _("invalid process id %d"), (int)pid);

	len = read_stat(pid, buf, sizeof buf);
	if (len < 0)
		return ctui_error_errno(err, (int)-len, _("cannot read /proc/%d/stat"), (int)pid);

	if (parse_stat(buf, &state, start_time) < 0)
		return ctui_error_set(err, EINVAL, _("cannot parse /proc/%d/stat: unexpected format"),
				      (int)pid);
	return 0;
}

bool ctui_proc_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long started;
	char buf[1024];
	char state;

	if (pid <= 0 || read_stat(pid, buf, sizeof buf) < 0)
		return false;
	if (parse_stat(buf, &state, &started) < 0)
		return false;
	return started == start_time && state != 'Z' && state != 'X';
}
